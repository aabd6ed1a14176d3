//! Parses arbitrary bytes as a seccomp profile and, when that succeeds, resolves it for a
//! fixed container on fixed hosts. Neither step may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_spec::seccomp::{SeccompHost, SeccompProfile};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(profile) = SeccompProfile::from_json(Path::new("<fuzz>"), data) else {
        return;
    };
    let caps: Vec<String> = ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_AUDIT_WRITE"]
        .iter()
        .map(|cap| cap.to_string())
        .collect();
    for host in [
        SeccompHost {
            arch: "amd64".into(),
            kernel: (6, 1),
        },
        SeccompHost {
            arch: "arm64".into(),
            kernel: (4, 19),
        },
    ] {
        let _ = profile.to_oci(&caps, &host);
    }
});

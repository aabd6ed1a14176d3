//! Feeds arbitrary bytes to the parsers of the in-process bridge backend: `iptables-save`
//! output (then a setup and a teardown planned against what was read) and the kernel's link
//! replies. They may find nothing, never panic; a parsed link's name has no NUL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_net::fuzzing::{link_reply, plan_against_saved};

fuzz_target!(|data: &[u8]| {
    let _ = plan_against_saved(&String::from_utf8_lossy(data));
    if let Some((_, name)) = link_reply(data) {
        assert!(!name.contains('\0'));
    }
});

//! Feeds arbitrary strings to every option parser of `libpod_spec::parse`; none may panic.
//!
//! The first byte picks the parser, the rest (as UTF-8) is the string. `host_device` and
//! `privileged_host_devices` walk the host's devices and are left out; the volume and mount
//! parsers may `statfs` a bind source and the block I/O parsers `stat` a `/dev/` path, which
//! only reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_spec::parse::{
    RestartPolicy, SysctlNamespaces, VolumeMount, merge_capabilities, normalize_capability,
    parse_device, parse_mount, parse_restart_policy, parse_signal, parse_size, parse_sysctl,
    parse_throttle_device, parse_tmpfs, parse_ulimit, parse_volume, parse_weight_device,
    process_mount_options, validate_sysctl,
};

const THROTTLE_FIELDS: [&str; 4] = [
    "device-read-bps",
    "device-write-bps",
    "device-read-iops",
    "device-write-iops",
];

/// Splits `a,b;c;d,e` into comma-separated lists.
fn lists(text: &str) -> Vec<Vec<String>> {
    text.split(';')
        .map(|list| {
            list.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn namespaces(selector: u8) -> SysctlNamespaces {
    SysctlNamespaces {
        ipc: selector & 0x20 != 0,
        net: selector & 0x40 != 0,
        uts: selector & 0x80 != 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 16 {
        0 => {
            if let Ok(size) = parse_size("memory", text) {
                assert!(size <= i64::MAX as u64);
            }
        }
        1 => {
            if let Ok(limit) = parse_ulimit(text) {
                assert!(limit.kind.starts_with("RLIMIT_"));
            }
        }
        2 => {
            if let Ok(device) = parse_device(text) {
                assert!(!device.permissions.is_empty());
                assert!(device.permissions.chars().all(|c| "rwm".contains(c)));
                assert!(device.host_path.is_absolute() && device.container_path.is_absolute());
            }
        }
        3 => check_volume(parse_volume(text)),
        4 => {
            if let Ok(mount) = parse_tmpfs(text) {
                assert_eq!(mount.typ().as_deref(), Some("tmpfs"));
            }
        }
        5 => check_volume(parse_mount(text)),
        6 => {
            let options: Vec<String> = text.split(',').map(str::to_string).collect();
            let source = (selector & 0x20 != 0).then_some("/");
            let _ = process_mount_options(&options, selector & 0x40 != 0, source);
        }
        7 => {
            if let Ok(policy) = parse_restart_policy(text) {
                let again: RestartPolicy = policy.to_string().parse().expect("display parses back");
                assert_eq!(again, policy);
            }
        }
        8 => {
            if let Ok(signal) = parse_signal(text) {
                assert!((1..=64).contains(&signal));
            }
        }
        9 => {
            let _ = validate_sysctl(text, namespaces(selector));
        }
        10 => {
            let _ = parse_sysctl(text, namespaces(selector));
        }
        11 => {
            if let Ok(name) = normalize_capability(text) {
                assert!(name.starts_with("CAP_"));
            }
        }
        12 => {
            let mut lists = lists(text).into_iter();
            let (base, add, drop) = (
                lists.next().unwrap_or_default(),
                lists.next().unwrap_or_default(),
                lists.next().unwrap_or_default(),
            );
            if let Ok(caps) = merge_capabilities(&base, &add, &drop) {
                assert!(caps.windows(2).all(|pair| pair[0] < pair[1]));
            }
        }
        13 | 14 => {
            let field = THROTTLE_FIELDS[usize::from(selector >> 4) % THROTTLE_FIELDS.len()];
            let _ = parse_throttle_device(field, text);
        }
        _ => {
            if let Ok(weight) = parse_weight_device(text) {
                let weight = weight.weight().unwrap_or_default();
                assert!(weight == 0 || (10..=1000).contains(&weight));
            }
        }
    }
});

fn check_volume(result: libpod_spec::Result<VolumeMount>) {
    let destination = match result {
        Ok(VolumeMount::Mount(mount)) => mount.destination().to_string_lossy().into_owned(),
        Ok(VolumeMount::Named {
            destination, name, ..
        }) => {
            assert!(!name.is_empty());
            destination
        }
        Ok(VolumeMount::Anonymous { destination, .. }) => destination,
        Ok(_) | Err(_) => return,
    };
    assert!(destination.starts_with('/'));
}

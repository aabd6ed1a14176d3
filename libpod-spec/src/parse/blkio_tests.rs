use super::{parse_throttle_device, parse_weight_device};
use crate::SpecError;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

/// A block device of this host with its numbers, found by scanning /dev.
fn block_device() -> (String, i64, i64) {
    let mut entries: Vec<_> = std::fs::read_dir("/dev").unwrap().flatten().collect();
    entries.sort_by_key(|entry| entry.file_name());
    entries
        .into_iter()
        .find_map(|entry| {
            let metadata = entry.metadata().ok()?;
            metadata.file_type().is_block_device().then(|| {
                let rdev = metadata.rdev();
                let path = entry.path().to_str().unwrap().to_string();
                (
                    path,
                    nix::sys::stat::major(rdev).cast_signed(),
                    nix::sys::stat::minor(rdev).cast_signed(),
                )
            })
        })
        .expect("a block device under /dev")
}

#[test]
fn bps_rates_take_units() {
    let (device, major, minor) = block_device();
    let throttle = parse_throttle_device("device-read-bps", &format!("{device}:1mb")).unwrap();
    assert_eq!(
        (throttle.major(), throttle.minor(), throttle.rate()),
        (major, minor, 1 << 20)
    );
    let throttle = parse_throttle_device("device-write-bps", &format!("{device}:1.5k")).unwrap();
    assert_eq!(throttle.rate(), 1536);
    let throttle = parse_throttle_device("device-write-bps", &format!("{device}:100")).unwrap();
    assert_eq!(throttle.rate(), 100);
}

#[test]
fn iops_rates_are_plain_numbers() {
    let (device, major, minor) = block_device();
    let throttle = parse_throttle_device("device-read-iops", &format!("{device}:100")).unwrap();
    assert_eq!(
        (throttle.major(), throttle.minor(), throttle.rate()),
        (major, minor, 100)
    );
    for rate in ["1k", "+1", "-1", "1.5", "", " 1"] {
        let err =
            parse_throttle_device("device-write-iops", &format!("{device}:{rate}")).unwrap_err();
        assert!(
            matches!(
                err,
                SpecError::InvalidValue {
                    field: "device-write-iops",
                    ..
                }
            ),
            "{rate}: {err:?}"
        );
    }
}

#[test]
fn bad_bps_rates_are_refused() {
    let (device, _, _) = block_device();
    for rate in ["-1", "fast", "", "1x"] {
        let value = format!("{device}:{rate}");
        match parse_throttle_device("device-read-bps", &value) {
            Err(SpecError::InvalidValue {
                field: "device-read-bps",
                value: v,
                ..
            }) => {
                assert_eq!(v, value)
            }
            other => panic!("{rate}: {other:?}"),
        }
    }
}

#[test]
fn malformed_throttles_are_refused() {
    for value in ["/dev/vda", "vda:1mb", "/tmp/x:1mb", ":1mb", ""] {
        assert!(
            matches!(
                parse_throttle_device("device-read-bps", value),
                Err(SpecError::InvalidValue {
                    field: "device-read-bps",
                    ..
                })
            ),
            "{value}"
        );
    }
}

#[test]
fn the_device_must_exist_and_be_a_block_device() {
    for value in ["/dev/null:1mb", "/dev/does-not-exist:1mb", "/dev/:1mb"] {
        assert!(
            matches!(
                parse_throttle_device("device-read-bps", value),
                Err(SpecError::Device { .. })
            ),
            "{value}"
        );
    }
    assert!(matches!(
        parse_weight_device("/dev/null:200"),
        Err(SpecError::Device { .. })
    ));
}

#[test]
fn weights() {
    let (device, major, minor) = block_device();
    for weight in [10u16, 200, 1000, 0] {
        let w = parse_weight_device(&format!("{device}:{weight}")).unwrap();
        assert_eq!(
            (w.major(), w.minor(), w.weight()),
            (major, minor, Some(weight))
        );
        assert_eq!(w.leaf_weight(), None);
    }
}

#[test]
fn bad_weights_are_refused() {
    let (device, _, _) = block_device();
    for weight in ["5", "9", "1001", "-1", "+20", "abc", "", "70000"] {
        let value = format!("{device}:{weight}");
        match parse_weight_device(&value) {
            Err(SpecError::InvalidValue {
                field: "blkio-weight-device",
                value: v,
                ..
            }) => {
                assert_eq!(v, value)
            }
            other => panic!("{weight}: {other:?}"),
        }
    }
    for value in ["/dev/vda", "vda:200", ""] {
        assert!(matches!(
            parse_weight_device(value),
            Err(SpecError::InvalidValue { .. })
        ));
    }
}

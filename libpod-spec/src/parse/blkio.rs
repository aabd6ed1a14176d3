//! Block I/O options: `--device-read-bps /dev/sda:1mb`, `--blkio-weight-device /dev/sda:200`.

use super::device::device_numbers;
use super::units::parse_size;
use crate::error::{Result, SpecError};
use oci_spec::runtime::{
    LinuxThrottleDevice, LinuxThrottleDeviceBuilder, LinuxWeightDevice, LinuxWeightDeviceBuilder,
};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// Splits `DEVICE:VALUE` as Podman does: the device must be under `/dev/`.
fn split_device<'a>(field: &'static str, value: &'a str) -> Result<(&'a str, &'a str)> {
    let (device, setting) = value
        .split_once(':')
        .ok_or_else(|| SpecError::invalid(field, value, "bad format, expected DEVICE:VALUE"))?;
    if !device.starts_with("/dev/") {
        return Err(SpecError::invalid(
            field,
            value,
            "bad format for device path",
        ));
    }
    Ok((device, setting))
}

/// The major and minor numbers of a block device (symlinks followed).
fn block_device_numbers(device: &str) -> Result<(i64, i64)> {
    let path = Path::new(device);
    let metadata = std::fs::metadata(path).map_err(|err| SpecError::Device {
        path: path.to_path_buf(),
        reason: format!("cannot stat it: {err}"),
    })?;
    if !metadata.file_type().is_block_device() {
        return Err(SpecError::Device {
            path: path.to_path_buf(),
            reason: "not a block device".into(),
        });
    }
    Ok(device_numbers(metadata.rdev()))
}

/// Go's `ParseUint(text, 10, 64)`: decimal digits only, no sign.
fn parse_unsigned(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses a throttle (`DEVICE:RATE`) for `field` (`device-read-bps`, `device-write-iops`, ...).
/// Rates of `*-bps` fields take units (`1mb`); `*-iops` rates are plain numbers. The device is
/// stat'ed for its major and minor numbers.
///
/// As Podman, the device path must start with `/dev/`; unlike Podman, which takes any file's
/// numbers, it must also be a block device (the only kind the blkio controller knows).
///
/// ```no_run
/// use libpod_spec::parse::parse_throttle_device;
/// let throttle = parse_throttle_device("device-read-bps", "/dev/sda:1mb").unwrap();
/// assert_eq!(throttle.rate(), 1 << 20);
/// ```
pub fn parse_throttle_device(field: &'static str, value: &str) -> Result<LinuxThrottleDevice> {
    let (device, rate_text) = split_device(field, value)?;
    let rate = if field.ends_with("iops") {
        parse_unsigned(rate_text).ok_or_else(|| {
            SpecError::invalid(field, value, "invalid rate, expected DEVICE:NUMBER")
        })?
    } else {
        parse_size(field, rate_text).map_err(|_| {
            SpecError::invalid(
                field,
                value,
                "invalid rate, expected DEVICE:NUMBER[UNIT] with an optional unit kb, mb or gb",
            )
        })?
    };
    let (major, minor) = block_device_numbers(device)?;
    LinuxThrottleDeviceBuilder::default()
        .major(major)
        .minor(minor)
        .rate(rate)
        .build()
        .map_err(|source| SpecError::Build {
            part: "block I/O throttle",
            source,
        })
}

/// Parses `DEVICE:WEIGHT` (weight 10 to 1000) for `--blkio-weight-device`.
///
/// As Podman, a weight of 0 is also accepted (it removes the device's own weight), and the
/// device path must start with `/dev/`; it must be a block device.
///
/// ```no_run
/// use libpod_spec::parse::parse_weight_device;
/// let weight = parse_weight_device("/dev/sda:200").unwrap();
/// assert_eq!(weight.weight(), Some(200));
/// ```
pub fn parse_weight_device(value: &str) -> Result<LinuxWeightDevice> {
    const FIELD: &str = "blkio-weight-device";
    let (device, weight_text) = split_device(FIELD, value)?;
    let weight = parse_unsigned(weight_text)
        .filter(|weight| *weight == 0 || (10..=1000).contains(weight))
        .ok_or_else(|| {
            SpecError::invalid(FIELD, value, "invalid weight, expected 10 to 1000 (or 0)")
        })?;
    let (major, minor) = block_device_numbers(device)?;
    LinuxWeightDeviceBuilder::default()
        .major(major)
        .minor(minor)
        .weight(u16::try_from(weight).unwrap_or(u16::MAX))
        .build()
        .map_err(|source| SpecError::Build {
            part: "block I/O weight",
            source,
        })
}

#[cfg(test)]
#[path = "blkio_tests.rs"]
mod tests;

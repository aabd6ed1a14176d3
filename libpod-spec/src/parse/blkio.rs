//! Block I/O options: `--device-read-bps /dev/sda:1mb`, `--blkio-weight-device /dev/sda:200`.

use crate::error::Result;
use oci_spec::runtime::{LinuxThrottleDevice, LinuxWeightDevice};

/// Parses a throttle (`DEVICE:RATE`) for `field` (`device-read-bps`, `device-write-iops`, ...).
/// Rates of `*-bps` fields take units (`1mb`); `*-iops` rates are plain numbers. The device is
/// stat'ed for its major and minor numbers.
pub fn parse_throttle_device(field: &'static str, value: &str) -> Result<LinuxThrottleDevice> {
    let _ = (field, value);
    todo!("helper D")
}

/// Parses `DEVICE:WEIGHT` (weight 10 to 1000) for `--blkio-weight-device`.
pub fn parse_weight_device(value: &str) -> Result<LinuxWeightDevice> {
    let _ = value;
    todo!("helper D")
}

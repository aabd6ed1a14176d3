//! Sizes with units (`64m`, `1.5g`, `512kb`), as Podman's `units.RAMInBytes` reads them.

use crate::error::Result;

/// Parses a size in bytes with an optional binary unit: `k`, `m`, `g`, `t`, `p`, any case,
/// optionally followed by `b` or `ib` (`64m`, `64MB`, `64MiB`, `1.5g`, `1024`).
///
/// `field` names the option in the error (`memory`, `shm-size`, ...).
///
/// ```
/// use libpod_spec::parse::parse_size;
/// assert_eq!(parse_size("shm-size", "1.5k").unwrap(), 1536);
/// assert!(parse_size("memory", "-1m").is_err());
/// ```
pub fn parse_size(field: &'static str, value: &str) -> Result<u64> {
    let _ = (field, value);
    todo!("helper D")
}

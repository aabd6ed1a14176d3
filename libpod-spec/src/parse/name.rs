//! Names of containers, pods and volumes, as Podman checks them.

use crate::error::{Result, SpecError};

/// The longest name accepted: a DNS name's length, so that a name fits a hostname and a
/// file name.
const NAME_MAX: usize = 253;

/// Checks a container, pod or volume name as Podman does: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, and
/// at most 253 bytes. `field` names the option in the error (`name`, `volume`).
///
/// ```
/// use libpod_spec::parse::check_name;
/// assert!(check_name("name", "web-1.prod_a").is_ok());
/// assert!(check_name("name", "-web").is_err());
/// assert!(check_name("volume", "a/b").is_err());
/// assert!(check_name("name", &"a".repeat(254)).is_err());
/// ```
pub fn check_name(field: &'static str, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && name.len() <= NAME_MAX;
    if valid {
        return Ok(());
    }
    Err(SpecError::invalid(
        field,
        name,
        format!("must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be at most {NAME_MAX} bytes"),
    ))
}

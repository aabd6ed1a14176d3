//! Capability names for `--cap-add` and `--cap-drop`.

use crate::error::Result;

/// Normalises a capability name to `CAP_NAME` and checks that it exists.
///
/// ```
/// use libpod_spec::parse::normalize_capability;
/// assert_eq!(normalize_capability("net_admin").unwrap(), "CAP_NET_ADMIN");
/// assert_eq!(normalize_capability("CAP_CHOWN").unwrap(), "CAP_CHOWN");
/// assert!(normalize_capability("FOO").is_err());
/// ```
pub fn normalize_capability(name: &str) -> Result<String> {
    let _ = name;
    todo!("helper D")
}

/// Every capability this host's kernel supports (up to `/proc/sys/kernel/cap_last_cap`),
/// as `CAP_*` names, sorted.
pub fn all_capabilities() -> Vec<String> {
    todo!("helper D")
}

/// Applies `--cap-add` and `--cap-drop` to a base set, as Podman's `MergeCapabilities`:
/// `ALL` in `add` means every capability, `ALL` in `drop` starts from none, a capability both
/// added and dropped is an error. The result is sorted and without duplicates.
///
/// ```
/// use libpod_spec::parse::merge_capabilities;
/// let base = vec!["CAP_CHOWN".to_string(), "CAP_KILL".to_string()];
/// let caps = merge_capabilities(&base, &["net_admin".into()], &["KILL".into()]).unwrap();
/// assert_eq!(caps, ["CAP_CHOWN", "CAP_NET_ADMIN"]);
/// assert_eq!(merge_capabilities(&base, &["CHOWN".into()], &["ALL".into()]).unwrap(), ["CAP_CHOWN"]);
/// ```
pub fn merge_capabilities(base: &[String], add: &[String], drop: &[String]) -> Result<Vec<String>> {
    let _ = (base, add, drop);
    todo!("helper D")
}

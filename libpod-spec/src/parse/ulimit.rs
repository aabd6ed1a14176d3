//! `--ulimit TYPE=SOFT[:HARD]`.

use crate::error::Result;

/// One resource limit, with its OCI name (`RLIMIT_NOFILE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ulimit {
    /// The OCI rlimit type, e.g. `RLIMIT_NOFILE`.
    pub kind: String,
    /// The soft limit; `u64::MAX` is unlimited.
    pub soft: u64,
    /// The hard limit; `u64::MAX` is unlimited.
    pub hard: u64,
}

/// Parses `nofile=1024:2048`, `nofile=1024` (soft = hard) or `core=-1` (unlimited).
///
/// ```
/// use libpod_spec::parse::parse_ulimit;
/// let u = parse_ulimit("core=-1").unwrap();
/// assert_eq!((u.kind.as_str(), u.soft, u.hard), ("RLIMIT_CORE", u64::MAX, u64::MAX));
/// assert!(parse_ulimit("nofile=2048:1024").is_err());
/// assert!(parse_ulimit("bogus=1").is_err());
/// ```
pub fn parse_ulimit(value: &str) -> Result<Ulimit> {
    let _ = value;
    todo!("helper D")
}

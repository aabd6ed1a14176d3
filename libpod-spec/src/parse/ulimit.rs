//! `--ulimit TYPE=SOFT[:HARD]`.

use crate::error::{Result, SpecError};

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

/// The names go-units (and so Podman 4.3) accepts. `as` is deliberately absent: go-units
/// disables it, and Podman 4.3 answers `invalid ulimit type: as`.
const ULIMIT_NAMES: [&str; 15] = [
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// Parses `nofile=1024:2048`, `nofile=1024` (soft = hard) or `core=-1` (unlimited).
///
/// As go-units' `ParseUlimit`: names are lower case, limits are signed 64-bit integers, `-1`
/// means unlimited (and becomes `u64::MAX`), and the soft limit may not exceed the hard one.
/// Other negative numbers wrap to `u64` as they do in Podman.
///
/// ```
/// use libpod_spec::parse::parse_ulimit;
/// let u = parse_ulimit("core=-1").unwrap();
/// assert_eq!((u.kind.as_str(), u.soft, u.hard), ("RLIMIT_CORE", u64::MAX, u64::MAX));
/// assert!(parse_ulimit("nofile=2048:1024").is_err());
/// assert!(parse_ulimit("bogus=1").is_err());
/// ```
pub fn parse_ulimit(value: &str) -> Result<Ulimit> {
    let invalid = |reason: String| SpecError::invalid("ulimit", value, reason);
    let (name, limits) = value
        .split_once('=')
        .ok_or_else(|| invalid("expected TYPE=SOFT[:HARD]".into()))?;
    if !ULIMIT_NAMES.contains(&name) {
        return Err(invalid(format!("invalid ulimit type {name:?}")));
    }
    let parse_limit = |text: &str| {
        text.parse::<i64>()
            .map_err(|_| invalid(format!("limit {text:?} is not a number")))
    };
    let parts: Vec<&str> = limits.split(':').collect();
    let (soft, hard) = match parts.as_slice() {
        [soft] => {
            let soft = parse_limit(soft)?;
            (soft, soft)
        }
        [soft, hard] => {
            let hard = parse_limit(hard)?;
            (parse_limit(soft)?, hard)
        }
        _ => return Err(invalid("too many limits, expected SOFT[:HARD]".into())),
    };
    if hard != -1 {
        if soft == -1 {
            return Err(invalid(format!(
                "soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: {hard}"
            )));
        }
        if soft > hard {
            return Err(invalid(format!(
                "soft limit must be less than or equal to hard limit: {soft} > {hard}"
            )));
        }
    }
    Ok(Ulimit {
        kind: format!("RLIMIT_{}", name.to_ascii_uppercase()),
        // Two's complement, as Podman's uint64(int64) conversion: -1 is u64::MAX.
        soft: soft.cast_unsigned(),
        hard: hard.cast_unsigned(),
    })
}

#[cfg(test)]
#[path = "ulimit_tests.rs"]
mod tests;

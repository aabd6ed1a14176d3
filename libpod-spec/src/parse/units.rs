//! Sizes with units (`64m`, `1.5g`, `512kb`), as Podman's `units.RAMInBytes` reads them.

use crate::error::{Result, SpecError};
use regex::Regex;
use std::sync::LazyLock;

/// go-units' size syntax. `[0-9]` rather than `\d`: Go's `\d` is ASCII-only, Rust's is Unicode.
static SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]+(?:\.[0-9]+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$").expect("valid size regex")
});

/// 2^63 as a float: go-units returns an `int64`, so anything from here up cannot be represented.
const INT64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// Parses a size in bytes with an optional binary unit: `k`, `m`, `g`, `t`, `p`, any case,
/// optionally followed by `b` or `ib` (`64m`, `64MB`, `64MiB`, `1.5g`, `1024`).
///
/// `field` names the option in the error (`memory`, `shm-size`, ...). Like go-units, the number
/// is read as a float, multiplied and truncated (`1.5k` is 1536); negative numbers, several
/// decimal points and sizes beyond `i64::MAX` are refused.
///
/// ```
/// use libpod_spec::parse::parse_size;
/// assert_eq!(parse_size("shm-size", "1.5k").unwrap(), 1536);
/// assert!(parse_size("memory", "-1m").is_err());
/// ```
pub fn parse_size(field: &'static str, value: &str) -> Result<u64> {
    let captures = SIZE
        .captures(value)
        .ok_or_else(|| SpecError::invalid(field, value, "invalid size"))?;
    // The regex admits `1.2.3`; Go's ParseFloat then refuses it, and so does Rust's.
    let number: f64 = captures[1]
        .parse()
        .map_err(|_| SpecError::invalid(field, value, "invalid size"))?;
    let multiplier = match captures
        .get(2)
        .map(|unit| unit.as_str().to_ascii_lowercase())
    {
        None => 1.0,
        Some(unit) => match unit.as_str() {
            "k" => 1024.0,
            "m" => 1024.0 * 1024.0,
            "g" => 1024.0 * 1024.0 * 1024.0,
            "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0,
        },
    };
    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes >= INT64_LIMIT {
        return Err(SpecError::invalid(field, value, "size is too large"));
    }
    Ok(truncate_to_bytes(bytes))
}

/// Truncation toward zero, as Go's `int64(float64)` conversion does.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the caller checked 0 <= bytes < 2^63; dropping the fraction is the point"
)]
fn truncate_to_bytes(bytes: f64) -> u64 {
    bytes as u64
}

#[cfg(test)]
#[path = "units_tests.rs"]
mod tests;

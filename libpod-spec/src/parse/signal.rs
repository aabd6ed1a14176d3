//! Signal names and numbers (`--stop-signal`).

use crate::error::Result;

/// Parses `SIGINT`, `INT`, `int`, `2` or `RTMIN+3` into a signal number.
///
/// ```
/// use libpod_spec::parse::parse_signal;
/// assert_eq!(parse_signal("SIGQUIT").unwrap(), 3);
/// assert_eq!(parse_signal("term").unwrap(), 15);
/// assert!(parse_signal("SIGNOPE").is_err());
/// ```
pub fn parse_signal(value: &str) -> Result<i32> {
    let _ = value;
    todo!("helper D")
}

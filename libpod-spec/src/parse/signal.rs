//! Signal names and numbers (`--stop-signal`).

use crate::error::{Result, SpecError};

/// The first real-time signal on Linux as glibc reserves it (Go's `sigrtmin`).
const SIGRTMIN: i32 = 34;
/// The last signal on Linux.
const SIGRTMAX: i32 = 64;

/// Podman's Linux signal names, without `SIG` (pkg/signal `SignalMap`, minus the RT range).
const SIGNALS: [(&str, i32); 34] = [
    ("ABRT", 6),
    ("ALRM", 14),
    ("BUS", 7),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("FPE", 8),
    ("HUP", 1),
    ("ILL", 4),
    ("INT", 2),
    ("IO", 29),
    ("IOT", 6),
    ("KILL", 9),
    ("PIPE", 13),
    ("POLL", 29),
    ("PROF", 27),
    ("PWR", 30),
    ("QUIT", 3),
    ("SEGV", 11),
    ("STKFLT", 16),
    ("STOP", 19),
    ("SYS", 31),
    ("TERM", 15),
    ("TRAP", 5),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("USR1", 10),
    ("USR2", 12),
    ("VTALRM", 26),
    ("WINCH", 28),
    ("XCPU", 24),
    ("XFSZ", 25),
];

/// Parses `SIGINT`, `INT`, `int`, `2` or `RTMIN+3` into a signal number.
///
/// As Podman 4.3's `util.ParseSignal`: one leading `-` is ignored (`-9`, `-HUP`), a number
/// must be within 1..=64, and a name is matched in any case with or without one `SIG` prefix,
/// including `RTMIN`, `RTMIN+1`..`RTMIN+15`, `RTMAX-14`..`RTMAX-1` and `RTMAX`.
///
/// ```
/// use libpod_spec::parse::parse_signal;
/// assert_eq!(parse_signal("SIGQUIT").unwrap(), 3);
/// assert_eq!(parse_signal("term").unwrap(), 15);
/// assert!(parse_signal("SIGNOPE").is_err());
/// ```
pub fn parse_signal(value: &str) -> Result<i32> {
    let invalid = |reason: &str| SpecError::invalid("stop-signal", value, reason);
    let basename = value.strip_prefix('-').unwrap_or(value);
    // Go's Atoi: optional sign, decimal digits, 64-bit range.
    if let Ok(number) = basename.parse::<i64>() {
        if number == 0 {
            return Err(invalid("invalid signal"));
        }
        return match i32::try_from(number) {
            Ok(signal @ 1..=SIGRTMAX) => Ok(signal),
            _ => Err(invalid("valid signals are 1 through 64")),
        };
    }
    let upper: String = basename.chars().flat_map(char::to_uppercase).collect();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    signal_by_name(name).ok_or_else(|| invalid("invalid signal"))
}

/// Looks up an upper-case name without `SIG`.
fn signal_by_name(name: &str) -> Option<i32> {
    if let Some((_, number)) = SIGNALS.iter().find(|(known, _)| *known == name) {
        return Some(*number);
    }
    // Only the exact spellings Podman lists: `RTMIN+3`, not `RTMIN+03`, `RTMIN+0` or `RTMIN++3`.
    let offset = |text: &str, max: i32| -> Option<i32> {
        let canonical = !text.is_empty()
            && text.len() <= 2
            && !text.starts_with('0')
            && text.bytes().all(|b| b.is_ascii_digit());
        text.parse()
            .ok()
            .filter(|n| canonical && (1..=max).contains(n))
    };
    match name {
        "RTMIN" => Some(SIGRTMIN),
        "RTMAX" => Some(SIGRTMAX),
        _ => {
            if let Some(rest) = name.strip_prefix("RTMIN+") {
                offset(rest, 15).map(|n| SIGRTMIN + n)
            } else if let Some(rest) = name.strip_prefix("RTMAX-") {
                offset(rest, 14).map(|n| SIGRTMAX - n)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "signal_tests.rs"]
mod tests;

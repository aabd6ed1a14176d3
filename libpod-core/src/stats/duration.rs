//! Go's `time.Duration.String()`, which Podman prints for CPU time and psgo for `etime` and
//! `time`.

/// `nanos` as Go prints a `time.Duration`: `0s`, `1.5µs`, `250ms`, `3.000000001s`, `1m0s`,
/// `26h3m4.5s`.
///
/// ```
/// use libpod_core::stats::go_duration;
/// assert_eq!(go_duration(0), "0s");
/// assert_eq!(go_duration(1_500), "1.5µs");
/// assert_eq!(go_duration(250_000_000), "250ms");
/// assert_eq!(go_duration(60_000_000_000), "1m0s");
/// assert_eq!(go_duration(93_784_500_000_000), "26h3m4.5s");
/// ```
pub fn go_duration(nanos: u64) -> String {
    const SECOND: u64 = 1_000_000_000;
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < SECOND {
        let (unit, scale) = match nanos {
            0..1_000 => ("ns", 1),
            1_000..1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{}{unit}", decimal(nanos, scale));
    }
    let hours = nanos / (3600 * SECOND);
    let minutes = nanos / (60 * SECOND) % 60;
    let seconds = decimal(nanos % (60 * SECOND), SECOND);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m{seconds}s"),
        _ => format!("{hours}h{minutes}m{seconds}s"),
    }
}

/// `value / scale` with its fraction, trailing zeros dropped (`scale` a power of ten).
fn decimal(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

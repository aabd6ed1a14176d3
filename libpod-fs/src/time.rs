//! The timestamp the records we write carry.

/// The current time as RFC 3339 with nanoseconds, in UTC: how Podman records times and how
/// image configs write them (`2024-05-01T12:00:00.123456789Z`).
///
/// ```
/// let now = libpod_fs::now_rfc3339();
/// assert!(now.ends_with('Z') && now.len() == "2024-05-01T12:00:00.123456789Z".len());
/// ```
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

//! The k8s-file log as conmon writes it (ctr_logging.c, `write_k8s_log`): for each chunk
//! read from the container's stdout or stderr and each line in it, the time the chunk was
//! read (local time, nanoseconds, `+HH:MM`), the stream, `F` for a line that ended or `P` for
//! the chunk's unfinished tail, and the bytes. With a size limit (`--log-size-max`), a chunk
//! that would pass it truncates the file first, as conmon does.

use chrono::{DateTime, Datelike, Local, Offset, TimeZone, Timelike};
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// An open k8s-file log.
pub(crate) struct K8sLog {
    file: File,
    written: u64,
    max: Option<u64>,
}

impl K8sLog {
    /// Opens (creates 0600) the log at `path` for appending, with an optional size limit.
    pub(crate) fn open(path: &Path, max: Option<u64>) -> io::Result<K8sLog> {
        let file = libpod_fs::private_file()
            .append(true)
            .create(true)
            .open(path)?;
        let written = file.metadata()?.len();
        Ok(K8sLog {
            file,
            written,
            max: max.filter(|max| *max > 0),
        })
    }

    /// Writes `chunk`, read from `stream` (`stdout` or `stderr`), as records.
    pub(crate) fn write(&mut self, stream: &str, chunk: &[u8]) -> io::Result<()> {
        let time = timestamp(&Local::now());
        let records = records(&time, stream, chunk);
        let len = u64::try_from(records.len()).unwrap_or(u64::MAX);
        if let Some(max) = self.max
            && self.written.saturating_add(len) > max
        {
            self.file.set_len(0)?;
            self.written = 0;
        }
        self.file.write_all(&records)?;
        self.written = self.written.saturating_add(len);
        Ok(())
    }
}

/// The records of one chunk.
pub(crate) fn records(time: &str, stream: &str, chunk: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len() + 48);
    let mut rest = chunk;
    while !rest.is_empty() {
        let (line, tag, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], "F", &rest[end + 1..]),
            None => (rest, "P", &rest[rest.len()..]),
        };
        for part in [time, " ", stream, " ", tag, " "] {
            out.extend_from_slice(part.as_bytes());
        }
        out.extend_from_slice(line);
        out.push(b'\n');
        rest = next;
    }
    out
}

/// `time` as conmon stamps a record (`%Y-%m-%dT%H:%M:%S%.9f%:z`), formatted by hand: chrono's
/// format strings are parsed at every call, and their code would stay in the monitor's
/// resident set for the container's whole life.
fn timestamp<Tz: TimeZone>(time: &DateTime<Tz>) -> String {
    let offset = time.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.unsigned_abs() / 60;
    // A leap second is chrono's second 59 with a billion nanoseconds more; `%S%.9f` prints
    // it as second 60.
    let (second, nanosecond) = match time.nanosecond() {
        nanos @ 1_000_000_000.. => (time.second() + 1, nanos - 1_000_000_000),
        nanos => (time.second(), nanos),
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}{sign}{:02}:{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        second,
        nanosecond,
        offset / 60,
        offset % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "2026-12-07T05:00:00.000000001+00:00";

    #[test]
    fn timestamps_are_conmons() {
        use chrono::FixedOffset;
        for (offset, time) in [
            (0, "2026-12-07T05:00:00.000000001+00:00"),
            (-(5 * 3600 + 1800), "2026-12-06T23:30:00.000000001-05:30"),
            (3600, "2026-12-07T06:00:00.000000001+01:00"),
        ] {
            let zone = FixedOffset::east_opt(offset).unwrap();
            let at = DateTime::from_timestamp(1_796_619_600, 1)
                .unwrap()
                .with_timezone(&zone);
            assert_eq!(timestamp(&at), time);
            assert_eq!(
                timestamp(&at),
                at.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string()
            );
        }
    }

    #[test]
    fn lines_are_full_and_a_tail_partial() {
        let got = records(T, "stdout", b"one\n\ntwo");
        let want = format!("{T} stdout F one\n{T} stdout F \n{T} stdout P two\n");
        assert_eq!(String::from_utf8(got).unwrap(), want);
        assert!(records(T, "stderr", b"").is_empty());
    }

    #[test]
    fn records_parse_as_libpod_core_reads_them() {
        let got = String::from_utf8(records(T, "stderr", b"a b\n")).unwrap();
        let (_, stream, partial, message) = libpod_core::logs::parse_record(&got).unwrap();
        assert_eq!(
            (stream, partial, message),
            (libpod_core::logs::Stream::Stderr, false, "a b")
        );
    }

    #[test]
    fn past_the_limit_the_file_starts_over() {
        let dir = libpod_testutil::TempRoot::new().unwrap();
        let path = dir.path().join("ctr.log");
        let mut log = K8sLog::open(&path, Some(100)).unwrap();
        log.write("stdout", b"first line of output\n").unwrap();
        log.write("stdout", b"second line of output\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("first"), "{text}");
        assert!(text.contains("second"), "{text}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

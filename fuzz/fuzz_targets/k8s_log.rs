//! Fuzzes reading k8s-file container logs: `parse_record` on every line, then `read_log`
//! (no follow) on the whole input written to a file, with and without `--tail`, `--since`
//! and stream filters. Nothing may panic; a record that parses must keep its message as the
//! line's end; `--tail N` must give min(N, all) lines, in the order reading everything gives
//! them.
//!
//! Input: the first byte picks the options (bits 0-2: tail 1-7 or none when 0; bit 3: a
//! `since`; bit 4: leave out stdout; bit 5: leave out stderr); the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_core::logs::{LogLine, LogOptions, parse_record, read_log};
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

/// `/tmp/libpod-fuzz-k8s-log-<pid>/ctr.log`, rewritten for every input.
fn log_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("libpod-fuzz-k8s-log-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("creating the fuzz directory");
        dir.join("ctr.log")
    })
}

fn read(options: &LogOptions) -> Vec<LogLine> {
    let mut lines = Vec::new();
    read_log(log_path(), options, &|| false, &mut |line| {
        lines.push(line.clone());
        true
    })
    .expect("reading an existing regular file");
    lines
}

/// Whether `part` appears in `whole` in the same order.
fn is_subsequence(part: &[LogLine], whole: &[LogLine]) -> bool {
    let mut rest = whole.iter();
    part.iter()
        .all(|line| rest.any(|candidate| candidate == line))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    for line in String::from_utf8_lossy(content).split('\n') {
        if let Ok((_, _, _, message)) = parse_record(line) {
            assert!(
                line.ends_with(message),
                "{line:?} does not end with {message:?}"
            );
        }
    }

    fs::write(log_path(), content).expect("writing the log");
    let mut options = LogOptions::default();
    options.no_stdout = selector & 0x10 != 0;
    options.no_stderr = selector & 0x20 != 0;
    if selector & 0x08 != 0 {
        options.since = parse_record("2026-11-22T11:13:03.5Z stdout F -")
            .ok()
            .map(|r| r.0);
    }
    let all = read(&options);

    let count = usize::from(selector & 0x07);
    if count > 0 {
        let unfiltered = read(&LogOptions::default());
        let mut tail_options = LogOptions::default();
        tail_options.tail = Some(count);
        let tail = read(&tail_options);
        assert_eq!(tail.len(), count.min(unfiltered.len()));
        assert!(
            is_subsequence(&tail, &unfiltered),
            "{tail:?} not in {unfiltered:?}"
        );
        // The filters pick from the tail.
        options.tail = Some(count);
        let filtered = read(&options);
        let expected: Vec<LogLine> = tail.into_iter().filter(|l| options.accepts(l)).collect();
        assert_eq!(filtered, expected);
        assert!(is_subsequence(&filtered, &all));
    }
});

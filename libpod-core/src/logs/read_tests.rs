use super::*;
use crate::logs::Stream;
use crate::logs::test_support::*;
use std::fs;

fn log_with(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    fs::write(&path, content).unwrap();
    (dir, path)
}

fn all(content: &str) -> Vec<String> {
    let (_dir, path) = log_with(content);
    texts(&read(&path, &LogOptions::default()))
}

#[test]
fn a_missing_log_has_no_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never-started.log");
    assert!(read(&path, &LogOptions::default()).is_empty());
    let follow = LogOptions {
        follow: true,
        ..LogOptions::default()
    };
    assert!(read(&path, &follow).is_empty());
}

#[test]
fn an_unreadable_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_log(dir.path(), &LogOptions::default(), &|| false, &mut |_| true).unwrap_err();
    assert!(
        matches!(&err, CoreError::Io { path, .. } if path == dir.path()),
        "{err}"
    );
}

#[test]
fn partial_records_join_per_stream_with_the_first_part_s_time() {
    let (_dir, path) = log_with(
        &[
            out_p(1, "hel"),
            err(2, "in between"),
            out_p(3, "lo "),
            err_p(4, "e1 "),
            out(5, "world"),
            err(6, "e2"),
        ]
        .concat(),
    );
    let lines = read(&path, &LogOptions::default());
    assert_eq!(
        texts(&lines),
        ["e:in between", "o:hello world", "e:e1 e2"],
        "a line is emitted when its last part comes"
    );
    assert_eq!(lines[1].time, at(1));
    assert_eq!(lines[2].time, at(4));
}

#[test]
fn empty_and_spaced_messages_survive() {
    assert_eq!(
        all(&[out(1, ""), out(2, "  a  b  "), out_p(3, ""), out(4, "")].concat()),
        ["o:", "o:  a  b  ", "o:"]
    );
}

#[test]
fn a_real_conmon_log_reads_as_the_container_wrote_it() {
    // Written by conmon 2.1.6 for `podman run` (runc) of:
    // echo out-line; echo err-line >&2; printf partial-no-newline; sleep 0.2; echo " more";
    // echo "  two  spaces  "; echo; printf "a\tb\r\n"; head -c 20000 /dev/zero | tr "\0" x; echo
    let lines = all(include_str!("testdata/conmon-k8s-file.log"));
    let x = format!("o:{}", "x".repeat(20000));
    assert_eq!(
        lines,
        [
            "o:out-line",
            "e:err-line",
            "o:partial-no-newline more",
            "o:  two  spaces  ",
            "o:",
            "o:a\tb\r",
            x.as_str(),
        ]
    );
}

#[test]
fn malformed_lines_are_skipped() {
    let content = [
        out(1, "first"),
        "garbage\n".to_string(),
        "\n".to_string(),
        out_p(2, "a"),
        "2026-11-22T11:13:03Z stdin F nope\n".to_string(),
        out(3, "b"),
        // A writer that died mid-record.
        "2026-11-22T11:1".to_string(),
    ]
    .concat();
    assert_eq!(all(&content), ["o:first", "o:ab"]);
}

#[test]
fn an_unterminated_last_record_still_counts() {
    let mut content = out(1, "one");
    content.push_str(out(2, "two").trim_end_matches('\n'));
    assert_eq!(all(&content), ["o:one", "o:two"]);
}

#[test]
fn an_unfinished_last_line_is_shown_at_the_end() {
    assert_eq!(
        all(&[out_p(1, "no newline"), err(2, "e")].concat()),
        ["e:e", "o:no newline"]
    );
}

#[test]
fn invalid_utf8_is_replaced_after_joining() {
    // "é" is C3 A9: split across two records it must come out whole.
    let mut content = out_p(1, "caf").into_bytes();
    content.truncate(content.len() - 1);
    content.extend_from_slice(b"\xc3\n");
    let mut second = out(2, "").into_bytes();
    second.truncate(second.len() - 1);
    second.extend_from_slice(b"\xa9 \xff\n");
    content.extend_from_slice(&second);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    fs::write(&path, content).unwrap();
    assert_eq!(
        texts(&read(&path, &LogOptions::default())),
        ["o:café \u{fffd}"]
    );
}

#[test]
fn since_and_until_are_exclusive_and_use_the_first_part_s_time() {
    let (_dir, path) = log_with(&[out(1, "a"), out_p(2, "b"), out(5, "c"), out(6, "d")].concat());
    let mut options = LogOptions {
        since: Some(at(1)),
        ..LogOptions::default()
    };
    assert_eq!(texts(&read(&path, &options)), ["o:bc", "o:d"]);
    options.since = Some(at(3));
    assert_eq!(texts(&read(&path, &options)), ["o:d"], "bc started at 2");
    options.since = None;
    options.until = Some(at(6));
    assert_eq!(texts(&read(&path, &options)), ["o:a", "o:bc"]);
    options.since = Some(at(1));
    options.until = Some(at(2));
    assert!(read(&path, &options).is_empty());
}

#[test]
fn times_compare_as_instants_whatever_their_offset() {
    let line = "2026-11-22T12:13:03.000000000+01:00 stdout F plus-one\n";
    let (_dir, path) = log_with(&[line, &out(1, "after")].concat());
    // 12:13:03+01:00 is 11:13:03Z: not after at(0).
    let options = LogOptions {
        since: Some(at(0)),
        ..LogOptions::default()
    };
    assert_eq!(texts(&read(&path, &options)), ["o:after"]);
}

#[test]
fn streams_can_be_left_out() {
    let (_dir, path) = log_with(&[out(1, "o"), err(2, "e")].concat());
    let mut options = LogOptions {
        no_stdout: true,
        ..LogOptions::default()
    };
    assert_eq!(texts(&read(&path, &options)), ["e:e"]);
    options.no_stdout = false;
    options.no_stderr = true;
    assert_eq!(texts(&read(&path, &options)), ["o:o"]);
}

#[test]
fn accepts_applies_every_filter() {
    let line = LogLine {
        time: at(5),
        stream: Stream::Stderr,
        message: String::new(),
    };
    let mut options = LogOptions::default();
    assert!(options.accepts(&line));
    options.no_stderr = true;
    assert!(!options.accepts(&line));
    options.no_stderr = false;
    options.since = Some(at(5));
    assert!(!options.accepts(&line));
    options.since = Some(at(4));
    options.until = Some(at(5));
    assert!(!options.accepts(&line));
    options.until = Some(at(6));
    assert!(options.accepts(&line));
}

#[test]
fn emit_returning_false_stops() {
    let (_dir, path) = log_with(&[out(1, "a"), out(2, "b"), out(3, "c")].concat());
    let mut seen = Vec::new();
    read_log(&path, &LogOptions::default(), &|| false, &mut |line| {
        seen.push(line.message.clone());
        false
    })
    .unwrap();
    assert_eq!(seen, ["a"]);
    seen.clear();
    read_log(&path, &tail(2), &|| false, &mut |line| {
        seen.push(line.message.clone());
        false
    })
    .unwrap();
    assert_eq!(seen, ["b"]);
}

#[test]
fn tail_gives_the_last_lines_whole() {
    let content = [
        out(1, "one"),
        out_p(2, "tw"),
        err(3, "e1"),
        out(4, "o"),
        err_p(5, "e"),
        err(6, "2"),
        out(7, "three"),
    ]
    .concat();
    let (_dir, path) = log_with(&content);
    assert_eq!(texts(&read(&path, &tail(1))), ["o:three"]);
    assert_eq!(texts(&read(&path, &tail(2))), ["e:e2", "o:three"]);
    assert_eq!(texts(&read(&path, &tail(3))), ["o:two", "e:e2", "o:three"]);
    assert_eq!(
        texts(&read(&path, &tail(100))),
        ["o:one", "e:e1", "o:two", "e:e2", "o:three"]
    );
    assert!(read(&path, &tail(0)).is_empty());
}

#[test]
fn tail_counts_every_stream_then_filters() {
    let (_dir, path) = log_with(&[out(1, "o1"), out(2, "o2"), err(3, "e1"), out(4, "o3")].concat());
    let mut options = tail(2);
    options.no_stdout = true;
    assert_eq!(texts(&read(&path, &options)), ["e:e1"]);
    let mut options = tail(3);
    options.since = Some(at(2));
    assert_eq!(texts(&read(&path, &options)), ["e:e1", "o:o3"]);
}

#[test]
fn tail_includes_an_unfinished_last_line() {
    let (_dir, path) = log_with(&[out(1, "a"), err(2, "b"), out_p(3, "unfinished")].concat());
    assert_eq!(texts(&read(&path, &tail(1))), ["o:unfinished"]);
    assert_eq!(texts(&read(&path, &tail(2))), ["e:b", "o:unfinished"]);
}

#[test]
fn tail_of_a_huge_log_reads_only_its_end() {
    // 8 GiB of hole, then records: reading it all would read gigabytes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    let file = fs::File::create(&path).unwrap();
    file.set_len(8 << 30).unwrap();
    drop(file);
    let records: String = (0..1000).map(|n| out(n, &format!("line {n}"))).collect();
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, format!("\n{records}").as_bytes()).unwrap();
    let before = bytes_read();
    assert_eq!(
        texts(&read(&path, &tail(3))),
        ["o:line 997", "o:line 998", "o:line 999"]
    );
    let read_bytes = bytes_read() - before;
    // Other tests run in this process too; they read kilobytes.
    assert!(read_bytes < 256 << 20, "read {read_bytes} bytes");
}

/// Bytes this process has read so far (`rchar` of /proc/self/io).
fn bytes_read() -> u64 {
    let io = fs::read_to_string("/proc/self/io").unwrap();
    io.lines()
        .find_map(|line| line.strip_prefix("rchar: "))
        .unwrap()
        .parse()
        .unwrap()
}

#[path = "follow_tests.rs"]
mod following;

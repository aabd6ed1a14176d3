//! `read_log` with `follow`: a writer thread plays conmon.

use crate::Result;
use crate::logs::test_support::*;
use crate::logs::{LogLine, LogOptions, read_log};
use chrono::Utc;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(10);

/// `read_log` following a file in a thread.
struct Follower {
    running: Arc<AtomicBool>,
    lines: Arc<Mutex<Vec<LogLine>>>,
    done: mpsc::Receiver<Result<()>>,
}

fn follow(path: &Path, mut options: LogOptions) -> Follower {
    follow_until(path, &mut options, usize::MAX)
}

/// Follows, asking to stop after `max` lines.
fn follow_until(path: &Path, options: &mut LogOptions, max: usize) -> Follower {
    options.follow = true;
    let running = Arc::new(AtomicBool::new(true));
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (tx, done) = mpsc::channel();
    let (path, options) = (path.to_path_buf(), options.clone());
    let (running2, lines2) = (running.clone(), lines.clone());
    std::thread::spawn(move || {
        let still_running = || running2.load(Ordering::SeqCst);
        let result = read_log(&path, &options, &still_running, &mut |line| {
            let mut lines = lines2.lock().unwrap();
            lines.push(line.clone());
            lines.len() < max
        });
        let _ = tx.send(result);
    });
    Follower {
        running,
        lines,
        done,
    }
}

impl Follower {
    fn texts(&self) -> Vec<String> {
        texts(&self.lines.lock().unwrap())
    }

    /// Waits until `count` lines came.
    fn wait_for(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let texts = self.texts();
            if texts.len() >= count {
                return texts;
            }
            assert!(
                Instant::now() < deadline,
                "only {texts:?} after {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for `read_log` to return by itself.
    fn finished(&self) -> Vec<String> {
        self.done
            .recv_timeout(PATIENCE)
            .expect("read_log did not return")
            .unwrap();
        self.texts()
    }

    /// The container stops: `read_log` must return.
    fn stop(&self) -> Vec<String> {
        self.running.store(false, Ordering::SeqCst);
        self.finished()
    }
}

fn new_log(content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    fs::write(&path, content).unwrap();
    (dir, path)
}

fn append(path: &Path, text: &str) {
    let mut file = fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn new_lines_are_read_as_they_come() {
    let (_dir, path) = new_log(&out(1, "first"));
    let follower = follow(&path, LogOptions::default());
    assert_eq!(follower.wait_for(1), ["o:first"]);
    append(&path, &out(2, "second"));
    assert_eq!(follower.wait_for(2), ["o:first", "o:second"]);
    std::thread::sleep(Duration::from_millis(50));
    append(&path, &[err(3, "third"), out(4, "fourth")].concat());
    follower.wait_for(4);
    assert_eq!(
        follower.stop(),
        ["o:first", "o:second", "e:third", "o:fourth"]
    );
}

#[test]
fn a_partial_record_waits_for_the_rest_of_its_line() {
    let (_dir, path) = new_log(&out(1, "first"));
    let follower = follow(&path, LogOptions::default());
    follower.wait_for(1);
    append(&path, &out_p(2, "hel"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(follower.texts(), ["o:first"]);
    append(&path, &err(3, "meanwhile"));
    follower.wait_for(2);
    append(&path, &out(4, "lo"));
    follower.wait_for(3);
    assert_eq!(follower.stop(), ["o:first", "e:meanwhile", "o:hello"]);
    assert_eq!(follower.lines.lock().unwrap()[2].time, at(2));
}

#[test]
fn a_record_written_in_two_steps_is_read_once_whole() {
    let (_dir, path) = new_log("");
    let follower = follow(&path, LogOptions::default());
    let record = out(1, "half and half");
    let (head, rest) = record.split_at(40);
    append(&path, head);
    std::thread::sleep(Duration::from_millis(300));
    assert!(follower.texts().is_empty());
    append(&path, rest);
    assert_eq!(follower.wait_for(1), ["o:half and half"]);
    assert_eq!(follower.stop(), ["o:half and half"]);
}

#[test]
fn truncation_in_place_starts_over() {
    let (_dir, path) = new_log(&[out(1, "old one"), out(2, "old two")].concat());
    let follower = follow(&path, LogOptions::default());
    follower.wait_for(2);
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(0).unwrap();
    drop(file);
    append(&path, &out(3, "new"));
    follower.wait_for(3);
    assert_eq!(follower.stop(), ["o:old one", "o:old two", "o:new"]);
}

#[test]
fn a_replaced_file_is_read_from_its_start_after_the_old_one_s_end() {
    // conmon's log_size_max: it fsyncs and closes the log, creates LOG.tmp, renames it over.
    let (dir, path) = new_log(&out(1, "old"));
    let follower = follow(&path, LogOptions::default());
    follower.wait_for(1);
    append(&path, &out_p(2, "straddling "));
    let tmp = dir.path().join("ctr.log.tmp");
    fs::write(&tmp, out(3, "line")).unwrap();
    fs::rename(&tmp, &path).unwrap();
    follower.wait_for(2);
    append(&path, &out(4, "after"));
    follower.wait_for(3);
    assert_eq!(follower.stop(), ["o:old", "o:straddling line", "o:after"]);
}

#[test]
fn what_is_written_right_before_the_stop_is_not_lost() {
    for round in 0..20 {
        let (_dir, path) = new_log("");
        let follower = follow(&path, LogOptions::default());
        std::thread::sleep(Duration::from_millis(round % 5));
        append(
            &path,
            &[out(1, "last words"), out_p(2, "no newline")].concat(),
        );
        follower.running.store(false, Ordering::SeqCst);
        assert_eq!(
            follower.finished(),
            ["o:last words", "o:no newline"],
            "round {round}"
        );
    }
}

#[test]
fn emit_returning_false_stops_a_running_follow() {
    let (_dir, path) = new_log(&out(1, "one"));
    let follower = follow_until(&path, &mut LogOptions::default(), 2);
    follower.wait_for(1);
    append(&path, &[out(2, "two"), out(3, "three")].concat());
    // Still running, yet read_log returns.
    assert_eq!(follower.finished(), ["o:one", "o:two"]);
}

#[test]
fn following_ends_when_until_passes() {
    let (_dir, path) = new_log(&out(1, "old"));
    let options = LogOptions {
        until: Some(Utc::now().fixed_offset() + chrono::Duration::milliseconds(300)),
        ..LogOptions::default()
    };
    let started = Instant::now();
    let follower = follow(&path, options);
    assert_eq!(follower.finished(), ["o:old"]);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[test]
fn a_log_that_appears_later_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    let follower = follow(&path, LogOptions::default());
    std::thread::sleep(Duration::from_millis(300));
    fs::write(&path, out(1, "hello")).unwrap();
    assert_eq!(follower.wait_for(1), ["o:hello"]);
    assert_eq!(follower.stop(), ["o:hello"]);
}

#[test]
fn tail_then_follow() {
    let content = [out(1, "a"), out(2, "b"), out_p(3, "c")].concat();
    let (_dir, path) = new_log(&content);
    let follower = follow(&path, tail(1));
    // The unfinished line is not a line yet while the container runs.
    assert_eq!(follower.wait_for(1), ["o:b"]);
    append(&path, &[out(4, "d"), out(5, "e")].concat());
    follower.wait_for(3);
    assert_eq!(follower.stop(), ["o:b", "o:cd", "o:e"]);
}

#[test]
fn tail_zero_follows_only_new_lines() {
    let (_dir, path) = new_log(&[out(1, "a"), out(2, "b")].concat());
    let follower = follow(&path, tail(0));
    std::thread::sleep(Duration::from_millis(100));
    append(&path, &out(3, "c"));
    follower.wait_for(1);
    assert_eq!(follower.stop(), ["o:c"]);
}

#[test]
fn following_a_stopped_container_reads_its_log() {
    let (_dir, path) = new_log(&[out(1, "a"), out(2, "b"), out_p(3, "c")].concat());
    let options = LogOptions {
        follow: true,
        tail: Some(1),
        ..LogOptions::default()
    };
    let mut lines = Vec::new();
    read_log(&path, &options, &|| false, &mut |line| {
        lines.push(line.message.clone());
        true
    })
    .unwrap();
    assert_eq!(lines, ["c"], "the unfinished line is final and counts");
}

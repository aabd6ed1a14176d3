//! The pool on its own: directory affinity, barriers, the earliest error, memory bounds.

use super::*;
use crate::layer::fsutil::open_dir;
use crate::layer::tar_reader::TarReader;
use crate::layer::test_support::{RawEntry, raw_tar};
use libpod_testutil::require_root;
use std::os::fd::AsRawFd;
use std::path::Path;

/// A file name that makes the worker panic.
pub(super) const PANIC_IN_WORKER: &[u8] = b"panic-in-worker";

/// A job creating `name` in `dir` (at `dir_path/name` relative to `root`) with `content`.
fn job<'a>(root: &'a Path, dir: &Arc<ParentDir>, name: &str, content: &[u8]) -> FileJob<'a> {
    let relative = format!("{}/{name}", dir_name(root, dir));
    let tar = raw_tar(&[RawEntry::file(relative.as_bytes(), content)]);
    let entry = TarReader::new(&tar[..]).next_entry().unwrap().unwrap();
    FileJob {
        dir: Arc::clone(dir),
        file_name: CString::new(name).unwrap(),
        entry,
        name: EntryName {
            shown: relative.clone(),
            root,
            relative: relative.into(),
        },
        content: content.to_vec(),
    }
}

/// The name under `root` of the directory `dir` is open on.
fn dir_name(root: &Path, dir: &ParentDir) -> String {
    let link = std::fs::read_link(format!("/proc/self/fd/{}", dir.fd.as_raw_fd())).unwrap();
    link.strip_prefix(root).unwrap().display().to_string()
}

fn parent(path: &Path) -> Arc<ParentDir> {
    std::fs::create_dir_all(path).unwrap();
    Arc::new(ParentDir::new(open_dir(path).unwrap()).unwrap())
}

fn held(workers: usize) -> Shared {
    Shared::new(PoolOptions {
        workers,
        hold: true,
    })
}

fn worker_of(pool: &Pool<'_, '_>, dir: &ParentDir, name: &str) -> usize {
    pool.flights[&dir.id].names[name.as_bytes()].worker
}

#[test]
fn files_of_one_directory_stay_on_one_worker_while_in_flight() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (parent(&tmp.path().join("a")), parent(&tmp.path().join("b")));
    let shared = held(2);
    std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &shared);
        pool.submit(1, job(tmp.path(), &a, "1", b"1")).unwrap();
        pool.submit(2, job(tmp.path(), &a, "2", b"2")).unwrap();
        pool.submit(3, job(tmp.path(), &b, "3", b"3")).unwrap();
        pool.submit(4, job(tmp.path(), &a, "4", b"4")).unwrap();
        let first = worker_of(&pool, &a, "1");
        assert_eq!(worker_of(&pool, &a, "2"), first);
        assert_eq!(worker_of(&pool, &a, "4"), first);
        // Another directory goes to the less loaded worker.
        assert_ne!(worker_of(&pool, &b, "3"), first);
        // Held workers have not run anything yet.
        assert!(pool.busy());
        assert!(!tmp.path().join("a/1").exists());
        pool.drain().unwrap();
        assert!(!pool.busy());
    });
    for file in ["a/1", "a/2", "b/3", "a/4"] {
        let content = std::fs::read(tmp.path().join(file)).unwrap();
        assert_eq!(content, &file.as_bytes()[2..]);
    }
}

#[test]
fn settling_a_name_waits_only_for_that_name() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (parent(&tmp.path().join("a")), parent(&tmp.path().join("b")));
    let shared = held(2);
    std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &shared);
        pool.submit(1, job(tmp.path(), &a, "f", b"f")).unwrap();
        pool.settle_file(a.id, b"g").unwrap();
        pool.settle_file(b.id, b"f").unwrap();
        pool.settle_dir(b.id).unwrap();
        assert!(pool.busy(), "nothing waited for a/f");
        pool.settle_file(a.id, b"f").unwrap();
        assert!(!pool.busy());
        assert!(tmp.path().join("a/f").exists());
        pool.submit(2, job(tmp.path(), &b, "g", b"g")).unwrap();
        pool.settle_dir(b.id).unwrap();
        assert!(!pool.busy());
        assert!(tmp.path().join("b/g").exists());
    });
}

#[test]
fn the_earliest_failure_is_returned_and_later_files_are_skipped() {
    require_root();
    for _ in 0..20 {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (parent(&tmp.path().join("a")), parent(&tmp.path().join("b")));
        // O_EXCL: a name that exists cannot be created.
        std::fs::write(tmp.path().join("a/taken"), "").unwrap();
        std::fs::write(tmp.path().join("b/taken"), "").unwrap();
        let shared = held(2);
        std::thread::scope(|scope| {
            let mut pool = Pool::new(scope, &shared);
            pool.submit(1, job(tmp.path(), &a, "taken", b"")).unwrap();
            pool.submit(2, job(tmp.path(), &a, "after", b"")).unwrap();
            pool.submit(3, job(tmp.path(), &b, "taken", b"")).unwrap();
            pool.submit(4, job(tmp.path(), &b, "later", b"")).unwrap();
            let err = pool.drain().unwrap_err().to_string();
            assert!(err.contains("a/taken"), "{err}");
            // The failure is reported once; the pool then refuses nothing more.
            pool.drain().unwrap();
        });
        assert!(!tmp.path().join("a/after").exists());
        assert!(!tmp.path().join("b/later").exists());
    }
}

#[test]
fn in_flight_memory_and_files_are_bounded() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let dirs: Vec<_> = (0..4)
        .map(|i| parent(&tmp.path().join(i.to_string())))
        .collect();
    let big = vec![7u8; 1 << 20];
    let shared = held(2);
    std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &shared);
        for seq in 0..48u64 {
            let dir = &dirs[usize::try_from(seq % 4).unwrap()];
            pool.submit(seq, job(tmp.path(), dir, &format!("big{seq}"), &big))
                .unwrap();
        }
        for seq in 48..400u64 {
            let dir = &dirs[usize::try_from(seq % 4).unwrap()];
            pool.submit(seq, job(tmp.path(), dir, &format!("small{seq}"), b"s"))
                .unwrap();
        }
        pool.drain().unwrap();
    });
    let (files, bytes) = shared.peaks();
    assert_eq!(bytes, MAX_IN_FLIGHT_BYTES, "held workers let it fill up");
    assert_eq!(files, MAX_IN_FLIGHT_FILES);
    assert_eq!(
        std::fs::read_dir(tmp.path().join("3")).unwrap().count(),
        100
    );
}

#[test]
fn an_abandoned_pool_lets_held_workers_go_and_skips_their_files() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let a = parent(&tmp.path().join("a"));
    let shared = held(2);
    std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &shared);
        pool.submit(1, job(tmp.path(), &a, "f", b"f")).unwrap();
        drop(pool);
    });
    assert!(!tmp.path().join("a/f").exists());
}

#[test]
fn a_panicking_worker_does_not_leave_the_reading_thread_waiting() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let a = parent(&tmp.path().join("a"));
    let shared = Shared::new(PoolOptions {
        workers: 2,
        hold: false,
    });
    let drained = std::sync::Mutex::new(None);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        std::thread::scope(|scope| {
            let mut pool = Pool::new(scope, &shared);
            pool.submit(1, job(tmp.path(), &a, "panic-in-worker", b""))
                .unwrap();
            let result = pool
                .drain()
                .map_err(|err| format!("{err}: {}", std::error::Error::source(&err).unwrap()));
            *drained.lock().unwrap() = Some(result);
        })
    }));
    assert!(outcome.is_err(), "the scope passes the worker's panic on");
    let drained = drained.into_inner().unwrap().unwrap();
    assert!(drained.unwrap_err().contains("panicked"));
}

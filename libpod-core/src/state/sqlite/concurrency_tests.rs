//! The SQLite store shared by threads and processes: no "database is locked", whatever the
//! interleaving.

use super::SqliteState;
use crate::error::CoreError;
use crate::record::{ContainerState, ContainerStatus};
use crate::state::schema::{self, SCHEMA_VERSION};
use crate::state::suite::{config, id};
use crate::state::{ContainerStore, MetaStore};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Adds, saves, reads and removes `rounds` containers whose IDs start with `tag` (hex).
fn hammer(state: &SqliteState, tag: &str, rounds: usize) {
    for i in 0..rounds {
        let c = config(&id(&format!("{tag}{i:04x}"), '0'), &format!("{tag}-{i}"));
        state.add_container(&c, &ContainerState::default()).unwrap();
        for pid in 0..3 {
            let s = ContainerState {
                status: ContainerStatus::Running,
                pid: Some(pid),
                ..ContainerState::default()
            };
            state.save_container_state(&c.id, &s).unwrap();
            assert_eq!(state.container_state(&c.id).unwrap(), s);
        }
        assert_eq!(state.lookup_container(&c.name).unwrap(), c.id);
        state
            .record_exit_code(&c.id, i32::try_from(i % 256).unwrap(), None)
            .unwrap();
        if i % 2 == 0 {
            state.remove_container(&c.id).unwrap();
        }
    }
}

/// Reads every container the store lists; one may vanish between the list and the read.
fn read_all(state: &SqliteState) -> usize {
    let mut seen = 0;
    for id in state.all_containers().unwrap() {
        match state.container_state(&id) {
            Ok(_) => seen += 1,
            Err(CoreError::ContainerNotFound(_)) => {}
            Err(e) => panic!("reading {id}: {e}"),
        }
    }
    seen
}

#[test]
fn two_stores_on_one_file_in_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|tag| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                // Wait before anything can fail, so that a failure cannot leave the other
                // thread waiting.
                barrier.wait();
                let state = SqliteState::open(&path).unwrap();
                hammer(&state, tag, 60);
                read_all(&state);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(
        state.all_containers().unwrap().len(),
        60,
        "half of each kept"
    );
    assert_eq!(state.exit_code(&id("a0000", '0')).unwrap(), Some(0));
}

#[test]
fn concurrent_opens_of_a_new_file_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let barrier = Arc::new(Barrier::new(4));
    let openers: Vec<_> = (0..4)
        .map(|i| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let state = SqliteState::open(&path).unwrap();
                let c = config(&id(&format!("{i}"), '0'), &format!("c{i}"));
                state.add_container(&c, &ContainerState::default()).unwrap();
            })
        })
        .collect();
    for o in openers {
        o.join().unwrap();
    }
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(state.all_containers().unwrap().len(), 4);
    assert_eq!(
        schema::version(&state.connection()).unwrap(),
        SCHEMA_VERSION
    );
}

/// Set in the environment of the child process of `processes_share_the_database`.
const CHILD_ENV: &str = "LIBPOD_CORE_STATE_HAMMER_DB";

/// The child's half of `processes_share_the_database`: does nothing unless run by it.
#[test]
fn child_process_hammer() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let state = SqliteState::open(Path::new(&path)).unwrap();
    hammer(&state, "c", 80);
    state.set_metadata("child", "done").unwrap();
}

/// Kills the child if the parent's half of the test fails.
struct KillOnDrop(Option<std::process::Child>);

impl KillOnDrop {
    fn running(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn processes_share_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("db.sql");
    let parent = SqliteState::open(&path).unwrap();
    let test = module_path!()
        .split_once("::")
        .map(|(_, rest)| format!("{rest}::child_process_hammer"))
        .unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = KillOnDrop(Some(child));
    // Write and read while the child does.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut round = 0;
    let mut max_seen = 0;
    while guard.running() {
        assert!(Instant::now() < deadline, "child still running");
        hammer(&parent, &format!("d{round:04x}"), 5);
        max_seen = max_seen.max(read_all(&parent));
        round += 1;
    }
    let out = guard.0.take().unwrap().wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
    assert!(round > 0 && max_seen > 0);
    // The child's writes are visible here.
    assert_eq!(parent.metadata("child").unwrap().as_deref(), Some("done"));
    assert_eq!(
        parent.lookup_container("c-79").unwrap(),
        id(&format!("c{:04x}", 79), '0')
    );
    assert_eq!(parent.exit_code(&id("c0000", '0')).unwrap(), Some(0));
}

use super::*;
use std::sync::mpsc;
use std::time::Duration;

fn manager() -> (LockManager, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let locks = LockManager::new(&dir.path().join("locks")).unwrap();
    (locks, dir)
}

#[test]
fn pod_then_container_then_exec_session_is_the_order() {
    let (locks, dir) = manager();
    let pod = locks.pod("p0d").unwrap();
    let ctr = pod.container("c1").unwrap();
    let other = pod.container("c2").unwrap();
    let exec = ctr.exec_session("e1").unwrap();
    // One file per object, pods and exec sessions apart from the containers' IDs.
    for file in ["pod-p0d", "c1", "c2", "exec-e1"] {
        assert!(dir.path().join("locks").join(file).exists(), "{file}");
    }
    drop(exec);
    drop(other);
    drop(ctr);
    drop(pod);
    // All released: the order starts over.
    let ctr = locks.container("c1").unwrap();
    drop(ctr);
    drop(locks.pod("p0d").unwrap());
}

#[test]
#[should_panic(expected = "lock order violated")]
fn a_pod_lock_under_a_container_lock_panics() {
    let (locks, _dir) = manager();
    let _ctr = locks.container("c1").unwrap();
    let _ = locks.pod("p0d");
}

#[test]
#[should_panic(expected = "lock order violated")]
fn a_container_lock_under_an_exec_session_lock_panics() {
    let (locks, _dir) = manager();
    let ctr = locks.container("c1").unwrap();
    let _exec = ctr.exec_session("e1").unwrap();
    let _ = locks.container("c2");
}

#[test]
fn containers_may_nest_as_an_init_locks_its_dependencies() {
    let (locks, _dir) = manager();
    let own = locks.container("dependent").unwrap();
    let dependency = locks.container("dependency").unwrap();
    drop(dependency);
    drop(own);
}

#[test]
fn a_released_wait_counts_as_holding_nothing() {
    let (locks, _dir) = manager();
    let mut ctr = locks.container("c1").unwrap();
    // While released, even a pod may be locked (and released again) by this thread.
    ctr.unlocked(|| drop(locks.pod("p0d").unwrap())).unwrap();
    // Taken again: the order holds again.
    let pod_after = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = locks.pod("p0d");
    }));
    assert!(pod_after.is_err(), "the container's lock counts again");
}

#[test]
fn a_lock_excludes_other_threads_until_released() {
    let (locks, _dir) = manager();
    let locks = Arc::new(locks);
    let mut guard = locks.container("c1").unwrap();
    let (tx, rx) = mpsc::channel();
    let other = {
        let locks = locks.clone();
        std::thread::spawn(move || {
            let _g = locks.container("c1").unwrap();
            tx.send(()).unwrap();
        })
    };
    assert!(
        rx.recv_timeout(Duration::from_millis(100)).is_err(),
        "taken twice"
    );
    // Released for a wait: the other thread gets it meanwhile.
    guard
        .unlocked(|| rx.recv_timeout(Duration::from_secs(10)).unwrap())
        .unwrap();
    other.join().unwrap();
    drop(guard);
}

#[test]
fn the_holder_removes_the_lock_file() {
    let (locks, dir) = manager();
    let guard = locks.container("gone").unwrap();
    assert_eq!(guard.id(), "gone");
    guard.remove_file();
    assert!(!dir.path().join("locks/gone").exists());
}

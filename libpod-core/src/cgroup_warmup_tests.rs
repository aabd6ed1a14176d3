use super::{Warmer, Warmup, resolve, this_process};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const HYBRID_MOUNTS: &str = "\
24 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
30 24 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

const HYBRID_CGROUP: &str = "\
3:name=systemd:/
2:memory:/agent/d876
1:cpu:/
0::/agent/d876
";

#[test]
fn a_v2_cgroup_is_preferred_and_its_threads_file_named() {
    assert_eq!(
        resolve(HYBRID_CGROUP, HYBRID_MOUNTS),
        Some(PathBuf::from(
            "/sys/fs/cgroup/unified/agent/d876/cgroup.threads"
        ))
    );
}

#[test]
fn without_v2_the_tasks_file_of_the_first_v1_hierarchy_found_is_named() {
    let cgroup = "3:name=systemd:/user.slice\n2:memory:/agent/d876\n";
    assert_eq!(
        resolve(cgroup, HYBRID_MOUNTS),
        Some(PathBuf::from("/sys/fs/cgroup/systemd/user.slice/tasks"))
    );
    // Co-mounted controllers need a hierarchy holding both.
    let mounts = "40 30 0:40 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
    assert_eq!(
        resolve("4:cpu,cpuacct:/a\n", mounts),
        Some(PathBuf::from("/sys/fs/cgroup/cpu,cpuacct/a/tasks"))
    );
    assert_eq!(resolve("4:cpu,blkio:/a\n", mounts), None);
}

#[test]
fn a_mount_showing_a_cgroup_below_the_root_is_followed() {
    // Inside a container: its own cgroup is the mount's root.
    let mounts = "50 40 0:50 /pod/ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    assert_eq!(
        resolve("0::/pod/ctr/sub\n", mounts),
        Some(PathBuf::from("/sys/fs/cgroup/sub/cgroup.threads"))
    );
    assert_eq!(
        resolve("0::/pod/ctr\n", mounts),
        Some(PathBuf::from("/sys/fs/cgroup/cgroup.threads"))
    );
    // A cgroup the mount does not show (a sibling whose name merely starts alike, one
    // outside it, one with `..`): nothing, rather than a file of another cgroup.
    assert_eq!(resolve("0::/pod/ctr2\n", mounts), None);
    assert_eq!(resolve("0::/other\n", mounts), None);
    assert_eq!(resolve("0::/pod/ctr/../../x\n", mounts), None);
    // Of two v2 mounts, the one that shows the cgroup.
    let both = "50 40 0:50 /pod/ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n\
                51 40 0:50 / /host/cgroup rw - cgroup2 cgroup2 rw\n";
    assert_eq!(
        resolve("0::/elsewhere\n", both),
        Some(PathBuf::from("/host/cgroup/elsewhere/cgroup.threads"))
    );
}

#[test]
fn no_cgroup_filesystem_names_nothing() {
    let mounts = "24 1 0:22 / /sys rw - sysfs sysfs rw\n";
    assert_eq!(resolve(HYBRID_CGROUP, mounts), None);
    assert_eq!(resolve("", HYBRID_MOUNTS), None);
    assert_eq!(resolve("garbage\n::\n", "garbage - \n"), None);
}

/// This host's target: a write of a thread's ID into it succeeds and moves nothing.
#[test]
fn the_write_on_this_host_succeeds_and_moves_nothing() {
    let target = this_process().expect("a cgroup filesystem is mounted here");
    // This thread's own view: the thread is what a write of its ID could move.
    let before = std::fs::read_to_string("/proc/thread-self/cgroup").unwrap();
    let tid = nix::unistd::gettid().to_string();
    let mut file = std::fs::File::options().write(true).open(&target).unwrap();
    file.write_all(tid.as_bytes())
        .unwrap_or_else(|e| panic!("write {tid} to {}: {e}", target.display()));
    assert_eq!(
        std::fs::read_to_string("/proc/thread-self/cgroup").unwrap(),
        before
    );
}

/// A warmer of its own for a test, its target found by `find`.
fn warmer(find: fn() -> Option<PathBuf>) -> &'static Warmer {
    Box::leak(Box::new(Warmer::new(find)))
}

fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn one_thread_writes_its_id_while_an_operation_holds_it_and_ends_with_the_last() {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let dir = tempfile::tempdir().unwrap();
    PATH.set(dir.path().join("threads")).unwrap();
    std::fs::write(PATH.get().unwrap(), "").unwrap();
    let warmer = warmer(|| PATH.get().cloned());

    let first = warmer.begin();
    until("a second write", || warmer.shared().touches >= 2);
    let second = warmer.begin();
    drop(first);
    // Still held by `second`: the same thread goes on writing.
    let touches = warmer.shared().touches;
    until("a write after the first was dropped", || {
        warmer.shared().touches > touches
    });
    assert!(warmer.shared().running);
    drop(second);
    until("the thread's end", || !warmer.shared().running);
    let touches = warmer.shared().touches;
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        warmer.shared().touches,
        touches,
        "no write once nothing holds it"
    );

    // Every write was the warm-up thread's own ID (not ours: nothing of ours moves).
    let written = std::fs::read_to_string(PATH.get().unwrap()).unwrap();
    let ours = nix::unistd::gettid().to_string();
    let touches = usize::try_from(touches).unwrap();
    let first_id = &written[..written.len() / touches];
    assert_ne!(first_id, ours);
    assert_eq!(written, first_id.repeat(touches));

    // Held again, it starts again.
    let again = warmer.begin();
    until("a write after a restart", || {
        warmer.shared().touches > touches as u64
    });
    drop(again);
    until("the thread's end", || !warmer.shared().running);
}

#[test]
fn a_target_that_cannot_be_opened_turns_the_warm_up_off() {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.set(Path::new("/nonexistent-libpod-rs/cgroup.threads").to_path_buf())
        .unwrap();
    let warmer = warmer(|| PATH.get().cloned());
    let held = warmer.begin();
    until("the thread's end", || !warmer.shared().running);
    assert!(warmer.shared().unwritable);
    drop(held);
    let later = warmer.begin();
    assert!(later.warmer.is_none(), "no thread once the target failed");
    assert!(!warmer.shared().running);
    assert_eq!(warmer.shared().users, 0);
}

#[test]
fn writes_that_keep_failing_turn_the_warm_up_off() {
    // /dev/full opens, and every write to it fails.
    let warmer = warmer(|| Some(PathBuf::from("/dev/full")));
    let held = warmer.begin();
    until("the thread's end", || !warmer.shared().running);
    assert!(warmer.shared().unwritable);
    assert_eq!(warmer.shared().touches, 0);
    drop(held);
    assert!(warmer.begin().warmer.is_none());
}

#[test]
fn no_target_means_no_thread() {
    let warmer = warmer(|| None);
    let held: Warmup = warmer.begin();
    assert!(held.warmer.is_none());
    assert!(!warmer.shared().running);
}

//! Removing a test's cgroup parent from every hierarchy, with whatever a failed test left
//! running in it.

use std::path::{Path, PathBuf};

/// Removes the cgroup `parent` (`/libpod-rs-...`) from every hierarchy under
/// `/sys/fs/cgroup`, with the cgroups beneath it: their processes are thawed (v1 freezer,
/// v2 `cgroup.freeze`) and SIGKILLed until none is left (two seconds at most), then the
/// cgroups are removed, deepest first.
///
/// ```no_run
/// libpod_testutil::remove_cgroup_parent("/libpod-rs-test-1234");
/// ```
pub fn remove_cgroup_parent(parent: &str) {
    let mut all = Vec::new();
    for hierarchy in std::fs::read_dir("/sys/fs/cgroup")
        .into_iter()
        .flatten()
        .flatten()
    {
        let dir = hierarchy.path().join(parent.trim_start_matches('/'));
        if dir.is_dir() {
            collect(&dir, &mut all);
        }
    }
    for dir in &all {
        let _ = std::fs::write(dir.join("freezer.state"), "THAWED");
        let _ = std::fs::write(dir.join("cgroup.freeze"), "0");
    }
    for _ in 0..100 {
        let pids: Vec<i32> = all
            .iter()
            .filter_map(|dir| std::fs::read_to_string(dir.join("cgroup.procs")).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect::<Vec<i32>>()
            })
            .collect();
        if pids.is_empty() {
            break;
        }
        for pid in pids {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Deepest first: children were collected after their parents.
    for dir in all.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// `dir` and every cgroup beneath it, parents before their children.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    for child in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if child.file_type().is_ok_and(|t| t.is_dir()) {
            collect(&child.path(), out);
        }
    }
}

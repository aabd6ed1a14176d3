//! Ending the processes a test left running beneath its temporary root: the monitors
//! (conmon, health timers: their command lines name paths beneath it; libcontainer's: their
//! working directories are beneath it) and the containers' processes (their root directories
//! are beneath it).

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long to wait for the killed processes to be gone.
const GONE_WAIT: Duration = Duration::from_secs(3);

/// SIGKILLs every process whose command line names a path beneath `dir` or whose root or
/// working directory is beneath it (never this process), then waits until they are gone or zombies.
/// Returns how many it killed.
pub(crate) fn kill_processes_beneath(dir: &Path) -> usize {
    let me = std::process::id();
    // The directory itself, or a path beneath it (a sibling with a longer name is not ours).
    let mut needle = dir.as_os_str().as_encoded_bytes().to_vec();
    needle.push(b'/');
    let pids: Vec<i32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| u32::try_from(*pid).ok() != Some(me))
        .filter(|pid| names_or_lives_beneath(*pid, dir, &needle))
        .collect();
    for pid in &pids {
        let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
    }
    let deadline = Instant::now() + GONE_WAIT;
    while pids.iter().any(|pid| running(*pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    pids.len()
}

fn names_or_lives_beneath(pid: i32, dir: &Path, needle: &[u8]) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let names = cmdline.split(|b| *b == 0).any(|arg| {
        arg == &needle[..needle.len() - 1] || arg.windows(needle.len()).any(|w| w == needle)
    });
    let beneath = |link: &str| {
        std::fs::read_link(format!("/proc/{pid}/{link}")).is_ok_and(|path| path.starts_with(dir))
    };
    // A libcontainer monitor names no path: it works in its bundle.
    names || beneath("root") || beneath("cwd")
}

/// The PID of a process that has exited and been reaped: it names no process (until the
/// kernel hands it out again, which takes a full turn of the PID space).
///
/// ```
/// let pid = libpod_testutil::dead_pid();
/// assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
/// ```
pub fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait for true");
    pid
}

/// Whether `pid` exists and is not a zombie.
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name's closing parenthesis.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    /// A child killed and reaped when dropped, so that a failed assertion leaks nothing.
    struct Reaped(Child);

    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn tail_follow(path: &Path) -> Reaped {
        let child = Command::new("tail")
            .arg("-f")
            .arg(path)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Reaped(child)
    }

    #[test]
    fn a_process_naming_a_path_beneath_the_root_is_killed_and_others_are_not() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().canonicalize().unwrap().join("root");
        // A sibling whose name starts with the root's is not beneath it.
        let sibling = outer.path().canonicalize().unwrap().join("root2");
        for dir in [&root, &sibling] {
            std::fs::create_dir(dir).unwrap();
            std::fs::write(dir.join("log"), "").unwrap();
        }
        let mut ours = tail_follow(&root.join("log"));
        let mut other = tail_follow(&sibling.join("log"));
        // Started: its command line is readable.
        while std::fs::read(format!("/proc/{}/cmdline", ours.0.id())).is_ok_and(|c| c.is_empty()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(kill_processes_beneath(&root), 1);
        let status = ours.0.wait().unwrap();
        assert!(status.code().is_none(), "killed by a signal: {status:?}");
        assert!(
            other.0.try_wait().unwrap().is_none(),
            "the other still runs"
        );
    }

    #[test]
    fn a_process_working_beneath_the_root_is_killed() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().canonicalize().unwrap().join("root");
        std::fs::create_dir(&root).unwrap();
        let child = Command::new("sleep")
            .arg("30")
            .current_dir(&root)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut ours = Reaped(child);
        // Its command line names no path: its working directory places it.
        while std::fs::read_link(format!("/proc/{}/exe", ours.0.id()))
            .is_ok_and(|exe| !exe.ends_with("sleep"))
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(kill_processes_beneath(&root), 1);
        let status = ours.0.wait().unwrap();
        assert!(status.code().is_none(), "killed by a signal: {status:?}");
    }
}

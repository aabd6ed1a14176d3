//! What the host says about our roots: mounts, runc's (or libcontainer's) containers, conmon
//! (or libcontainer's monitors) and other processes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The mount points at or beneath `dir`.
pub fn mounts_beneath(dir: &Path) -> Vec<PathBuf> {
    libpod_testutil::mount_points_beneath(dir).unwrap_or_default()
}

/// One container as `runc list` reports it.
#[derive(Debug, Clone)]
pub struct RuncContainer {
    pub status: String,
    pub pid: i32,
}

/// The containers the OCI runtime `runtime` (runc, crun) knows under `root` (`runc --root
/// ROOT list`), by ID, and the state directories it does not list (a directory without a
/// readable state).
pub fn runc_list(
    runtime: &str,
    root: &Path,
) -> Result<(BTreeMap<String, RuncContainer>, Vec<String>), String> {
    let mut listed = BTreeMap::new();
    let dirs: Vec<String> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((listed, Vec::new())),
        Err(e) => return Err(format!("reading {}: {e}", root.display())),
    };
    let output = Command::new(runtime)
        .arg("--root")
        .arg(root)
        .args(["list", "--format", "json"])
        .output()
        .map_err(|e| format!("running {runtime} list: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{runtime} --root {} list failed ({}): {}",
            root.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{runtime} list output: {e}"))?;
    for entry in json.as_array().into_iter().flatten() {
        let id = entry["id"].as_str().unwrap_or_default().to_string();
        listed.insert(
            id,
            RuncContainer {
                status: entry["status"].as_str().unwrap_or_default().to_string(),
                pid: entry["pid"]
                    .as_i64()
                    .and_then(|pid| i32::try_from(pid).ok())
                    .unwrap_or(0),
            },
        );
    }
    let unlisted = dirs
        .into_iter()
        .filter(|d| !listed.contains_key(d))
        .collect();
    Ok((listed, unlisted))
}

/// The containers libcontainer knows under `RUN_ROOT/runtime/libcontainer` (`root`), by ID, as
/// libpod-libcontainer reads its state directory (libcontainer has no `list` program; its
/// `state` is what `runc list` is to runc), and the directories it cannot read.
pub fn libcontainer_list(
    run_root: &Path,
    root: &Path,
) -> Result<(BTreeMap<String, RuncContainer>, Vec<String>), String> {
    use libpod_core::oci::OciRuntime;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let config = libpod_libcontainer::LibcontainerConfig::new(
        run_root,
        libpod_libcontainer::MonitorCommand::new(exe),
    );
    let runtime = libpod_libcontainer::LibcontainerRuntime::new(config)
        .map_err(|e| format!("libcontainer runtime on {}: {e}", run_root.display()))?;
    let mut listed = BTreeMap::new();
    let mut unlisted = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((listed, unlisted)),
        Err(e) => return Err(format!("reading {}: {e}", root.display())),
    };
    for id in entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
    {
        match runtime.state(&id) {
            Ok(Some(state)) => {
                let pid = state.pid.unwrap_or(0);
                let status = state.status;
                listed.insert(id, RuncContainer { status, pid });
            }
            // Deleted meanwhile, or a directory without a readable state.
            Ok(None) if !root.join(&id).exists() => {}
            Ok(None) | Err(_) => unlisted.push(id),
        }
    }
    Ok((listed, unlisted))
}

/// The libcontainer monitors (container and exec session ones) of our roots: this binary in
/// its monitor mode (`common::oci::MONITOR_ARG`), with a file open or its working directory
/// beneath `dir` (a container's log, an exec session's directory). Their command lines do
/// not name `dir`, as conmon's do. libcontainer's clones of a monitor (the init of a created
/// container, until it runs the container's process, with the monitor's files still open)
/// carry its command line too, with the monitor as their parent: they are left out.
pub fn libcontainer_monitors(dir: &Path) -> Vec<OurProcess> {
    let all = monitor_command_lines(dir);
    let pids: std::collections::BTreeSet<i32> = all.iter().map(|p| p.pid).collect();
    all.into_iter()
        .filter(|p| !parent_pid(p.pid).is_some_and(|parent| pids.contains(&parent)))
        .collect()
}

/// Process `pid`'s parent, from `/proc/PID/status`.
fn parent_pid(pid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))?
        .trim()
        .parse()
        .ok()
}

/// [`libcontainer_monitors`] and their clones.
fn monitor_command_lines(dir: &Path) -> Vec<OurProcess> {
    let exe = std::env::current_exe().unwrap_or_default();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let beneath = |link: std::io::Result<PathBuf>| link.is_ok_and(|path| path.starts_with(dir));
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| alive(pid))
        .filter_map(|pid| {
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = raw
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let ours = args.first().is_some_and(|a| Path::new(a) == exe)
                && args.get(1).map(String::as_str) == Some(crate::common::oci::MONITOR_ARG);
            if !ours {
                return None;
            }
            let proc_dir = PathBuf::from(format!("/proc/{pid}"));
            let fds = std::fs::read_dir(proc_dir.join("fd")).ok()?;
            let named = beneath(std::fs::read_link(proc_dir.join("cwd")))
                || fds
                    .flatten()
                    .any(|fd| beneath(std::fs::read_link(fd.path())));
            named.then(|| OurProcess {
                pid,
                comm: "libcontainer-monitor".into(),
                args,
            })
        })
        .collect()
}

/// Whether a live (not zombie) process with this PID exists.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// A process whose command line names a path beneath our directory.
#[derive(Debug, Clone)]
pub struct OurProcess {
    pub pid: i32,
    pub comm: String,
    pub args: Vec<String>,
}

impl OurProcess {
    /// The value after `flag` in the command line.
    pub fn arg_after(&self, flag: &str) -> Option<&str> {
        let at = self.args.iter().position(|a| a == flag)?;
        self.args.get(at + 1).map(String::as_str)
    }
}

/// Live processes whose command line mentions `dir` (conmon, runc, our children): only
/// processes this test started can, since `dir` is a fresh temporary directory.
pub fn processes_naming(dir: &Path) -> Vec<OurProcess> {
    let needle = dir.to_string_lossy().into_owned();
    let me = std::process::id().cast_signed();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me && alive(pid))
        .filter_map(|pid| {
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = raw
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if !args.iter().any(|a| a.contains(&needle)) {
                return None;
            }
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                .to_string();
            Some(OurProcess { pid, comm, args })
        })
        .collect()
}

/// Polls `done` every 20 ms for up to `secs` seconds; whether it became true.
pub fn wait_until(secs: f64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    loop {
        if done() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// SIGKILLs the process `pid` (one we started).
pub fn kill(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

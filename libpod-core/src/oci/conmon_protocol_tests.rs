//! `create`'s handling of what conmon reports, with shell scripts standing in for conmon and
//! runc: success, runtime errors (from the oci-log or the sync message), silence, garbage, a
//! monitor that never answers, conmon failing at once, and the cleanup after each; conmon
//! waiting while the bundle is written, and what an abandoned create leaves (nothing).

use super::*;
use crate::oci::Created;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::os::unix::fs::PermissionsExt;

/// The stand-in conmon: finds its pidfile and oci-log in its arguments, waits for the start
/// byte, then does what the file `mode` next to it says.
const CONMON: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo $$ > "$dir/conmon-first-pid"
printf '%s\n' "$@" > "$dir/conmon-args"
pidfile=; ocilog=
while [ $# -gt 0 ]; do
  case "$1" in
    --conmon-pidfile) pidfile=$2; shift ;;
    --runtime-arg=*) ocilog=${1#--runtime-arg=} ;;
  esac
  shift
done
mode=$(cat "$dir/mode")
if [ "$mode" = early ]; then echo "conmon: option parsing failed" >&2; exit 1; fi
head -c 1 <&4 >/dev/null
case "$mode" in
  ok) ( printf '{"data": 4242}\n' >&3; exec sleep 30 ) & ;;
  fail)
    printf '{"level":"warning","msg":"w"}\n{"level":"error","msg":"runc create failed: from oci-log"}\n' > "$ocilog"
    ( printf '{"data": -1, "message": "from sync"}\n' >&3 ) & ;;
  fail-sync) ( printf '{"data": -1, "message": "from sync\\n"}\n' >&3 ) & ;;
  exists) ( printf '{"data": -1, "message": "runc create failed: container with given ID already exists"}\n' >&3 ) & ;;
  garbage) ( printf 'hello\n' >&3 ) & ;;
  silent) ( exec true ) & ;;
  hang) ( exec sleep 30 ) & ;;
esac
echo $! > "$pidfile"
exit 0
"#;

/// The stand-in runtime: appends its arguments to `runc-calls`; fails with the content of
/// `runc-fail` when that file exists.
const RUNC: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/runc-calls"
if [ -e "$dir/runc-fail" ]; then cat "$dir/runc-fail" >&2; exit 1; fi
exit 0
"#;

struct Stand {
    dir: tempfile::TempDir,
    rt: ConmonRuntime,
}

impl Stand {
    fn new(mode: &str) -> Stand {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("conmon", CONMON), ("runc", RUNC)] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(dir.path().join("mode"), mode).unwrap();
        let mut config = ConmonRuntimeConfig::runc(dir.path().join("run"));
        config.conmon_path = dir.path().join("conmon");
        config.runtime_path = dir.path().join("runc");
        let rt = ConmonRuntime::new(config)
            .unwrap()
            .with_create_timeout(Duration::from_millis(300));
        Stand { dir, rt }
    }

    fn create(&self) -> Result<Created> {
        let bundle = self.dir.path().join("bundle");
        let run_dir = self.dir.path().join("ctr-run");
        self.rt
            .create(&CreateArgs::new("c1", "n1", &bundle, &run_dir))
    }

    fn runc_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("runc-calls"))
            .unwrap_or_default()
            .lines()
            .map(|line| {
                line.split(" --log-format json ")
                    .nth(1)
                    .unwrap_or(line)
                    .to_string()
            })
            .collect()
    }

    /// The PID the stand-in wrote as conmon's.
    fn conmon_pid(&self) -> Pid {
        let text = std::fs::read_to_string(self.dir.path().join("ctr-run/conmon.pid")).unwrap();
        Pid::from_raw(text.trim().parse().unwrap())
    }
}

fn alive(pid: Pid) -> bool {
    // The stand-in's daemon is reparented to init, which reaps it: ESRCH once it is gone.
    kill(pid, None).is_ok()
}

#[test]
fn success_reports_both_pids_and_deletes_nothing() {
    let stand = Stand::new("ok");
    let created = stand.create().unwrap();
    assert_eq!(created.pid, 4242);
    assert_eq!(Pid::from_raw(created.conmon_pid), stand.conmon_pid());
    assert!(stand.runc_calls().is_empty(), "{:?}", stand.runc_calls());
    // conmon got our protocol: the persist dir exists, it ran in it.
    assert!(stand.rt.exit_files().persist_dir("c1").unwrap().is_dir());
    let _ = kill(stand.conmon_pid(), Signal::SIGKILL);
}

#[test]
fn the_oci_log_error_wins_and_the_container_is_deleted() {
    let stand = Stand::new("fail");
    match stand.create().unwrap_err() {
        CoreError::OciRuntime { op, message, .. } => {
            assert_eq!((op, message.as_str()), ("create", "from oci-log"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stand.runc_calls(), ["delete --force c1"]);
}

#[test]
fn without_an_oci_log_the_sync_message_is_the_error() {
    let stand = Stand::new("fail-sync");
    match stand.create().unwrap_err() {
        CoreError::OciRuntime { message, .. } => assert_eq!(message, "from sync"),
        other => panic!("{other:?}"),
    }
    assert_eq!(stand.runc_calls(), ["delete --force c1"]);
}

#[test]
fn an_id_in_use_is_not_deleted() {
    let stand = Stand::new("exists");
    let err = stand.create().unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(stand.runc_calls().is_empty(), "{:?}", stand.runc_calls());
    // Nor is a container whose state directory exists launched over.
    std::fs::create_dir_all(stand.rt.config().runtime_root.join("c1")).unwrap();
    std::fs::write(stand.dir.path().join("mode"), "ok").unwrap();
    let args = stand.dir.path().join("conmon-args");
    std::fs::remove_file(&args).unwrap();
    let err = stand.create().unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(!args.exists(), "conmon was launched");
}

#[test]
fn silence_is_a_conmon_error() {
    let stand = Stand::new("silent");
    let err = stand.create().unwrap_err();
    assert!(matches!(err, CoreError::Conmon { .. }), "{err:?}");
    assert!(err.to_string().contains("without reporting"), "{err}");
    assert_eq!(stand.runc_calls(), ["delete --force c1"]);
}

#[test]
fn garbage_is_a_conmon_error_quoting_it() {
    let stand = Stand::new("garbage");
    let err = stand.create().unwrap_err();
    assert!(err.to_string().contains("\"hello\""), "{err}");
    assert_eq!(stand.runc_calls(), ["delete --force c1"]);
}

#[test]
fn a_monitor_that_never_answers_is_killed_after_the_timeout() {
    let stand = Stand::new("hang");
    let start = std::time::Instant::now();
    let err = stand.create().unwrap_err();
    assert!(matches!(err, CoreError::Timeout { .. }), "{err:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    let pid = stand.conmon_pid();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!alive(pid), "the silent monitor was left running");
    assert_eq!(stand.runc_calls(), ["delete --force c1"]);
}

#[test]
fn conmon_failing_at_once_is_reported_with_its_output() {
    let stand = Stand::new("early");
    let err = stand.create().unwrap_err();
    assert!(matches!(err, CoreError::Conmon { .. }), "{err:?}");
    assert!(err.to_string().contains("option parsing failed"), "{err}");
    assert!(err.to_string().contains("exit status: 1"), "{err}");
}

#[test]
fn a_failed_cleanup_is_reported_with_the_failure() {
    let stand = Stand::new("fail");
    std::fs::write(stand.dir.path().join("runc-fail"), "cgroup busy").unwrap();
    match stand.create().unwrap_err() {
        CoreError::WithCleanupFailure { primary, cleanup } => {
            assert!(primary.to_string().contains("from oci-log"), "{primary}");
            assert!(cleanup.contains("cgroup busy"), "{cleanup}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stale_files_of_the_last_run_are_cleared_before_create() {
    let stand = Stand::new("ok");
    let files = stand.rt.exit_files();
    std::fs::write(files.exit_file("c1").unwrap(), "1").unwrap();
    let run_dir = stand.dir.path().join("ctr-run");
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::write(run_dir.join("oci-log"), r#"{"level":"error","msg":"old"}"#).unwrap();
    stand.create().unwrap();
    assert_eq!(stand.rt.exit_info("c1").unwrap(), None);
    assert!(!run_dir.join("oci-log").exists());
    let _ = kill(stand.conmon_pid(), Signal::SIGKILL);
}

#[test]
fn the_bundle_is_written_while_conmon_waits_for_the_start_byte() {
    let stand = Stand::new("ok");
    let args_file = stand.dir.path().join("conmon-args");
    let pidfile = stand.dir.path().join("ctr-run/conmon.pid");
    let (bundle, run_dir) = (
        stand.dir.path().join("bundle"),
        stand.dir.path().join("ctr-run"),
    );
    let pending = stand
        .rt
        .launch(&CreateArgs::new("c1", "n1", &bundle, &run_dir))
        .unwrap();
    // conmon is up (it wrote its arguments) and has not gone on (no pidfile yet).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !args_file.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        args_file.exists() && !pidfile.exists(),
        "conmon was not waiting while the bundle was written"
    );
    let created = pending.create().unwrap();
    assert_eq!(created.pid, 4242);
    let _ = kill(stand.conmon_pid(), Signal::SIGKILL);
}

/// What `/proc/self/fd/FD` names (`socket:[INODE]`, `pipe:[INODE]`): unique while open.
fn fd_target(fd: std::os::fd::RawFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .unwrap()
        .display()
        .to_string()
}

/// Every fd of this process whose target is one of `targets`.
fn open_fds_naming(targets: &[String]) -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .map(|target| target.display().to_string())
        .filter(|target| targets.contains(target))
        .collect()
}

#[test]
fn a_dropped_pending_create_kills_the_waiting_conmon_and_closes_its_pipes() {
    let stand = Stand::new("ok");
    let (bundle, run_dir) = (
        stand.dir.path().join("bundle"),
        stand.dir.path().join("ctr-run"),
    );
    let first_pid = stand.dir.path().join("conmon-first-pid");
    let pending = stand
        .rt
        .launch_conmon(&CreateArgs::new("c1", "n1", &bundle, &run_dir))
        .unwrap();
    // Until the stand-in has written its whole PID (a line).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let written = || std::fs::read_to_string(&first_pid).is_ok_and(|text| text.ends_with('\n'));
    while !written() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let pid: i32 = std::fs::read_to_string(&first_pid)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let targets: Vec<String> = pending.fds().into_iter().map(fd_target).collect();
    assert_eq!(open_fds_naming(&targets).len(), 3, "{targets:?}");
    drop(pending);
    // Killed and reaped (a zombie would still take signals): the PID is free.
    assert!(!alive(Pid::from_raw(pid)), "conmon is still there");
    assert_eq!(
        open_fds_naming(&targets),
        Vec::<String>::new(),
        "fds left open"
    );
    assert!(!run_dir.join("conmon.pid").exists(), "conmon went on");
    assert!(stand.runc_calls().is_empty(), "{:?}", stand.runc_calls());
}

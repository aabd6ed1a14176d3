//! The container lifecycle with the real conmon and runc: output, exit codes, stop (by the stop
//! signal and by SIGKILL after the timeout), kill, pause/unpause, force removal, a failed
//! init, restart policies, a second process's view, and concurrency.

mod common;

use common::{CgroupParent, IMAGE, is_mount_point, process_exists, process_gone, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{
    ContainerStatus, RemoveOptions, with_auto_remove, with_name, with_restart_policy,
    with_stop_timeout, with_user, with_volatile,
};
use libpod_core::logs::{LogOptions, Stream};
use libpod_spec::RestartPolicy;
use libpod_testutil::{TempRoot, require_root, serial};
use std::time::{Duration, Instant};

fn logs(ctr: &libpod_core::container::Container) -> Vec<(Stream, String)> {
    let mut out = Vec::new();
    ctr.logs(&LogOptions::default(), &mut |l| {
        out.push((l.stream, l.message.clone()));
        true
    })
    .unwrap();
    out
}

#[test]
fn output_reaches_the_log_and_exit_codes_come_back() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "echo out-line; echo err-line >&2; exit 3",
        vec![with_name("exit3")],
    );
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Configured);
    ctr.start().unwrap();
    assert_eq!(ctr.wait().unwrap(), 3);
    let state = ctr.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(3))
    );
    assert!(state.finished_at.is_some() && state.started_at.is_some());
    let lines = logs(&ctr);
    assert!(
        lines.contains(&(Stream::Stdout, "out-line".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&(Stream::Stderr, "err-line".into())),
        "{lines:?}"
    );
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["State"]["Status"], "exited");
    assert_eq!(inspect["State"]["ExitCode"], 3);
    assert_eq!(inspect["Name"], "exit3");
    assert!(std::path::Path::new(inspect["OCIConfigPath"].as_str().unwrap()).is_file());
    // Started again, it runs again.
    ctr.start().unwrap();
    assert_eq!(ctr.wait().unwrap(), 3);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
    assert!(matches!(
        rt.container("exit3"),
        Err(CoreError::ContainerNotFound(_))
    ));
}

#[test]
fn stop_uses_the_stop_signal_then_sigkill_after_the_timeout() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    // A process that handles SIGTERM by exiting 0, once it says its trap is set (as PID 1 of
    // its PID namespace, it ignores a SIGTERM that comes before: a fast start, as
    // libcontainer's, let the stop win that race).
    let polite = shell(
        &rt,
        &cg,
        "trap 'exit 0' TERM; echo trapped; while :; do sleep 0.1; done",
        vec![],
    );
    polite.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !logs(&polite).iter().any(|(_, line)| line == "trapped") {
        assert!(Instant::now() < deadline, "the trap was never set");
        std::thread::sleep(Duration::from_millis(20));
    }
    let start = Instant::now();
    polite.stop(Some(10)).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "stopped by its signal, not the timeout"
    );
    let state = polite.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(0))
    );
    assert!(state.stopped_by_user);

    // PID 1 without a handler ignores SIGTERM: SIGKILL after the 1 s timeout.
    let stubborn = shell(&rt, &cg, "exec sleep 1000", vec![with_stop_timeout(1)]);
    stubborn.start().unwrap();
    let start = Instant::now();
    stubborn.stop(None).unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(stubborn.state().unwrap().exit_code, Some(137));
    // Stopping a stopped container does nothing.
    stubborn.stop(None).unwrap();
}

#[test]
fn kill_pause_and_unpause() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let counter = shell(
        &rt,
        &cg,
        // Written aside and renamed, so that a read never sees the file truncated.
        "i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done",
        vec![],
    );
    counter.start().unwrap();
    let root = counter.state().unwrap().mountpoint.unwrap();
    let read = || {
        std::fs::read_to_string(root.join("tmp/count"))
            .unwrap_or_default()
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
    };
    std::thread::sleep(Duration::from_millis(300));
    counter.pause().unwrap();
    assert_eq!(counter.status().unwrap(), ContainerStatus::Paused);
    let frozen = read();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(read(), frozen, "the counter does not move while paused");
    assert!(matches!(
        counter.start(),
        Err(CoreError::InvalidState { .. })
    ));
    counter.unpause().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(read() > frozen, "the counter moves again");
    counter.kill(9).unwrap();
    assert_eq!(counter.wait().unwrap(), 137);
    assert!(matches!(
        counter.pause(),
        Err(CoreError::InvalidState { .. })
    ));
}

#[test]
fn force_removing_a_running_container_leaves_nothing() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(&rt, &cg, "exec sleep 1000", vec![with_stop_timeout(1)]);
    ctr.start().unwrap();
    let state = ctr.state().unwrap();
    let (pid, conmon, mountpoint, run_dir) = (
        state.pid.unwrap(),
        state.conmon_pid.unwrap(),
        state.mountpoint.unwrap(),
        state.run_dir.unwrap(),
    );
    assert!(
        process_exists(pid) && is_mount_point(&mountpoint) && run_dir.join("config.json").is_file()
    );
    let err = rt
        .remove_container(&ctr, RemoveOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidState {
                status: ContainerStatus::Running,
                ..
            }
        ),
        "{err}"
    );
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
    assert!(process_gone(pid), "the container's process is gone");
    assert!(process_gone(conmon), "conmon is gone");
    assert!(
        !is_mount_point(&mountpoint),
        "the root filesystem is unmounted"
    );
    assert!(!run_dir.exists(), "the bundle is gone");
    for left in ["exits", "persist"] {
        let path = rt.run_root().join(left).join(ctr.id());
        assert!(!path.exists(), "{} is left", path.display());
    }
    assert!(
        rt.storage().container(ctr.id()).is_err(),
        "the storage is gone"
    );
    assert!(rt.containers().unwrap().is_empty());
}

/// The processes whose command line mentions `word`.
fn processes_mentioning(word: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(word)
                .then_some(pid)
        })
        .collect()
}

#[test]
fn a_failed_init_leaves_no_monitor_and_no_mount() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    // The image has no such user: the spec cannot be generated, after conmon was launched
    // and the root filesystem mounted.
    let ctr = shell(&rt, &cg, "exit 0", vec![with_user("nosuchuser")]);
    let err = ctr.start().unwrap_err();
    assert!(matches!(err, CoreError::Spec { .. }), "{err:?}");
    assert!(err.to_string().contains(ctr.id()), "{err}");
    let state = ctr.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Configured);
    assert_eq!(
        (state.pid, state.conmon_pid, state.mountpoint),
        (None, None, None)
    );
    assert_eq!(
        processes_mentioning(ctr.id()),
        Vec::<i32>::new(),
        "a monitor is left"
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(ctr.id()), "a mount is left:\n{mounts}");
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

#[test]
fn an_auto_remove_container_is_gone_once_its_exit_is_seen() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "sleep 1; echo bye; exit 4",
        vec![with_auto_remove()],
    );
    ctr.start().unwrap();
    let state = ctr.state().unwrap();
    let (conmon, run_dir) = (state.conmon_pid.unwrap(), state.run_dir.unwrap());
    assert_eq!(ctr.wait().unwrap(), 4);
    assert!(process_gone(conmon), "conmon is gone");
    assert!(
        rt.containers().unwrap().is_empty(),
        "the container is still listed"
    );
    assert!(
        rt.storage().container(ctr.id()).is_err(),
        "its storage is left"
    );
    assert!(!run_dir.exists(), "its run directory is left");
    for left in ["exits", "persist"] {
        let path = rt.run_root().join(left).join(ctr.id());
        assert!(!path.exists(), "{} is left", path.display());
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(ctr.id()), "a mount is left");
    // Asked again, the recorded exit code still answers.
    assert_eq!(ctr.wait().unwrap(), 4);
}

#[test]
fn on_failure_restarts_up_to_its_retries() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "echo run; exit 1",
        vec![with_restart_policy(RestartPolicy::OnFailure {
            max_retries: 2,
        })],
    );
    ctr.start().unwrap();
    // Wait answers at the first exit; the open runtime's exit monitor makes the restarts.
    assert_eq!(ctr.wait().unwrap(), 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let state = loop {
        let state = ctr.state().unwrap();
        let given_up = state.status == ContainerStatus::Exited && !state.restart_pending;
        if (given_up && state.restart_count == 2) || std::time::Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(state.restart_count, 2);
    assert_eq!(state.status, ContainerStatus::Exited);
    assert!(!state.restart_pending);
    assert_eq!(logs(&ctr).iter().filter(|(_, l)| l == "run").count(), 3);
}

#[test]
fn a_second_process_sees_the_container_run_and_exit() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(&rt, &cg, "sleep 1; exit 7", vec![with_name("observed")]);
    ctr.start().unwrap();
    drop(ctr);
    drop(rt);
    // A child process (this test binary, running the probe below) opens the same root.
    let probe = |expect: &str| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "probe_container_state",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LIBPOD_RS_PROBE_ROOT", tmp.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            stdout.contains(expect),
            "expected {expect:?} from the other process, got:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    probe("PROBE running -");
    std::thread::sleep(Duration::from_millis(1500));
    probe("PROBE exited 7");
}

/// Run by `a_second_process_sees_the_container_run_and_exit` in a child process.
#[test]
fn probe_container_state() {
    let Ok(root) = std::env::var("LIBPOD_RS_PROBE_ROOT") else {
        return;
    };
    let rt = common::open(std::path::Path::new(&root));
    let state = rt.container("observed").unwrap().state().unwrap();
    let code = state.exit_code.map_or("-".to_string(), |c| c.to_string());
    println!("PROBE {} {code}", state.status);
}

#[test]
fn twenty_containers_from_four_threads() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (rt, cg) = (&rt, &cg);
            s.spawn(move || {
                for i in 0..5 {
                    let ctr = shell(
                        rt,
                        cg,
                        "exec sleep 1000",
                        vec![with_name(format!("t{t}-c{i}")), with_stop_timeout(0)],
                    );
                    ctr.start().unwrap();
                    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);
                    ctr.stop(Some(0)).unwrap();
                    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
                }
            });
        }
    });
    assert!(rt.containers().unwrap().is_empty());
    assert!(rt.storage().containers().unwrap().is_empty());
    let _ = IMAGE;
}

#[test]
fn a_reboot_is_detected_and_states_refreshed() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let running = shell(&rt, &cg, "exec sleep 1000", vec![with_name("was-running")]);
    running.start().unwrap();
    let created = shell(&rt, &cg, "exit 0", vec![with_name("was-created")]);
    created.init().unwrap();
    let volatile = shell(
        &rt,
        &cg,
        "exec sleep 1000",
        vec![with_name("was-rm"), with_auto_remove(), with_volatile()],
    );
    volatile.start().unwrap();
    let volatile_dir = rt.storage().container(volatile.id()).unwrap().dir;
    let volatile_id = volatile.id().to_string();
    // What a reboot does: every process gone, every mount gone, the run root (a tmpfs) empty.
    power_off(&tmp, &rt, &[&running, &created, &volatile]);
    drop((running, created, volatile, rt));
    std::thread::sleep(Duration::from_millis(200));
    std::fs::remove_dir_all(tmp.path().join("run")).unwrap();

    let rt = common::open(tmp.path());
    let running = rt.container("was-running").unwrap();
    let created = rt.container("was-created").unwrap();
    assert_eq!(running.status().unwrap(), ContainerStatus::Exited);
    assert_eq!(created.status().unwrap(), ContainerStatus::Configured);
    assert!(running.state().unwrap().pid.is_none());
    // The volatile container is gone, with its storage and files.
    assert!(matches!(
        rt.container("was-rm"),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert!(!volatile_dir.exists(), "its storage is still there");
    assert!(
        !tmp.path()
            .join("root/containers")
            .join(&volatile_id)
            .exists()
    );
    assert_eq!(rt.containers().unwrap().len(), 2);
    // Both others work again.
    created.start().unwrap();
    assert_eq!(created.wait().unwrap(), 0);
    running.start().unwrap();
    running.stop(Some(0)).unwrap();
    let _ = IMAGE;
}

/// What a reboot does to the containers: every process and mount gone.
fn power_off(
    tmp: &TempRoot,
    rt: &libpod_core::runtime::Runtime,
    ctrs: &[&libpod_core::container::Container],
) {
    for ctr in ctrs {
        let state = ctr.state().unwrap();
        for pid in [state.pid, state.conmon_pid].into_iter().flatten() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        if let Some(shm) = state.bind_mounts.get("/dev/shm") {
            let _ = nix::mount::umount2(shm, nix::mount::MntFlags::MNT_DETACH);
        }
        rt.storage().unmount_container(ctr.id(), true).unwrap();
        let _ = std::process::Command::new("runc")
            .arg("--root")
            .arg(tmp.path().join("run/runtime/runc"))
            .args(["delete", "--force", ctr.id()])
            .status();
    }
}

#[test]
fn a_run_root_that_outlived_a_reboot_is_known_by_its_boot_id() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let running = shell(&rt, &cg, "exec sleep 1000", vec![with_name("was-running")]);
    running.start().unwrap();
    // Reopened in the same boot: nothing is refreshed.
    drop(common::open(tmp.path()));
    assert_eq!(running.status().unwrap(), ContainerStatus::Running);
    power_off(&tmp, &rt, &[&running]);
    drop((running, rt));
    // The run root stays (not a tmpfs), but it says another boot.
    let other_boot = "00000000-0000-0000-0000-000000000000\n";
    std::fs::write(tmp.path().join("run/alive"), other_boot).unwrap();
    std::fs::write(tmp.path().join("run/storage/boot-id"), other_boot).unwrap();

    let rt = common::open(tmp.path());
    let running = rt.container("was-running").unwrap();
    assert_eq!(running.status().unwrap(), ContainerStatus::Exited);
    let this_boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("run/alive")).unwrap(),
        this_boot.trim()
    );
    running.start().unwrap();
    running.stop(Some(0)).unwrap();
}

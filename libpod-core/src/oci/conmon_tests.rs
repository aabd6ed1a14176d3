//! ConmonRuntime with the real conmon and runc (as root): bundles from a busybox rootfs and a
//! spec from libpod-spec, everything under a TempRoot, each test's containers and cgroups
//! removed afterwards even when it fails.

use super::*;
use crate::oci::{Created, LogTarget};
use libpod_spec::NamespaceMode;
use libpod_testutil::{require_root, serial};

use super::fixture::{EXIT, Env, SuiteEnv};

/// Creates and starts container `id` running `command`; returns what create reported.
fn run(env: &Env, id: &str, command: &[&str], log: Option<&Path>) -> Created {
    let (bundle, run_dir, _) = env.bundle(id, command, |_| {});
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    if let Some(log) = log {
        args.log = LogTarget::K8sFile(log.to_path_buf());
    }
    let created = env.rt().create(&args).unwrap();
    env.rt().start(id).unwrap();
    created
}

/// The conformance suite, one test per case, with runc's start and delete done in process.
mod conformance {
    crate::oci_runtime_suite!(|| super::SuiteEnv::new(true));
}

#[test]
fn output_reaches_the_k8s_file_log_in_conmons_format() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let log = env.tmp.path().join("ctr.log");
    run(
        &env,
        "echo",
        &["/bin/sh", "-c", "echo hello; echo oops >&2"],
        Some(&log),
    );
    assert_eq!(env.rt().wait_exit("echo", EXIT).unwrap().unwrap().code, 0);
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<(&str, &str, &str, &str)> = text
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, ' ');
            let mut next = || parts.next().unwrap_or_default();
            (next(), next(), next(), next())
        })
        .collect();
    let mut lines: Vec<(&str, &str, &str)> = records.iter().map(|r| (r.1, r.2, r.3)).collect();
    lines.sort();
    assert_eq!(
        lines,
        [("stderr", "F", "oops"), ("stdout", "F", "hello")],
        "{text}"
    );
    for (time, ..) in records {
        chrono::DateTime::parse_from_rfc3339(time).unwrap_or_else(|_| panic!("{time}"));
        assert!(time.contains('.') && time.contains('T'), "{time}");
    }
}

#[test]
fn exit_code_is_recorded() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let before = std::time::SystemTime::now();
    let created = run(&env, "exit3", &["/bin/sh", "-c", "exit 3"], None);
    assert!(created.pid > 0 && created.conmon_pid > 0);
    let info = env.rt().wait_exit("exit3", EXIT).unwrap().unwrap();
    assert_eq!((info.code, info.oom_killed), (3, false));
    assert!(info.finished_at >= before);
    assert_eq!(env.rt().state("exit3").unwrap().unwrap().status, "stopped");
    env.rt().delete("exit3", false).unwrap();
    assert!(env.runc_ids().is_empty());
}

#[test]
fn sigterm_kills_sleep_with_143() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    // In a PID namespace of its own, sleep would be PID 1 and immune to SIGTERM (the suite
    // checks that); in the host's, the signal kills it and conmon records 128 + 15.
    let (bundle, run_dir, _) = env.bundle("sleep", &["/bin/sleep", "1000"], |config| {
        config.pid = NamespaceMode::Host;
    });
    let args = CreateArgs::new("sleep", "sleep", &bundle, &run_dir);
    let created = env.rt().create(&args).unwrap();
    env.rt().start("sleep").unwrap();
    assert_eq!(
        env.rt().state("sleep").unwrap().unwrap().pid,
        Some(created.pid)
    );
    env.rt().kill("sleep", 15, false).unwrap();
    assert_eq!(
        env.rt().wait_exit("sleep", EXIT).unwrap().unwrap().code,
        143
    );
    assert_eq!(env.rt().state("sleep").unwrap().unwrap().status, "stopped");
}

#[test]
fn a_paused_process_does_not_advance() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let count = "i=0; while :; do i=$((i+1)); echo $i > /n.tmp; mv /n.tmp /n; sleep 0.01; done";
    run(&env, "counter", &["/bin/sh", "-c", count], None);
    let counter = env.rootfs("counter").join("n");
    let read = || -> u64 {
        std::fs::read_to_string(&counter)
            .ok()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    let settle = Duration::from_millis(300);
    std::thread::sleep(settle);
    assert!(read() > 0, "the counter never started");
    env.rt().pause("counter").unwrap();
    assert_eq!(env.rt().state("counter").unwrap().unwrap().status, "paused");
    let frozen = read();
    std::thread::sleep(settle);
    assert_eq!(read(), frozen, "the counter advanced while paused");
    env.rt().resume("counter").unwrap();
    assert_eq!(
        env.rt().state("counter").unwrap().unwrap().status,
        "running"
    );
    std::thread::sleep(settle);
    assert!(read() > frozen, "the counter did not advance after resume");
}

#[test]
fn a_failed_create_reports_runcs_message_and_leaves_nothing() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let (bundle, run_dir, _) = env.bundle("bad", &["/nonexistent"], |_| {});
    let err = env
        .rt()
        .create(&CreateArgs::new("bad", "bad", &bundle, &run_dir))
        .unwrap_err();
    match &err {
        CoreError::OciRuntime {
            id,
            op,
            message,
            runtime,
        } => {
            assert_eq!(
                (id.as_str(), *op, runtime.as_str()),
                ("bad", "create", "runc")
            );
            assert!(message.contains("/nonexistent"), "{message}");
        }
        other => panic!("expected an OCI runtime error, got {other:?}"),
    }
    eprintln!("failed create: {err}");
    assert!(
        env.runc_ids().is_empty(),
        "left in runc: {:?}",
        env.runc_ids()
    );
    assert_eq!(env.rt().state("bad").unwrap(), None);
}

#[test]
fn update_changes_the_pids_limit() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let (bundle, run_dir, cgroups_path) = env.bundle("upd", &["/bin/sleep", "1000"], |_| {});
    env.rt()
        .create(&CreateArgs::new("upd", "upd", &bundle, &run_dir))
        .unwrap();
    env.rt().start("upd").unwrap();
    let pids_max = PathBuf::from("/sys/fs/cgroup/pids")
        .join(cgroups_path.trim_start_matches('/'))
        .join("pids.max");
    let before = std::fs::read_to_string(&pids_max).unwrap();
    assert_ne!(before.trim(), "77");
    let resources = oci_spec::runtime::LinuxResourcesBuilder::default()
        .pids(
            oci_spec::runtime::LinuxPidsBuilder::default()
                .limit(77)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    env.rt().update("upd", &resources).unwrap();
    assert_eq!(std::fs::read_to_string(&pids_max).unwrap().trim(), "77");
}

#[test]
fn containers_outlive_the_runtime_handle() {
    require_root();
    let _serial = serial();
    let mut env = Env::new();
    let created = run(&env, "survivor", &["/bin/sleep", "1000"], None);
    let config = env.rt().config().clone();
    drop(env.rt.take());
    let conmon = nix::unistd::Pid::from_raw(created.conmon_pid);
    assert!(
        nix::sys::signal::kill(conmon, None).is_ok(),
        "conmon died with the handle"
    );
    let rt = ConmonRuntime::new(config).unwrap();
    let state = rt.state("survivor").unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.pid),
        ("running", Some(created.pid))
    );
    env.rt = Some(rt);
    env.rt().kill("survivor", 9, false).unwrap();
    assert_eq!(
        env.rt().wait_exit("survivor", EXIT).unwrap().unwrap().code,
        137
    );
}

#[test]
fn the_conmon_pidfile_is_copied_where_asked() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let (bundle, run_dir, _) = env.bundle("pidfile", &["/bin/true"], |_| {});
    let extra = env.tmp.path().join("extra.pid");
    let mut args = CreateArgs::new("pidfile", "pidfile", &bundle, &run_dir);
    args.conmon_pidfile = Some(&extra);
    let created = env.rt().create(&args).unwrap();
    assert_eq!(
        std::fs::read_to_string(&extra).unwrap(),
        created.conmon_pid.to_string()
    );
    assert_eq!(
        std::fs::read_to_string(run_dir.join("conmon.pid")).unwrap(),
        created.conmon_pid.to_string()
    );
    env.rt().delete("pidfile", false).unwrap();
}

#[test]
fn the_conmon_pidfile_copy_follows_no_link_planted_beside_it() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let (bundle, run_dir, _) = env.bundle("pidlink", &["/bin/true"], |_| {});
    let sentinel = env.tmp.path().join("sentinel");
    std::fs::write(&sentinel, "untouched").unwrap();
    let extra = env.tmp.path().join("extra.pid");
    // The temporary name earlier versions wrote through.
    std::os::unix::fs::symlink(&sentinel, env.tmp.path().join("extra.pid.tmp")).unwrap();
    let mut args = CreateArgs::new("pidlink", "pidlink", &bundle, &run_dir);
    args.conmon_pidfile = Some(&extra);
    let created = env.rt().create(&args).unwrap();
    assert_eq!(std::fs::read_to_string(&sentinel).unwrap(), "untouched");
    let written = std::fs::symlink_metadata(&extra).unwrap();
    assert!(written.is_file(), "the pidfile is a file of its own");
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&written.permissions()) & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::read_to_string(&extra).unwrap(),
        created.conmon_pid.to_string()
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".extra.pid."))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    env.rt().delete("pidlink", false).unwrap();
}

#[test]
fn an_oom_kill_is_marked() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let command = [
        "/bin/dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=64M",
        "count=1",
    ];
    let (bundle, run_dir, _) = env.bundle("oom", &command, |config| {
        config.resources.memory = Some(16 << 20);
    });
    env.rt()
        .create(&CreateArgs::new("oom", "oom", &bundle, &run_dir))
        .unwrap();
    env.rt().start("oom").unwrap();
    let info = env.rt().wait_exit("oom", EXIT).unwrap().unwrap();
    assert_eq!((info.code, info.oom_killed), (137, true));
    env.rt().clear_exit("oom").unwrap();
    assert_eq!(env.rt().exit_info("oom").unwrap(), None);
}

//! runc's start and delete done in process, against the real runc under conmon: the suite
//! through the binary too, what is left after a direct delete, when the binary still runs,
//! and (through a runc wrapper that records its calls) that the direct paths spawn nothing.

use super::*;
use crate::oci::LogTarget;
use libpod_spec::NamespaceMode;
use libpod_testutil::{require_root, serial};
use std::os::unix::fs::PermissionsExt;

use super::fixture::{EXIT, Env, SuiteEnv};

/// An environment whose runtime is runc behind a script that appends each call's arguments to
/// `calls`, one line per call; returns the path of that record.
fn recording_env() -> (Env, PathBuf) {
    let mut env = Env::new();
    let calls = env.tmp.path().join("runc-calls");
    let wrapper = env.tmp.path().join("runc");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\nexec /usr/sbin/runc \"$@\"\n",
            calls.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = ConmonRuntimeConfig::runc(env.tmp.path().join("run"));
    config.runtime_path = wrapper;
    env.rt = Some(ConmonRuntime::new(config).unwrap());
    (env, calls)
}

/// The subcommands runc was called with, in order.
fn subcommands(calls: &Path) -> Vec<String> {
    const SUBCOMMANDS: [&str; 7] = [
        "create", "start", "delete", "state", "kill", "pause", "list",
    ];
    let text = std::fs::read_to_string(calls).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            line.split_whitespace()
                .find(|word| SUBCOMMANDS.contains(word))
                .map(str::to_string)
        })
        .collect()
}

/// The cgroup directories runc made for container `id` (from its state.json).
fn cgroup_dirs(env: &Env, id: &str) -> Vec<PathBuf> {
    let state = env.rt().config().runtime_root.join(id).join("state.json");
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    let paths = state["cgroup_paths"].as_object().unwrap();
    assert!(paths.len() > 1, "{paths:?}");
    paths
        .values()
        .map(|path| PathBuf::from(path.as_str().unwrap()))
        .collect()
}

/// The conformance suite, one test per case, through the runc binary.
mod conformance_through_the_binary {
    crate::oci_runtime_suite!(|| super::SuiteEnv::new(false));
}

#[test]
fn direct_start_and_delete_run_no_runc_and_leave_nothing() {
    require_root();
    let _serial = serial();
    let (env, calls) = recording_env();
    assert!(env.rt().direct_runc());
    let log = env.tmp.path().join("ctr.log");
    let (bundle, run_dir, _) = env.bundle("direct", &["/bin/sh", "-c", "echo started"], |_| {});
    let mut args = CreateArgs::new("direct", "direct", &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    env.rt().create(&args).unwrap();
    let cgroups = cgroup_dirs(&env, "direct");
    assert!(cgroups.iter().all(|dir| dir.is_dir()));
    env.rt().start("direct").unwrap();
    let fifo = env.rt().config().runtime_root.join("direct/exec.fifo");
    assert!(!fifo.exists(), "start leaves the exec FIFO");
    assert_eq!(env.rt().wait_exit("direct", EXIT).unwrap().unwrap().code, 0);
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("stdout F started")
    );
    env.rt().delete("direct", false).unwrap();
    assert_eq!(subcommands(&calls), ["create"], "only conmon ran runc");
    for dir in &cgroups {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    assert!(!env.rt().config().runtime_root.join("direct").exists());
    assert!(env.runc_ids().is_empty());
    assert_eq!(env.rt().state("direct").unwrap(), None);
}

#[test]
fn delete_of_a_container_in_the_hosts_pid_namespace_runs_runc() {
    require_root();
    let _serial = serial();
    let (env, calls) = recording_env();
    // init exits at once; its background child lives on in the cgroup. runc's delete kills
    // what is left in the cgroup before removing it, so the direct path must not be taken.
    let marker = "libpod-rs-direct-survivor";
    let script = format!("sleep 1000 {marker} >/dev/null 2>&1 & exit 0");
    let (bundle, run_dir, _) = env.bundle("hostpid", &["/bin/sh", "-c", &script], |config| {
        config.pid = NamespaceMode::Host;
    });
    env.rt()
        .create(&CreateArgs::new("hostpid", "hostpid", &bundle, &run_dir))
        .unwrap();
    let cgroups = cgroup_dirs(&env, "hostpid");
    env.rt().start("hostpid").unwrap();
    assert_eq!(
        env.rt().wait_exit("hostpid", EXIT).unwrap().unwrap().code,
        0
    );
    env.rt().delete("hostpid", false).unwrap();
    assert_eq!(subcommands(&calls), ["create", "delete"]);
    for dir in &cgroups {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    let survivors = std::process::Command::new("pgrep")
        .args(["-f", marker])
        .output()
        .unwrap();
    assert!(
        survivors.stdout.is_empty(),
        "processes left: {}",
        String::from_utf8_lossy(&survivors.stdout)
    );
}

#[test]
fn start_of_a_container_whose_init_died_fails_without_hanging() {
    require_root();
    let _serial = serial();
    let env = Env::new();
    let (bundle, run_dir, _) = env.bundle("dead", &["/bin/true"], |_| {});
    let created = env
        .rt()
        .create(&CreateArgs::new("dead", "dead", &bundle, &run_dir))
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(created.pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert_eq!(env.rt().wait_exit("dead", EXIT).unwrap().unwrap().code, 137);
    let began = std::time::Instant::now();
    match env.rt().start("dead") {
        Err(CoreError::OciRuntime { op: "start", .. }) => {}
        other => panic!("start of a dead container: {other:?}"),
    }
    assert!(began.elapsed() < Duration::from_secs(10));
    env.rt().delete("dead", false).unwrap();
    assert!(env.runc_ids().is_empty());
}

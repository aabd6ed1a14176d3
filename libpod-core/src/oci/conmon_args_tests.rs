//! conmon's command line and the runtime's configuration, without running anything.

use super::create::CreatePaths;
use super::*;
use crate::oci::LogTarget;

fn runtime(dir: &Path) -> ConmonRuntime {
    ConmonRuntime::new(ConmonRuntimeConfig::runc(dir)).unwrap()
}

fn strings(args: Vec<OsString>) -> Vec<String> {
    args.into_iter()
        .map(|arg| arg.into_string().unwrap())
        .collect()
}

#[test]
fn the_command_line_is_podmans() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let rt = runtime(dir.path());
    let exit_command = ["/usr/bin/cleanup".to_string(), "--id".into(), "c1".into()];
    let mut args = CreateArgs::new("c1", "web", Path::new("/ctr/bundle"), Path::new("/ctr/run"));
    args.log = LogTarget::K8sFile("/ctr/ctr.log".into());
    args.log_tag = Some("tag1");
    args.log_size_max = Some(1_000_000);
    args.stdin = true;
    args.exit_command = &exit_command;
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let expected = format!(
        "--api-version 1 -c c1 -u c1 -r /usr/sbin/runc -b /ctr/bundle -p /ctr/run/pidfile -n web \
         --exit-dir {d}/exits --persist-dir {d}/persist/c1 --full-attach \
         --runtime-arg --root --runtime-arg {d}/runc \
         -l k8s-file:/ctr/ctr.log --log-level warning --syslog --log-size-max 1000000 \
         --runtime-arg --log-format=json --runtime-arg --log --runtime-arg=/ctr/run/oci-log \
         --log-tag tag1 -i --conmon-pidfile /ctr/run/conmon.pid \
         --exit-command /usr/bin/cleanup --exit-command-arg --id --exit-command-arg c1"
    );
    assert_eq!(
        strings(rt.conmon_args(&args, &paths)),
        expected.split_whitespace().collect::<Vec<_>>()
    );
}

#[test]
fn minimal_arguments_leave_the_options_out() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    let args = CreateArgs::new("c1", "web", Path::new("/b"), Path::new("/r"));
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let got = strings(rt.conmon_args(&args, &paths));
    let joined = got.join(" ");
    assert!(joined.contains("-l none --log-level warning"), "{joined}");
    for absent in [
        "--log-size-max",
        "--log-tag",
        "-t",
        "-i",
        "--exit-command",
        "-s",
    ] {
        assert!(!got.iter().any(|arg| arg == absent), "{absent} in {joined}");
    }
}

#[test]
fn terminal_wins_over_stdin_and_journald_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    let mut args = CreateArgs::new("c1", "web", Path::new("/b"), Path::new("/r"));
    args.terminal = true;
    args.stdin = true;
    args.log = LogTarget::Journald;
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let got = strings(rt.conmon_args(&args, &paths));
    assert!(got.iter().any(|arg| arg == "-t"));
    assert!(!got.iter().any(|arg| arg == "-i"));
    assert!(got.join(" ").contains("-l journald"));
}

#[test]
fn systemd_cgroups_and_runtime_flags_reach_conmon_and_direct_calls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let rt = runtime(dir.path())
        .with_systemd_cgroup(true)
        .with_runtime_flags(["--debug"]);
    let args = CreateArgs::new("c1", "web", Path::new("/b"), Path::new("/r"));
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let joined = strings(rt.conmon_args(&args, &paths)).join(" ");
    assert!(
        joined.contains(&format!(
            "--runtime-arg --root --runtime-arg {d}/runc --runtime-arg --debug -s -l"
        )),
        "{joined}"
    );
    let direct: Vec<String> = rt
        .cli
        .command()
        .get_args()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        direct,
        [
            "--root",
            &format!("{d}/runc"),
            "--systemd-cgroup",
            "--debug",
            "--log-format",
            "json"
        ]
    );
}

#[test]
fn relative_paths_are_made_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    let args = CreateArgs::new("c1", "web", Path::new("bundle"), Path::new("run"));
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(paths.bundle, cwd.join("bundle"));
    assert_eq!(paths.pidfile, cwd.join("run/pidfile"));
}

#[test]
fn new_creates_the_directories_private() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(&dir.path().join("root"));
    for sub in ["runc", "exits", "persist"] {
        let meta = std::fs::metadata(dir.path().join("root").join(sub)).unwrap();
        assert!(meta.is_dir(), "{sub}");
        assert_eq!(meta.permissions().mode() & 0o777, 0o700, "{sub}");
    }
    assert_eq!(rt.name(), "runc");
    assert_eq!(rt.config().exit_dir, dir.path().join("root/exits"));
}

#[test]
fn missing_or_non_executable_binaries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ConmonRuntimeConfig::runc(dir.path());
    config.conmon_path = dir.path().join("no-conmon");
    let err = ConmonRuntime::new(config).unwrap_err();
    assert!(err.to_string().contains("no-conmon"), "{err}");

    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let mut config = ConmonRuntimeConfig::runc(dir.path());
    config.runtime_path = plain;
    let err = ConmonRuntime::new(config).unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidOption {
                option: "oci runtime",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_ids_are_refused_before_running_anything() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    for id in ["", "..", "a/b"] {
        assert!(matches!(rt.state(id), Err(CoreError::InvalidOption { .. })));
        assert!(matches!(
            rt.delete(id, true),
            Err(CoreError::InvalidOption { .. })
        ));
        let args = CreateArgs::new(id, "n", Path::new("/b"), Path::new("/r"));
        assert!(matches!(
            rt.create(&args),
            Err(CoreError::InvalidOption { .. })
        ));
    }
}

#[test]
fn a_restore_passes_the_checkpoint_criu_and_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    let mut args = CreateArgs::new("c1", "web", Path::new("/b"), Path::new("/r"));
    let mut restore =
        crate::oci::RestoreArgs::new(Path::new("/s/checkpoint"), Path::new("/opt/criu"));
    restore.tcp_established = true;
    args.restore = Some(restore);
    let paths = CreatePaths::new(&args, rt.exit_files()).unwrap();
    let joined = strings(rt.conmon_args(&args, &paths)).join(" ");
    assert!(
        joined.contains("--runtime-arg --criu --runtime-arg /opt/criu"),
        "{joined}"
    );
    assert!(
        joined.contains("--restore /s/checkpoint --runtime-opt --tcp-established"),
        "{joined}"
    );
    assert!(!joined.contains("--file-locks"), "{joined}");
}

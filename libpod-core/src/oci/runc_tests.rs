use super::*;
use oci_spec::runtime::{LinuxPidsBuilder, LinuxResourcesBuilder};
use std::os::unix::fs::PermissionsExt;

#[test]
fn state_output_is_parsed() {
    let out = br#"{"ociVersion":"1.0.2-dev","id":"c1","pid":4242,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z","owner":""}"#;
    let state = parse_state(out).unwrap();
    assert_eq!(state.status, "running");
    assert_eq!(state.pid, Some(4242));
}

#[test]
fn a_stopped_container_has_no_pid() {
    let state = parse_state(br#"{"id":"c1","pid":0,"status":"stopped"}"#).unwrap();
    assert_eq!((state.status.as_str(), state.pid), ("stopped", None));
}

#[test]
fn malformed_state_output_is_an_error_quoting_it() {
    let err = parse_state(b"not json").unwrap_err();
    assert!(err.contains("not json"), "{err}");
}

#[test]
fn last_error_takes_the_last_error_level_message() {
    let log = concat!(
        r#"{"level":"warning","msg":"a warning","time":"t"}"#,
        "\n",
        r#"{"level":"error","msg":"first error","time":"t"}"#,
        "\n",
        "not json at all\n",
        r#"{"level":"error","msg":"runc create failed: exec: \"/nonexistent\": stat /nonexistent: no such file or directory","time":"t"}"#,
        "\n",
        r#"{"level":"info","msg":"later info","time":"t"}"#,
        "\n",
    );
    assert_eq!(
        last_error(log).as_deref(),
        Some(
            r#"runc create failed: exec: "/nonexistent": stat /nonexistent: no such file or directory"#
        )
    );
}

#[test]
fn last_error_is_none_without_errors() {
    assert_eq!(last_error(""), None);
    assert_eq!(last_error(r#"{"level":"warning","msg":"w"}"#), None);
    assert_eq!(last_error(r#"{"level":"error","msg":""}"#), None);
}

#[test]
fn error_message_falls_back_to_text_then_status() {
    assert_eq!(
        error_message(
            br#"{"level":"error","msg":"container does not exist","time":"t"}"#,
            "exit status: 1"
        ),
        "container does not exist"
    );
    assert_eq!(
        error_message(b"plain line\nlast plain line\n\n", "exit status: 1"),
        "last plain line"
    );
    assert_eq!(error_message(b"  \n", "exit status: 1"), "exit status: 1");
}

#[test]
fn not_exist_messages_are_recognised() {
    assert!(is_not_exist("container does not exist"));
    assert!(is_not_exist(
        "error opening file `/run/crun/x/status`: No such file or directory"
    ));
    assert!(!is_not_exist("container not running"));
}

/// A stand-in runtime: records its arguments and stdin, prints the file `stdout` of `dir`, and
/// fails with the file `stderr` on stderr when that one is not empty.
fn fake_runtime(dir: &Path) -> RuntimeCli {
    let path = dir.join("fake-runc");
    let script = format!(
        "#!/bin/sh\nd={dir}\nprintf '%s\\n' \"$@\" > $d/args\ncat > $d/stdin\n\
         if [ -s $d/stderr ]; then cat $d/stderr >&2; exit 1; fi\n\
         cat $d/stdout 2>/dev/null\n",
        dir = dir.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    RuntimeCli {
        name: "fakerunc".into(),
        path,
        global_flags: vec!["--root".into(), "/state/root".into()],
    }
}

fn recorded_args(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Makes the stand-in in `dir` print `stdout`, or fail with `stderr` when that is not empty.
fn answer(dir: &Path, stdout: &str, stderr: &str) {
    std::fs::write(dir.join("stdout"), stdout).unwrap();
    std::fs::write(dir.join("stderr"), stderr).unwrap();
}

#[test]
fn calls_put_global_flags_before_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let cli = fake_runtime(dir.path());
    let global = ["--root", "/state/root", "--log-format", "json"];
    type Call<'a> = Box<dyn Fn() -> Result<()> + 'a>;
    let cases: Vec<(Call<'_>, Vec<&str>)> = vec![
        (Box::new(|| cli.start("c1")), vec!["start", "c1"]),
        (
            Box::new(|| cli.kill("c1", 15, false)),
            vec!["kill", "c1", "15"],
        ),
        (
            Box::new(|| cli.kill("c1", 9, true)),
            vec!["kill", "--all", "c1", "9"],
        ),
        (Box::new(|| cli.delete("c1", false)), vec!["delete", "c1"]),
        (
            Box::new(|| cli.delete("c1", true)),
            vec!["delete", "--force", "c1"],
        ),
        (Box::new(|| cli.pause("c1")), vec!["pause", "c1"]),
        (Box::new(|| cli.resume("c1")), vec!["resume", "c1"]),
    ];
    answer(dir.path(), "", "");
    for (call, expected) in cases {
        call().unwrap();
        let expected: Vec<&str> = global.iter().copied().chain(expected).collect();
        assert_eq!(recorded_args(dir.path()), expected);
    }
}

#[test]
fn update_sends_the_resources_as_json_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let cli = fake_runtime(dir.path());
    let resources = LinuxResourcesBuilder::default()
        .pids(LinuxPidsBuilder::default().limit(42).build().unwrap())
        .build()
        .unwrap();
    answer(dir.path(), "", "");
    cli.update("c1", &resources).unwrap();
    assert_eq!(
        recorded_args(dir.path())[4..],
        ["update", "-r", "-", "c1"].map(String::from)
    );
    let sent: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("stdin")).unwrap()).unwrap();
    assert_eq!(sent, serde_json::json!({"pids": {"limit": 42}}));
}

#[test]
fn failures_carry_the_runtime_message() {
    let dir = tempfile::tempdir().unwrap();
    let cli = fake_runtime(dir.path());
    let stderr = r#"{"level":"error","msg":"container not running","time":"t"}"#;
    answer(dir.path(), "", stderr);
    let err = cli.kill("c1", 15, false).unwrap_err();
    match &err {
        CoreError::OciRuntime {
            id,
            runtime,
            op,
            message,
        } => {
            assert_eq!(
                (id.as_str(), runtime.as_str(), *op, message.as_str()),
                ("c1", "fakerunc", "kill", "container not running")
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "container c1: fakerunc kill failed: container not running"
    );
}

#[test]
fn unknown_containers_have_no_state_and_delete_fine() {
    let dir = tempfile::tempdir().unwrap();
    let cli = fake_runtime(dir.path());
    let stderr = r#"{"level":"error","msg":"container does not exist","time":"t"}"#;
    answer(dir.path(), "", stderr);
    assert_eq!(cli.state("c1").unwrap(), None);
    cli.delete("c1", true).unwrap();
    assert!(cli.start("c1").is_err());
}

#[test]
fn state_reads_the_runtime_output() {
    let dir = tempfile::tempdir().unwrap();
    let cli = fake_runtime(dir.path());
    let out = r#"{"id":"c1","pid":77,"status":"paused"}"#;
    answer(dir.path(), out, "");
    let state = cli.state("c1").unwrap().unwrap();
    assert_eq!((state.status.as_str(), state.pid), ("paused", Some(77)));
    answer(dir.path(), "garbage", "");
    let err = cli.state("c1").unwrap_err();
    assert!(
        matches!(err, CoreError::OciRuntime { op: "state", .. }),
        "{err}"
    );
}

#[test]
fn a_missing_binary_is_an_io_error_naming_it() {
    let cli = RuntimeCli {
        name: "runc".into(),
        path: "/nonexistent/runc".into(),
        global_flags: vec![],
    };
    let err = cli.start("c1").unwrap_err();
    assert!(matches!(err, CoreError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/runc"), "{err}");
}

#[test]
fn the_runtimes_own_prefix_is_not_repeated() {
    let cli = RuntimeCli {
        name: "runc".into(),
        path: "/usr/sbin/runc".into(),
        global_flags: vec![],
    };
    let err = cli.error(
        "c1",
        "create",
        "runc create failed: unable to start container process: exec: \"/x\"".into(),
    );
    assert_eq!(
        err.to_string(),
        "container c1: runc create failed: unable to start container process: exec: \"/x\""
    );
    // Another operation's prefix, or nothing after it, stays.
    let err = cli.error("c1", "start", "runc create failed: x".into());
    assert!(
        err.to_string()
            .ends_with("runc start failed: runc create failed: x")
    );
    let err = cli.error("c1", "start", "runc start failed: ".into());
    assert!(
        err.to_string()
            .ends_with("runc start failed: runc start failed: ")
    );
}

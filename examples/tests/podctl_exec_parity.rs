//! `podctl exec` against the real Podman 4.3's `exec`, command for command, on containers
//! of the same image: exit codes (the process's, 126, 127, 125), standard output and error,
//! and the `Error:` lines; `-e`, `-u`, `-w`.

mod common;

use common::pair::{Pair, error_lines, runtime_error_lines};
use libpod_testutil::{require_root, serial};

#[test]
fn exec_matches_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("execpar");
    let mut run = vec!["run", "-d", "--name", "box"];
    let flags = pair.run_flags();
    run.extend(flags.iter().map(String::as_str));
    run.extend(["localhost/busybox", "sleep", "1000"]);
    pair.ok(&run);
    common::assert_test_runtime(&pair.root, "box");
    pair.podman_ok(&run);
    let mut stopped = vec!["create", "--name", "idle"];
    stopped.extend(flags.iter().map(String::as_str));
    stopped.extend(["localhost/busybox", "true"]);
    pair.ok(&stopped);
    pair.podman_ok(&stopped);

    let cases: &[(&str, &[&str], i32)] = &[
        ("success", &["exec", "box", "true"], 0),
        (
            "the process's code",
            &["exec", "box", "sh", "-c", "exit 3"],
            3,
        ),
        (
            "output on both streams",
            &["exec", "box", "sh", "-c", "echo out; echo err >&2"],
            0,
        ),
        ("not executable: 126", &["exec", "box", "/etc/passwd"], 126),
        ("not found: 127", &["exec", "box", "nosuchcmd"], 127),
        ("no such container: 125", &["exec", "nosuch", "true"], 125),
        ("not running", &["exec", "idle", "true"], 125),
        ("no command", &["exec", "box"], 125),
        (
            "-e",
            &["exec", "-e", "FOO=bar", "box", "sh", "-c", "echo $FOO"],
            0,
        ),
        (
            "-e from the host",
            &["exec", "-e", "HOME", "box", "sh", "-c", "echo $HOME"],
            0,
        ),
        ("-u uid:gid", &["exec", "-u", "1000:1000", "box", "id"], 0),
        ("-u name", &["exec", "-u", "nobody", "box", "id"], 0),
        (
            "-u unknown",
            &["exec", "-u", "nosuchuser", "box", "id"],
            125,
        ),
        ("-w", &["exec", "-w", "/tmp", "box", "pwd"], 0),
        (
            "-w missing",
            &["exec", "-w", "/nonexistent", "box", "pwd"],
            127,
        ),
        (
            "environment",
            &["exec", "box", "sh", "-c", "env | sort | grep -v ^HOSTNAME="],
            0,
        ),
    ];
    // Podman 4.3 exits 255 (its exec's -1) where the error is its own and not the
    // process's; podctl keeps Podman's documented 125 there, with the same message.
    let podman_255 = ["not running", "no command", "-u unknown"];
    let mut failures = Vec::new();
    for (what, args, code) in cases {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
        let err = |o: &std::process::Output| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .filter(|l| !l.starts_with("Error:") && !l.starts_with("time="))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let their_code = match theirs.status.code() {
            Some(255) if podman_255.contains(what) => Some(125),
            other => other,
        };
        let errors = |o: &std::process::Output| runtime_error_lines(&o.stderr, Some(*code));
        let same = ours.status.code() == their_code
            && out(&ours) == out(&theirs)
            && err(&ours) == err(&theirs)
            && errors(&ours) == errors(&theirs);
        if !same || ours.status.code() != Some(*code) {
            failures.push(format!(
                "{what} ({}):\n  podctl {:?} {:?} {:?} {:?}\n  podman {:?} {:?} {:?} {:?}",
                args.join(" "),
                ours.status.code(),
                out(&ours),
                err(&ours),
                error_lines(&ours.stderr),
                theirs.status.code(),
                out(&theirs),
                err(&theirs),
                error_lines(&theirs.stderr),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_detached_exec_is_recorded_by_its_exit_command_with_no_podctl_waiting() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("execclean");
    let mut run = vec!["run", "-d", "--name", "box"];
    let flags = pair.run_flags();
    run.extend(flags.iter().map(String::as_str));
    run.extend(["localhost/busybox", "sleep", "1000"]);
    pair.ok(&run);
    let session = pair.ok(&["exec", "-d", "box", "sh", "-c", "exit 3"]);
    let session = session.trim();
    // conmon runs `podctl container cleanup --exec SESSION ID` when it ends: its exec_died,
    // with the code, shows up with nobody waiting for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let died = loop {
        let events = pair.ok(&[
            "events",
            "--stream=false",
            "--filter",
            "event=exec_died",
            "--format",
            "{{.Status}} {{.ContainerExitCode}} {{index .Attributes \"execID\"}}",
        ]);
        if !events.trim().is_empty() || std::time::Instant::now() > deadline {
            break events;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(died.trim(), format!("exec_died 3 {session}"));
    // Again by hand: recorded already, nothing to do; the box's ID, as Podman prints.
    let id = pair.ok(&["inspect", "--format", "{{.Id}}", "box"]);
    let again = pair.ok(&["container", "cleanup", "--exec", session, "box"]);
    assert_eq!(again, id);
    // Podman's refusals, word for word.
    pair.podman_ok(&run);
    for args in [
        &["container", "cleanup", "--all", "--exec", session][..],
        &["container", "cleanup", "--exec", session, "box", "box"],
        &["container", "cleanup", "--rmi", "--exec", session, "box"],
    ] {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        assert_eq!(ours.status.code(), Some(125), "{args:?}");
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(
            error_lines(&ours.stderr),
            error_lines(&theirs.stderr),
            "{args:?}"
        );
    }
}

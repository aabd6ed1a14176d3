//! podctl's exit codes and error messages against the real Podman 4.3's, command for command,
//! on stores holding the same image and containers.

mod common;

use common::pair::{Pair, runtime_error_lines};
use libpod_testutil::{require_root, serial};

/// One command for both engines: the exit code and `Error:` lines must be the same.
struct Case {
    what: &'static str,
    args: Vec<String>,
    code: i32,
}

fn case(what: &'static str, code: i32, args: &[&str]) -> Case {
    Case {
        what,
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
    }
}

#[test]
fn exit_codes_and_errors_match_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("exit");
    let flags = pair.run_flags();
    let run = |cmd: &[&str]| -> Vec<String> {
        let mut args = vec!["run".to_string(), "--rm".into()];
        args.extend(flags.iter().cloned());
        args.push("localhost/busybox".into());
        args.extend(cmd.iter().map(|s| s.to_string()));
        args
    };
    // A container both have, for the verbs that need one.
    let mut create = vec!["create", "--name", "dup"];
    create.extend(flags.iter().map(String::as_str));
    create.extend(["localhost/busybox", "true"]);
    pair.ok(&create);
    pair.podman_ok(&create);

    let mut cases = vec![
        Case {
            what: "command not found: 127",
            args: run(&["nosuchcmd"]),
            code: 127,
        },
        Case {
            what: "command not executable: 126",
            args: run(&["/etc/passwd"]),
            code: 126,
        },
        Case {
            what: "the container's own code",
            args: run(&["sh", "-c", "exit 7"]),
            code: 7,
        },
        case("usage error: 125", 125, &["ps", "--bogus"]),
        case(
            "usage error in a nested verb",
            125,
            &["image", "inspect", "--bogus", "x"],
        ),
        case("no such container", 125, &["start", "nosuch"]),
        case("rm of a missing container: 1", 1, &["rm", "nosuch"]),
        case("rm --ignore", 0, &["rm", "--ignore", "nosuch"]),
        case("rmi of a missing image: 1", 1, &["rmi", "nosuch"]),
        case("--all with names", 125, &["stop", "--all", "dup"]),
        case("--all with --latest", 125, &["stop", "--all", "--latest"]),
        case("no names", 125, &["stop"]),
        case(
            "unreadable cidfile",
            125,
            &["stop", "--cidfile", "/nonexistent"],
        ),
        case("invalid signal", 125, &["kill", "-s", "FOO", "dup"]),
        case(
            "unknown wait condition",
            125,
            &["wait", "--condition", "bogus", "dup"],
        ),
        case("invalid reference format", 125, &["create", "a b"]),
        case("upper-case reference", 125, &["create", "UPPER"]),
        case(
            "--pull never of a missing image",
            125,
            &["create", "--pull", "never", "nosuch"],
        ),
    ];
    cases.push(Case {
        what: "name in use",
        args: create.iter().map(|s| s.to_string()).collect(),
        code: 125,
    });

    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let ours = pair.podctl(&args);
        let theirs = pair.podman(&args);
        let code = Some(case.code);
        let (our_lines, their_lines) = (
            runtime_error_lines(&ours.stderr, code),
            runtime_error_lines(&theirs.stderr, code),
        );
        if ours.status.code() != Some(case.code)
            || theirs.status.code() != Some(case.code)
            || our_lines != their_lines
        {
            failures.push(format!(
                "{} ({}):\n  podctl {:?} {our_lines:?}\n  podman {:?} {their_lines:?}",
                case.what,
                case.args.join(" "),
                ours.status.code(),
                theirs.status.code(),
            ));
        }
    }
    // A failed `run --rm` leaves nothing behind.
    assert_eq!(pair.ok(&["ps", "-a", "-q"]).lines().count(), 1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

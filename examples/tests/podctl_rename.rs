//! `rename` beside the real Podman 4.3: a stopped and a running container renamed keep
//! their ID and state and are found by the new name only; a taken or malformed name and a
//! missing container give Podman's errors and change nothing; the event is recorded.

mod common;

use common::pair::{Pair, error_lines};
use libpod_testutil::{require_root, serial};

#[test]
fn rename_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("rename");
    let flags = pair.run_flags();
    for (verb, name) in [
        ("create", "stopped"),
        ("run", "running"),
        ("create", "other"),
    ] {
        let mut args = vec![verb];
        if verb == "run" {
            args.push("-d");
        }
        args.extend(["--name", name, "--network", "none"]);
        args.extend(flags.iter().map(String::as_str));
        args.extend(["localhost/busybox", "sleep", "100"]);
        pair.ok(&args);
        pair.podman_ok(&args);
    }
    let id_of = |name: &str| pair.ok(&["inspect", "--format", "{{.Id}}", name]);
    let (stopped, running) = (id_of("stopped"), id_of("running"));
    for (from, to) in [("stopped", "stopped2"), ("running", "running2")] {
        assert_eq!(pair.ok(&["rename", from, to]), "");
        pair.podman_ok(&["rename", from, to]);
    }
    assert_eq!(id_of("stopped2"), stopped);
    assert_eq!(id_of("running2"), running);
    let state = [
        "inspect",
        "--format",
        "{{.Name}} {{.State.Status}}",
        "stopped2",
        "running2",
    ];
    assert_eq!(pair.ok(&state), "stopped2 created\nrunning2 running\n");
    assert_eq!(pair.ok(&state), pair.podman_ok(&state));
    // Still operable under the new name.
    assert_eq!(pair.ok(&["exec", "running2", "echo", "hi"]), "hi\n");
    for args in [
        &["container", "exists", "stopped"][..],
        &["container", "exists", "running"],
    ] {
        assert_eq!(pair.podctl(args).status.code(), Some(1), "{args:?}");
    }
    // Refusals, in Podman's words (IDs hidden), with nothing changed.
    for args in [
        &["rename", "stopped2", "other"][..],
        &["rename", "stopped2", "bad name"],
        &["rename", "nosuch", "x"],
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
    assert_eq!(id_of("stopped2"), stopped);
    // The event, under the new name.
    let events = pair.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "event=rename",
        "--format",
        "{{.Name}} {{.Status}}",
    ]);
    assert_eq!(events, "stopped2 rename\nrunning2 rename\n");
    pair.ok(&["rm", "-f", "-t", "0", "-a"]);
}

//! `container exists`, `image exists`, `container prune`, `image prune` and `system prune`
//! beside the real Podman 4.3: the same exit codes, the same containers and images left, the
//! same output apart from IDs, and the same confirmation (declined, or `Error: EOF` on an
//! empty stdin) without `--force`.

mod common;

use common::pair::{Pair, hide_ids};
use libpod_testutil::{require_root, serial};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `args` run with `answer` on stdin (none: stdin at its end at once).
fn answered(mut command: Command, args: &[&str], answer: &str) -> Output {
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn podctl_command(pair: &Pair) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_podctl"));
    command
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"));
    command
}

/// Both engines' container names, sorted.
fn names(pair: &Pair) -> (Vec<String>, Vec<String>) {
    let args = ["ps", "-a", "--format", "{{.Names}}"];
    let sorted = |text: String| {
        let mut names: Vec<String> = text.lines().map(String::from).collect();
        names.sort();
        names
    };
    (sorted(pair.ok(&args)), sorted(pair.podman_ok(&args)))
}

/// Makes the same containers on both sides: `created` (never started), `exited` (ran
/// `true`), `running` (sleeps), `kept` (created, labelled keep=1).
fn containers(pair: &Pair) {
    let flags = pair.run_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    for args in [
        &["create", "--name", "created"][..],
        &["run", "--name", "exited"],
        &["run", "-d", "--name", "running"],
        &["create", "--label", "keep=1", "--name", "kept"],
    ] {
        let command = if args.contains(&"running") {
            &["sleep", "100"][..]
        } else {
            &["true"]
        };
        let all: Vec<&str> = args
            .iter()
            .copied()
            .chain(["--network", "none"])
            .chain(flags.iter().copied())
            .chain(["localhost/busybox"])
            .chain(command.iter().copied())
            .collect();
        pair.ok(&all);
        pair.podman_ok(&all);
    }
}

#[test]
fn exists_exits_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("exists");
    let flags = pair.run_flags();
    let mut create = vec!["create", "--network", "none", "--name", "here"];
    create.extend(flags.iter().map(String::as_str));
    create.extend(["localhost/busybox", "true"]);
    pair.ok(&create);
    pair.podman_ok(&create);
    for (args, code) in [
        (&["container", "exists", "here"][..], 0),
        (&["container", "exists", "nope"], 1),
        (&["image", "exists", "localhost/busybox"], 0),
        (&["image", "exists", "busybox"], 0),
        (&["image", "exists", "localhost/nope"], 1),
    ] {
        let ours = pair.podctl(args);
        assert_eq!(ours.status.code(), Some(code), "podctl {args:?}");
        assert_eq!(
            pair.podman(args).status.code(),
            Some(code),
            "podman {args:?}"
        );
        assert!(ours.stdout.is_empty(), "{args:?} printed something");
    }
    pair.ok(&["rm", "-f", "here"]);
    assert_eq!(
        pair.podctl(&["container", "exists", "here"]).status.code(),
        Some(1)
    );
}

#[test]
fn container_prune_removes_what_podman_removes() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("cprune");
    containers(&pair);

    // Without --force: declined, or stdin at its end, removes nothing.
    for (answer, code) in [("n\n", 0), ("", 125)] {
        let ours = answered(podctl_command(&pair), &["container", "prune"], answer);
        let theirs = answered(pair.podman.command(), &["container", "prune"], answer);
        assert_eq!(ours.status.code(), Some(code), "answer {answer:?}");
        assert_eq!(
            theirs.status.code(),
            Some(code),
            "podman, answer {answer:?}"
        );
        assert_eq!(ours.stdout, theirs.stdout, "answer {answer:?}");
        if code == 125 {
            let last = |o: &Output| {
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .map(String::from)
            };
            assert_eq!(last(&ours), Some("Error: EOF".into()));
            assert_eq!(last(&theirs), last(&ours));
        }
    }
    let (ours, theirs) = names(&pair);
    assert_eq!(ours, ["created", "exited", "kept", "running"]);
    assert_eq!(ours, theirs);

    // A filter keeps the labelled one; the running one always stays. Answered yes.
    let args = ["container", "prune", "--filter", "label!=keep=1"];
    let ours = answered(podctl_command(&pair), &args, "y\n");
    let theirs = answered(pair.podman.command(), &args, "yes\n");
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert!(theirs.status.success());
    let ids = |o: &Output| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let mut lines: Vec<String> = hide_ids(&text).lines().map(String::from).collect();
        lines.sort();
        lines
    };
    assert_eq!(ids(&ours), ids(&theirs));
    assert_eq!(ids(&ours).iter().filter(|l| l.ends_with("<ID>")).count(), 2);
    let (ours, theirs) = names(&pair);
    assert_eq!(ours, ["kept", "running"]);
    assert_eq!(ours, theirs);

    let ours = pair.ok(&["container", "prune", "-f"]);
    let theirs = pair.podman_ok(&["container", "prune", "-f"]);
    assert_eq!(hide_ids(&ours), "<ID>\n");
    assert_eq!(hide_ids(&theirs), hide_ids(&ours));
    let (ours, theirs) = names(&pair);
    assert_eq!(ours, ["running"]);
    assert_eq!(ours, theirs);
    pair.ok(&["rm", "-f", "-t", "0", "running"]);
}

#[test]
fn image_and_system_prune_leave_what_podman_leaves() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("sprune");
    // Two more names for busybox.
    for engine_args in [
        &["tag", "localhost/busybox", "localhost/other"][..],
        &["tag", "localhost/busybox", "localhost/kept"],
    ] {
        pair.ok(engine_args);
        pair.podman_ok(engine_args);
    }
    containers(&pair);
    let images = |pair: &Pair| {
        let args = ["images", "--format", "{{.Repository}}:{{.Tag}}"];
        let sorted = |text: String| {
            let mut names: Vec<String> = text.lines().map(String::from).collect();
            names.sort();
            names
        };
        (sorted(pair.ok(&args)), sorted(pair.podman_ok(&args)))
    };

    // Nothing dangling: image prune removes nothing on either side.
    let ours = pair.ok(&["image", "prune", "-f"]);
    let theirs = pair.podman_ok(&["image", "prune", "-f"]);
    assert_eq!(ours, "");
    assert_eq!(theirs, ours);

    // system prune: the stopped containers go, the running one and its image stay.
    let args = ["system", "prune", "-f"];
    let ours = pair.ok(&args);
    let theirs = pair.podman_ok(&args);
    let shape = |text: &str| -> Vec<String> {
        hide_ids(text)
            .lines()
            .filter(|l| !l.starts_with("Total reclaimed space: "))
            .map(String::from)
            .collect()
    };
    assert_eq!(shape(&ours), shape(&theirs));
    assert_eq!(
        shape(&ours),
        ["Deleted Containers", "<ID>", "<ID>", "<ID>"],
        "{ours}"
    );
    assert!(
        ours.lines()
            .last()
            .unwrap()
            .starts_with("Total reclaimed space: ")
    );
    let (ours, theirs) = names(&pair);
    assert_eq!(ours, ["running"]);
    assert_eq!(ours, theirs);

    // -a: every image no container uses goes; busybox stays under all its names, as the
    // running container holds it.
    pair.ok(&["rm", "-f", "-t", "0", "running"]);
    pair.podman_ok(&["rm", "-f", "-t", "0", "running"]);
    let (ours, theirs) = images(&pair);
    assert_eq!(
        ours,
        [
            "localhost/busybox:latest",
            "localhost/kept:latest",
            "localhost/other:latest"
        ]
    );
    assert_eq!(ours, theirs);
    let ours = pair.ok(&["image", "prune", "-a", "-f"]);
    let theirs = pair.podman_ok(&["image", "prune", "-a", "-f"]);
    assert_eq!(hide_ids(&ours), "<ID>\n");
    assert_eq!(hide_ids(&theirs), hide_ids(&ours));
    let (ours, theirs) = images(&pair);
    assert!(ours.is_empty(), "{ours:?}");
    assert_eq!(ours, theirs);
    assert_eq!(
        pair.podctl(&["image", "exists", "localhost/busybox"])
            .status
            .code(),
        Some(1)
    );
}

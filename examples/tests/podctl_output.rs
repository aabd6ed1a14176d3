//! `ps`, `container ls` and `inspect` output (Go templates, filters, sorting) against the real
//! Podman 4.3's, on the same containers.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};

#[test]
fn ps_and_inspect_output_match_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("output");
    let flags = pair.run_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let containers: [&[&str]; 3] = [
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--label",
            "app=web",
            "localhost/busybox",
            "sleep",
            "100",
        ],
        &[
            "run",
            "--name",
            "done",
            "--label",
            "app=batch",
            "localhost/busybox",
            "sh",
            "-c",
            "exit 3",
        ],
        &["create", "--name", "idle", "localhost/busybox", "true"],
    ];
    for c in containers {
        let mut args = vec![c[0]];
        args.extend(&flags);
        args.extend(&c[1..]);
        let _ = pair.podctl(&args);
        let _ = pair.podman(&args);
    }
    let cases: &[&[&str]] = &[
        // (`.State` and `.Status` carry Podman's "Up 2 seconds ago": not compared.)
        &["ps", "--format", "{{.Names}} {{.Image}}"],
        &[
            "ps",
            "-a",
            "--sort",
            "names",
            "--format",
            "{{.Names}} {{.Command}}",
        ],
        &[
            "container",
            "ls",
            "-a",
            "--sort",
            "names",
            "--format",
            "{{.Names}}",
        ],
        &["ps", "-a", "--filter", "exited=3", "--format", "{{.Names}}"],
        &[
            "ps",
            "-a",
            "--filter",
            "status=created",
            "--format",
            "{{.Names}}",
        ],
        &[
            "ps",
            "-a",
            "--filter",
            "label=app=web",
            "--format",
            "{{.Names}}",
        ],
        &[
            "ps",
            "-a",
            "--sort",
            "names",
            "--filter",
            "label=app",
            "--format",
            "{{.Names}}",
        ],
        &["ps", "-a", "--filter", "name=don", "--format", "{{.Names}}"],
        &[
            "ps",
            "-a",
            "--sort",
            "names",
            "--filter",
            "since=done",
            "--format",
            "{{.Names}}",
        ],
        &[
            "ps",
            "-a",
            "--sort",
            "names",
            "--format",
            "{{upper .Names}} {{index .Labels \"app\"}}",
        ],
        &["ps", "-a", "-n", "1", "--format", "{{.Names}}"],
        &["ps", "--latest", "--format", "{{.Names}}"],
        &[
            "inspect",
            "--format",
            "{{.Name}} {{.State.Status}} {{.State.ExitCode}}",
            "web",
            "done",
        ],
        &[
            "inspect",
            "--format",
            "{{index .Config.Labels \"app\"}}",
            "web",
        ],
        &[
            "inspect",
            "--type",
            "container",
            "--format",
            "{{.State.Running}}",
            "web",
        ],
        &[
            "container",
            "inspect",
            "--format",
            "{{json .Config.Labels}}",
            "done",
        ],
    ];
    let mut failures = Vec::new();
    for args in cases {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        let (o, t) = (
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
        );
        if o != t || ours.status.code() != theirs.status.code() {
            failures.push(format!(
                "{args:?}:\n  podctl {:?} {o:?} {}\n  podman {:?} {t:?}",
                ours.status.code(),
                String::from_utf8_lossy(&ours.stderr).trim(),
                theirs.status.code()
            ));
        }
    }
    // The default table and its variants.
    let table = pair.ok(&["ps", "-a"]);
    assert!(table.starts_with("CONTAINER ID"), "{table}");
    assert_eq!(pair.ok(&["ps", "-a", "--noheading"]).lines().count(), 3);
    let id = pair.ok(&["ps", "-q", "--no-trunc"]);
    assert_eq!(id.trim().len(), 64);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    pair.ok(&["rm", "-a", "-f", "-t", "0"]);
    assert_eq!(pair.ok(&["ps", "-a", "-q"]), "");
}

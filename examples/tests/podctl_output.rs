//! `ps`, `container ls`, `inspect` and `logs` output (Go templates, filters, sorting), and
//! `--filter` on the lifecycle verbs, against the real Podman 4.3's, on the same containers.

mod common;

use common::pair::{Pair, hide_ids};
use libpod_testutil::{require_root, serial};

/// A table's cells (split at Podman's column gaps of two or more spaces), with container IDs
/// and ages (`3 seconds ago`) hidden.
fn table_cells(table: &str) -> Vec<Vec<String>> {
    let age = |cell: &str| {
        let Some(rest) = cell.strip_suffix(" ago") else {
            return cell.to_string();
        };
        let units = [
            "Less than a second",
            "About a minute",
            "second",
            "seconds",
            "minutes",
        ];
        match units.iter().find_map(|unit| rest.strip_suffix(unit)) {
            Some(before) => {
                let before = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
                format!("{before}<AGE>")
            }
            None => cell.to_string(),
        }
    };
    table
        .lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .map(
                    |cell| match cell.len() == 12 && cell.chars().all(|c| c.is_ascii_hexdigit()) {
                        true => "<ID>".to_string(),
                        false => age(cell),
                    },
                )
                .collect()
        })
        .collect()
}

#[test]
fn ps_and_inspect_output_match_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("output");
    let flags = pair.run_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let containers: [&[&str]; 4] = [
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
        &[
            "run",
            "--name",
            "talk",
            "localhost/busybox",
            "sh",
            "-c",
            "echo one; echo two; echo three >&2",
        ],
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
        // Podman 4.3 lists the containers oldest first, the last N too.
        &["ps", "-a", "--format", "{{.Names}}"],
        &["ps", "-a", "-n", "2", "--format", "{{.Names}}"],
        &["ps", "-a", "--sort", "created", "--format", "{{.Names}}"],
        &["ps", "-a", "--sort", "runningfor", "--format", "{{.Names}}"],
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
        // Lists and maps as Go prints them; actions that print nothing keep their meaning.
        &[
            "inspect",
            "--format",
            "{{.Config.Cmd}} {{.Config.Labels}} {{range .Config.Cmd}}<{{.}}>{{end}}",
            "done",
        ],
        &[
            "inspect",
            "--format",
            "{{$cmd := .Config.Cmd}}{{index $cmd 0}} {{join .Config.Cmd \",\"}}",
            "done",
        ],
        // No exec session: an empty list (a running one: exec.rs in libpod-core's tests).
        &[
            "inspect",
            "--format",
            "{{.ExecIDs}} {{len .ExecIDs}}",
            "web",
        ],
        &["logs", "talk"],
        &["logs", "--tail", "2", "talk"],
        &["logs", "--tail", "0", "talk"],
        &["container", "logs", "-n", "talk", "done"],
        &["logs", "--names", "--latest"],
        &["logs", "--until", "2000-01-01T00:00:00Z", "talk"],
        &["logs", "--since", "2000-01-01T00:00:00Z", "talk"],
    ];
    let mut failures = Vec::new();
    for args in cases {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        let (o, t) = (
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
        );
        // An inspect that both refuse would compare equal: it must succeed.
        let refused = args[0] == "inspect" && !theirs.status.success();
        if refused || o != t || ours.status.code() != theirs.status.code() {
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
    assert_eq!(pair.ok(&["ps", "-a", "--noheading"]).lines().count(), 4);
    let header = table.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("CONTAINER ID  IMAGE "),
        "Podman's tabwriter: {header}"
    );
    // Podman's default columns and their values, the IDs and ages hidden.
    let default = ["ps", "-a", "--sort", "names"];
    let (o, t) = (
        table_cells(&pair.ok(&default)),
        table_cells(&pair.podman_ok(&default)),
    );
    if o != t {
        failures.push(format!("ps -a:\n  podctl {o:?}\n  podman {t:?}"));
    }
    let id = pair.ok(&["ps", "-q", "--no-trunc"]);
    assert_eq!(id.trim().len(), 64);
    // Timestamps: Podman's format (nine digits), compared with the digits hidden.
    let digits = |o: std::process::Output| {
        String::from_utf8_lossy(&o.stdout).replace(|c: char| c.is_ascii_digit(), "0")
    };
    let (o, t) = (
        digits(pair.podctl(&["logs", "-t", "talk"])),
        digits(pair.podman(&["logs", "-t", "talk"])),
    );
    if o != t {
        failures.push(format!("logs -t: {o:?} vs {t:?}"));
    }
    // --filter on the lifecycle verbs (ps's keys; the containers are printed by ID).
    let verbs: &[&[&str]] = &[
        &["pause", "--filter", "name=web"],
        &["unpause", "-f", "name=web"],
        &["stop", "-t", "0", "--filter", "label=app=web"],
        &["start", "--filter", "name=idle"],
        &["restart", "-f", "name=nothing"],
        &["rm", "--filter", "exited=3"],
        &["stop", "--filter", "bogus=1"],
    ];
    for args in verbs {
        let (ours, theirs) = (pair.podctl(args), pair.podman(args));
        let (o, t) = (
            hide_ids(&String::from_utf8_lossy(&ours.stdout)),
            hide_ids(&String::from_utf8_lossy(&theirs.stdout)),
        );
        if o != t || ours.status.code() != theirs.status.code() {
            failures.push(format!(
                "{args:?}: podctl {:?} {o:?} vs podman {:?} {t:?}",
                ours.status.code(),
                theirs.status.code()
            ));
        }
    }
    assert_eq!(
        pair.ok(&["ps", "-a", "--sort", "names", "--format", "{{.Names}}"]),
        "idle\ntalk\nweb\n",
        "rm --filter exited=3 removed done"
    );
    // A rename keeps a container's place (its creation time orders it).
    pair.ok(&["rename", "idle", "aidle"]);
    let _ = pair.podman(&["rename", "idle", "aidle"]);
    let args = ["ps", "-a", "--format", "{{.Names}}"];
    let (o, t) = (pair.ok(&args), pair.podman(&args));
    let t = String::from_utf8_lossy(&t.stdout);
    if o != t || o != "web\naidle\ntalk\n" {
        failures.push(format!(
            "ps -a after a rename: podctl {o:?} vs podman {t:?}"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    pair.ok(&["rm", "-a", "-f", "-t", "0"]);
    assert_eq!(pair.ok(&["ps", "-a", "-q"]), "");
}

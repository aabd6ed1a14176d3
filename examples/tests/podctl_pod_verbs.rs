//! The pod verbs' selection flags beside the real Podman 4.3, with conmon, runc and
//! catatonit: `-a`, `-l`, `--pod-id-file` and `-i` on `pod start/stop/kill/restart/pause/
//! unpause/rm`, `pod stats -a/-l/--no-reset`, `pod top -l`, with Podman's refusals (words
//! and exit codes, `pod rm`'s 1 for a missing pod); `pod create --pod-id-file`,
//! `--label-file` and `--replace`; `create --pod-id-file`. The pods have no network; a guard
//! removes both sides' pods even when an assertion fails.

mod common;

use common::pair::{Pair, error_lines};
use libpod_testutil::{require_root, serial};
use std::process::Output;

/// Removes both sides' pods and containers, even when an assertion fails. Dropped before the
/// [`Pair`].
struct Cleanup<'p>(&'p Pair);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for args in [
            &["pod", "rm", "-a", "-f", "-t", "0"][..],
            &["rm", "-a", "-f"],
        ] {
            let _ = self.0.podctl(args);
            let _ = self.0.podman(args);
        }
    }
}

/// Both sides' outcomes of `args`, with `DIR` replaced by each side's own directory.
fn both(pair: &Pair, args: &[&str]) -> (Output, Output) {
    let side = |who: &str| -> Vec<String> {
        let dir = pair.dir().join(who);
        std::fs::create_dir_all(&dir).unwrap();
        args.iter()
            .map(|a| a.replace("DIR", &dir.display().to_string()))
            .collect()
    };
    let (o, t) = (side("ours"), side("theirs"));
    let o: Vec<&str> = o.iter().map(String::as_str).collect();
    let t: Vec<&str> = t.iter().map(String::as_str).collect();
    (pair.podctl(&o), pair.podman(&t))
}

/// `args` on both sides, which must succeed: (podctl's stdout, Podman's).
fn both_ok(pair: &Pair, args: &[&str]) -> (String, String) {
    let (o, t) = both(pair, args);
    for (who, out) in [("podctl", &o), ("podman", &t)] {
        assert!(
            out.status.success(),
            "{who} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(t.stdout).unwrap(),
    )
}

/// Each `args` refused on both sides with the same exit code and words (each side's
/// directory written `DIR`); the mismatches.
fn refusals(pair: &Pair, cases: &[&[&str]]) -> Vec<String> {
    let errors = |who: &str, out: &Output| -> Vec<String> {
        let dir = pair.dir().join(who).display().to_string();
        error_lines(&out.stderr)
            .iter()
            .map(|l| l.replace(&dir, "DIR"))
            .collect()
    };
    let mut failures = Vec::new();
    for args in cases {
        let (o, t) = both(pair, args);
        let (oe, te) = (errors("ours", &o), errors("theirs", &t));
        if o.status.success() || o.status.code() != t.status.code() || oe != te {
            failures.push(format!(
                "{args:?}: podctl {:?} {oe:?} vs podman {:?} {te:?}",
                o.status.code(),
                t.status.code(),
            ));
        }
    }
    failures
}

/// The pod's ID on each side.
fn ids(pair: &Pair, pod: &str) -> (String, String) {
    both_ok(pair, &["pod", "inspect", "--format", "{{.ID}}", pod])
}

/// Lines, sorted.
fn sorted(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

#[test]
fn pod_verbs_select_pods_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("podverbs");
    let _cleanup = Cleanup(&pair);
    let cg = pair.cgroup.0.clone();

    // With no pods: the checks, and -a/-l on nothing.
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for verb in ["start", "stop", "kill", "restart", "pause", "unpause", "rm"] {
        cases.push(vec!["pod", verb]);
        cases.push(vec!["pod", verb, "-a", "-l"]);
        cases.push(vec!["pod", verb, "-a", "x"]);
        cases.push(vec!["pod", verb, "-l"]);
        cases.push(vec!["pod", verb, "nosuch"]);
    }
    for verb in ["start", "stop", "rm"] {
        cases.push(vec!["pod", verb, "--pod-id-file", "DIR/id", "-a"]);
        cases.push(vec!["pod", verb, "--pod-id-file", "DIR/id", "x"]);
        cases.push(vec!["pod", verb, "--pod-id-file", "DIR/nonexistent"]);
        cases.push(vec!["pod", verb, "-l", "x"]);
    }
    cases.extend([
        vec!["pod", "stop", "-i", "-a", "x"],
        vec!["pod", "stats", "-a", "x"],
        vec!["pod", "stats", "-a", "-l"],
        vec!["pod", "stats", "-l", "--no-stream"],
        vec!["pod", "top"],
        vec!["pod", "top", "-l"],
        vec!["pod", "top", "nosuch"],
    ]);
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    let failures = refusals(&pair, &cases);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for args in [
        &["pod", "start", "-a"][..],
        &["pod", "kill", "-a"],
        &["pod", "rm", "-a", "-i"],
        &["pod", "stop", "-i", "nosuch"],
        &["pod", "rm", "-i", "nosuch"],
    ] {
        assert_eq!(
            both_ok(&pair, args),
            (String::new(), String::new()),
            "{args:?}"
        );
    }

    // Two pods, the first one's ID written to a file; a container in each.
    for (name, extra) in [("p1", &["--pod-id-file", "DIR/p1.id"][..]), ("p2", &[])] {
        let mut args = vec!["pod", "create", "--network", "none", "--cgroup-parent", &cg];
        args.extend(["--name", name]);
        args.extend(extra);
        let (o, t) = both_ok(&pair, &args);
        if name == "p1" {
            let file = |who| std::fs::read_to_string(pair.dir().join(who).join("p1.id")).unwrap();
            assert_eq!(file("ours"), o.trim());
            assert_eq!(file("theirs"), t.trim());
        }
        both_ok(
            &pair,
            &[
                "create",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--pod",
                name,
                "--name",
                &format!("{name}-c"),
                "localhost/busybox",
                "sleep",
                "1000",
            ],
        );
    }
    let (p1, p1_theirs) = ids(&pair, "p1");
    let (p2, p2_theirs) = ids(&pair, "p2");
    let status = |pair: &Pair| both_ok(pair, &["pod", "ps", "--format", "{{.Name}} {{.Status}}"]);

    // --pod-id-file: that pod; -l: the latest (p2); -a: both.
    let (o, t) = both_ok(&pair, &["pod", "start", "--pod-id-file", "DIR/p1.id"]);
    assert_eq!((o, t), (p1.clone(), p1_theirs.clone()));
    let (o, t) = both_ok(&pair, &["pod", "start", "-l"]);
    assert_eq!((o, t), (p2.clone(), p2_theirs.clone()));
    let (o, t) = status(&pair);
    assert_eq!(sorted(&o), sorted(&t));
    assert_eq!(sorted(&o), ["p1 Running", "p2 Running"]);

    // pod top -l: the latest pod's processes, descriptors after it.
    let (o, t) = both_ok(&pair, &["pod", "top", "-l", "pid", "args"]);
    let rows = |text: &str| -> Vec<String> {
        sorted(text)
            .iter()
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(rows(&o), rows(&t));
    assert!(o.contains("sleep 1000"), "{o}");
    // pod stats -l and -a --no-reset: the latest pod's running containers, everyone's.
    // (Podman 4.3 prints a header row above any template's rows, as podctl does: counted
    // are the rows.)
    let stats = |args: &[&str]| {
        let mut full = vec![
            "pod",
            "stats",
            "--no-stream",
            "--format",
            "{{.Pod}} {{.Name}}",
        ];
        full.extend(args);
        let (o, t) = both_ok(&pair, &full);
        assert_eq!(o.lines().next(), t.lines().next(), "the header row");
        assert_eq!(o.lines().next(), Some("POD NAME"));
        let rows = |text: &str| {
            text.lines()
                .filter_map(|l| l.split(' ').next())
                .filter(|id| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()))
                .count()
        };
        (rows(&o), rows(&t), o)
    };
    let (o, t, text) = stats(&["-l"]);
    assert_eq!((o, t), (2, 2), "infra and member");
    assert!(
        text.lines()
            .skip(1)
            .all(|l| p2.starts_with(l.split(' ').next().unwrap())),
        "{text}"
    );
    let (o, t, _) = stats(&["-a", "--no-reset"]);
    assert_eq!((o, t), (4, 4));

    for verb in ["pause", "unpause", "restart"] {
        let (o, t) = both_ok(&pair, &["pod", verb, "-l"]);
        assert_eq!((o, t), (p2.clone(), p2_theirs.clone()), "{verb}");
    }
    let (o, t) = both_ok(&pair, &["pod", "stop", "-a", "-t", "0"]);
    assert_eq!(sorted(&o), sorted(&format!("{p1}{p2}")));
    assert_eq!(sorted(&t), sorted(&format!("{p1_theirs}{p2_theirs}")));
    let (o, t) = both_ok(&pair, &["pod", "stop", "-i", "-t", "0", "nosuch", "p1"]);
    assert_eq!((o, t), (p1.clone(), p1_theirs.clone()));
    both_ok(&pair, &["pod", "start", "-a"]);
    let (o, t) = both_ok(&pair, &["pod", "kill", "-a"]);
    assert_eq!(sorted(&o), sorted(&format!("{p1}{p2}")));
    assert_eq!(sorted(&t), sorted(&format!("{p1_theirs}{p2_theirs}")));

    // A missing pod fails the command before any pod is acted on; rm exits 1 then (0 with
    // -f, having removed none: Podman 4.3's); -i acts on the others.
    let failures = refusals(
        &pair,
        &[
            &["pod", "rm", "nosuch", "p1"],
            &["pod", "stop", "p1", "nosuch"],
        ],
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        both_ok(&pair, &["pod", "rm", "-f", "nosuch", "p1"]),
        (String::new(), String::new())
    );
    let (o, t) = status(&pair);
    assert_eq!(sorted(&o), sorted(&t));
    assert_eq!(sorted(&o), ["p1 Exited", "p2 Exited"]);
    let (o, t) = both_ok(&pair, &["pod", "rm", "-f", "--pod-id-file", "DIR/p1.id"]);
    assert_eq!((o, t), (p1, p1_theirs));
    let (o, t) = both_ok(&pair, &["pod", "rm", "-f", "-i", "-l", "-t", "0"]);
    assert_eq!((o, t), (p2, p2_theirs));
    assert_eq!(status(&pair), (String::new(), String::new()));
}

#[test]
fn pod_create_id_file_label_file_and_replace_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("podcreatef");
    let _cleanup = Cleanup(&pair);
    let cg = pair.cgroup.0.clone();
    for who in ["ours", "theirs"] {
        let dir = pair.dir().join(who);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("labels"),
            "# a comment\nk1=v1\n\n  k2=two words\nunset_in_env_LPF\nk3=a=b\n",
        )
        .unwrap();
    }
    let create = |extra: &[&str]| -> Vec<String> {
        ["pod", "create", "--network", "none", "--cgroup-parent", &cg]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let args = create(&[
        "--name",
        "lp",
        "--label-file",
        "DIR/labels",
        "--label",
        "k1=over",
        "--pod-id-file",
        "DIR/lp.id",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (o, t) = both_ok(&pair, &args);
    for (who, id) in [("ours", &o), ("theirs", &t)] {
        let file = pair.dir().join(who).join("lp.id");
        assert_eq!(std::fs::read_to_string(file).unwrap(), id.trim(), "{who}");
    }
    let labels = both_ok(
        &pair,
        &["pod", "inspect", "--format", "{{json .Labels}}", "lp"],
    );
    assert_eq!(labels.0, labels.1);
    assert_eq!(
        labels.0,
        "{\"k1\":\"over\",\"k2\":\"two words\",\"k3\":\"a=b\"}\n"
    );

    // A container joins the pod the file names.
    let member = [
        "create",
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
        "--pod-id-file",
        "DIR/lp.id",
        "--name",
        "lpc",
        "localhost/busybox",
        "true",
    ];
    both_ok(&pair, &member);
    let (o, t) = both_ok(&pair, &["inspect", "--format", "{{.Pod}}", "lpc"]);
    assert_eq!(
        (o.trim(), t.trim()),
        (ids(&pair, "lp").0.trim(), ids(&pair, "lp").1.trim())
    );

    // Refusals: the same words and exit codes.
    let mut cases: Vec<Vec<String>> = vec![
        create(&["--name", "lp", "--pod-id-file", "DIR/lp.id"]),
        create(&["--name", "lp"]),
        create(&["--replace"]),
        create(&["--label-file", "DIR/nonexistent"]),
    ];
    cases.push(
        [
            "create",
            "--pod",
            "lp",
            "--pod-id-file",
            "DIR/lp.id",
            "localhost/busybox",
        ]
        .map(String::from)
        .to_vec(),
    );
    cases.push(
        [
            "create",
            "--pod-id-file",
            "DIR/nonexistent",
            "localhost/busybox",
        ]
        .map(String::from)
        .to_vec(),
    );
    let cases: Vec<Vec<&str>> = cases
        .iter()
        .map(|c| c.iter().map(String::as_str).collect())
        .collect();
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    let failures = refusals(&pair, &cases);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // --replace: the old pod (and its container) gone, a new one under the name.
    let old = ids(&pair, "lp");
    let args = create(&["--name", "lp", "--replace"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (o, t) = both_ok(&pair, &args);
    assert_eq!((o.clone(), t.clone()), ids(&pair, "lp"));
    assert_ne!((o, t), old);
    let (o, t) = both_ok(&pair, &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!o.contains("lpc") && !t.contains("lpc"), "{o}{t}");
}

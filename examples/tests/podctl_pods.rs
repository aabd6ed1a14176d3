//! `pod ps` and `pod inspect` beside the real Podman 4.3, on pods made with the same flags on
//! both sides (with conmon, runc and catatonit; no network: `--network none`, and a pod
//! publishing a port that is never started): templates, filters, sorting, the default
//! columns, `-q`, `--no-trunc`, the JSON's keys and value kinds, the errors and exit codes;
//! and `create --pod` with a port of its own refused in Podman's words.

mod common;

use common::pair::{Pair, error_lines};
use libpod_testutil::{require_root, serial};
use serde_json::Value;
use std::collections::BTreeSet;

/// Removes both sides' pods even when an assertion fails (Podman's own cleanup removes
/// containers, which a pod's infra container refuses). Dropped before the [`Pair`].
struct RemovePods<'p>(&'p Pair);

impl Drop for RemovePods<'_> {
    fn drop(&mut self) {
        let args = ["pod", "rm", "-a", "-f", "-t", "0"];
        let _ = self.0.podctl(&args);
        let _ = self.0.podman(&args);
    }
}

/// A JSON value's shape: its keys (recursively) and the kind of each leaf, so that two
/// engines' outputs compare without their IDs, times and addresses.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(list) => Value::Array(list.iter().take(1).map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => Value::Null,
    }
}

/// The words of a line split at runs of two or more spaces (a table's cells).
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// Output lines with each comma-separated list sorted: Podman lists a pod's containers in
/// its database's order (by ID), which differs between the two engines' random IDs.
fn sorted_lists(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.split(' ')
                .map(|word| {
                    let mut items: Vec<&str> = word.split(',').collect();
                    items.sort();
                    items.join(",")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `name-infra` for the 12-digit prefix Podman and podctl name infra containers with.
fn hide_infra(text: &str) -> String {
    let re = regex::Regex::new("[0-9a-f]{12}-infra").unwrap();
    re.replace_all(text, "<ID>-infra").into_owned()
}

#[test]
fn pod_ps_and_inspect_print_what_podman_prints() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("pods");
    let _remove = RemovePods(&pair);
    let cg = pair.cgroup.0.clone();
    let pods: [&[&str]; 3] = [
        &[
            "--name",
            "web",
            "--label",
            "app=web",
            "--hostname",
            "webhost",
        ],
        &[
            "--name",
            "idle",
            "--label",
            "app=batch",
            "--label",
            "tier=back",
        ],
        &["--name", "solo", "--share", "ipc,uts,pid"],
    ];
    for flags in pods {
        let mut args = vec!["pod", "create", "--network", "none", "--cgroup-parent", &cg];
        args.extend(flags);
        pair.ok(&args);
        pair.podman_ok(&args);
    }
    let members: [&[&str]; 3] = [
        &[
            "--pod",
            "web",
            "--name",
            "web-a",
            "localhost/busybox",
            "sleep",
            "100",
        ],
        &[
            "--pod",
            "web",
            "--name",
            "web-b",
            "localhost/busybox",
            "sleep",
            "100",
        ],
        &[
            "--pod",
            "idle",
            "--name",
            "idle-a",
            "localhost/busybox",
            "true",
        ],
    ];
    for flags in members {
        let mut args = vec![
            "create",
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
        ];
        args.extend(flags);
        pair.ok(&args);
        pair.podman_ok(&args);
    }
    pair.ok(&["pod", "start", "web"]);
    pair.podman_ok(&["pod", "start", "web"]);

    let cases: &[&[&str]] = &[
        &[
            "pod",
            "ps",
            "--format",
            "{{.Name}} {{.Status}} {{.NumberOfContainers}}",
        ],
        &[
            "pod",
            "ls",
            "--sort",
            "name",
            "--format",
            "{{.Name}} {{index .Labels \"app\"}}",
        ],
        &["pod", "list", "--sort", "number", "--format", "{{.Name}}"],
        &[
            "pod",
            "ps",
            "--sort",
            "id",
            "--format",
            "{{len .Id}} {{len .InfraId}} {{len .ID}}",
        ],
        &[
            "pod",
            "ps",
            "--no-trunc",
            "--format",
            "{{len .Id}} {{len .InfraID}}",
        ],
        &["pod", "ps", "--sort", "status", "--format", "{{.Status}}"],
        &["pod", "ps", "--filter", "name=^w", "--format", "{{.Name}}"],
        &[
            "pod",
            "ps",
            "--filter",
            "name=o",
            "--sort",
            "name",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "label=app=batch",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "label=app",
            "--sort",
            "name",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "label=app",
            "--filter",
            "label=tier",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "status=running",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "status=created",
            "--filter",
            "status=running",
            "--sort",
            "name",
            "--format",
            "{{.Name}}",
        ],
        // (Podman 4.3 matches `ctr-names` against the first container by ID only: which one
        // that is differs between the engines, so only what matches all or none compares.)
        &[
            "pod",
            "ps",
            "--filter",
            "ctr-names=.",
            "--sort",
            "name",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "ctr-names=^nomatch$",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "ctr-status=created",
            "--sort",
            "name",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "ctr-status=running",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "ctr-number=3",
            "--format",
            "{{.Name}}",
        ],
        &[
            "pod",
            "ps",
            "--filter",
            "until=2000-01-01T00:00:00Z",
            "--format",
            "{{.Name}}",
        ],
        &["pod", "ps", "--filter", "status=bogus"],
        &["pod", "ps", "--filter", "ctr-status=bogus"],
        &["pod", "ps", "--filter", "bogus=1"],
        &["pod", "ps", "--filter", "name"],
        &["pod", "ps", "--sort", "bogus"],
        &["pod", "ps", "-q", "--format", "{{.Name}}"],
        &["pod", "ps", "--latest", "--format", "{{.Name}}"],
        &[
            "pod",
            "inspect",
            "--format",
            "{{.Name}} {{.State}} {{.NumContainers}} {{.Hostname}} {{.CreateInfra}} {{.CreateCgroup}} {{.ExitPolicy}}",
            "web",
        ],
        &[
            "pod",
            "inspect",
            "--format",
            "{{len .ID}} {{.InfraConfig.HostNetwork}} {{.InfraConfig.PidNS}}",
            "solo",
        ],
        &[
            "pod",
            "inspect",
            "--format",
            "{{index .Labels \"tier\"}} {{.State}}",
            "idle",
        ],
        &["pod", "inspect", "nosuch"],
    ];
    let mut failures = Vec::new();
    for args in cases {
        let (ours, theirs) = (pair.podctl(args), pair.podman(args));
        let (o, t) = (
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
        );
        let (oe, te) = (error_lines(&ours.stderr), error_lines(&theirs.stderr));
        if o != t || ours.status.code() != theirs.status.code() || oe != te {
            failures.push(format!(
                "{args:?}:\n  podctl {:?} {o:?} {oe:?}\n  podman {:?} {t:?} {te:?}",
                ours.status.code(),
                theirs.status.code()
            ));
        }
    }
    // The containers' names, IDs and states, compared as sets (their order is by ID).
    let lists: &[&[&str]] = &[
        &[
            "pod",
            "ps",
            "--sort",
            "name",
            "--format",
            "{{.Name}} {{.ContainerNames}} {{.ContainerStatuses}}",
        ],
        &[
            "pod",
            "ps",
            "--sort",
            "name",
            "--format",
            "{{.Name}} {{len .ContainerIds}}",
        ],
    ];
    for args in lists {
        let (o, t) = (
            sorted_lists(&hide_infra(&pair.ok(args))),
            sorted_lists(&hide_infra(&pair.podman_ok(args))),
        );
        if o != t {
            failures.push(format!("{args:?}:\n  podctl {o:?}\n  podman {t:?}"));
        }
    }
    // The default tables: the same columns, one row per pod.
    for flags in [
        &[][..],
        &["--ctr-names"],
        &["--ctr-ids", "--ctr-status"],
        &["--ns"],
    ] {
        let mut args = vec!["pod", "ps"];
        args.extend(flags);
        let (o, t) = (pair.ok(&args), pair.podman_ok(&args));
        let header = |text: &str| cells(text.lines().next().unwrap_or_default());
        if header(&o) != header(&t) || o.lines().count() != t.lines().count() {
            failures.push(format!("{args:?}:\n  podctl {o:?}\n  podman {t:?}"));
        }
        args.push("--noheading");
        if pair.ok(&args).lines().count() != 3 {
            failures.push(format!("{args:?}: not one line per pod"));
        }
    }
    // Docker's `{{.Id}}` as the whole format is `{{.ID}}`.
    let id = pair.ok(&["pod", "inspect", "--format", "{{.Id}}", "solo"]);
    assert_eq!(id.trim().len(), 64, "{id}");
    let quiet = pair.ok(&["pod", "ps", "-q"]);
    let podman_quiet = pair.podman_ok(&["pod", "ps", "-q"]);
    let lengths = |text: &str| text.lines().map(str::len).collect::<Vec<_>>();
    if lengths(&quiet) != lengths(&podman_quiet) {
        failures.push(format!("-q: {quiet:?} vs {podman_quiet:?}"));
    }

    // JSON: the same keys and value kinds; the same values where they do not depend on IDs,
    // times or the engine.
    let json = |out: String| -> Value { serde_json::from_str(&out).unwrap() };
    let ps_args = ["pod", "ps", "--sort", "name", "--format", "json"];
    let (ours, theirs) = (json(pair.ok(&ps_args)), json(pair.podman_ok(&ps_args)));
    for (o, t) in ours
        .as_array()
        .unwrap()
        .iter()
        .zip(theirs.as_array().unwrap())
    {
        if shape(o) != shape(t) {
            failures.push(format!("pod ps json: {o:#} vs {t:#}"));
        }
        for key in ["Name", "Status", "Labels", "Namespace", "Networks"] {
            if o[key] != t[key] {
                failures.push(format!("pod ps json {key}: {} vs {}", o[key], t[key]));
            }
        }
        let states = |v: &Value| -> BTreeSet<String> {
            v["Containers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["Status"].to_string())
                .collect()
        };
        if states(o) != states(t) {
            failures.push(format!("pod ps json container states: {o} vs {t}"));
        }
    }
    for pod in ["web", "idle", "solo"] {
        let (o, t) = (
            json(pair.ok(&["pod", "inspect", pod])),
            json(pair.podman_ok(&["pod", "inspect", pod])),
        );
        if shape(&o) != shape(&t) {
            failures.push(format!("pod inspect {pod}: {o:#}\n  vs {t:#}"));
        }
        for key in [
            "Name",
            "State",
            "Hostname",
            "Labels",
            "CreateCgroup",
            "CgroupParent",
            "CreateInfra",
            "SharedNamespaces",
            "NumContainers",
            "ExitPolicy",
        ] {
            // (Podman lists the shared namespaces in a Go map's random order.)
            let sorted = |v: &Value| match v {
                Value::Array(list) => {
                    let mut list = list.clone();
                    list.sort_by_key(Value::to_string);
                    Value::Array(list)
                }
                other => other.clone(),
            };
            if sorted(&o[key]) != sorted(&t[key]) {
                failures.push(format!("pod inspect {pod} {key}: {} vs {}", o[key], t[key]));
            }
        }
    }

    // A member cannot publish its own port when the pod shares its network.
    let own_port = [
        "create",
        "--pod",
        "web",
        "-p",
        "8080:80",
        "localhost/busybox",
        "true",
    ];
    let (ours, theirs) = (pair.podctl(&own_port), pair.podman(&own_port));
    assert_eq!(ours.status.code(), Some(125));
    assert_eq!(
        error_lines(&ours.stderr),
        error_lines(&theirs.stderr),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    // ... nor join a network, but with `--network` it has a network of its own (Podman 4.3
    // takes that, ports and all).
    for args in [
        &[
            "create",
            "--pod",
            "web",
            "--ip",
            "10.88.0.9",
            "localhost/busybox",
            "true",
        ][..],
        &[
            "create",
            "--pod",
            "web",
            "--network",
            "none",
            "localhost/busybox",
            "true",
        ],
        &[
            "create",
            "--pod",
            "web",
            "--network",
            "bridge",
            "-p",
            "8080:80",
            "localhost/busybox",
            "true",
        ],
    ] {
        let (ours, theirs) = (pair.podctl(args), pair.podman(args));
        if ours.status.code() != theirs.status.code()
            || error_lines(&ours.stderr) != error_lines(&theirs.stderr)
        {
            failures.push(format!(
                "{args:?}: podctl {:?} {:?} vs podman {:?} {:?}",
                ours.status.code(),
                error_lines(&ours.stderr),
                theirs.status.code(),
                error_lines(&theirs.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    for args in [
        &["pod", "rm", "-f", "-t", "0", "web", "idle"][..],
        &["pod", "rm", "solo"],
    ] {
        pair.ok(args);
        pair.podman_ok(args);
    }
    assert_eq!(pair.ok(&["pod", "ps", "-q"]), "");
    assert_eq!(pair.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn a_pods_published_ports_show_in_inspect_as_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("podports");
    let _remove = RemovePods(&pair);
    let cg = pair.cgroup.0.clone();
    let create = [
        "pod",
        "create",
        "--name",
        "pub",
        "--cgroup-parent",
        &cg,
        "-p",
        "127.0.0.1:18080:80",
        "-p",
        "9090:90/udp",
    ];
    pair.ok(&create);
    pair.podman_ok(&create);
    let (o, t) = (
        pair.ok(&["pod", "inspect", "pub"]),
        pair.podman_ok(&["pod", "inspect", "pub"]),
    );
    let (o, t): (Value, Value) = (
        serde_json::from_str(&o).unwrap(),
        serde_json::from_str(&t).unwrap(),
    );
    assert_eq!(
        o["InfraConfig"]["PortBindings"],
        t["InfraConfig"]["PortBindings"]
    );
    assert_eq!(
        shape(&o["InfraConfig"]),
        shape(&t["InfraConfig"]),
        "{o:#}\n{t:#}"
    );
    // Each side's default network (podctl's `libpod`, Podman's `podman`).
    assert_eq!(o["InfraConfig"]["Networks"], serde_json::json!(["libpod"]));
    assert_eq!(t["InfraConfig"]["Networks"], serde_json::json!(["podman"]));
    let networks = ["pod", "ps", "--format", "{{.Networks}}"];
    assert_eq!(pair.ok(&networks), "libpod\n");
    assert_eq!(pair.podman_ok(&networks), "podman\n");
    // Ports need an infra container and a bridge: refused in Podman's words.
    for refused in [
        &[
            "pod",
            "create",
            "--name",
            "bare",
            "--infra=false",
            "-p",
            "8081:80",
        ][..],
        &[
            "pod",
            "create",
            "--name",
            "bare",
            "--infra=false",
            "--network",
            "none",
        ],
        &[
            "pod",
            "create",
            "--name",
            "none",
            "--network",
            "none",
            "-p",
            "8081:80",
        ],
    ] {
        let (ours, theirs) = (pair.podctl(refused), pair.podman(refused));
        assert_eq!(ours.status.code(), Some(125), "{refused:?}");
        assert_eq!(ours.status.code(), theirs.status.code(), "{refused:?}");
        assert_eq!(
            error_lines(&ours.stderr),
            error_lines(&theirs.stderr),
            "{refused:?}"
        );
    }
}

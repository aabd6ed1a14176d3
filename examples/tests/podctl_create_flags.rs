//! `podctl create` flags against the real Podman 4.3's: for each flag set, the fields of the
//! generated config.json that the flags decide must be Podman's; and a container's own view
//! of a run with many flags at once.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};
use serde_json::Value;

/// Flags, and the JSON pointers into config.json they decide.
const CASES: &[(&[&str], &[&str])] = &[
    (
        &[
            "--cpus",
            "1.5",
            "-c",
            "512",
            "--cpuset-cpus",
            "0",
            "--cpuset-mems",
            "0",
        ],
        &["/linux/resources/cpu"],
    ),
    (
        &["--cpu-period", "50000", "--cpu-quota", "25000"],
        &["/linux/resources/cpu"],
    ),
    (
        &[
            "-m",
            "64m",
            "--memory-reservation",
            "32m",
            "--memory-swap",
            "128m",
            "--memory-swappiness",
            "10",
        ],
        &["/linux/resources/memory"],
    ),
    (
        &[
            "--oom-kill-disable",
            "--oom-score-adj",
            "100",
            "--pids-limit",
            "50",
        ],
        &[
            "/linux/resources/memory/disableOOMKiller",
            "/process/oomScoreAdj",
            "/linux/resources/pids",
        ],
    ),
    (
        &["--group-add", "10", "--group-add", "20", "-u", "1000:1000"],
        &["/process/user"],
    ),
    (
        &["--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN"],
        &["/process/capabilities/bounding"],
    ),
    (
        &[
            "--read-only",
            "--read-only-tmpfs=false",
            "--security-opt",
            "no-new-privileges",
        ],
        &["/root/readonly", "/process/noNewPrivileges"],
    ),
    (
        &["--sysctl", "net.ipv4.ip_forward=1", "--shm-size", "1m"],
        &["/linux/sysctl"],
    ),
    (
        &[
            "--pid",
            "host",
            "--ipc",
            "host",
            "--uts",
            "host",
            "--cgroupns",
            "host",
        ],
        &["/linux/namespaces"],
    ),
    (
        &[
            "-e",
            "A=1",
            "--env",
            "B=2",
            "-w",
            "/tmp",
            "--entrypoint",
            "[\"/bin/sh\",\"-c\"]",
            "--annotation",
            "k=v",
        ],
        &[
            "/process/env",
            "/process/cwd",
            "/process/args",
            "/annotations/k",
        ],
    ),
    (
        &["-h", "myhost", "--tty", "--stop-signal", "SIGINT"],
        &["/hostname", "/process/terminal"],
    ),
    (
        &["--ulimit", "nofile=512:512", "--ulimit", "nproc=1024:1024"],
        &["/process/rlimits"],
    ),
];

fn pointer(doc: &Value, path: &str) -> Value {
    let mut v = doc.pointer(path).cloned().unwrap_or(Value::Null);
    // Order that Podman takes from Go map iteration does not matter.
    if let Value::Array(items) = &mut v {
        // The default HOSTNAME is the container's short ID.
        items.retain(|i| !i.as_str().is_some_and(|s| s.starts_with("HOSTNAME=")));
        items.sort_by_key(|i| i.to_string());
    }
    // Podman 4.3 adds --group-add groups after the user's own group in
    // an order that varies run to run (about one run in six here).
    if let Some(Value::Array(gids)) = v.get_mut("additionalGids")
        && let Some((_, added)) = gids.split_first_mut()
    {
        added.sort_by_key(|g| g.as_u64());
    }
    v
}

#[test]
fn create_flags_give_podmans_config_json() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("flags");
    let mut failures = Vec::new();
    let run_flags = pair.run_flags();
    for (flags, pointers) in CASES {
        let mut args = vec!["create", "--network", "none"];
        args.extend(
            run_flags
                .iter()
                .map(String::as_str)
                .filter(|_| !flags.contains(&"--ulimit")),
        );
        if flags.contains(&"--ulimit") {
            args.extend(["--cgroup-parent", pair.cgroup.0.as_str()]);
        }
        args.extend(flags.iter());
        args.extend(["localhost/busybox", "true"]);
        let theirs = pair.podman.create_and_init(&args[1..]).unwrap();
        let id = pair.ok(&args).trim().to_string();
        pair.ok(&["init", &id]);
        let inspect: Value = serde_json::from_str(&pair.ok(&["inspect", &id])).unwrap();
        let path = inspect[0]["OCIConfigPath"].as_str().unwrap();
        let ours: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for p in *pointers {
            let (o, t) = (pointer(&ours, p), pointer(&theirs, p));
            if o != t {
                failures.push(format!("{flags:?} {p}:\n  podctl {o}\n  podman {t}"));
            }
        }
        pair.ok(&["rm", "-f", &id]);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_run_with_many_flags_sees_them() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("flags-run");
    let env_file = pair.dir().join("env");
    std::fs::write(&env_file, "# comment\nFROM_FILE=yes\n").unwrap();
    let label_file = pair.dir().join("labels");
    std::fs::write(&label_file, "from=file\n").unwrap();
    let cidfile = pair.dir().join("cid");
    let run_flags = pair.run_flags();
    let mut args = vec!["run", "--rm"];
    args.extend(run_flags.iter().map(String::as_str));
    let env_file_arg = env_file.to_str().unwrap();
    let label_file_arg = label_file.to_str().unwrap();
    let cidfile_arg = cidfile.to_str().unwrap();
    args.extend([
        "--env-file", env_file_arg,
        "--label-file", label_file_arg,
        "--cidfile", cidfile_arg,
        "-h", "inside",
        "--group-add", "10",
        "-u", "1000",
        "--read-only",
        "--shm-size", "2m",
        "--tmpfs", "/scratch",
        "localhost/busybox",
        "sh", "-c",
        "echo $FROM_FILE; hostname; id -G; touch /tmp/ok && echo tmp-writable; touch /x 2>/dev/null || echo root-ro; df -k /dev/shm | tail -1 | awk '{print $2}'",
    ]);
    let out = pair.ok(&args);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[..2], ["yes", "inside"], "{out}");
    assert!(
        lines[2].split(' ').any(|g| g == "10"),
        "--group-add 10: {out}"
    );
    assert_eq!(lines[3..], ["tmp-writable", "root-ro", "2048"], "{out}");
    assert_eq!(std::fs::read_to_string(&cidfile).unwrap().len(), 64);
    // A second run with the same --cidfile is refused, as Podman refuses it.
    let again = pair.podctl(&args);
    assert_eq!(again.status.code(), Some(125));
    // --name conflicts and --replace.
    let mut create = vec!["create", "--name", "same"];
    create.extend(run_flags.iter().map(String::as_str));
    create.extend(["localhost/busybox", "true"]);
    let first = pair.ok(&create).trim().to_string();
    assert_eq!(pair.podctl(&create).status.code(), Some(125));
    let mut replace = create.clone();
    replace.insert(1, "--replace");
    let second = pair.ok(&replace).trim().to_string();
    assert_ne!(first, second);
    assert_eq!(pair.ok(&["ps", "-a", "-q"]).lines().count(), 1);
    pair.ok(&["rm", "-f", "same"]);
}

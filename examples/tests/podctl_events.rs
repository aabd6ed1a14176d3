//! `podctl events` end to end, with the real conmon and runc: the lifecycle's events read
//! back (fields, order, filters), a stream that sees a new event, a stream that reads on
//! through rotations, and the same sequence beside the real Podman 4.3 (`--events-backend
//! file` on its own store).

mod common;

use common::pair::Pair;
use common::{Cgroup, ok};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A store with busybox imported as `busybox`, and the test's cgroup parent.
struct Store {
    root: PathBuf,
    cgroup: Cgroup,
    tmp: TempRoot,
}

impl Store {
    fn new(tag: &str) -> Store {
        let tmp = TempRoot::new().unwrap();
        let rootfs = tmp.path().join("rootfs");
        busybox_rootfs(&rootfs).unwrap();
        let tar = tmp.path().join("rootfs.tar");
        tar_directory(&rootfs, &tar).unwrap();
        let root = tmp.path().join("store");
        ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
        let cgroup = Cgroup(format!("/libpod-rs-{tag}-{}", std::process::id()));
        Store { root, cgroup, tmp }
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(&self.root, args)
    }

    fn create(&self, extra: &[&str]) -> String {
        let mut args = vec![
            "create",
            "--cgroup-parent",
            &self.cgroup.0,
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
        ];
        args.extend(extra);
        self.ok(&args).trim().to_string()
    }

    /// `events --stream=false --format json` with `extra`, parsed.
    fn events(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["events", "--stream=false", "--format", "json"];
        args.extend(extra);
        parse_lines(&self.ok(&args))
    }

    /// A streaming `podctl events --format json` with `env`.
    fn follow(&self, env: &[(&str, &Path)]) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_podctl"));
        command
            .arg("--root")
            .arg(self.root.join("root"))
            .arg("--runroot")
            .arg(self.root.join("run"))
            .args(["events", "--format", "json"])
            .stdout(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        command.spawn().unwrap()
    }
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn statuses(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["Status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_lifecycle_reads_back_in_order_with_podmans_fields() {
    require_root();
    let _serial = serial();
    let store = Store::new("events");
    let id = store.create(&[
        "--name",
        "web",
        "--label",
        "tier=front",
        "busybox",
        "sleep",
        "1000",
    ]);
    for verb in [
        &["init", "web"][..],
        &["start", "web"],
        &["pause", "web"],
        &["unpause", "web"],
        &["stop", "-t", "1", "web"],
        &["rm", "web"],
    ] {
        store.ok(verb);
    }
    let events = store.events(&["--filter", "type=container"]);
    assert_eq!(
        statuses(&events),
        [
            "create", "init", "start", "pause", "unpause", "stop", "died", "cleanup", "remove"
        ]
    );
    for event in &events {
        assert_eq!(event["ID"], id.as_str());
        assert_eq!(event["Name"], "web");
        // The image as create resolved the name.
        assert_eq!(event["Image"], "localhost/busybox:latest");
        assert_eq!(event["Type"], "container");
        assert_eq!(event["Attributes"]["tier"], "front");
        chrono::DateTime::parse_from_rfc3339(event["Time"].as_str().unwrap()).unwrap();
    }
    // sleep as PID 1 ignores SIGTERM: SIGKILL after the timeout.
    assert_eq!(events[6]["ContainerExitCode"], 137);
    let times: Vec<&str> = events.iter().map(|e| e["Time"].as_str().unwrap()).collect();
    let parsed: Vec<_> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Filters: keys together, values as alternatives.
    let only = store.events(&["--filter", "event=start", "--filter", "event=stop"]);
    assert_eq!(statuses(&only), ["start", "stop"]);
    assert_eq!(store.events(&["--filter", "container=nomatch"]).len(), 0);
    assert_eq!(
        store
            .events(&["--filter", &format!("container={}", &id[..12])])
            .len(),
        9
    );
    assert_eq!(store.events(&["--filter", "label=tier=front"]).len(), 9);
    assert_eq!(store.events(&["--filter", "label=tier=back"]).len(), 0);
    let images = store.events(&["--filter", "type=image"]);
    assert_eq!(statuses(&images), ["import"]);
    assert_eq!(images[0]["Name"], "localhost/busybox:latest");
    // since/until bound the times.
    let died_time = events[6]["Time"].as_str().unwrap();
    assert_eq!(
        statuses(&store.events(&["--since", died_time, "--filter", "type=container"])),
        ["cleanup", "remove"]
    );
    assert_eq!(
        statuses(&store.events(&["--until", died_time, "--filter", "type=container"])),
        ["create", "init", "start", "pause", "unpause", "stop"]
    );
    // The default line and a template.
    let human = store.ok(&["events", "--stream=false", "--filter", "event=create"]);
    assert!(
        human.contains(&format!(
            " container create {id} (image=localhost/busybox:latest, name=web, tier=front)"
        )),
        "{human}"
    );
    let templated = store.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "event=died",
        "--format",
        "{{.Status}} {{.Name}} {{.ContainerExitCode}}",
    ]);
    assert_eq!(templated, "died web 137\n");
    let bad = common::podctl(&store.root, &["events", "--filter", "colour=red"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("colour is an invalid filter"));
    drop(store.tmp);
}

/// Reads JSON lines from `child`'s stdout until `count` came or 15 s passed.
fn read_events(child: &mut Child, count: usize) -> Vec<Value> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut out = Vec::new();
    while out.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => out.push(serde_json::from_str(&line).unwrap()),
            Err(_) => break,
        }
    }
    out
}

#[test]
fn a_stream_sees_new_events_and_reads_on_through_rotations() {
    require_root();
    let _serial = serial();
    let store = Store::new("events-follow");
    let conf = store.tmp.path().join("containers.conf");
    std::fs::write(&conf, "[engine]\nevents_logfile_max_size = \"3k\"\n").unwrap();
    let env = [("CONTAINERS_CONF", conf.as_path())];
    let tag = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_podctl"))
            .arg("--root")
            .arg(store.root.join("root"))
            .arg("--runroot")
            .arg(store.root.join("run"))
            .args(["tag", "busybox", name])
            .env("CONTAINERS_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut child = store.follow(&env);
    // Only events from now on: the import is not shown.
    std::thread::sleep(Duration::from_millis(500));
    let names: Vec<String> = (0..30).map(|n| format!("localhost/t{n:02}:1")).collect();
    for name in &names {
        tag(name);
    }
    let seen = read_events(&mut child, names.len() + 20);
    let _ = child.kill();
    let _ = child.wait();
    let tags: Vec<&str> = seen
        .iter()
        .filter(|e| e["Status"] == "tag")
        .map(|e| e["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags, names,
        "every tag once, in order, through the rotations"
    );
    let rotations = seen
        .iter()
        .filter(|e| e["Status"] == "log-rotation")
        .count();
    assert!(
        rotations >= 2,
        "the file rotated: {rotations} rotations seen"
    );
    let size = std::fs::metadata(store.root.join("run/events/events.log"))
        .unwrap()
        .len();
    assert!(size < 3_000, "rotated to stay under the maximum: {size}");
}

/// The container events both engines write for one sequence, as (status, exit code), and
/// the keys of each event. `cleanup` events are left out of both lists: Podman's come from its
/// cleanup process, whose timing against the CLI's own events varies from run to run.
fn sequence(pair: &Pair, podman: bool) -> Vec<Value> {
    let flags = pair.run_flags();
    let run = |args: &[&str]| {
        if podman {
            let mut full = vec!["--events-backend", "file"];
            full.extend(args);
            pair.podman_ok(&full);
        } else {
            pair.ok(args);
        }
    };
    let mut create = vec!["create", "--name", "web", "--label", "tier=front"];
    create.extend(flags.iter().map(String::as_str));
    create.extend(["localhost/busybox", "sleep", "1000"]);
    run(&create);
    for args in [
        &["init", "web"][..],
        &["start", "web"],
        &["pause", "web"],
        &["unpause", "web"],
        &["stop", "-t", "1", "web"],
        &["tag", "localhost/busybox", "localhost/other:1"],
        &["rmi", "localhost/other:1"],
        &["rm", "web"],
    ] {
        run(args);
    }
    let read = || {
        let args = ["events", "--stream=false", "--format", "json"];
        let text = if podman {
            let mut full = vec!["--events-backend", "file"];
            full.extend(args);
            pair.podman_ok(&full)
        } else {
            pair.ok(&args)
        };
        parse_lines(&text)
            .into_iter()
            .filter(|e| e["Status"] != "cleanup")
            .collect::<Vec<Value>>()
    };
    read()
}

fn summary(events: &[Value]) -> Vec<(String, String, Vec<String>)> {
    events
        .iter()
        .map(|e| {
            let object = e.as_object().unwrap();
            let mut keys: Vec<String> = object.keys().cloned().collect();
            keys.sort();
            (
                e["Type"].as_str().unwrap().to_string(),
                e["Status"].as_str().unwrap().to_string(),
                keys,
            )
        })
        .collect()
}

#[test]
fn event_names_and_fields_match_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("events-parity");
    let ours = sequence(&pair, false);
    let theirs = sequence(&pair, true);
    // Left out: the imports each side did to set up (Podman's import writes no event), and
    // the `pull` Podman 4.3 records when create finds its image already here (nothing was
    // pulled; podctl's create records none).
    let after_setup = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["Status"] != "import" && e["Status"] != "pull")
            .cloned()
            .collect()
    };
    let (mut ours, mut theirs) = (after_setup(&ours), after_setup(&theirs));
    // Podman's `stop` event is racy: written only when its cleanup process has not handled
    // the exit first (then it has `died` alone). Ours is always `stop`, then `died`.
    let died = ours.iter().position(|e| e["Status"] == "died").unwrap();
    assert_eq!(ours[died - 1]["Status"], "stop");
    ours.retain(|e| e["Status"] != "stop");
    theirs.retain(|e| e["Status"] != "stop");
    assert_eq!(
        summary(&ours),
        summary(&theirs),
        "ours: {ours:#?}\ntheirs: {theirs:#?}"
    );
    for (a, b) in ours.iter().zip(&theirs) {
        for key in ["Name", "Image", "ContainerExitCode", "Attributes"] {
            assert_eq!(a[key], b[key], "{key} of {a} and {b}");
        }
    }
}

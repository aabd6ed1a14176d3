//! `podctl auto-update` with the real conmon and runc: the local policy after a re-tag, a dry
//! run's table (Podman's columns, "pending"), the update's JSON ("true"), the container
//! recreated under its name on the new image; nothing to do prints nothing. And beside the
//! real Podman 4.3, on containers both made with the same labels against the same
//! docker-registry on 127.0.0.1: the dry run's table, JSON and templates, byte for byte but
//! for the IDs, and the exit codes.

mod common;

use common::pair::Pair;
use common::{Cgroup, ok, podctl};
use libpod_testutil::registry::{
    LayerCompression, OciLayoutBuilder, Platform, RegistryOptions, TestRegistry, copy_to_registry,
};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

fn import_version(tmp: &Path, root: &Path, version: &str) {
    let rootfs = tmp.join(format!("rootfs-{version}"));
    busybox_rootfs(&rootfs).unwrap();
    std::fs::create_dir_all(rootfs.join("etc/app")).unwrap();
    std::fs::write(rootfs.join("etc/app/version"), format!("{version}\n")).unwrap();
    let tar = tmp.join(format!("rootfs-{version}.tar"));
    tar_directory(&rootfs, &tar).unwrap();
    ok(
        root,
        &[
            "import",
            tar.to_str().unwrap(),
            &format!("localhost/app:{version}"),
        ],
    );
}

#[test]
fn auto_update_follows_a_local_retag_with_podmans_output() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!(
        "/libpod-rs-podctl-autoupdate-{}",
        std::process::id()
    ));
    let root = tmp.path().join("store");
    import_version(tmp.path(), &root, "1");
    import_version(tmp.path(), &root, "2");
    // Nothing to update: no output, success.
    assert_eq!(ok(&root, &["auto-update"]), "");

    ok(&root, &["tag", "localhost/app:1", "localhost/app:prod"]);
    let id = ok(
        &root,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--label",
            "io.containers.autoupdate=local",
            "--cgroup-parent",
            &cg.0,
            "--stop-timeout",
            "1",
            "localhost/app:prod",
            "sh",
            "-c",
            "cat /etc/app/version; exec sleep 1000",
        ],
    );
    let id = id.trim();
    ok(&root, &["tag", "localhost/app:2", "localhost/app:prod"]);

    let table = ok(&root, &["auto-update", "--dry-run"]);
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["UNIT", "CONTAINER", "IMAGE", "POLICY", "UPDATED"],
        "{table}"
    );
    assert_eq!(
        lines[1],
        [&id[..12], "(web)", "localhost/app:prod", "local", "pending"],
        "{table}"
    );

    let json = ok(&root, &["auto-update", "--no-systemd", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows[0]["ContainerID"], id, "{json}");
    assert_eq!(rows[0]["ContainerName"], "web");
    assert_eq!(rows[0]["Updated"], "true");
    assert_eq!(rows[0]["Unit"], "");

    let inspected: serde_json::Value =
        serde_json::from_str(&ok(&root, &["inspect", "web"])).unwrap();
    assert_ne!(inspected[0]["Id"], id);
    assert_eq!(inspected[0]["State"]["Status"], "running");
    let logs = ok(&root, &["logs", "web"]);
    assert_eq!(logs.trim(), "2");

    // Up to date now; a template sees Podman's fields.
    let line = ok(
        &root,
        &[
            "auto-update",
            "--no-systemd",
            "--format",
            "{{.ContainerName}} {{.Updated}}",
        ],
    );
    assert_eq!(line.trim(), "web false");
    let out = podctl(&root, &["rm", "-f", "web"]);
    assert!(out.status.success());
}

/// Removes the pod `shop` and its containers however the test ends.
struct RemovePod<'a>(&'a Path);

impl Drop for RemovePod<'_> {
    fn drop(&mut self) {
        let _ = podctl(self.0, &["pod", "rm", "--force", "shop"]);
    }
}

#[test]
fn a_pod_is_updated_as_one_task_in_its_infra_containers_unit() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!(
        "/libpod-rs-podctl-autoupdate-pod-{}",
        std::process::id()
    ));
    let root = tmp.path().join("store");
    import_version(tmp.path(), &root, "1");
    import_version(tmp.path(), &root, "2");
    ok(&root, &["tag", "localhost/app:1", "localhost/app:prod"]);
    // A unit made the pod: its infra container took the unit's name from the environment.
    let created = Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(["pod", "create", "--name", "shop", "--share", "ipc,uts"])
        .args(["--cgroup-parent", &cg.0])
        .env("PODMAN_SYSTEMD_UNIT", "shop.service")
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let _remove = RemovePod(&root);
    ok(&root, &["pod", "start", "shop"]);
    for name in ["web", "side"] {
        ok(
            &root,
            &[
                "run",
                "-d",
                "--pod",
                "shop",
                "--name",
                name,
                "--network",
                "none",
                "--label",
                "io.containers.autoupdate=local",
                "--stop-timeout",
                "1",
                "localhost/app:prod",
                "sh",
                "-c",
                "cat /etc/app/version; exec sleep 1000",
            ],
        );
    }
    ok(&root, &["tag", "localhost/app:2", "localhost/app:prod"]);
    let sorted = |text: String| {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines.sort();
        lines
    };
    let format = "{{.Unit}} {{.ContainerName}} {{.Updated}}";
    assert_eq!(
        sorted(ok(&root, &["auto-update", "--dry-run", "--format", format])),
        ["shop.service side pending", "shop.service web pending"]
    );
    // No systemd here: the unit's containers recreated in process, in their pod.
    let updated = podctl(
        &root,
        &[
            "--log-level",
            "warn",
            "auto-update",
            "--no-systemd",
            "--format",
            format,
        ],
    );
    assert_eq!(
        sorted(String::from_utf8(updated.stdout).unwrap()),
        ["shop.service side true", "shop.service web true"],
        "{}",
        String::from_utf8_lossy(&updated.stderr)
    );
    for name in ["web", "side"] {
        assert_eq!(ok(&root, &["logs", name]).trim(), "2", "{name}");
    }
    let pod: serde_json::Value =
        serde_json::from_str(&ok(&root, &["pod", "inspect", "shop"])).unwrap();
    let pod = if pod.is_array() { &pod[0] } else { &pod };
    let mut members: Vec<&str> = pod["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap())
        .filter(|n| !n.ends_with("-infra"))
        .collect();
    members.sort_unstable();
    assert_eq!(members, ["side", "web"], "{pod}");
    assert!(
        pod["Containers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["State"] == "running"),
        "{pod}"
    );
}

/// A stand-in for systemd's private socket, which Podman 4.3 dials (`/run/systemd/private`)
/// before any auto-update with work to do, a dry run's included, and which this machine
/// lacks (no systemd). It answers D-Bus's authentication (EXTERNAL, unix fds) and hangs up at
/// BEGIN: go-systemd ignores the failure of its one call then (AddMatch), and a dry run
/// restarts nothing.
struct SystemdStandIn {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SystemdStandIn {
    fn start(path: PathBuf) -> SystemdStandIn {
        let listener = UnixListener::bind(&path).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = authenticate(stream);
                }
            }
        });
        SystemdStandIn {
            path,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SystemdStandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.path);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server's side of D-Bus's SASL exchange, up to the client's BEGIN.
fn authenticate(stream: UnixStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut nul = [0u8];
    reader.read_exact(&mut nul)?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words.as_slice() {
            ["AUTH"] => "REJECTED EXTERNAL\r\n",
            ["AUTH", ..] => "OK 0123456789abcdef0123456789abcdef\r\n",
            ["NEGOTIATE_UNIX_FD"] => "AGREE_UNIX_FD\r\n",
            ["BEGIN"] => return Ok(()),
            _ => "ERROR\r\n",
        };
        writer.write_all(reply.as_bytes())?;
    }
}

/// Removes podctl's containers however the test ends (Podman's go with the pair).
struct RemoveAll<'a>(&'a Path);

impl Drop for RemoveAll<'_> {
    fn drop(&mut self) {
        let _ = podctl(self.0, &["rm", "--all", "--force"]);
    }
}

/// Both engines' outcomes of one command: (exit code, stdout, stderr) each.
type Outcomes = [(Option<i32>, String, String); 2];

/// What differs between the engines' outputs by nature: container IDs (64 hex digits as
/// `<ID>`, 12 as twelve `x`, which keeps a table's widths) and the program's name.
fn normalized(text: &str) -> String {
    let long = regex::Regex::new(r"\b[0-9a-f]{64}\b").unwrap();
    let short = regex::Regex::new(r"\b[0-9a-f]{12}\b").unwrap();
    let text = long.replace_all(text, "<ID>");
    short
        .replace_all(&text, "xxxxxxxxxxxx")
        .replace("podman auto-update", "podctl auto-update")
}

/// Lines of a table (its header first, then its rows sorted: Podman reports its units in a
/// map's order).
fn table(text: &str) -> (String, Vec<String>) {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header = if lines.is_empty() {
        String::new()
    } else {
        lines.remove(0)
    };
    lines.sort();
    (header, lines)
}

/// A JSON array's objects as their exact text (indentation and key order included), sorted.
fn json_objects(text: &str) -> Vec<String> {
    assert!(
        text.starts_with("[\n") && text.ends_with("\n]\n"),
        "{text:?}"
    );
    let mut objects: Vec<String> = text[2..text.len() - 3]
        .split("\n    },\n")
        .map(|o| o.trim_end_matches("\n    }").to_string())
        .collect();
    objects.sort();
    objects
}

#[test]
fn auto_update_dry_run_prints_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("autoupdate");
    let _remove = RemoveAll(&pair.root);
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let conf = pair.dir().join("registries.conf");
    std::fs::write(
        &conf,
        format!(
            "[[registry]]\nlocation = \"{}\"\ninsecure = true\n",
            registry.host()
        ),
    )
    .unwrap();
    let systemd = SystemdStandIn::start(pair.dir().join("systemd-private"));
    // Two versions of an app: busybox and /etc/app/version.
    let busybox_tar = pair.dir().join("busybox.tar");
    tar_directory(&pair.dir().join("rootfs"), &busybox_tar).unwrap();
    let busybox = std::fs::read(&busybox_tar).unwrap();
    let layout_dir = pair.dir().join("layout");
    let layout = OciLayoutBuilder::create(&layout_dir).unwrap();
    for version in ["1", "2"] {
        let files = pair.dir().join(format!("app-{version}"));
        std::fs::create_dir_all(files.join("etc/app")).unwrap();
        std::fs::write(files.join("etc/app/version"), version).unwrap();
        let tar = pair.dir().join(format!("app-{version}.tar"));
        tar_directory(&files, &tar).unwrap();
        let image = layout
            .add_image(
                &[busybox.clone(), std::fs::read(&tar).unwrap()],
                LayerCompression::Gzip,
                &Platform::host(),
                &["sleep", "1000"],
            )
            .unwrap();
        layout.tag(&image, version).unwrap();
    }
    let publish = |version: &str| {
        copy_to_registry(
            &format!("oci:{}:{version}", layout_dir.display()),
            &registry,
            "team/app:stable",
            &[],
        )
        .unwrap();
    };
    let remote = format!("{}/team/app:stable", registry.host());

    // Each engine runs `args`; for `auto-update`, Podman in a mount namespace of its own
    // where /run/systemd/private is the stand-in's socket (nothing else runs there: a
    // container's mounts would be left in it).
    let both = |args: &[&str]| -> Outcomes {
        let mut ours = Command::new(env!("CARGO_BIN_EXE_podctl"));
        ours.arg("--root")
            .arg(pair.root.join("root"))
            .arg("--runroot")
            .arg(pair.root.join("run"))
            .args(args);
        let podman = pair.podman.command();
        let mut theirs = if args.first() == Some(&"auto-update") {
            let mut unshared = Command::new("unshare");
            unshared
                .args(["--mount", "--propagation", "private", "sh", "-c"])
                .arg(
                    "mount -t tmpfs tmpfs /run/systemd && ln -s \"$0\" /run/systemd/private \
                     && exec \"$@\"",
                )
                .arg(&systemd.path)
                .arg(podman.get_program())
                .args(podman.get_args())
                .envs(podman.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
            unshared
        } else {
            podman
        };
        theirs.args(args);
        [ours, theirs].map(|mut command| {
            let out: Output = command
                .env("CONTAINERS_REGISTRIES_CONF", &conf)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            (
                out.status.code(),
                normalized(&String::from_utf8_lossy(&out.stdout)),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        })
    };
    let succeed = |args: &[&str]| -> [String; 2] {
        let [ours, theirs] = both(args);
        assert_eq!(ours.0, Some(0), "podctl {args:?}: {}", ours.2);
        assert_eq!(theirs.0, Some(0), "podman {args:?}: {}", theirs.2);
        [ours.1, theirs.1]
    };

    // Nothing labelled: nothing printed.
    assert_eq!(succeed(&["auto-update", "--dry-run"]), ["", ""]);

    publish("1");
    succeed(&["pull", "-q", &remote]);
    succeed(&["tag", "localhost/busybox", "localhost/app:prod"]);
    let flags = pair.run_flags();
    let run = |name: &str, policy: &str, image: &str| {
        let unit = format!("PODMAN_SYSTEMD_UNIT={name}.service");
        let policy = format!("io.containers.autoupdate={policy}");
        let mut args = vec!["run", "-d", "--name", name, "--network", "none"];
        // `sleep` as PID 1 ignores SIGTERM: a removal need not wait ten seconds.
        args.extend(["--stop-timeout", "1"]);
        args.extend(flags.iter().map(String::as_str));
        args.extend(["--label", policy.as_str(), "--label", unit.as_str()]);
        args.extend([image, "sleep", "1000"]);
        succeed(&args);
    };
    run("reg", "registry", &remote);
    run("loc", "local", "localhost/app:prod");
    run("same", "local", "localhost/busybox");
    run("off", "disabled", "localhost/busybox");
    // A registry policy needs the name as written fully qualified: `busybox` is refused,
    // though both find it as localhost/busybox (podctl records that full name).
    let short = [
        "create",
        "--label",
        "io.containers.autoupdate=registry",
        "busybox",
    ];
    let [ours, theirs] = both(&short);
    assert_eq!(
        (ours.0, theirs.0),
        (Some(125), Some(125)),
        "{ours:?} {theirs:?}"
    );
    assert!(ours.2.contains("fully-qualified"), "{}", ours.2);
    // A newer image in the registry, and another behind the local name.
    publish("2");
    succeed(&["tag", &remote, "localhost/app:prod"]);

    let [ours, theirs] = succeed(&["auto-update", "--dry-run"]);
    assert_eq!(
        table(&ours),
        table(&theirs),
        "podctl:\n{ours}\npodman:\n{theirs}"
    );
    let (header, rows) = table(&ours);
    assert!(header.starts_with("            UNIT"), "{header:?}");
    assert_eq!(rows.len(), 3, "{ours}");
    assert!(
        rows.iter()
            .any(|r| r.contains("(reg)") && r.ends_with("pending")),
        "{ours}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("(same)") && r.ends_with("false")),
        "{ours}"
    );

    let [ours, theirs] = succeed(&["auto-update", "--dry-run", "--format", "json"]);
    assert_eq!(
        json_objects(&ours),
        json_objects(&theirs),
        "podctl:\n{ours}\npodman:\n{theirs}"
    );

    let template = "{{.Unit}} {{.Container}} {{.ContainerName}} {{.ContainerID}} {{.Image}} \
                    {{.Policy}} {{.Updated}}";
    let [ours, theirs] = succeed(&["auto-update", "--dry-run", "--format", template]);
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        sorted(&ours),
        sorted(&theirs),
        "podctl:\n{ours}\npodman:\n{theirs}"
    );
    for format in [
        "table {{.ContainerName}} {{.ContainerID}} {{.Updated}}",
        "table {{.Unit}}\\t{{.Policy}}",
    ] {
        let [ours, theirs] = succeed(&["auto-update", "--dry-run", "--format", format]);
        assert_eq!(
            table(&ours),
            table(&theirs),
            "{format}:\npodctl:\n{ours}\npodman:\n{theirs}"
        );
    }

    // Errors: Podman's codes, and its words where both say the same thing.
    let [ours, theirs] = both(&["auto-update", "--dry-run", "now"]);
    assert_eq!((ours.0, &ours.1), (Some(125), &String::new()));
    assert_eq!((theirs.0, &theirs.1), (Some(125), &String::new()));
    let error = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.starts_with("Error:"))
            .map(normalized)
            .collect()
    };
    assert_eq!(error(&ours.2), error(&theirs.2), "{ours:?} {theirs:?}");
    let [ours, theirs] = both(&["auto-update", "--dry-run", "--format", "{{.Nope}}"]);
    assert_eq!(
        (ours.0, &ours.1),
        (theirs.0, &theirs.1),
        "{ours:?} {theirs:?}"
    );
    assert_eq!(ours.0, Some(125));
}

//! `podctl container checkpoint` and `container restore` end to end, with the real runc,
//! conmon and CRIU (the first `criu` in PATH: `cargo xtask test` puts one that works on this
//! kernel there). A counting container stops counting at a checkpoint and counts on from
//! where it was after a restore: in place, and from an exported archive into a new container
//! with its root filesystem changes; `--leave-running`, `--keep`, `--all`,
//! `--tcp-established` (a connection from the host to a container on the test's own bridge
//! echoes before the checkpoint and after the restore), `--print-stats`; Podman's output,
//! messages and exit codes.

mod common;

use common::{Cgroup, ok, podctl};
use libpod_testutil::{
    TempRoot, busybox_rootfs, require_criu, require_root, serial, tar_directory,
};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Writes 1, 2, 3, ... to stdout, one every 100 ms.
const COUNTER: &str = "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done";

/// A store with the busybox image imported.
fn busybox_store(tmp: &TempRoot) -> PathBuf {
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    root
}

/// `run -d` of `script` in busybox, named `name` (with no network); its ID.
fn run(root: &Path, cg: &Cgroup, name: &str, script: &str) -> String {
    run_with(root, cg, name, &[], script)
}

/// `run -d` with `flags` of `script` in busybox, named `name`; its ID.
fn run_with(root: &Path, cg: &Cgroup, name: &str, flags: &[&str], script: &str) -> String {
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--stop-timeout",
        "1",
        "--cgroup-parent",
        &cg.0,
    ];
    args.extend_from_slice(flags);
    args.extend(["busybox", "sh", "-c", script]);
    ok(root, &args).trim().to_string()
}

/// The numbers in the container's output, in order.
fn counts(root: &Path, name: &str) -> Vec<u64> {
    ok(root, &["logs", name])
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}

/// Waits until the container's last count is at least `at_least`; returns it.
fn wait_count(root: &Path, name: &str, at_least: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = counts(root, name);
        if let Some(&last) = all.last()
            && last >= at_least
        {
            return last;
        }
        assert!(Instant::now() < deadline, "{name}: count stuck: {all:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn status(root: &Path, name: &str) -> String {
    ok(root, &["inspect", "--format", "{{.State.Status}}", name])
        .trim()
        .to_string()
}

/// Runs podctl expecting Podman's own-error exit (125) and a message with `words`.
fn refused(root: &Path, args: &[&str], words: &str) {
    let out = podctl(root, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{args:?}: {stderr}");
    assert!(stderr.contains(words), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
}

#[test]
fn a_count_resumes_after_restore_in_place_and_from_an_archive() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-{}", std::process::id()));
    let root = busybox_store(&tmp);
    // Its root filesystem changes: a file added, one deleted.
    let script = format!("echo kept > /marker; rm /etc/group; {COUNTER}");
    let id = run(&root, &cg, "counter", &script);
    wait_count(&root, "counter", 5);

    // Printed as named; the processes end and the count stops.
    assert_eq!(
        ok(&root, &["container", "checkpoint", "counter"]),
        "counter\n"
    );
    assert_eq!(status(&root, "counter"), "exited");
    let checkpointed = ok(
        &root,
        &["inspect", "--format", "{{.State.Checkpointed}}", "counter"],
    );
    assert_eq!(checkpointed.trim(), "true");
    let stopped = counts(&root, "counter");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(counts(&root, "counter"), stopped, "the count stopped");

    // Restored, it counts on: 1, 2, ... with no gap and no second start.
    assert_eq!(ok(&root, &["container", "restore", "counter"]), "counter\n");
    assert_eq!(status(&root, "counter"), "running");
    wait_count(&root, "counter", stopped.last().unwrap() + 5);
    let numbers = counts(&root, "counter");
    assert!(
        numbers.iter().enumerate().all(|(i, n)| *n == i as u64 + 1),
        "{numbers:?}"
    );

    // --leave-running --keep by ID: printed as given, still counting.
    let out = ok(
        &root,
        &["container", "checkpoint", "-R", "--keep", &id[..12]],
    );
    assert_eq!(out, format!("{}\n", &id[..12]));
    assert_eq!(status(&root, "counter"), "running");
    let at = *counts(&root, "counter").last().unwrap();
    wait_count(&root, "counter", at + 3);

    // Exported (gzip), then restored into new containers from the archive.
    let archive = tmp.path().join("counter.tar.gz");
    let archive = archive.to_str().unwrap();
    assert_eq!(
        ok(
            &root,
            &[
                "container",
                "checkpoint",
                "-e",
                archive,
                "-c",
                "gzip",
                "counter"
            ]
        ),
        "counter\n"
    );
    let last = *counts(&root, "counter").last().unwrap();
    let out = ok(
        &root,
        &["container", "restore", "-i", archive, "-n", "copy"],
    );
    let copy_id = out.trim();
    assert_eq!(copy_id.len(), 64, "prints the new container's ID: {out:?}");
    assert_ne!(copy_id, id);
    assert_eq!(status(&root, "copy"), "running");
    let first = wait_count(&root, "copy", 1);
    let resumed = counts(&root, "copy")[0];
    assert!(
        resumed > 5 && resumed <= last + 1,
        "copy resumed at {resumed} ({first}); the original ended at {last}"
    );
    wait_count(&root, "copy", resumed + 3);
    assert_eq!(ok(&root, &["exec", "copy", "cat", "/marker"]), "kept\n");
    let out = podctl(&root, &["exec", "copy", "test", "-e", "/etc/group"]);
    assert_eq!(out.status.code(), Some(1), "the deletion came along");

    // --ignore-rootfs: the image's files, not the changes.
    ok(
        &root,
        &[
            "container",
            "restore",
            "--import",
            archive,
            "--name",
            "bare",
            "--ignore-rootfs",
        ],
    );
    wait_count(&root, "bare", resumed + 1);
    let out = podctl(&root, &["exec", "bare", "test", "-e", "/marker"]);
    assert_eq!(out.status.code(), Some(1), "no rootfs changes");
    ok(&root, &["exec", "bare", "test", "-e", "/etc/group"]);

    // No new name while the original exists: its name is taken.
    let out = podctl(&root, &["container", "restore", "-i", archive]);
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_eq!(status(&root, "counter"), "exited", "the original untouched");

    ok(&root, &["rm", "-f", "counter", "copy", "bare"]);
}

#[test]
fn all_checkpoints_the_running_and_restores_the_exited() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-all-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let one = run(&root, &cg, "one", COUNTER);
    let two = run(&root, &cg, "two", COUNTER);
    ok(&root, &["create", "--name", "idle", "busybox", "true"]);
    wait_count(&root, "one", 3);
    wait_count(&root, "two", 3);

    // --print-stats: Podman's JSON instead of the IDs.
    let out = ok(
        &root,
        &["container", "checkpoint", "--all", "--print-stats"],
    );
    assert!(
        out.starts_with("{\n    \"podman_checkpoint_duration\": "),
        "{out}"
    );
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut expected = vec![one.as_str(), two.as_str()];
    expected.sort_unstable();
    let entries = stats["container_statistics"].as_array().unwrap();
    let mut ids: Vec<&str> = entries.iter().map(|e| e["Id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, expected, "the running ones: {out}");
    for entry in entries {
        assert_eq!(entry["RawInput"], "", "{out}");
        assert!(entry["runtime_checkpoint_duration"].as_u64().unwrap() > 0);
        assert!(entry["criu_statistics"]["pages_written"].as_u64().unwrap() > 0);
        assert!(entry["criu_statistics"].get("restore_time").is_none());
    }
    assert_eq!(status(&root, "idle"), "created");

    let out = ok(&root, &["container", "restore", "--all"]);
    let mut ids: Vec<&str> = out.lines().collect();
    ids.sort_unstable();
    assert_eq!(ids, expected, "the exited ones, by ID");
    for name in ["one", "two"] {
        assert_eq!(status(&root, name), "running");
        let at = *counts(&root, name).last().unwrap();
        wait_count(&root, name, at + 2);
    }
    ok(&root, &["container", "checkpoint", "one"]);
    let out = ok(&root, &["container", "restore", "--print-stats", "one"]);
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(stats["podman_restore_duration"].as_u64().is_some(), "{out}");
    let entry = &stats["container_statistics"][0];
    assert_eq!(
        (&entry["Id"], &entry["RawInput"]),
        (&one.as_str().into(), &"one".into())
    );
    assert!(entry["runtime_restore_duration"].as_u64().unwrap() > 0);
    assert!(
        entry["criu_statistics"]["restore_time"].as_u64().is_some(),
        "{out}"
    );
    ok(&root, &["rm", "-f", "one", "two", "idle"]);
}

/// A bridge network of the test's own (name and bridge carry the PID), removed with its
/// containers and bridge when dropped, even when an assertion failed.
struct TestNetwork {
    root: PathBuf,
    name: String,
    subnet: String,
}

impl TestNetwork {
    fn new(root: &Path) -> TestNetwork {
        let pid = std::process::id();
        let net = TestNetwork {
            root: root.to_path_buf(),
            name: format!("lpc{}t", pid % 100_000),
            subnet: format!("10.233.{}.0/24", pid % 256),
        };
        ok(
            root,
            &[
                "network",
                "create",
                "--subnet",
                &net.subnet,
                "--interface-name",
                &net.name,
                &net.name,
            ],
        );
        net
    }

    /// The subnet's address `.host`.
    fn address(&self, host: u8) -> String {
        let base = self.subnet.trim_end_matches(".0/24");
        format!("{base}.{host}")
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        let _ = podctl(&self.root, &["rm", "-f", "-a"]);
        let _ = podctl(&self.root, &["network", "rm", "-f", &self.name]);
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.name])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Sends `line` on the connection and asserts that its echo comes back on it.
fn echoes(stream: &mut TcpStream, reader: &mut BufReader<TcpStream>, line: &str) {
    stream
        .write_all(format!("{line}\n").as_bytes())
        .unwrap_or_else(|err| panic!("sending {line:?}: {err}"));
    let mut echoed = String::new();
    let read = reader
        .read_line(&mut echoed)
        .unwrap_or_else(|err| panic!("reading the echo of {line:?}: {err}"));
    assert!(read > 0, "the connection ended before the echo of {line:?}");
    assert_eq!(echoed, format!("{line}\n"));
}

/// A connection to `ip:port`, retried while the container's nc starts to listen.
fn connect(ip: &str, port: u16) -> TcpStream {
    let address: std::net::SocketAddr = format!("{ip}:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect_timeout(&address, Duration::from_secs(2)) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .unwrap();
                return stream;
            }
            Err(err) if Instant::now() < deadline => {
                eprintln!("connecting to {address}: {err}; retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!("connecting to {address}: {err}"),
        }
    }
}

#[test]
fn tcp_established_connections_need_the_flag_and_survive_it() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-tcp-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let net = TestNetwork::new(&root);
    // An echo server on the test's bridge, reached from the host: the connection's end is
    // the container's. The MAC address is fixed too, so that after the restore the host's
    // neighbour entry points at the new interface at once.
    let ip = net.address(10);
    let flags = [
        "--network",
        &net.name,
        "--ip",
        &ip,
        "--mac-address",
        "0a:58:0a:e9:00:0a",
    ];
    run_with(&root, &cg, "tcp", &flags, "exec nc -l -p 5000 -e cat");
    let mut stream = connect(&ip, 5000);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    echoes(&mut stream, &mut reader, "before the checkpoint");

    // Without the flag CRIU refuses, in its words, and the container and connection go on.
    let out = podctl(&root, &["container", "checkpoint", "tcp"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert!(stderr.contains("tcp-established"), "{stderr}");
    assert_eq!(status(&root, "tcp"), "running");
    echoes(&mut stream, &mut reader, "after a refused checkpoint");

    // With it, on both sides: the same connection echoes after the restore (nothing is sent
    // while the container is checkpointed).
    assert_eq!(
        ok(
            &root,
            &["container", "checkpoint", "--tcp-established", "tcp"]
        ),
        "tcp\n"
    );
    assert_eq!(status(&root, "tcp"), "exited");
    assert_eq!(
        ok(&root, &["container", "restore", "--tcp-established", "tcp"]),
        "tcp\n"
    );
    assert_eq!(status(&root, "tcp"), "running");
    echoes(&mut stream, &mut reader, "after the restore");
    echoes(&mut stream, &mut reader, "and again");
    // Its end ends the restored nc, and the container with it.
    stream.shutdown(Shutdown::Write).unwrap();
    let mut rest = String::new();
    assert_eq!(reader.read_line(&mut rest).unwrap(), 0, "{rest:?}");
    assert_eq!(ok(&root, &["wait", "tcp"]), "0\n");
    ok(&root, &["rm", "tcp"]);
}

#[test]
fn flags_messages_and_exit_codes_are_podmans() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-err-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let id = run(&root, &cg, "live", COUNTER);
    ok(&root, &["create", "--name", "made", "busybox", "true"]);

    // Only under `container`, as in Podman.
    refused(&root, &["checkpoint", "live"], "checkpoint");
    refused(&root, &["restore", "live"], "restore");
    // Podman's checks of the flags.
    let ckpt = |extra: &[&str], words: &str| {
        let mut args = vec!["container", "checkpoint"];
        args.extend_from_slice(extra);
        refused(&root, &args, words);
    };
    ckpt(
        &["--compress", "gzip", "live"],
        "--compress can only be used with --export",
    );
    ckpt(
        &["-e", "/tmp/x.tar", "-c", "lz4", "live"],
        "selected compression algorithm (\"lz4\") not supported. Please select one from: gzip, none, zstd",
    );
    ckpt(
        &["--ignore-rootfs", "live"],
        "--ignore-rootfs can only be used with --export",
    );
    ckpt(
        &["--ignore-volumes", "live"],
        "--ignore-volumes can only be used with --export",
    );
    ckpt(
        &["-P", "--with-previous", "live"],
        "--with-previous can not be used with --pre-checkpoint",
    );
    for flag in ["--pre-checkpoint", "--with-previous"] {
        ckpt(
            &[flag, "live"],
            &format!("{flag} is not supported by podctl"),
        );
    }
    ckpt(
        &["--create-image", "img", "live"],
        "--create-image is not supported by podctl",
    );
    ckpt(&["--all", "live"], "no arguments are needed with --all");
    ckpt(&[], "you must provide at least one name or id");
    ckpt(
        &["nosuch"],
        "no container with name or ID \"nosuch\" found: no such container",
    );
    ckpt(
        &["made"],
        "\"configured\" is not running, cannot checkpoint: container state improper",
    );
    let rest = |extra: &[&str], words: &str| {
        let mut args = vec!["container", "restore"];
        args.extend_from_slice(extra);
        refused(&root, &args, words);
    };
    rest(
        &["-n", "x", "live"],
        "--name can only be used with image or --import",
    );
    rest(
        &["--ignore-rootfs", "live"],
        "--ignore-rootfs can only be used with image or --import",
    );
    rest(
        &["-i", "/tmp/x.tar", "-n", "x", "--tcp-established"],
        "--tcp-established cannot be used with --name",
    );
    rest(
        &["-i", "/tmp/x.tar", "live"],
        "cannot use --import with positional arguments",
    );
    rest(
        &["-i", "/tmp/x.tar", "--all"],
        "cannot use --import with --all or --latest",
    );
    rest(
        &["--all", "live"],
        "--all or --latest and containers cannot be used together",
    );
    rest(&[], "you must provide at least one name or id");
    rest(
        &["-i", "/tmp/x.tar", "--pod", "p"],
        "--pod is not supported by podctl",
    );
    rest(
        &["-i", "/tmp/x.tar", "-p", "80"],
        "--publish is not supported by podctl",
    );
    rest(&["nosuch"], "no such container or image: nosuch");
    rest(
        &["live"],
        &format!("container {id} is running or paused, cannot restore: container state improper"),
    );
    rest(
        &["made"],
        "a complete checkpoint for this container cannot be found, cannot restore",
    );
    let missing = tmp.path().join("missing.tar.gz");
    rest(&["-i", missing.to_str().unwrap()], "missing.tar.gz");
    assert_eq!(status(&root, "live"), "running", "nothing was done");

    // Each container is tried; the failures but the last are printed, the last one exits.
    let out = podctl(&root, &["container", "checkpoint", "made", "live", "made"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "live\n");
    assert_eq!(stderr.matches("Error: ").count(), 2, "{stderr}");
    assert_eq!(status(&root, "live"), "exited");
    ok(&root, &["rm", "-f", "live", "made"]);
}

/// Removes the test's containers, then its network, even when an assertion failed.
struct NetworkCleanup<'a> {
    root: &'a Path,
    network: String,
}

impl Drop for NetworkCleanup<'_> {
    fn drop(&mut self) {
        podctl(self.root, &["rm", "-fa"]);
        podctl(self.root, &["network", "rm", "-f", &self.network]);
    }
}

#[test]
fn a_container_on_a_bridge_network_counts_on_and_reaches_its_gateway_after_restore() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-net-{}", std::process::id()));
    let root = busybox_store(&tmp);
    // A bridge and subnet of this test's own.
    let net = format!("lpdck{}", std::process::id() % 100_000);
    let _cleanup = NetworkCleanup {
        root: &root,
        network: net.clone(),
    };
    ok(
        &root,
        &[
            "network",
            "create",
            "--subnet",
            "10.232.77.0/24",
            "--interface-name",
            &net,
            &net,
        ],
    );
    let flags = [
        "--network",
        &net,
        "--ip",
        "10.232.77.50",
        "--mac-address",
        "92:d0:c6:0a:29:33",
    ];
    run_with(&root, &cg, "bridged", &flags, COUNTER);
    wait_count(&root, "bridged", 3);
    let address = |name: &str, field: &str| {
        let format = format!("{{{{(index .NetworkSettings.Networks \"{net}\").{field}}}}}");
        ok(&root, &["inspect", "--format", &format, name])
            .trim()
            .to_string()
    };
    assert_eq!(address("bridged", "IPAddress"), "10.232.77.50");

    ok(&root, &["container", "checkpoint", "bridged"]);
    let stopped = *counts(&root, "bridged").last().unwrap();
    ok(&root, &["container", "restore", "bridged"]);
    wait_count(&root, "bridged", stopped + 3);
    let numbers = counts(&root, "bridged");
    assert!(
        numbers.iter().enumerate().all(|(i, n)| *n == i as u64 + 1),
        "{numbers:?}"
    );
    assert_eq!(address("bridged", "IPAddress"), "10.232.77.50");
    assert_eq!(address("bridged", "MacAddress"), "92:d0:c6:0a:29:33");
    // Its network works (ping needs NET_RAW, which only a privileged exec has).
    ok(
        &root,
        &[
            "exec",
            "--privileged",
            "bridged",
            "ping",
            "-c",
            "1",
            "-W",
            "2",
            "10.232.77.1",
        ],
    );

    // A copy beside the running original: its static address is taken, unless ignored.
    let archive = tmp.path().join("bridged.tar.zst");
    let archive = archive.to_str().unwrap();
    ok(
        &root,
        &["container", "checkpoint", "-R", "-e", archive, "bridged"],
    );
    let out = podctl(
        &root,
        &["container", "restore", "-i", archive, "-n", "twin"],
    );
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert!(
        !ok(&root, &["ps", "-a", "--format", "{{.Names}}"]).contains("twin"),
        "a failed import leaves no container"
    );
    ok(
        &root,
        &[
            "container",
            "restore",
            "-i",
            archive,
            "-n",
            "twin",
            "--ignore-static-ip",
            "--ignore-static-mac",
        ],
    );
    let twin_ip = address("twin", "IPAddress");
    assert!(
        twin_ip.starts_with("10.232.77.") && twin_ip != "10.232.77.50",
        "{twin_ip}"
    );
    assert_ne!(address("twin", "MacAddress"), "92:d0:c6:0a:29:33");
    // The imported container has a log of its own: empty until the restored process writes.
    let at = wait_count(&root, "twin", 1);
    wait_count(&root, "twin", at + 2);
    assert_eq!(status(&root, "bridged"), "running");
}

/// As Podman: a restore gives the container the address and MAC address it had when
/// checkpointed, though neither was asked for (`network.status`), in place and from an
/// archive restored under the same name; `--ignore-static-ip` and `--ignore-static-mac` let
/// them be chosen anew.
#[test]
fn a_restore_gives_back_the_dynamic_address_and_mac_it_had() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-dyn-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let network = TestNetwork::new(&root);
    let net = network.name.clone();
    let subnet = network.address(0);
    let prefix = subnet.trim_end_matches('0');
    let address = |name: &str| {
        let format = format!(
            "{{{{with index .NetworkSettings.Networks \"{net}\"}}}}{{{{.IPAddress}}}} {{{{.MacAddress}}}}{{{{end}}}}"
        );
        ok(&root, &["inspect", "--format", &format, name])
            .trim()
            .to_string()
    };
    // The counter's address is not the first free one once `first` is gone: IPAM alone would
    // pick another after the checkpoint released it.
    run_with(&root, &cg, "first", &["--network", &net], "sleep 600");
    run_with(&root, &cg, "dyn", &["--network", &net], COUNTER);
    ok(&root, &["rm", "-f", "-t", "0", "first"]);
    let had = address("dyn");
    assert!(had.starts_with(prefix), "{had}");
    wait_count(&root, "dyn", 2);

    ok(&root, &["container", "checkpoint", "dyn"]);
    ok(&root, &["container", "restore", "dyn"]);
    assert_eq!(address("dyn"), had, "in place");
    wait_count(&root, "dyn", 5);

    let archive = tmp.path().join("dyn.tar.zst");
    let archive = archive.to_str().unwrap();
    ok(&root, &["container", "checkpoint", "-e", archive, "dyn"]);
    ok(&root, &["rm", "-f", "dyn"]);
    ok(&root, &["container", "restore", "-i", archive]);
    assert_eq!(address("dyn"), had, "from the archive");
    wait_count(&root, "dyn", 8);

    ok(&root, &["container", "checkpoint", "dyn"]);
    ok(
        &root,
        &[
            "container",
            "restore",
            "--ignore-static-ip",
            "--ignore-static-mac",
            "dyn",
        ],
    );
    // The address may come out the same (it was free again); the MAC is drawn anew.
    let had_mac = had.split_once(' ').unwrap().1;
    let now = address("dyn");
    let (ip, mac) = now.split_once(' ').unwrap();
    assert!(ip.starts_with(prefix), "{now}");
    assert_ne!(mac, had_mac, "a MAC chosen anew");
}

/// As Podman: an archive carries the named volumes' contents; an import refuses while a
/// volume of that name exists, and fills a new one.
#[test]
fn named_volumes_are_exported_and_imported_into_new_volumes() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-ckpt-vol-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let script = format!("echo kept > /data/file; {COUNTER}");
    run_with(&root, &cg, "vol", &["-v", "lpdckvol:/data"], &script);
    wait_count(&root, "vol", 2);
    let archive = tmp.path().join("vol.tar.zst");
    let archive = archive.to_str().unwrap();
    ok(&root, &["container", "checkpoint", "-e", archive, "vol"]);
    ok(&root, &["rm", "-f", "vol"]);
    refused(
        &root,
        &["container", "restore", "-i", archive],
        "volume with name lpdckvol already exists. Use --ignore-volumes to not restore content of volumes",
    );
    ok(&root, &["volume", "rm", "lpdckvol"]);
    ok(&root, &["container", "restore", "-i", archive]);
    assert_eq!(ok(&root, &["exec", "vol", "cat", "/data/file"]), "kept\n");
    ok(&root, &["rm", "-f", "vol"]);
    ok(&root, &["volume", "rm", "lpdckvol"]);
}

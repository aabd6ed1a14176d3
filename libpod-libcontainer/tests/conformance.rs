//! libpod-core's public OciRuntime conformance suite against [`LibcontainerRuntime`]: real
//! libcontainer, real cgroups, busybox bundles made by libpod-spec, the monitor as this
//! crate's `libpod-libcontainer-monitor` program. Root only, one case at a time (they share
//! the host's cgroups).

use libpod_core::oci::attach_socket::{self, AttachSocket, Output};
use libpod_core::oci::suite::Fixture;
use libpod_core::oci::{CreateArgs, LogTarget, OciRuntime, TerminalSize};
use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
use libpod_testutil::{TempRoot, busybox_rootfs};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A private engine: state root, exits, bundles and a cgroup parent of its own.
struct Env {
    rt: LibcontainerRuntime,
    tmp: TempRoot,
    generator: SpecGenerator,
    cgroup_parent: String,
    created: Mutex<Vec<String>>,
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Env {
    fn new() -> Env {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        libpod_testutil::require_root();
        let serial = libpod_testutil::serial();
        let tmp = TempRoot::new().unwrap();
        let monitor = MonitorCommand::new(env!("CARGO_BIN_EXE_libpod-libcontainer-monitor"));
        let config = LibcontainerConfig::new(tmp.path().join("run"), monitor);
        let rt = LibcontainerRuntime::new(config).unwrap();
        let mut defaults = SpecDefaults::default();
        defaults.ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
        let cgroup_parent = format!(
            "/libpod-rs-libcontainer-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Env {
            rt,
            tmp,
            generator: SpecGenerator::new(defaults).unwrap(),
            cgroup_parent,
            created: Mutex::new(Vec::new()),
            _serial: serial,
        }
    }

    fn container_dir(&self, id: &str) -> PathBuf {
        self.tmp.path().join("containers").join(id)
    }

    /// Writes a fresh bundle for `id` running `command`; returns the bundle and run directory.
    fn bundle(&self, id: &str, command: &[&str]) -> (PathBuf, PathBuf) {
        self.bundle_with(id, command, false)
    }

    /// As [`bundle`](Self::bundle), the process given a terminal with `tty`.
    fn bundle_with(&self, id: &str, command: &[&str], tty: bool) -> (PathBuf, PathBuf) {
        let dir = self.container_dir(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let bundle = dir.join("bundle");
        let rootfs = bundle.join("rootfs");
        busybox_rootfs(&rootfs).unwrap();
        let mut config = CreateConfig::default();
        config.command = Some(command.iter().map(|s| s.to_string()).collect());
        config.cgroup_parent = Some(self.cgroup_parent.clone());
        config.network.mode = libpod_spec::NetworkMode::None;
        config.tty = tty;
        let spec = self
            .generator
            .generate(&config, None, &SpecContext::new(id, &rootfs))
            .unwrap();
        std::fs::write(
            bundle.join("config.json"),
            serde_json::to_vec(&spec).unwrap(),
        )
        .unwrap();
        self.created.lock().unwrap().push(id.to_string());
        (bundle, dir.join("run"))
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for id in self.created.lock().unwrap().iter() {
            if let Err(err) = self.rt.delete(id, true) {
                eprintln!("cleanup: deleting {id}: {err}");
            }
        }
        // The runtime removes each container's cgroup; the parent is ours, in every hierarchy.
        let Ok(hierarchies) = std::fs::read_dir("/sys/fs/cgroup") else {
            return;
        };
        for hierarchy in hierarchies.flatten() {
            let parent = hierarchy
                .path()
                .join(self.cgroup_parent.trim_start_matches('/'));
            if let Ok(children) = std::fs::read_dir(&parent) {
                for child in children.flatten().filter(|c| c.path().is_dir()) {
                    let _ = std::fs::remove_dir(child.path());
                }
            }
            let _ = std::fs::remove_dir(&parent);
        }
    }
}

impl Fixture for Env {
    fn runtime(&self) -> &dyn OciRuntime {
        &self.rt
    }
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
        // sh as PID 1 has no SIGTERM handler: the kernel drops SIGTERM.
        let wait = "while [ ! -s /exit-code ]; do sleep 0.01; done; exit $(cat /exit-code)";
        self.bundle(id, &["/bin/sh", "-c", wait])
    }
    fn finish(&self, id: &str, code: i32) {
        let rootfs = self.container_dir(id).join("bundle/rootfs");
        std::fs::write(rootfs.join("exit-code.tmp"), code.to_string()).unwrap();
        std::fs::rename(rootfs.join("exit-code.tmp"), rootfs.join("exit-code")).unwrap();
    }
}

mod libcontainer_conformance {
    libpod_core::oci_runtime_suite!(super::Env::new);
}

/// The monitor copies stdout and stderr to the k8s-file log in conmon's format, records the
/// exit code and runs the exit command after the exit file is written.
#[test]
fn monitor_writes_log_exit_file_and_runs_exit_command() {
    let env = Env::new();
    let id = "monitor-log";
    let script = "echo out-line; echo err-line >&2; printf partial; exit 7";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sh", "-c", script]);
    let log = env.tmp.path().join("ctr.log");
    let marker = env.tmp.path().join("exit-command-ran");
    let exit_command = vec![
        "/bin/sh".to_string(),
        "-c".to_string(),
        format!(
            "cat {}/run/exits/{id} > {}",
            env.tmp.path().display(),
            marker.display()
        ),
    ];
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    args.exit_command = &exit_command;
    let created = env.rt.create(&args).unwrap();
    assert!(created.pid > 0 && created.conmon_pid > 0);
    let recorded = std::fs::read_to_string(run_dir.join("conmon.pid")).unwrap();
    assert_eq!(recorded.trim(), created.conmon_pid.to_string());
    // The init's PID too, as conmon's `--container-pidfile`; both private, as conmon's.
    let pidfile = run_dir.join("pidfile");
    assert_eq!(
        std::fs::read_to_string(&pidfile).unwrap(),
        created.pid.to_string()
    );
    for file in [pidfile, run_dir.join("conmon.pid")] {
        let mode = std::os::unix::fs::PermissionsExt::mode(&file.metadata().unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }
    env.rt.start(id).unwrap();
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(20))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(7));
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<_> = text
        .lines()
        .map(|line| {
            let (_, stream, partial, message) = libpod_core::logs::parse_record(line).unwrap();
            (stream.as_str().to_string(), partial, message.to_string())
        })
        .collect();
    for want in [
        ("stdout".to_string(), false, "out-line".to_string()),
        ("stderr".to_string(), false, "err-line".to_string()),
        ("stdout".to_string(), true, "partial".to_string()),
    ] {
        assert!(records.contains(&want), "{want:?} not in {records:?}");
    }
    // The exit command runs after the exit file is written, and saw it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&marker).unwrap_or_default().trim() != "7" {
        assert!(
            std::time::Instant::now() < deadline,
            "the exit command did not run"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    env.rt.delete(id, false).unwrap();
}

/// A container with a network namespace of its own has its loopback up, as runc gives it:
/// 127.0.0.1 reachable under `--network none`.
#[test]
fn a_new_network_namespace_has_its_loopback_up() {
    let env = Env::new();
    let id = "loopback";
    let script = "cat /sys/class/net/lo/flags; nc 127.0.0.1 1 </dev/null 2>&1; echo rc=$?";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sh", "-c", script]);
    let log = env.tmp.path().join("ctr.log");
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    env.rt.create(&args).unwrap();
    env.rt.start(id).unwrap();
    env.rt
        .wait_exit(id, Some(Duration::from_secs(20)))
        .unwrap()
        .unwrap();
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| libpod_core::logs::parse_record(line).unwrap().3.to_string())
        .collect();
    // IFF_UP | IFF_LOOPBACK; a loopback left down reads 0x8 and 127.0.0.1 is unreachable.
    assert_eq!(lines[0], "0x9", "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("refused")), "{lines:?}");
    env.rt.delete(id, false).unwrap();
}

/// What the monitor cannot serve yet is refused before anything is made, by name.
#[test]
fn journald_is_not_supported() {
    let env = Env::new();
    let id = "unsupported";
    let (bundle, run_dir) = env.bundle(id, &["/bin/true"]);
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::Journald;
    match env.rt.launch(&args) {
        Err(libpod_core::CoreError::RuntimeUnsupported { what, .. }) => {
            assert!(what.contains("log driver"), "{what}");
        }
        other => panic!("journald: {:?}", other.map(|_| ())),
    }
    assert_eq!(env.rt.state(id).unwrap(), None);
}

/// What one attach connection read until the monitor closed it: stdout, stderr.
fn read_until_closed(socket: &AttachSocket) -> (String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; attach_socket::OUTPUT_BUFFER];
    loop {
        match socket.receive(&mut buf).unwrap() {
            Output::Stdout(data) => out.extend_from_slice(data),
            Output::Stderr(data) => err.extend_from_slice(data),
            Output::Other(stream) => panic!("stream {stream}"),
            Output::Closed => break,
        }
    }
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (text(out), text(err))
}

/// A log's messages of `stream`, in order.
fn logged(log: &std::path::Path, stream: &str) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (_, s, _, message) = libpod_core::logs::parse_record(line).unwrap();
            (s.as_str() == stream).then(|| message.to_string())
        })
        .collect()
}

/// The container's monitor serves conmon's attach socket in the bundle: every client gets
/// stdout and stderr apart, input reaches the open stdin (conmon's `-i`) and a client's end
/// of input closes it; the output is logged too, and the connections close at the exit.
#[test]
fn monitor_serves_the_attach_socket_with_an_open_stdin() {
    let env = Env::new();
    let id = "attach-stdin";
    let script = "tr a-z A-Z; echo err-done >&2; exit 3";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sh", "-c", script]);
    let log = env.tmp.path().join("ctr.log");
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    args.stdin = true;
    env.rt.create(&args).unwrap();
    let path = attach_socket::attach_socket_path(&bundle);
    let typist = AttachSocket::connect(&path).unwrap();
    let watcher = AttachSocket::connect(&path).unwrap();
    env.rt.start(id).unwrap();
    typist.send_input(b"quiet ").unwrap();
    typist.send_input(b"words\n").unwrap();
    typist.close_input().unwrap();
    for socket in [&typist, &watcher] {
        let (out, err) = read_until_closed(socket);
        assert_eq!(
            (out.as_str(), err.as_str()),
            ("QUIET WORDS\n", "err-done\n")
        );
    }
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(20))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(3));
    assert_eq!(logged(&log, "stdout"), ["QUIET WORDS"]);
    assert_eq!(logged(&log, "stderr"), ["err-done"]);
    env.rt.delete(id, false).unwrap();
}

/// With a terminal, the container's master comes to the monitor over libcontainer's console
/// socket: a resize written to the control FIFO before the start is the terminal's size,
/// input is read through the terminal (echoed), all output is stdout, in the log too.
#[test]
fn monitor_gives_the_container_a_terminal_resized_through_ctl() {
    let env = Env::new();
    let id = "attach-tty";
    let script = "[ -t 0 ] && stty size && read line && echo got-$line; exit 4";
    let (bundle, run_dir) = env.bundle_with(id, &["/bin/sh", "-c", script], true);
    let log = env.tmp.path().join("ctr.log");
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    args.terminal = true;
    env.rt.create(&args).unwrap();
    let size = TerminalSize {
        rows: 30,
        cols: 100,
    };
    attach_socket::resize(&attach_socket::ctl_path(&bundle), size).unwrap();
    let socket = AttachSocket::connect(&attach_socket::attach_socket_path(&bundle)).unwrap();
    env.rt.start(id).unwrap();
    socket.send_input(b"hello\r").unwrap();
    let (out, err) = read_until_closed(&socket);
    assert_eq!(err, "");
    assert!(out.contains("30 100\r\n"), "{out:?}");
    assert!(out.contains("hello\r\n"), "the echo: {out:?}");
    assert!(out.contains("got-hello\r\n"), "{out:?}");
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(20))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(4));
    let stdout = logged(&log, "stdout").join("\n");
    assert!(stdout.contains("got-hello"), "{stdout:?}");
    assert!(logged(&log, "stderr").is_empty());
    // The console socket served once.
    assert!(!bundle.join("console.sock").exists());
    env.rt.delete(id, false).unwrap();
}

/// Attach clients that hang up are dropped at once: attaching and detaching leaves the
/// monitor no descriptor, however often, while the container runs on.
#[test]
fn monitor_drops_clients_that_hung_up() {
    let env = Env::new();
    let id = "attach-cycles";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sleep", "600"]);
    let args = CreateArgs::new(id, id, &bundle, &run_dir);
    let created = env.rt.create(&args).unwrap();
    env.rt.start(id).unwrap();
    let fds = format!("/proc/{}/fd", created.conmon_pid);
    let count = || std::fs::read_dir(&fds).unwrap().count();
    let path = attach_socket::attach_socket_path(&bundle);
    // One client held, so the monitor has accepted and settled before the count.
    let held = AttachSocket::connect(&path).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let before = count();
    for _ in 0..8 {
        drop(AttachSocket::connect(&path).unwrap());
    }
    // Time for the monitor to accept them (it would hold them from then on).
    std::thread::sleep(Duration::from_millis(300));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while count() != before {
        assert!(
            std::time::Instant::now() < deadline,
            "{} descriptors, {before} before",
            count()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(held);
    env.rt.kill(id, 9, false).unwrap();
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(20))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(137));
    env.rt.delete(id, false).unwrap();
}

/// `len` bytes of every value, in no simple order (a xorshift): input a byte lost, doubled
/// or reordered shows in.
fn varied_bytes(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// 1 MiB through an open stdin to `cat` and back: the monitor writes input without blocking
/// and holds what the pipe does not take, so `cat` blocked on its output (which the monitor
/// goes on reading) never stalls it. Blocking writes deadlock here: the monitor in `write` to
/// a full stdin, `cat` in `write` to a full stdout.
#[test]
fn monitor_relays_a_mebibyte_through_cat_without_deadlock() {
    let env = Env::new();
    let id = "stdin-mebibyte";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sh", "-c", "cat; exit 5"]);
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(env.tmp.path().join("ctr.log"));
    args.stdin = true;
    env.rt.create(&args).unwrap();
    let socket = AttachSocket::connect(&attach_socket::attach_socket_path(&bundle)).unwrap();
    env.rt.start(id).unwrap();
    let input = varied_bytes(1024 * 1024);
    // The attach on a thread of its own: a deadlocked monitor fails the wait below, and the
    // cleanup's kill ends the attach.
    let attach = {
        let input = input.clone();
        std::thread::spawn(move || {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(input));
            let keys = libpod_core::oci::DetachKeys::parse("").unwrap();
            socket
                .copy(Some(reader), &mut out, &mut err, &keys)
                .unwrap();
            (out, err)
        })
    };
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(5), "the monitor stalled");
    let (out, err) = attach.join().unwrap();
    assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
    assert_eq!(out.len(), input.len());
    assert!(out == input, "the output differs from the input");
    env.rt.delete(id, false).unwrap();
}

/// A client that connects and never reads is dropped once its socket's buffer stays full (the
/// monitor's limit, 5 s): the container writes 8 MiB and finishes, its exit code recorded and
/// its output logged; a client that reads, late by a second (a slow reader, not a stopped
/// one), gets all of it; the one that did not read got a part, then its end.
#[test]
fn monitor_drops_a_client_that_does_not_read() {
    let env = Env::new();
    let id = "attach-stalled";
    // 8192 lines of 1024 bytes.
    let script = "l=x; for i in 1 2 3 4 5 6 7 8 9 10; do l=$l$l; done; \
                  yes $l | head -n 8192; exit 9";
    let (bundle, run_dir) = env.bundle(id, &["/bin/sh", "-c", script]);
    let log = env.tmp.path().join("ctr.log");
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(log.clone());
    env.rt.create(&args).unwrap();
    let path = attach_socket::attach_socket_path(&bundle);
    let stalled = AttachSocket::connect(&path).unwrap();
    let reader = AttachSocket::connect(&path).unwrap();
    let reading = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        read_until_closed(&reader)
    });
    env.rt.start(id).unwrap();
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(9), "the monitor stalled");
    let line = "x".repeat(1024);
    let want = format!("{line}\n").repeat(8192);
    let (out, err) = reading.join().unwrap();
    assert_eq!(err, "");
    assert!(
        out == want,
        "the reader got {} bytes of {}",
        out.len(),
        want.len()
    );
    // The log's records, partial ones (cut at a read's end) joined: the output again.
    let mut from_log = String::new();
    for record in std::fs::read_to_string(&log).unwrap().lines() {
        let (_, stream, partial, message) = libpod_core::logs::parse_record(record).unwrap();
        assert_eq!(stream.as_str(), "stdout");
        from_log.push_str(message);
        if !partial {
            from_log.push('\n');
        }
    }
    assert!(
        from_log == want,
        "the log holds {} bytes of {}",
        from_log.len(),
        want.len()
    );
    // The client that did not read: what its buffer held, then the connection's end.
    let (part, _) = read_until_closed(&stalled);
    assert!(
        !part.is_empty() && part.len() < want.len() && want.starts_with(&part),
        "the stalled client got {} bytes of {}",
        part.len(),
        want.len()
    );
    env.rt.delete(id, false).unwrap();
}

/// A large paste into the container's terminal while the process does not read yet: the
/// master's input fills, the monitor holds the rest and writes it as the terminal takes it,
/// all of it arriving (raw mode, no echo), the exit recorded.
#[test]
fn monitor_pastes_into_a_full_terminal() {
    let env = Env::new();
    let id = "tty-paste";
    let script = "stty raw -echo; echo ready; sleep 1; head -c 262144 | wc -c; exit 6";
    let (bundle, run_dir) = env.bundle_with(id, &["/bin/sh", "-c", script], true);
    let mut args = CreateArgs::new(id, id, &bundle, &run_dir);
    args.log = LogTarget::K8sFile(env.tmp.path().join("ctr.log"));
    args.terminal = true;
    env.rt.create(&args).unwrap();
    let socket = AttachSocket::connect(&attach_socket::attach_socket_path(&bundle)).unwrap();
    env.rt.start(id).unwrap();
    let attach = std::thread::spawn(move || {
        // The paste once the terminal is raw (in cooked mode a line is cut at 4 KiB).
        let mut seen = String::new();
        let mut buf = vec![0u8; attach_socket::OUTPUT_BUFFER];
        while !seen.contains("ready") {
            match socket.receive(&mut buf).unwrap() {
                Output::Stdout(data) => seen.push_str(&String::from_utf8_lossy(data)),
                other => panic!("before the paste: {other:?}"),
            }
        }
        let paste: Vec<u8> = (b'a'..=b'z').cycle().take(262_144).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(paste));
        let keys = libpod_core::oci::DetachKeys::parse("").unwrap();
        socket
            .copy(Some(reader), &mut out, &mut err, &keys)
            .unwrap();
        String::from_utf8(out).unwrap()
    });
    let exit = env.rt.wait_exit(id, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(exit.map(|e| e.code), Some(6), "the monitor stalled");
    let out = attach.join().unwrap();
    assert!(out.contains("262144"), "{out:?}");
    env.rt.delete(id, false).unwrap();
}

//! `podctl --runtime libcontainer`: the same containers as with conmon + runc, compared with
//! both the runc path and the real Podman 4.3: exit codes, output, logs, and nothing left
//! behind by `run --rm`. Real libcontainer and cgroups; podctl itself is the monitor.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};
use std::process::Output;

/// What a script sees of one `run`: exit code, stdout, stderr.
fn seen(out: &Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `run` of `cmd` with each runtime and with Podman: the same exit code, with `--rm` and
/// without; without `--rm`, the same output and error output (with `--rm`, podctl's follow of
/// the log races the exit command's removal of it, on either runtime: not compared).
#[test]
fn run_rm_matches_runc_and_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-run");
    let flags = pair.run_flags();
    let run = |runtime: Option<&str>, rm: bool, cmd: &[&str]| -> Vec<String> {
        let mut args = Vec::new();
        if let Some(runtime) = runtime {
            args.extend(["--runtime".to_string(), runtime.to_string()]);
        }
        args.extend(["run", "--network", "none"].map(String::from));
        if rm {
            args.push("--rm".into());
        }
        args.extend(flags.iter().cloned());
        args.push("localhost/busybox".into());
        args.extend(cmd.iter().map(|s| s.to_string()));
        args
    };
    let cases: [&[&str]; 5] = [
        &["/bin/true"],
        &["sh", "-c", "echo out-line; echo err-line >&2; exit 3"],
        &["sh", "-c", "sleep 0.2; echo late; exit 1"],
        &["nosuchcmd"],
        &["/etc/passwd"],
    ];
    for cmd in cases {
        for rm in [true, false] {
            let (libcontainer_args, runc_args) =
                (run(Some("libcontainer"), rm, cmd), run(None, rm, cmd));
            let libcontainer = seen(&pair.podctl(&as_strs(&libcontainer_args)));
            let runc = seen(&pair.podctl(&as_strs(&runc_args)));
            let podman = seen(&pair.podman(&as_strs(&runc_args)));
            let what = format!("{cmd:?} (--rm {rm})");
            assert_eq!(libcontainer.0, runc.0, "{what}: exit code against runc's");
            assert_eq!(
                libcontainer.0, podman.0,
                "{what}: exit code against Podman's"
            );
            if !rm && libcontainer.0.is_some_and(|code| code < 125) {
                assert_eq!(
                    (&libcontainer.1, &libcontainer.2),
                    (&runc.1, &runc.2),
                    "{what}: output against runc's"
                );
                assert_eq!(libcontainer.1, podman.1, "{what}: stdout against Podman's");
            }
        }
        pair.ok(&["rm", "-a"]);
    }
    // `run --rm` left no container, no runtime state, no cgroup of a container.
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
    let state_root = pair.root.join("run/runtime/libcontainer");
    assert!(state_root.is_dir(), "podctl did not open libcontainer");
    let left: Vec<_> = std::fs::read_dir(&state_root)
        .map(|dir| dir.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "libcontainer state left: {left:?}");
    let pids =
        std::path::Path::new("/sys/fs/cgroup/pids").join(pair.cgroup.0.trim_start_matches('/'));
    let cgroups: Vec<_> = std::fs::read_dir(&pids)
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name())
                .collect()
        })
        .unwrap_or_default();
    // Podman leaves its `conmon` cgroup there; no container's may be left.
    let containers: Vec<_> = cgroups.iter().filter(|name| *name != "conmon").collect();
    assert!(
        containers.is_empty(),
        "container cgroups left: {containers:?}"
    );
}

/// A detached container outlives the podctl that started it: its monitor (podctl in its
/// monitor mode) writes the log and the exit code. The container keeps its runtime: podctl
/// calls without `--runtime` (`wait`, `logs`, `inspect`, `rm`) act on it through libcontainer,
/// beside a runc container in the same store.
#[test]
fn detached_container_keeps_its_runtime() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-detached");
    let flags = pair.run_flags();
    let mut args = vec!["--runtime", "libcontainer", "run", "-d", "--name", "lc"];
    args.extend(flags.iter().map(String::as_str));
    args.extend([
        "localhost/busybox",
        "sh",
        "-c",
        "echo hello; echo oops >&2; sleep 1; exit 5",
    ]);
    let id = pair.ok(&args);
    assert_eq!(id.trim().len(), 64, "{id}");
    let mut args = vec!["create", "--name", "rc"];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["localhost/busybox", "true"]);
    pair.ok(&args);
    // libcontainer's record of it while it runs (its cleanup deletes it, as runc's).
    let record = pair
        .root
        .join("run/runtime/libcontainer")
        .join(id.trim())
        .join("state.json");
    assert!(record.is_file(), "{} missing", record.display());
    let runtimes = pair.ok(&["inspect", "--format", "{{.OCIRuntime}}", "lc", "rc"]);
    assert_eq!(runtimes, "libcontainer\nrunc\n");
    assert_eq!(pair.ok(&["wait", "lc"]).trim(), "5");
    let logs = pair.podctl(&["logs", "lc"]);
    assert!(logs.status.success());
    assert_eq!(String::from_utf8_lossy(&logs.stdout), "hello\n");
    assert_eq!(String::from_utf8_lossy(&logs.stderr), "oops\n");
    let state = pair.ok(&[
        "inspect",
        "--format",
        "{{.State.Status}} {{.State.ExitCode}}",
        "lc",
    ]);
    assert_eq!(state.trim(), "exited 5");
    pair.ok(&["rm", "lc", "rc"]);
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
    assert!(
        !record.exists(),
        "libcontainer's state outlived the removal"
    );
}

/// podctl with `args` and `input` on its stdin.
fn podctl_with_input(pair: &Pair, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// podctl with `args`, started by sh with `redirect` (as `3<FILE`) applied: fds given to
/// podctl open and not close-on-exec, as `--preserve-fds` wants them.
fn podctl_redirected(pair: &Pair, args: &[&str], redirect: &str) -> Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" \"$@\" {redirect}"))
        .arg(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"))
        .args(args)
        .output()
        .unwrap()
}

/// Reads `fd` to its end, which must come within `limit`.
fn read_to_end_within(fd: std::os::fd::OwnedFd, limit: std::time::Duration) -> String {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let deadline = std::time::Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(ms)).unwrap();
        assert!(ready > 0, "no end of file within {limit:?}; read {seen:?}");
        let mut buf = [0u8; 256];
        match nix::unistd::read(&fd, &mut buf).unwrap() {
            0 => return String::from_utf8(seen).unwrap(),
            n => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Prints 1 when SIGPIPE is ignored in the process that reads `/proc/self/status`, else 0.
const SIGPIPE_IGNORED: &str =
    "m=$(grep SigIgn /proc/self/status | cut -f2); echo $(( 0x$m >> 12 & 1 ))";

/// `exec` in a `--runtime libcontainer` container as in a runc one: output, exit codes
/// (0, 1, 126, 127, 137), `-e`, `-u`, `-w`, `-i`, `-d`, the container's environment,
/// capabilities, seccomp and cgroup; and nothing left of the sessions after.
#[test]
fn exec_matches_runc() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-exec");
    let flags = pair.run_flags();
    for (name, runtime) in [("lc", Some("libcontainer")), ("rc", None)] {
        let mut args = Vec::new();
        if let Some(runtime) = runtime {
            args.extend(["--runtime", runtime]);
        }
        args.extend(["run", "-d", "--network", "none", "--name", name]);
        args.extend(flags.iter().map(String::as_str));
        args.extend(["localhost/busybox", "sleep", "600"]);
        pair.ok(&args);
    }
    // Options, then the command; CTR stands for the container.
    let cases: &[&[&str]] = &[
        &["CTR", "sh", "-c", "echo out-line; echo err-line >&2"],
        &["CTR", "sh", "-c", "echo one; exit 1"],
        &["CTR", "nosuchcmd"],
        &["CTR", "/etc/passwd"],
        &["CTR", "sh", "-c", "kill -9 $$"],
        &[
            "-e",
            "FOO=bar",
            "-e",
            "HOME=/tmp",
            "CTR",
            "sh",
            "-c",
            "echo $FOO $HOME",
        ],
        &["-u", "nobody", "CTR", "id"],
        &["-u", "1234:1234", "CTR", "id"],
        &["-u", "nosuchuser", "CTR", "id"],
        &["-w", "/tmp", "CTR", "pwd"],
        &["-w", "/nonexistent", "CTR", "pwd"],
        &["CTR", "sh", "-c", "env | sort | grep -v HOSTNAME"],
        &[
            "CTR",
            "sh",
            "-c",
            "grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status",
        ],
        &["CTR", "sh", "-c", "yes | head -1"],
        // SIGPIPE not ignored (the monitor ignores it, as Rust programs do), in the exec's
        // process and in the container's init.
        &["CTR", "sh", "-c", SIGPIPE_IGNORED],
        &["CTR", "sh", "-c", &SIGPIPE_IGNORED.replace("self", "1")],
    ];
    for case in cases {
        let [lc, rc] = ["lc", "rc"].map(|name| {
            let args: Vec<&str> = case
                .iter()
                .map(|arg| if *arg == "CTR" { name } else { arg })
                .collect();
            let mut all = vec!["exec"];
            all.extend(args);
            seen(&pair.podctl(&all))
        });
        assert_eq!(lc.0, rc.0, "{case:?}: exit code against runc's ({lc:?})");
        if lc.0.is_some_and(|code| code < 125) {
            assert_eq!(
                (&lc.1, &lc.2),
                (&rc.1, &rc.2),
                "{case:?}: output against runc's"
            );
        }
    }
    // Stdin kept open and closed at its end.
    for name in ["lc", "rc"] {
        let script = "cat; echo done >&2; exit 4";
        let out = podctl_with_input(&pair, &["exec", "-i", name, "sh", "-c", script], b"in\n");
        assert_eq!(
            seen(&out),
            (Some(4), "in\n".into(), "done\n".into()),
            "{name}"
        );
    }
    // Detached: the session runs on; its exit command records its end (its directory goes).
    for name in ["lc", "rc"] {
        let session = pair.ok(&[
            "exec",
            "-d",
            name,
            "sh",
            "-c",
            "sleep 0.3; echo hi > /tmp/d",
        ]);
        assert_eq!(session.trim().len(), 64, "{name}: {session}");
        let id = pair.ok(&["inspect", "--format", "{{.Id}}", name]);
        let dir = pair
            .root
            .join("run/containers")
            .join(id.trim())
            .join("exec")
            .join(session.trim());
        assert!(dir.is_dir(), "{name}: {} missing", dir.display());
        for _ in 0..200 {
            if !dir.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(
            !dir.exists(),
            "{name}: the detached session's end was not recorded"
        );
        assert_eq!(pair.ok(&["exec", name, "cat", "/tmp/d"]), "hi\n", "{name}");
    }
    // No session directory or monitor left; the containers stop and go as usual.
    for name in ["lc", "rc"] {
        let id = pair.ok(&["inspect", "--format", "{{.Id}}", name]);
        let exec_dir = pair
            .root
            .join("run/containers")
            .join(id.trim())
            .join("exec");
        let left: Vec<_> = std::fs::read_dir(&exec_dir)
            .map(|dir| dir.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{name}: sessions left: {left:?}");
    }
    // --preserve-fds: podctl's fd 3 is the process's.
    let given = pair.dir().join("given");
    std::fs::write(&given, "passed-in\n").unwrap();
    for name in ["lc", "rc"] {
        let args = ["exec", "--preserve-fds", "1", name, "sh", "-c", "cat <&3"];
        let out = podctl_redirected(&pair, &args, &format!("3<{}", given.display()));
        assert_eq!(
            seen(&out),
            (Some(0), "passed-in\n".into(), String::new()),
            "{name}"
        );
    }
    // Once the process runs, only it holds the fd: a pipe's end comes when it closes its
    // copy, while it runs on (conmon keeps its copy until the session ends).
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let redirect = format!(
        "3>/proc/{}/fd/{}",
        std::process::id(),
        std::os::fd::AsRawFd::as_raw_fd(&write)
    );
    let script = "echo via-fd >&3; exec 3>&-; sleep 5";
    let args = [
        "exec",
        "-d",
        "--preserve-fds",
        "1",
        "lc",
        "sh",
        "-c",
        script,
    ];
    let out = podctl_redirected(&pair, &args, &redirect);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    drop(write);
    let text = read_to_end_within(read, std::time::Duration::from_secs(3));
    assert_eq!(text, "via-fd\n");
    // Execs at once: each its own output and exit code; libcontainer's per-exec notify
    // sockets do not pile up in the container's state directory.
    let execs: Vec<_> = (0..12i32)
        .map(|n| {
            let script = format!("echo {n}; exit {n}");
            std::thread::spawn({
                let root = pair.root.clone();
                move || common::podctl(&root, &["exec", "lc", "sh", "-c", &script])
            })
        })
        .collect();
    for (n, exec) in (0..).zip(execs) {
        let out = exec.join().unwrap();
        assert_eq!(seen(&out), (Some(n), format!("{n}\n"), String::new()));
    }
    let id = pair.ok(&["inspect", "--format", "{{.Id}}", "lc"]);
    let state_dir = pair.root.join("run/runtime/libcontainer").join(id.trim());
    let notify: Vec<_> = std::fs::read_dir(&state_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tenant-notify-"))
        .collect();
    assert!(notify.is_empty(), "notify sockets left: {notify:?}");
    pair.ok(&["rm", "-f", "-t", "0", "lc", "rc"]);
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
}

/// tmpfs mounts, which Podman gives its `tmpcopyup` option (libcontainer does not know it):
/// the same mounts and output as with runc where the mount point holds nothing to copy;
/// over files of the image, refused by name.
#[test]
fn tmpfs_mounts_match_runc() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-tmpfs");
    let flags = pair.run_flags();
    let script = "mount | grep '^tmpfs on /\\(run\\|tmp\\|var/tmp\\|scratch\\) '; \
                  touch /x 2>&1; echo made > /tmp/f && cat /tmp/f";
    let cases: [&[&str]; 4] = [
        &["--read-only"],
        &["--tmpfs", "/scratch"],
        &["--tmpfs", "/tmp:size=1m"],
        &["--mount", "type=tmpfs,destination=/scratch"],
    ];
    for case in cases {
        let [lc, rc] = [Some("libcontainer"), None].map(|runtime| {
            let mut args: Vec<&str> = runtime.map_or(vec![], |r| vec!["--runtime", r]);
            args.extend(["run", "--rm", "--network", "none"]);
            args.extend(flags.iter().map(String::as_str));
            args.extend(case);
            args.extend(["localhost/busybox", "sh", "-c", script]);
            seen(&pair.podctl(&args))
        });
        assert_eq!(lc, rc, "{case:?}");
        assert!(lc.1.contains("made"), "{case:?}: {lc:?}");
    }
    let mut args = vec![
        "--runtime",
        "libcontainer",
        "run",
        "--rm",
        "--network",
        "none",
    ];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--tmpfs", "/etc", "localhost/busybox", "true"]);
    let (code, _, err) = seen(&pair.podctl(&args));
    assert_eq!(code, Some(125), "{err}");
    assert!(err.contains("tmpcopyup over files"), "{err}");
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
}

/// `PODCTL_LIBCONTAINER_MONITOR` names another monitor program for new libcontainer
/// containers: libpod-libcontainer's own `libpod-libcontainer-monitor` (built beside podctl by
/// `cargo test --workspace`) serves a container as podctl would: its process is that program,
/// the log and the exit code are written, and `stop` and `rm` end it.
#[test]
fn another_monitor_program_serves_new_containers() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-monitor-env");
    let podctl = std::path::Path::new(env!("CARGO_BIN_EXE_podctl"));
    let monitor = podctl.with_file_name("libpod-libcontainer-monitor");
    assert!(
        monitor.is_file(),
        "{} missing: cargo build -p libpod-libcontainer --bin libpod-libcontainer-monitor",
        monitor.display()
    );
    let mut args = vec![
        "--root".to_string(),
        pair.root.join("root").display().to_string(),
    ];
    args.extend([
        "--runroot".into(),
        pair.root.join("run").display().to_string(),
    ]);
    args.extend(
        [
            "--runtime",
            "libcontainer",
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "m",
        ]
        .map(String::from),
    );
    args.extend(pair.run_flags());
    args.extend(["localhost/busybox", "sh", "-c", "echo up; exec sleep 1000"].map(String::from));
    let out = std::process::Command::new(podctl)
        .args(&args)
        .env("PODCTL_LIBCONTAINER_MONITOR", &monitor)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid = pair.ok(&["inspect", "--format", "{{.State.ConmonPid}}", "m"]);
    let exe = std::fs::read_link(format!("/proc/{}/exe", pid.trim())).unwrap();
    assert_eq!(exe, monitor.canonicalize().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pair.ok(&["logs", "m"]) != "up\n" {
        assert!(std::time::Instant::now() < deadline, "no log line");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pair.ok(&["stop", "-t", "0", "m"]);
    let state = pair.ok(&[
        "inspect",
        "--format",
        "{{.State.Status}} {{.State.ExitCode}}",
        "m",
    ]);
    assert_eq!(state.trim(), "exited 137");
    pair.ok(&["rm", "m"]);
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
}

/// podctl with `args`, `input` written to its stdin from a thread while its output is read
/// (a large input and output cannot fill a pipe between us); killed, and the test failed,
/// when it does not finish within `limit`.
fn podctl_streaming(
    pair: &Pair,
    args: &[&str],
    input: Vec<u8>,
    limit: std::time::Duration,
) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A write error is podctl gone early: its exit code tells.
    let writer = std::thread::spawn(move || drop(stdin.write_all(&input)));
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let watchdog = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
            // Reaped (and its PID maybe reused) only after this thread is joined.
            if std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |stat| stat.contains(") Z "))
            {
                return false;
            }
        }
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        true
    });
    let out = child.wait_with_output().unwrap();
    let killed = watchdog.join().unwrap();
    writer.join().unwrap();
    assert!(!killed, "podctl {args:?} did not finish within {limit:?}");
    out
}

/// `len` bytes of every value, in no simple order (a xorshift).
fn varied_bytes(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// 1 MiB through `run -i ... cat` and through `exec -i ... cat`, under libcontainer as under
/// runc: the same bytes back, the exit code recorded. The monitor writes the process's stdin
/// without blocking, so `cat` waiting for its output to be read never stalls it.
#[test]
fn a_mebibyte_through_cat_with_an_open_stdin() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-stdin");
    let flags = pair.run_flags();
    let input = varied_bytes(1024 * 1024);
    let limit = std::time::Duration::from_secs(120);
    for (name, runtime) in [("lc", Some("libcontainer")), ("rc", None)] {
        let mut args = Vec::new();
        if let Some(runtime) = runtime {
            args.extend(["--runtime", runtime]);
        }
        // No detach keys: the input holds every byte value, ctrl-p ctrl-q too.
        args.extend(["run", "-i", "--detach-keys", "", "--network", "none"]);
        args.extend(["--name", name]);
        args.extend(flags.iter().map(String::as_str));
        args.extend(["localhost/busybox", "sh", "-c", "cat; exit 3"]);
        let out = podctl_streaming(&pair, &args, input.clone(), limit);
        let (code, _, err) = seen(&out);
        assert_eq!((code, err.as_str()), (Some(3), ""), "{name}: run -i");
        assert_eq!(out.stdout.len(), input.len(), "{name}: run -i");
        assert!(out.stdout == input, "{name}: run -i: the output differs");
        let state = pair.ok(&[
            "inspect",
            "--format",
            "{{.State.Status}} {{.State.ExitCode}}",
            name,
        ]);
        assert_eq!(state.trim(), "exited 3", "{name}");
        pair.ok(&["rm", name]);
    }
    for (name, runtime) in [("lc", Some("libcontainer")), ("rc", None)] {
        let mut args = Vec::new();
        if let Some(runtime) = runtime {
            args.extend(["--runtime", runtime]);
        }
        args.extend(["run", "-d", "--network", "none", "--name", name]);
        args.extend(flags.iter().map(String::as_str));
        args.extend(["localhost/busybox", "sleep", "600"]);
        pair.ok(&args);
        let args = [
            "exec",
            "-i",
            "--detach-keys",
            "",
            name,
            "sh",
            "-c",
            "cat; exit 4",
        ];
        let out = podctl_streaming(&pair, &args, input.clone(), limit);
        let (code, _, err) = seen(&out);
        assert_eq!((code, err.as_str()), (Some(4), ""), "{name}: exec -i");
        assert_eq!(out.stdout.len(), input.len(), "{name}: exec -i");
        assert!(out.stdout == input, "{name}: exec -i: the output differs");
        pair.ok(&["rm", "-f", "-t", "0", name]);
    }
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
}

/// `exec -it` whose process exits while a process it left in the background keeps the
/// terminal open and its input full (nothing reads it): the session's exit is seen anyway
/// (the monitor waits for room in the terminal in its one poll, beside the pidfd) and its
/// code recorded.
#[test]
fn exec_terminal_exit_seen_while_its_input_is_full() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("libcontainer-exec-tty");
    let mut args = vec![
        "--runtime",
        "libcontainer",
        "run",
        "-d",
        "--network",
        "none",
    ];
    let flags = pair.run_flags();
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--name", "lc", "localhost/busybox", "sleep", "600"]);
    pair.ok(&args);
    // Raw: a full input queue stops the terminal taking input (cooked, it drops the excess).
    // The sleep ignores the SIGHUP the session leader's exit sends: the terminal stays open.
    let script = "stty raw -echo; (trap '' HUP; exec sleep 600) & sleep 1; exit 6";
    let args = ["exec", "-it", "--detach-keys", "", "lc", "sh", "-c", script];
    // More than the terminal's input buffers hold (640 KiB of the pty's, 4 KiB of the line's).
    let input = vec![b'y'; 4 * 1024 * 1024];
    let out = podctl_streaming(&pair, &args, input, std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(6), "{}", seen(&out).2);
    pair.ok(&["rm", "-f", "-t", "0", "lc"]);
    assert_eq!(pair.ok(&["ps", "-aq"]), "");
}

//! `podctl run -it`, `attach` and `start -a -i` in a real terminal: podctl runs on the slave
//! side of a pty (its controlling terminal, through `setsid -c`), the test types on the master
//! side and reads what a user would see; real conmon and runc.

mod common;

use common::{Cgroup, assert_test_runtime, ok, podctl, runtime_args};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::pty::{Winsize, openpty};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// podctl on the slave side of a fresh pty of `rows` x `cols`.
struct Terminal {
    master: OwnedFd,
    child: Child,
    seen: Vec<u8>,
}

impl Terminal {
    fn spawn(root: &Path, args: &[&str], rows: u16, cols: u16) -> Terminal {
        let size = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&size), None).unwrap();
        let slave = || Stdio::from(pty.slave.try_clone().unwrap());
        let child = Command::new("setsid")
            .args(["-w", "-c"])
            .arg(env!("CARGO_BIN_EXE_podctl"))
            .arg("--root")
            .arg(root.join("root"))
            .arg("--runroot")
            .arg(root.join("run"))
            .args(runtime_args(args))
            .args(args)
            .stdin(slave())
            .stdout(slave())
            .stderr(slave())
            .spawn()
            .unwrap();
        Terminal {
            master: pty.master,
            child,
            seen: Vec::new(),
        }
    }

    fn type_in(&self, keys: &str) {
        nix::unistd::write(&self.master, keys.as_bytes()).unwrap();
    }

    /// Reads until `what` shows, or fails after 20 seconds; forgets what was read up to it.
    fn expect(&mut self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = String::from_utf8_lossy(&self.seen).into_owned();
            if let Some(at) = text.find(what) {
                self.seen.drain(..at + what.len());
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{what:?} never showed; the screen: {text:?}"
            );
            let mut fds = [PollFd::new(self.master.as_fd(), PollFlags::POLLIN)];
            let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
            if poll(&mut fds, PollTimeout::from(ms)).unwrap() == 0 {
                continue;
            }
            let mut buf = [0u8; 4096];
            match nix::unistd::read(&self.master, &mut buf) {
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                // The slave side closed: podctl ended.
                Err(nix::errno::Errno::EIO) => {
                    panic!("podctl ended before {what:?} showed: {text:?}")
                }
                Err(err) => panic!("reading the terminal: {err}"),
            }
        }
    }

    /// podctl's exit code, waiting at most 20 seconds.
    fn exit_code(&mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "podctl did not end");
            // Keep the master drained so podctl never blocks writing.
            let mut buf = [0u8; 4096];
            let mut fds = [PollFd::new(self.master.as_fd(), PollFlags::POLLIN)];
            if poll(&mut fds, PollTimeout::from(50u16)).unwrap_or(0) > 0
                && let Ok(n) = nix::unistd::read(&self.master, &mut buf)
            {
                self.seen.extend_from_slice(&buf[..n]);
            }
        }
    }

    fn resize(&self, rows: u16, cols: u16) {
        let size = rustix::termios::Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        rustix::termios::tcsetwinsize(&self.master, size).unwrap();
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Removes the test's container however the test ends (before the temporary root goes).
struct RemoveShell<'a>(&'a Path);

impl Drop for RemoveShell<'_> {
    fn drop(&mut self) {
        let _ = podctl(self.0, &["rm", "-f", "shell"]);
    }
}

fn status(root: &Path, name: &str) -> String {
    ok(root, &["inspect", "--format", "{{.State.Status}}", name])
        .trim()
        .to_string()
}

fn setup(tmp: &TempRoot) -> PathBuf {
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    root
}

#[test]
fn run_it_attach_and_start_ai_in_a_terminal() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-attach-{}", std::process::id()));
    let root = setup(&tmp);
    let _remove = RemoveShell(&root);
    let limits = [
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
        "--cgroup-parent",
        &cg.0,
        "--network",
        "none",
    ];

    // run -it: the shell's prompt, input and output, the terminal's size; a resize of the
    // terminal reaches the container; ctrl-p ctrl-q detaches and leaves it running.
    let mut args = vec!["run", "-it", "--name", "shell"];
    args.extend(limits);
    args.extend(["busybox", "sh"]);
    let mut term = Terminal::spawn(&root, &args, 30, 100);
    term.expect("# ");
    term.type_in("echo sum-$((40+2))\r");
    term.expect("sum-42");
    term.type_in("stty size\r");
    term.expect("30 100");
    term.resize(45, 132);
    // The kernel sends podctl SIGWINCH; podctl passes the new size to conmon.
    std::thread::sleep(Duration::from_millis(300));
    term.type_in("stty size\r");
    term.expect("45 132");
    term.type_in("\x10\x11");
    assert_eq!(term.exit_code(), 0);
    assert_eq!(status(&root, "shell"), "running");
    assert_test_runtime(&root, "shell");

    // exec -it: a second shell in it, as run -it: sized at the start and on a resize, the
    // terminal raw (ctrl-c interrupts the container's command, not podctl); its exit code is
    // podctl's.
    let mut term = Terminal::spawn(&root, &["exec", "-it", "shell", "sh"], 28, 90);
    term.expect("# ");
    term.type_in("stty size\r");
    term.expect("28 90");
    term.resize(50, 140);
    std::thread::sleep(Duration::from_millis(300));
    term.type_in("stty size\r");
    term.expect("50 140");
    term.type_in("sleep 30; echo slept-$((1+1))\r");
    std::thread::sleep(Duration::from_millis(300));
    term.type_in("\x03");
    term.type_in("echo after-$((2+2))\r");
    term.expect("after-4");
    term.type_in("exit 3\r");
    assert_eq!(term.exit_code(), 3);
    assert_eq!(status(&root, "shell"), "running");

    // attach: the same shell, with other detach keys; then detached again.
    let mut term = Terminal::spawn(
        &root,
        &["attach", "--detach-keys", "ctrl-x", "shell"],
        24,
        80,
    );
    term.type_in("echo again-$((1+1))\r");
    term.expect("again-2");
    term.type_in("\x18");
    assert_eq!(term.exit_code(), 0);
    assert_eq!(status(&root, "shell"), "running");

    // attach, then the shell exits: attach ends with it.
    let mut term = Terminal::spawn(&root, &["attach", "shell"], 24, 80);
    term.type_in("echo bye\r");
    term.expect("bye");
    term.type_in("exit 5\r");
    assert_eq!(term.exit_code(), 0);
    assert_eq!(status(&root, "shell"), "exited");
    let out = podctl(&root, &["attach", "shell"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("you can only attach to running containers"),
        "{out:?}"
    );

    // start -a -i: started again and attached; its exit code is podctl's.
    let mut term = Terminal::spawn(&root, &["start", "-a", "-i", "shell"], 24, 80);
    term.expect("# ");
    term.type_in("exit 7\r");
    assert_eq!(term.exit_code(), 7);

    // run -i without a terminal: input reaches the container, and its end closes its stdin.
    let mut args = vec!["run", "-i", "--rm"];
    args.extend(limits);
    args.extend(["busybox", "sh", "-c", "tr a-z A-Z; echo done"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(runtime_args(&args))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"quiet words\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "QUIET WORDS\ndone\n");
    assert_eq!(out.status.code(), Some(0));
}

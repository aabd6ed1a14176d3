//! `spawn` against a shell: what the child gets, and what it does not.

use super::*;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A close-on-exec copy of `fd` numbered `min` or above.
fn above(fd: RawFd, min: RawFd) -> OwnedFd {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) returns a new fd (checked) that nothing else owns.
    unsafe {
        let copy = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, min);
        assert!(copy >= min, "{}", io::Error::last_os_error());
        OwnedFd::from_raw_fd(copy)
    }
}

/// Runs `sh -c script` through `spawn` with its output on a pipe; returns the exit status and
/// the output.
fn run(command: &mut Command, extra: &[(RawFd, RawFd)]) -> (ExitStatus, String) {
    let (mut output, pipe_writer) = io::pipe().unwrap();
    let writer = above(pipe_writer.as_raw_fd(), 10);
    drop(pipe_writer);
    let mut child = spawn(command, writer.as_raw_fd(), extra).unwrap();
    drop(writer);
    let status = child.wait().unwrap();
    let mut text = String::new();
    output.read_to_string(&mut text).unwrap();
    (status, text)
}

#[test]
fn arguments_environment_and_directory_reach_the_child() {
    // SAFETY: the test owns its environment changes (unique names).
    unsafe { std::env::set_var("LIBPOD_SPAWN_TEST_DROP", "dropped") };
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new("/bin/sh");
    command
        .args(["-c", "echo \"$0 $1 ${LIBPOD_SPAWN_TEST_SET} ${LIBPOD_SPAWN_TEST_DROP:-none} $(pwd)\"; exit 3", "zero", "a b"])
        .env("LIBPOD_SPAWN_TEST_SET", "set")
        .env_remove("LIBPOD_SPAWN_TEST_DROP")
        .current_dir(dir.path());
    let (status, text) = run(&mut command, &[]);
    assert_eq!(status.code(), Some(3));
    let real = dir.path().canonicalize().unwrap();
    assert_eq!(text.trim(), format!("zero a b set none {}", real.display()));
}

#[test]
fn only_the_placed_fds_are_inherited_and_stdin_is_empty() {
    let (keep, _other) = std::os::unix::net::UnixStream::pair().unwrap();
    let keep = OwnedFd::from(keep);
    let source = above(keep.as_raw_fd(), 20);
    let (_output, pipe_writer) = io::pipe().unwrap();
    let writer = above(pipe_writer.as_raw_fd(), 10);
    drop(pipe_writer);
    // An fd some other part of the program left without close-on-exec does not get through.
    let (_stray_reader, stray) = io::pipe().unwrap();
    let stray = above(stray.as_raw_fd(), 30);
    // SAFETY: F_SETFD only changes the flags of an fd this test owns.
    let cleared = unsafe { libc::fcntl(stray.as_raw_fd(), libc::F_SETFD, 0) };
    assert_eq!(cleared, 0);
    let mut command = Command::new("/bin/sleep");
    command.arg("30");
    let mut child = spawn(&command, writer.as_raw_fd(), &[(source.as_raw_fd(), 3)]).unwrap();
    // Once it runs sleep (exec done), its fds are what it inherited.
    let proc_dir = format!("/proc/{}", child.pid());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_link(format!("{proc_dir}/exe")).ok() != Some("/usr/bin/sleep".into())
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let link = |fd: &str| std::fs::read_link(format!("{proc_dir}/fd/{fd}")).unwrap();
    let list = || {
        let mut fds: Vec<i32> = std::fs::read_dir(format!("{proc_dir}/fd"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
            .collect();
        fds.sort();
        fds
    };
    // Just after the exec, sleep's loader still has the libraries it maps open for a moment:
    // an inherited fd stays, a loader's goes.
    let mut fds = list();
    let settle = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while fds.len() > 4 && std::time::Instant::now() < settle {
        std::thread::sleep(std::time::Duration::from_millis(2));
        fds = list();
    }
    let links: Vec<_> = fds.iter().map(|fd| link(&fd.to_string())).collect();
    child.kill().unwrap();
    assert_eq!(fds, [0, 1, 2, 3], "{links:?}");
    assert_eq!(links[0], std::path::Path::new("/dev/null"));
    assert_eq!(links[1], links[2], "stdout and stderr are the output pipe");
    let ours = std::fs::read_link(format!("/proc/self/fd/{}", keep.as_raw_fd())).unwrap();
    assert_eq!(links[3], ours, "fd 3 is the placed socket");
}

#[test]
fn a_missing_program_is_an_error_and_sources_must_be_above_targets() {
    let command = Command::new("/nonexistent/program");
    let (_output, pipe_writer) = io::pipe().unwrap();
    let writer = above(pipe_writer.as_raw_fd(), 10);
    let err = spawn(&command, writer.as_raw_fd(), &[]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    let err = spawn(&command, writer.as_raw_fd(), &[(4, 12)]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

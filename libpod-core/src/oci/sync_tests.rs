//! The pipe protocol, with small shell scripts standing in for conmon.

use super::*;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// A shell running `script`, launched as conmon would be.
fn launch_script(script: &str) -> Launched {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]);
    launch(command).unwrap()
}

/// Kills whatever the script left running (it is the leader of its own process group).
struct KillGroup(u32);

impl Drop for KillGroup {
    fn drop(&mut self) {
        let _ = killpg(Pid::from_raw(self.0.cast_signed()), Signal::SIGKILL);
    }
}

/// Waits for the start byte like conmon, then runs `then` in a forked process and exits.
fn conmon_like(then: &str) -> String {
    format!("head -c 1 <&4 >/dev/null; ( {then} ) & exit 0")
}

#[test]
fn pid_is_reported_after_the_start_byte_and_the_parent_exit() {
    let mut launched = launch_script(&conmon_like(r#"sleep 0.05; printf '{"data": 4242}\n' >&3"#));
    let _group = KillGroup(launched.pid());
    // Nothing before the start byte.
    assert_eq!(
        launched.read_sync(Duration::from_millis(100)).unwrap(),
        SyncRead::TimedOut
    );
    launched.signal_start().unwrap();
    assert!(launched.reap().unwrap().success());
    assert_eq!(
        launched.read_sync(Duration::from_secs(10)).unwrap(),
        SyncRead::Message(SyncMessage {
            data: 4242,
            message: None
        })
    );
}

#[test]
fn failure_message_is_read() {
    let mut launched = launch_script(&conmon_like(
        r#"printf '{"data": -1, "message": "runc said no"}\n' >&3"#,
    ));
    let _group = KillGroup(launched.pid());
    launched.signal_start().unwrap();
    launched.reap().unwrap();
    assert_eq!(
        launched.read_sync(Duration::from_secs(10)).unwrap(),
        SyncRead::Message(SyncMessage {
            data: -1,
            message: Some("runc said no".into())
        })
    );
}

#[test]
fn the_pipes_are_at_fds_3_and_4_named_in_the_environment() {
    let mut launched = launch_script(
        // (Not the last command: the shell would exec it, and list its fds instead.)
        "echo \"sync=$_OCI_SYNCPIPE start=$_OCI_STARTPIPE\"; head -c 1 <&4 >/dev/null; echo go",
    );
    let _group = KillGroup(launched.pid());
    // While the script waits on the start pipe: fds 3 and 4 are sockets, and no other socket
    // is open in it (neither our ends nor the copies above 4 leaked). The shell may hold
    // copies of 3 and 4 (it saves and redirects fds around commands): count socket inodes.
    std::thread::sleep(Duration::from_millis(100));
    let fd_dir = format!("/proc/{}/fd", launched.pid());
    let target = |fd: &str| {
        std::fs::read_link(format!("{fd_dir}/{fd}"))
            .map(|target| target.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (sync_inode, start_inode) = (target("3"), target("4"));
    assert!(sync_inode.starts_with("socket:"), "{sync_inode}");
    assert!(start_inode.starts_with("socket:"), "{start_inode}");
    assert_ne!(sync_inode, start_inode);
    let mut sockets: Vec<String> = std::fs::read_dir(&fd_dir)
        .unwrap()
        .flatten()
        .map(|entry| target(&entry.file_name().to_string_lossy()))
        .filter(|target| target.starts_with("socket:"))
        .collect();
    sockets.sort();
    sockets.dedup();
    let mut expected = vec![sync_inode, start_inode];
    expected.sort();
    assert_eq!(sockets, expected);
    launched.signal_start().unwrap();
    assert!(launched.reap().unwrap().success());
    assert_eq!(launched.output(), "sync=3 start=4\ngo");
}

#[test]
fn its_own_process_group() {
    let mut launched = launch_script("head -c 1 <&4 >/dev/null");
    let _group = KillGroup(launched.pid());
    let pgid = nix::unistd::getpgid(Some(Pid::from_raw(launched.pid().cast_signed()))).unwrap();
    assert_eq!(pgid.as_raw().cast_unsigned(), launched.pid());
    assert_ne!(pgid, nix::unistd::getpgrp());
    launched.signal_start().unwrap();
    launched.reap().unwrap();
}

#[test]
fn silence_then_exit_is_eof() {
    let mut launched = launch_script("head -c 1 <&4 >/dev/null; echo conmon failed >&2; exit 1");
    let _group = KillGroup(launched.pid());
    launched.signal_start().unwrap();
    assert_eq!(launched.reap().unwrap().code(), Some(1));
    assert_eq!(
        launched.read_sync(Duration::from_secs(10)).unwrap(),
        SyncRead::Eof
    );
    assert_eq!(launched.output(), "conmon failed");
}

#[test]
fn a_monitor_that_never_answers_times_out() {
    let mut launched = launch_script(&conmon_like("exec sleep 30"));
    let _group = KillGroup(launched.pid());
    launched.signal_start().unwrap();
    launched.reap().unwrap();
    let start = Instant::now();
    assert_eq!(
        launched.read_sync(Duration::from_millis(200)).unwrap(),
        SyncRead::TimedOut
    );
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[test]
fn garbage_is_malformed() {
    let mut launched = launch_script(&conmon_like("printf 'hello\\n' >&3"));
    let _group = KillGroup(launched.pid());
    launched.signal_start().unwrap();
    launched.reap().unwrap();
    assert_eq!(
        launched.read_sync(Duration::from_secs(10)).unwrap(),
        SyncRead::Malformed("hello".into())
    );
}

#[test]
fn start_byte_to_a_dead_conmon_is_an_error_not_a_signal() {
    let mut launched = launch_script("exit 3");
    let _group = KillGroup(launched.pid());
    assert_eq!(launched.reap().unwrap().code(), Some(3));
    // MSG_NOSIGNAL: EPIPE comes back as an error instead of killing us with SIGPIPE.
    assert!(launched.signal_start().is_err());
    assert_eq!(
        launched.read_sync(Duration::from_secs(1)).unwrap(),
        SyncRead::Eof
    );
}

#[test]
fn parse_sync_reads_the_first_line() {
    assert_eq!(
        parse_sync(b"{\"data\": 12}\n{\"data\": 13}\n"),
        SyncRead::Message(SyncMessage {
            data: 12,
            message: None
        })
    );
    assert_eq!(
        parse_sync(b"{\"data\": -1, \"message\": \"a\\nb\"}"),
        SyncRead::Message(SyncMessage {
            data: -1,
            message: Some("a\nb".into())
        })
    );
    assert!(matches!(
        parse_sync(b"{\"pid\": 1}\n"),
        SyncRead::Malformed(_)
    ));
}

//! Waiting for the container's init, copying its output meanwhile: one `poll` over its
//! pidfd and the two output pipes.

use super::log::K8sLog;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::os::fd::{AsFd, OwnedFd};

/// The largest chunk read at once (conmon's buffer size).
const CHUNK: usize = 8192;

/// The read ends of the container's stdout and stderr (`None` once closed), and the log.
pub(crate) struct Output {
    pipes: [(&'static str, Option<OwnedFd>); 2],
    log: K8sLog,
}

impl Output {
    pub(crate) fn new(stdout: OwnedFd, stderr: OwnedFd, log: K8sLog) -> Output {
        Output {
            pipes: [("stdout", Some(stdout)), ("stderr", Some(stderr))],
            log,
        }
    }

    /// Reads one chunk from pipe `index` into the log; closes the pipe at EOF or on an error.
    /// Whether it read anything.
    fn copy(&mut self, index: usize) -> bool {
        let (stream, pipe) = &mut self.pipes[index];
        let Some(fd) = pipe else { return false };
        let mut buf = [0u8; CHUNK];
        match nix::unistd::read(&*fd, &mut buf) {
            Ok(0) => *pipe = None,
            Ok(n) => {
                if let Err(err) = self.log.write(stream, &buf[..n]) {
                    eprintln!("libcontainer monitor: writing the log: {err}");
                }
                return true;
            }
            Err(Errno::EINTR | Errno::EAGAIN) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: reading the container's {stream}: {err}");
                *pipe = None;
            }
        }
        false
    }

    /// Copies what is left in the pipes without waiting: processes the init left behind (in
    /// the host's PID namespace) may hold them open.
    fn drain(&mut self) {
        for index in 0..self.pipes.len() {
            if let Some(fd) = &self.pipes[index].1 {
                let flags = fcntl(fd, FcntlArg::F_GETFL).map(OFlag::from_bits_truncate);
                if let Ok(flags) = flags {
                    let _ = fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK));
                }
            }
            while self.copy(index) {}
        }
    }
}

/// Waits for `init` (our child) to exit, copying `output` to the log meanwhile; returns its
/// exit code as conmon records it (128 + N for signal N).
pub(crate) fn wait_for_exit(init: i32, mut output: Option<Output>) -> i32 {
    let pidfd = rustix::process::Pid::from_raw(init).and_then(|pid| {
        rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
    });
    loop {
        let mut fds = Vec::with_capacity(3);
        if let Some(pidfd) = &pidfd {
            fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
        }
        let mut open = Vec::with_capacity(2);
        if let Some(output) = &output {
            for (index, (_, pipe)) in output.pipes.iter().enumerate() {
                if let Some(fd) = pipe {
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                    open.push(index);
                }
            }
        }
        // No pidfd and no pipe left: only the wait below tells.
        if fds.is_empty() {
            break;
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: poll: {err}");
                break;
            }
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|fd| fd.revents().is_some_and(|events| !events.is_empty()))
            .collect();
        drop(fds);
        let (exited, pipes_ready) = if pidfd.is_some() {
            (ready[0], &ready[1..])
        } else {
            (false, &ready[..])
        };
        if let Some(output) = &mut output {
            for (&index, &is_ready) in open.iter().zip(pipes_ready) {
                if is_ready {
                    output.copy(index);
                }
            }
        }
        if exited {
            break;
        }
    }
    let status = loop {
        match waitpid(Pid::from_raw(init), None) {
            Err(Errno::EINTR) => {}
            Ok(WaitStatus::Exited(_, code)) => break code,
            Ok(WaitStatus::Signaled(_, signal, _)) => break 128 + signal as i32,
            Ok(_) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: waiting for the container's init: {err}");
                break -1;
            }
        }
    };
    if let Some(output) = &mut output {
        output.drain();
    }
    status
}

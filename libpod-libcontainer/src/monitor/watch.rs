//! The monitor's one loop, for the container's init and for an exec's process alike: a
//! single `poll` over the process's pidfd, its output (two pipes, or its terminal), the
//! attach socket and its clients (`attach.rs`) and the control FIFO (`terminal.rs`). Output
//! goes to the k8s-file log (the container's) and to every client; input to the process's
//! stdin or terminal; resizes to its terminal. At the exit: the process reaped, its output
//! drained without blocking, the connections left open for the caller to close.

use super::attach::{self, Input, Server};
use super::log::K8sLog;
use super::terminal::Ctl;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::os::fd::{AsFd, OwnedFd};

/// The largest chunk of output read at once (conmon's buffer size).
const CHUNK: usize = 8192;
/// The log's stream names, by output index.
const STREAM_NAMES: [&str; 2] = ["stdout", "stderr"];

/// The process's standard streams, as the monitor holds them.
pub(crate) enum Stdio {
    /// Pipes: the read ends of stdout and stderr, and the write end of stdin while it is
    /// kept open (conmon's `-i`; a client's end of input closes it).
    Pipes {
        stdout: OwnedFd,
        stderr: OwnedFd,
        stdin: Option<OwnedFd>,
    },
    /// A terminal's master: all output, all input (never closed by a client), resizes.
    Terminal(OwnedFd),
}

/// The process's streams, the log, the attach socket and the control FIFO.
pub(crate) struct Relay {
    /// stdout and stderr (a terminal's master as stdout), `None` once closed.
    output: [Option<OwnedFd>; 2],
    /// Where input goes, while it does.
    stdin: Option<OwnedFd>,
    /// The input goes to a terminal (non-blocking: its echo must be read meanwhile).
    terminal: bool,
    log: Option<K8sLog>,
    server: Server,
    ctl: Ctl,
    /// One packet: the stream byte, then a chunk of output.
    packet: Vec<u8>,
}

/// What one poll entry is.
#[derive(Clone, Copy)]
enum Source {
    Exit,
    Output(usize),
    Listener,
    Client(usize),
    Ctl,
}

impl Relay {
    /// The relay for `stdio`, logging to `log`, serving `server`, resized through `ctl`.
    pub(crate) fn new(
        stdio: Stdio,
        log: Option<K8sLog>,
        server: Server,
        mut ctl: Ctl,
    ) -> std::io::Result<Relay> {
        let (output, stdin, terminal) = match stdio {
            Stdio::Pipes {
                stdout,
                stderr,
                stdin,
            } => ([Some(stdout), Some(stderr)], stdin, false),
            Stdio::Terminal(master) => {
                set_nonblocking(&master);
                let output = master.try_clone()?;
                let input = master.try_clone()?;
                ctl.set_terminal(master);
                ([Some(output), None], Some(input), true)
            }
        };
        Ok(Relay {
            output,
            stdin,
            terminal,
            log,
            server,
            ctl,
            packet: vec![0u8; CHUNK + 1],
        })
    }

    /// Serves everything until `pid` (our child) exits; drains its output, and returns its
    /// exit code (128 + N for signal N) with the connections still open: dropping the relay
    /// closes them.
    pub(crate) fn serve_until_exit(&mut self, pid: i32) -> i32 {
        // A caller connected before the process started.
        self.server.accept();
        let pidfd = rustix::process::Pid::from_raw(pid).and_then(|pid| {
            rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
        });
        loop {
            // No pidfd and no output left: only the wait below tells.
            if pidfd.is_none() && self.output.iter().all(Option::is_none) {
                break;
            }
            let mut sources = Vec::new();
            let mut fds = Vec::new();
            if let Some(pidfd) = &pidfd {
                sources.push(Source::Exit);
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
            }
            for (index, pipe) in self.output.iter().enumerate() {
                if let Some(fd) = pipe {
                    sources.push(Source::Output(index));
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                }
            }
            sources.push(Source::Listener);
            fds.push(PollFd::new(self.server.listener(), PollFlags::POLLIN));
            sources.push(Source::Ctl);
            fds.push(PollFd::new(self.ctl.fd(), PollFlags::POLLIN));
            for (index, fd, reading) in self.server.clients() {
                sources.push(Source::Client(index));
                // A client whose input ended is polled for its hang-up only.
                let events = if reading {
                    PollFlags::POLLIN
                } else {
                    PollFlags::empty()
                };
                fds.push(PollFd::new(fd, events));
            }
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(err) => {
                    eprintln!("libcontainer monitor: poll: {err}");
                    break;
                }
            }
            let ready: Vec<(Source, PollFlags)> = fds
                .iter()
                .zip(&sources)
                .filter_map(|(fd, source)| {
                    let events = fd.revents().filter(|events| !events.is_empty())?;
                    Some((*source, events))
                })
                .collect();
            drop(fds);
            if self.step(&ready) {
                break;
            }
        }
        let code = reap(pid);
        // A client that connected meanwhile gets the rest too.
        self.server.accept();
        self.drain();
        code
    }

    /// Handles what one poll found ready; whether the process exited. Input first (by
    /// index, before accepts and hang-ups change the list), then hang-ups, new clients
    /// (before output that is theirs too), resizes, output.
    fn step(&mut self, ready: &[(Source, PollFlags)]) -> bool {
        let mut hung_up = Vec::new();
        for &(source, events) in ready {
            if let Source::Client(index) = source {
                let ended = match self.server.take_input(index) {
                    Input::Packet(data) => {
                        self.write_input(&data);
                        false
                    }
                    Input::End => {
                        // conmon's `-i`: a client's end of input is the process's; a
                        // terminal stays open.
                        if !self.terminal {
                            self.stdin = None;
                        }
                        true
                    }
                    Input::Nothing => true,
                };
                if ended && events.intersects(PollFlags::POLLHUP | PollFlags::POLLERR) {
                    hung_up.push(index);
                }
            }
        }
        self.server.drop_clients(&hung_up);
        let mut exited = false;
        for &(source, _) in ready {
            match source {
                Source::Listener => self.server.accept(),
                Source::Ctl => self.ctl.read(),
                Source::Exit => exited = true,
                Source::Output(_) | Source::Client(_) => {}
            }
        }
        for &(source, _) in ready {
            if let Source::Output(index) = source {
                self.copy(index);
            }
        }
        exited
    }

    /// Writes input to the process's stdin or terminal (dropped when it has none); a stdin
    /// it closed is closed here too.
    fn write_input(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let Some(stdin) = &self.stdin else { return };
            match nix::unistd::write(stdin, data) {
                Ok(n) => data = &data[n..],
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => self.wait_for_terminal(),
                Err(err) => {
                    // The process closed its stdin: later input is dropped, as conmon does.
                    if !matches!(err, Errno::EPIPE | Errno::EIO) {
                        eprintln!("libcontainer monitor: writing the process's input: {err}");
                    }
                    self.stdin = None;
                }
            }
        }
    }

    /// Waits until the terminal takes input, copying its output (the echo) meanwhile, so a
    /// full terminal never stops the monitor.
    fn wait_for_terminal(&mut self) {
        let readable = {
            let (Some(stdin), Some(output)) = (&self.stdin, &self.output[0]) else {
                self.stdin = None;
                return;
            };
            let mut fds = [
                PollFd::new(stdin.as_fd(), PollFlags::POLLOUT),
                PollFd::new(output.as_fd(), PollFlags::POLLIN),
            ];
            if let Err(err) = poll(&mut fds, PollTimeout::NONE)
                && err != Errno::EINTR
            {
                eprintln!("libcontainer monitor: poll: {err}");
                self.stdin = None;
                return;
            }
            fds[1].revents().is_some_and(|events| !events.is_empty())
        };
        if readable {
            self.copy(0);
        }
    }

    /// Reads one chunk of output `index` into the log and to every client; closes it at its
    /// end. Whether it read anything.
    fn copy(&mut self, index: usize) -> bool {
        let Some(fd) = &self.output[index] else {
            return false;
        };
        self.packet[0] = attach::stream_byte(index);
        match nix::unistd::read(fd, &mut self.packet[1..]) {
            // EIO: a terminal whose every slave closed.
            Ok(0) | Err(Errno::EIO) => self.output[index] = None,
            Ok(n) => {
                if let Some(log) = &mut self.log
                    && let Err(err) = log.write(STREAM_NAMES[index], &self.packet[1..=n])
                {
                    eprintln!("libcontainer monitor: writing the log: {err}");
                }
                self.server.broadcast(&self.packet[..=n]);
                return true;
            }
            Err(Errno::EINTR | Errno::EAGAIN) => {}
            Err(err) => {
                let stream = STREAM_NAMES[index];
                eprintln!("libcontainer monitor: reading the process's {stream}: {err}");
                self.output[index] = None;
            }
        }
        false
    }

    /// Copies what is left of the output without waiting: processes the process left
    /// behind may hold it open.
    fn drain(&mut self) {
        for index in 0..self.output.len() {
            if let Some(fd) = &self.output[index] {
                set_nonblocking(fd);
            }
            while self.copy(index) {}
        }
    }
}

/// Sets `O_NONBLOCK` on `fd` (a failure leaves it blocking: logged).
fn set_nonblocking(fd: &OwnedFd) {
    let set = fcntl(fd, FcntlArg::F_GETFL)
        .map(OFlag::from_bits_truncate)
        .and_then(|flags| fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)));
    if let Err(err) = set {
        eprintln!("libcontainer monitor: making a descriptor non-blocking: {err}");
    }
}

/// Reaps `pid`, our child: its exit code as conmon records it.
pub(crate) fn reap(pid: i32) -> i32 {
    loop {
        match waitpid(Pid::from_raw(pid), None) {
            Err(Errno::EINTR) => {}
            Ok(WaitStatus::Exited(_, code)) => return code,
            Ok(WaitStatus::Signaled(_, signal, _)) => return 128 + signal as i32,
            Ok(_) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: waiting for the process: {err}");
                return -1;
            }
        }
    }
}

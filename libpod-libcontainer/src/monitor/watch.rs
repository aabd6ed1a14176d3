//! The monitor's one loop, for the container's init and for an exec's process alike: a
//! single `poll` over the process's pidfd, its output (two pipes, or its terminal), its
//! input while some waits for room, the attach socket and its clients (`attach.rs`) and the
//! control FIFO (`terminal.rs`). Output goes to the k8s-file log (the container's) and to
//! every client; input to the process's stdin or terminal; resizes to its terminal. At the
//! exit: the process reaped, its output drained without blocking, the connections left open
//! for the caller to close.
//!
//! Nothing in the loop blocks on the process: input is written non-blocking (conmon's way),
//! what the process does not take yet is held (one client packet at most) and written as
//! stdin has room, and meanwhile no client's input is read (its sender waits: backpressure),
//! so a process that writes before it reads more never stalls its own output.

use super::attach::{self, Input, Server};
use super::log::K8sLog;
use super::terminal::Ctl;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// The largest chunk of output read at once (conmon's buffer size).
const CHUNK: usize = 8192;
/// The log's stream names, by output index.
const STREAM_NAMES: [&str; 2] = ["stdout", "stderr"];

/// The process's standard streams, as the monitor holds them.
pub(crate) enum Stdio {
    /// Pipes: the read ends of stdout and stderr, and the write end of stdin while it is
    /// kept open (conmon's `-i`; a client's end of input closes it). Only our ends are
    /// made non-blocking: each end of a pipe is a description of its own.
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
    /// Where input goes, while it does (non-blocking).
    stdin: Option<OwnedFd>,
    /// The input goes to a terminal (which a client's end of input leaves open).
    terminal: bool,
    /// Input the process has not taken yet: at most one client packet, since clients are
    /// read only while it is empty; while it is not, stdin is polled for room.
    pending: Vec<u8>,
    log: Option<K8sLog>,
    server: Server,
    ctl: Ctl,
    /// One packet: the stream byte, then a chunk of output.
    packet: Vec<u8>,
    /// When the memory only the create used goes back, if the process still runs then
    /// ([`shed_after`](Self::shed_after)); `None` once done, or never asked.
    shed_at: Option<Instant>,
}

/// What one poll entry is.
#[derive(Clone, Copy)]
enum Source {
    Exit,
    Output(usize),
    Stdin,
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
            } => {
                if let Some(stdin) = &stdin {
                    set_nonblocking(stdin);
                }
                ([Some(stdout), Some(stderr)], stdin, false)
            }
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
            pending: Vec::new(),
            log,
            server,
            ctl,
            packet: vec![0u8; CHUNK + 1],
            shed_at: None,
        })
    }

    /// Gives back what only the create used (`footprint.rs`) once the process has run for
    /// `delay`: a container that lives for long keeps the loop's pages only, and one that
    /// ends sooner (a `run --rm`) never pays the page faults that bring back the exit's code.
    pub(crate) fn shed_after(&mut self, delay: Duration) {
        self.shed_at = Some(Instant::now() + delay);
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
            if let Some(at) = self.shed_at
                && Instant::now() >= at
            {
                super::footprint::shed_create_pages();
                self.shed_at = None;
            }
            let (sources, mut fds) = self.poll_set(pidfd.as_ref());
            let deadline = match (self.server.lag_deadline(), self.shed_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = deadline.map_or(PollTimeout::NONE, attach::timeout_until);
            match poll(&mut fds, timeout) {
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

    /// What the next poll waits for, and which source each entry is. Output is read only
    /// while no client holds any (it waits for room, polled: `attach.rs`); clients' input
    /// only while no input waits for room in stdin (polled then).
    fn poll_set<'a>(&'a self, pidfd: Option<&'a OwnedFd>) -> (Vec<Source>, Vec<PollFd<'a>>) {
        let mut sources = Vec::new();
        let mut fds = Vec::new();
        if let Some(pidfd) = pidfd {
            sources.push(Source::Exit);
            fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
        }
        if self.server.lag_deadline().is_none() {
            for (index, pipe) in self.output.iter().enumerate() {
                if let Some(fd) = pipe {
                    sources.push(Source::Output(index));
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                }
            }
        }
        sources.push(Source::Listener);
        fds.push(PollFd::new(self.server.listener(), PollFlags::POLLIN));
        sources.push(Source::Ctl);
        fds.push(PollFd::new(self.ctl.fd(), PollFlags::POLLIN));
        let backlogged = !self.pending.is_empty();
        if backlogged && let Some(stdin) = &self.stdin {
            sources.push(Source::Stdin);
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLOUT));
        }
        for client in self.server.clients() {
            // While input waits for room, the clients that send input are left out (unless
            // they hold output: a hang-up of one polled would wake every poll).
            if client.reading && backlogged && !client.lagging {
                continue;
            }
            // A client whose input ended is polled for its hang-up only.
            let mut events = PollFlags::empty();
            if client.reading && !backlogged {
                events |= PollFlags::POLLIN;
            }
            if client.lagging {
                events |= PollFlags::POLLOUT;
            }
            sources.push(Source::Client(client.index));
            fds.push(PollFd::new(client.fd, events));
        }
        (sources, fds)
    }

    /// Handles what one poll found ready; whether the process exited. Input first (held
    /// input, then the clients' by index, before accepts and hang-ups change the list), then
    /// hang-ups, new clients (before output that is theirs too), resizes, output.
    fn step(&mut self, ready: &[(Source, PollFlags)]) -> bool {
        if ready
            .iter()
            .any(|(source, _)| matches!(source, Source::Stdin))
        {
            self.flush_input();
        }
        let mut hung_up = Vec::new();
        for &(source, events) in ready {
            if let Source::Client(index) = source {
                // One packet held at a time: the others are read once it is written.
                if !self.pending.is_empty() && self.server.reading(index) {
                    continue;
                }
                let ended = match self.server.take_input(index) {
                    Input::Packet(data) => {
                        self.write_input(data);
                        false
                    }
                    Input::End => {
                        // conmon's `-i`: a client's end of input is the process's (read only
                        // with nothing held, so all its input was written); a terminal stays
                        // open.
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
                Source::Output(_) | Source::Client(_) | Source::Stdin => {}
            }
        }
        for &(source, _) in ready {
            // A client that holds output takes no more until it took that.
            if let Source::Output(index) = source
                && self.server.lag_deadline().is_none()
            {
                self.copy(index);
            }
        }
        self.server.catch_up();
        exited
    }

    /// Writes a client's packet to the process's stdin or terminal (dropped when it has
    /// none), holding what it does not take now.
    fn write_input(&mut self, data: Vec<u8>) {
        debug_assert!(self.pending.is_empty(), "input read while some was held");
        self.pending = data;
        self.flush_input();
    }

    /// Writes what input is held, as far as the process takes it without blocking; a stdin
    /// it closed is closed here too, and the input dropped.
    fn flush_input(&mut self) {
        while !self.pending.is_empty() {
            let Some(stdin) = &self.stdin else {
                self.pending.clear();
                return;
            };
            match nix::unistd::write(stdin, &self.pending) {
                Ok(n) => drop(self.pending.drain(..n)),
                Err(Errno::EINTR) => {}
                // Full: the main loop polls for room.
                Err(Errno::EAGAIN) => return,
                Err(err) => {
                    // The process closed its stdin: later input is dropped, as conmon does.
                    if !matches!(err, Errno::EPIPE | Errno::EIO) {
                        eprintln!("libcontainer monitor: writing the process's input: {err}");
                    }
                    self.stdin = None;
                    self.pending.clear();
                }
            }
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
    /// Each chunk waits for the clients that hold output (at most `attach::LAG_LIMIT`).
    fn drain(&mut self) {
        for index in 0..self.output.len() {
            if let Some(fd) = &self.output[index] {
                set_nonblocking(fd);
            }
            loop {
                self.server.wait_for_laggards();
                if !self.copy(index) {
                    break;
                }
            }
        }
        self.server.wait_for_laggards();
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

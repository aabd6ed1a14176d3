//! The terminal side of an attach, as Podman's `terminal` package: the caller's terminal in
//! raw mode while attached to a container or an exec session with a terminal (keys, ctrl-c
//! included, go to the container; restored on drop), its size passed on at the start and on
//! every SIGWINCH, and signals proxied to the container (`--sig-proxy`).

use libpod_core::container::Container;
use libpod_core::oci::TerminalSize;
use rustix::termios::{OptionalActions, Termios, tcgetattr, tcgetwinsize, tcsetattr};
use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::iterator::Signals;
use std::os::fd::{AsFd, BorrowedFd};

/// The signals `--sig-proxy` passes on (the catchable ones a user sends to a foreground
/// command; Podman passes on every signal but those the Go runtime needs).
const PROXIED: [i32; 6] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2];

/// The caller's terminal in raw mode until dropped.
pub struct RawMode<'a> {
    fd: BorrowedFd<'a>,
    saved: Termios,
}

impl<'a> RawMode<'a> {
    /// Puts the terminal on `fd` in raw mode; `None` when `fd` is no terminal.
    pub fn enter(fd: BorrowedFd<'a>) -> Option<RawMode<'a>> {
        let saved = tcgetattr(fd).ok()?;
        let mut raw = saved.clone();
        raw.make_raw();
        if let Err(err) = tcsetattr(fd, OptionalActions::Now, &raw) {
            tracing::warn!(%err, "cannot set the terminal to raw mode");
            return None;
        }
        Some(RawMode { fd, saved })
    }
}

impl Drop for RawMode<'_> {
    fn drop(&mut self) {
        if let Err(err) = tcsetattr(self.fd, OptionalActions::Now, &self.saved) {
            eprintln!("Error: unable to restore terminal: {err}");
        }
    }
}

/// The size of the terminal on `fd`, if it is one.
pub fn size(fd: impl AsFd) -> Option<TerminalSize> {
    let size = tcgetwinsize(fd).ok()?;
    (size.ws_row > 0 && size.ws_col > 0).then_some(TerminalSize {
        rows: size.ws_row,
        cols: size.ws_col,
    })
}

/// The terminal a SIGWINCH resizes.
pub enum Resize {
    /// None.
    Nothing,
    /// The container's.
    Container,
    /// The exec session's with this ID.
    ExecSession(String),
}

/// Starts a thread that, for as long as the process lives, resizes the terminal `resize` names
/// to stdin's on every SIGWINCH and sends the container the signals podctl receives (with
/// `proxy`). Nothing is started when neither is asked for.
pub fn forward_signals(ctr: &Container, resize: Resize, proxy: bool) {
    let mut wanted = Vec::new();
    if !matches!(resize, Resize::Nothing) {
        wanted.push(SIGWINCH);
    }
    if proxy {
        wanted.extend(PROXIED);
    }
    if wanted.is_empty() {
        return;
    }
    let mut signals = match Signals::new(&wanted) {
        Ok(signals) => signals,
        Err(err) => {
            tracing::warn!(%err, "cannot handle signals: the container's terminal keeps its size");
            return;
        }
    };
    let ctr = ctr.clone();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let done = if signal == SIGWINCH {
                size(std::io::stdin()).map(|s| match &resize {
                    Resize::ExecSession(session) => ctr.exec_resize(session, s),
                    _ => ctr.resize(s),
                })
            } else {
                Some(ctr.kill(signal))
            };
            if let Some(Err(err)) = done {
                tracing::debug!(%err, signal, "forwarding a signal to the container");
            }
        }
    });
}

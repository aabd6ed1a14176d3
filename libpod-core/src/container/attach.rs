//! `attach` (to a Created or Running container), `start_and_attach` and `resize`: the
//! container's stdio through conmon's attach socket, as Podman's `Attach`,
//! `StartAndAttach` and `AttachResize`.
//!
//! The lock is held only to check the state (and, for `start_and_attach`, to start): never
//! while attached, so other commands act on the container meanwhile. The protocol and the
//! attach loop are in `oci/attach_socket.rs` and `oci/attach_stream.rs`.

use super::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::oci::attach_socket::{self, AttachSocket};
use crate::oci::{AttachEnd, AttachIo, DetachKeys, TerminalSize, pump};

/// How to attach.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AttachOptions {
    /// The keys that detach; `None` is Podman's default, `ctrl-p,ctrl-q`; an empty sequence
    /// never detaches.
    pub detach_keys: Option<DetachKeys>,
    /// The size the container's terminal is set to before attaching (with a terminal).
    pub initial_size: Option<TerminalSize>,
}

impl AttachOptions {
    /// Detaching with `keys`.
    pub fn detach_keys(mut self, keys: DetachKeys) -> Self {
        self.detach_keys = Some(keys);
        self
    }

    /// The terminal set to `size` first.
    pub fn initial_size(mut self, size: TerminalSize) -> Self {
        self.initial_size = Some(size);
        self
    }
}

impl Container {
    /// Attaches to the container's stdio until its output ends (it exited) or the detach keys
    /// are typed on `io.stdin`; the container must be Created or Running. With a terminal, the
    /// container gets a SIGWINCH once attached, so that a full-screen program redraws.
    ///
    /// ```no_run
    /// # use libpod_core::container::{AttachOptions, Container};
    /// # use libpod_core::oci::{AttachEnd, AttachIo};
    /// # use std::os::fd::AsFd;
    /// # fn f(ctr: &Container) -> libpod_core::Result<()> {
    /// let stdin = std::io::stdin();
    /// let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    /// let io = AttachIo::new(Some(stdin.as_fd()), Some(&mut out), Some(&mut err));
    /// match ctr.attach(io, &AttachOptions::default())? {
    ///     AttachEnd::Detached => println!("still running"),
    ///     _ => println!("exited with {}", ctr.wait()?),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attach(&self, io: AttachIo<'_>, options: &AttachOptions) -> Result<AttachEnd> {
        check_streams(&io)?;
        {
            let locked = self.lock()?;
            locked.require(
                "attach",
                &[ContainerStatus::Created, ContainerStatus::Running],
            )?;
        }
        let socket = self.connect_attach(options)?;
        if self.config().spec.tty
            && let Err(err) = self
                .oci()
                .and_then(|oci| oci.kill(self.id(), nix::libc::SIGWINCH, false))
        {
            tracing::warn!(id = self.id(), %err, "sending SIGWINCH after attaching");
        }
        self.attach_loop(&socket, io, options)
    }

    /// Starts the container (initialising it first if needed) and attaches to it, connected
    /// before the start so that none of its output is missed; then as [`attach`](Self::attach).
    pub fn start_and_attach(&self, io: AttachIo<'_>, options: &AttachOptions) -> Result<AttachEnd> {
        check_streams(&io)?;
        let socket = {
            let mut locked = self.lock()?;
            locked.require("start", super::start::STARTABLE)?;
            if locked.state.status != ContainerStatus::Created {
                locked.init_locked()?;
            }
            // conmon listens from the create on.
            let socket = self.connect_attach(options)?;
            locked.start_locked(true)?;
            socket
        };
        self.attach_loop(&socket, io, options)
    }

    /// Sets the size of the container's terminal (through conmon's control FIFO); fails when
    /// no conmon monitors it.
    pub fn resize(&self, size: TerminalSize) -> Result<()> {
        let ctl = attach_socket::ctl_path(&self.runtime().container_run_dir(self.id()));
        attach_socket::resize(&ctl, size)
    }

    /// Resizes first when asked, then connects to the attach socket.
    fn connect_attach(&self, options: &AttachOptions) -> Result<AttachSocket> {
        if let Some(size) = options.initial_size
            && self.config().spec.tty
        {
            self.resize(size)?;
        }
        let path = attach_socket::attach_socket_path(&self.runtime().container_run_dir(self.id()));
        tracing::debug!(id = self.id(), path = %path.display(), "attaching");
        AttachSocket::connect(&path)
            .map_err(|err| CoreError::io("connecting to the attach socket", path, err))
    }

    fn attach_loop(
        &self,
        socket: &AttachSocket,
        io: AttachIo<'_>,
        options: &AttachOptions,
    ) -> Result<AttachEnd> {
        let keys = options.detach_keys.clone().unwrap_or_default();
        let end = pump(socket, io, &keys)
            .map_err(|err| CoreError::io("attaching through", socket.path(), err))?;
        tracing::debug!(id = self.id(), ?end, "attach ended");
        Ok(end)
    }
}

/// Podman's rule: at least one stream.
fn check_streams(io: &AttachIo<'_>) -> Result<()> {
    if io.stdin.is_none() && io.stdout.is_none() && io.stderr.is_none() {
        return Err(CoreError::InvalidOption {
            option: "attach streams",
            reason: "must provide at least one stream to attach to".into(),
        });
    }
    Ok(())
}

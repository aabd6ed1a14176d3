//! Processes: starting one with some of our fds at chosen numbers, through `posix_spawn`;
//! waiting for one that is not our child, through a pidfd.
//!
//! std's `Command` can place fds only from a `pre_exec` hook, which makes it fork: copying the
//! page tables of a process of some megabytes and then taking a copy-on-write fault for every
//! page either side writes costs a millisecond or more (here 1.1-1.8 ms against 0.13 ms, in a
//! 10 MB process), on the path of every container start. glibc's `posix_spawn` uses
//! `clone(CLONE_VM | CLONE_VFORK)` instead, and its file actions place the fds in the child.
//! Our fds stay close-on-exec in this process throughout, so a process another thread
//! spawns meanwhile inherits none of them.

#![allow(unsafe_code)]

use nix::libc;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus};
use std::ptr;

/// A process started by [`spawn`]: ours to reap.
#[derive(Debug)]
pub(crate) struct Spawned {
    pid: libc::pid_t,
    reaped: bool,
}

impl Spawned {
    /// Its PID.
    pub(crate) fn pid(&self) -> u32 {
        self.pid.unsigned_abs()
    }

    /// Waits for it to exit.
    pub(crate) fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            let mut status = 0;
            // SAFETY: waitpid writes one int through the pointer, which points at `status`.
            let got = unsafe { libc::waitpid(self.pid, &mut status, 0) };
            if got == self.pid {
                self.reaped = true;
                return Ok(ExitStatus::from_raw(status));
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }

    /// Kills it (SIGKILL) and reaps it.
    pub(crate) fn kill(&mut self) -> io::Result<ExitStatus> {
        if !self.reaped {
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(self.pid),
                nix::sys::signal::Signal::SIGKILL,
            )?;
        }
        self.wait()
    }
}

/// Starts `command`'s program with its arguments, environment changes and working directory,
/// stdin from /dev/null, stdout and stderr on `output`, each `(ours, theirs)` of `fds` at fd
/// `theirs`, and in a process group of its own; no other fd of ours reaches it, not even one
/// that some part of the embedding program opened without close-on-exec (it would otherwise
/// pass through conmon towards the container).
///
/// `output` and every `ours` must be above every `theirs` and above 2, so that no placement
/// overwrites a source not placed yet; but an fd may keep its number (`ours == theirs`: an
/// fd the caller passes through, such as exec's preserved fds), which only clears its
/// close-on-exec flag in the child (POSIX 2024, glibc 2.29).
pub(crate) fn spawn(
    command: &Command,
    output: RawFd,
    fds: &[(RawFd, RawFd)],
) -> io::Result<Spawned> {
    let highest_target = fds
        .iter()
        .map(|&(_, theirs)| theirs)
        .max()
        .unwrap_or(2)
        .max(2);
    let misplaced = |&(ours, theirs): &(RawFd, RawFd)| ours <= highest_target && ours != theirs;
    if output <= highest_target || fds.iter().any(misplaced) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "spawn: a source fd is not above every target",
        ));
    }
    let program = c_string(command.get_program())?;
    let argv: Vec<CString> = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(c_string)
        .collect::<io::Result<_>>()?;
    let envp: Vec<CString> = environment(command)
        .into_iter()
        .map(|(key, value)| {
            let mut pair = key;
            pair.push("=");
            pair.push(value);
            c_string(&pair)
        })
        .collect::<io::Result<_>>()?;
    let dir = command
        .get_current_dir()
        .map(|d| c_string(d.as_os_str()))
        .transpose()?;
    let dev_null = c_string(OsStr::new("/dev/null"))?;
    let argv_ptrs = null_terminated(&argv);
    let envp_ptrs = null_terminated(&envp);

    let mut actions = FileActions::new()?;
    actions.open(0, &dev_null, libc::O_RDONLY)?;
    actions.dup2(output, 1)?;
    actions.dup2(output, 2)?;
    for &(ours, theirs) in fds {
        actions.dup2(ours, theirs)?;
    }
    for fd in 3..highest_target {
        if !fds.iter().any(|&(_, theirs)| theirs == fd) {
            actions.close(fd)?;
        }
    }
    actions.close_from(highest_target + 1)?;
    if let Some(dir) = &dir {
        actions.chdir(dir)?;
    }
    let attributes = Attributes::new_process_group()?;
    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid for the call: `program`, `argv_ptrs` and `envp_ptrs`
    // point at NUL-terminated strings in vectors that outlive it, and the pointer arrays end
    // with a null pointer; `actions` and `attributes` were initialised and are destroyed by
    // their drops after the call. posix_spawnp only writes the PID through `&mut pid`.
    let result = unsafe {
        libc::posix_spawnp(
            &mut pid,
            program.as_ptr(),
            &actions.0,
            &attributes.0,
            argv_ptrs.as_ptr(),
            envp_ptrs.as_ptr(),
        )
    };
    if result != 0 {
        return Err(io::Error::from_raw_os_error(result));
    }
    Ok(Spawned { pid, reaped: false })
}

/// A pidfd of process `pid` (Linux 5.3): readable once the process exits, whoever's child it
/// is, and closed without a grace period (unlike an inotify instance).
pub(crate) fn pidfd_open(pid: i32) -> io::Result<std::os::fd::OwnedFd> {
    // SAFETY: the syscall takes two integers and returns a new fd (or -1) that nothing else
    // owns; the OwnedFd becomes its only owner.
    unsafe {
        let fd = libc::syscall(libc::SYS_pidfd_open, pid, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = RawFd::try_from(fd).map_err(|_| io::Error::other("pidfd out of range"))?;
        Ok(<std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd))
    }
}

/// Sends `signal` to the process `pidfd` refers to (Linux 5.1): never to another process
/// that took its PID since.
pub(crate) fn pidfd_send_signal(pidfd: &std::os::fd::OwnedFd, signal: i32) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: the syscall takes an fd we own for the call, a signal number and a null
    // siginfo pointer (allowed: the kernel fills in a default one) and flags 0.
    let result = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal,
            ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if result < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// This process's environment with `command`'s changes applied.
fn environment(command: &Command) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    for (key, value) in command.get_envs() {
        env.retain(|(k, _)| k != key);
        if let Some(value) = value {
            env.push((key.to_os_string(), value.to_os_string()));
        }
    }
    env
}

fn c_string(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("spawn: {text:?} holds a NUL byte"),
        )
    })
}

/// The strings' pointers and a null pointer, as exec takes them (`char *const []`: the
/// strings are not written to).
fn null_terminated(strings: &[CString]) -> Vec<*mut libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr().cast_mut())
        .chain(std::iter::once(ptr::null_mut()))
        .collect()
}

/// Fails with the error number a posix_spawn function returned.
fn check(result: libc::c_int) -> io::Result<()> {
    match result {
        0 => Ok(()),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}

/// `posix_spawn_file_actions_t`, destroyed on drop.
struct FileActions(libc::posix_spawn_file_actions_t);

impl FileActions {
    fn new() -> io::Result<Self> {
        // SAFETY: an all-zero posix_spawn_file_actions_t is a valid value to initialise.
        let mut actions = FileActions(unsafe { std::mem::zeroed() });
        // SAFETY: init is given a pointer to the struct it initialises.
        check(unsafe { libc::posix_spawn_file_actions_init(&mut actions.0) })?;
        Ok(actions)
    }

    fn open(&mut self, fd: RawFd, path: &CString, flags: libc::c_int) -> io::Result<()> {
        // SAFETY: the struct is initialised; glibc copies the path string.
        check(unsafe {
            libc::posix_spawn_file_actions_addopen(&mut self.0, fd, path.as_ptr(), flags, 0)
        })
    }

    fn dup2(&mut self, from: RawFd, to: RawFd) -> io::Result<()> {
        // SAFETY: the struct is initialised; the call records two integers.
        check(unsafe { libc::posix_spawn_file_actions_adddup2(&mut self.0, from, to) })
    }

    /// Closes `fd` in the child; one that is not open there is no error (glibc).
    fn close(&mut self, fd: RawFd) -> io::Result<()> {
        // SAFETY: the struct is initialised; the call records an integer.
        check(unsafe { libc::posix_spawn_file_actions_addclose(&mut self.0, fd) })
    }

    /// Closes every fd from `fd` up in the child (glibc 2.34).
    fn close_from(&mut self, fd: RawFd) -> io::Result<()> {
        // SAFETY: the struct is initialised; the call records an integer.
        check(unsafe { libc::posix_spawn_file_actions_addclosefrom_np(&mut self.0, fd) })
    }

    fn chdir(&mut self, dir: &CString) -> io::Result<()> {
        // SAFETY: the struct is initialised; glibc copies the path string.
        check(unsafe { libc::posix_spawn_file_actions_addchdir_np(&mut self.0, dir.as_ptr()) })
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: the struct was initialised by new and is destroyed once.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

/// `posix_spawnattr_t` for a child in a process group of its own, with the default signal
/// mask and dispositions (as std's spawn resets them), destroyed on drop.
struct Attributes(libc::posix_spawnattr_t);

impl Attributes {
    fn new_process_group() -> io::Result<Self> {
        // SAFETY: an all-zero posix_spawnattr_t is a valid value to initialise.
        let mut attributes = Attributes(unsafe { std::mem::zeroed() });
        // SAFETY: init is given a pointer to the struct it initialises.
        check(unsafe { libc::posix_spawnattr_init(&mut attributes.0) })?;
        // SAFETY: sigemptyset and sigfillset initialise the sets they are given.
        let (mask, defaults) = unsafe {
            let mut mask: libc::sigset_t = std::mem::zeroed();
            let mut defaults: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut mask);
            libc::sigfillset(&mut defaults);
            (mask, defaults)
        };
        // The flags are small bits (1, 8, 4), well inside a c_short.
        let flags = libc::c_short::try_from(
            libc::POSIX_SPAWN_SETPGROUP
                | libc::POSIX_SPAWN_SETSIGMASK
                | libc::POSIX_SPAWN_SETSIGDEF,
        )
        .expect("posix_spawn flags fit a short");
        // SAFETY: the struct is initialised; each call copies plain values into it.
        unsafe {
            check(libc::posix_spawnattr_setflags(&mut attributes.0, flags))?;
            check(libc::posix_spawnattr_setpgroup(&mut attributes.0, 0))?;
            check(libc::posix_spawnattr_setsigmask(&mut attributes.0, &mask))?;
            check(libc::posix_spawnattr_setsigdefault(
                &mut attributes.0,
                &defaults,
            ))?;
        }
        Ok(attributes)
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        // SAFETY: the struct was initialised by new and is destroyed once.
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}

#[cfg(test)]
#[path = "spawn_tests.rs"]
mod tests;

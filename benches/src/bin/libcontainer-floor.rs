//! The in-process libcontainer floor of the `runtimes` bench: `libcontainer-floor STATE_ROOT
//! BUNDLE ID` creates, starts, waits for and deletes one container with youki's libcontainer
//! in this very process: the least a libcontainer-based `run --rm` can cost, as `runc run` is
//! to runc. No database, no storage, no monitor, no log; the bundle is prepared beforehand.
//!
//! Single-threaded from `main` to the end: libcontainer clones its caller.

use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use nix::sys::wait::{WaitStatus, waitpid};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [state_root, bundle, id] = args.as_slice() else {
        eprintln!("usage: libcontainer-floor STATE_ROOT BUNDLE ID");
        return ExitCode::from(2);
    };
    match run(state_root, bundle, id) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => {
            eprintln!("libcontainer-floor: the container exited with {code}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("libcontainer-floor: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Create, start, wait, delete: the container's exit code.
fn run(state_root: &str, bundle: &str, id: &str) -> Result<i32, Box<dyn std::error::Error>> {
    let mut container = ContainerBuilder::new(id.to_string(), SyscallType::default())
        .with_root_path(state_root)?
        .as_init(bundle)
        .with_systemd(false)
        .with_detach(true)
        .build()?;
    if let Err(err) = container.start() {
        // Nothing of a failed run stays behind in the state root.
        let _ = container.delete(true);
        return Err(err.into());
    }
    let pid = container.pid().ok_or("libcontainer reported no init PID")?;
    // The init is this process's child (libcontainer clones it with CLONE_PARENT).
    let code = match waitpid(nix::unistd::Pid::from_raw(pid.as_raw()), None)? {
        WaitStatus::Exited(_, code) => code,
        WaitStatus::Signaled(_, signal, _) => 128 + signal as i32,
        other => return Err(format!("unexpected wait status {other:?}").into()),
    };
    container.delete(true)?;
    Ok(code)
}

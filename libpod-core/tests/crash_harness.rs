//! The seeded crash harness: the store and the runtime survive a SIGKILL at any point.
//!
//! Each trial draws, from its seed, an operation (import of a rootfs tarball, pull from a
//! loopback registry, rmi + garbage collection, container create, start, stop, rm, and the
//! cleanup (with its restart by policy) of a killed `always` container) and a
//! moment; makes the operation's preconditions; runs the operation in a child process (this
//! binary, re-executed with the operation in its environment); SIGKILLs the child at that
//! moment (a fraction in [0, 1.2] of the operation's calibrated duration, or during its
//! runtime open); then reopens the store and runtime and checks the invariants of
//! `crash/invariants.rs`. The roots are reused from trial to trial while the invariants hold,
//! and made afresh after a failure.
//!
//! Checkpoint operations (checkpoint of a counting container, plain, leaving it running or
//! exported; restore in place; restore of an exported archive into a new container) need CRIU
//! on PATH (`cargo xtask criu`); after each trial every checkpointed container's checkpoint,
//! the interrupted one's container and archive, and the CRIU processes, cgroups and unpacked
//! imports left are checked (`crash/checkpoint_checks.rs`).
//!
//! Network operations (start and stop of a container on a bridge network, connect to and
//! disconnect from a second one) run on two bridge networks of the harness's own
//! (`crash/net_setup.rs`); after each trial the state's addresses, the namespaces and, with `ip`
//! and `iptables-save`, the host's veths, bridges and firewall rules of those networks are
//! checked against the containers (`crash/network_checks.rs`).
//!
//! - `LIBPOD_CRASH_SEED=N` runs only the trial of seed N (on fresh roots).
//! - `LIBPOD_CRASH_TRIALS=N` runs N trials (default 100), of seeds `BASE..BASE+N`, where
//!   `LIBPOD_CRASH_BASE` (default 1) is the first.
//! - `LIBPOD_CRASH_OPS=rmi,create` draws only these operations (a seed then names another
//!   trial than without it).
//! - `LIBPOD_CRASH_FS=tmpdir` puts the roots in the temporary directory instead of a tmpfs.
//!
//! Its own `main` (`harness = false`): the same binary is the parent and the child.

mod common;
mod crash;

fn main() {
    // First, before a child's operation: a container's monitor under libcontainer
    // (`LIBPOD_TEST_RUNTIME=libcontainer`) is this binary too, started by a child.
    common::oci::serve_monitor_if_asked();
    if let Some(args) = crash::ops::ChildArgs::from_env() {
        crash::ops::child_main(args);
    }
    // Behave as a test binary does under `cargo test [FILTER] [-- --list]`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("crash_trials: test");
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "crash_trials".contains(f.as_str())) {
        println!("crash harness: filtered out");
        return;
    }
    libpod_testutil::require_root();
    std::process::exit(crash::run::main());
}

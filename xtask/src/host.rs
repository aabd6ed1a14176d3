//! The Debian packages the project needs on the host, and installing the missing ones.

use crate::{Failed, Result, show};
use std::collections::BTreeSet;
use std::io;
use std::process::Command;

/// Debian 12 packages needed to build, test, demo and benchmark the workspace.
const PACKAGES: &[&str] = &[
    "runc",            // the OCI runtime that tests and the quickstart run containers with
    "conmon",          // Podman's container monitor: Podman needs it, libpod-core mirrors it
    "crun",            // the other OCI runtime, for tests that switch runtimes
    "netavark",        // Podman's network backend, which libpod-net drives
    "aardvark-dns",    // netavark's DNS server for container networks
    "docker-registry", // a local registry for pull and push tests
    "skopeo",          // copies test images into the local registry
    "umoci",           // builds and unpacks OCI image layouts for storage tests
    "busybox-static",  // the test rootfs (libpod_testutil::busybox_rootfs)
    "catatonit",       // the init process for `--init` (Podman's default init path)
    "podman",          // the reference: parity tests compare our output with Podman 4.3's
    "criu",            // checkpoint and restore through the runtime
    "dbus",            // systemd over D-Bus (cgroup manager); auto-update tests run dbus-daemon
    "libseccomp-dev",  // the libseccomp crate links against libseccomp
    "pkg-config",      // finds libseccomp when building
    "openssl",         // makes TLS certificates for the test registry
    "iptables",        // netavark's firewall backend
    "iproute2",        // `ip`, to inspect container network namespaces in tests
    "hyperfine",       // command-level benchmarks (cargo xtask bench)
    // CRIU 4.1.1's build, when Debian 12's CRIU fails on this kernel (see criu.rs).
    "patch",
    "curl",
    "xz-utils",
    "make",
    "libcap-dev",
    "libnet1-dev",
    "libnl-3-dev",
    "libprotobuf-c-dev",
    "libprotobuf-dev",
    "protobuf-c-compiler",
    "protobuf-compiler",
    "libbsd-dev",
    "libnftables-dev",
    "libgnutls28-dev",
    "uuid-dev",
];

/// What to do about missing packages.
#[derive(Debug, PartialEq)]
enum Plan {
    /// Everything is installed.
    Nothing,
    /// We are root: install these.
    Install(Vec<String>),
    /// We are not root: fail with this message.
    AskRoot(String),
}

/// Installs the missing host packages when root; when not, fails with the command to run.
/// Says nothing when all are installed.
pub fn ensure() -> Result {
    let missing = match missing_packages() {
        Ok(missing) => missing,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            // Not Debian: we cannot check, and the build will say what is missing.
            eprintln!(
                "xtask: dpkg-query not found; not checking host packages (on Debian 12: {})",
                PACKAGES.join(" ")
            );
            return Ok(());
        }
        Err(err) => return Err(format!("checking host packages with dpkg-query: {err}").into()),
    };
    match plan(effective_uid()?, missing) {
        Plan::Nothing => Ok(()),
        Plan::AskRoot(message) => Err(Failed {
            what: message,
            code: 1,
        }
        .into()),
        Plan::Install(missing) => install(&missing),
    }
}

/// Decides what to do about `missing` packages as user `euid`.
fn plan(euid: u32, missing: Vec<String>) -> Plan {
    if missing.is_empty() {
        Plan::Nothing
    } else if euid == 0 {
        Plan::Install(missing)
    } else {
        let list = missing.join(" ");
        Plan::AskRoot(format!(
            "missing host packages: {list}\ninstall them with:\n  \
             sudo apt-get update && sudo apt-get install -y {list}"
        ))
    }
}

fn install(missing: &[String]) -> Result {
    println!(
        "xtask: installing missing host packages: {}",
        missing.join(" ")
    );
    let apt_get = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        command
    };
    crate::step(&mut apt_get(&["update"]))?;
    // With recommends: Debian's podman relies on them (catatonit, uidmap, slirp4netns, ...).
    crate::step(apt_get(&["install", "-y"]).args(missing))
}

/// The packages of [`PACKAGES`] that are not installed, in one `dpkg-query` call.
fn missing_packages() -> io::Result<Vec<String>> {
    let mut command = Command::new("dpkg-query");
    command
        .args(["-W", "-f=${Package} ${Status}\\n"])
        .args(PACKAGES);
    let output = command.output()?;
    // It exits 1 when a package is unknown to it (never installed): that one is missing.
    if !matches!(output.status.code(), Some(0 | 1)) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let shown = show(&command);
        return Err(io::Error::other(format!(
            "`{shown}` failed ({}): {stderr}",
            output.status
        )));
    }
    Ok(not_installed(
        PACKAGES,
        &String::from_utf8_lossy(&output.stdout),
    ))
}

/// The `wanted` packages that `dpkg-query -W -f='${Package} ${Status}\n'` output does not
/// show as installed (its status, `want flag state`, ends in `installed`).
fn not_installed(wanted: &[&str], dpkg_output: &str) -> Vec<String> {
    let installed: BTreeSet<&str> = dpkg_output
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let package = words.next()?;
            (words.last() == Some("installed")).then_some(package)
        })
        .collect();
    wanted
        .iter()
        .filter(|package| !installed.contains(*package))
        .map(|p| p.to_string())
        .collect()
}

/// The effective UID, from `/proc/self/status` (`Uid: real effective saved fs`).
fn effective_uid() -> Result<u32> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    parse_effective_uid(&status).ok_or_else(|| "no Uid line in /proc/self/status".into())
}

fn parse_effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;

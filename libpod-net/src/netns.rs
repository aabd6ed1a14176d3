//! Network namespaces that outlive any process: created in a thread of our own and
//! bind-mounted at `DIR/NAME`, as `ip netns add` and Podman's netns package make them, then
//! entered by netavark, runc and [`run_in`], and removed by unmounting and unlinking.
//!
//! # Why this is safe in a multi-threaded host
//! `unshare(CLONE_NEWNET)` and `setns` change the network namespace of the calling thread
//! only. Both run on a thread spawned for the purpose, which does nothing else and ends right
//! after, so no other code of the host (no thread pool, no async runtime) ever runs in a
//! namespace it did not ask for. The bind mount that keeps the namespace alive is made from
//! that thread too, but the mount namespace is shared by all threads (we never unshare it), so
//! the mount is the whole process's, and the host's. No fork, no `clone` of the process.
//!
//! ```no_run
//! use libpod_net::netns;
//! let dir = std::path::Path::new("/run/libpod-rs/netns");
//! let path = netns::create(dir, "ctr-1234")?;
//! netns::loopback_up(&path)?;
//! let addresses = netns::run_in(&path, || std::net::TcpListener::bind("127.0.0.1:0").is_ok())?;
//! assert!(addresses);
//! netns::remove(&path)?;
//! netns::remove(&path)?; // idempotent
//! # Ok::<(), libpod_net::NetError>(())
//! ```

use crate::error::{NetError, Result};
use crate::netlink::RouteSocket;
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::statfs::{NSFS_MAGIC, statfs};
use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Creates a new, empty network namespace bind-mounted at `dir/name` (creating `dir` 0700 if
/// missing) and returns that path. `name` is one path component; an existing `dir/name` is an
/// error. On failure nothing is left behind.
pub fn create(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(NetError::Netns {
            op: "name",
            path,
            source: ErrorKind::InvalidInput.into(),
        });
    }
    libpod_fs::create_private_dir(dir, libpod_fs::ExistingDir::Keep)?;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(&path)
        .map_err(|source| NetError::Netns {
            op: "create mount point",
            path: path.clone(),
            source,
        })?;
    let made = on_own_thread(|| {
        unshare(CloneFlags::CLONE_NEWNET).map_err(|e| NetError::netns("unshare", &path, e))?;
        let own = "/proc/thread-self/ns/net";
        mount(
            Some(own),
            &path,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(|e| NetError::netns("bind-mount", &path, e))
    });
    if let Err(err) = made {
        let _ = std::fs::remove_file(&path);
        return Err(err);
    }
    tracing::debug!(path = %path.display(), "created network namespace");
    Ok(path)
}

/// Unmounts and unlinks the namespace at `path`. Idempotent: a path that is not mounted, or
/// is gone, is fine.
pub fn remove(path: &Path) -> Result<()> {
    match umount2(path, MntFlags::MNT_DETACH) {
        Ok(()) | Err(Errno::EINVAL | Errno::ENOENT) => {}
        Err(errno) => return Err(NetError::netns("unmount", path, errno)),
    }
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != ErrorKind::NotFound => Err(NetError::Netns {
            op: "remove",
            path: path.to_path_buf(),
            source: err,
        }),
        _ => Ok(()),
    }
}

/// Whether `path` is a network namespace (a mounted nsfs file) rather than a plain file or
/// nothing.
pub fn exists(path: &Path) -> bool {
    statfs(path).is_ok_and(|fs| fs.filesystem_type() == NSFS_MAGIC)
}

/// Sets the loopback interface of the namespace at `path` up (what network mode `none` needs;
/// netavark does it itself on setup).
pub fn loopback_up(path: &Path) -> Result<()> {
    run_in(path, || {
        let index = nix::net::if_::if_nametoindex("lo").map_err(|source| NetError::Netlink {
            op: "find lo",
            source: source.into(),
        })?;
        RouteSocket::open()?.set_up(index)
    })?
}

/// Runs `f` on a thread of its own inside the namespace at `path` and returns its result;
/// sockets `f` opens belong to the namespace and keep working after.
pub fn run_in<T: Send>(path: &Path, f: impl FnOnce() -> T + Send) -> Result<T> {
    let namespace = File::open(path).map_err(|source| NetError::Netns {
        op: "open",
        path: path.to_path_buf(),
        source,
    })?;
    if !exists(path) {
        return Err(NetError::Netns {
            op: "enter",
            path: path.to_path_buf(),
            source: std::io::Error::other("not a network namespace"),
        });
    }
    on_own_thread(|| {
        setns(&namespace, CloneFlags::CLONE_NEWNET)
            .map_err(|e| NetError::netns("setns", path, e))?;
        Ok(f())
    })
}

/// Runs `f` on a new thread that ends with it (see the module docs for why).
fn on_own_thread<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

#[cfg(test)]
#[path = "netns_tests.rs"]
mod tests;

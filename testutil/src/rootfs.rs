//! A minimal root filesystem from the host's static busybox.

use std::fs;
use std::io;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

/// Where the host's static busybox is (Debian's `busybox-static`).
pub const BUSYBOX: &str = "/bin/busybox";

/// The rootfs's `/etc/passwd`.
pub const PASSWD: &str = "\
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
";

/// The rootfs's `/etc/group`.
pub const GROUP: &str = "\
root:x:0:
wheel:x:10:root,user
audio:x:29:user
nogroup:x:65534:
user:x:1000:
";

/// Directories created in the rootfs, with their modes.
const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("etc", 0o755),
    ("tmp", 0o1777),
    ("root", 0o700),
    ("home", 0o755),
    ("home/user", 0o755),
    ("proc", 0o555),
    ("sys", 0o555),
    ("dev", 0o755),
    ("run", 0o755),
    ("var", 0o755),
    ("var/tmp", 0o1777),
];

/// Builds a minimal rootfs in `dir` (created if missing): `/bin/busybox` copied from the
/// host, a symlink in `/bin` per busybox applet (so `/bin/sh`, `/bin/id`, ... work), the
/// usual empty directories, and [`PASSWD`] and [`GROUP`] (users root, nobody and user 1000;
/// groups root, wheel, audio, nogroup, user).
///
/// This is the image the Podman reference outputs of the repository were recorded with.
/// When run as root, `/home/user` is owned by 1000:1000.
///
/// # Errors
/// When `/bin/busybox` is missing (install `busybox-static`), or on any I/O error.
///
/// ```no_run
/// let dir = std::path::Path::new("/tmp/rootfs");
/// libpod_testutil::busybox_rootfs(dir)?;
/// assert!(dir.join("bin/sh").exists());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn busybox_rootfs(dir: &Path) -> io::Result<()> {
    let applets = busybox_applets()?;
    for (path, mode) in DIRS {
        let path = dir.join(path);
        fs::create_dir_all(&path)?;
        // Set explicitly: create_dir_all's mode is filtered by the umask.
        fs::set_permissions(&path, fs::Permissions::from_mode(*mode))?;
    }
    fs::copy(BUSYBOX, dir.join("bin/busybox"))?;
    for applet in applets.iter().filter(|applet| *applet != "busybox") {
        match symlink("busybox", dir.join("bin").join(applet)) {
            Err(err) if err.kind() != io::ErrorKind::AlreadyExists => return Err(err),
            _ => {}
        }
    }
    fs::write(dir.join("etc/passwd"), PASSWD)?;
    fs::write(dir.join("etc/group"), GROUP)?;
    if nix::unistd::geteuid().is_root() {
        std::os::unix::fs::chown(dir.join("home/user"), Some(1000), Some(1000))?;
    }
    Ok(())
}

/// The applet names the host's busybox provides.
fn busybox_applets() -> io::Result<Vec<String>> {
    if !Path::new(BUSYBOX).exists() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{BUSYBOX} not found: install busybox-static (cargo xtask test installs it)"),
        ));
    }
    let output = Command::new(BUSYBOX).arg("--list").output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "{BUSYBOX} --list failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let list = String::from_utf8_lossy(&output.stdout);
    Ok(list
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect())
}

/// Writes `dir` as a tar stream to `out` with the host's `tar` (numeric owners, sorted names),
/// as a layer or an image import would take it.
///
/// ```no_run
/// let tmp = libpod_testutil::TempRoot::new()?;
/// libpod_testutil::busybox_rootfs(&tmp.path().join("rootfs"))?;
/// libpod_testutil::tar_directory(&tmp.path().join("rootfs"), &tmp.path().join("rootfs.tar"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn tar_directory(dir: &Path, out: &Path) -> io::Result<()> {
    let status = std::process::Command::new("tar")
        .args(["--numeric-owner", "--sort=name", "--xattrs", "-C"])
        .arg(dir)
        .arg("-cf")
        .arg(out)
        .arg(".")
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "tar -C {} failed: {status}",
            dir.display()
        )))
    }
}

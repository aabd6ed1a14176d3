//! Finding and removing the mounts beneath a directory.

use nix::mount::{MntFlags, umount2};
use std::io;
use std::path::{Path, PathBuf};

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// The mount points at or beneath `dir` in this process's mount namespace, in the order
/// they must be unmounted: deepest first, and the most recent first where mounts are stacked
/// on the same point.
///
/// `dir` should be canonical (no symlinks), as the kernel reports canonical paths.
///
/// ```
/// let mounts = libpod_testutil::mount_points_beneath(std::path::Path::new("/nonexistent"))?;
/// assert!(mounts.is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn mount_points_beneath(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mountinfo = std::fs::read_to_string(MOUNTINFO)?;
    Ok(unmount_order(&mountinfo, dir))
}

/// Lazily unmounts (`MNT_DETACH`) every mount at or beneath `dir`, deepest first.
///
/// Succeeds only when no mount is left beneath `dir` afterwards, so that a caller may then
/// remove the directory without reaching through a bind mount into host files.
pub fn unmount_beneath(dir: &Path) -> io::Result<()> {
    for point in mount_points_beneath(dir)? {
        // EINVAL: no longer a mount point (a parent's lazy unmount took it along).
        match umount2(&point, MntFlags::MNT_DETACH) {
            Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => {}
            Err(errno) => {
                return Err(io::Error::new(
                    io::Error::from(errno).kind(),
                    format!("unmounting {}: {errno}", point.display()),
                ));
            }
        }
    }
    let left = mount_points_beneath(dir)?;
    if left.is_empty() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "mounts still present beneath {}: {}",
            dir.display(),
            left.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Mount points at or beneath `dir` from mountinfo text, in unmount order.
fn unmount_order(mountinfo: &str, dir: &Path) -> Vec<PathBuf> {
    // Later lines are later mounts: reversing puts stacked mounts top first, and the stable
    // sort by depth keeps that order among equals.
    let mut points: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape(field)))
        .filter(|point| point.starts_with(dir))
        .collect();
    points.reverse();
    points.sort_by_key(|point| std::cmp::Reverse(point.components().count()));
    points
}

/// Decodes the kernel's octal escapes in a mountinfo path (`\040` for a space, ...).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4).filter(|digits| {
            bytes[i] == b'\\' && digits.iter().all(|digit| (b'0'..=b'7').contains(digit))
        });
        match digits.and_then(|digits| {
            digits.iter().try_fold(0u8, |acc, digit| {
                acc.checked_mul(8)?.checked_add(digit - b'0')
            })
        }) {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 22 0:40 / /tmp/t rw shared:2 - tmpfs tmpfs rw
31 30 0:41 / /tmp/t/a rw shared:3 - tmpfs tmpfs rw
32 31 0:42 / /tmp/t/a/b\\040c rw shared:4 - tmpfs tmpfs rw
33 30 0:43 / /tmp/t/a rw shared:5 - tmpfs tmpfs rw
34 22 0:44 / /tmp/tt rw shared:6 - tmpfs tmpfs rw
";

    #[test]
    fn order_is_deepest_first_then_most_recent_first() {
        let order = unmount_order(SAMPLE, Path::new("/tmp/t"));
        let expected = ["/tmp/t/a/b c", "/tmp/t/a", "/tmp/t/a", "/tmp/t"];
        assert_eq!(
            order,
            expected.iter().map(PathBuf::from).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sibling_with_common_prefix_is_not_beneath() {
        let order = unmount_order(SAMPLE, Path::new("/tmp/tt"));
        assert_eq!(order, vec![PathBuf::from("/tmp/tt")]);
    }

    #[test]
    fn unescape_decodes_octal_and_keeps_the_rest() {
        assert_eq!(unescape(r"/a\040b\011c\134d"), "/a b\tc\\d");
        assert_eq!(unescape(r"/plain"), "/plain");
        assert_eq!(unescape(r"/trailing\04"), r"/trailing\04");
        assert_eq!(unescape(r"/not\9octal"), r"/not\9octal");
        assert_eq!(unescape(r"/sign\+12"), r"/sign\+12");
    }
}

//! The container's users and groups, read from the image's /etc/passwd and /etc/group.
//!
//! The files are opened inside the root filesystem with `openat2(RESOLVE_IN_ROOT)`, so a
//! hostile image whose /etc/passwd is a symlink to the host's /etc/shadow reads its own
//! root's file, never the host's. Only a regular file is ever opened for reading: a device
//! node, FIFO or socket in its place is refused without being opened.
//!
//! Resolution follows runc's `libcontainer/user.GetExecUser`, which Podman 4.3 calls:
//! the first matching line wins, a numeric user or group that is not in the files is
//! accepted as is (within `0..=2147483647`), and supplementary groups are the groups whose
//! member list names the user. [`resolve_user`] reads the files; [`resolve_user_from`] does
//! the same over entries already parsed.
//!
//! ```
//! use libpod_spec::user::{parse_group, parse_passwd, resolve_user_from};
//!
//! let passwd = parse_passwd("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
//! let group = parse_group("wheel:x:10:root,user\naudio:x:29:user\n");
//! let user = resolve_user_from(&passwd, &group, "user")?;
//! assert_eq!((user.uid, user.gid), (1000, 1000));
//! assert_eq!(user.home.as_deref(), Some("/home/user"));
//! assert_eq!(user.supplementary_gids, vec![10, 29]);
//! # Ok::<(), libpod_spec::SpecError>(())
//! ```

mod parse;
mod resolve;
mod rootfs;

use crate::error::Result;
use std::path::Path;

pub use parse::{parse_group, parse_passwd};
pub use resolve::{resolve_group_from, resolve_user_from};

/// One line of /etc/passwd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswdEntry {
    /// Login name.
    pub name: String,
    /// User ID.
    pub uid: u32,
    /// Primary group ID.
    pub gid: u32,
    /// Home directory.
    pub home: String,
}

/// One line of /etc/group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEntry {
    /// Group name.
    pub name: String,
    /// Group ID.
    pub gid: u32,
    /// Member user names.
    pub members: Vec<String>,
}

/// The user a container's process runs as, resolved inside the container.
///
/// For the empty user spec (`""`, the image's default) `uid` is 0 and `gid` is root's primary
/// group from /etc/passwd; Podman leaves the process's own uid and gid unset in that case
/// and only uses `home` and `supplementary_gids`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecUser {
    /// User ID.
    pub uid: u32,
    /// Primary group ID.
    pub gid: u32,
    /// Home directory, when the user is in /etc/passwd with a non-empty home.
    pub home: Option<String>,
    /// Supplementary groups from /etc/group (groups that list the user as a member, in file
    /// order, without duplicates), only looked up when the spec has no `:` (no group given),
    /// as Podman does.
    pub supplementary_gids: Vec<u32>,
}

/// Parses a user or group given as a number the way Go's `strconv.Atoi` does (optional sign,
/// decimal digits, 64-bit): `None` means the string is a name.
pub(crate) fn parse_numeric_id(value: &str) -> Option<i64> {
    value.parse::<i64>().ok()
}

/// Resolves `--user` inside `rootfs`: `""` (root), `name`, `uid`, `name:group`, `uid:gid`.
///
/// An unknown user name or group name is an error; an unknown numeric uid is allowed (gid 0,
/// no home), as in Podman. Missing /etc/passwd or /etc/group files count as empty.
///
/// ```no_run
/// use libpod_spec::user::resolve_user;
/// use std::path::Path;
///
/// let user = resolve_user(Path::new("/var/lib/ctr/rootfs"), "nobody")?;
/// println!("uid {} gid {}", user.uid, user.gid);
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn resolve_user(rootfs: &Path, user: &str) -> Result<ExecUser> {
    let passwd = parse_passwd(&rootfs::read_etc_file(rootfs, "etc/passwd")?);
    let group = parse_group(&rootfs::read_etc_file(rootfs, "etc/group")?);
    resolve_user_from(&passwd, &group, user)
}

/// Resolves a `--group-add` entry (name or number) inside `rootfs`.
///
/// A name must be in the container's /etc/group; any number in `0..=2147483647` is allowed.
///
/// ```no_run
/// use libpod_spec::user::resolve_group;
/// use std::path::Path;
///
/// let gid = resolve_group(Path::new("/var/lib/ctr/rootfs"), "audio")?;
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn resolve_group(rootfs: &Path, group: &str) -> Result<u32> {
    let groups = parse_group(&rootfs::read_etc_file(rootfs, "etc/group")?);
    resolve_group_from(&groups, group)
}

#[cfg(test)]
mod rootfs_tests;

//! The container's users and groups, read from the image's /etc/passwd and /etc/group.
//!
//! The files are opened inside the root filesystem with `openat2(RESOLVE_IN_ROOT)`, so a
//! hostile image whose /etc/passwd is a symlink to the host's /etc/shadow reads its own
//! root's file, never the host's.

use crate::error::Result;
use std::path::Path;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecUser {
    /// User ID.
    pub uid: u32,
    /// Primary group ID.
    pub gid: u32,
    /// Home directory, when the user is in /etc/passwd.
    pub home: Option<String>,
    /// Supplementary groups from /etc/group (groups that list the user as a member), only
    /// looked up when the group was not given explicitly.
    pub supplementary_gids: Vec<u32>,
}

/// Parses /etc/passwd content; malformed lines are skipped.
pub fn parse_passwd(content: &str) -> Vec<PasswdEntry> {
    let _ = content;
    todo!("helper C")
}

/// Parses /etc/group content; malformed lines are skipped.
pub fn parse_group(content: &str) -> Vec<GroupEntry> {
    let _ = content;
    todo!("helper C")
}

/// Resolves `--user` inside `rootfs`: `""` (root), `name`, `uid`, `name:group`, `uid:gid`.
///
/// An unknown user name or group name is an error; an unknown numeric uid is allowed (gid 0,
/// no home), as in Podman.
pub fn resolve_user(rootfs: &Path, user: &str) -> Result<ExecUser> {
    let _ = (rootfs, user);
    todo!("helper C")
}

/// Resolves a `--group-add` entry (name or number) inside `rootfs`.
pub fn resolve_group(rootfs: &Path, group: &str) -> Result<u32> {
    let _ = (rootfs, group);
    todo!("helper C")
}

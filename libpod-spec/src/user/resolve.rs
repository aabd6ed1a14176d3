//! Resolution of user and group specs over parsed entries, as runc's `GetExecUser` and
//! `GetAdditionalGroups` do it.

use super::{ExecUser, GroupEntry, PasswdEntry, parse_numeric_id};
use crate::error::{Result, SpecError};

/// runc refuses numeric IDs outside this range ("for 32-bit systems compatibility").
const MAX_ID: i64 = (1 << 31) - 1;

/// Resolves a `--user` spec over parsed /etc/passwd and /etc/group entries.
///
/// This is [`resolve_user`](super::resolve_user) without the file reading: the first
/// matching passwd line wins; a spec with a `:` takes its group from the second field (a
/// third field and beyond are ignored, as in runc) and gets no supplementary groups.
///
/// ```
/// use libpod_spec::user::{parse_group, parse_passwd, resolve_user_from};
///
/// let passwd = parse_passwd("user:x:1000:1000::/home/user:/bin/sh\n");
/// let group = parse_group("audio:x:29:user\n");
/// let user = resolve_user_from(&passwd, &group, "user:audio")?;
/// assert_eq!((user.uid, user.gid), (1000, 29));
/// assert!(user.supplementary_gids.is_empty());
///
/// let unknown = resolve_user_from(&passwd, &group, "5000")?;
/// assert_eq!((unknown.uid, unknown.gid, unknown.home), (5000, 0, None));
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn resolve_user_from(
    passwd: &[PasswdEntry],
    group: &[GroupEntry],
    user: &str,
) -> Result<ExecUser> {
    let mut parts = user.split(':');
    let user_arg = parts.next().unwrap_or_default();
    let group_arg = parts.next();

    let mut exec = ExecUser {
        uid: 0,
        gid: 0,
        home: None,
        supplementary_gids: Vec::new(),
    };
    let matched = find_user(passwd, user_arg);
    match matched {
        Some(entry) => {
            exec.uid = entry.uid;
            exec.gid = entry.gid;
            exec.home = Some(entry.home.clone()).filter(|home| !home.is_empty());
        }
        None if user_arg.is_empty() => {}
        None => exec.uid = numeric_id_in_range("user", user, user_arg)?,
    }

    match group_arg {
        // An empty group (`user:`) keeps the passwd gid, as in runc.
        Some("") => {}
        Some(group_arg) => exec.gid = find_group(group, user, group_arg)?,
        // Supplementary groups only make sense when the group is implicit, and Podman only
        // adds them when the spec has no `:` at all.
        None => {
            if let Some(entry) = matched {
                exec.supplementary_gids = member_gids(group, &entry.name);
            }
        }
    }
    Ok(exec)
}

/// Resolves a `--group-add` entry over parsed /etc/group entries.
///
/// The first group whose name or gid (as written in decimal) equals `group` wins; failing
/// that, a number in `0..=2147483647` is taken as is.
///
/// ```
/// use libpod_spec::user::{parse_group, resolve_group_from};
///
/// let groups = parse_group("audio:x:29:user\n");
/// assert_eq!(resolve_group_from(&groups, "audio")?, 29);
/// assert_eq!(resolve_group_from(&groups, "1234")?, 1234);
/// assert!(resolve_group_from(&groups, "video").is_err());
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn resolve_group_from(groups: &[GroupEntry], group: &str) -> Result<u32> {
    if let Some(entry) = groups
        .iter()
        .find(|g| g.name == group || g.gid.to_string() == group)
    {
        return Ok(entry.gid);
    }
    if parse_numeric_id(group).is_none() {
        return Err(SpecError::UnknownGroup {
            group: group.to_string(),
        });
    }
    numeric_id_in_range("group-add", group, group)
}

/// The passwd entry a user argument names: root's for `""`, by uid for numbers, else by name.
fn find_user<'a>(passwd: &'a [PasswdEntry], user_arg: &str) -> Option<&'a PasswdEntry> {
    if user_arg.is_empty() {
        return passwd.iter().find(|entry| entry.uid == 0);
    }
    match parse_numeric_id(user_arg) {
        Some(uid) => passwd.iter().find(|entry| i64::from(entry.uid) == uid),
        None => passwd.iter().find(|entry| entry.name == user_arg),
    }
}

/// The gid an explicit group argument names: by gid for numbers (any in range), else by name.
fn find_group(group: &[GroupEntry], spec: &str, group_arg: &str) -> Result<u32> {
    match parse_numeric_id(group_arg) {
        Some(gid) => match group.iter().find(|entry| i64::from(entry.gid) == gid) {
            Some(entry) => Ok(entry.gid),
            None => numeric_id_in_range("user", spec, group_arg),
        },
        None => group
            .iter()
            .find(|entry| entry.name == group_arg)
            .map(|entry| entry.gid)
            .ok_or_else(|| SpecError::UnknownGroup {
                group: group_arg.to_string(),
            }),
    }
}

/// The gids of the groups listing `name` as a member, in file order, without duplicates.
fn member_gids(group: &[GroupEntry], name: &str) -> Vec<u32> {
    let mut gids = Vec::new();
    for entry in group
        .iter()
        .filter(|entry| entry.members.iter().any(|m| m == name))
    {
        if !gids.contains(&entry.gid) {
            gids.push(entry.gid);
        }
    }
    gids
}

/// A numeric ID that is not in the files, accepted when in runc's range; a non-number is an
/// unknown user.
fn numeric_id_in_range(field: &'static str, spec: &str, id: &str) -> Result<u32> {
    let Some(number) = parse_numeric_id(id) else {
        return Err(SpecError::UnknownUser {
            user: id.to_string(),
        });
    };
    if !(0..=MAX_ID).contains(&number) {
        return Err(SpecError::invalid(
            field,
            spec,
            format!("uids and gids must be in range 0-{MAX_ID}"),
        ));
    }
    // In range by the check above.
    Ok(u32::try_from(number).unwrap_or_default())
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;

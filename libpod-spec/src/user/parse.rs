//! Parsing of /etc/passwd and /etc/group.
//!
//! Lenient like runc's parser (extra fields are ignored, short trailing fields are allowed),
//! but a line whose name is empty or whose IDs are not numbers is skipped instead of being
//! read as ID 0: a stray comment must never match as root.

use super::{GroupEntry, PasswdEntry};

/// Parses /etc/passwd content; malformed lines are skipped.
///
/// A line needs at least `name:password:uid:gid`; the home directory is the sixth field
/// (empty when missing). Blank lines, `#` comments and NIS `+`/`-` lines are skipped.
///
/// ```
/// use libpod_spec::user::parse_passwd;
///
/// let entries = parse_passwd("# users\nroot:x:0:0:root:/root:/bin/sh\n+nis::::::\nbad:x:y:0::/:\n");
/// assert_eq!(entries.len(), 1);
/// assert_eq!(entries[0].name, "root");
/// assert_eq!(entries[0].home, "/root");
/// ```
pub fn parse_passwd(content: &str) -> Vec<PasswdEntry> {
    content.lines().filter_map(parse_passwd_line).collect()
}

/// Parses /etc/group content; malformed lines are skipped.
///
/// A line needs at least `name:password:gid`; members are the comma-separated fourth
/// field, empty names dropped. Blank lines, `#` comments and NIS `+`/`-` lines are skipped.
///
/// ```
/// use libpod_spec::user::parse_group;
///
/// let entries = parse_group("wheel:x:10:root,user\nnogroup:x:65534:\n");
/// assert_eq!(entries[0].members, vec!["root", "user"]);
/// assert!(entries[1].members.is_empty());
/// ```
pub fn parse_group(content: &str) -> Vec<GroupEntry> {
    content.lines().filter_map(parse_group_line).collect()
}

/// The fields of a passwd/group line, or `None` for lines that hold no entry.
fn entry_fields(line: &str) -> Option<Vec<&str>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with(['#', '+', '-']) {
        return None;
    }
    let fields: Vec<&str> = line.split(':').collect();
    if fields[0].is_empty() {
        return None;
    }
    Some(fields)
}

fn parse_passwd_line(line: &str) -> Option<PasswdEntry> {
    let fields = entry_fields(line)?;
    if fields.len() < 4 {
        return None;
    }
    Some(PasswdEntry {
        name: fields[0].to_string(),
        uid: fields[2].parse().ok()?,
        gid: fields[3].parse().ok()?,
        home: fields.get(5).copied().unwrap_or_default().to_string(),
    })
}

fn parse_group_line(line: &str) -> Option<GroupEntry> {
    let fields = entry_fields(line)?;
    if fields.len() < 3 {
        return None;
    }
    let members = fields
        .get(3)
        .map(|list| {
            list.split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Some(GroupEntry {
        name: fields[0].to_string(),
        gid: fields[2].parse().ok()?,
        members,
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

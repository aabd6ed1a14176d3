//! A create under way. libcontainer records the container `Creating`, without a PID, as its
//! build begins (its state file is written a moment after the state directory is made), and
//! reads that record as stopped: no PID, so no process. Until the build records the init's
//! PID, the container is being created while its monitor lives, and the runtime's state says
//! `creating`, as runc's does, so that a caller waits for the create instead of deleting under
//! it (libpod-core waits so for the monitor of an interrupted init before it deletes what the
//! init left and releases its mounts).

use crate::CONTAINER_FLAG;
use std::collections::BTreeMap;

/// Whether container `id`'s monitor lives: a process whose command line names the container
/// ([`CONTAINER_FLAG`] and the ID) and whose parent's does not. libcontainer's clones of the
/// monitor (its intermediate process, and the init until it runs the container's process)
/// carry the monitor's command line with the monitor as their parent: left behind by a
/// monitor that was killed, they are no create under way.
pub(crate) fn monitor_lives(id: &str) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    // PID -> parent PID of every process naming the container.
    let mut naming = BTreeMap::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        // Another user's process may put anything on its command line: a monitor runs as
        // whoever runs the runtime.
        if !owned_by_us(&entry.path()) {
            continue;
        }
        // Gone meanwhile, or a zombie (an empty command line): not a monitor at work.
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if names_container(&cmdline, id)
            && let Some(parent) = parent_pid(pid)
        {
            naming.insert(pid, parent);
        }
    }
    naming.values().any(|parent| !naming.contains_key(parent))
}

/// Whether the process whose `/proc` directory is `dir` belongs to this process's user (the
/// directory's owner is the process's effective user).
fn owned_by_us(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).is_ok_and(|meta| meta.uid() == nix::unistd::geteuid().as_raw())
}

/// Whether the init `pid` of created container `id` has run the container's process already:
/// it no longer carries the monitor's command line. A `start` killed after it woke the init
/// and before it recorded the container running leaves the record `Created`; runc, whose
/// state comes from its exec FIFO, says `running` then, and so must this runtime.
pub(crate) fn init_has_started(id: &str, pid: i32) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        // Empty: a zombie (libcontainer's refresh tells it stopped).
        Ok(cmdline) => !cmdline.is_empty() && !names_container(&cmdline, id),
        Err(_) => false,
    }
}

/// Whether a NUL-separated command line holds [`CONTAINER_FLAG`] followed by `id`.
fn names_container(cmdline: &[u8], id: &str) -> bool {
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    args.windows(2)
        .any(|pair| pair[0] == CONTAINER_FLAG.as_bytes() && pair[1] == id.as_bytes())
}

/// Process `pid`'s parent, from `/proc/PID/stat` (the field after the command's closing
/// parenthesis and the state).
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{init_has_started, names_container, parent_pid};

    #[test]
    fn a_monitor_is_named_by_the_flag_and_the_id() {
        let id = "abc";
        assert!(names_container(b"/bin/mon\0--container\0abc\0", id));
        assert!(names_container(
            b"podctl\0libcontainer-monitor\0--container\0abc",
            id
        ));
        assert!(!names_container(b"/bin/mon\0--container\0abcd\0", id));
        assert!(!names_container(b"/bin/mon\0--exec-session\0abc\0", id));
        assert!(!names_container(b"/bin/mon\0abc\0--container\0", id));
        assert!(!names_container(b"", id));
    }

    #[test]
    fn an_init_has_started_once_it_no_longer_carries_the_monitors_command_line() {
        // This test process carries no monitor's command line: as an init past its exec.
        let me = i32::try_from(std::process::id()).unwrap();
        assert!(init_has_started("abc", me));
        assert!(!init_has_started("abc", i32::MAX));
    }

    #[test]
    fn the_parent_is_read_past_the_command_name() {
        let parent = std::os::unix::process::parent_id();
        assert_eq!(parent_pid(std::process::id()), Some(parent));
        assert_eq!(parent_pid(u32::MAX), None);
    }
}

//! `top`: a container's processes with psgo's descriptors, read from /proc on the host (as
//! psgo reads them; Podman 4.3's `top` uses psgo and runs `ps` in the container only for
//! descriptors psgo lacks). Reading /proc needs nothing in the container (no `ps` binary, no
//! exec session) and costs a few reads per process; PIDs are shown as the container sees
//! them (the last of `NSpid`), users and groups named from the container's own
//! `/etc/passwd` and `/etc/group`, host ones (`huser`, `hgroup`) from the host's.
//!
//! Descriptors (psgo's names, headers and formats): `user` USER, `ruser` RUSER, `group`
//! GROUP, `rgroup` RGROUP, `groups` GROUPS, `pid` PID, `ppid` PPID, `pgid` PGID, `hpid`
//! HPID, `huser` HUSER, `hgroup` HGROUP, `pcpu` %CPU (three decimals), `etime` ELAPSED and
//! `time` TIME (Go durations), `tty` TTY, `args` COMMAND, `comm` COMMAND, `nice` NI, `vsz`
//! VSZ and `rss` RSS (KiB), `state` STATE; and the AIX codes `%C %G %P %U %a %c %g %n %p %r
//! %t %u %x %y %z`. The default is psgo's: `user pid ppid pcpu etime tty time args`.

use super::cgroup::Cgroup;
use super::procfs::{self, Process};
use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use std::collections::BTreeMap;

/// psgo's default descriptors (`ps -ef`'s columns).
pub const DEFAULT_DESCRIPTORS: [&str; 8] = [
    "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args",
];

/// What [`Container::top`] found: a header per descriptor and a row per process, ordered by
/// PID.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopOutput {
    /// The columns' headers.
    pub headers: Vec<String>,
    /// One row per process, a cell per descriptor.
    pub rows: Vec<Vec<String>>,
}

/// A descriptor: its name, header, and how a cell is made.
#[derive(Debug)]
struct Descriptor {
    name: &'static str,
    code: &'static str,
    header: &'static str,
    cell: fn(&Process, &Context) -> String,
}

/// What cells need besides their process.
struct Context {
    /// Host PID to the PID in the container.
    ns_pids: BTreeMap<i32, i32>,
    users: BTreeMap<u32, String>,
    groups: BTreeMap<u32, String>,
    host_users: BTreeMap<u32, String>,
    host_groups: BTreeMap<u32, String>,
    boot_time: u64,
    now_nanos: u64,
}

const TICK_NANOS: u64 = 10_000_000;

const DESCRIPTORS: [Descriptor; 21] = [
    Descriptor {
        name: "pcpu",
        code: "%C",
        header: "%CPU",
        cell: pcpu,
    },
    Descriptor {
        name: "group",
        code: "%G",
        header: "GROUP",
        cell: |p, c| name(&c.groups, p.gids[1]),
    },
    Descriptor {
        name: "groups",
        code: "",
        header: "GROUPS",
        cell: |p, c| {
            p.groups
                .iter()
                .map(|g| name(&c.groups, *g))
                .collect::<Vec<_>>()
                .join(",")
        },
    },
    Descriptor {
        name: "ppid",
        code: "%P",
        header: "PPID",
        cell: |p, c| in_container(c, p.ppid),
    },
    Descriptor {
        name: "user",
        code: "%U",
        header: "USER",
        cell: |p, c| name(&c.users, p.uids[1]),
    },
    Descriptor {
        name: "args",
        code: "%a",
        header: "COMMAND",
        cell: |p, _| {
            if p.args.is_empty() {
                format!("[{}]", p.comm)
            } else {
                p.args.join(" ")
            }
        },
    },
    Descriptor {
        name: "comm",
        code: "%c",
        header: "COMMAND",
        cell: |p, _| p.comm.clone(),
    },
    Descriptor {
        name: "rgroup",
        code: "%g",
        header: "RGROUP",
        cell: |p, c| name(&c.groups, p.gids[0]),
    },
    Descriptor {
        name: "nice",
        code: "%n",
        header: "NI",
        cell: |p, _| p.nice.to_string(),
    },
    Descriptor {
        name: "pid",
        code: "%p",
        header: "PID",
        cell: |p, _| p.ns_pid.to_string(),
    },
    Descriptor {
        name: "pgid",
        code: "%r",
        header: "PGID",
        cell: |p, c| in_container(c, p.pgrp),
    },
    Descriptor {
        name: "etime",
        code: "%t",
        header: "ELAPSED",
        cell: |p, c| super::go_duration(elapsed(p, c)),
    },
    Descriptor {
        name: "ruser",
        code: "%u",
        header: "RUSER",
        cell: |p, c| name(&c.users, p.uids[0]),
    },
    Descriptor {
        name: "time",
        code: "%x",
        header: "TIME",
        cell: |p, _| super::go_duration(p.cpu_ticks * TICK_NANOS),
    },
    Descriptor {
        name: "tty",
        code: "%y",
        header: "TTY",
        cell: |p, _| tty(p.tty_nr),
    },
    Descriptor {
        name: "vsz",
        code: "%z",
        header: "VSZ",
        cell: |p, _| p.vsz_kib.to_string(),
    },
    Descriptor {
        name: "hpid",
        code: "",
        header: "HPID",
        cell: |p, _| p.host_pid.to_string(),
    },
    Descriptor {
        name: "huser",
        code: "",
        header: "HUSER",
        cell: |p, c| name(&c.host_users, p.uids[1]),
    },
    Descriptor {
        name: "hgroup",
        code: "",
        header: "HGROUP",
        cell: |p, c| name(&c.host_groups, p.gids[1]),
    },
    Descriptor {
        name: "rss",
        code: "",
        header: "RSS",
        cell: |p, _| p.rss_kib.to_string(),
    },
    Descriptor {
        name: "state",
        code: "",
        header: "STATE",
        cell: |p, _| p.state.clone(),
    },
];

impl Container {
    /// The container's processes with `descriptors` (psgo's names or AIX codes, as separate
    /// items or comma-separated; none: [`DEFAULT_DESCRIPTORS`]). The container must be
    /// running; an unknown descriptor is psgo's "'X': unknown descriptor".
    pub fn top(&self, descriptors: &[String]) -> Result<TopOutput> {
        let chosen = choose(descriptors)?;
        let state = self.state()?;
        let pid = match (state.status, state.pid) {
            (ContainerStatus::Running | ContainerStatus::Paused, Some(pid)) => pid,
            (status, _) => {
                return Err(CoreError::InvalidState {
                    id: self.id().to_string(),
                    status,
                    operation: "top",
                });
            }
        };
        top_of(&chosen, pid, Cgroup::of_process(pid)?.processes()?)
    }
}

/// The host PIDs of the processes in the cgroup of process `pid` (a container's).
pub(crate) fn cgroup_processes(pid: i32) -> Result<Vec<i32>> {
    Cgroup::of_process(pid)?.processes()
}

/// Processes `host_pids` (as seen from `pid`'s root: its users and groups) with descriptors
/// `names` (as [`Container::top`] takes them): a pod's containers' processes together.
pub(crate) fn top_processes(names: &[String], pid: i32, host_pids: Vec<i32>) -> Result<TopOutput> {
    top_of(&choose(names)?, pid, host_pids)
}

fn top_of(chosen: &[&'static Descriptor], pid: i32, mut host_pids: Vec<i32>) -> Result<TopOutput> {
    host_pids.sort_unstable();
    host_pids.dedup();
    let mut processes = Vec::new();
    for host_pid in host_pids {
        processes.extend(Process::read(host_pid)?);
    }
    processes.sort_by_key(|p| p.ns_pid);
    let root = std::path::PathBuf::from(format!("/proc/{pid}/root/etc"));
    let context = Context {
        ns_pids: processes.iter().map(|p| (p.host_pid, p.ns_pid)).collect(),
        users: procfs::names_by_id(&root.join("passwd")),
        groups: procfs::names_by_id(&root.join("group")),
        host_users: procfs::names_by_id("/etc/passwd".as_ref()),
        host_groups: procfs::names_by_id("/etc/group".as_ref()),
        boot_time: procfs::boot_time()?,
        now_nanos: super::now_nanos(),
    };
    Ok(TopOutput {
        headers: chosen.iter().map(|d| d.header.to_string()).collect(),
        rows: processes
            .iter()
            .map(|p| chosen.iter().map(|d| (d.cell)(p, &context)).collect())
            .collect(),
    })
}

/// The descriptors named, in order.
fn choose(names: &[String]) -> Result<Vec<&'static Descriptor>> {
    let split: Vec<&str> = names
        .iter()
        .flat_map(|n| n.split([',', ' ']))
        .filter(|n| !n.is_empty())
        .collect();
    let wanted = if split.is_empty() {
        DEFAULT_DESCRIPTORS.to_vec()
    } else {
        split
    };
    wanted
        .into_iter()
        .map(|name| {
            DESCRIPTORS
                .iter()
                .find(|d| d.name == name || (!d.code.is_empty() && d.code == name))
                .ok_or_else(|| CoreError::InvalidOption {
                    option: "descriptor",
                    reason: format!("'{name}': unknown descriptor"),
                })
        })
        .collect()
}

fn name(names: &BTreeMap<u32, String>, id: u32) -> String {
    names.get(&id).cloned().unwrap_or_else(|| id.to_string())
}

/// A host PID as the container sees it; 0 for one outside it (the parent of its PID 1).
fn in_container(context: &Context, host_pid: i32) -> String {
    context
        .ns_pids
        .get(&host_pid)
        .copied()
        .unwrap_or(0)
        .to_string()
}

/// Nanoseconds since the process started.
fn elapsed(process: &Process, context: &Context) -> u64 {
    let started = context.boot_time * 1_000_000_000 + process.start_ticks * TICK_NANOS;
    context.now_nanos.saturating_sub(started)
}

/// psgo's `%CPU`: CPU time over elapsed time, in percent, three decimals.
fn pcpu(process: &Process, context: &Context) -> String {
    let elapsed = elapsed(process, context);
    let percent = super::cpu_percent(process.cpu_ticks * TICK_NANOS, 0, elapsed, 0);
    format!("{percent:.3}")
}

/// A terminal's name: `pts/N` for a pseudo-terminal, `?` for none (psgo looks the device up
/// in /dev; the containers' terminals are conmon's pseudo-terminals).
fn tty(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        _ => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_by_name_code_or_list() {
        let names = |list: &[&str]| -> Vec<&str> {
            let owned: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            choose(&owned).unwrap().iter().map(|d| d.header).collect()
        };
        assert_eq!(
            names(&[]),
            [
                "USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"
            ]
        );
        assert_eq!(names(&["pid,comm", "%x"]), ["PID", "COMMAND", "TIME"]);
        let err = choose(&["pid".into(), "bogus".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'bogus': unknown descriptor"), "{err}");
    }

    #[test]
    fn terminals_are_named() {
        assert_eq!(tty(0), "?");
        assert_eq!(tty((136 << 8) | 3), "pts/3");
    }
}

//! What `top` and `stats` read of processes in /proc.

use crate::error::{CoreError, Result};
use std::path::Path;

/// One process, as /proc shows it from the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Process {
    /// Its PID on the host.
    pub host_pid: i32,
    /// Its PID in its own (the container's) PID namespace: the last of `NSpid`.
    pub ns_pid: i32,
    /// Its parent's host PID.
    pub ppid: i32,
    /// Its process group's host PID.
    pub pgrp: i32,
    /// `R`, `S`, `D`, `Z`, ...
    pub state: String,
    /// The controlling terminal's device number (0: none).
    pub tty_nr: u64,
    /// User and system CPU time, in ticks.
    pub cpu_ticks: u64,
    /// Its nice value.
    pub nice: i64,
    /// When it started, in ticks after boot.
    pub start_ticks: u64,
    /// Its executable's name (`comm`).
    pub comm: String,
    /// Real, effective, saved and filesystem UIDs.
    pub uids: [u32; 4],
    /// The same GIDs.
    pub gids: [u32; 4],
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// Its arguments (empty for a kernel thread or a zombie).
    pub args: Vec<String>,
    /// Virtual memory size, in KiB.
    pub vsz_kib: u64,
    /// Resident set size, in KiB.
    pub rss_kib: u64,
}

impl Process {
    /// Reads process `pid`; `None` when it is gone.
    pub(super) fn read(pid: i32) -> Result<Option<Process>> {
        let dir = format!("/proc/{pid}");
        let read = |name: &str| match std::fs::read(format!("{dir}/{name}")) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput
                ) || err.raw_os_error() == Some(nix::libc::ESRCH) =>
            {
                Ok(None)
            }
            Err(err) => Err(CoreError::io("read", format!("{dir}/{name}"), err)),
        };
        let (Some(stat), Some(status), Some(cmdline)) =
            (read("stat")?, read("status")?, read("cmdline")?)
        else {
            return Ok(None);
        };
        let mut process = Process {
            host_pid: pid,
            ..Process::default()
        };
        process.parse_stat(&String::from_utf8_lossy(&stat));
        process.parse_status(&String::from_utf8_lossy(&status));
        process.args = cmdline
            .split(|&b| b == 0)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        while process.args.last().is_some_and(String::is_empty) {
            process.args.pop();
        }
        Ok(Some(process))
    }

    /// `/proc/PID/stat`: `PID (COMM) STATE PPID PGRP ...`, COMM up to the last `)`.
    pub(super) fn parse_stat(&mut self, text: &str) {
        let (Some(open), Some(close)) = (text.find('('), text.rfind(')')) else {
            return;
        };
        self.comm = text[open + 1..close].to_string();
        let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
        // fields[0] is stat's field 3.
        let field = |n: usize| fields.get(n - 3).copied().unwrap_or("0");
        self.state = field(3).to_string();
        self.ppid = field(4).parse().unwrap_or(0);
        self.pgrp = field(5).parse().unwrap_or(0);
        self.tty_nr = field(7).parse().unwrap_or(0);
        let utime: u64 = field(14).parse().unwrap_or(0);
        let stime: u64 = field(15).parse().unwrap_or(0);
        self.cpu_ticks = utime + stime;
        self.nice = field(19).parse().unwrap_or(0);
        self.start_ticks = field(22).parse().unwrap_or(0);
    }

    /// `/proc/PID/status`: `Uid:`, `Gid:`, `Groups:`, `NSpid:`, `VmSize:`, `VmRSS:`.
    pub(super) fn parse_status(&mut self, text: &str) {
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let numbers = || {
                value
                    .split_whitespace()
                    .filter_map(|n| n.parse::<u32>().ok())
            };
            match key {
                "Uid" => fill(&mut self.uids, numbers()),
                "Gid" => fill(&mut self.gids, numbers()),
                "Groups" => self.groups = numbers().collect(),
                "NSpid" => {
                    self.ns_pid = value
                        .split_whitespace()
                        .last()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                }
                "VmSize" => self.vsz_kib = kib(value),
                "VmRSS" => self.rss_kib = kib(value),
                _ => {}
            }
        }
    }
}

fn fill(target: &mut [u32; 4], values: impl Iterator<Item = u32>) {
    for (slot, value) in target.iter_mut().zip(values) {
        *slot = value;
    }
}

fn kib(value: &str) -> u64 {
    value
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// When the host booted, in seconds since the epoch (`btime` of /proc/stat).
pub(super) fn boot_time() -> Result<u64> {
    let text = std::fs::read_to_string("/proc/stat")
        .map_err(|e| CoreError::io("read", "/proc/stat", e))?;
    Ok(text
        .lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0))
}

/// The host's memory, in bytes (`MemTotal` of /proc/meminfo).
pub(super) fn host_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .map(|value| kib(value) * 1024)
}

/// Names of users (or groups) by ID from a passwd (or group) file: `NAME:x:ID:...`.
pub(super) fn names_by_id(path: &Path) -> std::collections::BTreeMap<u32, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let id = fields.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

#[cfg(test)]
#[path = "procfs_tests.rs"]
mod tests;

//! `stats` and `top` of a pod: its running (or paused) containers', through the stats wing;
//! containers not running are left out without an error (as Podman's `GetPodStats`).

use super::Pod;
use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::stats::{ContainerStats, TopOutput};
use std::collections::BTreeMap;

impl Pod {
    /// One sample of each running container's resource use, by container ID; `previous`
    /// holds the last samples, for the CPU percentages over the interval.
    pub fn stats(
        &self,
        previous: &BTreeMap<String, ContainerStats>,
    ) -> Result<BTreeMap<String, ContainerStats>> {
        let mut out = BTreeMap::new();
        for (ctr, _) in self.running()? {
            match ctr.stats(previous.get(ctr.id())) {
                Ok(stats) => {
                    out.insert(ctr.id().to_string(), stats);
                }
                Err(CoreError::ContainerNotFound(_) | CoreError::InvalidState { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The processes of its running containers together, with `descriptors` as
    /// [`Container::top`] takes them; users are named from the first member's
    /// `/etc/passwd` (not the infra container's empty root).
    pub fn top(&self, descriptors: &[String]) -> Result<TopOutput> {
        let running = self.running()?;
        let Some(root_pid) = running
            .iter()
            .find(|(c, _)| !c.config().is_infra)
            .or(running.first())
            .map(|(_, pid)| *pid)
        else {
            return Err(CoreError::InvalidOption {
                option: "pod top",
                reason: format!("no containers running in pod {}", self.name()),
            });
        };
        let mut pids = Vec::new();
        for (_, pid) in &running {
            pids.extend(crate::stats::top::cgroup_processes(*pid)?);
        }
        crate::stats::top::top_processes(descriptors, root_pid, pids)
    }

    /// Its running or paused containers with their PIDs.
    fn running(&self) -> Result<Vec<(Container, i32)>> {
        let locked = self.lock()?;
        let mut out = Vec::new();
        for ctr in self.containers()? {
            let pid = match ctr.lock_in(&locked.guard) {
                Ok(l) => match (l.state.status, l.state.pid) {
                    (ContainerStatus::Running | ContainerStatus::Paused, Some(pid)) => Some(pid),
                    _ => None,
                },
                Err(CoreError::ContainerNotFound(_)) => None,
                Err(e) => return Err(e),
            };
            if let Some(pid) = pid {
                out.push((ctr, pid));
            }
        }
        Ok(out)
    }
}

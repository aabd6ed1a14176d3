//! Which pods a verb acts on, as Podman 4.3's pod verbs take them: names or IDs, `-a/--all`,
//! `-l/--latest`, `--pod-id-file` (start, stop, rm), checked in its words and order
//! (its `validate.CheckAllLatestAndIDFile`).

use super::Result;
use crate::containers::io_reason;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::Pod;
use libpod_core::runtime::Runtime;
use std::path::PathBuf;

// `-a`, `-l` and the pods named.
#[derive(Args)]
pub struct Selection {
    /// Act on all pods.
    #[arg(short, long)]
    pub all: bool,
    /// Act on the latest pod podctl is aware of.
    #[arg(short, long)]
    pub latest: bool,
    /// The pods (name or ID).
    pub pods: Vec<String>,
}

// `--pod-id-file`, on the verbs that have it.
#[derive(Args, Default)]
pub struct IdFiles {
    /// Read the pod ID from the file.
    #[arg(long = "pod-id-file")]
    pub files: Vec<PathBuf>,
}

fn refused(message: &str) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

/// The pod created last, if any.
pub fn latest(rt: &Runtime) -> Result<Option<Pod>> {
    Ok(rt
        .pods()?
        .into_iter()
        .max_by(|a, b| a.config().created.cmp(&b.config().created)))
}

impl Selection {
    /// The names or IDs to act on: every pod's ID with `--all`, the latest's with `--latest`
    /// (Podman's `no such pod`, exit `missing_code`, when there is none), else the names given
    /// and the IDs read from `ids`' files.
    pub fn names(&self, rt: &Runtime, ids: &IdFiles, missing_code: u8) -> Result<Vec<String>> {
        let (all, latest, files) = (self.all, self.latest, !ids.files.is_empty());
        let args = !self.pods.is_empty();
        if files && (all || latest) {
            return Err(refused(
                "--all, --latest, and --pod-id-file cannot be used together",
            ));
        }
        if all && latest {
            return Err(refused("--all and --latest cannot be used together"));
        }
        if all && args {
            return Err(refused("no arguments are needed with --all"));
        }
        if latest && args {
            return Err(refused("--latest and containers cannot be used together"));
        }
        if files && args {
            return Err(refused(
                "no arguments are needed with --latest or --pod-id-file",
            ));
        }
        if !(all || latest || files || args) {
            return Err(refused("you must provide at least one name or id"));
        }
        if all {
            return Ok(rt.pods()?.iter().map(|p| p.id().to_string()).collect());
        }
        if latest {
            return match self::latest(rt)? {
                Some(pod) => Ok(vec![pod.id().to_string()]),
                None => Err(Exit::new(missing_code, "no such pod").into()),
            };
        }
        let mut names = self.pods.clone();
        for file in &ids.files {
            let id = std::fs::read_to_string(file).map_err(|e| {
                refused(&format!(
                    "reading pod ID file: open {}: {}",
                    file.display(),
                    io_reason(&e)
                ))
            })?;
            names.push(id.trim().to_string());
        }
        Ok(names)
    }
}

//! `prune_containers` and `container_exists`: Podman's `container prune` and
//! `container exists`.

use super::{Container, ContainerStatus, RemoveOptions};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Whether a container has this name, ID or unique ID prefix (Podman's
    /// `container exists`). An ambiguous prefix is an error, not a yes.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// if !rt.container_exists("web")? {
    ///     println!("no container named web");
    /// }
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn container_exists(&self, name_or_id: &str) -> Result<bool> {
        match self.container(name_or_id) {
            Ok(_) => Ok(true),
            Err(CoreError::ContainerNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Removes every container that is not running, not paused and in no pod, as Podman's
    /// `PruneContainers`: those configured, created, stopped or exited, for which `selected`
    /// holds (Podman's prune filters, `label=` and `until=`, are such a predicate). Reports
    /// each candidate with the outcome of its removal: one that others depend on, or that
    /// another process started meanwhile, fails alone and the others go on.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// for report in rt.prune_containers(|_| true)? {
    ///     match report.result {
    ///         Ok(()) => println!("{} ({} bytes)", report.id, report.size),
    ///         Err(e) => eprintln!("{}: {e}", report.id),
    ///     }
    /// }
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn prune_containers(
        &self,
        selected: impl Fn(&Container) -> bool,
    ) -> Result<Vec<PruneReport>> {
        let mut out = Vec::new();
        for ctr in self.containers()? {
            if ctr.config().pod.is_some() || !selected(&ctr) {
                continue;
            }
            match ctr.status() {
                Ok(
                    ContainerStatus::Configured
                    | ContainerStatus::Created
                    | ContainerStatus::Stopped
                    | ContainerStatus::Exited,
                ) => {}
                Ok(_) | Err(CoreError::ContainerNotFound(_)) => continue,
                Err(e) => {
                    out.push(PruneReport::new(&ctr, 0, Err(e)));
                    continue;
                }
            }
            // What removing it frees, as Podman's report has it; unknown counts as nothing.
            let size = ctr.rw_size().unwrap_or(0);
            // Without force: one started since the status was read is refused, not stopped.
            match self.remove_container(&ctr, RemoveOptions::default()) {
                Err(CoreError::ContainerNotFound(_)) => {}
                result => out.push(PruneReport::new(&ctr, size, result)),
            }
        }
        Ok(out)
    }
}

/// One container [`Runtime::prune_containers`] tried to remove (Podman's `PruneReport`).
#[derive(Debug)]
#[non_exhaustive]
pub struct PruneReport {
    /// The container's ID.
    pub id: String,
    /// The size of its own changes, freed when its removal succeeded.
    pub size: u64,
    /// Its removal's outcome.
    pub result: Result<()>,
}

impl PruneReport {
    fn new(ctr: &Container, size: u64, result: Result<()>) -> PruneReport {
        PruneReport {
            id: ctr.id().to_string(),
            size,
            result,
        }
    }
}

/// A `container prune --filter` (Podman 4.3's prune filters): `label=KEY[=VALUE]`,
/// `label!=KEY[=VALUE]`, `until=TIME` (RFC 3339, Unix seconds, or a duration before now such
/// as `10m`). A container is pruned when every filter given matches it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PruneFilter {
    /// It has the label (with this value, if given).
    Label(String, Option<String>),
    /// It has not the label (with this value, if given).
    LabelNot(String, Option<String>),
    /// It was created before this time.
    Until(chrono::DateTime<chrono::Utc>),
}

impl PruneFilter {
    /// Parses one `KEY=VALUE` filter; another key is `InvalidOption` naming it.
    ///
    /// ```
    /// use libpod_core::container::PruneFilter;
    /// assert!(PruneFilter::parse("label=app=db").is_ok());
    /// assert!(PruneFilter::parse("until=10m").is_ok());
    /// assert!(PruneFilter::parse("status=exited").is_err());
    /// ```
    pub fn parse(filter: &str) -> Result<PruneFilter> {
        let invalid = |reason: String| CoreError::InvalidOption {
            option: "filter",
            reason,
        };
        let key_value = |text: &str| match text.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (text.to_string(), None),
        };
        let Some((key, value)) = filter.split_once('=') else {
            return Err(invalid(format!("{filter:?} is an invalid filter")));
        };
        Ok(match key {
            "label" => {
                let (k, v) = key_value(value);
                PruneFilter::Label(k, v)
            }
            "label!" => {
                let (k, v) = key_value(value);
                PruneFilter::LabelNot(k, v)
            }
            "until" => PruneFilter::Until(crate::volume::filter::parse_until(value)?),
            _ => return Err(invalid(format!("{key} is an invalid filter"))),
        })
    }

    /// Whether this filter matches `ctr`.
    pub fn matches(&self, ctr: &Container) -> bool {
        let config = ctr.config();
        let has = |k: &str, v: &Option<String>| {
            config
                .labels
                .get(k)
                .is_some_and(|found| v.as_ref().is_none_or(|v| v == found))
        };
        match self {
            PruneFilter::Label(k, v) => has(k, v),
            PruneFilter::LabelNot(k, v) => !has(k, v),
            PruneFilter::Until(until) => chrono::DateTime::parse_from_rfc3339(&config.created)
                .is_ok_and(|created| created.with_timezone(&chrono::Utc) < *until),
        }
    }

    /// Whether every filter in `filters` matches `ctr`.
    pub fn all_match(filters: &[PruneFilter], ctr: &Container) -> bool {
        filters.iter().all(|f| f.matches(ctr))
    }
}

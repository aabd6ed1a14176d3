//! The updater (Podman's `AutoUpdate`): each group's containers checked, new images pulled
//! once per image name, the group restarted, probed, and rolled back when it fails.

use crate::check::{self, Group, Task};
use crate::error::{AutoUpdateError, Result};
use crate::health::{Health, HealthProbe, StateProbe};
use crate::policy::Policy;
use crate::report::{Report, Updated};
use crate::restart::{DirectRestarter, Restarter, SystemdBus, SystemdRestarter};
use libpod_core::events::{Event, EventStatus, EventType};
use libpod_core::runtime::Runtime;
use libpod_storage::registry::{AuthFiles, PullOptions, PullPolicy};
use std::collections::HashSet;
use std::path::PathBuf;

/// How to update (Podman's `AutoUpdateOptions`).
#[derive(Clone, Default)]
pub struct Options {
    /// Report what would be updated (`pending`) and change nothing.
    pub dry_run: bool,
    /// Put a container that fails after its update back on its previous image.
    pub rollback: bool,
    /// The auth file for containers without an auth file label.
    pub auth_file: Option<PathBuf>,
    /// The base of every check and pull: TLS, registries.conf, retries.
    pub pull: PullOptions,
    /// The bus to restart units on; `None`: containers in units are recreated in process
    /// too.
    pub systemd: Option<SystemdBus>,
}

impl Options {
    /// Podman's defaults: rollback on, units restarted through the system bus.
    pub fn new() -> Options {
        Options {
            rollback: true,
            systemd: Some(SystemdBus::System),
            ..Options::default()
        }
    }
}

/// Runs one auto-update pass with the default probe and restarters; see [`Updater`].
///
/// ```no_run
/// use libpod_autoupdate::{Options, auto_update};
/// let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let (reports, errors) = auto_update(&rt, Options::new());
/// for r in &reports {
///     println!("{} {} {}", r.container_name, r.image_name, r.updated);
/// }
/// for e in &errors {
///     eprintln!("{e}");
/// }
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn auto_update(rt: &Runtime, options: Options) -> (Vec<Report>, Vec<AutoUpdateError>) {
    Updater::new(rt, options).run()
}

/// One auto-update pass, with its probe and restarters replaceable.
pub struct Updater<'a> {
    rt: &'a Runtime,
    options: Options,
    probe: Box<dyn HealthProbe + 'a>,
    direct: Box<dyn Restarter + 'a>,
    units: Option<Box<dyn Restarter + 'a>>,
    /// Image names pulled in this pass (each is pulled once).
    pulled: HashSet<String>,
}

impl<'a> Updater<'a> {
    /// An updater with [`StateProbe`]'s defaults and the [`DirectRestarter`]; units are
    /// restarted through systemd on `options.systemd`, connected when first needed.
    pub fn new(rt: &'a Runtime, options: Options) -> Updater<'a> {
        Updater {
            rt,
            options,
            probe: Box::new(StateProbe::default()),
            direct: Box::new(DirectRestarter),
            units: None,
            pulled: HashSet::new(),
        }
    }

    /// Replaces the probe that decides whether an updated container is doing well.
    #[must_use]
    pub fn with_probe(mut self, probe: impl HealthProbe + 'a) -> Self {
        self.probe = Box::new(probe);
        self
    }

    /// Replaces the restarter of groups that run in a systemd unit.
    #[must_use]
    pub fn with_unit_restarter(mut self, restarter: impl Restarter + 'a) -> Self {
        self.units = Some(Box::new(restarter));
        self
    }

    /// Updates every running container with a policy; returns a report per container
    /// considered and the errors, one per container that failed (others go on).
    pub fn run(mut self) -> (Vec<Report>, Vec<AutoUpdateError>) {
        let (groups, mut errors) = check::assemble(self.rt, self.options.auth_file.as_ref());
        if groups.is_empty() {
            return (Vec::new(), errors);
        }
        self.rt
            .events()
            .emit(Event::new(EventType::System, EventStatus::AutoUpdate));
        let mut reports = Vec::new();
        for group in &groups {
            self.update_group(group, &mut reports, &mut errors);
        }
        (reports, errors)
    }

    fn update_group(
        &mut self,
        group: &Group,
        reports: &mut Vec<Report>,
        errors: &mut Vec<AutoUpdateError>,
    ) {
        let mut needing = Vec::new();
        for task in &group.tasks {
            match self.needs_update(task) {
                Ok(false) => reports.push(report(task, Updated::False)),
                Ok(true) if self.options.dry_run => reports.push(report(task, Updated::Pending)),
                Ok(true) => match self.fetch(task) {
                    Ok(()) => needing.push(task.clone()),
                    Err(e) => fail(task, e, reports, errors),
                },
                Err(e) => fail(task, e, reports, errors),
            }
        }
        if needing.is_empty() {
            return;
        }
        let updating = Group::new(group.unit.clone(), needing);
        let outcome = self
            .restart(&updating)
            .and_then(|()| self.probe_all(&updating));
        match outcome {
            Ok(()) => reports.extend(updating.tasks.iter().map(|t| report(t, Updated::True))),
            Err(err) if !self.options.rollback => {
                let (first, rest) = updating.tasks.split_first().expect("not empty");
                fail(first, err, reports, errors);
                reports.extend(rest.iter().map(|t| report(t, Updated::Failed)));
            }
            Err(err) => {
                tracing::warn!(%err, "update failed: rolling back");
                match self.roll_back(&updating) {
                    Ok(()) => reports.extend(
                        updating
                            .tasks
                            .iter()
                            .map(|t| report(t, Updated::RolledBack)),
                    ),
                    Err(again) => {
                        let (first, rest) = updating.tasks.split_first().expect("not empty");
                        errors.push(err);
                        fail(first, again, reports, errors);
                        reports.extend(rest.iter().map(|t| report(t, Updated::Failed)));
                    }
                }
            }
        }
    }

    fn needs_update(&self, task: &Task) -> Result<bool> {
        match task.policy {
            // Pulled in this pass: the image behind the name is the registry's.
            Policy::Registry if self.pulled.contains(task.store_name()) => {
                check::newer_local_image(self.rt, task)
            }
            Policy::Registry => check::newer_remote_image(self.rt, task, &self.pull_options(task)),
            _ => check::newer_local_image(self.rt, task),
        }
    }

    /// Pulls a registry task's image, once per name in a pass.
    fn fetch(&mut self, task: &Task) -> Result<()> {
        if task.policy != Policy::Registry || self.pulled.contains(task.store_name()) {
            return Ok(());
        }
        let options = PullOptions {
            policy: PullPolicy::Always,
            ..self.pull_options(task)
        };
        tracing::info!(container = %task.container_id, image = %task.raw_image, "pulling");
        self.rt
            .storage()
            .pull_image(task.store_name(), &options)
            .map_err(|source| AutoUpdateError::Pull {
                container: task.container_id.clone(),
                image: task.raw_image.clone(),
                source: Box::new(source),
            })?;
        self.pulled.insert(task.store_name().to_string());
        Ok(())
    }

    fn pull_options(&self, task: &Task) -> PullOptions {
        let mut options = self.options.pull.clone();
        if let Some(file) = &task.auth_file {
            options.registry.auth_files =
                Some(AuthFiles::from_env_with_auth_file(file.clone(), |name| {
                    std::env::var_os(name)
                }));
        }
        options
    }

    fn restart(&mut self, group: &Group) -> Result<()> {
        if group.unit.is_some()
            && let Some(bus) = &self.options.systemd
        {
            if self.units.is_none() {
                self.units = Some(Box::new(SystemdRestarter::connect(bus)?));
            }
            let units = self.units.as_ref().expect("connected above");
            return units.restart(self.rt, group);
        }
        self.direct.restart(self.rt, group)
    }

    /// Probes the group's containers side by side (their grace periods overlap: a pod's
    /// update takes one grace period, not one per container); the first failure is the
    /// group's.
    fn probe_all(&self, group: &Group) -> Result<()> {
        let (rt, probe) = (self.rt, self.probe.as_ref());
        let verdicts: Vec<Result<Health>> = std::thread::scope(|scope| {
            let probes: Vec<_> = group
                .tasks
                .iter()
                .map(|task| scope.spawn(move || probe.probe(&rt.container(&task.container_name)?)))
                .collect();
            probes
                .into_iter()
                .map(|p| {
                    p.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        for (task, verdict) in group.tasks.iter().zip(verdicts) {
            if let Health::Failed(reason) = verdict? {
                return Err(AutoUpdateError::Unhealthy {
                    container: task.container_id.clone(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// Gives each name back to the image the container ran, and restarts on it. The name is
    /// no longer counted as pulled: another container on it checks and pulls again (seed
    /// 002's "make sure to repull the image for the other container").
    fn roll_back(&mut self, group: &Group) -> Result<()> {
        for task in &group.tasks {
            self.rt
                .storage()
                .tag(&task.image_id, task.store_name())
                .map_err(|e| AutoUpdateError::Rollback {
                    container: task.container_id.clone(),
                    reason: e.to_string(),
                })?;
            self.pulled.remove(task.store_name());
        }
        self.restart(group).map_err(|e| AutoUpdateError::Rollback {
            container: group.tasks[0].container_id.clone(),
            reason: format!("restarting with old image: {e}"),
        })
    }
}

fn report(task: &Task, updated: Updated) -> Report {
    Report {
        container_id: task.container_id.clone(),
        container_name: task.container_name.clone(),
        image_name: task.raw_image.clone(),
        policy: task.policy.name().to_string(),
        systemd_unit: task.unit.clone().unwrap_or_default(),
        updated,
    }
}

fn fail(
    task: &Task,
    err: AutoUpdateError,
    reports: &mut Vec<Report>,
    errors: &mut Vec<AutoUpdateError>,
) {
    tracing::warn!(container = %task.container_id, %err, "auto-update failed");
    reports.push(report(task, Updated::Failed));
    errors.push(err);
}

//! Opening a runtime: configuration, state database, storage, OCI runtime, and the refresh
//! after a reboot.

use super::{EngineConfig, Runtime, RuntimeBuilder, RuntimeInner};
use crate::error::{CoreError, Result};
use crate::lock::LockManager;
use crate::oci::{ConmonRuntime, ConmonRuntimeConfig, OciRuntime};
use crate::overlap::overlap;
use crate::state::{SqliteState, StateStore};
use libpod_spec::SpecGenerator;
use libpod_storage::{Store, StoreOptions};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The marker in the run root that says this boot's state is current: it holds the boot ID.
/// A reboot wipes the run root (a tmpfs), and with it the marker; a run root that is not a
/// tmpfs keeps it, and then the boot ID in it tells.
const ALIVE: &str = "alive";

/// conmon's exits directory in the run root (`EXITS/ID` holds a container's exit code): the
/// OCI runtime writes there, the exit monitor watches it.
pub(crate) const EXITS_DIR: &str = "exits";

pub(super) fn open(builder: RuntimeBuilder) -> Result<Runtime> {
    let mut engine = match builder.engine {
        Some(e) => e,
        None => EngineConfig::load_default()?,
    };
    if let Some(ulimits) = builder.default_ulimits {
        engine.default_ulimits = ulimits;
    }
    let root = builder
        .root
        .unwrap_or_else(|| PathBuf::from("/var/lib/libpod-rs"));
    let run_root = builder
        .run_root
        .unwrap_or_else(|| PathBuf::from("/run/libpod-rs"));
    // Absolute: conmon, runc and overlay's options resolve these from other directories.
    let root = std::path::absolute(&root).map_err(|e| CoreError::io("resolve", &root, e))?;
    let run_root =
        std::path::absolute(&run_root).map_err(|e| CoreError::io("resolve", &run_root, e))?;
    super::modes::secure_roots(&root, &run_root)?;
    let mut spec_defaults = engine.spec_defaults();
    if let Some(dirs) = builder.hooks_dirs {
        spec_defaults.hooks_dirs = dirs;
        spec_defaults.hooks_dirs_explicit = true;
    }
    let mut storage_options = StoreOptions::new(root.join("storage"), run_root.join("storage"));
    storage_options.driver = builder
        .storage_driver
        .as_deref()
        .map(str::parse)
        .transpose()?;
    // Three independent openings, each a millisecond or less of reading and parsing (and, for
    // a new database, writing): side by side, as every command-line call pays them.
    let open_state = || -> Result<Box<dyn StateStore>> {
        match builder.state {
            Some(s) => Ok(s),
            None => Ok(Box::new(SqliteState::open(&root.join("db.sql"))?)),
        }
    };
    let open_rest = || {
        let (spec, storage) = overlap(
            "open-spec",
            || SpecGenerator::new(spec_defaults),
            || Store::open(storage_options),
        );
        Ok::<_, CoreError>((spec?, storage?))
    };
    let (state, rest) = overlap("open-state", open_state, open_rest);
    let (state, (spec, storage)) = (state?, rest?);
    // How a cleanup process opens this runtime again (conmon's exit command).
    let mut reopen = crate::monitor::CleanupArgs {
        root: root.clone(),
        run_root: run_root.clone(),
        storage_driver: builder.storage_driver.clone(),
        ..Default::default()
    };
    let oci_exec = builder.oci_exec;
    let mut added = builder.added_oci;
    // An added runtime named by `oci_runtime` is the one of new containers.
    let chosen = builder
        .oci_runtime
        .as_deref()
        .and_then(|name| added.iter().position(|oci| oci.name() == name))
        .map(|index| added.remove(index));
    let (oci, other_oci): (Arc<dyn OciRuntime>, _) = match (builder.oci, chosen) {
        (given, Some(chosen)) => {
            reopen.runtime = Some(PathBuf::from(chosen.name()));
            // The given runtime, else the configured conmon one (where it can be had), stays
            // for the containers made with it.
            match given {
                Some(given) => added.push(given),
                None => match conmon_runtime(
                    &engine,
                    &run_root,
                    engine.runtime.clone(),
                    builder.conmon_path,
                    builder.log_level,
                ) {
                    Ok((runtime, conmon_path)) => {
                        reopen.conmon = Some(conmon_path);
                        added.push(runtime);
                    }
                    Err(err) => {
                        tracing::debug!(%err, "no conmon runtime beside {}", chosen.name());
                    }
                },
            }
            (chosen, added)
        }
        (Some(given), None) => {
            // A runtime given by the embedder under a name: the exit command's process
            // selects it by that name too.
            reopen.runtime = builder.oci_runtime.map(PathBuf::from);
            (given, added)
        }
        (None, None) => {
            let name_or_path = builder
                .oci_runtime
                .unwrap_or_else(|| engine.runtime.clone());
            let (runtime, conmon_path) = conmon_runtime(
                &engine,
                &run_root,
                name_or_path,
                builder.conmon_path,
                builder.log_level,
            )?;
            reopen.runtime = Some(runtime.config().runtime_path.clone());
            reopen.conmon = Some(conmon_path);
            (runtime as Arc<dyn OciRuntime>, added)
        }
    };
    let network = network_parts(
        &engine,
        &root,
        &run_root,
        builder.network_config_dir,
        builder.network_backend,
    )?;
    let events = event_emitter(&engine, &run_root);
    storage.set_event_sink(Arc::new(events.clone()));
    let inner = RuntimeInner {
        events,
        locks: LockManager::new(&run_root.join("locks"))?,
        boot_id: boot_id(),
        root,
        run_root,
        engine,
        state,
        storage,
        oci,
        other_oci,
        oci_exec,
        spec,
        exits: crate::monitor::ExitHandling::new(
            builder.exit_command,
            &reopen,
            builder.exit_monitor.unwrap_or(true),
        ),
        health: crate::health::Scheduler::default(),
        network,
    };
    let runtime = Runtime {
        inner: Arc::new(inner),
    };
    refresh_after_reboot(&runtime)?;
    super::intents::resolve_interrupted(&runtime);
    crate::exec::repair_interrupted(&runtime);
    crate::network::repair::remove_orphan_namespaces(&runtime);
    crate::container::recreate::repair_interrupted(&runtime);
    crate::container::repair_interrupted_checkpoints(&runtime);
    crate::container::repair_interrupted_imports(&runtime);
    Ok(runtime)
}

/// The conmon runtime for `name_or_path` (a name containers.conf knows, or a path), with its
/// state root, exits and persist directories under `run_root`; and the conmon it uses.
fn conmon_runtime(
    engine: &EngineConfig,
    run_root: &Path,
    name_or_path: String,
    conmon_path: Option<PathBuf>,
    log_level: Option<String>,
) -> Result<(Arc<ConmonRuntime>, PathBuf)> {
    let (name, path) = if name_or_path.contains('/') {
        let path = PathBuf::from(&name_or_path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (name, path)
    } else {
        let path = engine.find_runtime(&name_or_path)?;
        (name_or_path, path)
    };
    let conmon = match conmon_path {
        Some(p) => p,
        None => cached_conmon(engine, run_root)?,
    };
    let runtime = ConmonRuntime::new(ConmonRuntimeConfig {
        runtime_root: run_root.join("runtime").join(&name),
        runtime_name: name,
        runtime_path: path,
        conmon_path: conmon.clone(),
        exit_dir: run_root.join(EXITS_DIR),
        persist_dir: run_root.join("persist"),
        log_level: log_level.unwrap_or_else(|| "error".to_string()),
    })?;
    Ok((Arc::new(runtime), conmon))
}

/// The network parts: configs in the given directory, containers.conf's, or `ROOT/networks`,
/// with containers.conf's default network and subnet; the backend given, or netavark.
fn network_parts(
    engine: &EngineConfig,
    root: &Path,
    run_root: &Path,
    config_dir: Option<PathBuf>,
    backend: Option<crate::network::SharedBackend>,
) -> Result<crate::network::Networking> {
    let dir = config_dir
        .or_else(|| engine.network_config_dir.clone())
        .unwrap_or_else(|| root.join("networks"));
    let mut config = libpod_net::config::StoreConfig::new(dir);
    if let Some(name) = &engine.default_network {
        config.default_network.name.clone_from(name);
    }
    if let Some(subnet) = &engine.default_subnet {
        let subnet =
            subnet
                .parse::<libpod_net::types::IpNet>()
                .map_err(|err| CoreError::Config {
                    path: PathBuf::from("containers.conf"),
                    reason: format!("default_subnet: {}", libpod_net::NetError::from(err)),
                })?;
        config.default_network.subnet = Some(subnet);
    }
    Ok(crate::network::Networking::new(
        config,
        backend.map(|b| b.0),
        run_root,
        engine.firewall_driver.clone(),
    ))
}

/// The conmon to use: found (and its version checked, which runs it) once per boot and
/// binary, then remembered in the run root, because every CLI call opens a runtime.
fn cached_conmon(engine: &EngineConfig, run_root: &Path) -> Result<PathBuf> {
    let cache = run_root.join("conmon-path");
    let stamp = |path: &Path| {
        fs::metadata(path)
            .ok()
            .and_then(|m| m.modified().ok())
            .map(|t| format!("{t:?}"))
    };
    if let Ok(text) = fs::read_to_string(&cache)
        && let Some((path, recorded)) = text.split_once('\n')
        && stamp(Path::new(path)).as_deref() == Some(recorded)
    {
        return Ok(PathBuf::from(path));
    }
    let conmon = engine.find_conmon()?;
    if let Some(stamp) = stamp(&conmon) {
        let _ = super::modes::write_private(
            &cache,
            format!("{}\n{stamp}", conmon.display()).as_bytes(),
        );
    }
    Ok(conmon)
}

/// The event file as containers.conf sets it (`events_logger`, `events_logfile_path`,
/// `events_logfile_max_size`), by default `RUNROOT/events/events.log` (Podman's is under its
/// tmp dir, which is its run root's sibling).
fn event_emitter(engine: &EngineConfig, run_root: &Path) -> crate::events::EventEmitter {
    use crate::events::{EventEmitter, EventLog};
    if engine.events_logger == "none" {
        return EventEmitter::disabled();
    }
    let path = engine
        .events_logfile_path
        .clone()
        .unwrap_or_else(|| run_root.join("events").join("events.log"));
    EventEmitter::to_file(EventLog::new(path, engine.events_logfile_max_size))
}

/// This boot's ID, as the kernel gives it.
fn boot_id() -> String {
    fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// After a reboot nothing runs and nothing is mounted: containers that were running, paused,
/// stopping or stopped are exited, created ones are configured again (Podman's refresh).
/// Volatile containers (removed when they exit) are removed: their storage did not outlive
/// the boot, and neither need their last database writes (see
/// [`VOLATILE_SYNCHRONOUS`](crate::state::VOLATILE_SYNCHRONOUS)). Runs once per boot, under
/// a lock so that concurrent opens do it once.
fn refresh_after_reboot(runtime: &Runtime) -> Result<()> {
    let run_root = runtime.run_root();
    let marker = run_root.join(ALIVE);
    let boot_id = runtime.boot_id();
    let current = || match fs::read_to_string(&marker) {
        Ok(stamped) if stamped == *boot_id => true,
        // An empty marker, as earlier versions wrote it: taken as this boot's (a live system
        // must not see its running containers refreshed), and stamped from now on.
        Ok(stamped) if stamped.is_empty() => {
            let _ = write_marker(&marker, boot_id);
            true
        }
        _ => false,
    };
    if current() {
        return Ok(());
    }
    let lock_path = run_root.join("alive.lock");
    let _lock = super::modes::lock_file(&lock_path)?;
    if current() {
        return Ok(());
    }
    clear_runtime_state(run_root);
    // This boot's start on boot is still to be done.
    let _ = fs::remove_file(run_root.join(crate::monitor::BOOTED));
    let state = &runtime.state();
    let mut volatile = Vec::new();
    for id in state.all_containers()? {
        // A config that does not decode is no reason to refuse the open: that container
        // is refreshed like any other, and its own calls report the damage.
        match state.container_config(&id) {
            Ok(config) if config.volatile => volatile.push(id.clone()),
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(container = %id, %err, "config does not decode: kept as it is after the reboot");
            }
        }
        runtime.refresh_container(&id)?;
    }
    for id in volatile {
        remove_after_reboot(runtime, &id);
    }
    write_marker(&marker, boot_id)
}

/// Empties the OCI runtimes' state directories (`RUNROOT/runtime/NAME/ID`) after a reboot:
/// nothing they describe still runs, and a run root that is not a tmpfs keeps them, so that
/// every create of those IDs would be refused as "already exists". Failures are logged: the
/// open goes on, and the create that meets one reports it.
fn clear_runtime_state(run_root: &Path) {
    let Ok(runtimes) = fs::read_dir(run_root.join("runtime")) else {
        return;
    };
    for entry in runtimes
        .flatten()
        .flat_map(|rt| fs::read_dir(rt.path()))
        .flatten()
    {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let removed = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
        match removed {
            Ok(()) => {
                tracing::info!(path = %path.display(), "stale runtime state removed after a reboot")
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "stale runtime state left after a reboot")
            }
        }
    }
}

/// Removes volatile container `id` after a reboot. One that others depend on stays, exited,
/// for them; one that fails to go stays too (logged): the open goes on.
fn remove_after_reboot(runtime: &Runtime, id: &str) {
    let removed = runtime
        .container(id)
        .and_then(|ctr| runtime.remove_container(&ctr, crate::container::RemoveOptions::default()));
    match removed {
        Ok(()) => tracing::info!(container = %id, "volatile container removed after a reboot"),
        Err(CoreError::ContainerNotFound(_)) => {}
        Err(err) => tracing::warn!(container = %id, %err, "volatile container kept after a reboot"),
    }
}

fn write_marker(marker: &Path, boot_id: &str) -> Result<()> {
    super::modes::write_private(marker, boot_id.as_bytes())
}

#[cfg(test)]
#[path = "open_tests.rs"]
mod tests;

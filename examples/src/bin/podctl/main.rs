//! podctl: a small Podman-compatible command line built on the libpod-rs crates.
//!
//! It exists to show how the library is used and to drive it from tests; its flags are named
//! as Podman's. Images: `import`, `pull [docker://]REF`, `pull oci:DIR[:TAG]`,
//! `pull oci-archive:FILE[:TAG]`, `push`,
//! `images`, `image inspect|exists`, `tag`, `untag`, `rmi`, `save`, `load`,
//! `image mount|unmount|prune`.
//! Containers: `create`, `init`, `start [-a]`, `run [--rm] [-d] ...`, `ps [-a]`, `inspect`,
//! `logs`, `stop`, `kill`, `wait`, `pause`, `unpause`, `restart`, `rm [-f]`, `mount`, `export`,
//! `container exists|prune|checkpoint|restore` (CRIU through runc).
//! System: `info`, `version`, `system boot|prune`. Exits: every container gets podctl itself as
//! conmon's exit command (`podctl --root R --runroot R ... container cleanup ID`), so its
//! restart policy acts with no podctl running.
//!
//! ```text
//! podctl --root /var/lib/libpod-rs import --change 'CMD ["/bin/sh"]' rootfs.tar busybox
//! podctl images
//! podctl save --format oci-archive -o busybox.tar busybox
//! ```

mod auto_update;
mod confirm;
mod containers;
mod errors;
mod events;
mod format;
mod format_print;
mod healthcheck;
mod human;
mod images;
mod networks;
mod oci_libcontainer;
mod pods;
mod registry;
mod system;
mod volumes;

use clap::{CommandFactory, Parser, Subcommand};
use libpod_core::runtime::Runtime;
use std::path::PathBuf;
use std::process::ExitCode;

/// podctl: containers and images with libpod-rs.
#[derive(Parser)]
#[command(
    name = "podctl",
    version,
    about = "A small Podman-compatible command line built on the libpod-rs crates"
)]
struct Cli {
    /// Persistent storage root.
    #[arg(long, global = true, default_value = "/var/lib/libpod-rs")]
    root: PathBuf,
    /// Volatile state root.
    #[arg(long, global = true, default_value = "/run/libpod-rs")]
    runroot: PathBuf,
    /// Storage driver: overlay or vfs (default: overlay when it works here).
    #[arg(long = "storage-driver", global = true)]
    storage_driver: Option<String>,
    /// The OCI runtime of new containers: a name containers.conf knows (runc, crun), a path,
    /// or libcontainer (each container keeps the one it was created with).
    #[arg(long, global = true)]
    runtime: Option<String>,
    /// The conmon binary.
    #[arg(long, global = true)]
    conmon: Option<PathBuf>,
    /// What to log on stderr: debug, info, warn or error (Podman's `--log-level`; conmon
    /// gets the same level). Each line carries the seconds since podctl started.
    #[arg(long = "log-level", global = true, default_value = "error")]
    log_level: LogLevel,
    #[command(subcommand)]
    command: Command,
}

// Every verb's arguments are built only when it runs (clap's `defer`): building all of them
// took most of a call's own time (~3.5 ms). A flattened `Args` struct's doc comment would
// then replace its verb's description, so those structs carry `//` comments.
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    /// Import a root filesystem tarball as an image.
    Import(images::ImportArgs),
    /// Pull an image from a registry (docker://REF or REF), an OCI layout (oci:DIR[:TAG]) or
    /// archive (oci-archive:FILE[:TAG]).
    Pull(images::PullArgs),
    /// Push an image to a registry.
    Push(registry::PushArgs),
    /// List images.
    Images(images::ImagesArgs),
    /// Add a name to an image.
    Tag(images::TagArgs),
    /// Remove names from an image.
    Untag(images::UntagArgs),
    /// Remove images.
    Rmi(images::RmiArgs),
    /// Save an image to an OCI archive or layout.
    Save(images::SaveArgs),
    /// Load images from a docker or OCI archive.
    Load(images::LoadArgs),
    /// Image subcommands.
    #[command(subcommand)]
    Image(ImageCommand),
    /// Container subcommands (`container ls`, `container rm`, ...).
    #[command(subcommand)]
    Container(ContainerCommand),
    /// Create a container.
    Create(containers::CreateArgs),
    /// Create and start a container, and show its output.
    Run(containers::RunArgs),
    /// Initialise containers (create them in the OCI runtime).
    Init(containers::InitArgs),
    /// Start containers.
    Start(containers::StartArgs),
    /// List containers.
    #[command(visible_aliases = ["ls", "list"])]
    Ps(containers::PsArgs),
    /// Show containers' details as JSON.
    Inspect(containers::InspectArgs),
    /// Show a container's output.
    Logs(containers::LogsArgs),
    /// Stop containers.
    Stop(containers::StopArgs),
    /// Send a signal to containers.
    Kill(containers::KillArgs),
    /// Wait for containers to exit and print their exit codes.
    Wait(containers::WaitArgs),
    /// Run a process in a running container.
    Exec(containers::ExecArgs),
    /// Freeze containers.
    Pause(containers::PauseArgs),
    /// Thaw containers.
    Unpause(containers::PauseArgs),
    /// Restart containers.
    Restart(containers::RestartArgs),
    /// Remove containers.
    Rm(containers::RmArgs),
    /// Mount containers' root filesystems and print where.
    Mount(containers::IdsArgs),
    /// Write a container's root filesystem as a tar stream.
    Export(containers::ExportArgs),
    /// Copy files/folders between a container and the local filesystem.
    Cp(containers::CpArgs),
    /// Rename an existing container.
    Rename(containers::RenameArgs),
    /// Run containers' health checks.
    #[command(subcommand)]
    Healthcheck(healthcheck::HealthcheckCommand),
    /// Display system information.
    Info(system::InfoArgs),
    /// Attach to a running container's input and output.
    Attach(containers::AttachArgs),
    /// Change a container's resource limits.
    Update(containers::UpdateArgs),
    /// Volume subcommands (create, ls, inspect, rm, prune, exists, export, import).
    #[command(subcommand)]
    Volume(volumes::VolumeCommand),
    /// Pod subcommands (create, start, stop, kill, restart, pause, unpause, rm, ps, inspect,
    /// stats, top, exists, prune).
    #[command(subcommand)]
    Pod(pods::PodCommand),
    /// Network subcommands (create, ls, inspect, rm, prune, connect, disconnect, exists).
    #[command(subcommand)]
    Network(networks::NetworkCommand),
    /// List port mappings of a container (or of all with `-a`).
    Port(networks::PortArgs),
    /// Display the version information.
    Version(system::VersionArgs),
    /// Show podman events.
    Events(events::EventsArgs),
    /// Auto update containers according to their auto-update policy.
    AutoUpdate(auto_update::AutoUpdateArgs),
    /// Display a live stream of container resource usage statistics.
    Stats(containers::StatsArgs),
    /// Display the running processes of a container.
    Top(containers::TopArgs),
    /// System subcommands.
    #[command(subcommand)]
    System(SystemCommand),
    /// `container cleanup` (only under `container`, as in Podman).
    #[command(hide = true)]
    Cleanup(containers::CleanupArgs),
    /// `container exists` (only under `container`, as in Podman).
    #[command(hide = true)]
    ContainerExists(containers::ExistsArgs),
    /// `container prune` (only under `container`, as in Podman).
    #[command(hide = true)]
    ContainerPrune(containers::PruneArgs),
    /// The monitor of a `--runtime libcontainer` container (see `oci_libcontainer.rs`).
    #[command(name = oci_libcontainer::MONITOR_VERB, hide = true)]
    LibcontainerMonitor {
        /// The exec session the monitor serves (the runtime names it, so that the session's
        /// monitor is recognised by its command line).
        #[arg(long = "exec-session")]
        exec_session: Option<String>,
        /// The container the monitor serves (named for the same reason).
        #[arg(long = "container")]
        container: Option<String>,
    },
}

/// `podctl system VERB`.
#[derive(Subcommand)]
#[command(defer = true)]
enum SystemCommand {
    /// Start the containers that run whenever the host does (restart policy `always`, and
    /// `unless-stopped` not stopped by the user), once per boot.
    Boot(system::BootArgs),
    /// Remove unused pods, containers, images and networks (and volumes with --volumes).
    Prune(system::PruneArgs),
}

/// `podctl container VERB`: the container verbs under Podman's `container` command.
#[derive(Subcommand)]
#[command(defer = true)]
enum ContainerCommand {
    /// Create a container.
    Create(containers::CreateArgs),
    /// Create and start a container.
    Run(containers::RunArgs),
    /// Initialise containers.
    Init(containers::InitArgs),
    /// Start containers.
    Start(containers::StartArgs),
    /// List containers.
    #[command(visible_aliases = ["ls", "list"])]
    Ps(containers::PsArgs),
    /// Show containers' details.
    Inspect(containers::InspectArgs),
    /// Show a container's output.
    Logs(containers::LogsArgs),
    /// Stop containers.
    Stop(containers::StopArgs),
    /// Send a signal to containers.
    Kill(containers::KillArgs),
    /// Wait for containers.
    Wait(containers::WaitArgs),
    /// Run a process in a running container.
    Exec(containers::ExecArgs),
    /// Freeze containers.
    Pause(containers::PauseArgs),
    /// Thaw containers.
    Unpause(containers::PauseArgs),
    /// Restart containers.
    Restart(containers::RestartArgs),
    /// Remove containers.
    Rm(containers::RmArgs),
    /// Mount containers' root filesystems.
    Mount(containers::IdsArgs),
    /// Write a container's root filesystem as a tar stream.
    Export(containers::ExportArgs),
    /// Copy files/folders between a container and the local filesystem.
    Cp(containers::CpArgs),
    /// Rename an existing container.
    Rename(containers::RenameArgs),
    /// Attach to a running container.
    Attach(containers::AttachArgs),
    /// Change a container's resource limits.
    Update(containers::UpdateArgs),
    /// Checkpoint one or more running containers with CRIU (only under `container`, as in
    /// Podman).
    Checkpoint(containers::CheckpointArgs),
    /// Restore one or more containers from a checkpoint (only under `container`).
    Restore(containers::RestoreArgs),
    /// Clean up exited containers (what conmon's exit command runs), restarting them by
    /// their policy.
    Cleanup(containers::CleanupArgs),
    /// Check if a container exists in local storage.
    Exists(containers::ExistsArgs),
    /// Remove all non running containers.
    Prune(containers::PruneArgs),
}

impl From<ContainerCommand> for Command {
    fn from(c: ContainerCommand) -> Command {
        match c {
            ContainerCommand::Create(a) => Command::Create(a),
            ContainerCommand::Run(a) => Command::Run(a),
            ContainerCommand::Init(a) => Command::Init(a),
            ContainerCommand::Start(a) => Command::Start(a),
            ContainerCommand::Ps(a) => Command::Ps(a),
            ContainerCommand::Inspect(a) => Command::Inspect(a),
            ContainerCommand::Logs(a) => Command::Logs(a),
            ContainerCommand::Stop(a) => Command::Stop(a),
            ContainerCommand::Kill(a) => Command::Kill(a),
            ContainerCommand::Wait(a) => Command::Wait(a),
            ContainerCommand::Exec(a) => Command::Exec(a),
            ContainerCommand::Pause(a) => Command::Pause(a),
            ContainerCommand::Unpause(a) => Command::Unpause(a),
            ContainerCommand::Restart(a) => Command::Restart(a),
            ContainerCommand::Rm(a) => Command::Rm(a),
            ContainerCommand::Mount(a) => Command::Mount(a),
            ContainerCommand::Export(a) => Command::Export(a),
            ContainerCommand::Cp(a) => Command::Cp(a),
            ContainerCommand::Rename(a) => Command::Rename(a),
            ContainerCommand::Attach(a) => Command::Attach(a),
            ContainerCommand::Update(a) => Command::Update(a),
            // Verbs only `container` has stay under it.
            c @ (ContainerCommand::Checkpoint(_) | ContainerCommand::Restore(_)) => {
                Command::Container(c)
            }
            ContainerCommand::Cleanup(a) => Command::Cleanup(a),
            ContainerCommand::Exists(a) => Command::ContainerExists(a),
            ContainerCommand::Prune(a) => Command::ContainerPrune(a),
        }
    }
}

#[derive(Subcommand)]
#[command(defer = true)]
enum ImageCommand {
    /// List images.
    #[command(visible_aliases = ["ls", "list"])]
    Images(images::ImagesArgs),
    /// Remove images.
    Rm(images::RmiArgs),
    /// Pull an image.
    Pull(images::PullArgs),
    /// Push an image.
    Push(registry::PushArgs),
    /// Add a name to an image.
    Tag(images::TagArgs),
    /// Remove names from an image.
    Untag(images::UntagArgs),
    /// Save an image.
    Save(images::SaveArgs),
    /// Load images from a docker or OCI archive.
    Load(images::LoadArgs),
    /// Import a root filesystem tarball.
    Import(images::ImportArgs),
    /// Show an image's details as JSON.
    Inspect(images::InspectArgs),
    /// Mount an image read-only and print where.
    Mount(images::MountArgs),
    /// Unmount an image.
    Unmount(images::UnmountArgs),
    /// Remove dangling images (all unused ones with -a) and unused layers.
    Prune(images::PruneArgs),
    /// Check if an image exists in local storage.
    Exists(images::ExistsArgs),
}

/// Podman's log levels.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    fn filter(self) -> tracing_subscriber::filter::LevelFilter {
        use tracing_subscriber::filter::LevelFilter;
        match self {
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Error => LevelFilter::ERROR,
        }
    }

    /// conmon's name for the level.
    fn conmon(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warning",
            LogLevel::Error => "error",
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return ExitCode::from(errors::usage(&err, subcommand_path().as_deref())),
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(cli.log_level.filter())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
    // Before anything starts a thread: libcontainer clones the monitor.
    if let Command::LibcontainerMonitor { .. } = cli.command {
        return libpod_libcontainer::monitor::main();
    }
    match run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(errors::OWN_ERROR)),
        Err(e) => {
            let (message, code) = errors::report(e.as_ref());
            eprintln!("Error: {message}");
            ExitCode::from(code)
        }
    }
}

/// The subcommands named on the command line (`image rm`), for a usage error's hint.
fn subcommand_path() -> Option<String> {
    let mut command = Cli::command();
    let mut path = Vec::new();
    for arg in std::env::args().skip(1) {
        let Some(sub) = command
            .get_subcommands()
            .find(|c| c.get_name() == arg || c.get_all_aliases().any(|a| a == arg))
            .cloned()
        else {
            continue;
        };
        path.push(sub.get_name().to_string());
        command = sub;
    }
    (!path.is_empty()).then(|| path.join(" "))
}

fn run(cli: Cli) -> Result<i32, Box<dyn std::error::Error>> {
    // `version` needs no store.
    if let Command::Version(args) = cli.command {
        system::version(args)?;
        return Ok(0);
    }
    let mut builder = Runtime::builder()
        .root(&cli.root)
        .run_root(&cli.runroot)
        .log_level(cli.log_level.conmon());
    if let Some(driver) = &cli.storage_driver {
        builder = builder.storage_driver(driver.clone());
    }
    let exe = std::env::current_exe()?;
    builder = oci_libcontainer::add_runtime(builder, &cli.runroot, &exe)?;
    if let Some(runtime) = &cli.runtime {
        builder = builder.oci_runtime(runtime.clone());
    }
    if let Some(conmon) = &cli.conmon {
        builder = builder.conmon_path(conmon);
    }
    // Every container's exit command is podctl itself, as Podman's is podman; a CLI call is
    // too short-lived for an exit monitor of its own.
    builder = builder
        .exit_command(
            libpod_core::monitor::ExitCommand::new(exe).args_after_flags(["container", "cleanup"]),
        )
        .exit_monitor(false);
    let rt = builder.open()?;
    let store = rt.storage();
    let command = match cli.command {
        Command::Container(c) => c.into(),
        Command::Image(ImageCommand::Images(a)) => Command::Images(a),
        Command::Image(ImageCommand::Rm(a)) => Command::Rmi(a),
        Command::Image(ImageCommand::Pull(a)) => Command::Pull(a),
        Command::Image(ImageCommand::Push(a)) => Command::Push(a),
        Command::Image(ImageCommand::Tag(a)) => Command::Tag(a),
        Command::Image(ImageCommand::Untag(a)) => Command::Untag(a),
        Command::Image(ImageCommand::Save(a)) => Command::Save(a),
        Command::Image(ImageCommand::Load(a)) => Command::Load(a),
        Command::Image(ImageCommand::Import(a)) => Command::Import(a),
        other => other,
    };
    match command {
        Command::Import(args) => images::import(store, args)?,
        Command::Pull(args) => images::pull(store, args)?,
        Command::Push(args) => registry::push(store, args)?,
        Command::Images(args) => images::list(&rt, args)?,
        Command::Tag(args) => images::tag(store, args)?,
        Command::Untag(args) => images::untag(store, args)?,
        Command::Rmi(args) => images::rmi(store, args)?,
        Command::Save(args) => images::save(store, args)?,
        Command::Load(args) => images::load(store, args)?,
        Command::Image(ImageCommand::Inspect(args)) => images::inspect(store, args)?,
        Command::Image(ImageCommand::Mount(args)) => images::mount(store, args)?,
        Command::Image(ImageCommand::Unmount(args)) => images::unmount(store, args)?,
        Command::Image(ImageCommand::Prune(args)) => images::prune(store, args)?,
        Command::Image(ImageCommand::Exists(args)) => return images::exists(store, args),
        Command::Create(args) => containers::create(&rt, args)?,
        Command::Run(args) => return containers::run(&rt, args),
        Command::Init(args) => containers::init(&rt, args)?,
        Command::Start(args) => return containers::start(&rt, args),
        Command::Ps(args) => containers::ps(&rt, args)?,
        Command::Inspect(args) => containers::inspect(&rt, args)?,
        Command::Logs(args) => containers::logs(&rt, args)?,
        Command::Stop(args) => containers::stop(&rt, args)?,
        Command::Kill(args) => containers::kill(&rt, args)?,
        Command::Wait(args) => containers::wait(&rt, args)?,
        Command::Exec(args) => return containers::exec(&rt, args),
        Command::Pause(args) => containers::pause(&rt, args)?,
        Command::Unpause(args) => containers::unpause(&rt, args)?,
        Command::Restart(args) => containers::restart(&rt, args)?,
        Command::Rm(args) => containers::rm(&rt, args)?,
        Command::Mount(args) => containers::mount(&rt, args)?,
        Command::Export(args) => containers::export(&rt, args)?,
        Command::Cp(args) => containers::cp(&rt, args)?,
        Command::Rename(args) => containers::rename(&rt, args)?,
        Command::Healthcheck(command) => return healthcheck::healthcheck(&rt, command),
        Command::Info(args) => system::info(&rt, args)?,
        Command::Attach(args) => containers::attach(&rt, args)?,
        Command::Update(args) => containers::update(&rt, args)?,
        Command::Container(ContainerCommand::Checkpoint(args)) => {
            containers::checkpoint(&rt, args)?;
        }
        Command::Container(ContainerCommand::Restore(args)) => containers::restore(&rt, args)?,
        Command::Events(args) => events::events(&rt, args)?,
        Command::AutoUpdate(args) => auto_update::auto_update_verb(&rt, args)?,
        Command::Stats(args) => containers::stats(&rt, args)?,
        Command::Top(args) => containers::top(&rt, args)?,
        Command::Volume(command) => return volumes::run(&rt, command),
        Command::Pod(command) => return pods::run(&rt, command),
        Command::Network(command) => return networks::run(&rt, command),
        Command::Port(args) => networks::port(&rt, args)?,
        Command::System(SystemCommand::Boot(args)) => system::boot(&rt, args)?,
        Command::System(SystemCommand::Prune(args)) => system::prune(&rt, args)?,
        Command::ContainerExists(args) => return containers::exists(&rt, args),
        Command::ContainerPrune(args) => containers::prune(&rt, args)?,
        Command::Cleanup(args) => containers::cleanup(&rt, args)?,
        Command::LibcontainerMonitor { .. } => {
            unreachable!("served in main before a runtime opens")
        }
        Command::Container(_)
        | Command::Version(_)
        | Command::Image(
            ImageCommand::Images(_)
            | ImageCommand::Rm(_)
            | ImageCommand::Pull(_)
            | ImageCommand::Push(_)
            | ImageCommand::Tag(_)
            | ImageCommand::Untag(_)
            | ImageCommand::Save(_)
            | ImageCommand::Load(_)
            | ImageCommand::Import(_),
        ) => unreachable!("mapped to their top-level verbs above"),
    }
    Ok(0)
}

#[cfg(test)]
#[path = "main_tests.rs"]
mod tests;

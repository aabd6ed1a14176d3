//! podctl's container commands.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{
    Container, ContainerState, ContainerStatus, RemoveOptions, options_from_create_config,
};
use libpod_core::logs::{LogOptions, Stream, parse_time};
use libpod_core::runtime::{BrokenContainer, ContainerEntry, Runtime};
use libpod_spec::parse::{parse_signal, parse_size};
use libpod_spec::{CreateConfig, NetworkMode};
use std::error::Error;
use std::io::Write;

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

/// The flags `create` and `run` share, named as Podman's.
#[derive(Args, Debug, Default)]
pub struct CreateFlags {
    /// Container name.
    #[arg(long)]
    name: Option<String>,
    /// Environment variables (KEY=VALUE).
    #[arg(short, long)]
    env: Vec<String>,
    /// User (name, uid, name:group, uid:gid).
    #[arg(short, long)]
    user: Option<String>,
    /// Working directory.
    #[arg(short, long)]
    workdir: Option<String>,
    /// Entrypoint ('' clears the image's).
    #[arg(long)]
    entrypoint: Option<String>,
    /// Restart policy: no, always, on-failure[:N], unless-stopped.
    #[arg(long)]
    restart: Option<String>,
    /// Labels (KEY=VALUE).
    #[arg(short, long)]
    label: Vec<String>,
    /// Capabilities to add.
    #[arg(long = "cap-add")]
    cap_add: Vec<String>,
    /// Capabilities to drop.
    #[arg(long = "cap-drop")]
    cap_drop: Vec<String>,
    /// Memory limit (e.g. 64m).
    #[arg(short, long)]
    memory: Option<String>,
    /// Processes limit.
    #[arg(long = "pids-limit")]
    pids_limit: Option<i64>,
    /// Read-only root filesystem.
    #[arg(long = "read-only")]
    read_only: bool,
    /// Privileged container.
    #[arg(long)]
    privileged: bool,
    /// Network: none, host, private, container:ID, ns:PATH.
    #[arg(long, default_value = "none")]
    network: String,
    /// Hostname.
    #[arg(long)]
    hostname: Option<String>,
    /// Volumes (SRC:DEST[:OPTS]).
    #[arg(short, long)]
    volume: Vec<String>,
    /// Tmpfs mounts (DEST[:OPTS]).
    #[arg(long)]
    tmpfs: Vec<String>,
    /// Ulimits (TYPE=SOFT[:HARD]).
    #[arg(long)]
    ulimit: Vec<String>,
    /// Stop signal.
    #[arg(long = "stop-signal")]
    stop_signal: Option<String>,
    /// Seconds before SIGKILL on stop.
    #[arg(long = "stop-timeout")]
    stop_timeout: Option<u32>,
    /// Security options.
    #[arg(long = "security-opt")]
    security_opt: Vec<String>,
    /// Keep stdin open.
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a terminal.
    #[arg(short, long)]
    tty: bool,
    /// Run an init process.
    #[arg(long)]
    init: bool,
    /// The cgroup parent.
    #[arg(long = "cgroup-parent")]
    cgroup_parent: Option<String>,
    /// The image.
    image: String,
    /// The command and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

impl CreateFlags {
    fn to_create_config(&self, rm: bool) -> Result<CreateConfig> {
        let mut c = CreateConfig::default();
        c.name = self.name.clone();
        c.image = Some(self.image.clone());
        if !self.command.is_empty() {
            c.command = Some(self.command.clone());
        }
        if let Some(e) = &self.entrypoint {
            c.entrypoint = Some(if e.is_empty() {
                vec![String::new()]
            } else {
                vec![e.clone()]
            });
        }
        for e in &self.env {
            let (k, v) = e
                .split_once('=')
                .ok_or_else(|| format!("invalid env {e:?}: expected KEY=VALUE"))?;
            c.env.insert(k.to_string(), v.to_string());
        }
        for l in &self.label {
            let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
            c.labels.insert(k.to_string(), v.to_string());
        }
        c.user.user = self.user.clone();
        c.workdir = self.workdir.clone();
        c.restart_policy = self.restart.clone();
        c.rm = rm;
        c.security.cap_add = self.cap_add.clone();
        c.security.cap_drop = self.cap_drop.clone();
        c.security.read_only_rootfs = self.read_only;
        c.security.privileged = self.privileged;
        c.security.security_opts = self.security_opt.clone();
        c.resources.memory = self
            .memory
            .as_deref()
            .map(|m| parse_size("memory", m))
            .transpose()?
            .map(|m| m as i64);
        c.resources.pids_limit = self.pids_limit;
        c.resources.ulimit = self.ulimit.clone();
        c.network.mode = self.network.parse::<NetworkMode>()?;
        c.uts.hostname = self.hostname.clone();
        c.volumes = self.volume.clone();
        c.tmpfs = self.tmpfs.clone();
        c.stop_signal = self.stop_signal.clone();
        c.stop_timeout = self.stop_timeout;
        c.interactive = self.interactive;
        c.tty = self.tty;
        c.init = self.init;
        c.cgroup_parent = self.cgroup_parent.clone();
        Ok(c)
    }
}

fn create_container(rt: &Runtime, flags: &CreateFlags, rm: bool) -> Result<Container> {
    let config = flags.to_create_config(rm)?;
    Ok(rt.new_container(options_from_create_config(&config)?)?)
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    flags: CreateFlags,
}

pub fn create(rt: &Runtime, args: CreateArgs) -> Result {
    println!("{}", create_container(rt, &args.flags, false)?.id());
    Ok(())
}

#[derive(Args)]
pub struct RunArgs {
    /// Remove the container when it exits.
    #[arg(long)]
    rm: bool,
    /// Run in the background and print the container's ID.
    #[arg(short, long)]
    detach: bool,
    #[command(flatten)]
    flags: CreateFlags,
}

/// `run`: create, start, and (unless detached) print the output and exit with the container's
/// exit code.
pub fn run(rt: &Runtime, args: RunArgs) -> Result<i32> {
    let ctr = create_container(rt, &args.flags, args.rm)?;
    ctr.start()?;
    if args.detach {
        println!("{}", ctr.id());
        return Ok(0);
    }
    let code = attach_output(&ctr)?;
    if args.rm {
        // An auto-remove container is removed as its exit is handled; this is for one that
        // outlived it (a dependent appeared, the exit was handled elsewhere and failed).
        match rt.remove_container(&ctr, RemoveOptions::default().force(true)) {
            Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(code)
}

/// Follows the container's log to our stdout/stderr until it exits; returns its exit code.
fn attach_output(ctr: &Container) -> Result<i32> {
    let mut options = LogOptions::default();
    options.follow = true;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ctr.logs(&options, &mut |line| {
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{}", line.message),
        };
        true
    })?;
    Ok(ctr.wait()?)
}

#[derive(Args)]
pub struct IdsArgs {
    /// Containers (name or ID).
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn init(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.init()?;
        println!("{name}");
    }
    Ok(())
}

#[derive(Args)]
pub struct StartArgs {
    /// Attach to the output and exit with the container's code.
    #[arg(short, long)]
    attach: bool,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn start(rt: &Runtime, args: StartArgs) -> Result<i32> {
    let mut code = 0;
    for name in &args.containers {
        let ctr = rt.container(name)?;
        ctr.start()?;
        if args.attach {
            code = attach_output(&ctr)?;
        } else {
            println!("{name}");
        }
    }
    Ok(code)
}

#[derive(Args)]
pub struct PsArgs {
    /// Show all containers, not only running ones.
    #[arg(short, long)]
    all: bool,
    /// Output format: json, or a table.
    #[arg(long)]
    format: Option<String>,
    /// Show only IDs.
    #[arg(short, long)]
    quiet: bool,
}

/// One row of `ps`: a container and its state, or one whose records do not decode (shown as
/// Podman shows an unknown state).
enum PsRow {
    Sound(Container, ContainerState),
    /// ID, name, what does not decode.
    Broken(String, String, String),
}

pub fn ps(rt: &Runtime, args: PsArgs) -> Result {
    let mut rows = Vec::new();
    for entry in rt.list_containers()? {
        let row = match entry {
            ContainerEntry::Sound(ctr) => match ctr.state() {
                Ok(state) => PsRow::Sound(ctr, state),
                // Removed since the listing (an auto-remove container whose exit was seen).
                Err(CoreError::ContainerNotFound(_)) => continue,
                Err(err @ CoreError::Corrupt { .. }) => {
                    PsRow::Broken(ctr.id().into(), ctr.name().into(), err.to_string())
                }
                Err(err) => return Err(err.into()),
            },
            ContainerEntry::Broken(BrokenContainer {
                id, name, reason, ..
            }) => PsRow::Broken(id, name, reason),
            _ => continue,
        };
        let running = matches!(&row, PsRow::Sound(_, s) if s.status == ContainerStatus::Running);
        if args.all || running {
            rows.push(row);
        }
    }
    if args.quiet {
        for row in &rows {
            let id = match row {
                PsRow::Sound(ctr, _) => ctr.id(),
                PsRow::Broken(id, ..) => id,
            };
            println!("{}", &id[..12]);
        }
    } else if args.format.as_deref() == Some("json") {
        let list: Vec<_> = rows
            .iter()
            .map(|row| match row {
                PsRow::Sound(c, s) => serde_json::json!({
                    "Id": c.id(), "Names": [c.name()], "Image": image_name(c), "State": s.status.as_str(),
                    "ExitCode": s.exit_code.unwrap_or(0), "Pid": s.pid.unwrap_or(0), "Created": c.config().created,
                    "Command": c.config().spec.command,
                }),
                PsRow::Broken(id, name, reason) => serde_json::json!({
                    "Id": id, "Names": [name], "State": "unknown", "Error": reason,
                }),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        println!(
            "{:<14} {:<32} {:<24} {:<20}",
            "CONTAINER ID", "IMAGE", "STATUS", "NAMES"
        );
        for row in &rows {
            let (id, image, status, name) = match row {
                PsRow::Sound(c, s) => {
                    let status = match s.status {
                        ContainerStatus::Exited | ContainerStatus::Stopped => {
                            format!("Exited ({})", s.exit_code.unwrap_or(0))
                        }
                        ContainerStatus::Running => "Up".to_string(),
                        other => other.as_str().to_string(),
                    };
                    (c.id(), image_name(c), status, c.name())
                }
                PsRow::Broken(id, name, _) => (
                    id.as_str(),
                    String::new(),
                    "Unknown".to_string(),
                    name.as_str(),
                ),
            };
            println!(
                "{:<14} {:<32} {:<24} {:<20}",
                &id[..12],
                image,
                status,
                name
            );
        }
    }
    Ok(())
}

fn image_name(ctr: &Container) -> String {
    match &ctr.config().rootfs {
        Some(libpod_core::container::RootfsSource::Image { name, .. }) => name.clone(),
        Some(libpod_core::container::RootfsSource::Path(p)) => p.display().to_string(),
        _ => String::new(),
    }
}

pub fn inspect(rt: &Runtime, args: IdsArgs) -> Result {
    let mut out = Vec::new();
    for name in &args.containers {
        out.push(rt.container(name)?.inspect()?);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

#[derive(Args)]
pub struct LogsArgs {
    /// Follow the log until the container stops.
    #[arg(short, long)]
    follow: bool,
    /// Only the last N lines.
    #[arg(long)]
    tail: Option<usize>,
    /// Only lines since this time (RFC 3339, Unix time, or a duration like 10m).
    #[arg(long)]
    since: Option<String>,
    /// Only lines before this time.
    #[arg(long)]
    until: Option<String>,
    /// Show timestamps.
    #[arg(short, long)]
    timestamps: bool,
    /// The container.
    container: String,
}

pub fn logs(rt: &Runtime, args: LogsArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    let now = chrono::Local::now().fixed_offset();
    let mut options = LogOptions::default();
    options.follow = args.follow;
    options.tail = args.tail;
    options.since = args
        .since
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()?;
    options.until = args
        .until
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()?;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ctr.logs(&options, &mut |line| {
        let prefix = if args.timestamps {
            format!(
                "{} ",
                line.time
                    .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            )
        } else {
            String::new()
        };
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{prefix}{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{prefix}{}", line.message),
        };
        true
    })?;
    Ok(())
}

#[derive(Args)]
pub struct StopArgs {
    /// Seconds to wait before SIGKILL.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn stop(rt: &Runtime, args: StopArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.stop(args.time)?;
        println!("{name}");
    }
    Ok(())
}

pub fn restart(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.restart()?;
        println!("{name}");
    }
    Ok(())
}

#[derive(Args)]
pub struct KillArgs {
    /// The signal.
    #[arg(short, long, default_value = "KILL")]
    signal: String,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn kill(rt: &Runtime, args: KillArgs) -> Result {
    let signal = parse_signal(&args.signal)?;
    for name in &args.containers {
        rt.container(name)?.kill(signal)?;
        println!("{name}");
    }
    Ok(())
}

pub fn wait(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        println!("{}", rt.container(name)?.wait()?);
    }
    Ok(())
}

pub fn pause(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.pause()?;
        println!("{name}");
    }
    Ok(())
}

pub fn unpause(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.unpause()?;
        println!("{name}");
    }
    Ok(())
}

#[derive(Args)]
pub struct RmArgs {
    /// Stop running containers first.
    #[arg(short, long)]
    force: bool,
    /// Seconds to wait before SIGKILL.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    for name in &args.containers {
        let ctr = match rt.container(name) {
            Ok(ctr) => ctr,
            // Its config does not decode: only force removes it.
            Err(CoreError::Corrupt { id, .. }) if args.force => {
                rt.remove_broken_container(&id)?;
                println!("{id}");
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        let mut options = RemoveOptions::default().force(args.force);
        if let Some(t) = args.time {
            options = options.timeout(t);
        }
        rt.remove_container(&ctr, options)?;
        println!("{}", ctr.id());
    }
    Ok(())
}

pub fn mount(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        println!("{}", rt.container(name)?.mount()?.display());
    }
    Ok(())
}

#[derive(Args)]
pub struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
    /// The container.
    container: String,
}

pub fn export(rt: &Runtime, args: ExportArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    match &args.output {
        Some(path) => ctr.export(std::io::BufWriter::new(std::fs::File::create(path)?))?,
        None => ctr.export(std::io::BufWriter::new(std::io::stdout().lock()))?,
    }
    Ok(())
}

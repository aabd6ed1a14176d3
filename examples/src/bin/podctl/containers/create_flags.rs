//! The flags `create` and `run` share, named as Podman's, and the `CreateConfig` they make.

use clap::Args;
use libpod_spec::parse::parse_size;
use libpod_spec::{CreateConfig, NetworkMode};

use super::Result;

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
    pub(super) fn to_create_config(&self, rm: bool) -> Result<CreateConfig> {
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

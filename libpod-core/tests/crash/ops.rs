//! The state-changing operations a trial interrupts, and how a child process runs one.
//!
//! To cover a new operation: add a variant here (and its call in [`child_main`]), its
//! precondition in `setup.rs`, what it must leave (absent or whole) in `store_checks.rs` or
//! `container_checks.rs` (pods: `pod_checks.rs`; checkpoints: `checkpoint_checks.rs`) if the
//! global invariants do not already say it, and its retry in `trial.rs` (checkpoints:
//! `checkpoint_ops.rs` has their preconditions, run and retry).

use super::fixtures::ImageKind;
use super::rng::Rng;
use super::roots::open_runtime;
use libpod_core::container::{
    CtrCreateOption, HealthCheck, HealthCheckOutcome, RemoveOptions, with_cgroup_parent,
    with_command, with_healthcheck, with_name, with_rootfs_from_image, with_stop_timeout,
};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::pod::{
    PodCreateOption, PodRemoveOptions, with_pod_cgroup_parent, with_pod_name, with_pod_network_mode,
};
use libpod_core::record::{ExecConfig, NetworkAttachment};
use libpod_core::volume::{VolumeRemoveOptions, with_volume_labels, with_volume_name};
use libpod_storage::registry::{AuthFiles, PullOptions, RegistryOptions};
use libpod_storage::{ImageReference, RegistriesConfig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a trial does in the child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpKind {
    /// `import_tarball` of a payload.
    Import,
    /// `pull_image` from the loopback registry.
    Pull,
    /// `remove_image` (which garbage-collects) and `garbage_collect`.
    Rmi,
    /// `new_container` on the base image.
    Create,
    /// `start` of a configured or exited container.
    Start,
    /// `stop` of a running container.
    Stop,
    /// `remove_container` with force, of a container in any state.
    Rm,
    /// `new_volume` with a name and a label.
    VolumeCreate,
    /// `remove_volume` of an unused volume.
    VolumeRm,
    /// `cleanup_container` (conmon's exit command) of an `always` container whose process was
    /// killed: the exit recorded, cleanup, and the restart by its policy.
    Cleanup,
    /// An attached exec session (`Container::exec`) in a running container.
    Exec,
    /// `healthcheck_run` of a running container (a sessionless exec, then the health file).
    Healthcheck,
    /// `new_pod` (its row, cgroup and infra container).
    PodCreate,
    /// `Pod::start` of a pod with a member (infra first).
    PodStart,
    /// `remove_pod` with force, of a running or stopped pod.
    PodRm,
    /// `recreate_container` of a running container on the base image (auto-update's
    /// restart without systemd): by name, since the container gets a new ID.
    Recreate,
    /// `start` of a configured or exited container on the harness's bridge network with a
    /// published port (`net_setup.rs`): addresses reserved, namespace made, netavark's setup.
    NetStart,
    /// `stop` of a running container on the harness's bridge network: its cleanup tears the
    /// namespace down and frees its addresses.
    NetStop,
    /// `connect_network` of a running container to the harness's second network.
    NetConnect,
    /// `disconnect_network` of a running container from the harness's second network.
    NetDisconnect,
    /// `checkpoint` of a running counting container (`checkpoint_ops.rs`: plain, leaving it
    /// running, or exported to an archive).
    Checkpoint,
    /// `restore` in place of a checkpointed container.
    Restore,
    /// `import_checkpoint` of an exported archive into a new container.
    RestoreImport,
}

impl OpKind {
    pub const ALL: [OpKind; 23] = [
        OpKind::Import,
        OpKind::Pull,
        OpKind::Rmi,
        OpKind::Create,
        OpKind::Start,
        OpKind::Stop,
        OpKind::Rm,
        OpKind::VolumeCreate,
        OpKind::VolumeRm,
        OpKind::Cleanup,
        OpKind::Exec,
        OpKind::Healthcheck,
        OpKind::PodCreate,
        OpKind::PodStart,
        OpKind::PodRm,
        OpKind::Recreate,
        OpKind::NetStart,
        OpKind::NetStop,
        OpKind::NetConnect,
        OpKind::NetDisconnect,
        OpKind::Checkpoint,
        OpKind::Restore,
        OpKind::RestoreImport,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OpKind::Import => "import",
            OpKind::Pull => "pull",
            OpKind::Rmi => "rmi",
            OpKind::Create => "create",
            OpKind::Start => "start",
            OpKind::Stop => "stop",
            OpKind::Rm => "rm",
            OpKind::VolumeCreate => "volume-create",
            OpKind::VolumeRm => "volume-rm",
            OpKind::Cleanup => "cleanup",
            OpKind::Exec => "exec",
            OpKind::Healthcheck => "healthcheck",
            OpKind::PodCreate => "pod-create",
            OpKind::PodStart => "pod-start",
            OpKind::PodRm => "pod-rm",
            OpKind::Recreate => "recreate",
            OpKind::NetStart => "net-start",
            OpKind::NetStop => "net-stop",
            OpKind::NetConnect => "net-connect",
            OpKind::NetDisconnect => "net-disconnect",
            OpKind::Checkpoint => "checkpoint",
            OpKind::Restore => "restore",
            OpKind::RestoreImport => "restore-import",
        }
    }

    pub fn from_name(name: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Whether it acts on a volume.
    pub fn on_volume(self) -> bool {
        matches!(self, OpKind::VolumeCreate | OpKind::VolumeRm)
    }

    /// Whether it acts on a pod.
    pub fn on_pod(self) -> bool {
        matches!(self, OpKind::PodCreate | OpKind::PodStart | OpKind::PodRm)
    }

    /// Whether it acts on a container (rather than on images).
    pub fn on_container(self) -> bool {
        matches!(
            self,
            OpKind::Create
                | OpKind::Start
                | OpKind::Stop
                | OpKind::Rm
                | OpKind::Cleanup
                | OpKind::Exec
                | OpKind::Healthcheck
                | OpKind::Recreate
                | OpKind::NetStart
                | OpKind::NetStop
                | OpKind::NetConnect
                | OpKind::NetDisconnect
                | OpKind::Checkpoint
                | OpKind::Restore
                | OpKind::RestoreImport
        )
    }

    /// Whether it checkpoints or restores (`checkpoint_ops.rs`).
    pub fn on_checkpoint(self) -> bool {
        matches!(
            self,
            OpKind::Checkpoint | OpKind::Restore | OpKind::RestoreImport
        )
    }

    /// Whether it acts on a container on the harness's networks.
    pub fn on_network(self) -> bool {
        matches!(
            self,
            OpKind::NetStart | OpKind::NetStop | OpKind::NetConnect | OpKind::NetDisconnect
        )
    }
}

/// A trial's operation with its object, as drawn from the seed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub op: OpKind,
    /// The image imported, pulled or removed.
    pub image: ImageKind,
    /// Whether the image's sibling (which shares its bottom layer) is made present (else
    /// absent) before the operation: decides whether layers are shared, reused or deleted.
    pub sibling_present: bool,
    /// Which of the candidate containers the operation takes.
    pub pick: u64,
    /// For `rm`: whether the container is running first.
    pub running: bool,
}

impl Plan {
    /// Draws a plan whose operation is one of `ops` (all of them: [`OpKind::ALL`]).
    pub fn draw(rng: &mut Rng, ops: &[OpKind]) -> Plan {
        let op = ops[rng.index(ops.len())];
        let mut image = ImageKind::ALL[rng.index(ImageKind::ALL.len())];
        // An import makes an imported image, a pull a pulled one.
        if (op == OpKind::Import && image.is_pull()) || (op == OpKind::Pull && !image.is_pull()) {
            image = image.sibling();
        }
        Plan {
            op,
            image,
            sibling_present: rng.below(2) == 0,
            pick: rng.next_u64(),
            running: rng.below(2) == 0,
        }
    }

    /// What decides the operation's duration: for images, whether the shared layer is
    /// already there (else it is extracted, or deleted); for rm, whether it must stop the
    /// container first. Kill points are drawn from the duration of the same shape.
    pub fn shape(&self) -> (OpKind, bool) {
        match self.op {
            OpKind::Import | OpKind::Pull | OpKind::Rmi => (self.op, self.sibling_present),
            OpKind::Rm | OpKind::PodRm => (self.op, self.running),
            OpKind::Checkpoint => (self.op, super::checkpoint_ops::exports(self)),
            _ => (self.op, false),
        }
    }

    /// A short description: `rmi(Pull0, sibling Import0 absent)`, `rm(running)`.
    pub fn describe(&self) -> String {
        if self.op == OpKind::Rm {
            format!(
                "rm({})",
                if self.running {
                    "running"
                } else {
                    "not running"
                }
            )
        } else if self.op.on_checkpoint() {
            super::checkpoint_ops::describe(self)
        } else if self.op.on_container() || self.op.on_volume() || self.op.on_pod() {
            self.op.name().to_string()
        } else {
            format!(
                "{}({:?}, sibling {:?} {})",
                self.op.name(),
                self.image,
                self.image.sibling(),
                if self.sibling_present {
                    "present"
                } else {
                    "absent"
                }
            )
        }
    }
}

/// What the child needs to run an operation: passed in the environment.
#[derive(Clone, Debug)]
pub struct ChildArgs {
    pub op: OpKind,
    /// The directory holding the roots.
    pub dir: PathBuf,
    /// The image name, or the container's name (create, recreate) or ID.
    pub target: String,
    /// The tarball to import.
    pub tarball: Option<PathBuf>,
    /// The empty auth file for pulls.
    pub auth_file: PathBuf,
    /// The cgroup parent of new containers.
    pub cgroup: String,
    /// The network connected or disconnected.
    pub network: Option<String>,
    /// What a checkpoint operation does besides its target.
    pub checkpoint: Option<super::checkpoint_ops::CheckpointPlan>,
}

const ENV_OP: &str = "LIBPOD_CRASH_CHILD";
const ENV_DIR: &str = "LIBPOD_CRASH_CHILD_DIR";
const ENV_TARGET: &str = "LIBPOD_CRASH_CHILD_TARGET";
const ENV_TARBALL: &str = "LIBPOD_CRASH_CHILD_TARBALL";
const ENV_AUTH: &str = "LIBPOD_CRASH_CHILD_AUTH";
const ENV_CGROUP: &str = "LIBPOD_CRASH_CHILD_CGROUP";
const ENV_NETWORK: &str = "LIBPOD_CRASH_CHILD_NETWORK";

/// The line the child prints once its runtime is open, and the one when it is done.
pub const READY: &str = "ready";
pub const DONE: &str = "done";

impl ChildArgs {
    pub fn to_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            (ENV_OP, self.op.name().to_string()),
            (ENV_DIR, self.dir.display().to_string()),
            (ENV_TARGET, self.target.clone()),
            (ENV_AUTH, self.auth_file.display().to_string()),
            (ENV_CGROUP, self.cgroup.clone()),
        ];
        if let Some(tarball) = &self.tarball {
            env.push((ENV_TARBALL, tarball.display().to_string()));
        }
        if let Some(network) = &self.network {
            env.push((ENV_NETWORK, network.clone()));
        }
        if let Some(checkpoint) = &self.checkpoint {
            checkpoint.to_env(&mut env);
        }
        env
    }

    /// The arguments of this process, when it is a child.
    pub fn from_env() -> Option<ChildArgs> {
        let var = |name| std::env::var(name).ok();
        Some(ChildArgs {
            op: OpKind::from_name(&var(ENV_OP)?)?,
            dir: var(ENV_DIR)?.into(),
            target: var(ENV_TARGET)?,
            tarball: var(ENV_TARBALL).map(PathBuf::from),
            auth_file: var(ENV_AUTH)?.into(),
            cgroup: var(ENV_CGROUP)?,
            network: var(ENV_NETWORK),
            checkpoint: super::checkpoint_ops::CheckpointPlan::from_env(),
        })
    }
}

/// Options of the trials' containers: the base image, a shell that exits at once on SIGTERM
/// (so that stops are quick), in the harness's cgroup parent, with a healthcheck run only on
/// demand (no interval: no timer, no scheduler).
pub fn container_options(name: &str, cgroup: &str) -> Vec<CtrCreateOption> {
    let mut check = HealthCheck::default();
    check.test = vec!["CMD-SHELL".into(), "echo ok".into()];
    check.timeout_seconds = 10;
    check.retries = 1;
    vec![
        with_healthcheck(check),
        with_name(name),
        with_rootfs_from_image(super::fixtures::BASE),
        with_command([
            "/bin/sh",
            "-c",
            "trap 'exit 0' TERM; while :; do sleep 0.05; done",
        ]),
        with_cgroup_parent(cgroup),
        with_stop_timeout(2),
    ]
}

/// The trials' exec: output, and a moment of work.
pub fn exec_config() -> ExecConfig {
    let mut config = ExecConfig::new(vec![
        "/bin/sh".into(),
        "-c".into(),
        "echo out; echo err >&2".into(),
    ]);
    config.attach_stdout = true;
    config.attach_stderr = true;
    config
}

/// Options of the trials' pods: Podman's shared namespaces, a cgroup in the harness's parent,
/// no network (a bridge's setup under kills is the network trials').
pub fn pod_options(name: &str, cgroup: &str) -> Vec<PodCreateOption> {
    vec![
        with_pod_name(name),
        with_pod_cgroup_parent(cgroup),
        with_pod_network_mode(libpod_spec::NetworkMode::None),
    ]
}

/// Pull options that read no host file and talk plain HTTP to the loopback registry.
pub fn pull_options(auth_file: &Path) -> PullOptions {
    PullOptions {
        registry: RegistryOptions {
            credentials: None,
            auth_files: Some(AuthFiles::explicit(auth_file.to_path_buf())),
            tls_verify: Some(false),
            certs_dirs: Vec::new(),
            retries: 0,
            ..RegistryOptions::default()
        },
        registries_conf: Some(Arc::new(RegistriesConfig::default())),
        ..PullOptions::default()
    }
}

/// The child: opens the runtime, says so, runs the operation, says so. Its exit code is 0
/// when the operation succeeded, 2 (with the error on stderr) when it failed.
pub fn child_main(args: ChildArgs) -> ! {
    let say = |line: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    let result = (|| -> Result<(), String> {
        let rt = open_runtime(&args.dir).map_err(|e| format!("open: {e}"))?;
        say(READY);
        let storage = rt.storage();
        let e = |e: &dyn std::fmt::Display| e.to_string();
        match args.op {
            OpKind::Import => {
                let tarball = args.tarball.as_ref().ok_or("no tarball")?;
                let file = std::fs::File::open(tarball).map_err(|x| e(&x))?;
                let name = ImageReference::parse(&args.target).map_err(|x| e(&x))?;
                storage
                    .import_tarball(file, Some(&name), &[])
                    .map_err(|x| e(&x))?;
            }
            OpKind::Pull => {
                storage
                    .pull_image(&args.target, &pull_options(&args.auth_file))
                    .map_err(|x| e(&x))?;
            }
            OpKind::Rmi => {
                storage
                    .remove_image(&args.target, false)
                    .map_err(|x| e(&x))?;
                storage.garbage_collect().map_err(|x| e(&x))?;
            }
            OpKind::Create => {
                rt.new_container(container_options(&args.target, &args.cgroup))
                    .map_err(|x| e(&x))?;
            }
            OpKind::Start => rt
                .container(&args.target)
                .and_then(|c| c.start())
                .map_err(|x| e(&x))?,
            OpKind::Stop => rt
                .container(&args.target)
                .and_then(|c| c.stop(None))
                .map_err(|x| e(&x))?,
            OpKind::Rm => rt
                .container(&args.target)
                .and_then(|c| {
                    rt.remove_container(&c, RemoveOptions::default().force(true).timeout(2))
                })
                .map_err(|x| e(&x))?,
            OpKind::VolumeCreate => {
                rt.new_volume([
                    with_volume_name(args.target.clone()),
                    with_volume_labels([("crash", "1")]),
                ])
                .map_err(|x| e(&x))?;
            }
            OpKind::VolumeRm => rt
                .volume(&args.target)
                .and_then(|v| rt.remove_volume(&v, VolumeRemoveOptions::default()))
                .map_err(|x| e(&x))?,
            OpKind::Cleanup => rt
                .cleanup_container(&args.target)
                .map(drop)
                .map_err(|x| e(&x))?,
            OpKind::Exec => {
                let end = rt
                    .container(&args.target)
                    .and_then(|c| c.exec(exec_config(), ExecStreams::discard()))
                    .map_err(|x| e(&x))?;
                if end != ExecEnd::Exited(0) {
                    return Err(format!("exec ended {end:?}"));
                }
            }
            OpKind::Healthcheck => {
                let outcome = rt
                    .container(&args.target)
                    .and_then(|c| c.healthcheck_run())
                    .map_err(|x| e(&x))?;
                if outcome != HealthCheckOutcome::Healthy {
                    return Err(format!("healthcheck: {outcome:?}"));
                }
            }
            OpKind::PodCreate => {
                rt.new_pod(pod_options(&args.target, &args.cgroup))
                    .map_err(|x| e(&x))?;
            }
            OpKind::PodStart => rt
                .pod(&args.target)
                .and_then(|p| p.start())
                .map_err(|x| e(&x))?,
            OpKind::PodRm => rt
                .pod(&args.target)
                .and_then(|p| rt.remove_pod(&p, PodRemoveOptions::default().force(true).timeout(2)))
                .map_err(|x| e(&x))?,
            OpKind::Recreate => rt
                .container(&args.target)
                .and_then(|c| rt.recreate_container(&c, super::fixtures::BASE))
                .map(drop)
                .map_err(|x| e(&x))?,
            OpKind::NetStart => rt
                .container(&args.target)
                .and_then(|c| c.start())
                .map_err(|x| e(&x))?,
            OpKind::NetStop => rt
                .container(&args.target)
                .and_then(|c| c.stop(None))
                .map_err(|x| e(&x))?,
            OpKind::NetConnect | OpKind::NetDisconnect => {
                let network = args.network.as_deref().ok_or("no network")?;
                let ctr = rt.container(&args.target).map_err(|x| e(&x))?;
                if args.op == OpKind::NetConnect {
                    rt.connect_network(&ctr, NetworkAttachment::new(network))
                } else {
                    rt.disconnect_network(&ctr, network)
                }
                .map_err(|x| e(&x))?;
            }
            OpKind::Checkpoint | OpKind::Restore | OpKind::RestoreImport => {
                super::checkpoint_ops::run(&rt, &args)?;
            }
        }
        say(DONE);
        Ok(())
    })();
    match result {
        Ok(()) => std::process::exit(0),
        Err(err) => {
            eprintln!("crash child {}: {err}", args.op.name());
            std::process::exit(2)
        }
    }
}

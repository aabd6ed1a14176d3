//! `pod create [--name N] [--replace] [--hostname H] [--label K=V] [--label-file F]
//! [--share NS,..] [--infra=BOOL] [--cgroup-parent P] [--exit-policy continue|stop]
//! [--cpus N] [--memory SIZE] [--pod-id-file F]`, the network flags (`network.rs`) and the
//! infra container's (`infra_flags.rs`): prints the new pod's ID.

use super::{Result, pod_error};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::pod::{self, PodCreateOption, PodExitPolicy, PodRemoveOptions};
use libpod_core::runtime::Runtime;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CreateArgs {
    /// Assign a name to the pod.
    #[arg(short, long)]
    name: Option<String>,
    /// Set a hostname to the pod.
    #[arg(long)]
    hostname: Option<String>,
    /// Set metadata on pod (default []).
    #[arg(short, long)]
    label: Vec<String>,
    /// Read in a line delimited file of labels.
    #[arg(long = "label-file")]
    label_file: Vec<PathBuf>,
    /// If a pod with the same name exists, replace it.
    #[arg(long)]
    replace: bool,
    /// Write the pod ID to the file.
    #[arg(long = "pod-id-file")]
    pod_id_file: Option<PathBuf>,
    /// A comma delimited list of kernel namespaces the pod will share.
    #[arg(long, allow_hyphen_values = true)]
    share: Option<String>,
    /// Create an infra container associated with the pod to share namespaces with.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    infra: Option<bool>,
    /// Set parent cgroup for the pod.
    #[arg(long)]
    cgroup_parent: Option<String>,
    /// Behaviour when the last container exits (continue, stop).
    #[arg(long, default_value = "continue")]
    exit_policy: String,
    /// Number of CPUs.
    #[arg(long)]
    cpus: Option<f64>,
    /// Memory limit (format: <number>[<unit>], where unit = b, k, m or g).
    #[arg(short, long)]
    memory: Option<String>,
    /// The pod's network and published ports.
    #[command(flatten)]
    network: super::network::NetworkArgs,
    /// Its infra container: DNS, hosts, image, command, name, namespaces.
    #[command(flatten)]
    infra_flags: super::infra_flags::InfraArgs,
    /// Pod name (Podman's optional positional argument).
    pod_name: Option<String>,
}

pub fn create(rt: &Runtime, args: CreateArgs) -> Result {
    let mut options: Vec<PodCreateOption> = Vec::new();
    let name = args.name.or(args.pod_name);
    if args.replace && name.is_none() {
        return Err(Exit::new(OWN_ERROR, "cannot replace pod without --name being set").into());
    }
    if let Some(path) = &args.pod_id_file
        && path.exists()
    {
        return Err(Exit::new(
            OWN_ERROR,
            format!(
                "pod id file exists. Ensure another pod is not using it or delete {}",
                path.display()
            ),
        )
        .into());
    }
    if let Some(name) = &name {
        options.push(pod::with_pod_name(name));
    }
    if let Some(hostname) = args.hostname {
        options.push(pod::with_pod_hostname(hostname));
    }
    let mut labels = std::collections::BTreeMap::new();
    for file in &args.label_file {
        read_label_file(file, &mut labels)?;
    }
    for label in &args.label {
        let (key, value) = label.split_once('=').unwrap_or((label, ""));
        labels.insert(key.to_string(), value.to_string());
    }
    options.push(pod::with_pod_labels(labels));
    if let Some(share) = args.share {
        // `+NS,..` adds to the default list.
        let (defaults, share) = match share.strip_prefix('+') {
            Some(added) => ("ipc,net,uts,", added),
            None => ("", share.as_str()),
        };
        let kinds: Vec<String> = defaults
            .split(',')
            .chain(share.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let known = ["cgroup", "ipc", "net", "pid", "uts", "user", "none"];
        if let Some(bad) = kinds.iter().find(|k| !known.contains(&k.as_str())) {
            return Err(Exit::new(
                OWN_ERROR,
                format!(
                    "invalid kernel namespace to share: {bad}. Options are: cgroup, ipc, net, pid, uts or none"
                ),
            )
            .into());
        }
        options.push(pod::with_pod_share(kinds));
    }
    if let Some(infra) = args.infra {
        options.push(pod::with_pod_infra(infra));
    }
    if let Some(parent) = args.cgroup_parent {
        options.push(pod::with_pod_cgroup_parent(parent));
    }
    let policy = match args.exit_policy.as_str() {
        "continue" => PodExitPolicy::Continue,
        "stop" => PodExitPolicy::Stop,
        other => {
            return Err(Exit::new(
                OWN_ERROR,
                format!("{other:?} is not a valid pod exit policy"),
            )
            .into());
        }
    };
    options.push(pod::with_pod_exit_policy(policy));
    if let Some(cpus) = args.cpus {
        options.push(pod::with_pod_cpus(cpus));
    }
    if let Some(memory) = args.memory {
        let bytes = libpod_spec::parse::parse_size("memory", &memory)
            .map_err(|e| Exit::new(OWN_ERROR, e.to_string()))?;
        options.push(pod::with_pod_memory(bytes));
    }
    options.extend(args.network.options(rt)?);
    options.extend(args.infra_flags.options(rt)?);
    options.push(pod::with_pod_create_command(std::env::args()));
    if args.replace
        && let Some(name) = &name
    {
        match rt.pod(name) {
            Ok(old) => rt
                .remove_pod(&old, PodRemoveOptions::default().force(true))
                .map_err(pod_error)?,
            Err(CoreError::PodNotFound(_)) => {}
            Err(err) => return Err(pod_error(err)),
        }
    }
    let pod = rt.new_pod(options).map_err(pod_error)?;
    if let Some(path) = &args.pod_id_file {
        write_private(path, pod.id()).map_err(|e| {
            Exit::new(
                OWN_ERROR,
                format!(
                    "failed to write pod ID to file: open {}: {}",
                    path.display(),
                    crate::containers::io_reason(&e)
                ),
            )
        })?;
    }
    println!("{}", pod.id());
    Ok(())
}

/// `--label-file`'s lines into `labels`, as Podman reads them: blank lines and `#` comments
/// skipped, `KEY=VALUE`, or `KEY` alone taking the value of that environment variable (left
/// out when it is not set).
fn read_label_file(path: &Path, labels: &mut std::collections::BTreeMap<String, String>) -> Result {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Exit::new(
            OWN_ERROR,
            format!(
                "unable to process labels: open {}: {}",
                path.display(),
                crate::containers::io_reason(&e)
            ),
        )
    })?;
    for line in text.lines().map(str::trim_start) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some(("", _)) => {
                return Err(Exit::new(
                    OWN_ERROR,
                    format!("unable to process labels: invalid variable: {line:?}"),
                )
                .into());
            }
            Some((key, value)) => {
                labels.insert(key.to_string(), value.to_string());
            }
            None => {
                if let Ok(value) = std::env::var(line) {
                    labels.insert(line.to_string(), value);
                }
            }
        }
    }
    Ok(())
}

/// Writes `text` to a new file at `path`, readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

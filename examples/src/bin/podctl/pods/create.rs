//! `pod create [--name N] [--hostname H] [--label K=V] [--share NS,..] [--infra=BOOL]
//! [--cgroup-parent P] [--exit-policy continue|stop] [--cpus N] [--memory SIZE]`, the
//! network flags (`network.rs`) and the infra container's (`infra_flags.rs`): prints the new
//! pod's ID.

use super::{Result, pod_error};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::{self, PodCreateOption, PodExitPolicy};
use libpod_core::runtime::Runtime;

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
    if let Some(name) = args.name.or(args.pod_name) {
        options.push(pod::with_pod_name(name));
    }
    if let Some(hostname) = args.hostname {
        options.push(pod::with_pod_hostname(hostname));
    }
    let labels: Vec<(String, String)> = args
        .label
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.clone(), String::new()),
        })
        .collect();
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
    let pod = rt.new_pod(options).map_err(pod_error)?;
    println!("{}", pod.id());
    Ok(())
}

//! `--pod new:NAME` on `create` and `run`, as Podman 4.3's `createPodIfNecessary`: the pod
//! is made first, and the container's network settings (`--network`, `-p`, `--ip`, `--ip6`,
//! `--mac-address`, `--network-alias`, `--dns`, `--dns-search`, `--dns-option`,
//! `--add-host`) and `--hostname` move to it (its infra container), so that the container,
//! joining the pod's network and UTS namespaces, has them through the pod.

use super::Result;
use super::create_flags::CreateFlags;
use crate::pods::infra_flags::InfraArgs;
use crate::pods::network::NetworkArgs;
use crate::pods::pod_error;
use libpod_core::pod::{self, Pod};
use libpod_core::runtime::Runtime;

/// Makes the pod `name` with the settings `flags` move to it (taken out of `flags`); points
/// `flags.pod` at it.
pub(super) fn create_pod(rt: &Runtime, name: &str, flags: &mut CreateFlags) -> Result<Pod> {
    if name.is_empty() {
        return Err("new pod name must be at least one character".into());
    }
    let network = NetworkArgs {
        network: flags.network.take(),
        publish: std::mem::take(&mut flags.publish),
        ip: flags.ip.take(),
        ip6: flags.ip6.take(),
        mac_address: flags.mac_address.take(),
        network_alias: std::mem::take(&mut flags.network_alias),
    };
    let infra = InfraArgs {
        dns: std::mem::take(&mut flags.dns),
        dns_search: std::mem::take(&mut flags.dns_search),
        dns_option: std::mem::take(&mut flags.dns_option),
        add_host: std::mem::take(&mut flags.add_host),
        ..InfraArgs::default()
    };
    let mut options = vec![pod::with_pod_name(name)];
    if let Some(hostname) = flags.hostname.take() {
        options.push(pod::with_pod_hostname(hostname));
    }
    options.extend(network.options(rt)?);
    options.extend(infra.options(rt)?);
    options.push(pod::with_pod_create_command(std::env::args()));
    let pod = rt.new_pod(options).map_err(pod_error)?;
    flags.pod = Some(pod.id().to_string());
    Ok(pod)
}

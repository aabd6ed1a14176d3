//! `pod create`'s flags for its infra container, as Podman 4.3's: `--dns`, `--dns-search`,
//! `--dns-option`, `--add-host` (its resolv.conf and hosts file, which the members share),
//! `--infra-image` (pulled when missing), `--infra-command`, `--infra-name`, `--pid`,
//! `--uts`, `--userns`. Podman's own checks of the values here, in its words; the library
//! refuses what it cannot honour (`--userns` other than `host`, `--dns none`).

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use crate::registry::{RegistryFlags, pull_image};
use clap::Args;
use libpod_core::pod::{self, PodCreateOption};
use libpod_core::runtime::Runtime;
use libpod_spec::NamespaceMode;
use libpod_storage::StorageError;
use libpod_storage::registry::PullPolicy;

#[derive(Args, Debug, Default, Clone)]
pub struct InfraArgs {
    /// Set custom DNS servers.
    #[arg(long, value_delimiter = ',')]
    pub dns: Vec<String>,
    /// Set custom DNS search domains.
    #[arg(long = "dns-search", value_delimiter = ',')]
    pub dns_search: Vec<String>,
    /// Set custom DNS options.
    #[arg(long = "dns-option", value_delimiter = ',')]
    pub dns_option: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip).
    #[arg(long = "add-host", value_delimiter = ',')]
    pub add_host: Vec<String>,
    /// Image to use to override builtin infra container.
    #[arg(long = "infra-image")]
    pub infra_image: Option<String>,
    /// Overwrite the default ENTRYPOINT of the image.
    #[arg(long = "infra-command")]
    pub infra_command: Option<String>,
    /// Assign a name to the container.
    #[arg(long = "infra-name")]
    pub infra_name: Option<String>,
    /// PID namespace to use.
    #[arg(long)]
    pub pid: Option<String>,
    /// UTS namespace to use.
    #[arg(long)]
    pub uts: Option<String>,
    /// User namespace to use.
    #[arg(long)]
    pub userns: Option<String>,
}

fn refused(message: impl Into<String>) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message.into()).into()
}

impl InfraArgs {
    /// The pod create options these flags ask for.
    pub fn options(&self, rt: &Runtime) -> Result<Vec<PodCreateOption>> {
        let mut options = Vec::new();
        if !self.dns.is_empty() {
            options.push(pod::with_pod_dns_servers(self.dns.clone()));
        }
        if !self.dns_search.is_empty() {
            options.push(pod::with_pod_dns_search(self.dns_search.clone()));
        }
        if !self.dns_option.is_empty() {
            options.push(pod::with_pod_dns_options(self.dns_option.clone()));
        }
        if !self.add_host.is_empty() {
            for host in &self.add_host {
                check_add_host(host)?;
            }
            options.push(pod::with_pod_add_hosts(self.add_host.clone()));
        }
        if let Some(image) = &self.infra_image {
            options.push(pod::with_pod_infra_image(resolve_image(rt, image)?));
        }
        if let Some(command) = &self.infra_command {
            options.push(pod::with_pod_infra_command(split_command(command)));
        }
        if let Some(name) = &self.infra_name {
            options.push(pod::with_pod_infra_name(name.clone()));
        }
        if let Some(pid) = &self.pid {
            options.push(pod::with_pod_pid(namespace("PID", pid)?));
        }
        if let Some(uts) = &self.uts {
            options.push(pod::with_pod_uts(namespace("UTS", uts)?));
        }
        if let Some(userns) = &self.userns {
            options.push(pod::with_pod_userns(userns_mode(userns)?));
        }
        Ok(options)
    }
}

/// Podman's `ValidateExtraHost`: `NAME:IP` split at the first colon, or `NAME:host-gateway`.
fn check_add_host(value: &str) -> Result<()> {
    match value.split_once(':') {
        None | Some(("", _)) => Err(refused(format!("bad format for add-host: {value:?}"))),
        Some((_, "host-gateway")) => Ok(()),
        Some((_, ip)) if ip.parse::<std::net::IpAddr>().is_ok() => Ok(()),
        Some((_, ip)) => Err(refused(format!("invalid IP address in add-host: {ip:?}"))),
    }
}

/// `--infra-command`: a JSON array, else the words of the string.
fn split_command(value: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(value)
        .unwrap_or_else(|_| value.split_whitespace().map(String::from).collect())
}

/// `--pid` or `--uts` (`what` is `PID` or `UTS`) as Podman parses it: `host`, `private`,
/// `ns:PATH` (which must exist), `container:ID`.
fn namespace(what: &str, value: &str) -> Result<NamespaceMode> {
    let known = ["", "host", "private"].contains(&value)
        || value.starts_with("ns:")
        || value.starts_with("container:");
    if !known {
        return Err(refused(format!(
            "unrecognized namespace mode {value} passed"
        )));
    }
    if let Some(path) = value.strip_prefix("ns:")
        && let Err(e) = std::fs::metadata(path)
    {
        return Err(refused(format!(
            "cannot find specified {what} namespace path: stat {path}: {}",
            crate::containers::io_reason(&e)
        )));
    }
    value.parse().map_err(|e| refused(format!("{e}")))
}

/// `--userns`: the modes a root user can name, in Podman's words for the rootless ones; the
/// library takes it from there.
fn userns_mode(value: &str) -> Result<NamespaceMode> {
    match value {
        "" | "host" => Ok(NamespaceMode::Host),
        "keep-id" | "nomap" => Err(refused(format!(
            "{value} is only supported in rootless mode"
        ))),
        _ if value == "auto" || value.starts_with("auto:") => Err(refused(format!(
            "pod option --userns {value:?} is not supported: automatic user namespaces need ID mappings, which podctl does not make"
        ))),
        _ if value == "private" || value.starts_with("ns:") || value.starts_with("container:") => {
            value.parse().map_err(|e| refused(format!("{e}")))
        }
        _ => Err(refused(format!(
            "unrecognized namespace mode {value} passed"
        ))),
    }
}

/// The image for `--infra-image` under its full name (`localhost/busybox:latest`, as Podman
/// shows it), pulled first when it is not here (Podman's `missing`).
fn resolve_image(rt: &Runtime, image: &str) -> Result<String> {
    let store = rt.storage();
    match store.image(image) {
        Ok(here) => return Ok(crate::containers::full_name(image, &here.names)),
        Err(StorageError::ImageNotKnown(_)) => {}
        Err(err) => return Err(err.into()),
    }
    let registry = RegistryFlags::new(None, None);
    let pulled = pull_image(store, image, PullPolicy::Missing, None, &registry, false)?;
    Ok(pulled
        .names
        .first()
        .cloned()
        .unwrap_or_else(|| pulled.id.hex().to_string()))
}

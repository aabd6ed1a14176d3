//! The pod create options that shape its infra container (`podman pod create --dns
//! --dns-search --dns-option --add-host --infra-image --infra-command --infra-name --pid
//! --uts --userns`), and their checks against the rest of the pod's config once every option
//! is applied, in Podman 4.3's words where it has them.

use super::options::PodCreateOption;
use crate::error::{CoreError, Result};
use crate::record::PodConfig;
use libpod_spec::files::{HostsParams, ResolvParams, generate_hosts, generate_resolv_conf};
use libpod_spec::{NamespaceMode, NetworkMode};

fn invalid(option: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidOption {
        option,
        reason: reason.into(),
    }
}

fn unsupported(flag: &'static str, value: impl Into<String>, reason: &str) -> CoreError {
    CoreError::PodOptionUnsupported {
        flag,
        value: value.into(),
        reason: reason.to_string(),
    }
}

/// Nameservers for the pod's resolv.conf (`--dns`), shared by the members on its network;
/// each an IP address. Added to any given before.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_dns_servers, with_pod_name};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let pod = rt.new_pod([with_pod_name("web"), with_pod_dns_servers(["9.9.9.9"])])?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_pod_dns_servers<S: Into<String>>(
    servers: impl IntoIterator<Item = S>,
) -> PodCreateOption {
    let servers: Vec<String> = servers.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        if let Some(bad) = servers
            .iter()
            .find(|s| s.trim().parse::<std::net::IpAddr>().is_err())
        {
            return Err(if bad == "none" {
                unsupported(
                    "--dns",
                    bad,
                    "a pod without a resolv.conf of its own (Podman's NoManageResolvConf) is not supported",
                )
            } else {
                invalid("pod dns", format!("{bad} is not an ip address"))
            });
        }
        d.config.infra.dns_servers.extend(servers);
        Ok(())
    })
}

/// Search domains for the pod's resolv.conf (`--dns-search`; `.` alone: none). Added to any
/// given before.
pub fn with_pod_dns_search<S: Into<String>>(
    domains: impl IntoIterator<Item = S>,
) -> PodCreateOption {
    let domains: Vec<String> = domains.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        d.config.infra.dns_search.extend(domains);
        check_resolv(&d.config)
    })
}

/// Options for the pod's resolv.conf (`--dns-option`, such as `ndots:2`). Added to any
/// given before.
pub fn with_pod_dns_options<S: Into<String>>(
    options: impl IntoIterator<Item = S>,
) -> PodCreateOption {
    let options: Vec<String> = options.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        d.config.infra.dns_options.extend(options);
        check_resolv(&d.config)
    })
}

/// The search domains and options as the resolv.conf writer takes them (its checks).
fn check_resolv(config: &PodConfig) -> Result<()> {
    generate_resolv_conf(&ResolvParams {
        dns_search: &config.infra.dns_search,
        dns_options: &config.infra.dns_options,
        ..ResolvParams::default()
    })
    .map(drop)
    .map_err(|e| invalid("pod dns", e.to_string()))
}

/// `NAME:IP` (or `NAME1;NAME2:IP`, `NAME:host-gateway`) lines for the pod's hosts file
/// (`--add-host`), which every member sharing its network sees. Added to any given before.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_add_hosts, with_pod_name};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let pod = rt.new_pod([with_pod_name("web"), with_pod_add_hosts(["db:10.0.0.5"])])?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_pod_add_hosts<S: Into<String>>(hosts: impl IntoIterator<Item = S>) -> PodCreateOption {
    let hosts: Vec<String> = hosts.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        // The writer's checks; `host-gateway` is resolved when the infra container starts.
        generate_hosts(&HostsParams {
            add_hosts: &hosts,
            host_containers_internal: Some(std::net::Ipv4Addr::LOCALHOST.into()),
            hostname: "check",
            ..HostsParams::default()
        })
        .map_err(|e| invalid("pod add-host", e.to_string()))?;
        d.config.infra.add_hosts.extend(hosts);
        Ok(())
    })
}

/// Runs the infra container from this image (name or ID in the runtime's store) instead of
/// the host's catatonit in an empty root (`--infra-image`): its entrypoint and command unless
/// [`with_pod_infra_command`] says otherwise, a writable root as any container's.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_infra_image, with_pod_name};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let pod = rt.new_pod([with_pod_name("web"), with_pod_infra_image("localhost/pause")])?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_pod_infra_image(image: impl Into<String>) -> PodCreateOption {
    let image = image.into();
    PodCreateOption::new(move |d| {
        if image.is_empty() {
            return Err(invalid("pod infra image", "an image name or ID"));
        }
        d.config.infra.image = Some(image);
        Ok(())
    })
}

/// The infra container's entrypoint (`--infra-command`), replacing `/catatonit -P` (or the
/// image's entrypoint and command).
pub fn with_pod_infra_command<S: Into<String>>(
    command: impl IntoIterator<Item = S>,
) -> PodCreateOption {
    let command: Vec<String> = command.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        if command.first().is_none_or(String::is_empty) {
            return Err(invalid("pod infra command", "an empty command"));
        }
        d.config.infra.command = Some(command);
        Ok(())
    })
}

/// The infra container's name (`--infra-name`; else the pod ID's first 12 digits and
/// `-infra`).
pub fn with_pod_infra_name(name: impl Into<String>) -> PodCreateOption {
    let name = name.into();
    PodCreateOption::new(move |d| {
        libpod_spec::parse::check_name("infra container name", &name)
            .map_err(|e| invalid("pod infra name", e.to_string()))?;
        d.config.infra.name = Some(name);
        Ok(())
    })
}

/// The infra container's PID namespace (`--pid`: `private`, the default; `host`; or
/// `ns:PATH`), the members' too when the pod shares `pid` (with `host` they are in the
/// host's, as Podman's). Another container's is refused: the pod's order covers only its own.
pub fn with_pod_pid(mode: NamespaceMode) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.infra.pid = own_mode("--pid", mode)?;
        Ok(())
    })
}

/// The infra container's UTS namespace (`--uts`: `private`, the default; `host`; or
/// `ns:PATH`), the members' when the pod shares `uts` (the default). Not private, the pod sets
/// no hostname: `--hostname` with it is refused, in Podman's words.
pub fn with_pod_uts(mode: NamespaceMode) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.infra.uts = own_mode("--uts", mode)?;
        Ok(())
    })
}

fn own_mode(flag: &'static str, mode: NamespaceMode) -> Result<NamespaceMode> {
    match mode {
        NamespaceMode::Container(id) => Err(unsupported(
            flag,
            format!("container:{id}"),
            "a pod's infra container cannot join a container outside the pod",
        )),
        mode => Ok(mode),
    }
}

/// The pod's user namespace (`--userns`). Only `host` (the default, what root's pods get in
/// Podman) is honoured: a private one needs ID mappings, which this engine does not make, and
/// `ns:PATH` or another container's is refused too, each as
/// [`CoreError::PodOptionUnsupported`] (`private` in Podman's words).
///
/// ```
/// use libpod_core::pod::with_pod_userns;
/// let _host = with_pod_userns("host".parse()?);
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn with_pod_userns(mode: NamespaceMode) -> PodCreateOption {
    PodCreateOption::new(move |_| match mode {
        NamespaceMode::Host => Ok(()),
        NamespaceMode::Private => Err(unsupported(
            "--userns",
            "private",
            "must provide at least one UID or GID mapping to configure a user namespace",
        )),
        other => Err(unsupported(
            "--userns",
            other.to_string(),
            "pods in a user namespace other than the host's are not supported",
        )),
    })
}

/// The checks of the infra settings once every option is applied and the infra container
/// and network are settled, in Podman 4.3's order and words (`pkg/specgen/pod_validate.go`,
/// then the infra container's spec).
pub(super) fn check(config: &PodConfig) -> Result<()> {
    let infra = &config.infra;
    let exclusive = |a: &str, b: &str| CoreError::InvalidOption {
        option: "pod infra",
        reason: format!("{a} and {b} are mutually exclusive pod options: invalid pod spec"),
    };
    if !config.has_infra {
        for (given, name) in [
            (infra.command.is_some(), "InfraCommand"),
            (infra.image.is_some(), "InfraImage"),
            (infra.name.is_some(), "InfraName"),
        ] {
            if given {
                return Err(exclusive("NoInfra", name));
            }
        }
        for (given, first, name) in [
            (!infra.dns_options.is_empty(), "NoInfra", "DNSOption"),
            // (sic: Podman's words)
            (!infra.dns_search.is_empty(), "NoInfo", "DNSSearch"),
            (!infra.dns_servers.is_empty(), "NoInfra", "DNSServer"),
            (!infra.add_hosts.is_empty(), "NoInfra", "HostAdd"),
        ] {
            if given {
                return Err(exclusive(first, name));
            }
        }
        for (flag, mode) in [("--pid", &infra.pid), ("--uts", &infra.uts)] {
            if *mode != NamespaceMode::Private {
                return Err(invalid(
                    "pod infra",
                    format!("{flag} {mode}: a pod without an infra container has no namespaces"),
                ));
            }
        }
        return Ok(());
    }
    let dns = !(infra.dns_servers.is_empty()
        && infra.dns_search.is_empty()
        && infra.dns_options.is_empty());
    if dns && config.network_mode == NetworkMode::None {
        return Err(invalid(
            "pod network",
            "conflicting options: dns and the network mode: none",
        ));
    }
    if infra.uts != NamespaceMode::Private && config.hostname.is_some() {
        return Err(invalid(
            "pod hostname",
            "invalid config provided: cannot set hostname when running in the host UTS namespace: invalid configuration",
        ));
    }
    Ok(())
}

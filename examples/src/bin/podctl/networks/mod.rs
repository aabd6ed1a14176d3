//! `network create|ls|inspect|rm|prune|connect|disconnect|exists` and `port`, as Podman
//! 4.3's: one file per verb (or pair); the words and exit codes of its network errors here.

mod connect;
mod create;
mod exists;
mod filters;
mod inspect;
mod ls;
mod port;
mod prune;
mod rm;

pub use port::{PortArgs, port};

use crate::errors::{Exit, OWN_ERROR};
use clap::Subcommand;
use libpod_core::CoreError;
use libpod_core::network::Network;
use libpod_core::runtime::Runtime;
use libpod_net::NetError;
use serde_json::{Value, json};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `podctl network VERB`.
#[derive(Subcommand)]
#[command(defer = true)]
pub enum NetworkCommand {
    /// Create a network.
    Create(create::CreateArgs),
    /// List networks.
    #[command(visible_aliases = ["list"])]
    Ls(ls::LsArgs),
    /// Display the network's configuration.
    Inspect(inspect::InspectArgs),
    /// Remove networks.
    #[command(visible_aliases = ["remove"])]
    Rm(rm::RmArgs),
    /// Remove all networks no container uses.
    Prune(prune::PruneArgs),
    /// Add a container to a network.
    Connect(connect::ConnectArgs),
    /// Remove a container from a network.
    Disconnect(connect::DisconnectArgs),
    /// Check if a network exists (exit 0 if it does, 1 if not).
    Exists(exists::ExistsArgs),
}

/// Runs a network verb; returns the exit code.
pub fn run(rt: &Runtime, command: NetworkCommand) -> Result<i32> {
    match command {
        NetworkCommand::Create(args) => create::create(rt, args)?,
        NetworkCommand::Ls(args) => ls::ls(rt, args)?,
        NetworkCommand::Inspect(args) => inspect::inspect(rt, args)?,
        NetworkCommand::Rm(args) => return rm::rm(rt, args),
        NetworkCommand::Prune(args) => prune::prune(rt, args)?,
        NetworkCommand::Connect(args) => connect::connect(rt, args)?,
        NetworkCommand::Disconnect(args) => connect::disconnect(rt, args)?,
        NetworkCommand::Exists(args) => return exists::exists(rt, args),
    }
    Ok(0)
}

/// Podman's exit code for a network error: 1 for a missing network, 2 for one in use
/// (`network rm`'s `setExitCode`), else 125.
fn exit_code(err: &CoreError) -> u8 {
    match err {
        CoreError::NetworkConfig(NetError::NoSuchNetwork { .. }) => 1,
        CoreError::NetworkInUse { .. } => 2,
        _ => OWN_ERROR,
    }
}

/// Podman's words for a network error about `name` (as given).
fn message(err: &CoreError, name: &str) -> String {
    match err {
        CoreError::NetworkInUse { .. } => format!(
            "{name:?} has associated containers with it. Use -f to forcibly delete containers and pods: network is being used"
        ),
        other => crate::errors::chain(other),
    }
}

/// A network as Go's templates see c/common's `types.Network`: its Go field names.
fn template_value(network: &Network) -> Result<Value> {
    let json = serde_json::to_value(network)?;
    // Go prints an unset net.IP as `<nil>`.
    let ip = |ip: Option<std::net::IpAddr>| ip.map_or("<nil>".to_string(), |ip| ip.to_string());
    let field = |key: &str, zero: Value| json.get(key).cloned().unwrap_or(zero);
    let subnets: Vec<Value> = network
        .subnets
        .iter()
        .map(|s| {
            json!({
                "Subnet": s.subnet.to_string(),
                "Gateway": ip(s.gateway),
                "LeaseRange": s.lease_range.as_ref().map(|r| json!({
                    "StartIP": ip(r.start_ip),
                    "EndIP": ip(r.end_ip),
                })),
            })
        })
        .collect();
    Ok(json!({
        "Name": network.name,
        "ID": network.id,
        "Driver": network.driver,
        "NetworkInterface": network.network_interface,
        "Created": network.created,
        "Subnets": subnets,
        "Routes": field("routes", json!([])),
        "IPv6Enabled": network.ipv6_enabled,
        "Internal": network.internal,
        "DNSEnabled": network.dns_enabled,
        "NetworkDNSServers": network.network_dns_servers,
        "Labels": network.labels,
        "Options": network.options,
        "IPAMOptions": network.ipam_options,
    }))
}

/// Renders networks with `format` (`json`: c/common's JSON), printing the result.
fn print_networks(
    format: &str,
    rows: Vec<Value>,
    headers: &[(&str, &str)],
    noheading: bool,
) -> Result {
    let mut text = crate::format::render_with_headers(format, &rows, headers)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if noheading && format.starts_with("table") {
        text = crate::format::strip_header(&text);
    }
    print!("{text}");
    if format == "json" {
        println!();
    }
    Ok(())
}

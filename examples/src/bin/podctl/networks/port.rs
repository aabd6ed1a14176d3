//! `port CONTAINER [PORT[/PROTO]]` and `port -a`: a running container's published ports,
//! in Podman 4.3's lines (`80/tcp -> 0.0.0.0:8080`, or only `0.0.0.0:8080` for one port;
//! with `-a`, each line after the container's short ID and a tab).

use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::container::{Container, ContainerStatus};
use libpod_core::runtime::Runtime;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct PortArgs {
    /// Display port information for all containers.
    #[arg(short, long)]
    all: bool,
    /// The container, then the port (`PORT` or `PORT/PROTO`).
    args: Vec<String>,
}

/// The port asked for: its number and protocol (`tcp` unless given).
fn wanted(given: &str) -> Result<(u16, String)> {
    let (port, proto) = match given.split('/').collect::<Vec<_>>()[..] {
        [port] => (port, "tcp"),
        [port, proto] => (port, proto),
        _ => return Err(refused("port should be in the form of PORT/PROTO or PORT")),
    };
    let port = port.parse().map_err(|_| {
        refused(&format!(
            "strconv.ParseUint: parsing {port:?}: invalid syntax"
        ))
    })?;
    Ok((port, proto.to_string()))
}

fn refused(message: &str) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

pub fn port(rt: &Runtime, args: PortArgs) -> Result {
    if args.args.len() > 2 {
        return Err(refused("`port` accepts at most 2 arguments"));
    }
    let port = args.args.get(1).map(|p| wanted(p)).transpose()?;
    let containers = match (args.all, args.args.first()) {
        (true, _) => rt.containers()?,
        (false, Some(name)) => vec![rt.container(name)?],
        (false, None) => {
            return Err(refused("you must provide at least one name or id"));
        }
    };
    for ctr in containers {
        if ctr.status()? != ContainerStatus::Running || ctr.config().port_mappings.is_empty() {
            continue;
        }
        let prefix = if args.all {
            format!("{}\t", &ctr.id()[..12])
        } else {
            String::new()
        };
        let found = print_ports(&ctr, &prefix, port.as_ref());
        if let Some(port) = &args.args.get(1)
            && !found
        {
            return Err(refused(&format!("failed to find published port {port:?}")));
        }
    }
    Ok(())
}

/// Prints the container's mappings (all, or the host side of the one port asked for);
/// whether that port was found.
fn print_ports(ctr: &Container, prefix: &str, port: Option<&(u16, String)>) -> bool {
    for mapping in &ctr.config().port_mappings {
        let host_ip = if mapping.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &mapping.host_ip
        };
        let protocols = if mapping.protocol.is_empty() {
            "tcp"
        } else {
            &mapping.protocol
        };
        for protocol in protocols.split(',') {
            let Some((wanted, wanted_proto)) = port else {
                for i in 0..mapping.range {
                    println!(
                        "{prefix}{}/{protocol} -> {host_ip}:{}",
                        mapping.container_port + i,
                        mapping.host_port + i
                    );
                }
                continue;
            };
            // Podman compares the whole protocol field, as here.
            if protocols == wanted_proto
                && mapping.container_port <= *wanted
                && u32::from(mapping.container_port) + u32::from(mapping.range) > u32::from(*wanted)
            {
                println!(
                    "{prefix}{host_ip}:{}",
                    mapping.host_port + wanted - mapping.container_port
                );
                return true;
            }
        }
    }
    false
}

//! `ps`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, ContainerState, ContainerStatus};
use libpod_core::runtime::{BrokenContainer, ContainerEntry, Runtime};

use super::Result;

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

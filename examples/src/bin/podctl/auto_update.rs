//! `auto-update [--dry-run] [--rollback] [--authfile] [--format json|TEMPLATE]`: Podman 4.3's
//! verb over libpod-autoupdate. The default output is Podman's table (UNIT, CONTAINER as
//! `ID[:12] (NAME)`, IMAGE, POLICY, UPDATED); `--format json` prints the same rows as JSON;
//! a template sees Unit, Container, ContainerName, ContainerID, Image, Policy, Updated. Each
//! container's error goes to stderr and makes the exit code 125, as Podman's joined errors do.
//! Containers in a systemd unit are restarted over the system bus; `--no-systemd` recreates
//! them in process as it does the containers that run in none.

use crate::errors::{Exit, OWN_ERROR, chain};
use crate::registry::RegistryFlags;
use clap::Args;
use libpod_autoupdate::restart::SystemdBus;
use libpod_autoupdate::{Options, Report, auto_update};
use libpod_core::runtime::Runtime;
use libpod_storage::registry::PullOptions;
use std::path::PathBuf;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct AutoUpdateArgs {
    /// Check for pending updates.
    #[arg(long)]
    dry_run: bool,
    /// Rollback to previous image if update fails.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    rollback: bool,
    /// Path to the authentication file (a container's io.containers.autoupdate.authfile
    /// label wins).
    #[arg(long)]
    authfile: Option<PathBuf>,
    /// Change the output format to JSON or a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Require HTTPS and verify certificates when contacting registries.
    #[arg(long = "tls-verify", action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    tls_verify: Option<bool>,
    /// Restart containers of systemd units in process too (no D-Bus).
    #[arg(long)]
    no_systemd: bool,
}

/// Podman's default: `{{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}`
/// under its headers.
const DEFAULT: &str = "table {{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}";

pub fn auto_update_verb(rt: &Runtime, args: AutoUpdateArgs) -> Result {
    let flags = RegistryFlags::new(args.tls_verify, None);
    let options = Options {
        dry_run: args.dry_run,
        rollback: args.rollback,
        auth_file: args.authfile,
        pull: PullOptions {
            registry: flags.options()?,
            ..PullOptions::default()
        },
        systemd: (!args.no_systemd).then_some(SystemdBus::System),
    };
    let (reports, errors) = auto_update(rt, options);
    let rows: Vec<serde_json::Value> = reports.iter().map(row).collect();
    let format = args.format.unwrap_or_else(|| DEFAULT.to_string());
    if !(rows.is_empty() && format.starts_with("table")) {
        let headers = [
            ("Unit", "UNIT"),
            ("Container", "CONTAINER"),
            ("Image", "IMAGE"),
            ("Policy", "POLICY"),
            ("Updated", "UPDATED"),
        ];
        let text = crate::format::render_with_headers(&format, &rows, &headers)
            .map_err(|e| Exit::new(OWN_ERROR, e))?;
        print!("{text}");
        if format == "json" {
            println!();
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let message: Vec<String> = errors.iter().map(|e| chain(e)).collect();
    Err(Box::new(Exit::new(OWN_ERROR, message.join("\n"))))
}

/// A report as Podman's `autoUpdateOutput`.
fn row(report: &Report) -> serde_json::Value {
    let short = report
        .container_id
        .get(..12)
        .unwrap_or(&report.container_id);
    serde_json::json!({
        "Unit": report.systemd_unit,
        "Container": format!("{short} ({})", report.container_name),
        "ContainerName": report.container_name,
        "ContainerID": report.container_id,
        "Image": report.image_name,
        "Policy": report.policy,
        "Updated": report.updated.as_str(),
    })
}

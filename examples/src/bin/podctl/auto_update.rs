//! `auto-update [--dry-run] [--rollback] [--authfile] [--format json|TEMPLATE]`: Podman 4.3's
//! verb over libpod-autoupdate. The default output is Podman's table (an empty first column,
//! then UNIT, CONTAINER as `ID[:12] (NAME)`, IMAGE, POLICY, UPDATED); `--format json` prints
//! Podman's `autoUpdateOutput` rows as its `json.MarshalIndent` does (four spaces, its field
//! order); a template sees the same fields (Unit, Container, ContainerName, ContainerID,
//! Image, Policy, Updated). The errors go to stderr as Podman joins them (one as is, several
//! as "N errors occurred:") and make the exit code 125. Containers in a systemd unit are
//! restarted over the system bus; `--no-systemd` (podctl's own) recreates them in process as
//! it does the containers that run in none; `--tls-verify` is a later Podman's flag.

use crate::errors::{Exit, OWN_ERROR, chain};
use crate::registry::RegistryFlags;
use clap::Args;
use libpod_autoupdate::restart::SystemdBus;
use libpod_autoupdate::{Options, Report, auto_update};
use libpod_core::runtime::Runtime;
use libpod_storage::registry::PullOptions;
use serde::Serialize;
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
    /// Refused, in Podman's words (the verb takes none).
    #[arg(hide = true)]
    args: Vec<String>,
}

/// Podman's default: `{{range . }}\t{{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t
/// {{.Updated}}\n{{end -}}` through its tabwriter, under the headers: its leading tab makes
/// an empty first column (twelve spaces, the tabwriter's minimum width).
const DEFAULT: &str = "table \t{{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}";

/// The column titles (c/common's `report.Headers` of `autoUpdateOutput`: each field name
/// split at its capitals and upper-cased).
const HEADERS: [(&str, &str); 7] = [
    ("Unit", "UNIT"),
    ("Container", "CONTAINER"),
    ("ContainerName", "CONTAINER NAME"),
    ("ContainerID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Policy", "POLICY"),
    ("Updated", "UPDATED"),
];

pub fn auto_update_verb(rt: &Runtime, args: AutoUpdateArgs) -> Result {
    if !args.args.is_empty() {
        return Err(Box::new(Exit::new(
            OWN_ERROR,
            "`podctl auto-update` takes no arguments",
        )));
    }
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
    let mut messages: Vec<String> = errors.iter().map(|e| chain(e)).collect();
    // As Podman: nothing to report, nothing printed (not even the headers).
    if !reports.is_empty() {
        let rows: Vec<Row<'_>> = reports.iter().map(Row::of).collect();
        match write(&rows, args.format.as_deref()) {
            Ok(text) => print!("{text}"),
            Err(e) => messages.push(e),
        }
    }
    match messages.len() {
        0 => Ok(()),
        1 => Err(Box::new(Exit::new(OWN_ERROR, messages.remove(0)))),
        // hashicorp/go-multierror's list, as Podman's `errorhandling.JoinErrors` prints it.
        n => Err(Box::new(Exit::new(
            OWN_ERROR,
            format!("{n} errors occurred:\n\t* {}", messages.join("\n\t* ")),
        ))),
    }
}

/// The rows in `format`: Podman's table by default, `json`, or a template.
fn write(rows: &[Row<'_>], format: Option<&str>) -> std::result::Result<String, String> {
    match format {
        Some("json") => go_json(rows),
        _ => {
            let values: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| serde_json::to_value(row).map_err(|e| e.to_string()))
                .collect::<std::result::Result<_, _>>()?;
            crate::format::render_with_headers(format.unwrap_or(DEFAULT), &values, &HEADERS)
        }
    }
}

/// JSON as Podman's `json.MarshalIndent(output, "", "    ")` and `fmt.Println` write it.
fn go_json(rows: &[Row<'_>]) -> std::result::Result<String, String> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    rows.serialize(&mut serializer).map_err(|e| e.to_string())?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// A report as Podman's `autoUpdateOutput`, its fields in its order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row<'a> {
    unit: &'a str,
    container: String,
    container_name: &'a str,
    #[serde(rename = "ContainerID")]
    container_id: &'a str,
    image: &'a str,
    policy: &'a str,
    updated: &'static str,
}

impl Row<'_> {
    fn of(report: &Report) -> Row<'_> {
        let short = report
            .container_id
            .get(..12)
            .unwrap_or(&report.container_id);
        Row {
            unit: &report.systemd_unit,
            container: format!("{short} ({})", report.container_name),
            container_name: &report.container_name,
            container_id: &report.container_id,
            image: &report.image_name,
            policy: &report.policy,
            updated: report.updated.as_str(),
        }
    }
}

//! `network ls [--filter K=V] [--format FMT] [--noheading] [--no-trunc] [--quiet]`: sorted
//! by name, as Podman 4.3's.

use super::filters::{NetworkFilter, Verb};
use super::{Result, print_networks, template_value};
use clap::Args;
use libpod_core::runtime::Runtime;
use serde_json::Value;

#[derive(Args)]
pub struct LsArgs {
    /// Provide filter values (name, id, driver, label, label!).
    #[arg(short, long)]
    filter: Vec<String>,
    /// Pretty-print networks to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Do not print headers.
    #[arg(long)]
    noheading: bool,
    /// Do not truncate the network ID.
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Display only network names.
    #[arg(short, long)]
    quiet: bool,
}

/// Podman's default: the short ID, the name and the driver, with headers.
const DEFAULT: &str = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";

/// Podman's column titles (`report.Headers` with its overrides).
const HEADERS: [(&str, &str); 4] = [
    ("ID", "NETWORK ID"),
    ("Name", "NAME"),
    ("Driver", "DRIVER"),
    ("Labels", "LABELS"),
];

pub fn ls(rt: &Runtime, args: LsArgs) -> Result {
    let filters = NetworkFilter::parse_all(&args.filter, Verb::List)?;
    let mut networks: Vec<_> = rt
        .networks()?
        .list()?
        .into_iter()
        .filter(|n| NetworkFilter::all_match(&filters, n))
        .collect();
    networks.sort_by(|a, b| a.name.cmp(&b.name));
    if args.quiet {
        for network in &networks {
            println!("{}", network.name);
        }
        return Ok(());
    }
    let format = args.format.as_deref().unwrap_or(DEFAULT);
    let rows = if format == "json" {
        networks
            .iter()
            .map(serde_json::to_value)
            .collect::<std::result::Result<Vec<_>, _>>()?
    } else {
        let mut rows = Vec::new();
        for network in &networks {
            let mut row = template_value(network)?;
            // ListPrintReports: the ID cut to 12 unless --no-trunc, labels as k=v,k=v.
            let id: String = network
                .id
                .chars()
                .take(if args.no_trunc { 64 } else { 12 })
                .collect();
            let labels: Vec<String> = network
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            row["ID"] = Value::String(id);
            row["Labels"] = Value::String(labels.join(","));
            rows.push(row);
        }
        rows
    };
    print_networks(format, rows, &HEADERS, args.noheading)
}

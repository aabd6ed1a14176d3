//! `volume ls [--filter K=V] [--format FMT] [--noheading] [--quiet]`.

use super::{Result, filters, inspect_value};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_core::volume::VolumeFilter;

#[derive(Args)]
pub struct LsArgs {
    /// Filter volume output (name, driver, scope, label, label!, opt, dangling, until).
    #[arg(short, long)]
    filter: Vec<String>,
    /// Format volume output using Go template.
    #[arg(long)]
    format: Option<String>,
    /// Do not print headers.
    #[arg(long)]
    noheading: bool,
    /// Print volume output in quiet mode.
    #[arg(short, long)]
    quiet: bool,
}

/// Podman's default: a table of the driver and the name.
const DEFAULT: &str = "table {{.Driver}}\t{{.Name}}";

pub fn ls(rt: &Runtime, args: LsArgs) -> Result {
    let filters = filters(&args.filter)?;
    let format = match (&args.format, args.quiet) {
        (_, true) => "{{.Name}}".to_string(),
        (Some(format), false) => format.clone(),
        (None, false) => DEFAULT.to_string(),
    };
    let mut rows = Vec::new();
    for volume in rt.volumes()? {
        if VolumeFilter::all_match(&filters, &volume)? {
            rows.push(inspect_value(&volume, format != "json")?);
        }
    }
    // Podman prints no header over an empty table.
    if rows.is_empty() && format.starts_with("table") {
        return Ok(());
    }
    let headers = [("Driver", "DRIVER"), ("Name", "VOLUME NAME")];
    let mut text = crate::format::render_with_headers(&format, &rows, &headers)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if args.noheading && format.starts_with("table") {
        text = crate::format::strip_header(&text);
    }
    print!("{text}");
    if format == "json" {
        println!();
    }
    Ok(())
}

//! `pod stats [--no-stream] [--no-reset] [--format FMT] [-a|-l|NAME..]`: one sample of each
//! running container of the pods named (all pods without names or with `-a`; the latest with
//! `-l`), with Podman's columns (`POD CID NAME CPU % MEM
//! USAGE / LIMIT MEM % NET IO BLOCK IO PIDS`); containers not running are left out.

use super::{Result, lookup, short};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;
use serde_json::json;

#[derive(Args)]
pub struct StatsArgs {
    /// Pretty-print container statistics to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Disable streaming stats and only pull the first result (podctl always does).
    #[arg(long)]
    no_stream: bool,
    /// Disable resetting the screen when streaming (podctl does not stream).
    #[arg(long)]
    no_reset: bool,
    /// Provide stats for all pods.
    #[arg(short, long)]
    all: bool,
    /// Act on the latest pod podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The pods (name or ID); all without any.
    pods: Vec<String>,
}

const DEFAULT: &str = "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}";

pub fn stats(rt: &Runtime, args: StatsArgs) -> Result {
    if [args.all, args.latest, !args.pods.is_empty()]
        .iter()
        .filter(|b| **b)
        .count()
        > 1
    {
        return Err(Exit::new(
            OWN_ERROR,
            "--all, --latest and arguments cannot be used together",
        )
        .into());
    }
    let pods = if args.latest {
        let latest = super::select::latest(rt)?;
        vec![
            latest
                .ok_or_else(|| Exit::new(OWN_ERROR, "unable to get list of pods: no such pod"))?,
        ]
    } else if args.pods.is_empty() {
        rt.pods()?
    } else {
        args.pods
            .iter()
            .map(|n| lookup(rt, n))
            .collect::<Result<Vec<_>>>()?
    };
    let mut rows = Vec::new();
    for pod in pods {
        for (id, s) in pod.stats(&Default::default())? {
            let size = crate::human::size;
            rows.push(json!({
                "Pod": short(pod.id(), false),
                "CID": short(&id, false),
                "Name": s.name,
                "CPU": format!("{:.2}%", s.cpu),
                "MemUsage": format!("{} / {}", size(s.mem_usage), size(s.mem_limit)),
                "Mem": format!("{:.2}%", s.mem_perc),
                "NetIO": format!("{} / {}", size(s.net_input), size(s.net_output)),
                "BlockIO": format!("{} / {}", size(s.block_input), size(s.block_output)),
                "PIDS": s.pids.to_string(),
            }));
        }
    }
    let format = args.format.unwrap_or_else(|| DEFAULT.to_string());
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let headers = [
        ("Pod", "POD"),
        ("CID", "CID"),
        ("Name", "NAME"),
        ("CPU", "CPU %"),
        ("MemUsage", "MEM USAGE/ LIMIT"),
        ("Mem", "MEM %"),
        ("NetIO", "NET IO"),
        ("BlockIO", "BLOCK IO"),
        ("PIDS", "PIDS"),
    ];
    let text = crate::format::render_with_headers(&format, &rows, &headers)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    // Podman 4.3 heads any template's rows, a table's or not (none: nothing printed).
    if !format.starts_with("table ") && !rows.is_empty() {
        println!("{}", crate::format::header_row(&format, &headers));
    }
    print!("{text}");
    Ok(())
}

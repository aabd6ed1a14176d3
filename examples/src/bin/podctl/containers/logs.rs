//! `logs`: Podman 4.3's flags (`-f`, `--since`, `--until`, `--tail`, `-t`, `-n/--names`,
//! `-l`), one or more containers; with several, each line starts with the container's short
//! ID (or its name with `--names`), as Podman's `LogLine.String`.

use clap::Args;
use libpod_core::logs::{LogOptions, Stream, parse_time};
use libpod_core::runtime::Runtime;
use std::io::Write;

use super::{Result, Selection};

#[derive(Args)]
pub struct LogsArgs {
    /// Follow the log until the container stops.
    #[arg(short, long)]
    follow: bool,
    /// Output the specified number of LINES at the end of the logs (-1: all).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    tail: i64,
    /// Only lines since this time (RFC 3339, Unix time, or a duration like 10m).
    #[arg(long)]
    since: Option<String>,
    /// Only lines before this time.
    #[arg(long)]
    until: Option<String>,
    /// Output the timestamps in the log.
    #[arg(short, long)]
    timestamps: bool,
    /// Output the container name in the log (when showing several containers).
    #[arg(short, long)]
    names: bool,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The containers.
    containers: Vec<String>,
}

pub fn logs(rt: &Runtime, args: LogsArgs) -> Result {
    let selected = Selection {
        names: &args.containers,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    let multi = selected.len() > 1;
    let now = chrono::Local::now().fixed_offset();
    let mut options = LogOptions::default();
    options.follow = args.follow;
    options.tail = usize::try_from(args.tail).ok();
    options.since = args
        .since
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()?;
    options.until = args
        .until
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()?;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for (_, ctr) in &selected {
        let mut prefix = match (multi, args.names) {
            (false, _) => String::new(),
            (true, true) => format!("{} ", ctr.name()),
            (true, false) => format!("{} ", &ctr.id()[..12]),
        };
        let base = prefix.len();
        ctr.logs(&options, &mut |line| {
            prefix.truncate(base);
            if args.timestamps {
                // Podman's LogTimeFormat: always nine digits.
                prefix.push_str(&format!(
                    "{} ",
                    line.time
                        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
                ));
            }
            let _ = match line.stream {
                Stream::Stdout => writeln!(stdout.lock(), "{prefix}{}", line.message),
                Stream::Stderr => writeln!(stderr.lock(), "{prefix}{}", line.message),
            };
            true
        })?;
    }
    Ok(())
}

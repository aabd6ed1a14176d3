//! `logs`.

use clap::Args;
use libpod_core::logs::{LogOptions, Stream, parse_time};
use libpod_core::runtime::Runtime;
use std::io::Write;

use super::Result;

#[derive(Args)]
pub struct LogsArgs {
    /// Follow the log until the container stops.
    #[arg(short, long)]
    follow: bool,
    /// Only the last N lines.
    #[arg(long)]
    tail: Option<usize>,
    /// Only lines since this time (RFC 3339, Unix time, or a duration like 10m).
    #[arg(long)]
    since: Option<String>,
    /// Only lines before this time.
    #[arg(long)]
    until: Option<String>,
    /// Show timestamps.
    #[arg(short, long)]
    timestamps: bool,
    /// The container.
    container: String,
}

pub fn logs(rt: &Runtime, args: LogsArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    let now = chrono::Local::now().fixed_offset();
    let mut options = LogOptions::default();
    options.follow = args.follow;
    options.tail = args.tail;
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
    ctr.logs(&options, &mut |line| {
        let prefix = if args.timestamps {
            format!(
                "{} ",
                line.time
                    .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            )
        } else {
            String::new()
        };
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{prefix}{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{prefix}{}", line.message),
        };
        true
    })?;
    Ok(())
}

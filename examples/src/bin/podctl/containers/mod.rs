//! podctl's container commands, one file per verb or verb group.

mod create;
mod create_flags;
mod fs;
mod inspect;
mod lifecycle;
mod logs;
mod ps;
mod rm;

pub use create::{CreateArgs, RunArgs, create, run};
pub use fs::{ExportArgs, export, mount};
pub use inspect::inspect;
pub use lifecycle::{
    KillArgs, StartArgs, StopArgs, init, kill, pause, restart, start, stop, unpause, wait,
};
pub use logs::{LogsArgs, logs};
pub use ps::{PsArgs, ps};
pub use rm::{RmArgs, rm};

use clap::Args;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct IdsArgs {
    /// Containers (name or ID).
    #[arg(required = true)]
    containers: Vec<String>,
}

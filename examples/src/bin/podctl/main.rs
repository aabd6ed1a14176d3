//! podctl: a small Podman-compatible command line built on the libpod-rs crates.
//!
//! It exists to show how the library is used and to drive it from tests; its flags are named
//! as Podman's. So far it covers images: `import`, `pull oci:DIR[:TAG]`,
//! `pull oci-archive:FILE[:TAG]`, `images`, `image inspect`, `tag`, `untag`, `rmi`, `save`,
//! `image mount`, `image unmount`, `image prune`.
//!
//! ```text
//! podctl --root /var/lib/libpod-rs import --change 'CMD ["/bin/sh"]' rootfs.tar busybox
//! podctl images
//! podctl save --format oci-archive -o busybox.tar busybox
//! ```

mod images;

use clap::{Parser, Subcommand};
use libpod_storage::{Store, StoreOptions, driver::DriverKind};
use std::path::PathBuf;
use std::process::ExitCode;

/// podctl: containers and images with libpod-rs.
#[derive(Parser)]
#[command(
    name = "podctl",
    version,
    about = "A small Podman-compatible command line built on the libpod-rs crates"
)]
struct Cli {
    /// Persistent storage root.
    #[arg(long, global = true, default_value = "/var/lib/libpod-rs")]
    root: PathBuf,
    /// Volatile state root.
    #[arg(long, global = true, default_value = "/run/libpod-rs")]
    runroot: PathBuf,
    /// Storage driver: overlay or vfs (default: overlay when it works here).
    #[arg(long = "storage-driver", global = true)]
    storage_driver: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a root filesystem tarball as an image.
    Import(images::ImportArgs),
    /// Pull an image from an OCI layout (oci:DIR[:TAG]) or archive (oci-archive:FILE[:TAG]).
    Pull(images::PullArgs),
    /// List images.
    Images(images::ImagesArgs),
    /// Add a name to an image.
    Tag(images::TagArgs),
    /// Remove names from an image.
    Untag(images::UntagArgs),
    /// Remove images.
    Rmi(images::RmiArgs),
    /// Save an image to an OCI archive or layout.
    Save(images::SaveArgs),
    /// Image subcommands.
    #[command(subcommand)]
    Image(ImageCommand),
}

#[derive(Subcommand)]
enum ImageCommand {
    /// Show an image's details as JSON.
    Inspect(images::InspectArgs),
    /// Mount an image read-only and print where.
    Mount(images::MountArgs),
    /// Unmount an image.
    Unmount(images::UnmountArgs),
    /// Remove dangling images and unused layers.
    Prune,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("Error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("{message}");
            ExitCode::from(125)
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = StoreOptions::new(cli.root.join("storage"), cli.runroot.join("storage"));
    options.driver = cli
        .storage_driver
        .as_deref()
        .map(str::parse::<DriverKind>)
        .transpose()?;
    let store = Store::open(options)?;
    match cli.command {
        Command::Import(args) => images::import(&store, args),
        Command::Pull(args) => images::pull(&store, args),
        Command::Images(args) => images::list(&store, args),
        Command::Tag(args) => images::tag(&store, args),
        Command::Untag(args) => images::untag(&store, args),
        Command::Rmi(args) => images::rmi(&store, args),
        Command::Save(args) => images::save(&store, args),
        Command::Image(ImageCommand::Inspect(args)) => images::inspect(&store, args),
        Command::Image(ImageCommand::Mount(args)) => images::mount(&store, args),
        Command::Image(ImageCommand::Unmount(args)) => images::unmount(&store, args),
        Command::Image(ImageCommand::Prune) => images::prune(&store),
    }
}

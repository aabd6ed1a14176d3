//! podctl's image commands.

mod filters;
mod list;
mod load;
mod prune;
mod save;

pub use list::{ImagesArgs, list};
pub use load::{LoadArgs, load};
pub use prune::{ExistsArgs, PruneArgs, exists, prune, prune_images};
pub use save::{SaveArgs, save};

use crate::errors::{Exit, OWN_ERROR, report};
use clap::Args;
use libpod_storage::manifest::Platform;
use libpod_storage::store::local_name;
use libpod_storage::transport::{OciArchive, OciLayout};
use libpod_storage::{ImageRecord, ImageReference, StorageError, Store};
use serde_json::json;
use std::error::Error;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

#[derive(Args)]
pub struct ImportArgs {
    /// Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE,
    /// VOLUME, STOPSIGNAL) to the image config.
    #[arg(short, long)]
    change: Vec<String>,
    /// Suppress output.
    #[arg(short, long)]
    quiet: bool,
    /// The tarball (plain, gzip or zstd), or - for standard input.
    source: String,
    /// The image's name.
    reference: Option<String>,
}

pub fn import(store: &Store, args: ImportArgs) -> Result {
    let name = args.reference.as_deref().map(local_name).transpose()?;
    let reader: Box<dyn Read + Send> = if args.source == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(&args.source).map_err(|e| format!("open {}: {e}", args.source))?)
    };
    let image = store.import_tarball(reader, name.as_ref(), &args.change)?;
    println!("{}", image.id);
    Ok(())
}

#[derive(Args)]
pub struct PullArgs {
    /// Suppress progress output.
    #[arg(short, long)]
    quiet: bool,
    /// Choose the platform (os/arch[/variant]) of multi-platform images.
    #[arg(long)]
    platform: Option<String>,
    #[command(flatten)]
    registry: crate::registry::RegistryFlags,
    /// A registry reference (docker://REF or REF), oci:DIR[:TAG] or oci-archive:FILE[:TAG].
    source: String,
}

pub fn pull(store: &Store, args: PullArgs) -> Result {
    let wanted = args.platform.as_deref().map(Platform::parse).transpose()?;
    let (transport, rest) = match args.source.split_once(':') {
        Some((transport @ ("oci" | "oci-archive"), rest)) => (transport, rest),
        _ => {
            let reference = args
                .source
                .strip_prefix("docker://")
                .unwrap_or(&args.source);
            return crate::registry::pull(store, reference, wanted, &args.registry, args.quiet);
        }
    };
    let platform = wanted.unwrap_or_else(Platform::host);
    let (path, tag) = match rest.split_once(':') {
        Some((path, tag)) => (PathBuf::from(path), Some(tag.to_string())),
        None => (PathBuf::from(rest), None),
    };
    let name = pulled_name(&path, tag.as_deref())?;
    let image = match transport {
        "oci" => store.pull_from(
            &OciLayout::open(&path, tag.as_deref(), &platform)?,
            Some(&name),
        )?,
        "oci-archive" => {
            // Unpacked in a staging directory this process holds locked: another process's
            // repair does not take it for a leftover.
            let staging = store.staging()?;
            let archive = OciArchive::open(&path, staging.path(), tag.as_deref(), &platform)?;
            store.pull_from(&archive, Some(&name))?
        }
        other => {
            return Err(
                format!("unsupported transport {other:?}: use oci: or oci-archive:").into(),
            );
        }
    };
    println!("{}", image.id.hex());
    Ok(())
}

/// The name an image pulled from a layout gets: its tag when that is a fully qualified
/// reference, else `localhost/PATH:TAG` as Podman names it.
fn pulled_name(path: &Path, tag: Option<&str>) -> Result<ImageReference> {
    if let Some(tag) = tag
        && !ImageReference::is_short_name(tag)
        && let Ok(reference) = ImageReference::parse(tag)
    {
        return Ok(reference);
    }
    let repo = path.to_string_lossy().trim_matches('/').to_lowercase();
    let tag = tag
        .filter(|t| !t.contains('/') && !t.contains(':'))
        .unwrap_or("latest");
    Ok(local_name(&format!("{repo}:{tag}"))?)
}

#[derive(Args)]
pub struct InspectArgs {
    /// Images to inspect.
    #[arg(required = true)]
    images: Vec<String>,
}

/// `podman image inspect`'s object for one image.
pub fn inspect_value(store: &Store, name: &str) -> Result<serde_json::Value> {
    let image = store.image(name)?;
    inspect_json(store, &image)
}

pub fn inspect(store: &Store, args: InspectArgs) -> Result {
    let mut out = Vec::new();
    for name in &args.images {
        out.push(inspect_value(store, name)?);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// An image as `podman image inspect` shows it, for the fields we have.
fn inspect_json(store: &Store, image: &ImageRecord) -> Result<serde_json::Value> {
    let config = store.image_config(image)?;
    let repo_digests: Vec<String> = image
        .names
        .iter()
        .filter_map(|n| ImageReference::parse(n).ok())
        .map(|r| format!("{}@{}", r.name(), image.manifest_digest))
        .collect();
    Ok(json!({
        "Id": image.id.hex(),
        "Digest": image.manifest_digest.to_string(),
        "RepoTags": image.names,
        "RepoDigests": repo_digests,
        "Created": image.created,
        "Config": config.config(),
        "Architecture": config.architecture().to_string(),
        "Os": config.os().to_string(),
        "Size": image.size,
        "VirtualSize": image.size,
        "RootFS": {"Type": "layers", "Layers": config.rootfs().diff_ids()},
        "History": config.history(),
        "ManifestType": image.manifest_media_type,
    }))
}

#[derive(Args)]
pub struct TagArgs {
    /// The image.
    image: String,
    /// New names.
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn tag(store: &Store, args: TagArgs) -> Result {
    for name in &args.names {
        store.tag(&args.image, name)?;
    }
    Ok(())
}

#[derive(Args)]
pub struct UntagArgs {
    /// The image.
    image: String,
    /// Names to remove (all when none are given).
    names: Vec<String>,
}

pub fn untag(store: &Store, args: UntagArgs) -> Result {
    let names = if args.names.is_empty() {
        store.image(&args.image)?.names
    } else {
        args.names
    };
    for name in &names {
        store.untag(&args.image, name)?;
    }
    Ok(())
}

#[derive(Args)]
pub struct RmiArgs {
    /// Remove all images.
    #[arg(short, long)]
    all: bool,
    /// Force removal of the image (and of the containers using it: not supported yet, so it
    /// only removes images that containers do not use).
    #[arg(short, long)]
    force: bool,
    /// Ignore errors if a specified image does not exist.
    #[arg(short, long)]
    ignore: bool,
    /// Images to remove.
    images: Vec<String>,
}

/// `rmi`: Podman's exit codes are 1 when an image does not exist and 2 when it is in use.
pub fn rmi(store: &Store, args: RmiArgs) -> Result {
    let images = match (args.all, args.images.is_empty()) {
        (true, false) => {
            return Err(Exit::new(
                OWN_ERROR,
                "when using the --all switch, you may not pass any images names or IDs",
            )
            .into());
        }
        (true, true) => store
            .images()?
            .iter()
            .map(|i| i.id.hex().to_string())
            .collect(),
        (false, true) => {
            return Err(Exit::new(OWN_ERROR, "image name or ID must be specified").into());
        }
        (false, false) => args.images.clone(),
    };
    let mut last: Option<Box<dyn Error>> = None;
    for image in &images {
        match store.remove_image(image, args.force) {
            Ok(removed) => {
                for name in &removed.untagged {
                    println!("Untagged: {name}");
                }
                if removed.deleted {
                    println!("Deleted: {}", removed.id.hex());
                }
            }
            Err(StorageError::ImageNotKnown(_)) if args.ignore => {}
            Err(err) => {
                if let Some(previous) = last.take() {
                    eprintln!("Error: {}", report(previous.as_ref()).0);
                }
                let code = match &err {
                    StorageError::ImageNotKnown(_) => 1,
                    StorageError::ImageInUse { .. } => 2,
                    _ => OWN_ERROR,
                };
                last = Some(Exit::new(code, report(&err).0).into());
            }
        }
    }
    match last {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

#[derive(Args)]
pub struct MountArgs {
    /// The image.
    image: String,
}

pub fn mount(store: &Store, args: MountArgs) -> Result {
    println!("{}", store.mount_image(&args.image)?.display());
    Ok(())
}

#[derive(Args)]
pub struct UnmountArgs {
    /// Unmount even if mounted several times.
    #[arg(short, long)]
    force: bool,
    /// The image.
    image: String,
}

pub fn unmount(store: &Store, args: UnmountArgs) -> Result {
    store.unmount_image(&args.image, args.force)?;
    Ok(())
}

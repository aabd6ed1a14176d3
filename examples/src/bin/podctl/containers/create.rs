//! `create` and `run`: the image is pulled first under `--pull` (default `missing`), as
//! Podman does; `--replace`, `--cidfile`, `--rootfs`, and for `run` `-d`, `--rmi`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{
    Container, RemoveOptions, options_from_create_config, with_raw_image_name, with_rootfs_path,
};
use libpod_core::logs::{LogOptions, Stream};
use libpod_core::runtime::Runtime;
use libpod_storage::StorageError;
use libpod_storage::registry::PullPolicy;
use std::io::Write;

use super::Result;
use super::attach::{AttachFlags, Begin, session};
use super::create_flags::CreateFlags;
use crate::errors::{Exit, OWN_ERROR, name_in_use};
use crate::registry::{RegistryFlags, pull_image};
use libpod_core::oci::AttachEnd;

/// Creates the container the flags describe, pulling its image first as `--pull` says.
pub(super) fn create_container(rt: &Runtime, flags: &mut CreateFlags) -> Result<Container> {
    if let Some(path) = &flags.pod_id_file {
        if flags.pod.is_some() {
            return Err(Exit::new(OWN_ERROR, "cannot specify both --pod and --pod-id-file").into());
        }
        let id = std::fs::read_to_string(path).map_err(|e| {
            Exit::new(
                OWN_ERROR,
                format!(
                    "reading pod ID file: open {}: {}",
                    path.display(),
                    super::io_reason(&e)
                ),
            )
        })?;
        flags.pod = Some(id.trim().to_string());
    }
    // `--pod new:NAME`: the pod first, with the container's network settings.
    let new_pod = match flags
        .pod
        .clone()
        .as_deref()
        .and_then(|p| p.strip_prefix("new:"))
    {
        Some(name) => Some(super::new_pod::create_pod(rt, name, flags)?),
        None => None,
    };
    let created = create_in(rt, flags);
    if let (Err(_), Some(pod)) = (&created, new_pod) {
        // Not left behind half-made (Podman 4.3 leaves it).
        let removed = rt.remove_pod(
            &pod,
            libpod_core::pod::PodRemoveOptions::default()
                .force(true)
                .timeout(0),
        );
        if let Err(err) = removed {
            tracing::warn!(pod = %pod.id(), %err, "removing the new pod after a failed create");
        }
    }
    created
}

fn create_in(rt: &Runtime, flags: &CreateFlags) -> Result<Container> {
    if let Some(path) = &flags.cidfile
        && path.exists()
    {
        return Err(Exit::new(
            OWN_ERROR,
            format!(
                "container id file exists. Ensure another container is not using it or delete {}",
                path.display()
            ),
        )
        .into());
    }
    let image = if flags.rootfs {
        flags.image.clone()
    } else {
        resolve_image(rt, flags)?
    };
    let config = flags.to_create_config(&image)?;
    let mut options = options_from_create_config(&config)?;
    if flags.rootfs {
        options.push(with_rootfs_path(&flags.image));
    } else if image != flags.image {
        // Recorded under its full name, as Podman shows it; auto-update wants it as written.
        options.push(with_raw_image_name(&flags.image));
    }
    options.extend(flags.extra_options(rt)?);
    if flags.replace
        && let Some(name) = &flags.name
    {
        match rt.container(name) {
            Ok(old) => rt.remove_container(&old, RemoveOptions::default().force(true))?,
            Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    let ctr = match rt.new_container(options) {
        Ok(ctr) => ctr,
        Err(CoreError::NameInUse(name)) => {
            let holder = rt.container(&name).ok();
            let message = name_in_use(&name, holder.as_ref().map(Container::id));
            return Err(Exit::new(OWN_ERROR, message).into());
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(path) = &flags.cidfile {
        std::fs::write(path, ctr.id()).map_err(|e| {
            format!(
                "opening cidfile: open {}: {}",
                path.display(),
                super::io_reason(&e)
            )
        })?;
    }
    Ok(ctr)
}

/// The name of the image to create from: the flags' when it is here (and `--pull` allows
/// using it), else the name of the image pulled for it.
fn resolve_image(rt: &Runtime, flags: &CreateFlags) -> Result<String> {
    let policy = match flags.pull.as_str() {
        "always" | "true" => PullPolicy::Always,
        "missing" => PullPolicy::Missing,
        "never" | "false" => PullPolicy::Never,
        "newer" => PullPolicy::Newer,
        other => {
            return Err(Exit::new(OWN_ERROR, format!("invalid pull policy \"{other}\"")).into());
        }
    };
    let store = rt.storage();
    if matches!(policy, PullPolicy::Missing | PullPolicy::Never) {
        match store.image(&flags.image) {
            Ok(here) => return Ok(full_name(&flags.image, &here.names)),
            Err(StorageError::ImageNotKnown(_)) if policy == PullPolicy::Never => {
                return Err(StorageError::ImageNotKnown(flags.image.clone()).into());
            }
            Err(StorageError::ImageNotKnown(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    let registry = RegistryFlags::new(flags.tls_verify, flags.authfile.clone());
    let image = pull_image(store, &flags.image, policy, None, &registry, flags.quiet)?;
    Ok(match store.image(&flags.image) {
        Ok(here) if here.id == image.id => flags.image.clone(),
        _ => image
            .names
            .first()
            .cloned()
            .unwrap_or_else(|| image.id.hex().to_string()),
    })
}

/// The image's own name for what the user wrote (`localhost/busybox` is
/// `localhost/busybox:latest`), as Podman records and shows it; else what the user wrote (an
/// ID).
pub fn full_name(given: &str, names: &[String]) -> String {
    let tagged = format!("{given}:latest");
    names
        .iter()
        .find(|n| {
            *n == given
                || **n == tagged
                || n.ends_with(&format!("/{given}"))
                || n.ends_with(&format!("/{tagged}"))
        })
        .cloned()
        .unwrap_or_else(|| given.to_string())
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    flags: CreateFlags,
}

pub fn create(rt: &Runtime, mut args: CreateArgs) -> Result {
    println!("{}", create_container(rt, &mut args.flags)?.id());
    Ok(())
}

#[derive(Args)]
pub struct RunArgs {
    /// Run container in background and print container ID.
    #[arg(short, long)]
    detach: bool,
    #[command(flatten)]
    attach: AttachFlags,
    /// Remove image unless used by other containers, implies --rm.
    #[arg(long)]
    rmi: bool,
    #[command(flatten)]
    flags: CreateFlags,
}

/// `run`: create, start, and (unless detached) print the output and exit with the container's
/// exit code.
pub fn run(rt: &Runtime, mut args: RunArgs) -> Result<i32> {
    if args.rmi {
        if args.detach {
            return Err(
                Exit::new(OWN_ERROR, "the --detach option is not allowed with --rmi").into(),
            );
        }
        args.flags.rm = true;
    }
    let rm = args.flags.rm;
    let ctr = create_container(rt, &mut args.flags)?;
    if ctr.config().pod.is_some()
        && let Err(err) = ctr.start_dependencies()
    {
        // A pod's member: its pod's infra container (and what else it depends on) first.
        if rm {
            let _ = rt.remove_container(&ctr, RemoveOptions::default().force(true));
        }
        return Err(err.into());
    }
    // With -i or -t, through the attach socket, as Podman's run; else the log is followed.
    let interactive = args.flags.interactive || args.flags.tty;
    let started = if interactive && !args.detach {
        session(&ctr, Begin::Start, args.flags.interactive, &args.attach)
            .map(|end| Some(Attached::Session(end)))
    } else if args.detach || ctr.config().log_driver != libpod_core::container::LogDriver::K8sFile {
        ctr.start().map(|()| None).map_err(Into::into)
    } else {
        // The log opened before the start: an auto-remove container's exit command may remove
        // it (log and all) as soon as the process ends.
        start_and_follow(&ctr).map(|()| Some(Attached::Followed))
    };
    let attached = match started {
        Ok(attached) => attached,
        Err(err) => {
            if rm {
                // Podman removes a --rm container whose start failed.
                let _ = rt.remove_container(&ctr, RemoveOptions::default().force(true));
            }
            return Err(err);
        }
    };
    if args.detach {
        println!("{}", ctr.id());
        return Ok(0);
    }
    let code = match attached {
        // Left running: no wait, no removal (as Podman).
        Some(Attached::Session(AttachEnd::Detached)) => return Ok(0),
        Some(_) => ctr.wait()?,
        None => attach_output(&ctr)?,
    };
    if rm {
        // An auto-remove container is removed as its exit is handled; this is for one that
        // outlived it (a dependent appeared, the exit was handled elsewhere and failed).
        match rt.remove_container(&ctr, RemoveOptions::default().force(true)) {
            Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    if args.rmi
        && let Some(libpod_core::container::RootfsSource::Image { id, .. }) = &ctr.config().rootfs
    {
        // Kept when other containers use it, as Podman does.
        match rt.storage().remove_image(id, false) {
            Ok(_) | Err(StorageError::ImageInUse { .. }) => {}
            Err(err) => eprintln!("Error: {}", crate::errors::report(&err).0),
        }
    }
    Ok(code)
}

/// How a foreground `run` showed the container's output.
enum Attached {
    /// Through the attach socket.
    Session(AttachEnd),
    /// By following its log from before the start.
    Followed,
}

/// Starts the container and shows its log on our stdout/stderr until it exits.
fn start_and_follow(ctr: &Container) -> Result<()> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ctr.start_and_follow_logs(&mut |line| {
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{}", line.message),
        };
        true
    })?;
    Ok(())
}

/// Follows the container's log to our stdout/stderr until it exits; returns its exit code.
pub(super) fn attach_output(ctr: &Container) -> Result<i32> {
    let mut options = LogOptions::default();
    options.follow = true;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ctr.logs(&options, &mut |line| {
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{}", line.message),
        };
        true
    })?;
    Ok(ctr.wait()?)
}

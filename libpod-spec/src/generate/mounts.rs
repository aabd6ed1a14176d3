//! The container's mounts: defaults, the user's volumes and mounts, image volumes, and the
//! files the runtime generated.

use super::defaults::{self, CONTAINER_INIT_PATH, mount};
use super::{SpecContext, SpecDefaults};
use crate::ImageConfig;
use crate::config::{CreateConfig, ImageVolumeMode, NamespaceMode};
use crate::error::{Result, SpecError};
use crate::parse::{VolumeMount, process_mount_options};
use oci_spec::runtime::Mount;
use std::path::{Component, Path, PathBuf};

/// The mounts, and whether the user asked for bind mounts (a condition of OCI hooks).
pub(super) struct Mounts {
    pub mounts: Vec<Mount>,
    pub has_user_binds: bool,
}

pub(super) fn build(
    config: &CreateConfig,
    requests: &[VolumeMount],
    image: Option<&ImageConfig>,
    ctx: &SpecContext,
    defaults: &SpecDefaults,
) -> Result<Mounts> {
    let mut user = user_mounts(requests, ctx)?;
    let has_user_binds = user.iter().any(|m| m.typ().as_deref() == Some("bind"));
    user.extend(image_volumes(config, image, ctx, &user)?);
    if config.security.read_only_rootfs && config.security.read_only_tmpfs {
        for dest in ["/run", "/tmp", "/var/tmp"] {
            if !has_destination(&user, dest) {
                user.push(defaults::read_only_tmpfs(dest)?);
            }
        }
    }
    // Parents before children: a tmpfs on /data must not hide a bind on /data/x.
    user.sort_by_key(|m| m.destination().components().count());

    let mut mounts: Vec<Mount> = defaults::default_mounts(config.security.privileged)?
        .into_iter()
        .filter(|m| !has_destination(&user, &m.destination().to_string_lossy()))
        .collect();
    if !has_destination(&user, "/dev/shm") {
        mounts.push(shm_mount(config, ctx, defaults)?);
    }
    if config.init {
        let init = config.init_path.as_deref().unwrap_or(&defaults.init_path);
        mounts.push(defaults::runtime_bind(
            CONTAINER_INIT_PATH,
            &init.to_string_lossy(),
            &["bind", "ro", "rprivate"],
        )?);
    }
    let run_is_mounted = has_destination(&user, "/run");
    mounts.extend(user);
    for (dest, source) in &ctx.bind_mounts {
        if dest == "/dev/shm" || has_destination(&mounts, dest) {
            continue;
        }
        // A tmpfs on /run would hide the file's mount point; Podman leaves it out.
        if dest == "/run/.containerenv" && run_is_mounted {
            continue;
        }
        let options: &[&str] = if config.security.read_only_rootfs {
            &["bind", "rprivate", "ro", "nosuid", "noexec", "nodev"]
        } else {
            &["bind", "rprivate"]
        };
        mounts.push(defaults::runtime_bind(
            dest,
            &source.to_string_lossy(),
            options,
        )?);
    }
    Ok(Mounts {
        mounts,
        has_user_binds,
    })
}

fn has_destination(mounts: &[Mount], dest: &str) -> bool {
    mounts.iter().any(|m| m.destination() == Path::new(dest))
}

/// /dev/shm: the host's with `--ipc host`, else the shm directory the runtime supplies (its
/// own, or that of the container whose IPC namespace is joined), else a tmpfs of `shm_size`.
fn shm_mount(config: &CreateConfig, ctx: &SpecContext, defaults: &SpecDefaults) -> Result<Mount> {
    let options = &["bind", "rprivate", "nosuid", "noexec", "nodev"];
    if config.ipc == NamespaceMode::Host {
        return defaults::runtime_bind("/dev/shm", "/dev/shm", options);
    }
    match ctx.bind_mounts.get("/dev/shm") {
        Some(dir) => defaults::runtime_bind("/dev/shm", &dir.to_string_lossy(), options),
        None => defaults::shm_tmpfs(config.resources.shm_size.unwrap_or(defaults.shm_size)),
    }
}

/// `-v`, `--mount` and `--tmpfs` (parsed), with named and anonymous volumes bound from the
/// paths the runtime prepared.
fn user_mounts(requests: &[VolumeMount], ctx: &SpecContext) -> Result<Vec<Mount>> {
    let mut mounts: Vec<Mount> = Vec::with_capacity(requests.len());
    for request in requests {
        let mut mount = match request {
            VolumeMount::Mount(m) => m.clone(),
            VolumeMount::Named {
                destination,
                options,
                ..
            }
            | VolumeMount::Anonymous {
                destination,
                options,
            } => volume_bind(ctx, destination, options)?,
        };
        if has_destination(&mounts, &mount.destination().to_string_lossy()) {
            return Err(SpecError::invalid(
                "volume",
                mount.destination().display().to_string(),
                "duplicate mount destination",
            ));
        }
        let options = engine_options_removed(&mount);
        mount.set_options(Some(options));
        mounts.push(mount);
    }
    Ok(mounts)
}

/// Drops the options the engine acts on rather than the OCI runtime: `z`/`Z` (SELinux
/// relabelling, a no-op on hosts without SELinux, as in Podman) and `U` (the engine chowns
/// the source to the container's user before the container starts, as Podman's libpod).
fn engine_options_removed(mount: &Mount) -> Vec<String> {
    let options = mount.options().clone().unwrap_or_default();
    options
        .into_iter()
        .filter(|o| o != "z" && o != "Z" && o != "U")
        .collect()
}

fn volume_bind(ctx: &SpecContext, destination: &str, options: &[String]) -> Result<Mount> {
    let source = ctx.volume_paths.get(destination).ok_or_else(|| {
        SpecError::invalid(
            "volume",
            destination,
            "the runtime supplied no volume for this destination",
        )
    })?;
    let source = source.to_string_lossy();
    let options = process_mount_options(options, false, Some(&source))?;
    mount(destination, "bind", &source, &options)
}

/// The image's `Volumes` that no user mount covers, as `--image-volume` says.
fn image_volumes(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    ctx: &SpecContext,
    user: &[Mount],
) -> Result<Vec<Mount>> {
    let volumes = image.and_then(|i| i.volumes().as_ref());
    let mut mounts = Vec::new();
    for volume in volumes.into_iter().flatten() {
        let dest = image_volume_destination(volume);
        if has_destination(user, &dest) || has_destination(&mounts, &dest) {
            continue;
        }
        let options: Vec<String> = ["rprivate", "rw", "nodev", "exec", "nosuid"]
            .map(String::from)
            .to_vec();
        match config.image_volume_mode {
            ImageVolumeMode::Ignore => {}
            ImageVolumeMode::Tmpfs => mounts.push(mount(
                &dest,
                "tmpfs",
                "tmpfs",
                &process_mount_options(&options, true, None)?,
            )?),
            ImageVolumeMode::Bind => mounts.push(volume_bind(ctx, &dest, &options)?),
        }
    }
    Ok(mounts)
}

/// Where an image's `Volumes` key is mounted: the key lexically cleaned and made absolute
/// (`/a/./b/` -> `/a/b`), as Go's `path.Clean` for image volume paths. The runtime keys the
/// volumes it supplies (`SpecContext::volume_paths`) by this same path.
pub fn image_volume_destination(path: &str) -> String {
    let mut out = PathBuf::from("/");
    for c in Path::new(path).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out.to_string_lossy().into_owned()
}

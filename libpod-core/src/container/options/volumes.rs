//! The user's mounts, parsed as they are given (a bind source's filesystem decides its
//! default options then) and kept parsed in the container's `mounts`.

use super::CtrCreateOption;

/// Volumes (`-v SRC:DEST[:OPTS]`): a bind mount of an absolute host path, a named volume
/// (`NAME:DEST`), or an anonymous one (`DEST`).
pub fn with_user_volumes<S: Into<String>>(volumes: impl IntoIterator<Item = S>) -> CtrCreateOption {
    let volumes: Vec<String> = volumes.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        for v in &volumes {
            d.config.mounts.push(libpod_spec::parse::parse_volume(v)?);
        }
        Ok(())
    })
}

/// Named volumes: (name, destination, options).
pub fn with_named_volumes(volumes: Vec<(String, String, Vec<String>)>) -> CtrCreateOption {
    with_user_volumes(volumes.into_iter().map(|(name, dest, opts)| {
        if opts.is_empty() {
            format!("{name}:{dest}")
        } else {
            format!("{name}:{dest}:{}", opts.join(","))
        }
    }))
}

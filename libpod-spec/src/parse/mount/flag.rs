//! `--mount type=...`, as Podman 4.3's specgenutil `getBindMount`, `getTmpfsMount`,
//! `getDevptsMount` and `getNamedVolume` read it.

use super::options::{PROPAGATIONS, process_options, validate_volume_options};
use super::{VolumeMount, bind_mount, check_destination, check_volume_name, csv, spec_mount};
use crate::error::{Result, SpecError};
use crate::parse::paths::clean_path;

const FIELD: &str = "mount";

/// One `--mount` string being read: the whole string (for errors) and the options gathered.
struct Reader<'a> {
    whole: &'a str,
    options: Vec<String>,
    /// Keys of which only one may be given, as they were met.
    seen: Vec<&'static str>,
    destination: Option<String>,
}

impl<'a> Reader<'a> {
    fn new(whole: &'a str) -> Self {
        Reader {
            whole,
            options: Vec::new(),
            seen: Vec::new(),
            destination: None,
        }
    }

    fn error(&self, reason: impl Into<String>) -> SpecError {
        SpecError::invalid(FIELD, self.whole, reason)
    }

    /// Refuses a second member of a group of keys (`ro`/`rw`, `suid`/`nosuid`, ...).
    fn once(&mut self, group: &'static str) -> Result<()> {
        if self.seen.contains(&group) {
            return Err(self.error(format!("cannot pass {group} options more than once")));
        }
        self.seen.push(group);
        Ok(())
    }

    fn required<'v>(&self, key: &str, value: Option<&'v str>) -> Result<&'v str> {
        value.ok_or_else(|| self.error(format!("{key}: must provide an argument for option")))
    }

    /// The keys every type takes alike: the destination and `consistency`. Returns whether
    /// the key was one of them.
    fn common(&mut self, key: &str, value: Option<&str>) -> Result<bool> {
        match key {
            "target" | "dst" | "destination" => {
                let destination = self.required(key, value)?;
                check_destination(FIELD, self.whole, destination)?;
                self.destination = Some(clean_path(destination));
                Ok(true)
            }
            // Often given on macOS and ignored by Docker.
            "consistency" => Ok(true),
            _ => Ok(false),
        }
    }

    /// `nosuid`/`suid`, `nodev`/`dev`, `noexec`/`exec`: the key itself is the option.
    fn security(&mut self, key: &str) -> Result<bool> {
        let group = match key {
            "nosuid" | "suid" => "'nosuid' and 'suid'",
            "nodev" | "dev" => "'nodev' and 'dev'",
            "noexec" | "exec" => "'noexec' and 'exec'",
            _ => return Ok(false),
        };
        self.once(group)?;
        self.options.push(key.to_string());
        Ok(true)
    }

    /// `U`/`chown[=true|false]`.
    fn chown(&mut self, value: Option<&str>) -> Result<()> {
        self.once("'U' or 'chown'")?;
        let wanted = match value.map(str::to_lowercase).as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => {
                return Err(self.error("'U' or 'chown' must be set to true or false"));
            }
        };
        if wanted {
            self.options.push("U".into());
        }
        Ok(())
    }

    fn destination(&self) -> Result<String> {
        self.destination
            .clone()
            .ok_or_else(|| self.error("must set volume destination"))
    }

    fn unknown(&self, key: &str) -> SpecError {
        self.error(format!("{key}: invalid mount option"))
    }
}

/// Splits `key=value`; a bare key has no value.
fn key_value(token: &str) -> (&str, Option<&str>) {
    match token.split_once('=') {
        Some((key, value)) => (key, Some(value)),
        None => (token, None),
    }
}

pub(super) fn parse(whole: &str) -> Result<VolumeMount> {
    let syntax = "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,\
                  [src=<host-dir|volume-name>,]target=<ctr-dir>[,options]";
    let fields = csv::single_record(whole)
        .map_err(|reason| SpecError::invalid(FIELD, whole, format!("{syntax}: {reason}")))?;
    // The first `type=X` is the type; any other field, a second `type=` included, is a token.
    let mut mount_type = None;
    let mut tokens = Vec::with_capacity(fields.len());
    for field in &fields {
        let parts: Vec<&str> = field.split('=').collect();
        match parts.as_slice() {
            ["type", typ] if mount_type.is_none() => mount_type = Some(*typ),
            _ => tokens.push(field.as_str()),
        }
    }
    let mount_type = mount_type.ok_or_else(|| SpecError::invalid(FIELD, whole, syntax))?;
    let reader = Reader::new(whole);
    match mount_type {
        "bind" => bind(reader, &tokens),
        "tmpfs" => tmpfs(reader, &tokens),
        "devpts" => devpts(reader, &tokens),
        "volume" => volume(reader, &tokens),
        "image" => Err(reader.error("image mounts are not supported")),
        other => Err(reader.error(format!("invalid filesystem type {other:?}"))),
    }
}

fn bind(mut reader: Reader, tokens: &[&str]) -> Result<VolumeMount> {
    let mut source = None;
    for token in tokens {
        let (key, value) = key_value(token);
        if reader.common(key, value)? || reader.security(key)? {
            continue;
        }
        match key {
            "bind-nonrecursive" => reader.options.push("bind".into()),
            "readonly" | "ro" | "rw" => {
                reader.once("'readonly', 'ro', or 'rw'")?;
                let option = if key == "readonly" { "ro" } else { key };
                match value.map(str::to_lowercase).as_deref() {
                    None | Some("true") => reader.options.push(option.into()),
                    // `ro=false` is the default; `rw=false` means read-only.
                    Some("false") if option == "rw" => reader.options.push("ro".into()),
                    Some("false") => {}
                    Some(_) => {
                        return Err(
                            reader.error("'readonly', 'ro', or 'rw' must be set to true or false")
                        );
                    }
                }
            }
            "z" | "Z" => reader.options.push(key.into()),
            _ if PROPAGATIONS.contains(&key) => reader.options.push(key.into()),
            "bind-propagation" => {
                let mode = reader.required(key, value)?;
                reader.options.push(mode.into());
            }
            "src" | "source" => {
                let path = reader.required(key, value)?;
                if path.is_empty() {
                    return Err(reader.error("host directory cannot be empty"));
                }
                source = Some(path.to_string());
            }
            "relabel" => {
                reader.once("'relabel'")?;
                match value {
                    Some("private") => reader.options.push("Z".into()),
                    Some("shared") => reader.options.push("z".into()),
                    _ => return Err(reader.error(
                        "relabel mount option must be 'private' or 'shared': invalid mount option",
                    )),
                }
            }
            "U" | "chown" => reader.chown(value)?,
            "idmap" => reader.options.push(match value {
                Some(mapping) => format!("idmap={mapping}"),
                None => "idmap".into(),
            }),
            _ => return Err(reader.unknown(key)),
        }
    }
    let destination = reader.destination()?;
    let source = source.unwrap_or_else(|| destination.clone());
    let options = validate_volume_options(FIELD, reader.whole, &reader.options)?;
    bind_mount(FIELD, reader.whole, &source, &destination, &options).map(VolumeMount::Mount)
}

fn tmpfs(mut reader: Reader, tokens: &[&str]) -> Result<VolumeMount> {
    for token in tokens {
        let (key, value) = key_value(token);
        if reader.common(key, value)? || reader.security(key)? {
            continue;
        }
        match key {
            "tmpcopyup" | "notmpcopyup" => {
                reader.once("'tmpcopyup' and 'notmpcopyup'")?;
                reader.options.push(key.into());
            }
            "ro" | "rw" => {
                reader.once("'ro' and 'rw'")?;
                reader.options.push(key.into());
            }
            "tmpfs-mode" => {
                let mode = reader.required(key, value)?;
                reader.options.push(format!("mode={mode}"));
            }
            "tmpfs-size" => {
                let size = reader.required(key, value)?;
                reader.options.push(format!("size={size}"));
            }
            "src" | "source" => {
                return Err(reader.error("source is not supported with tmpfs mounts"));
            }
            "U" | "chown" => reader.chown(value)?,
            _ => return Err(reader.unknown(key)),
        }
    }
    let destination = reader.destination()?;
    let options = process_options(FIELD, reader.whole, &reader.options, true, None)?;
    Ok(VolumeMount::Mount(spec_mount(
        &destination,
        "tmpfs",
        "tmpfs",
        Some(options),
    )))
}

fn devpts(mut reader: Reader, tokens: &[&str]) -> Result<VolumeMount> {
    for token in tokens {
        let (key, value) = key_value(token);
        match key {
            "uid" | "gid" | "mode" | "ptxmode" | "newinstance" | "max" => {
                reader.options.push(token.to_string());
            }
            // devpts takes no `consistency`: Podman refuses it here.
            "target" | "dst" | "destination" => {
                reader.common(key, value)?;
            }
            _ => return Err(reader.unknown(key)),
        }
    }
    let destination = reader.destination()?;
    let options = (!reader.options.is_empty()).then(|| std::mem::take(&mut reader.options));
    Ok(VolumeMount::Mount(spec_mount(
        &destination,
        "devpts",
        "devpts",
        options,
    )))
}

fn volume(mut reader: Reader, tokens: &[&str]) -> Result<VolumeMount> {
    let mut name = String::new();
    for token in tokens {
        let (key, value) = key_value(token);
        if reader.common(key, value)? || reader.security(key)? {
            continue;
        }
        match key {
            "volume-opt" => reader.options.push(token.to_string()),
            // Podman takes the key and ignores any `=value` here.
            "ro" | "rw" => {
                reader.once("'ro' and 'rw'")?;
                reader.options.push(key.into());
            }
            "volume-label" => {
                return Err(reader.error("the volume-label option is not presently implemented"));
            }
            "src" | "source" => name = reader.required(key, value)?.to_string(),
            "U" | "chown" => reader.chown(value)?,
            _ => return Err(reader.unknown(key)),
        }
    }
    let destination = reader.destination()?;
    let options = process_options(FIELD, reader.whole, &reader.options, false, None)?;
    if name.is_empty() {
        return Ok(VolumeMount::Anonymous {
            destination,
            options,
        });
    }
    check_volume_name(FIELD, reader.whole, &name)?;
    Ok(VolumeMount::Named {
        name,
        destination,
        options,
    })
}

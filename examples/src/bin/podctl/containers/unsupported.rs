//! Podman's `create`/`run` flags that the library cannot honour yet: podctl accepts their
//! syntax so that the error names the flag (`--tz is not supported by podctl yet`),
//! rather than a usage error or, worse, silently dropping them.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

/// (long name, short name, takes a value, why not).
const FLAGS: &[(&str, Option<char>, bool, &str)] = &[
    ("http-proxy", None, false, "podctl sets no proxy variables"),
    ("tz", None, true, "the library has no timezone setting"),
    ("umask", None, true, "the library has no umask setting"),
    (
        "unsetenv",
        None,
        true,
        "the library cannot unset the image's variables",
    ),
    (
        "unsetenv-all",
        None,
        false,
        "the library cannot unset the image's variables",
    ),
    (
        "env-merge",
        None,
        true,
        "the library cannot merge with the image's variables",
    ),
    (
        "uidmap",
        None,
        true,
        "private user namespaces with ID mappings are not supported",
    ),
    (
        "gidmap",
        None,
        true,
        "private user namespaces with ID mappings are not supported",
    ),
    (
        "subuidname",
        None,
        true,
        "private user namespaces with ID mappings are not supported",
    ),
    (
        "subgidname",
        None,
        true,
        "private user namespaces with ID mappings are not supported",
    ),
    ("secret", None, true, "the library has no secrets"),
    (
        "volumes-from",
        None,
        true,
        "the library cannot copy another container's mounts",
    ),
    (
        "device-cgroup-rule",
        None,
        true,
        "the library has no device cgroup rules",
    ),
    (
        "cgroup-conf",
        None,
        true,
        "the library has no cgroup v2 settings",
    ),
    (
        "cgroups",
        None,
        true,
        "the library always creates the container's cgroup",
    ),
    (
        "chrootdirs",
        None,
        true,
        "the library has no chroot directories",
    ),
    (
        "hostuser",
        None,
        true,
        "the library does not copy host users",
    ),
    (
        "passwd-entry",
        None,
        true,
        "the library does not write custom passwd entries",
    ),
    (
        "personality",
        None,
        true,
        "the library has no personality setting",
    ),
    (
        "pidfile",
        None,
        true,
        "the library does not write the container's PID file",
    ),
    (
        "sdnotify",
        None,
        true,
        "the library has no sd-notify support",
    ),
    (
        "seccomp-policy",
        None,
        true,
        "image-provided seccomp profiles are not supported",
    ),
    ("timeout", None, true, "the library has no run timeout"),
    (
        "init-ctr",
        None,
        true,
        "pod init containers are not supported",
    ),
    (
        "arch",
        None,
        true,
        "pick the platform with podctl pull --platform",
    ),
    (
        "os",
        None,
        true,
        "pick the platform with podctl pull --platform",
    ),
    (
        "variant",
        None,
        true,
        "pick the platform with podctl pull --platform",
    ),
    (
        "platform",
        None,
        true,
        "pick the platform with podctl pull --platform",
    ),
    (
        "attach",
        Some('a'),
        true,
        "podctl attaches stdout and stderr only",
    ),
    (
        "preserve-fds",
        None,
        true,
        "podctl does not pass file descriptors",
    ),
    (
        "passwd",
        None,
        false,
        "the library always adds the user's /etc/passwd entry",
    ),
    (
        "disable-content-trust",
        None,
        false,
        "it is a Docker-specific no-op",
    ),
];

/// The unsupported flags a command line gave, in the order of [`FLAGS`].
#[derive(Clone, Debug, Default)]
pub struct Unsupported {
    given: Vec<(&'static str, &'static str)>,
}

impl Unsupported {
    /// An error naming the first unsupported flag given, if any.
    pub fn check(&self) -> Result<(), String> {
        match self.given.first() {
            Some((flag, why)) => Err(format!("--{flag} is not supported by podctl yet: {why}")),
            None => Ok(()),
        }
    }
}

impl FromArgMatches for Unsupported {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Vec::new();
        for (name, _, _, why) in FLAGS {
            if matches.try_contains_id(name).unwrap_or(false)
                && matches.value_source(name) == Some(clap::parser::ValueSource::CommandLine)
            {
                given.push((*name, *why));
            }
        }
        Ok(Unsupported { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for Unsupported {
    fn augment_args(mut cmd: Command) -> Command {
        for (name, short, takes_value, why) in FLAGS {
            let mut arg = Arg::new(*name)
                .long(*name)
                .help(format!("Not supported yet: {why}"))
                .action(ArgAction::Append);
            // Podman's boolean flags take `--flag` and `--flag=false`.
            if !takes_value {
                arg = arg
                    .num_args(0..=1)
                    .require_equals(true)
                    .default_missing_value("true");
            }
            if let Some(short) = short {
                arg = arg.short(*short);
            }
            cmd = cmd.arg(arg);
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

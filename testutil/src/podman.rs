//! Driving the host's Podman against a private store, to record what Podman generates.

use crate::mounts::unmount_beneath;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The host's `podman`, confined to a private store under a directory of the test's.
///
/// Every command gets `--root`, `--runroot`, `--tmpdir` and `--network-config-dir` beneath
/// that directory, `--storage-driver overlay`, `--events-backend none`, and
/// `CONTAINERS_CONF` pointing at a file holding the given `containers.conf`: nothing it does
/// reaches `/var/lib/containers`, `/run/libpod` or `/etc/containers/networks`. (For that
/// reason dropping it does not use `podman system reset`, which also clears the host's blob
/// info cache, tmp dir and networks.)
///
/// Dropping it removes its containers and images and unmounts what is left beneath its
/// store; removing the directory is the caller's (a [`TempRoot`](crate::TempRoot) does).
///
/// ```no_run
/// use libpod_testutil::{busybox_rootfs, Podman, TempRoot};
///
/// let tmp = TempRoot::new()?;
/// busybox_rootfs(&tmp.path().join("rootfs"))?;
/// let podman = Podman::new(tmp.path(), "[engine]\nruntime = \"runc\"\n");
/// podman.import_rootfs(&tmp.path().join("rootfs"), "busybox", &[])?;
/// let spec = podman.create_and_init(&["--network", "none", "busybox", "true"])?;
/// assert_eq!(spec["process"]["args"][0], "true");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Podman {
    root: PathBuf,
    runroot: PathBuf,
    tmpdir: PathBuf,
    network_dir: PathBuf,
    containers_conf: PathBuf,
    /// Host directories Podman (or crun, netavark) creates even with a private store, which
    /// did not exist when this driver was made: removed again when it is dropped (if empty).
    host_dirs_to_remove: Vec<PathBuf>,
}

/// The cgroup directories Podman makes for its containers and conmon (cgroupfs manager),
/// deepest first, in every v1 hierarchy.
fn podman_cgroup_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir("/sys/fs/cgroup")
        .into_iter()
        .flatten()
        .flatten()
    {
        dirs.push(entry.path().join("libpod_parent/conmon"));
        dirs.push(entry.path().join("libpod_parent"));
    }
    dirs
}

/// Directories under /run that Podman's helpers create on first use whatever the store, deepest
/// first.
const HOST_RUN_DIRS: [&str; 4] = [
    "/run/containers/networks",
    "/run/containers",
    "/run/crun",
    "/run/libpod",
];

/// What [`Podman::create_and_init_outcome`] got: the spec Podman wrote, even when the
/// runtime then failed to create the container.
#[derive(Debug)]
pub struct InitOutcome {
    /// The container's ID.
    pub id: String,
    /// The container's `config.json`, as Podman wrote it at init.
    pub config: serde_json::Value,
    /// The error of `podman init`, when the runtime failed after the spec was written.
    pub init_error: Option<String>,
}

impl Podman {
    /// Sets up a private store under `tmp` (directories `podman/{root,run,tmp,networks}`)
    /// with `containers_conf` as the engine's `containers.conf`.
    ///
    /// # Panics
    /// When the directories or the configuration file cannot be written.
    pub fn new(tmp: &Path, containers_conf: &str) -> Podman {
        let base = tmp.join("podman");
        let podman = Podman {
            root: base.join("root"),
            runroot: base.join("run"),
            tmpdir: base.join("tmp"),
            network_dir: base.join("networks"),
            containers_conf: base.join("containers.conf"),
            host_dirs_to_remove: HOST_RUN_DIRS
                .iter()
                .map(PathBuf::from)
                .chain(podman_cgroup_dirs())
                .filter(|d| !d.exists())
                .collect(),
        };
        for dir in [
            &podman.root,
            &podman.runroot,
            &podman.tmpdir,
            &podman.network_dir,
        ] {
            fs::create_dir_all(dir)
                .unwrap_or_else(|err| panic!("creating {}: {err}", dir.display()));
        }
        fs::write(&podman.containers_conf, containers_conf)
            .unwrap_or_else(|err| panic!("writing {}: {err}", podman.containers_conf.display()));
        podman
    }

    /// The store's root (`--root`), where `overlay-containers/<ID>/userdata` lives.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The store's run root (`--runroot`).
    pub fn runroot(&self) -> &Path {
        &self.runroot
    }

    /// The skopeo/containers-image reference of image `name` in this store:
    /// `containers-storage:[overlay@ROOT+RUNROOT]name`.
    pub fn storage_reference(&self, name: &str) -> String {
        format!(
            "containers-storage:[overlay@{}+{}]{name}",
            self.root.display(),
            self.runroot.display()
        )
    }

    /// Its network config directory (`--network-config-dir`): one `NAME.json` per network.
    pub fn network_dir(&self) -> &Path {
        &self.network_dir
    }

    /// A `podman` command with the private store's options, for any other subcommand.
    pub fn command(&self) -> Command {
        let mut command = Command::new("podman");
        command
            .env("CONTAINERS_CONF", &self.containers_conf)
            .arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .arg("--tmpdir")
            .arg(&self.tmpdir)
            .arg("--network-config-dir")
            .arg(&self.network_dir)
            .args(["--storage-driver", "overlay", "--events-backend", "none"])
            .stdin(Stdio::null());
        command
    }

    /// Imports the directory `rootfs` as image `name` (`localhost/<name>:latest`), applying
    /// Dockerfile-style `changes` (`"USER 1000"`, `"ENTRYPOINT [\"/bin/sh\"]"`, ...) as
    /// `podman import --change` does. Returns the image ID.
    pub fn import_rootfs(
        &self,
        rootfs: &Path,
        name: &str,
        changes: &[&str],
    ) -> Result<String, String> {
        let mut tar = Command::new("tar")
            .arg("-C")
            .arg(rootfs)
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("running tar: {err}"))?;
        let archive = tar.stdout.take().ok_or("tar's stdout was not captured")?;
        let mut import = self.command();
        import.args(["import", "--quiet"]);
        for change in changes {
            import.arg("--change").arg(change);
        }
        import.args(["-", name]).stdin(archive);
        let imported = run(&mut import);
        // The command holds the pipe's read end: without it, a podman that failed before
        // reading leaves tar a broken pipe rather than a full one to block on forever.
        drop(import);
        let tar = tar
            .wait_with_output()
            .map_err(|err| format!("waiting for tar: {err}"))?;
        if !tar.status.success() {
            let stderr = String::from_utf8_lossy(&tar.stderr);
            return Err(format!(
                "tar -C {} failed ({}): {}",
                rootfs.display(),
                tar.status,
                stderr.trim()
            ));
        }
        // `import --quiet` prints the ID as a digest.
        imported.map(|stdout| last_line(&stdout).trim_start_matches("sha256:").to_string())
    }

    /// Runs `podman create <args>` then `podman init`, and returns the `config.json` Podman
    /// wrote for the container.
    ///
    /// When init fails after writing the spec (the runtime refused it), the spec is still
    /// returned and the failure is printed to stderr as a note; use
    /// [`create_and_init_outcome`](Self::create_and_init_outcome) to get it as a value.
    pub fn create_and_init(&self, args: &[&str]) -> Result<serde_json::Value, String> {
        let outcome = self.create_and_init_outcome(args)?;
        if let Some(err) = &outcome.init_error {
            eprintln!(
                "note: podman init {} failed after writing config.json: {err}",
                outcome.id
            );
        }
        Ok(outcome.config)
    }

    /// Like [`create_and_init`](Self::create_and_init), returning the container ID and the
    /// init error (if any) with the spec.
    pub fn create_and_init_outcome(&self, args: &[&str]) -> Result<InitOutcome, String> {
        let id = last_line(&run(self.command().arg("create").args(args))?);
        let init_error = run(self.command().args(["init", &id])).err();
        let path = self
            .root
            .join("overlay-containers")
            .join(&id)
            .join("userdata/config.json");
        let text = fs::read_to_string(&path).map_err(|err| {
            let init = init_error.as_deref().unwrap_or("podman init succeeded");
            format!("{init}; reading {}: {err}", path.display())
        })?;
        let config = serde_json::from_str(&text)
            .map_err(|err| format!("parsing {}: {err}", path.display()))?;
        Ok(InitOutcome {
            id,
            config,
            init_error,
        })
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        for args in [
            &["rm", "--all", "--force", "--time", "0"][..],
            &["rmi", "--all", "--force"],
        ] {
            if let Err(err) = run(self.command().args(args)) {
                eprintln!("Podman cleanup: {err}");
            }
        }
        for dir in [&self.runroot, &self.root, &self.tmpdir] {
            if let Err(err) = unmount_beneath(dir) {
                eprintln!("Podman cleanup: {err}");
            }
        }
        // Leave the host as it was: remove_dir only removes empty directories.
        for dir in &self.host_dirs_to_remove {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Runs `command`, returning its stdout, or an error naming it with its stderr.
fn run(command: &mut Command) -> Result<String, String> {
    let args = command
        .get_args()
        .map(|arg| arg.to_string_lossy())
        .collect::<Vec<_>>();
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        args.join(" ")
    );
    let output = command
        .output()
        .map_err(|err| format!("running {shown}: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "{shown} failed ({}): {}",
            output.status,
            stderr.trim()
        ))
    }
}

/// The last non-empty line of a command's output (podman prints the ID last).
fn last_line(stdout: &str) -> String {
    stdout
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("")
        .to_string()
}

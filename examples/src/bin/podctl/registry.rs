//! podctl's registry commands: `pull docker://...` (and plain references) with a progress
//! display, and `push`.

use clap::Args;
use libpod_storage::manifest::Platform;
use libpod_storage::registry::{
    AuthFiles, BlobProgress, Credentials, PullOptions, PullPolicy, PushOptions, RegistryOptions,
};
use libpod_storage::{ImageRecord, Store};
use std::collections::BTreeMap;
use std::error::Error;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

// Flags shared by pull and push.
#[derive(Args, Clone, Default)]
pub struct RegistryFlags {
    /// Require HTTPS and verified certificates (false: allow plain HTTP and any certificate).
    #[arg(long = "tls-verify")]
    tls_verify: Option<bool>,
    /// The credentials file (default: Podman's auth.json locations).
    #[arg(long)]
    authfile: Option<PathBuf>,
    /// Credentials as USER[:PASSWORD].
    #[arg(long)]
    creds: Option<String>,
    /// A directory of per-registry certificates (HOST[:PORT]/*.crt).
    #[arg(long = "cert-dir")]
    cert_dir: Option<PathBuf>,
    /// How many times to retry a failed connection or cut download.
    #[arg(long, default_value_t = 3)]
    retry: u32,
}

impl RegistryFlags {
    /// The flags `create` and `run` have: `--tls-verify` and `--authfile`.
    pub fn new(tls_verify: Option<bool>, authfile: Option<PathBuf>) -> RegistryFlags {
        RegistryFlags {
            tls_verify,
            authfile,
            retry: 3,
            ..RegistryFlags::default()
        }
    }

    pub fn options(&self) -> Result<RegistryOptions> {
        let mut options = RegistryOptions {
            tls_verify: self.tls_verify,
            retries: self.retry,
            // As Podman: the file replaces the first of the default files; the others follow.
            auth_files: self
                .authfile
                .clone()
                .map(|path| AuthFiles::from_env_with_auth_file(path, |v| std::env::var_os(v))),
            ..RegistryOptions::default()
        };
        if let Some(dir) = &self.cert_dir {
            options.certs_dirs = vec![dir.clone()];
        }
        if let Some(creds) = &self.creds {
            let (username, password) = creds.split_once(':').unwrap_or((creds, ""));
            if username.is_empty() {
                return Err("--creds: the user name is empty".into());
            }
            options.credentials = Some(Credentials {
                username: username.to_string(),
                password: password.to_string(),
                identity_token: None,
            });
        }
        Ok(options)
    }
}

/// Pulls `reference` from its registry, drawing per-layer progress on stderr unless quiet,
/// and prints the image's ID.
pub fn pull(
    store: &Store,
    reference: &str,
    platform: Option<Platform>,
    flags: &RegistryFlags,
    quiet: bool,
) -> Result {
    let image = pull_image(store, reference, PullPolicy::Always, platform, flags, quiet)?;
    println!("{}", image.id.hex());
    Ok(())
}

/// Pulls `reference` under `policy` (through registries.conf, as `podman pull` and `podman
/// run --pull` do), drawing per-layer progress on stderr unless quiet.
pub fn pull_image(
    store: &Store,
    reference: &str,
    policy: PullPolicy,
    platform: Option<Platform>,
    flags: &RegistryFlags,
    quiet: bool,
) -> Result<ImageRecord> {
    let mut options = PullOptions {
        policy,
        registry: flags.options()?,
        platform,
        ..PullOptions::default()
    };
    let display = Arc::new(ProgressDisplay::default());
    if !quiet {
        let display = Arc::clone(&display);
        options.progress = Some(Arc::new(move |p| display.update(p)));
    }
    let image = store.pull_image(reference, &options)?;
    if !quiet {
        display.finish();
    }
    Ok(image)
}

/// Bytes done and total per short blob digest, and how many lines are on screen.
type DisplayState = (BTreeMap<String, (u64, u64)>, usize);

/// One line per blob: `Copying blob 1a2b3c4d5e6f [=====>     ] 12.3MiB / 40.0MiB`.
#[derive(Default)]
struct ProgressDisplay {
    state: Mutex<DisplayState>,
}

impl ProgressDisplay {
    fn update(&self, progress: BlobProgress) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (blobs, drawn) = &mut *state;
        let short = progress.digest.hex()[..12].to_string();
        let previous = blobs.insert(short, (progress.done, progress.total));
        // Redraw at most every 1% of a blob, and when one completes.
        let step = (progress.total / 100).max(1);
        if previous.is_some_and(|(done, _)| {
            done / step == progress.done / step && progress.done != progress.total
        }) {
            return;
        }
        let mut out = std::io::stderr().lock();
        if !out.is_terminal() {
            if progress.done == progress.total {
                let _ = writeln!(out, "Copying blob {} done", &progress.digest.hex()[..12]);
            }
            return;
        }
        if *drawn > 0 {
            let _ = write!(out, "\x1b[{}A", *drawn);
        }
        for (digest, (done, total)) in blobs.iter() {
            const WIDTH: usize = 30;
            let share = done.saturating_mul(WIDTH as u64) / (*total).max(1);
            let filled = usize::try_from(share).map_or(WIDTH, |share| share.min(WIDTH));
            let _ = writeln!(
                out,
                "\x1b[2KCopying blob {digest} [{}{}] {} / {}",
                "=".repeat(filled),
                " ".repeat(WIDTH - filled),
                mib(*done),
                mib(*total)
            );
        }
        *drawn = blobs.len();
    }

    fn finish(&self) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.1 > 0 {
            eprintln!("Writing manifest to image destination");
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1}MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[derive(Args)]
pub struct PushArgs {
    #[command(flatten)]
    registry: RegistryFlags,
    /// Upload blobs in chunks of this many bytes (default: one request per blob).
    #[arg(long = "chunk-size")]
    chunk_size: Option<u64>,
    /// Suppress output but the manifest digest.
    #[arg(short, long)]
    quiet: bool,
    /// The image (name or ID).
    image: String,
    /// Where to push (docker://HOST/REPO:TAG or HOST/REPO:TAG); default: the image's name.
    destination: Option<String>,
}

pub fn push(store: &Store, args: PushArgs) -> Result {
    let destination = args.destination.as_deref().unwrap_or(&args.image);
    let destination = destination.strip_prefix("docker://").unwrap_or(destination);
    let options = PushOptions {
        registry: args.registry.options()?,
        chunk_size: args.chunk_size,
        registries_conf: None,
    };
    let report = store.push_image(&args.image, destination, &options)?;
    if !args.quiet {
        let lines = [
            (&report.existing, "skipped: already exists"),
            (&report.mounted, "mounted from another repository"),
            (&report.uploaded, "done"),
        ];
        for (digests, what) in lines {
            for digest in digests {
                eprintln!("Copying blob {} {what}", &digest.hex()[..12]);
            }
        }
        eprintln!("Writing manifest to image destination");
    }
    println!("{}", report.manifest_digest);
    Ok(())
}

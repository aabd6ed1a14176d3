//! Where the benches put their stores: a fresh ext4 filesystem of their own.
//!
//! This VM's root filesystem is ext4 without a journal, and such an ext4 skips, on every inode
//! it allocates, the inodes freed in the last minute (six while their inode table block is
//! dirty: `recently_deleted()` in fs/ext4/ialloc.c). After a bench (or a test run) deleted
//! its stores, creating files became several times slower for minutes (a pull 3.3 s instead
//! of 0.73 s), so the numbers told how recently something was deleted. A fresh filesystem has
//! no such history, and with a journal (as distributions make ext4) it never scans: every
//! tool, ours and Podman's, gets the same clean disk. `LIBPOD_BENCH_FS=tmpdir` measures in
//! `$TMPDIR` itself instead.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Size of the sparse image (the pull bench keeps ~30 stores of ~300 MB until it ends).
const IMAGE_BYTES: u64 = 32 << 30;

/// A loop-mounted ext4 image under `$TMPDIR`, unmounted and deleted on drop; or `$TMPDIR`
/// itself when `LIBPOD_BENCH_FS=tmpdir`.
#[derive(Debug)]
pub struct BenchFs {
    path: PathBuf,
    image: Option<PathBuf>,
}

impl BenchFs {
    /// Makes and mounts the filesystem (as root), or takes `$TMPDIR` when asked to.
    pub fn new() -> io::Result<BenchFs> {
        let tmp = std::env::temp_dir();
        if std::env::var("LIBPOD_BENCH_FS").as_deref() == Ok("tmpdir") {
            return Ok(BenchFs {
                path: tmp,
                image: None,
            });
        }
        let name = format!("lpb-{}", std::process::id());
        let image = tmp.join(format!("{name}.img"));
        // Short: Podman refuses run roots longer than 50 characters, and they go beneath it.
        let path = tmp.join(name);
        std::fs::File::create(&image)?.set_len(IMAGE_BYTES)?;
        let made = run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&image))
            .and_then(|()| std::fs::create_dir_all(&path))
            .and_then(|()| {
                run(Command::new("mount")
                    .args(["-o", "loop"])
                    .arg(&image)
                    .arg(&path))
            });
        if let Err(err) = made {
            let _ = std::fs::remove_dir(&path);
            let _ = std::fs::remove_file(&image);
            return Err(err);
        }
        Ok(BenchFs {
            path,
            image: Some(image),
        })
    }

    /// Where the stores go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The median time of an fsync after a 4 KiB append here, over 21 tries: what one durable
    /// commit costs on this filesystem, for the summaries.
    pub fn fsync_latency(&self) -> std::time::Duration {
        use std::io::Write;
        let path = self.path.join(".fsync-probe");
        let probe = || -> io::Result<Vec<std::time::Duration>> {
            let mut file = std::fs::File::create(&path)?;
            (0..21)
                .map(|_| {
                    file.write_all(&[0; 4096])?;
                    let start = std::time::Instant::now();
                    file.sync_all()?;
                    Ok(start.elapsed())
                })
                .collect()
        };
        let times = probe();
        let _ = std::fs::remove_file(&path);
        times.map(crate::median).unwrap_or_default()
    }

    /// What it is, for the summaries.
    pub fn describe(&self) -> String {
        match &self.image {
            Some(_) => "a fresh ext4 (with a journal) on a loop device".into(),
            None => format!("{} ($TMPDIR)", self.path.display()),
        }
    }
}

impl Drop for BenchFs {
    fn drop(&mut self) {
        let Some(image) = &self.image else { return };
        // The loop device goes with the mount (mount -o loop sets autoclear).
        if let Err(err) = run(Command::new("umount").arg(&self.path)) {
            eprintln!("bench filesystem: {err}");
            return;
        }
        let _ = std::fs::remove_dir(&self.path);
        let _ = std::fs::remove_file(image);
    }
}

fn run(command: &mut Command) -> io::Result<()> {
    let output = command.output()?;
    if output.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    )))
}

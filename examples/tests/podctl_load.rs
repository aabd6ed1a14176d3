//! `load` beside the real Podman 4.3: archives Podman saved (docker-archive, its default;
//! oci-archive; several names with `-m`) load into podctl's store as into Podman's, with the
//! same image IDs, names and `Loaded image:` lines, from `-i` and from stdin; a container
//! runs from a loaded image; podctl's own `save` loads into Podman; a hostile archive is
//! refused with nothing stored.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};
use std::process::{Command, Stdio};

/// `images` of one engine: `ID NAME` lines, sorted.
fn images(out: String) -> Vec<String> {
    let mut lines: Vec<String> = out.lines().map(String::from).collect();
    lines.sort();
    lines
}

const IMAGES: [&str; 4] = [
    "images",
    "--no-trunc",
    "--format",
    "{{.ID}} {{.Repository}}:{{.Tag}}",
];

#[test]
fn podmans_archives_load_as_in_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("load");
    pair.podman_ok(&["tag", "localhost/busybox", "quay.io/x/bb:v1"]);
    let dir = pair.dir();
    let docker = dir.join("docker.tar");
    let oci = dir.join("oci.tar");
    let multi = dir.join("multi.tar");
    pair.podman_ok(&["save", "-o", docker.to_str().unwrap(), "localhost/busybox"]);
    pair.podman_ok(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        oci.to_str().unwrap(),
        "localhost/busybox",
    ]);
    pair.podman_ok(&[
        "save",
        "-m",
        "-o",
        multi.to_str().unwrap(),
        "localhost/busybox",
        "quay.io/x/bb:v1",
    ]);
    let wanted = images(pair.podman_ok(&IMAGES));
    assert_eq!(wanted.len(), 2, "{wanted:?}");

    for archive in [&docker, &oci, &multi] {
        pair.ok(&["rmi", "-a", "-f"]);
        pair.podman_ok(&["rmi", "-a", "-f"]);
        let args = ["load", "-i", archive.to_str().unwrap()];
        let ours = pair.ok(&args);
        let theirs = pair.podman_ok(&args);
        assert_eq!(ours, theirs, "{archive:?}");
        assert!(
            ours.starts_with("Loaded image: localhost/busybox:latest\n"),
            "{ours}"
        );
        assert_eq!(
            images(pair.ok(&IMAGES)),
            images(pair.podman_ok(&IMAGES)),
            "{archive:?}"
        );
    }
    assert_eq!(images(pair.ok(&IMAGES)), wanted);

    // From stdin, quietly: the image is there and nothing is printed.
    pair.ok(&["rmi", "-a", "-f"]);
    let out = Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"))
        .args(["image", "load", "-q"])
        .stdin(std::fs::File::open(&docker).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let flags = pair.run_flags();
    let mut run = vec!["run", "--rm", "--network", "none"];
    run.extend(flags.iter().map(String::as_str));
    run.extend(["localhost/busybox", "echo", "loaded"]);
    assert_eq!(pair.ok(&run), "loaded\n");

    // podctl's save (a docker archive by default, as Podman's: the same entries as
    // Podman's own, legacy directories apart) loads into Podman as the same image.
    let ours = dir.join("ours.tar");
    pair.ok(&["save", "-o", ours.to_str().unwrap(), "localhost/busybox"]);
    let entries = |file: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = tar::Archive::new(std::fs::File::open(file).unwrap())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .filter(|n| !n.contains('/') && n != "repositories")
            .collect();
        names.sort();
        names
    };
    assert_eq!(entries(&ours), entries(&docker));
    pair.podman_ok(&["rmi", "-a", "-f"]);
    let theirs = pair.podman_ok(&["load", "-i", ours.to_str().unwrap()]);
    assert_eq!(theirs, "Loaded image: localhost/busybox:latest\n");
    assert!(
        images(pair.podman_ok(&IMAGES)).contains(&wanted[0]),
        "{wanted:?}"
    );

    // Several names (-m: several images) in one archive, loaded back by each engine.
    pair.ok(&["tag", "localhost/busybox", "quay.io/x/bb:v1"]);
    let both = dir.join("both.tar");
    pair.ok(&[
        "save",
        "-m",
        "-o",
        both.to_str().unwrap(),
        "localhost/busybox",
        "quay.io/x/bb:v1",
    ]);
    pair.ok(&["rmi", "-a", "-f"]);
    pair.podman_ok(&["rmi", "-a", "-f"]);
    let args = ["load", "-i", both.to_str().unwrap()];
    assert_eq!(pair.ok(&args), pair.podman_ok(&args));
    assert_eq!(images(pair.ok(&IMAGES)), wanted);
    assert_eq!(images(pair.podman_ok(&IMAGES)), wanted);
}

#[test]
fn a_hostile_archive_is_refused_and_stores_nothing() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("loadbad");
    let dir = pair.dir();
    // manifest.json names a layer through a link that leaves the archive.
    let mut builder = tar::Builder::new(Vec::new());
    let list = br#"[{"Config":"c.json","RepoTags":["localhost/evil:latest"],"Layers":["l.tar"]}]"#;
    for (name, bytes) in [("c.json", &b"{}"[..]), ("manifest.json", &list[..])] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, bytes).unwrap();
    }
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "l.tar", "../../../../etc/shadow")
        .unwrap();
    let evil = dir.join("evil.tar");
    std::fs::write(&evil, builder.into_inner().unwrap()).unwrap();

    let before = images(pair.ok(&IMAGES));
    let out = pair.podctl(&["load", "-i", evil.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("evil.tar") && stderr.contains("l.tar"),
        "the error names the archive and the entry: {stderr}"
    );
    assert_eq!(images(pair.ok(&IMAGES)), before);
    // Nothing unpacked is left in the store's staging area.
    let tmp = pair.root.join("root/tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    for path in &left {
        assert!(
            std::fs::read_dir(path).map_or(true, |mut d| d.next().is_none()),
            "{path:?} left behind"
        );
    }
}

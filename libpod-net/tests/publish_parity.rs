//! `-p/--publish` values read by the real Podman 4.3 and by `parse_publish`: a value one accepts
//! the other accepts, and a refusal gives Podman's words (`podman create` reads `-p` before it
//! looks for the image, so a missing image tells that the value parsed). Podman's CLI splits
//! `-p` values at commas before they reach the parser (a string-slice flag), so none has one here.

use libpod_net::NetError;
use libpod_net::parse::parse_publish;
use libpod_testutil::{Podman, TempRoot, require_root, serial};

/// Values that cover each form and each refusal of Podman's parser.
const VALUES: &[&str] = &[
    "80",
    "8080:80",
    ":80",
    "127.0.0.1:8080:80",
    "127.0.0.1::80",
    "[::1]:8080:80",
    "8080-8082:80-82/udp",
    "80/tcp/udp",
    "[::1]80",
    "[::1]:[::2]:80",
    "[::1]:80",
    "[::1]:1:2:3",
    "1:2:3:4",
    "8080:",
    "80/",
    ":8080:80",
    "example.com:8080:80",
    "-1",
    "80-",
    "1-2-3",
    "81-80",
    "0",
    "65536",
    "http",
    "x:80",
    "8080-8081:80",
];

/// What Podman said about `value`: `Ok(())` when it went on to look for the image, else its
/// error (the text after `Error: `).
fn podman_verdict(podman: &Podman, value: &str) -> Result<(), String> {
    let out = podman
        .command()
        .args([
            "create",
            "--pull",
            "never",
            "-p",
            value,
            "localhost/absent:1",
            "true",
        ])
        .output()
        .expect("podman runs");
    assert!(
        !out.status.success(),
        "{value}: podman created a container from no image"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr
        .lines()
        .find_map(|line| line.strip_prefix("Error: "))
        .unwrap_or_else(|| panic!("{value}: no error from podman: {stderr}"));
    if error.contains("image not known") {
        Ok(())
    } else {
        Err(error.to_string())
    }
}

#[test]
fn publish_values_are_accepted_and_refused_as_podman_does_in_podmans_words() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), "[engine]\nruntime = \"runc\"\n");
    for value in VALUES {
        match (podman_verdict(&podman, value), parse_publish(value)) {
            (Ok(()), Ok(_)) => {}
            (Err(theirs), Err(NetError::InvalidPublish { reason, .. })) => {
                assert_eq!(reason, theirs, "{value}")
            }
            (theirs, ours) => panic!("{value}: podman {theirs:?}, we {ours:?}"),
        }
    }
}

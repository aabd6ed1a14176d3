//! podctl's network verbs end to end with the real netavark, conmon and runc: `network
//! create|ls|inspect|exists|rm|prune` outputs and exit codes beside the real Podman 4.3 (its
//! own `--network-config-dir`), and `port`, `network connect|disconnect` and `rm` of a used
//! network with a running container publishing on 127.0.0.1. Traffic goes only to
//! 127.0.0.1 and to the bridges and namespaces the test made; a guard removes its
//! containers, networks and bridges even when an assertion fails.

mod common;

use common::pair::{Pair, error_lines};
use libpod_testutil::{require_root, serial};
use std::path::PathBuf;
use std::process::Command;

/// A name of this test's own (bridges too: at most 15 characters).
fn tagged(tag: &str) -> String {
    format!("lpn{}{tag}", std::process::id() % 100_000)
}

/// Removes what podctl made even when the test fails: containers, then the networks,
/// then any bridge left behind. Dropped before the [`Pair`].
struct Cleanup {
    root: PathBuf,
    networks: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = common::podctl(&self.root, &["rm", "-f", "-a"]);
        for name in &self.networks {
            let _ = common::podctl(&self.root, &["network", "rm", "-f", name]);
            if Command::new("ip")
                .args(["link", "show", name])
                .output()
                .is_ok_and(|o| o.status.success())
            {
                let _ = Command::new("ip").args(["link", "del", name]).status();
            }
        }
    }
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn network_verbs_print_what_podman_prints() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netverbs");
    let (web, quiet) = (tagged("w"), tagged("q"));
    let _cleanup = Cleanup {
        root: pair.root.clone(),
        networks: vec![web.clone(), quiet.clone()],
    };
    let create_web = [
        "network",
        "create",
        "--subnet",
        "10.231.7.0/24",
        "--gateway",
        "10.231.7.1",
        "--ip-range",
        "10.231.7.128/25",
        "--label",
        "tier=front",
        &web,
    ];
    let create_quiet = [
        "network",
        "create",
        "--subnet",
        "10.231.8.0/24",
        "--internal",
        "--disable-dns",
        &quiet,
    ];
    for create in [&create_web[..], &create_quiet[..]] {
        let name = create.last().unwrap();
        assert_eq!(pair.ok(create), format!("{name}\n"));
        assert_eq!(pair.podman_ok(create), format!("{name}\n"));
    }

    // The same networks, seen through the same templates.
    let ours = format!("name=^{}", tagged(""));
    let ls = [
        "network",
        "ls",
        "--filter",
        &ours,
        "--format",
        "{{.Name}} {{.Driver}}",
    ];
    assert_eq!(pair.ok(&ls), format!("{quiet} bridge\n{web} bridge\n"));
    assert_eq!(pair.ok(&ls), pair.podman_ok(&ls));
    let template = "{{.Name}} {{.Driver}} {{(index .Subnets 0).Subnet}} \
                    {{(index .Subnets 0).Gateway}} {{.Internal}} {{.DNSEnabled}} {{.IPv6Enabled}} \
                    {{index .Labels \"tier\"}} {{index .IPAMOptions \"driver\"}}";
    // In the order asked for.
    let inspect = ["network", "inspect", "--format", template, &web, &quiet];
    assert_eq!(
        pair.ok(&inspect),
        format!(
            "{web} bridge 10.231.7.0/24 10.231.7.1 false true false front host-local\n\
             {quiet} bridge 10.231.8.0/24 <nil> true false false  host-local\n"
        )
    );
    assert_eq!(pair.ok(&inspect), pair.podman_ok(&inspect));

    // The JSON is c/common's: the lease range from --ip-range as Podman computes it.
    let json: serde_json::Value =
        serde_json::from_str(&pair.ok(&["network", "inspect", &web])).unwrap();
    let podman_json: serde_json::Value =
        serde_json::from_str(&pair.podman_ok(&["network", "inspect", &web])).unwrap();
    assert_eq!(
        json[0]["subnets"][0]["lease_range"],
        serde_json::json!({"start_ip": "10.231.7.129", "end_ip": "10.231.7.255"})
    );
    for key in [
        "name",
        "driver",
        "network_interface",
        "subnets",
        "labels",
        "internal",
    ] {
        assert_eq!(json[0][key], podman_json[0][key], "{key}");
    }

    // The default table: short IDs under Podman's headers; --noheading, -q, filters.
    let table = pair.ok(&["network", "ls", "--filter", &format!("name={web}")]);
    let id = json[0]["id"].as_str().unwrap();
    let lines: Vec<_> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("NETWORK ID    NAME"), "{table}");
    assert!(
        lines[1].starts_with(&format!("{}  {web}", &id[..12])),
        "{table}"
    );
    let bare = pair.ok(&[
        "network",
        "ls",
        "--noheading",
        "--filter",
        &format!("id={}", &id[..8]),
    ]);
    assert_eq!(bare.lines().collect::<Vec<_>>(), &lines[1..]);
    assert_eq!(
        pair.ok(&["network", "ls", "-q", "--filter", "label=tier=front"]),
        format!("{web}\n")
    );

    // exists: 0/1, nothing printed.
    assert_eq!(code(&pair.podctl(&["network", "exists", &web])), 0);
    let missing = pair.podctl(&["network", "exists", "nosuchnet"]);
    assert_eq!((code(&missing), stdout(&missing)), (1, String::new()));

    // Errors: the same words and exit codes as Podman's.
    for args in [
        &["network", "rm", "nosuchnet"][..],
        &["network", "inspect", "nosuchnet"],
        &["network", "ls", "--filter", "colour=red"],
        &["network", "create", "--gateway", "10.1.1.1", "x"],
        &["network", "create", &web],
    ] {
        let (ours, theirs) = (pair.podctl(args), pair.podman(args));
        assert_eq!(
            (code(&ours), error_lines(&ours.stderr)),
            (code(&theirs), error_lines(&theirs.stderr)),
            "{args:?}"
        );
    }
    assert_eq!(
        pair.ok(&["network", "create", "--ignore", &web]),
        format!("{web}\n")
    );

    // prune: only the unused networks the filter picks, never the default.
    assert_eq!(
        pair.ok(&["network", "prune", "-f", "--filter", "label=tier=front"]),
        format!("{web}\n")
    );
    assert_eq!(pair.ok(&["network", "prune", "-f"]), format!("{quiet}\n"));
    assert_eq!(pair.ok(&["network", "ls", "-q"]), "libpod\n");
}

#[test]
fn port_and_connect_on_a_running_container() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netport");
    let (front, back) = (tagged("f"), tagged("b"));
    let cleanup = Cleanup {
        root: pair.root.clone(),
        networks: vec![front.clone(), back.clone()],
    };
    for (name, subnet) in [(&front, "10.231.9.0/24"), (&back, "10.231.10.0/24")] {
        pair.ok(&[
            "network",
            "create",
            "--subnet",
            subnet,
            "--interface-name",
            name,
            name,
        ]);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut run: Vec<String> = ["run", "-d", "--name", "web"].map(String::from).to_vec();
    run.extend(pair.run_flags());
    let publish = format!("127.0.0.1:{port}:80");
    run.extend(
        [
            "--network",
            front.as_str(),
            "-p",
            publish.as_str(),
            "localhost/busybox",
            "sleep",
            "600",
        ]
        .map(String::from),
    );
    let id = pair
        .ok(&run.iter().map(String::as_str).collect::<Vec<_>>())
        .trim()
        .to_string();

    assert_eq!(
        pair.ok(&["port", "web"]),
        format!("80/tcp -> 127.0.0.1:{port}\n")
    );
    assert_eq!(
        pair.ok(&["port", "web", "80"]),
        format!("127.0.0.1:{port}\n")
    );
    assert_eq!(
        pair.ok(&["port", "web", "80/tcp"]),
        format!("127.0.0.1:{port}\n")
    );
    let missing = pair.podctl(&["port", "web", "81"]);
    assert_eq!(code(&missing), 125);
    assert_eq!(
        error_lines(&missing.stderr),
        ["Error: failed to find published port \"81\""]
    );
    assert_eq!(
        pair.ok(&["port", "-a"]),
        format!("{}\t80/tcp -> 127.0.0.1:{port}\n", &id[..12])
    );

    // connect: the running container gets the second network at once; disconnect takes it away.
    pair.ok(&[
        "network",
        "connect",
        "--alias",
        "api",
        "--ip",
        "10.231.10.9",
        &back,
        "web",
    ]);
    let addrs = pair.ok(&["exec", "web", "ip", "-o", "addr"]);
    assert!(addrs.contains("10.231.10.9/24"), "{addrs}");
    pair.ok(&["network", "disconnect", &back, "web"]);
    let addrs = pair.ok(&["exec", "web", "ip", "-o", "addr"]);
    assert!(!addrs.contains("10.231.10.9"), "{addrs}");

    // rm of a used network: exit 2 in Podman's words; -f removes the container with it.
    let used = pair.podctl(&["network", "rm", &front]);
    assert_eq!(code(&used), 2);
    assert_eq!(
        error_lines(&used.stderr),
        [format!(
            "Error: \"{front}\" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used"
        )]
    );
    assert_eq!(
        pair.ok(&["network", "rm", "-f", &front]),
        format!("{front}\n")
    );
    assert_eq!(pair.ok(&["ps", "-a", "-q"]), "");
    pair.ok(&["network", "rm", &back]);
    let netns: Vec<_> = std::fs::read_dir(pair.root.join("run/netns"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(netns.is_empty(), "namespaces left: {netns:?}");
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = stdout(&links);
    assert!(!links.contains(&front), "bridge {front} left: {links}");
    drop(cleanup);
}

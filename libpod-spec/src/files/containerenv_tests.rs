use super::*;

fn privileged<'a>(name: &'a str, image: &'a str) -> ContainerEnv<'a> {
    ContainerEnv {
        name,
        id: "3a0f8abd",
        image,
        image_id: "f763a868",
        rootless: false,
        privileged: true,
    }
}

#[test]
fn unprivileged_containers_get_an_empty_file() {
    assert_eq!(
        generate_containerenv(&ContainerEnv {
            privileged: false,
            ..privileged("c2", "img")
        }),
        ""
    );
    assert_eq!(generate_containerenv(&ContainerEnv::default()), "");
}

#[test]
fn privileged_containers_get_podmans_lines_with_our_engine() {
    // Podman 4.3.1 `--privileged --name c2`, engine="podman-4.3.1" in place of ours.
    let text = generate_containerenv(&privileged("c2", "localhost/bb:test"));
    assert_eq!(
        text,
        format!(
            "engine=\"libpod-rs-{}\"\nname=\"c2\"\nid=\"3a0f8abd\"\nimage=\"localhost/bb:test\"\n\
             imageid=\"f763a868\"\nrootless=0\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn rootless_is_one() {
    let text = generate_containerenv(&ContainerEnv {
        rootless: true,
        ..privileged("c", "i")
    });
    assert!(text.ends_with("\nrootless=1\n"), "{text}");
}

#[test]
fn values_are_quoted_like_go() {
    assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(
        go_quote("l1\nl2\tx\r\u{7}\u{8}\u{c}\u{b}"),
        r#""l1\nl2\tx\r\a\b\f\v""#
    );
    assert_eq!(go_quote("\u{0}\u{1b}\u{7f}"), r#""\x00\x1b\x7f""#);
    assert_eq!(go_quote("é日本 ok"), "\"é日本 ok\"");
    assert_eq!(
        go_quote("\u{85}\u{a0}\u{200b}\u{feff}"),
        r#""\u0085\u00a0\u200b\ufeff""#
    );
    assert_eq!(go_quote("\u{f0000}"), r#""\U000f0000""#);
    assert_eq!(go_quote(""), r#""""#);
}

#[test]
fn quoting_keeps_a_value_on_its_line() {
    let text = generate_containerenv(&privileged("evil\"\nrootless=1", "img"));
    assert_eq!(text.lines().count(), 6);
    assert!(text.contains("name=\"evil\\\"\\nrootless=1\"\n"), "{text}");
}

#[test]
fn hostname_file_has_no_newline() {
    // Podman 4.3.1's /etc/hostname: "bd9778a7334a" with no newline.
    assert_eq!(generate_hostname("bd9778a7334a"), "bd9778a7334a");
    assert_eq!(generate_hostname(""), "");
}

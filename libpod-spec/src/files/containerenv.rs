//! /run/.containerenv and /etc/hostname.

/// The `engine` /run/.containerenv names. Podman writes `podman-<version>`; we name
/// ourselves, so that programs in the container can tell.
const ENGINE: &str = concat!("libpod-rs-", env!("CARGO_PKG_VERSION"));

/// What /run/.containerenv says about the container.
#[derive(Clone, Debug, Default)]
pub struct ContainerEnv<'a> {
    /// The container's name.
    pub name: &'a str,
    /// The container's ID.
    pub id: &'a str,
    /// The image's name.
    pub image: &'a str,
    /// The image's ID.
    pub image_id: &'a str,
    /// Whether the engine runs rootless.
    pub rootless: bool,
    /// Privileged containers get the details; others an empty file, as in Podman.
    pub privileged: bool,
}

/// The content of /run/.containerenv.
///
/// Empty for unprivileged containers; for privileged ones, the lines Podman 4.3 writes, with
/// values quoted as Go's `%q` quotes them and `engine="libpod-rs-<version>"` where Podman
/// writes `engine="podman-<version>"`.
///
/// ```
/// use libpod_spec::files::{ContainerEnv, generate_containerenv};
///
/// let env = ContainerEnv { name: "c1", id: "0123", image: "localhost/bb:test", image_id: "f763",
///                          rootless: false, privileged: true };
/// let text = generate_containerenv(&env);
/// assert!(text.starts_with("engine=\"libpod-rs-"));
/// assert!(text.ends_with("\"\nname=\"c1\"\nid=\"0123\"\nimage=\"localhost/bb:test\"\nimageid=\"f763\"\nrootless=0\n"));
/// assert_eq!(generate_containerenv(&ContainerEnv { privileged: false, ..env }), "");
/// ```
pub fn generate_containerenv(env: &ContainerEnv<'_>) -> String {
    if !env.privileged {
        return String::new();
    }
    format!(
        "engine=\"{ENGINE}\"\nname={}\nid={}\nimage={}\nimageid={}\nrootless={}\n",
        go_quote(env.name),
        go_quote(env.id),
        go_quote(env.image),
        go_quote(env.image_id),
        u8::from(env.rootless),
    )
}

/// The content of /etc/hostname: the hostname alone, without a newline, as Podman 4.3
/// writes it.
///
/// ```
/// use libpod_spec::files::generate_hostname;
///
/// assert_eq!(generate_hostname("dfa16c5cf39d"), "dfa16c5cf39d");
/// ```
pub fn generate_hostname(hostname: &str) -> String {
    hostname.to_string()
}

/// Quotes `value` as Go's `strconv.Quote` (`%q`) does: `"` and `\` escaped, printable
/// characters kept, others as `\n`-style, `\xNN`, `\uNNNN` or `\UNNNNNNNN` escapes.
///
/// Go's notion of printable comes from its Unicode tables; we approximate it: control
/// characters, white space other than the space, the format characters in common use and
/// private-use characters are escaped (unassigned code points are not). That is exact for
/// every character Podman's names, IDs and image references can hold.
fn go_quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{b}' => quoted.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                quoted.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_go_printable(c) => quoted.push(c),
            c if (c as u32) < 0x10000 => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    quoted.push('"');
    quoted
}

/// Whether Go's `unicode.IsPrint` holds, approximately (see [`go_quote`]).
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let format_char = matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}');
    !(c.is_control() || c.is_whitespace() || format_char)
}

#[cfg(test)]
#[path = "containerenv_tests.rs"]
mod tests;

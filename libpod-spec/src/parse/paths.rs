//! Lexical path handling shared by the parsers.

/// Go's `path.Clean`: the shortest equivalent path, lexically (no symlinks resolved).
///
/// Repeated slashes become one, `.` elements go, `..` removes the element before it (and
/// is dropped at the root), a trailing slash goes, and an empty result is `.`.
pub(crate) fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn cleans_like_go() {
        for (input, expected) in [
            ("/", "/"),
            ("", "."),
            ("/a/b/", "/a/b"),
            ("//a//b", "/a/b"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/../a", "/a"),
            ("/a/b/../../..", "/"),
            ("a/../..", ".."),
            ("../../a", "../../a"),
            ("a/./b/..", "a"),
            ("./", "."),
        ] {
            assert_eq!(clean_path(input), expected, "{input}");
        }
    }
}

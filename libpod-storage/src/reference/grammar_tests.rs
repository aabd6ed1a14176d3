use super::*;
use regex::Regex;

const FS: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// distribution's regexp.go, written as one regular expression with ASCII classes: the oracle
/// the hand matcher must agree with.
struct Oracle {
    reference: Regex,
    name: Regex,
}

impl Oracle {
    fn new() -> Oracle {
        let alphanumeric = "[a-z0-9]+";
        let separator = "(?:[._]|__|[-]+)";
        let path_component = format!("{alphanumeric}(?:{separator}{alphanumeric})*");
        let domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let domain_name = format!(r"{domain_component}(?:\.{domain_component})*");
        let ipv6 = r"\[(?:[a-fA-F0-9:]+)\]";
        let domain_and_port = format!("(?:{domain_name}|{ipv6})(?::[0-9]+)?");
        let tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
        let digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
        let remote_name = format!("{path_component}(?:/{path_component})*");
        let name = format!("(?:{domain_and_port}/)?{remote_name}");
        Oracle {
            reference: Regex::new(&format!("^({name})(?::({tag}))?(?:@({digest}))?$")).unwrap(),
            name: Regex::new(&format!("^(?:({domain_and_port})/)?({remote_name})$")).unwrap(),
        }
    }

    fn split<'a>(&self, s: &'a str) -> Option<Components<'a>> {
        let m = self.reference.captures(s)?;
        let name = m.get(1).unwrap().as_str();
        let n = self.name.captures(name).unwrap();
        Some(Components {
            domain: n.get(1).map(|d| d.as_str()),
            path: n.get(2).unwrap().as_str(),
            tag: m.get(2).map(|t| t.as_str()),
            digest: m.get(3).map(|d| d.as_str()),
        })
    }
}

#[test]
fn agrees_with_the_regular_expression_on_every_short_string() {
    let oracle = Oracle::new();
    let alphabet = ['a', 'A', '1', '.', '-', '_', ':', '/', '@', '[', ']'];
    let mut current = vec![String::new()];
    for _ in 0..5 {
        let mut next = Vec::with_capacity(current.len() * alphabet.len());
        for prefix in &current {
            for c in alphabet {
                let s = format!("{prefix}{c}");
                assert_eq!(split(&s), oracle.split(&s), "{s:?}");
                next.push(s);
            }
        }
        current = next;
    }
}

#[test]
fn agrees_with_the_regular_expression_on_token_soup() {
    let oracle = Oracle::new();
    let tokens = [
        "a",
        "b1",
        "example.com",
        "localhost",
        "Up",
        ":",
        ":5000",
        "/",
        "//",
        "@",
        ".",
        "..",
        "_",
        "__",
        "___",
        "-",
        "---",
        "[::1]",
        "[2001:db8::1]",
        "[fe80::1%eth0]",
        "sha256:",
        "sha512:",
        "sha256+b64:",
        FS,
        "ffff",
        "x-",
        "-x",
        "tag_1.0",
        "192.168.1.1",
        "[",
        "]",
    ];
    // A fixed linear congruential generator: reproducible without a dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize
    };
    for _ in 0..40_000 {
        let len = 1 + next() % 8;
        let s: String = (0..len).map(|_| tokens[next() % tokens.len()]).collect();
        assert_eq!(split(&s), oracle.split(&s), "{s:?}");
    }
}

fn ok<'a>(domain: Option<&'a str>, path: &'a str, tag: Option<&'a str>) -> Components<'a> {
    Components {
        domain,
        path,
        tag,
        digest: None,
    }
}

/// distribution's reference_test.go TestReferenceParse (the successful cases).
#[test]
fn parses_the_distribution_reference_table() {
    let sha = format!("sha256:{FS}");
    let long_ok = format!("{}a", "a/".repeat(127));
    let cases: Vec<(String, Components)> = vec![
        ("test_com".into(), ok(None, "test_com", None)),
        ("test.com:tag".into(), ok(None, "test.com", Some("tag"))),
        ("test.com:5000".into(), ok(None, "test.com", Some("5000"))),
        (
            "test.com/repo:tag".into(),
            ok(Some("test.com"), "repo", Some("tag")),
        ),
        ("test:5000/repo".into(), ok(Some("test:5000"), "repo", None)),
        (
            "test:5000/repo:tag".into(),
            ok(Some("test:5000"), "repo", Some("tag")),
        ),
        (
            "lowercase:Uppercase".into(),
            ok(None, "lowercase", Some("Uppercase")),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux".into(),
            ok(Some("sub-dom1.foo.com"), "bar/baz/quux", None),
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            ok(
                Some("b.gcr.io"),
                "test.example.com/my-app",
                Some("test.example.com"),
            ),
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            ok(Some("xn--n3h.com"), "myimage", Some("xn--n3h.com")),
        ),
        (
            "foo_bar.com:8080".into(),
            ok(None, "foo_bar.com", Some("8080")),
        ),
        (
            "foo/foo_bar.com:8080".into(),
            ok(Some("foo"), "foo_bar.com", Some("8080")),
        ),
        ("192.168.1.1".into(), ok(None, "192.168.1.1", None)),
        (
            "192.168.1.1:5000".into(),
            ok(None, "192.168.1.1", Some("5000")),
        ),
        (
            "192.168.1.1:5000/repo:5050".into(),
            ok(Some("192.168.1.1:5000"), "repo", Some("5050")),
        ),
        (
            "[2001:db8::1]/repo".into(),
            ok(Some("[2001:db8::1]"), "repo", None),
        ),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
            ok(Some("[2001:db8:1:2:3:4:5:6]"), "repo", Some("tag")),
        ),
        (
            "[2001:db8::]:5000/repo".into(),
            ok(Some("[2001:db8::]:5000"), "repo", None),
        ),
        (
            "[::1]:5000/repo".into(),
            ok(Some("[::1]:5000"), "repo", None),
        ),
        (long_ok.clone(), ok(Some("a"), &long_ok[2..], None)),
    ];
    for (input, expected) in &cases {
        assert_eq!(parse(input), Ok(*expected), "{input}");
    }
    let with_digest = format!("[2001:db8::1]:5000/repo:tag@{sha}");
    let parsed = parse(&with_digest).unwrap();
    assert_eq!(parsed.domain, Some("[2001:db8::1]:5000"));
    assert_eq!(
        (parsed.tag, parsed.digest),
        (Some("tag"), Some(sha.as_str()))
    );
    // The grammar accepts any algorithm; only the reference type insists on sha256.
    let sha512 = format!("xn--7o8h.com/myimage:xn--7o8h.com@sha512:{FS}{FS}");
    assert!(
        parse(&sha512)
            .unwrap()
            .digest
            .unwrap()
            .starts_with("sha512:")
    );
}

/// distribution's reference_test.go TestReferenceParse (the failing cases).
#[test]
fn refuses_what_distribution_refuses() {
    let cases = [
        (String::new(), GrammarError::Empty),
        (":justtag".into(), GrammarError::InvalidFormat),
        (format!("@sha256:{FS}"), GrammarError::InvalidFormat),
        ("repo@sha256:ffff".into(), GrammarError::InvalidFormat),
        ("Uppercase:tag".into(), GrammarError::Uppercase),
        (
            "test:5000/Uppercase/lowercase:tag".into(),
            GrammarError::Uppercase,
        ),
        (
            format!("{}a:tag", "a/".repeat(128)),
            GrammarError::NameTooLong,
        ),
        ("aa/asdf$$^/aa".into(), GrammarError::InvalidFormat),
        ("[2001:db8::1]".into(), GrammarError::InvalidFormat),
        ("[2001:db8::1]:5000".into(), GrammarError::InvalidFormat),
        ("[2001:db8::1]:tag".into(), GrammarError::InvalidFormat),
        (
            "[fe80::1%eth0]:5000/repo".into(),
            GrammarError::InvalidFormat,
        ),
        (
            "[fe80::1%@invalidzone]:5000/repo".into(),
            GrammarError::InvalidFormat,
        ),
        ("foo:".into(), GrammarError::InvalidFormat),
        ("foo@".into(), GrammarError::InvalidFormat),
        ("a/../b".into(), GrammarError::InvalidFormat),
        ("with space".into(), GrammarError::InvalidFormat),
        (
            format!("foo:{}", "t".repeat(129)),
            GrammarError::InvalidFormat,
        ),
    ];
    for (input, expected) in &cases {
        assert_eq!(parse(input), Err(*expected), "{input:?}");
    }
    assert!(parse(&format!("foo:{}", "t".repeat(128))).is_ok());
}

#[test]
fn path_component_separators() {
    for valid in ["a.b", "a_b", "a__b", "a-b", "a---b", "a.b_c__d-e", "0"] {
        assert!(is_path_component(valid), "{valid}");
    }
    for invalid in [
        "", "a..b", "a___b", "a_.b", "a-.b", ".a", "a.", "_a", "a_", "-a", "a-", "A",
    ] {
        assert!(!is_path_component(invalid), "{invalid}");
    }
}

#[test]
fn domains_and_ports() {
    for valid in [
        "a",
        "example.com",
        "a-b.c",
        "localhost:5000",
        "[::1]",
        "[::1]:5000",
        "UP.case",
    ] {
        assert!(is_domain_and_port(valid), "{valid}");
    }
    for invalid in [
        "", "-a", "a-", "a..b", "a:", "a:b", "[]", "[::1", "[::1]:", "[::g]", "a_b",
    ] {
        assert!(!is_domain_and_port(invalid), "{invalid}");
    }
}

#[test]
fn identifiers_are_64_lower_case_hex_digits() {
    assert!(is_identifier(FS));
    assert!(!is_identifier(&FS[1..]));
    assert!(!is_identifier(&FS.to_uppercase()));
}

//! `images --filter` as c/common's libimage compiles it: `KEY=VALUE` or `KEY!=VALUE`; the
//! values of one key are OR'd, the keys AND'd.

use crate::errors::{Exit, OWN_ERROR};
use chrono::{DateTime, Utc};
use libpod_core::logs::parse_time;
use libpod_storage::{ImageRecord, ImageReference};
use oci_spec::image::ImageConfiguration;
use std::collections::BTreeMap;
use std::error::Error;

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

/// What the filters look at, per image (same order as the listing).
pub struct ImageFacts<'a> {
    pub images: &'a [ImageRecord],
    pub created: Vec<DateTime<Utc>>,
    pub labels: Vec<Option<BTreeMap<String, String>>>,
    pub containers: Vec<usize>,
    /// Each image's parent (an index), as libimage's layer tree decides: the child's layers
    /// are the parent's or one more, and its history is the parent's plus one entry.
    pub parents: Vec<Option<usize>>,
}

impl<'a> ImageFacts<'a> {
    /// Gathers the facts; `config` reads an image's config, `in_use` counts the containers
    /// per image ID (hex).
    pub fn new(
        images: &'a [ImageRecord],
        config: impl Fn(&ImageRecord) -> Result<ImageConfiguration>,
        in_use: &BTreeMap<String, usize>,
    ) -> Result<ImageFacts<'a>> {
        let created = images
            .iter()
            .map(|i| {
                DateTime::parse_from_rfc3339(&i.created)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_default()
            })
            .collect();
        let configs = images.iter().map(config).collect::<Result<Vec<_>>>()?;
        let labels = configs
            .iter()
            .map(|c| {
                c.labels_of_config()
                    .map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            })
            .collect();
        let parents = images
            .iter()
            .zip(&configs)
            .map(|(child, child_config)| {
                images
                    .iter()
                    .zip(&configs)
                    .position(|(parent, parent_config)| {
                        child.id != parent.id
                            && child.layers.len() <= parent.layers.len() + 1
                            && are_parent_and_child(parent_config, child_config)
                    })
            })
            .collect();
        Ok(ImageFacts {
            images,
            created,
            labels,
            containers: images
                .iter()
                .map(|i| in_use.get(&i.id.hex()).copied().unwrap_or(0))
                .collect(),
            parents,
        })
    }

    /// Untagged and without children.
    pub fn dangling(&self, index: usize) -> bool {
        self.images[index].names.is_empty() && !self.has_children(index)
    }

    /// Untagged with children.
    fn intermediate(&self, index: usize) -> bool {
        self.images[index].names.is_empty() && self.has_children(index)
    }

    fn has_children(&self, index: usize) -> bool {
        self.parents.contains(&Some(index))
    }
}

/// One compiled filter.
enum Filter {
    Since(DateTime<Utc>),
    Before(DateTime<Utc>),
    Containers(bool),
    Dangling(bool),
    Id(String),
    Intermediate(bool),
    Label(String),
    ReadOnly(bool),
    Reference(String),
}

/// The compiled filters: (key, [(negated, filter)]).
pub struct ImageFilters(Vec<(String, Vec<(bool, Filter)>)>);

impl ImageFilters {
    /// Compiles `given`; `lookup` finds the image a `before`/`since` filter names.
    pub fn parse(
        given: &[String],
        facts: &ImageFacts,
        lookup: impl Fn(&str) -> Result<ImageRecord>,
    ) -> Result<ImageFilters> {
        let mut out: Vec<(String, Vec<(bool, Filter)>)> = Vec::new();
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for f in given {
            let (negate, (key, value)) = match f.split_once("!=") {
                Some(split) => (true, split),
                None => (
                    false,
                    f.split_once('=').ok_or_else(|| {
                        own(format!(
                            "invalid image filter {f:?}: must be in the format \"filter=value or filter!=value\""
                        ))
                    })?,
                ),
            };
            if ["containers", "dangling", "intermediate", "readonly"].contains(&key) {
                if seen.get(key).is_some_and(|v| *v != value) {
                    return Err(own(format!(
                        "specifying {key:?} filter more than once with different values is not supported"
                    ))
                    .into());
                }
                seen.insert(key, value);
            }
            let boolean = || {
                value.parse::<bool>().map_err(|_| {
                    own(format!(
                        "non-boolean value {key:?} for {value} filter: strconv.ParseBool: parsing {value:?}: invalid syntax"
                    ))
                })
            };
            let created_of = |value: &str| -> Result<DateTime<Utc>> {
                let image = lookup(value).map_err(|e| {
                    own(format!(
                        "could not find local image for filter filter {key:?}={value:?}: {}",
                        crate::errors::report(e.as_ref()).0
                    ))
                })?;
                let index = facts.images.iter().position(|i| i.id == image.id);
                Ok(index.map(|i| facts.created[i]).unwrap_or_default())
            };
            let (key, filter) = match key {
                "since" | "after" => ("since", Filter::Since(created_of(value)?)),
                "before" => ("before", Filter::Before(created_of(value)?)),
                "until" => {
                    let now = chrono::Local::now().fixed_offset();
                    let until = parse_time(value, now).map_err(|e| own(e.to_string()))?;
                    ("until", Filter::Before(until.with_timezone(&Utc)))
                }
                "containers" => (
                    "containers",
                    Filter::Containers(match value {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(own(format!(
                                "unsupported value {value:?} for containers filter"
                            ))
                            .into());
                        }
                    }),
                ),
                "dangling" => ("dangling", Filter::Dangling(boolean()?)),
                "id" => ("id", Filter::Id(value.to_string())),
                "intermediate" => ("intermediate", Filter::Intermediate(boolean()?)),
                "label" => ("label", Filter::Label(value.to_string())),
                "readonly" => ("readonly", Filter::ReadOnly(boolean()?)),
                "reference" => ("reference", Filter::Reference(value.to_string())),
                other => return Err(own(format!("unsupported image filter {other:?}")).into()),
            };
            match out.iter_mut().find(|(k, _)| k == key) {
                Some((_, filters)) => filters.push((negate, filter)),
                None => out.push((key.to_string(), vec![(negate, filter)])),
            }
        }
        Ok(ImageFilters(out))
    }

    /// Whether image `index` of `facts` passes.
    pub fn matches(&self, facts: &ImageFacts, index: usize) -> bool {
        let image = &facts.images[index];
        let created = facts.created[index];
        self.0.iter().all(|(_, filters)| {
            filters.iter().any(|(negate, filter)| {
                let hit = match filter {
                    Filter::Since(t) => created > *t,
                    Filter::Before(t) => created < *t,
                    Filter::Containers(used) => (facts.containers[index] > 0) == *used,
                    Filter::Dangling(want) => facts.dangling(index) == *want,
                    Filter::Id(id) => image.id.hex() == *id,
                    Filter::Intermediate(want) => facts.intermediate(index) == *want,
                    Filter::Label(label) => label_matches(label, facts.labels[index].as_ref()),
                    Filter::ReadOnly(want) => !*want,
                    Filter::Reference(pattern) => image
                        .names
                        .iter()
                        .any(|name| reference_candidates(name).iter().any(|c| glob(pattern, c))),
                };
                hit != *negate
            })
        })
    }
}

/// libimage's `areParentAndChild`: the child starts with all the parent's diff IDs and has
/// the parent's history plus one entry.
fn are_parent_and_child(parent: &ImageConfiguration, child: &ImageConfiguration) -> bool {
    let (parent_diffs, child_diffs) = (parent.rootfs().diff_ids(), child.rootfs().diff_ids());
    let (parent_history, child_history) = (
        parent.history().clone().unwrap_or_default(),
        child.history().clone().unwrap_or_default(),
    );
    child_diffs.starts_with(parent_diffs)
        && parent_history.len() + 1 == child_history.len()
        && child_history.starts_with(&parent_history)
}

fn own(message: String) -> Exit {
    Exit::new(OWN_ERROR, message)
}

/// c/common's `MatchLabelFilters` for one filter: `KEY` (present) or `KEY=VALUE`.
fn label_matches(filter: &str, labels: Option<&BTreeMap<String, String>>) -> bool {
    let Some(labels) = labels else {
        return false;
    };
    match filter.split_once('=') {
        Some((key, value)) => labels.get(key).is_some_and(|v| v == value),
        None => labels.contains_key(filter),
    }
}

/// The forms of a name a reference filter is matched against (libimage's
/// `filterReferences`): the full name, its path, its last component, each with and without
/// the tag or digest.
fn reference_candidates(name: &str) -> Vec<String> {
    let Ok(reference) = ImageReference::parse(name) else {
        return vec![name.to_string()];
    };
    let full = reference.to_string();
    let path = reference.repository().to_string();
    let mut out = vec![
        full.clone(),
        path.clone(),
        full[full.rfind('/').map_or(0, |i| i + 1)..].to_string(),
    ];
    let trimmed = reference.name();
    if full != trimmed {
        let tag_or_digest = &full[trimmed.len()..];
        out.push(trimmed.clone());
        out.push(format!("{path}{tag_or_digest}"));
        out.push(trimmed[trimmed.rfind('/').map_or(0, |i| i + 1)..].to_string());
    }
    out
}

/// Go's `path.Match`: `*` (any run without `/`), `?` (one character but `/`), `[...]`
/// classes (with `^` negation and ranges), `\` escapes.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n)
}

fn glob_at(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len())
            .take_while(|&i| i == 0 || n[i - 1] != '/')
            .any(|i| glob_at(&p[1..], &n[i..])),
        Some('?') => n.first().is_some_and(|&c| c != '/') && glob_at(&p[1..], &n[1..]),
        Some('[') => {
            let Some(&c) = n.first() else {
                return false;
            };
            let Some(end) = p.iter().skip(1).position(|&x| x == ']').map(|i| i + 1) else {
                return false;
            };
            let class = &p[1..end];
            let (negated, class) = match class.first() {
                Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negated && c != '/' && glob_at(&p[end + 1..], &n[1..])
        }
        Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && glob_at(&p[2..], &n[1..]),
        Some(&c) => n.first() == Some(&c) && glob_at(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_is_go_path_match() {
        assert!(glob("busybox", "busybox"));
        assert!(glob("busy*", "busybox"));
        assert!(!glob("*", "library/busybox"));
        assert!(glob("*/busybox", "library/busybox"));
        assert!(glob("b?sybox:[0-9]", "busybox:1"));
        assert!(!glob("b?sybox:[^0-9]", "busybox:1"));
        assert!(!glob("busybox", "busybox:1"));
    }

    #[test]
    fn reference_candidates_are_libimage_s() {
        let got = reference_candidates("quay.io/test/web:1");
        for want in [
            "quay.io/test/web:1",
            "test/web",
            "web:1",
            "quay.io/test/web",
            "test/web:1",
            "web",
        ] {
            assert!(got.iter().any(|c| c == want), "{want} not in {got:?}");
        }
    }
}

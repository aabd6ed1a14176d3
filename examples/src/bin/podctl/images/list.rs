//! `images` (`image ls`, `image list`): Podman 4.3's flags (`-a`, `-q`, `--no-trunc`,
//! `--noheading`, `--digests`, `--sort`, `--filter`, an optional IMAGE) and `--format` (json,
//! Go templates over Podman's image reporter fields, table).

use super::filters::{ImageFacts, ImageFilters};
use crate::errors::{Exit, OWN_ERROR};
use crate::human;
use chrono::{DateTime, Utc};
use clap::Args;
use libpod_core::container::RootfsSource;
use libpod_core::runtime::Runtime;
use libpod_storage::{ImageRecord, ImageReference};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::error::Error;

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

#[derive(Args)]
pub struct ImagesArgs {
    /// Show all images (default hides intermediate images).
    #[arg(short, long)]
    all: bool,
    /// Show digests.
    #[arg(long)]
    digests: bool,
    /// Filter output based on conditions provided (dangling, reference, label, before,
    /// since, id, containers, intermediate, readonly, until; KEY=VALUE or KEY!=VALUE).
    #[arg(short, long, value_delimiter = ',')]
    filter: Vec<String>,
    /// Change the output format to JSON or a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Do not print column headings.
    #[arg(short = 'n', long)]
    noheading: bool,
    /// Do not truncate output.
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Display only image IDs.
    #[arg(short, long)]
    quiet: bool,
    /// Sort by created, id, repository, size or tag.
    #[arg(long)]
    sort: Option<String>,
    /// Show only images matching this reference.
    image: Option<String>,
}

/// Podman's fields and their table titles (`report.Headers` of the image reporter).
const HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("ReadOnly", "R/O"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("ParentId", "PARENT ID"),
    ("RepoTags", "REPO TAGS"),
    ("RepoDigests", "REPO DIGESTS"),
    ("SharedSize", "SHARED SIZE"),
    ("VirtualSize", "VIRTUAL SIZE"),
];

/// One row: an image under one of its names, as Podman's `imageReporter`.
#[derive(Clone)]
struct Row {
    image: ImageRecord,
    repository: String,
    tag: String,
    created: DateTime<Utc>,
    labels: Option<BTreeMap<String, String>>,
    parent: String,
    containers: usize,
    dangling: bool,
}

impl Row {
    fn short_id(&self, no_trunc: bool) -> String {
        let hex = self.image.id.hex();
        if no_trunc {
            format!("sha256:{hex}")
        } else {
            hex[..12].to_string()
        }
    }

    fn repo_digests(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in &self.image.names {
            let Ok(reference) = ImageReference::parse(name) else {
                continue;
            };
            for digest in self
                .image
                .digests
                .iter()
                .chain([&self.image.manifest_digest])
            {
                let canonical = format!("{}@{digest}", reference.name());
                if !out.contains(&canonical) {
                    out.push(canonical);
                }
            }
        }
        out
    }

    /// `entities.ImageSummary`'s JSON (what `--format json` prints for each row).
    fn summary(&self) -> Map<String, Value> {
        let image = &self.image;
        let mut summary = Map::new();
        summary.insert("Id".into(), json!(image.id.hex()));
        summary.insert("ParentId".into(), json!(self.parent));
        summary.insert("RepoTags".into(), Value::Null);
        summary.insert("RepoDigests".into(), json!(self.repo_digests()));
        summary.insert("Created".into(), json!(self.created.timestamp()));
        summary.insert("Size".into(), json!(image.size));
        summary.insert("SharedSize".into(), json!(0));
        summary.insert("VirtualSize".into(), json!(image.size));
        summary.insert("Labels".into(), json!(self.labels));
        summary.insert("Containers".into(), json!(self.containers));
        if self.dangling {
            summary.insert("Dangling".into(), json!(true));
        }
        if !image.names.is_empty() {
            summary.insert("Names".into(), json!(image.names));
        }
        summary.insert("Digest".into(), json!(image.manifest_digest.to_string()));
        summary
    }

    fn json(&self) -> Value {
        let mut v = self.summary();
        v.insert(
            "CreatedAt".into(),
            json!(
                self.created
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
        );
        Value::Object(v)
    }

    /// A template's view: the summary's fields plus the reporter's methods (`.ID` short
    /// unless --no-trunc, `.Created` as `N days ago`, `.Size` human).
    fn template(&self, no_trunc: bool) -> Value {
        let mut v = self.summary();
        // Go's nil slice: an image without names has null ones.
        let names = (!self.image.names.is_empty()).then_some(&self.image.names);
        v.insert("RepoTags".into(), json!(names));
        v.insert("Dangling".into(), json!(self.dangling));
        v.insert("ReadOnly".into(), json!(false));
        v.insert("Names".into(), json!(names));
        v.insert("History".into(), json!(""));
        v.insert("Repository".into(), json!(self.repository));
        v.insert("Tag".into(), json!(self.tag));
        v.insert("ID".into(), json!(self.short_id(no_trunc)));
        v.insert("Created".into(), json!(human::ago(self.created)));
        v.insert("CreatedSince".into(), json!(human::ago(self.created)));
        v.insert("CreatedAt".into(), json!(human::go_time(self.created)));
        v.insert("CreatedTime".into(), json!(human::go_time(self.created)));
        v.insert("Size".into(), json!(human::size(self.image.size)));
        Value::Object(v)
    }
}

/// `images`.
pub fn list(rt: &Runtime, args: ImagesArgs) -> Result {
    let store = rt.storage();
    let mut filters = args.filter.clone();
    if let Some(image) = &args.image {
        if !filters.is_empty() {
            return Err(Exit::new(OWN_ERROR, "cannot specify an image and a filter(s)").into());
        }
        filters.push(format!("reference={image}"));
    }
    if !args.all {
        filters.push("intermediate=false".into());
    }
    let sort = args.sort.as_deref().unwrap_or("created");
    if !["created", "id", "repository", "size", "tag"].contains(&sort) {
        return Err(Exit::new(
            OWN_ERROR,
            format!("\"{sort}\" is not a valid field for sorting. Choose from: [created id repository size tag]"),
        )
        .into());
    }
    let images = store.images()?;
    let mut in_use: BTreeMap<String, usize> = BTreeMap::new();
    for ctr in rt.containers()? {
        if let Some(RootfsSource::Image { id, .. }) = &ctr.config().rootfs {
            *in_use
                .entry(id.trim_start_matches("sha256:").to_string())
                .or_default() += 1;
        }
    }
    let facts = ImageFacts::new(&images, |image| Ok(store.image_config(image)?), &in_use)?;
    let filters = ImageFilters::parse(&filters, &facts, |name| Ok(store.image(name)?))?;
    let mut rows = Vec::new();
    for (index, image) in images.iter().enumerate() {
        if !filters.matches(&facts, index) {
            continue;
        }
        // An image named only by digest shows its repository with tag <none>.
        let repository = image
            .names
            .iter()
            .find_map(|name| ImageReference::parse(name).ok())
            .map_or_else(|| "<none>".to_string(), |r| r.name());
        let base = Row {
            image: image.clone(),
            repository,
            tag: "<none>".into(),
            created: facts.created[index],
            labels: facts.labels[index].clone(),
            parent: facts.parents[index].map_or_else(String::new, |p| images[p].id.hex()),
            containers: facts.containers[index],
            dangling: facts.dangling(index),
        };
        let tagged: Vec<(String, String)> = image
            .names
            .iter()
            .filter_map(|name| ImageReference::parse(name).ok())
            .filter_map(|r| r.tag().map(|t| (r.name(), t.to_string())))
            .collect();
        if tagged.is_empty() {
            rows.push(base);
            continue;
        }
        for (repository, tag) in tagged {
            rows.push(Row {
                image: image.clone(),
                repository,
                tag,
                ..base.clone()
            });
        }
    }
    match sort {
        "id" => rows.sort_by_key(|r| r.image.id.hex()),
        "repository" => rows.sort_by(|a, b| a.repository.cmp(&b.repository)),
        "size" => rows.sort_by_key(|r| r.image.size),
        "tag" => rows.sort_by(|a, b| a.tag.cmp(&b.tag)),
        _ => rows.sort_by_key(|r| std::cmp::Reverse(r.created)),
    }
    if args.format.as_deref() == Some("json") {
        let list: Vec<Value> = rows.iter().map(Row::json).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    if args.quiet {
        let mut seen = Vec::new();
        for row in &rows {
            let id = row.short_id(args.no_trunc);
            if !seen.contains(&id) {
                println!("{id}");
                seen.push(id);
            }
        }
        return Ok(());
    }
    let format = match &args.format {
        Some(format) => format.clone(),
        None => {
            let digest = if args.digests { "{{.Digest}}\t" } else { "" };
            format!(
                "table {{{{.Repository}}}}\t{{{{.Tag}}}}\t{digest}{{{{.ID}}}}\t{{{{.Created}}}}\t{{{{.Size}}}}"
            )
        }
    };
    let data: Vec<Value> = rows.iter().map(|r| r.template(args.no_trunc)).collect();
    let mut out = crate::format::render_with_headers(&format, &data, HEADERS)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if args.noheading && format.starts_with("table") {
        out = crate::format::strip_header(&out);
    }
    print!("{out}");
    Ok(())
}

//! `info` and `version`: Podman's structures (libpod/define's `Info` and `Version`) filled with
//! what podctl knows; what it cannot know is Podman's zero value (`""`, `0`, `false`, `null`).
//!
//! Podman's JSON uses the structures' json tags (`host.ociRuntime.name`) and its templates the
//! Go field names (`{{.Host.OCIRuntime.Name}}`): [`Fields`] builds both at once.

mod boot;
mod host;
mod info;
mod prune;
mod version;

pub use boot::{BootArgs, boot};
pub use info::{InfoArgs, info};
pub use prune::{PruneArgs, prune};
pub use version::{VersionArgs, version};

use serde_json::{Map, Value};

/// One Go struct as its JSON object and its template object.
#[derive(Default)]
pub struct Fields {
    json: Map<String, Value>,
    go: Map<String, Value>,
}

impl Fields {
    /// Adds a field: its Go name, its json tag and its value.
    pub fn leaf(mut self, go: &str, json: &str, value: impl Into<Value>) -> Fields {
        let value = value.into();
        self.json.insert(json.into(), value.clone());
        self.go.insert(go.into(), value);
        self
    }

    /// Adds a struct-valued field.
    pub fn nested(mut self, go: &str, json: &str, fields: Fields) -> Fields {
        self.json.insert(json.into(), Value::Object(fields.json));
        self.go.insert(go.into(), Value::Object(fields.go));
        self
    }

    /// What `--format json` prints.
    pub fn json(&self) -> Value {
        Value::Object(self.json.clone())
    }

    /// What a template sees.
    pub fn template(&self) -> Value {
        Value::Object(self.go.clone())
    }
}

/// `value` as YAML, keys in order, as Podman's default `info` output (sigs.k8s.io/yaml of
/// the JSON); strings that YAML would read otherwise are double-quoted.
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    yaml_into(value, 0, &mut out);
    out
}

fn yaml_into(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml_into(v, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml_into(v, indent, out);
                    }
                    _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(v))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&format!("{pad}- {}\n", scalar(item)));
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => {
            let plain = !s.is_empty()
                && !s.contains(['\n', ':', '#', '"', '\''])
                && !s.starts_with([' ', '-', '[', '{', '*', '&', '!', '|', '>', '%', '@'])
                && !s.ends_with(' ')
                && s.parse::<f64>().is_err()
                && !["true", "false", "null", "yes", "no", "~"].contains(&s.as_str());
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        other => other.to_string(),
    }
}

//! The SQLite state store: WAL, a busy timeout, immediate transactions, schema migrations.

use super::StateStore;
use crate::container::{ContainerConfig, ContainerState};
use crate::error::Result;

/// A state store in a SQLite database file, safe across processes.
#[derive(Debug)]
pub struct SqliteState {
    // helper A: fields
}

impl StateStore for SqliteState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let _ = (config, state);
        todo!("helper A")
    }
    fn remove_container(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper A")
    }
    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        let _ = id;
        todo!("helper A")
    }
    fn container_state(&self, id: &str) -> Result<ContainerState> {
        let _ = id;
        todo!("helper A")
    }
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let _ = (id, state);
        todo!("helper A")
    }
    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        let _ = name_or_id;
        todo!("helper A")
    }
    fn all_containers(&self) -> Result<Vec<String>> {
        todo!("helper A")
    }
    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        let _ = id;
        todo!("helper A")
    }
    fn record_exit_code(&self, id: &str, code: i32) -> Result<()> {
        let _ = (id, code);
        todo!("helper A")
    }
    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        let _ = id;
        todo!("helper A")
    }
    fn metadata(&self, key: &str) -> Result<Option<String>> {
        let _ = key;
        todo!("helper A")
    }
    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        let _ = (key, value);
        todo!("helper A")
    }
}

impl SqliteState {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self> {
        let _ = path;
        todo!("helper A")
    }
}

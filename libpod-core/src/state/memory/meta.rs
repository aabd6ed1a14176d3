//! Runtime-wide values in memory.

use super::MemoryState;
use crate::error::Result;
use crate::state::MetaStore;

impl MetaStore for MemoryState {
    fn metadata(&self, key: &str) -> Result<Option<String>> {
        Ok(self.inner.lock().metadata.get(key).cloned())
    }

    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        self.inner
            .lock()
            .metadata
            .insert(key.to_string(), value.to_string());
        Ok(())
    }
}

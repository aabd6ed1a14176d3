//! Runtime-wide values in SQLite: the `metadata` table.

use super::{SqliteState, db_err};
use crate::error::Result;
use crate::state::MetaStore;
use rusqlite::OptionalExtension;

impl MetaStore for SqliteState {
    fn metadata(&self, key: &str) -> Result<Option<String>> {
        let conn = self.conn.lock();
        conn.prepare_cached("SELECT value FROM metadata WHERE key = ?1")
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(db_err("read metadata"))
    }

    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        self.write(
            "INSERT OR REPLACE INTO metadata (key, value) VALUES (?1, ?2)",
            [key, value],
            "set metadata",
        )
        .map(drop)
    }
}

//! Named volumes in SQLite: the `volumes` table, and `container_volumes` for the containers
//! using them.

use super::{SqliteState, db_err, exists, require_container};
use crate::error::{CoreError, Result};
use crate::record::{VolumeConfig, VolumeState};
use crate::state::VolumeStore;
use crate::state::common::{check_new_volume, decode, encode, volume_exists};
use rusqlite::{Connection, params};

fn not_found(name: &str) -> CoreError {
    CoreError::VolumeNotFound(name.to_string())
}

/// Fails with `VolumeNotFound` unless volume `name` exists.
fn require_volume(conn: &Connection, name: &str) -> Result<()> {
    let sql = "SELECT 1 FROM volumes WHERE name = ?1";
    if exists(conn, sql, name, "check volume")? {
        Ok(())
    } else {
        Err(not_found(name))
    }
}

const USERS: &str =
    "SELECT container_id FROM container_volumes WHERE volume_name = ?1 ORDER BY container_id";

impl VolumeStore for SqliteState {
    fn add_volume(&self, config: &VolumeConfig, state: &VolumeState) -> Result<()> {
        check_new_volume(config)?;
        let name = config.name.as_str();
        let config_json = encode("volume config", name, config)?;
        let state_json = encode("volume state", name, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin adding volume")?;
        let sql = "SELECT 1 FROM volumes WHERE name = ?1";
        if exists(&tx, sql, name, "check volume name")? {
            return Err(volume_exists(name));
        }
        tx.prepare_cached(
            "INSERT INTO volumes (name, driver, anonymous, config, state) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                name,
                config.driver,
                config.anonymous,
                config_json,
                state_json
            ])
        })
        .map_err(db_err("insert volume"))?;
        tx.commit().map_err(db_err("commit adding volume"))?;
        tracing::debug!(name, "volume added to the state database");
        Ok(())
    }

    fn remove_volume(&self, name: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin removing volume")?;
        require_volume(&tx, name)?;
        let containers: Vec<String> = tx
            .prepare_cached(USERS)
            .and_then(|mut stmt| stmt.query_map([name], |row| row.get(0))?.collect())
            .map_err(db_err("read volume users"))?;
        if !containers.is_empty() {
            return Err(CoreError::VolumeInUse {
                name: name.to_string(),
                containers,
            });
        }
        tx.prepare_cached("DELETE FROM volumes WHERE name = ?1")
            .and_then(|mut stmt| stmt.execute([name]))
            .map_err(db_err("delete volume"))?;
        tx.commit().map_err(db_err("commit removing volume"))?;
        tracing::debug!(name, "volume removed from the state database");
        Ok(())
    }

    fn volume_config(&self, name: &str) -> Result<VolumeConfig> {
        let sql = "SELECT config FROM volumes WHERE name = ?1";
        let json = self.read_text(sql, name, "read volume", || not_found(name))?;
        decode("volume config", name, &json)
    }

    fn volume_state(&self, name: &str) -> Result<VolumeState> {
        let sql = "SELECT state FROM volumes WHERE name = ?1";
        let json = self.read_text(sql, name, "read volume", || not_found(name))?;
        decode("volume state", name, &json)
    }

    fn save_volume_state(&self, name: &str, state: &VolumeState) -> Result<()> {
        let json = encode("volume state", name, state)?;
        let sql = "UPDATE volumes SET state = ?1 WHERE name = ?2";
        match self.write(sql, [json.as_str(), name], "save volume state")? {
            0 => Err(not_found(name)),
            _ => Ok(()),
        }
    }

    fn lookup_volume(&self, name_or_prefix: &str) -> Result<String> {
        if name_or_prefix.is_empty() {
            return Err(not_found(name_or_prefix));
        }
        let exact = "SELECT name FROM volumes WHERE name = ?1";
        if let Some(name) = self
            .ids(exact, Some(name_or_prefix), "look up volume")?
            .pop()
        {
            return Ok(name);
        }
        // A comparison, not a pattern: names may hold `_`, `.` and `-`.
        let sql = "SELECT name FROM volumes WHERE substr(name, 1, length(?1)) = ?1 LIMIT 2";
        let mut matches = self.ids(sql, Some(name_or_prefix), "look up volume by prefix")?;
        match matches.len() {
            0 => Err(not_found(name_or_prefix)),
            1 => Ok(matches.remove(0)),
            _ => Err(CoreError::AmbiguousVolume(name_or_prefix.to_string())),
        }
    }

    fn all_volumes(&self) -> Result<Vec<String>> {
        self.ids(
            "SELECT name FROM volumes ORDER BY name",
            None,
            "list volumes",
        )
    }

    fn link_volume(&self, container_id: &str, name: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin linking volume")?;
        require_container(&tx, container_id)?;
        require_volume(&tx, name)?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO container_volumes (container_id, volume_name) VALUES (?1, ?2)",
        )
        .and_then(|mut stmt| stmt.execute([container_id, name]))
        .map_err(db_err("link volume"))?;
        tx.commit().map_err(db_err("commit linking volume"))
    }

    fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        self.ids(USERS, Some(name), "read volume users")
    }
}

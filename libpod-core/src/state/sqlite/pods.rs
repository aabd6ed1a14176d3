//! Pods in SQLite: the `pods` table; a pod's containers are the rows of `containers` whose
//! `pod_id` it is.

use super::{SqliteState, db_err, exists};
use crate::error::{CoreError, Result};
use crate::record::{PodConfig, PodState};
use crate::state::PodStore;
use crate::state::common::{check_new_pod, decode, encode, id_in_use, is_id_prefix};
use rusqlite::params;

fn not_found(id: &str) -> CoreError {
    CoreError::PodNotFound(id.to_string())
}

const MEMBERS: &str = "SELECT id FROM containers WHERE pod_id = ?1 ORDER BY id";

impl PodStore for SqliteState {
    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()> {
        check_new_pod(config)?;
        let id = config.id.as_str();
        let config_json = encode("pod config", id, config)?;
        let state_json = encode("pod state", id, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin adding pod")?;
        const ID_USED: &str =
            "SELECT 1 FROM containers WHERE id = ?1 UNION ALL SELECT 1 FROM pods WHERE id = ?1";
        if exists(&tx, ID_USED, id, "check pod id")? {
            return Err(id_in_use(id));
        }
        const NAME_USED: &str = "SELECT 1 FROM containers WHERE name = ?1 \
             UNION ALL SELECT 1 FROM pods WHERE name = ?1";
        if exists(&tx, NAME_USED, &config.name, "check pod name")? {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        tx.prepare_cached("INSERT INTO pods (id, name, config, state) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut stmt| stmt.execute(params![id, config.name, config_json, state_json]))
            .map_err(db_err("insert pod"))?;
        tx.commit().map_err(db_err("commit adding pod"))?;
        tracing::debug!(id, name = %config.name, "pod added to the state database");
        Ok(())
    }

    fn remove_pod(&self, id: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin removing pod")?;
        if !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", id, "check pod")? {
            return Err(not_found(id));
        }
        let containers: Vec<String> = tx
            .prepare_cached(MEMBERS)
            .and_then(|mut stmt| stmt.query_map([id], |row| row.get(0))?.collect())
            .map_err(db_err("read pod containers"))?;
        if !containers.is_empty() {
            return Err(CoreError::PodHasContainers {
                id: id.to_string(),
                containers,
            });
        }
        tx.prepare_cached("DELETE FROM pods WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute([id]))
            .map_err(db_err("delete pod"))?;
        tx.commit().map_err(db_err("commit removing pod"))?;
        tracing::debug!(id, "pod removed from the state database");
        Ok(())
    }

    fn pod_config(&self, id: &str) -> Result<PodConfig> {
        let sql = "SELECT config FROM pods WHERE id = ?1";
        let json = self.read_text(sql, id, "read pod", || not_found(id))?;
        decode("pod config", id, &json)
    }

    fn pod_state(&self, id: &str) -> Result<PodState> {
        let sql = "SELECT state FROM pods WHERE id = ?1";
        let json = self.read_text(sql, id, "read pod", || not_found(id))?;
        decode("pod state", id, &json)
    }

    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()> {
        let json = encode("pod state", id, state)?;
        let sql = "UPDATE pods SET state = ?1 WHERE id = ?2";
        match self.write(sql, [json.as_str(), id], "save pod state")? {
            0 => Err(not_found(id)),
            _ => Ok(()),
        }
    }

    fn lookup_pod(&self, name_or_id: &str) -> Result<String> {
        if name_or_id.is_empty() {
            return Err(not_found(name_or_id));
        }
        for (sql, op) in [
            ("SELECT id FROM pods WHERE id = ?1", "look up pod by ID"),
            ("SELECT id FROM pods WHERE name = ?1", "look up pod by name"),
        ] {
            if let Some(id) = self.ids(sql, Some(name_or_id), op)?.pop() {
                return Ok(id);
            }
        }
        if !is_id_prefix(name_or_id) {
            return Err(not_found(name_or_id));
        }
        // Hex digits hold no GLOB pattern characters.
        let sql = "SELECT id FROM pods WHERE id GLOB ?1 || '*' LIMIT 2";
        let mut matches = self.ids(sql, Some(name_or_id), "look up pod by ID prefix")?;
        match matches.len() {
            0 => Err(not_found(name_or_id)),
            1 => Ok(matches.remove(0)),
            _ => Err(CoreError::AmbiguousPod(name_or_id.to_string())),
        }
    }

    fn all_pods(&self) -> Result<Vec<String>> {
        self.ids("SELECT id FROM pods ORDER BY id", None, "list pods")
    }

    fn pod_containers(&self, id: &str) -> Result<Vec<String>> {
        // One read transaction, so that the pod and its members are seen at one moment.
        let mut conn = self.conn.lock();
        let tx = conn.transaction().map_err(db_err("begin reading pod"))?;
        if !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", id, "check pod")? {
            return Err(not_found(id));
        }
        tx.prepare_cached(MEMBERS)
            .and_then(|mut stmt| stmt.query_map([id], |row| row.get(0))?.collect())
            .map_err(db_err("read pod containers"))
    }
}

//! Containers in SQLite: the `containers`, `dependencies` and `exit_codes` tables. The hot
//! paths (add, read and save a state, record an exit) are one statement or one transaction
//! each.

use super::{SqliteState, db_err, exists};
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, ContainerState};
use crate::state::ContainerStore;
use crate::state::common::{
    check_exit_code, check_new_container, decode, encode, exit_code_cutoff, id_in_use,
    identity_changed, is_id_prefix, now_unix, volume_names,
};
use rusqlite::{OptionalExtension, Transaction, params};

/// Replaces container `id`'s state JSON within `tx`.
fn update_state(tx: &Transaction<'_>, id: &str, json: &str) -> Result<()> {
    let changed = tx
        .prepare_cached("UPDATE containers SET state = ?1 WHERE id = ?2")
        .and_then(|mut stmt| stmt.execute([json, id]))
        .map_err(db_err("save container state"))?;
    if changed == 0 {
        return Err(CoreError::ContainerNotFound(id.to_string()));
    }
    Ok(())
}

impl SqliteState {
    /// A text column (`config`, `state` JSON, `name`) of a container.
    fn read_container(&self, sql: &str, id: &str) -> Result<String> {
        self.read_text(sql, id, "read container", || {
            CoreError::ContainerNotFound(id.to_string())
        })
    }
}

impl ContainerStore for SqliteState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let deps = check_new_container(config)?;
        let id = config.id.as_str();
        let config_json = encode("config", id, config)?;
        let state_json = encode("state", id, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, config.volatile, "begin adding container")?;
        const ID_USED: &str =
            "SELECT 1 FROM containers WHERE id = ?1 UNION ALL SELECT 1 FROM pods WHERE id = ?1";
        if exists(&tx, ID_USED, id, "check container id")? {
            return Err(id_in_use(id));
        }
        const NAME_USED: &str = "SELECT 1 FROM containers WHERE name = ?1 \
             UNION ALL SELECT 1 FROM pods WHERE name = ?1";
        if exists(&tx, NAME_USED, &config.name, "check container name")? {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        if let Some(pod) = &config.pod
            && !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", pod, "check pod")?
        {
            return Err(CoreError::InvalidOption {
                option: "pod",
                reason: format!("container {id}: no pod with ID {pod}"),
            });
        }
        for dep in &deps {
            let sql = "SELECT 1 FROM containers WHERE id = ?1";
            if !exists(&tx, sql, dep, "check dependency")? {
                return Err(CoreError::ContainerNotFound(dep.clone()));
            }
        }
        tx.prepare_cached(
            "INSERT INTO containers (id, name, pod_id, config, state) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                id,
                config.name,
                config.pod,
                config_json,
                state_json
            ])
        })
        .map_err(db_err("insert container"))?;
        for dep in &deps {
            tx.prepare_cached(
                "INSERT INTO dependencies (container_id, depends_on) VALUES (?1, ?2)",
            )
            .and_then(|mut stmt| stmt.execute([id, dep.as_str()]))
            .map_err(db_err("insert container dependency"))?;
        }
        for volume in volume_names(config) {
            let sql = "SELECT 1 FROM volumes WHERE name = ?1";
            if !exists(&tx, sql, &volume, "check volume")? {
                return Err(CoreError::VolumeNotFound(volume));
            }
            tx.prepare_cached(
                "INSERT INTO container_volumes (container_id, volume_name) VALUES (?1, ?2)",
            )
            .and_then(|mut stmt| stmt.execute([id, volume.as_str()]))
            .map_err(db_err("link volume"))?;
        }
        for attachment in &config.networks {
            super::networks::insert_attachment(&tx, id, attachment)?;
        }
        tx.commit().map_err(db_err("commit adding container"))?;
        if config.volatile {
            self.volatile.lock().insert(config.id.clone());
        }
        tracing::debug!(id, name = %config.name, "container added to the state database");
        Ok(())
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, self.is_volatile(id), "begin removing container")?;
        if !exists(
            &tx,
            "SELECT 1 FROM containers WHERE id = ?1",
            id,
            "check container",
        )? {
            return Err(CoreError::ContainerNotFound(id.to_string()));
        }
        let dependents: Vec<String> = tx
            .prepare_cached(
                "SELECT container_id FROM dependencies WHERE depends_on = ?1 ORDER BY container_id",
            )
            .and_then(|mut stmt| stmt.query_map([id], |row| row.get(0))?.collect())
            .map_err(db_err("read container dependents"))?;
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: id.to_string(),
                dependents,
            });
        }
        // Its own dependency rows, exec sessions, network attachments and volume links go
        // with it (ON DELETE CASCADE).
        tx.prepare_cached("DELETE FROM containers WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute([id]))
            .map_err(db_err("delete container"))?;
        tx.commit().map_err(db_err("commit removing container"))?;
        self.volatile.lock().remove(id);
        tracing::debug!(id, "container removed from the state database");
        Ok(())
    }

    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        let config: ContainerConfig = decode(
            "config",
            id,
            &self.read_container("SELECT config FROM containers WHERE id = ?1", id)?,
        )?;
        if config.volatile {
            self.volatile.lock().insert(config.id.clone());
        }
        Ok(config)
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        decode(
            "state",
            id,
            &self.read_container("SELECT state FROM containers WHERE id = ?1", id)?,
        )
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let json = encode("state", id, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(
            &mut conn,
            self.is_volatile(id),
            "begin saving container state",
        )?;
        update_state(&tx, id, &json)?;
        tx.commit().map_err(db_err("commit container state"))
    }

    fn rewrite_container_config(&self, config: &ContainerConfig) -> Result<()> {
        let id = config.id.as_str();
        let json = encode("config", id, config)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(
            &mut conn,
            config.volatile,
            "begin rewriting container config",
        )?;
        let changed = tx
            .prepare_cached(
                "UPDATE containers SET config = ?1 WHERE id = ?2 AND name = ?3 AND pod_id IS ?4",
            )
            .and_then(|mut stmt| stmt.execute(params![json, id, config.name, config.pod]))
            .map_err(db_err("rewrite container config"))?;
        if changed == 0 {
            return Err(
                if exists(
                    &tx,
                    "SELECT 1 FROM containers WHERE id = ?1",
                    id,
                    "check container",
                )? {
                    identity_changed(id)
                } else {
                    CoreError::ContainerNotFound(id.to_string())
                },
            );
        }
        tx.commit().map_err(db_err("commit container config"))
    }

    fn rename_container(&self, config: &ContainerConfig) -> Result<()> {
        let id = config.id.as_str();
        let json = encode("config", id, config)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, config.volatile, "begin renaming container")?;
        const NAME_USED: &str = "SELECT 1 FROM containers WHERE name = ?1 \
             UNION ALL SELECT 1 FROM pods WHERE name = ?1";
        if exists(&tx, NAME_USED, &config.name, "check container name")? {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        let changed = tx
            .prepare_cached(
                "UPDATE containers SET name = ?1, config = ?2 WHERE id = ?3 AND pod_id IS ?4",
            )
            .and_then(|mut stmt| stmt.execute(params![config.name, json, id, config.pod]))
            .map_err(db_err("rename container"))?;
        if changed == 0 {
            let known = exists(
                &tx,
                "SELECT 1 FROM containers WHERE id = ?1",
                id,
                "check container",
            )?;
            return Err(if known {
                identity_changed(id)
            } else {
                CoreError::ContainerNotFound(id.to_string())
            });
        }
        tx.commit().map_err(db_err("commit container rename"))
    }

    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        let not_found = || CoreError::ContainerNotFound(name_or_id.to_string());
        if name_or_id.is_empty() {
            return Err(not_found());
        }
        for (sql, op) in [
            (
                "SELECT id FROM containers WHERE id = ?1",
                "look up container by ID",
            ),
            (
                "SELECT id FROM containers WHERE name = ?1",
                "look up container by name",
            ),
        ] {
            if let Some(id) = self.ids(sql, Some(name_or_id), op)?.pop() {
                return Ok(id);
            }
        }
        if !is_id_prefix(name_or_id) {
            return Err(not_found());
        }
        // Hex digits hold no GLOB pattern characters.
        let mut matches = self.ids(
            "SELECT id FROM containers WHERE id GLOB ?1 || '*' LIMIT 2",
            Some(name_or_id),
            "look up container by ID prefix",
        )?;
        match matches.len() {
            0 => Err(not_found()),
            1 => Ok(matches.remove(0)),
            _ => Err(CoreError::AmbiguousContainer(name_or_id.to_string())),
        }
    }

    fn all_containers(&self) -> Result<Vec<String>> {
        self.ids(
            "SELECT id FROM containers ORDER BY id",
            None,
            "list containers",
        )
    }

    fn container_name(&self, id: &str) -> Result<String> {
        self.read_container("SELECT name FROM containers WHERE id = ?1", id)
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        self.ids(
            "SELECT container_id FROM dependencies WHERE depends_on = ?1 ORDER BY container_id",
            Some(id),
            "read container dependents",
        )
    }

    /// Records the code with the current time and, as Podman's cleanup does, prunes the codes
    /// of containers that are gone and that are older than
    /// [`EXIT_CODE_RETENTION`](crate::state::EXIT_CODE_RETENTION).
    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()> {
        check_exit_code(id, code)?;
        let json = state.map(|state| encode("state", id, state)).transpose()?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, self.is_volatile(id), "begin recording exit code")?;
        if let Some(json) = &json {
            update_state(&tx, id, json)?;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO exit_codes (id, code, timestamp) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut stmt| stmt.execute(params![id, code, now_unix()]))
        .map_err(db_err("record exit code"))?;
        let pruned = tx
            .prepare_cached(
                "DELETE FROM exit_codes WHERE timestamp <= ?1 \
                 AND id NOT IN (SELECT id FROM containers)",
            )
            .and_then(|mut stmt| stmt.execute([exit_code_cutoff()]))
            .map_err(db_err("prune exit codes"))?;
        tx.commit().map_err(db_err("commit exit code"))?;
        if pruned > 0 {
            tracing::debug!(pruned, "old exit codes pruned");
        }
        Ok(())
    }

    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        let conn = self.conn.lock();
        conn.prepare_cached("SELECT code FROM exit_codes WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)).optional())
            .map_err(db_err("read exit code"))
    }
}

//! The container's seccomp filter for an exec's process.
//!
//! libcontainer 0.7's tenant builder keeps only the namespaces, cgroup, personality and time
//! offsets of the container's `linux` section: an exec's process would run without the
//! container's seccomp filter, where runc's runs under it. So the monitor gives libcontainer
//! an [`Executor`] that installs the container's filter in the process, last before its
//! `execve`, as runc does with `noNewPrivileges`.
//!
//! Without `noNewPrivileges`, installing a filter takes `CAP_SYS_ADMIN` (runc installs it
//! before it drops capabilities; libcontainer runs the executor after). So the process's
//! spec gets `CAP_SYS_ADMIN` in its permitted set only (not bounding, effective,
//! inheritable or ambient); the executor raises it to effective, installs the filter, drops
//! it from both sets, then `execve`s: the program runs with exactly the capabilities of its
//! spec (a capability outside the bounding set is lost at `execve` anyway).

use libcontainer::workload::default::DefaultExecutor;
use libcontainer::workload::{
    Executor, ExecutorError, ExecutorSetEnvsError, ExecutorValidationError,
};
use oci_spec::runtime::{Capability, LinuxSeccomp, Process, Spec};
use std::collections::HashMap;

/// Runs the process as libcontainer's default executor does, under `seccomp`.
#[derive(Clone)]
pub(super) struct SeccompExecutor {
    seccomp: LinuxSeccomp,
    /// Raise `CAP_SYS_ADMIN` (permitted only) to install the filter, then drop it.
    raise_admin: bool,
}

impl SeccompExecutor {
    /// The executor for `process` in a container whose spec is `container`; `None` when the
    /// container has no filter. `process` gets `CAP_SYS_ADMIN` in its permitted set when
    /// the executor needs it. A filter that notifies a listener is refused.
    pub(super) fn for_process(
        container: &Spec,
        process: &mut Process,
    ) -> Result<Option<SeccompExecutor>, String> {
        let Some(seccomp) = container.linux().as_ref().and_then(|l| l.seccomp().clone()) else {
            return Ok(None);
        };
        if seccomp.listener_path().is_some() {
            return Err("a seccomp filter that notifies a listener, for an exec session".into());
        }
        let no_new_privileges = process.no_new_privileges().unwrap_or(false);
        let mut capabilities = process.capabilities().clone().unwrap_or_default();
        let effective = capabilities.effective().clone().unwrap_or_default();
        let raise_admin = !no_new_privileges && !effective.contains(&Capability::SysAdmin);
        // No permitted set in the spec: libcontainer leaves root's, which holds it.
        if raise_admin && let Some(permitted) = capabilities.permitted() {
            let mut permitted = permitted.clone();
            permitted.insert(Capability::SysAdmin);
            capabilities.set_permitted(Some(permitted));
            process.set_capabilities(Some(capabilities));
        }
        Ok(Some(SeccompExecutor {
            seccomp,
            raise_admin,
        }))
    }
}

impl Executor for SeccompExecutor {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        let admin = caps::Capability::CAP_SYS_ADMIN;
        let failed = |what: &str, err: &dyn std::fmt::Display| {
            ExecutorError::Other(format!("{what} for the seccomp filter: {err}"))
        };
        if self.raise_admin {
            caps::raise(None, caps::CapSet::Effective, admin)
                .map_err(|err| failed("raising CAP_SYS_ADMIN", &err))?;
        }
        let notify = libcontainer::seccomp::initialize_seccomp(&self.seccomp)
            .map_err(|err| failed("installing", &err))?;
        if notify.is_some() {
            return Err(ExecutorError::Other(
                "the seccomp filter asked for a listener".into(),
            ));
        }
        if self.raise_admin {
            for set in [caps::CapSet::Effective, caps::CapSet::Permitted] {
                caps::drop(None, set, admin)
                    .map_err(|err| failed("dropping CAP_SYS_ADMIN", &err))?;
            }
        }
        DefaultExecutor {}.exec(spec)
    }

    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        DefaultExecutor {}.validate(spec)
    }

    fn setup_envs(&self, envs: HashMap<String, String>) -> Result<(), ExecutorSetEnvsError> {
        DefaultExecutor {}.setup_envs(envs)
    }
}

//! /run/.containerenv and /etc/hostname.

/// What /run/.containerenv says about the container.
#[derive(Clone, Debug, Default)]
pub struct ContainerEnv<'a> {
    /// The container's name.
    pub name: &'a str,
    /// The container's ID.
    pub id: &'a str,
    /// The image's name.
    pub image: &'a str,
    /// The image's ID.
    pub image_id: &'a str,
    /// Whether the engine runs rootless.
    pub rootless: bool,
    /// Privileged containers get the details; others an empty file, as in Podman.
    pub privileged: bool,
}

/// The content of /run/.containerenv.
pub fn generate_containerenv(env: &ContainerEnv<'_>) -> String {
    let _ = env;
    todo!("helper C")
}

/// The content of /etc/hostname.
pub fn generate_hostname(hostname: &str) -> String {
    let _ = hostname;
    todo!("helper C")
}

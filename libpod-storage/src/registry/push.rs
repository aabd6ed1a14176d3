//! `podman push`: an image from the store to a registry. Blobs the registry has are skipped;
//! a blob that another repository of the same registry has (an image name tells us which) is
//! mounted across repositories; the others are uploaded, in one PUT or in chunks; the manifest
//! goes last, as stored (so its digest is the one the image was pulled with).

use super::RegistryOptions;
use super::client::{Call, RegistryClient};
use super::status::failure_from_response;
use crate::digest::Digest;
use crate::error::{RegistryFailure, Result, StorageError};
use crate::manifest::{Manifest, descriptor_digest, parse_manifest};
use crate::parallel::map_parallel;
use crate::reference::ImageReference;
use crate::registries::RegistriesConfig;
use crate::store::Store;
use std::fs::File;
use std::io::Read;
use ureq::http::{Method, StatusCode, header};

/// How to push.
#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    /// Credentials, TLS and retries.
    pub registry: RegistryOptions,
    /// Upload blobs in chunks of this many bytes (`None`: one PUT per blob).
    pub chunk_size: Option<u64>,
    /// registries.conf, for its insecure registries (default: loaded as Podman loads it).
    pub registries_conf: Option<std::sync::Arc<RegistriesConfig>>,
}

/// What a push did with each blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushReport {
    /// The manifest digest in the registry.
    pub manifest_digest: Digest,
    /// Blobs the registry already had.
    pub existing: Vec<Digest>,
    /// Blobs mounted from another repository.
    pub mounted: Vec<Digest>,
    /// Blobs uploaded.
    pub uploaded: Vec<Digest>,
}

enum BlobOutcome {
    Existing,
    Mounted,
    Uploaded,
}

impl Store {
    /// Pushes image `image` (name or ID) to `destination` (`HOST/REPO:TAG`).
    pub fn push_image(
        &self,
        image: &str,
        destination: &str,
        options: &PushOptions,
    ) -> Result<PushReport> {
        let record = self.image(image)?;
        let destination = ImageReference::parse(destination)?;
        let manifest = self.image_manifest(&record)?;
        let Manifest::Image { config, layers } =
            parse_manifest(&manifest, Some(&record.manifest_media_type))?
        else {
            return Err(StorageError::Unsupported {
                what: "push",
                reason: format!("image {} has an index as its manifest", record.id),
            });
        };
        let insecure = match options.registry.tls_verify {
            Some(verify) => !verify,
            None => match &options.registries_conf {
                Some(conf) => conf.is_insecure(destination.registry()),
                None => RegistriesConfig::load_default()?.is_insecure(destination.registry()),
            },
        };
        let client = RegistryClient::new(destination.registry(), insecure, &options.registry)?;
        // Repositories of the same registry this image came from or was pushed to.
        let mount_from: Vec<String> = record
            .names
            .iter()
            .filter_map(|n| ImageReference::parse(n).ok())
            .filter(|n| {
                n.registry() == destination.registry() && n.repository() != destination.repository()
            })
            .map(|n| n.repository().to_string())
            .collect();
        let mut blobs = vec![descriptor_digest(&config)?];
        for layer in &layers {
            blobs.push(descriptor_digest(layer)?);
        }
        let outcomes = map_parallel(&blobs, |_, digest| {
            self.push_blob(&client, &destination, digest, &mount_from, options)
        })?;
        let mut report = PushReport {
            manifest_digest: Digest::of(&manifest),
            existing: Vec::new(),
            mounted: Vec::new(),
            uploaded: Vec::new(),
        };
        for (digest, outcome) in blobs.iter().zip(outcomes) {
            match outcome {
                BlobOutcome::Existing => report.existing.push(*digest),
                BlobOutcome::Mounted => report.mounted.push(*digest),
                BlobOutcome::Uploaded => report.uploaded.push(*digest),
            }
        }
        let repository = destination.repository();
        let tag = match (destination.tag(), destination.digest()) {
            (Some(tag), _) => tag.to_string(),
            (None, Some(digest)) => digest.to_string(),
            (None, None) => "latest".to_string(),
        };
        let call = Call::new(
            Method::PUT,
            format!("/v2/{repository}/manifests/{tag}"),
            repository,
            "pull,push",
        )
        .header("Content-Type", record.manifest_media_type.clone());
        let response = client.send(&call, || Ok(manifest.as_slice()))?;
        if response.status() != StatusCode::CREATED {
            return Err(client.error(
                "put manifest",
                &destination.to_string(),
                failure_from_response(response),
            ));
        }
        self.image_event(
            crate::events::ImageEventKind::Push,
            &record.id,
            &destination.to_string(),
        );
        Ok(report)
    }

    fn push_blob(
        &self,
        client: &RegistryClient,
        destination: &ImageReference,
        digest: &Digest,
        mount_from: &[String],
        options: &PushOptions,
    ) -> Result<BlobOutcome> {
        let repository = destination.repository();
        if client.has_blob(repository, digest)? {
            return Ok(BlobOutcome::Existing);
        }
        let what = format!("{repository}@{digest}");
        let path = self.blobs().path(digest);
        if !self.blobs().contains(digest) {
            return Err(StorageError::invalid(
                "blob",
                digest.to_string(),
                "not in the store (the image's blobs are incomplete)",
            ));
        }
        let location = match self.start_upload(client, repository, digest, mount_from)? {
            Upload::Mounted => return Ok(BlobOutcome::Mounted),
            Upload::At(location) => location,
        };
        let finished = match options.chunk_size {
            None => {
                let call = Call::new(
                    Method::PUT,
                    with_query(&location, "digest", &digest.to_string()),
                    repository,
                    "pull,push",
                )
                .header("Content-Type", "application/octet-stream");
                client.send(&call, || {
                    File::open(&path).map_err(|e| StorageError::io("open", &path, e))
                })?
            }
            Some(chunk_size) => {
                let location = upload_chunks(client, repository, &location, &path, chunk_size)?;
                let call = Call::new(
                    Method::PUT,
                    with_query(&location, "digest", &digest.to_string()),
                    repository,
                    "pull,push",
                );
                client.send(&call, || Ok(()))?
            }
        };
        if finished.status() != StatusCode::CREATED {
            return Err(client.error("push blob", &what, failure_from_response(finished)));
        }
        Ok(BlobOutcome::Uploaded)
    }

    /// Starts an upload, mounting the blob from another repository when one may have it.
    fn start_upload(
        &self,
        client: &RegistryClient,
        repository: &str,
        digest: &Digest,
        mount_from: &[String],
    ) -> Result<Upload> {
        let what = format!("{repository}@{digest}");
        for from in mount_from {
            let mut call = Call::new(
                Method::POST,
                format!("/v2/{repository}/blobs/uploads/?mount={digest}&from={from}"),
                repository,
                "pull,push",
            );
            call.extra_scopes.push(format!("repository:{from}:pull"));
            let response = client.send(&call, || Ok(()))?;
            match response.status() {
                StatusCode::CREATED => {
                    tracing::debug!(%digest, from, "blob mounted across repositories");
                    return Ok(Upload::Mounted);
                }
                // The registry could not mount and opened an upload instead: use it.
                StatusCode::ACCEPTED => return location(client, &what, &response).map(Upload::At),
                _ => tracing::debug!(%digest, from, status = %response.status(), "mount refused"),
            }
        }
        let call = Call::new(
            Method::POST,
            format!("/v2/{repository}/blobs/uploads/"),
            repository,
            "pull,push",
        );
        let response = client.send(&call, || Ok(()))?;
        if response.status() != StatusCode::ACCEPTED {
            return Err(client.error("start upload", &what, failure_from_response(response)));
        }
        location(client, &what, &response).map(Upload::At)
    }
}

enum Upload {
    Mounted,
    At(String),
}

/// PATCHes the blob in chunks; returns the location to finish the upload at.
fn upload_chunks(
    client: &RegistryClient,
    repository: &str,
    location: &str,
    path: &std::path::Path,
    chunk_size: u64,
) -> Result<String> {
    let mut file = File::open(path).map_err(|e| StorageError::io("open", path, e))?;
    let mut location = location.to_string();
    let mut offset = 0u64;
    let chunk_size = chunk_size.max(1);
    loop {
        let mut chunk = Vec::with_capacity(chunk_size.min(64 << 20) as usize);
        (&mut file)
            .take(chunk_size)
            .read_to_end(&mut chunk)
            .map_err(|e| StorageError::io("read", path, e))?;
        if chunk.is_empty() {
            return Ok(location);
        }
        let end = offset + chunk.len() as u64 - 1;
        let call = Call::new(Method::PATCH, location.clone(), repository, "pull,push")
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", format!("{offset}-{end}"));
        let response = client.send(&call, || Ok(chunk.as_slice()))?;
        if response.status() != StatusCode::ACCEPTED {
            return Err(client.error("push chunk", repository, failure_from_response(response)));
        }
        location = self::location(client, repository, &response)?;
        offset = end + 1;
    }
}

/// The `Location` of an upload, as a URL or an absolute path.
fn location(
    client: &RegistryClient,
    what: &str,
    response: &ureq::http::Response<ureq::Body>,
) -> Result<String> {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| l.starts_with('/') || l.starts_with("http://") || l.starts_with("https://"))
        .map(str::to_string)
        .ok_or_else(|| {
            client.error(
                "upload",
                what,
                RegistryFailure::InvalidResponse("upload without a usable Location".into()),
            )
        })
}

/// Adds `name=value` to a URL that may already have a query.
fn with_query(url: &str, name: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}{name}={}",
        super::token::query_escape(value)
    )
}

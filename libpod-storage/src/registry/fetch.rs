//! Reading from a registry: manifests (GET and HEAD) and blobs, the latter as a reader that
//! resumes with `Range` when the connection is cut mid-blob.

use super::client::{Call, RegistryClient, backoff};
use super::status::{failure_from_body_read, failure_from_response};
use crate::digest::Digest;
use crate::error::{RegistryFailure, Result, StorageError};
use crate::manifest::MAX_MANIFEST_SIZE;
use std::io::{self, Read};
use std::sync::Arc;
use ureq::http::{Method, StatusCode, header};

/// Every manifest type we read (schema 1 too, so that it is refused by name rather than
/// converted by the registry).
const ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
    application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v1+prettyjws, \
    application/vnd.docker.distribution.manifest.v1+json";

/// `repo:tag` or `repo@sha256:...`, for errors.
fn reference_text(repository: &str, reference: &str) -> String {
    let separator = if reference.contains(':') { '@' } else { ':' };
    format!("{repository}{separator}{reference}")
}

/// A manifest as the registry served it.
#[derive(Clone, Debug)]
pub struct FetchedManifest {
    /// Its bytes (at most [`MAX_MANIFEST_SIZE`]).
    pub bytes: Vec<u8>,
    /// The `Content-Type` the registry gave.
    pub media_type: Option<String>,
    /// The digest of the bytes.
    pub digest: Digest,
}

/// Per-blob progress: called with the bytes received so far.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

impl RegistryClient {
    /// GETs the manifest `reference` (a tag or `sha256:...`) of `repository`. When it is a
    /// digest, the bytes must match it.
    pub fn get_manifest(&self, repository: &str, reference: &str) -> Result<FetchedManifest> {
        let what = reference_text(repository, reference);
        let response = self.manifest_request(Method::GET, repository, reference)?;
        let media_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut bytes = Vec::new();
        let read = response
            .into_body()
            .into_reader()
            .take(MAX_MANIFEST_SIZE as u64 + 1)
            .read_to_end(&mut bytes);
        if let Err(err) = read {
            let failure = failure_from_body_read(&err, bytes.len() as u64);
            return Err(self.error("get manifest", &what, failure));
        }
        if bytes.len() > MAX_MANIFEST_SIZE {
            return Err(StorageError::invalid(
                "manifest",
                what,
                format!("larger than the {MAX_MANIFEST_SIZE} byte limit"),
            ));
        }
        let digest = Digest::of(&bytes);
        if let Ok(wanted) = reference.parse::<Digest>()
            && wanted != digest
        {
            return Err(StorageError::DigestMismatch {
                what: "manifest",
                expected: wanted.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// The digest of the manifest `reference` names, by HEAD (its `Docker-Content-Digest`),
    /// falling back to GET and hashing when the registry gives no digest.
    pub fn manifest_digest(&self, repository: &str, reference: &str) -> Result<Digest> {
        let response = self.manifest_request(Method::HEAD, repository, reference)?;
        let header_digest = response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<Digest>().ok());
        match header_digest {
            Some(digest) => Ok(digest),
            None => Ok(self.get_manifest(repository, reference)?.digest),
        }
    }

    /// A GET or HEAD of a manifest that succeeded.
    fn manifest_request(
        &self,
        method: Method,
        repository: &str,
        reference: &str,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let operation = if method == Method::HEAD {
            "head manifest"
        } else {
            "get manifest"
        };
        let call = Call::new(
            method,
            format!("/v2/{repository}/manifests/{reference}"),
            repository,
            "pull",
        )
        .header("Accept", ACCEPT);
        let response = self.send(&call, || Ok(()))?;
        if !response.status().is_success() {
            let what = reference_text(repository, reference);
            return Err(self.error(operation, &what, failure_from_response(response)));
        }
        Ok(response)
    }

    /// Whether the registry has blob `digest` in `repository` (HEAD).
    pub fn has_blob(&self, repository: &str, digest: &Digest) -> Result<bool> {
        let call = Call::new(
            Method::HEAD,
            format!("/v2/{repository}/blobs/{digest}"),
            repository,
            "pull",
        );
        let response = self.send(&call, || Ok(()))?;
        match response.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.error(
                "head blob",
                &format!("{repository}@{digest}"),
                failure_from_response(response),
            )),
        }
    }

    /// A reader of blob `digest` that resumes after a cut connection (up to the client's
    /// retries) when `size` is known. The caller verifies the digest.
    pub fn blob_reader(
        self: &Arc<Self>,
        repository: &str,
        digest: Digest,
        size: Option<u64>,
        progress: Option<ProgressFn>,
    ) -> BlobReader {
        BlobReader {
            client: Arc::clone(self),
            repository: repository.to_string(),
            digest,
            size,
            progress,
            body: None,
            offset: 0,
            resumes_left: self.retries(),
        }
    }
}

/// A blob being downloaded.
pub struct BlobReader {
    client: Arc<RegistryClient>,
    repository: String,
    digest: Digest,
    size: Option<u64>,
    progress: Option<ProgressFn>,
    body: Option<Box<dyn Read + Send>>,
    offset: u64,
    resumes_left: u32,
}

impl BlobReader {
    /// GETs the blob from `self.offset` on.
    fn open(&mut self) -> Result<Box<dyn Read + Send>> {
        let mut call = Call::new(
            Method::GET,
            format!("/v2/{}/blobs/{}", self.repository, self.digest),
            &self.repository,
            "pull",
        );
        if self.offset > 0 {
            call = call.header("Range", format!("bytes={}-", self.offset));
        }
        let response = self.client.send(&call, || Ok(()))?;
        let status = response.status();
        if !status.is_success() {
            let what = format!("{}@{}", self.repository, self.digest);
            return Err(self
                .client
                .error("get blob", &what, failure_from_response(response)));
        }
        let mut reader: Box<dyn Read + Send> = Box::new(response.into_body().into_reader());
        if self.offset > 0 && status != StatusCode::PARTIAL_CONTENT {
            // The registry ignored the range: skip what we already have.
            let skipped = io::copy(&mut (&mut reader).take(self.offset), &mut io::sink())
                .map_err(|e| self.cut(e))?;
            if skipped < self.offset {
                return Err(self.cut(io::ErrorKind::UnexpectedEof.into()));
            }
        }
        Ok(reader)
    }

    fn cut(&self, err: io::Error) -> StorageError {
        self.client.error(
            "get blob",
            &format!("{}@{}", self.repository, self.digest),
            failure_from_body_read(&err, self.offset),
        )
    }

    /// After a failed read: whether to reconnect and resume.
    fn may_resume(&mut self) -> bool {
        if self.size.is_none() || self.resumes_left == 0 {
            return false;
        }
        let tries = self.client.retries() - self.resumes_left + 1;
        self.resumes_left -= 1;
        tracing::debug!(digest = %self.digest, offset = self.offset, tries, "resuming a cut blob download");
        std::thread::sleep(backoff(tries));
        self.body = None;
        true
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.body.is_none() {
                match self.open() {
                    Ok(body) => self.body = Some(body),
                    Err(StorageError::Registry {
                        failure: RegistryFailure::Connection(_) | RegistryFailure::Timeout(_),
                        ..
                    }) if self.may_resume() => continue,
                    Err(err) => return Err(io::Error::other(err)),
                }
            }
            let body = self.body.as_mut().expect("opened above");
            match body.read(buf) {
                Ok(0) if self.size.is_some_and(|size| self.offset < size) => {
                    if self.may_resume() {
                        continue;
                    }
                    return Err(io::Error::other(
                        self.cut(io::ErrorKind::UnexpectedEof.into()),
                    ));
                }
                Ok(0) => return Ok(0),
                Ok(n) => {
                    self.offset += n as u64;
                    if let Some(progress) = &self.progress {
                        progress(self.offset);
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if self.may_resume() {
                        continue;
                    }
                    return Err(io::Error::other(self.cut(e)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ACCEPT;
    use crate::manifest::*;

    #[test]
    fn every_manifest_type_we_read_or_refuse_by_name_is_accepted() {
        let accepted: Vec<&str> = ACCEPT.split(',').map(str::trim).collect();
        for media_type in [
            OCI_MANIFEST,
            OCI_INDEX,
            DOCKER_MANIFEST,
            DOCKER_LIST,
            DOCKER_SCHEMA1_SIGNED,
            DOCKER_SCHEMA1,
        ] {
            assert!(accepted.contains(&media_type), "{media_type}");
        }
    }
}

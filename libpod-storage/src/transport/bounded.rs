//! A blob stream held to the size its descriptor gives.
//!
//! A hostile registry or mirror (even for a digest-pinned pull) can send a stream far longer
//! than the blob it names: without a bound, all of it would be staged and extracted before
//! the digest check fails, and the disk fills. [`BoundedBlob`] fails the read that brings in
//! byte `size + 1`, so nothing past the size reaches the stager or the unpacker, and asks its
//! source for no more than that one byte past the size.
//!
//! It also keeps the source's own typed error (a registry timeout, a cut connection): the
//! decompressor and the tar reader only see an `io::Error`, and the caller gets the typed
//! one back from [`BoundedBlob::finish`].

use crate::digest::Digest;
use crate::error::{Result, StorageError};
use std::io::{self, Read};

/// A reader of blob `digest` that refuses to deliver more than `size` bytes.
pub(crate) struct BoundedBlob<R> {
    inner: R,
    digest: Digest,
    size: u64,
    passed: u64,
    failure: Option<StorageError>,
}

impl<R: Read> BoundedBlob<R> {
    /// `inner`, the stream of blob `digest`, whose descriptor gives `size` bytes.
    pub(crate) fn new(inner: R, digest: Digest, size: u64) -> Self {
        BoundedBlob {
            inner,
            digest,
            size,
            passed: 0,
            failure: None,
        }
    }

    /// `result` of consuming the stream, unless the stream itself failed with a typed error
    /// (too long, or the source's own), which is returned instead.
    pub(crate) fn finish<T>(self, result: Result<T>) -> Result<T> {
        match self.failure {
            Some(failure) => Err(failure),
            None => result,
        }
    }

    fn fail(&mut self, failure: StorageError, kind: io::ErrorKind) -> io::Error {
        let err = io::Error::new(kind, failure.to_string());
        self.failure = Some(failure);
        err
    }
}

impl<R: Read> Read for BoundedBlob<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(failure) = &self.failure {
            return Err(io::Error::other(failure.to_string()));
        }
        let room = self.size - self.passed;
        // One byte more than the room: enough to tell that the stream is too long.
        let wanted =
            usize::try_from(room.saturating_add(1)).map_or(buf.len(), |w| w.min(buf.len()));
        match self.inner.read(&mut buf[..wanted]) {
            Ok(n) if n as u64 > room => {
                let failure = StorageError::BlobTooLarge {
                    digest: self.digest.to_string(),
                    expected: self.size,
                    received: self.passed + n as u64,
                };
                Err(self.fail(failure, io::ErrorKind::InvalidData))
            }
            Ok(n) => {
                self.passed += n as u64;
                Ok(n)
            }
            Err(err) if err.get_ref().is_some_and(|e| e.is::<StorageError>()) => {
                let kind = err.kind();
                match err
                    .into_inner()
                    .and_then(|e| e.downcast::<StorageError>().ok())
                {
                    Some(failure) => Err(self.fail(*failure, kind)),
                    None => Err(io::Error::from(kind)),
                }
            }
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endless stream of `0xaa`, counting what it hands out.
    struct Endless {
        given: u64,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            buf.fill(0xaa);
            self.given += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_stream_is_cut_one_byte_past_the_size() {
        let digest = Digest::of(b"x");
        let mut blob = BoundedBlob::new(Endless { given: 0 }, digest, 1000);
        let mut delivered = 0;
        let mut buf = [0u8; 300];
        let err = loop {
            match blob.read(&mut buf) {
                Ok(n) => delivered += n,
                Err(err) => break err,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            delivered <= 1000,
            "nothing past the size is delivered: {delivered}"
        );
        assert_eq!(
            blob.inner.given, 1001,
            "no more than one byte past it is asked for"
        );
        match blob.finish(Ok(())) {
            Err(StorageError::BlobTooLarge {
                digest: named,
                expected: 1000,
                received: 1001,
            }) => assert_eq!(named, digest.to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_stream_of_the_right_size_passes_whole() {
        let mut blob = BoundedBlob::new(&b"hello"[..], Digest::of(b"hello"), 5);
        let mut out = Vec::new();
        io::copy(&mut blob, &mut out).unwrap();
        assert_eq!(out, b"hello");
        assert_eq!(blob.finish(Ok(7)).unwrap(), 7);
    }

    #[test]
    fn the_sources_typed_error_survives() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other(StorageError::ImageNotKnown("x".into())))
            }
        }
        let mut blob = BoundedBlob::new(Failing, Digest::of(b""), 5);
        assert!(blob.read(&mut [0; 4]).is_err());
        let result: Result<()> = Err(StorageError::MalformedLayer {
            reason: "the decompressor's view".into(),
        });
        assert!(matches!(
            blob.finish(result),
            Err(StorageError::ImageNotKnown(_))
        ));
    }
}

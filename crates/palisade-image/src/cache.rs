//! A content-addressed blob cache: `<dir>/sha256/<hex>`.
//!
//! A blob fetched from a registry is written to a temporary file in the
//! cache while it streams past the scanner, and renamed into place only
//! after [`VerifiedBlob::finish`] has checked its size and digest, so a
//! partial or corrupt download never lands in the cache. A cached blob is
//! read back through [`VerifiedBlob`] too: corruption on disk is detected,
//! the entry removed, and the run fails with [`ImageError::CorruptCache`]
//! (small documents such as manifests and configs are verified before use
//! and silently fetched again instead).
//!
//! The default directory is `$XDG_CACHE_HOME/palisade/blobs`, else
//! `$HOME/.cache/palisade/blobs`.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::oci::{BlobDigest, ImageError, VerifiedBlob};

/// Where blobs are cached.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CacheSetting {
    /// [`BlobCache::default_dir`], or no cache when it cannot be found.
    #[default]
    Default,
    /// This directory.
    Dir(PathBuf),
    /// No cache: every blob is fetched.
    Disabled,
}

/// A blob cache directory.
#[derive(Debug, Clone)]
pub struct BlobCache {
    dir: PathBuf,
}

impl BlobCache {
    /// The cache in `dir` (created when the first blob is stored).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache a [`CacheSetting`] names, if any.
    pub fn from_setting(setting: &CacheSetting) -> Option<Self> {
        match setting {
            CacheSetting::Default => Self::default_dir().map(Self::new),
            CacheSetting::Dir(d) => Some(Self::new(d)),
            CacheSetting::Disabled => None,
        }
    }

    /// `$XDG_CACHE_HOME/palisade/blobs`, else `$HOME/.cache/palisade/blobs`.
    pub fn default_dir() -> Option<PathBuf> {
        default_dir_from(|k| std::env::var_os(k))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the blob `digest` is (or would be) stored.
    pub fn path(&self, digest: &BlobDigest) -> PathBuf {
        self.dir.join("sha256").join(digest.hex())
    }

    /// Opens a cached blob for verified streaming, or `None` when it is not
    /// cached. A cached file of the wrong size is removed (and `None`
    /// returned, so the caller fetches it again); a digest mismatch found
    /// while reading removes the entry and turns the error into
    /// [`ImageError::CorruptCache`].
    pub fn open(&self, digest: &BlobDigest, size: u64) -> Option<VerifiedBlob<File>> {
        let path = self.path(digest);
        let file = File::open(&path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        if meta.len() != size {
            let _ = fs::remove_file(&path);
            return None;
        }
        let blob = VerifiedBlob::new(file, digest.clone(), size);
        Some(
            blob.with_finish_hook(Box::new(move |verdict| match verdict {
                Ok(()) => Ok(()),
                Err(e) => {
                    let _ = fs::remove_file(&path);
                    Err(ImageError::CorruptCache {
                        path,
                        source: Box::new(e),
                    })
                }
            })),
        )
    }

    /// Reads a whole cached blob of at most `size` bytes and verifies it;
    /// `None` when absent or corrupt (a corrupt entry is removed).
    pub fn read_small(&self, digest: &BlobDigest, size: u64) -> Option<Vec<u8>> {
        let mut blob = self.open(digest, size)?;
        let mut bytes = Vec::new();
        let read = blob.read_to_end(&mut bytes);
        match (read, blob.finish()) {
            (Ok(_), Ok(())) => Some(bytes),
            _ => None,
        }
    }

    /// Stores verified bytes (best effort: a cache that cannot be written
    /// only costs a refetch).
    pub fn store(&self, digest: &BlobDigest, bytes: &[u8]) {
        let Ok(mut tmp) = self.temp_file() else {
            return;
        };
        if tmp.write_all(bytes).is_ok() {
            let _ = tmp.persist(self.path(digest));
        }
    }

    /// Wraps a download in a [`VerifiedBlob`] that also writes what it
    /// reads to a temporary file in the cache, renamed into place when the
    /// blob verifies. When the cache cannot be written, the blob still
    /// streams, uncached.
    pub fn tee<'a, R: Read + Send + 'a>(
        &self,
        reader: R,
        digest: &BlobDigest,
        size: u64,
    ) -> VerifiedBlob<Box<dyn Read + Send + 'a>> {
        let Ok(tmp) = self.temp_file() else {
            return VerifiedBlob::new(Box::new(reader), digest.clone(), size);
        };
        let slot = Arc::new(Mutex::new(Some(io::BufWriter::with_capacity(
            256 << 10,
            tmp,
        ))));
        let tee = Tee {
            inner: reader,
            out: Arc::clone(&slot),
        };
        let dest = self.path(digest);
        let blob: VerifiedBlob<Box<dyn Read + Send + 'a>> =
            VerifiedBlob::new(Box::new(tee), digest.clone(), size);
        blob.with_finish_hook(Box::new(move |verdict| {
            let taken = slot.lock().ok().and_then(|mut g| g.take());
            if verdict.is_ok() {
                if let Some(w) = taken {
                    if let Ok(tmp) = w.into_inner() {
                        let _ = tmp.persist(&dest);
                    }
                }
            }
            verdict
        }))
    }

    fn temp_file(&self) -> io::Result<tempfile::NamedTempFile> {
        let dir = self.dir.join("sha256");
        fs::create_dir_all(&dir)?;
        tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(dir)
    }
}

fn default_dir_from(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let non_empty = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(x) = non_empty("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Some(x.join("palisade").join("blobs"));
    }
    non_empty("HOME").map(|h| h.join(".cache").join("palisade").join("blobs"))
}

/// Copies what is read into a cache file; a write error drops the file
/// (the download goes on, uncached).
struct Tee<R> {
    inner: R,
    out: Arc<Mutex<Option<io::BufWriter<tempfile::NamedTempFile>>>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            if let Ok(mut guard) = self.out.lock() {
                let failed = match guard.as_mut() {
                    Some(w) => w.write_all(buf.get(..n).unwrap_or_default()).is_err(),
                    None => false,
                };
                if failed {
                    *guard = None;
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_dir_prefers_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert_eq!(
            default_dir_from(env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/palisade/blobs"))
        );
        assert_eq!(
            default_dir_from(env(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/palisade/blobs"))
        );
        assert_eq!(default_dir_from(env(&[])), None);
    }

    fn digest_of(bytes: &[u8]) -> BlobDigest {
        use sha2::Digest as _;
        let hex = crate::oci::to_hex(&sha2::Sha256::digest(bytes));
        BlobDigest::parse(&format!("sha256:{hex}")).unwrap()
    }

    #[test]
    fn tee_commits_only_verified_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(dir.path());
        let data = b"hello layer".to_vec();
        let d = digest_of(&data);
        let mut blob = cache.tee(&data[..], &d, data.len() as u64);
        io::copy(&mut blob, &mut io::sink()).unwrap();
        blob.finish().unwrap();
        assert_eq!(fs::read(cache.path(&d)).unwrap(), data);

        // Wrong content under a digest: nothing lands.
        let other = digest_of(b"other");
        let mut blob = cache.tee(&data[..], &other, data.len() as u64);
        io::copy(&mut blob, &mut io::sink()).unwrap();
        assert!(matches!(
            blob.finish(),
            Err(ImageError::DigestMismatch { .. })
        ));
        assert!(!cache.path(&other).exists());
        // No temporary files are left behind.
        let left: Vec<_> = fs::read_dir(dir.path().join("sha256")).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn corrupt_entry_is_detected_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(dir.path());
        let data = b"0123456789".to_vec();
        let d = digest_of(&data);
        cache.store(&d, &data);
        assert_eq!(cache.read_small(&d, 10).as_deref(), Some(&data[..]));
        fs::write(cache.path(&d), b"0123456780").unwrap();
        let mut blob = cache.open(&d, 10).unwrap();
        io::copy(&mut blob, &mut io::sink()).unwrap();
        match blob.finish() {
            Err(ImageError::CorruptCache { source, .. }) => {
                assert!(matches!(*source, ImageError::DigestMismatch { .. }))
            }
            other => panic!("{other:?}"),
        }
        assert!(!cache.path(&d).exists());
        // Truncated: treated as absent (and removed).
        cache.store(&d, &data);
        fs::write(cache.path(&d), b"01234").unwrap();
        assert!(cache.open(&d, 10).is_none());
        assert!(!cache.path(&d).exists());
    }
}

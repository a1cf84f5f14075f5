//! The rpm header blob, as the package database stores it for each
//! installed package: no lead and no header magic, just
//!
//! ```text
//! il: u32 BE   number of index entries
//! dl: u32 BE   size of the data store
//! il × { tag: i32 BE, type: u32 BE, offset: i32 BE, count: u32 BE }
//! dl bytes of data store
//! ```
//!
//! Only the tags an inventory needs are read, and each is checked against
//! the bounds of the data store before a byte of it is touched.

use std::borrow::Cow;

/// Most index entries a header may have (rpm's own `hdrchkTags` limit).
pub const MAX_INDEX_ENTRIES: u32 = 0xffff;
/// Largest data store (rpm's own `hdrchkData` limit, 256 MiB).
pub const MAX_DATA_LEN: u32 = 0x0fff_ffff;
/// Longest string read from a header (a name, version or license).
pub const MAX_STRING_LEN: usize = 64 * 1024;

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_LICENSE: i32 = 1014;
const TAG_ARCH: i32 = 1022;
const TAG_SOURCERPM: i32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;
const TYPE_MAX: u32 = 9;

/// What an inventory reads from one package header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmHeader {
    /// `NAME`.
    pub name: String,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `EPOCH`, when the package declares one.
    pub epoch: Option<u32>,
    /// `ARCH` (absent for `gpg-pubkey` pseudo-packages).
    pub arch: Option<String>,
    /// `SOURCERPM`: `name-version-release.src.rpm`.
    pub source_rpm: Option<String>,
    /// `LICENSE` as declared (not UTF-8 in some old packages: replaced
    /// bytes are shown as U+FFFD).
    pub license: Option<String>,
}

impl RpmHeader {
    /// `[epoch:]version-release`, as rpm's own `%{EVR}` prints it.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }
}

/// Why a header blob could not be read. `offset` is from the start of the
/// blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    /// Byte offset in the blob where the problem is.
    pub offset: u64,
    /// What was expected.
    pub message: String,
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.message)
    }
}

fn err(offset: u64, message: impl Into<String>) -> HeaderError {
    HeaderError {
        offset,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    /// Where the entry itself sits in the blob, for errors.
    at: u64,
    tag: i32,
    kind: u32,
    offset: i32,
    count: u32,
}

/// A validated view of a header blob: the index and the data store.
struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
    data_start: u64,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Header<'a> {
    fn new(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(err(
                0,
                format!(
                    "header is {} bytes, shorter than its 8-byte preamble (index and data sizes)",
                    blob.len()
                ),
            ));
        };
        if il == 0 || il > MAX_INDEX_ENTRIES {
            return Err(err(
                0,
                format!("index entry count {il} is out of range (1 to {MAX_INDEX_ENTRIES})"),
            ));
        }
        if dl > MAX_DATA_LEN {
            return Err(err(
                4,
                format!("data store size {dl} is more than the limit {MAX_DATA_LEN}"),
            ));
        }
        let index_len = u64::from(il) * 16;
        let need = 8 + index_len + u64::from(dl);
        if (blob.len() as u64) < need {
            return Err(err(
                blob.len() as u64,
                format!(
                    "header is truncated: {il} index entries and {dl} data bytes need {need} bytes, the blob has {}",
                    blob.len()
                ),
            ));
        }
        // `need` fits the blob, so these conversions and slices hold.
        let index_end = 8 + il as usize * 16;
        let data_end = index_end + dl as usize;
        Ok(Header {
            index: &blob[8..index_end],
            data: &blob[index_end..data_end],
            data_start: index_end as u64,
        })
    }

    fn entries(&self) -> impl Iterator<Item = IndexEntry> + '_ {
        self.index
            .chunks_exact(16)
            .enumerate()
            .map(|(i, e)| IndexEntry {
                at: 8 + i as u64 * 16,
                tag: i32::from_be_bytes([e[0], e[1], e[2], e[3]]),
                kind: u32::from_be_bytes([e[4], e[5], e[6], e[7]]),
                offset: i32::from_be_bytes([e[8], e[9], e[10], e[11]]),
                count: u32::from_be_bytes([e[12], e[13], e[14], e[15]]),
            })
    }

    fn find(&self, tag: i32) -> Option<IndexEntry> {
        self.entries().find(|e| e.tag == tag)
    }

    /// The entry's data offset, checked against the data store.
    fn start(&self, e: &IndexEntry, tag_name: &str) -> Result<usize, HeaderError> {
        if e.kind > TYPE_MAX {
            return Err(err(
                e.at + 4,
                format!("tag {tag_name} has unknown type {}", e.kind),
            ));
        }
        if e.count == 0 {
            return Err(err(e.at + 12, format!("tag {tag_name} has a count of 0")));
        }
        match usize::try_from(e.offset) {
            Ok(off) if off < self.data.len() => Ok(off),
            _ => Err(err(
                e.at + 8,
                format!(
                    "tag {tag_name} points at data offset {}, outside the {}-byte data store",
                    e.offset,
                    self.data.len()
                ),
            )),
        }
    }

    fn string(&self, tag: i32, tag_name: &str) -> Result<Option<Cow<'a, str>>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        let start = self.start(&e, tag_name)?;
        if !matches!(e.kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(err(
                e.at + 4,
                format!("tag {tag_name} has type {}, expected a string", e.kind),
            ));
        }
        let data: &'a [u8] = self.data;
        let rest = &data[start..];
        let window = &rest[..rest.len().min(MAX_STRING_LEN + 1)];
        let Some(len) = window.iter().position(|&b| b == 0) else {
            let at = self.data_start + start as u64;
            return Err(if window.len() > MAX_STRING_LEN {
                err(
                    at,
                    format!("tag {tag_name} is longer than {MAX_STRING_LEN} bytes"),
                )
            } else {
                err(
                    at,
                    format!(
                        "tag {tag_name} has no terminating NUL before the end of the data store"
                    ),
                )
            });
        };
        Ok(Some(String::from_utf8_lossy(&rest[..len])))
    }

    fn int32(&self, tag: i32, tag_name: &str) -> Result<Option<u32>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        let start = self.start(&e, tag_name)?;
        if e.kind != TYPE_INT32 {
            return Err(err(
                e.at + 4,
                format!("tag {tag_name} has type {}, expected INT32", e.kind),
            ));
        }
        be32(self.data, start).map(Some).ok_or_else(|| {
            err(
                self.data_start + start as u64,
                format!("tag {tag_name}: 4-byte integer runs past the end of the data store"),
            )
        })
    }
}

/// Reads the inventory tags of one header blob. `NAME`, `VERSION` and
/// `RELEASE` are required and must be UTF-8; the others are optional.
pub fn parse_header(blob: &[u8]) -> Result<RpmHeader, HeaderError> {
    let h = Header::new(blob)?;
    let required = |tag: i32, tag_name: &str| -> Result<String, HeaderError> {
        let value = h
            .string(tag, tag_name)?
            .ok_or_else(|| err(0, format!("header has no {tag_name} tag")))?;
        if value.contains('\u{fffd}') {
            return Err(err(0, format!("tag {tag_name} is not UTF-8")));
        }
        Ok(value.into_owned())
    };
    Ok(RpmHeader {
        name: required(TAG_NAME, "NAME")?,
        version: required(TAG_VERSION, "VERSION")?,
        release: required(TAG_RELEASE, "RELEASE")?,
        epoch: h.int32(TAG_EPOCH, "EPOCH")?,
        arch: h.string(TAG_ARCH, "ARCH")?.map(Cow::into_owned),
        source_rpm: h
            .string(TAG_SOURCERPM, "SOURCERPM")?
            .map(Cow::into_owned)
            .filter(|s| !s.is_empty()),
        license: h.string(TAG_LICENSE, "LICENSE")?.map(Cow::into_owned),
    })
}

/// Splits `name-version-release.src.rpm` (or `.nosrc.rpm`) into the
/// source package's name and `version-release`.
pub fn split_source_rpm(source_rpm: &str) -> Option<(&str, &str)> {
    let stem = source_rpm
        .strip_suffix(".src.rpm")
        .or_else(|| source_rpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    // `rest` = name-version, so version-release starts where version does.
    Some((name, &stem[name.len() + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, data) triples, strings NUL
    /// terminated by the caller.
    pub(crate) fn blob(entries: &[(i32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, bytes) in entries {
            if *kind == TYPE_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(data.len() as i32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&data);
        out
    }

    fn good() -> Vec<u8> {
        blob(&[
            (TAG_NAME, TYPE_STRING, b"bash\0"),
            (TAG_VERSION, TYPE_STRING, b"5.1.8\0"),
            (TAG_RELEASE, TYPE_STRING, b"9.el9\0"),
            (TAG_EPOCH, TYPE_INT32, &1u32.to_be_bytes()),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0"),
            (TAG_SOURCERPM, TYPE_STRING, b"bash-5.1.8-9.el9.src.rpm\0"),
            (TAG_LICENSE, TYPE_STRING, b"GPLv3+\0"),
        ])
    }

    #[test]
    fn reads_the_inventory_tags() {
        let h = parse_header(&good()).unwrap();
        assert_eq!(h.name, "bash");
        assert_eq!(h.evr(), "1:5.1.8-9.el9");
        assert_eq!(h.arch.as_deref(), Some("x86_64"));
        assert_eq!(h.license.as_deref(), Some("GPLv3+"));
        assert_eq!(
            split_source_rpm(h.source_rpm.as_deref().unwrap()),
            Some(("bash", "5.1.8-9.el9"))
        );
    }

    #[test]
    fn source_rpm_names_with_dashes() {
        assert_eq!(
            split_source_rpm("python-dateutil-2.8.1-7.fc36.src.rpm"),
            Some(("python-dateutil", "2.8.1-7.fc36"))
        );
        assert_eq!(split_source_rpm("nosuffix-1-2"), None);
        assert_eq!(split_source_rpm("x-1.src.rpm"), None);
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        let full = good();
        for n in 0..full.len() {
            assert!(parse_header(&full[..n]).is_err(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn huge_counts_are_refused_before_reading() {
        let mut b = good();
        b[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        let e = parse_header(&b).unwrap_err();
        assert!(e.message.contains("index entry count"), "{e}");
        let mut b = good();
        b[4..8].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        let e = parse_header(&b).unwrap_err();
        assert_eq!(e.offset, 4, "{e}");
        let mut b = good();
        b[0..4].copy_from_slice(&0x1000u32.to_be_bytes());
        let e = parse_header(&b).unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
    }

    #[test]
    fn offsets_outside_the_store_and_bad_types() {
        // Entry 0 is NAME: offset field at 8 + 8.
        let mut b = good();
        b[16..20].copy_from_slice(&i32::MAX.to_be_bytes());
        let e = parse_header(&b).unwrap_err();
        assert_eq!(e.offset, 16);
        assert!(e.message.contains("NAME"), "{e}");
        let mut b = good();
        b[16..20].copy_from_slice(&(-4i32).to_be_bytes());
        assert!(parse_header(&b).is_err());
        let mut b = good();
        b[12..16].copy_from_slice(&TYPE_INT32.to_be_bytes());
        let e = parse_header(&b).unwrap_err();
        assert!(e.message.contains("expected a string"), "{e}");
        let mut b = good();
        b[12..16].copy_from_slice(&77u32.to_be_bytes());
        assert!(parse_header(&b)
            .unwrap_err()
            .message
            .contains("unknown type"));
    }

    #[test]
    fn unterminated_and_non_utf8_strings() {
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, b"bash\0"),
            (TAG_VERSION, TYPE_STRING, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, b"no-nul"),
        ]);
        let e = parse_header(&b).unwrap_err();
        assert!(e.message.contains("RELEASE has no terminating NUL"), "{e}");
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, b"ba\xffsh\0"),
            (TAG_VERSION, TYPE_STRING, b"1\0"),
            (TAG_RELEASE, TYPE_STRING, b"1\0"),
        ]);
        assert!(parse_header(&b)
            .unwrap_err()
            .message
            .contains("NAME is not UTF-8"));
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, b"bash\0"),
            (TAG_VERSION, TYPE_STRING, b"1\0"),
        ]);
        assert!(parse_header(&b)
            .unwrap_err()
            .message
            .contains("no RELEASE tag"));
    }

    #[test]
    fn garbage_is_an_error() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in [0usize, 7, 8, 9, 100, 4096] {
            let mut b = vec![0u8; len];
            for x in &mut b {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *x = state as u8;
            }
            let _ = parse_header(&b);
        }
    }
}

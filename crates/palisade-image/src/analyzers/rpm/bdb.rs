//! The Berkeley DB hash database `Packages` of rpm before 4.16 (RHEL/CentOS
//! 7 and 8, Amazon Linux 2, older SUSE): keys are header numbers, values
//! header blobs, big values spilled onto chains of overflow pages.
//!
//! The reader walks every page of the file once, in order, and reads the
//! key/data pairs of the hash pages; it never follows a bucket chain, so a
//! cycle of page links cannot make it loop. Overflow chains are followed
//! with a step bound (the number of pages in the file).

/// Berkeley DB's magic number for hash databases.
const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// Whether the bytes start like a Berkeley DB hash database (either byte
/// order).
pub fn is_hash_db(bytes: &[u8]) -> bool {
    let Some(m) = bytes.get(12..16) else {
        return false;
    };
    let m = [m[0], m[1], m[2], m[3]];
    u32::from_le_bytes(m) == HASH_MAGIC || u32::from_be_bytes(m) == HASH_MAGIC
}

struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    pages: usize,
    big_endian: bool,
}

impl Db<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let s = self.bytes.get(at..at.checked_add(2)?)?;
        Some(if self.big_endian {
            u16::from_be_bytes([s[0], s[1]])
        } else {
            u16::from_le_bytes([s[0], s[1]])
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let s = self.bytes.get(at..at.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    fn page(&self, pgno: usize) -> &[u8] {
        // Callers keep pgno < self.pages, so the page lies in the file.
        &self.bytes[pgno * self.page_size..(pgno + 1) * self.page_size]
    }

    /// The data of an off-page item: `len` bytes from the overflow chain
    /// starting at `pgno`.
    fn overflow(&self, first: u32, len: u32, at: usize) -> Result<Vec<u8>, String> {
        let len = len as usize;
        if len > self.bytes.len() {
            return Err(format!(
                "offset {at}: off-page item of {len} bytes is larger than the file"
            ));
        }
        let mut out = Vec::with_capacity(len);
        let mut pgno = first as usize;
        let mut steps = 0usize;
        while out.len() < len {
            steps += 1;
            if pgno == 0 || pgno >= self.pages || steps > self.pages {
                return Err(format!(
                    "offset {at}: overflow chain breaks at page {pgno} after {} of {len} bytes",
                    out.len()
                ));
            }
            let base = pgno * self.page_size;
            let page = self.page(pgno);
            if page[25] != P_OVERFLOW {
                return Err(format!(
                    "offset {base}: page {pgno} has type {}, expected an overflow page",
                    page[25]
                ));
            }
            // An overflow page keeps the length of its data in hf_offset.
            let n = usize::from(self.u16(base + 22).unwrap_or(0));
            let Some(chunk) = page.get(PAGE_HEADER..PAGE_HEADER + n) else {
                return Err(format!(
                    "offset {base}: overflow page {pgno} claims {n} bytes, more than the page holds"
                ));
            };
            let take = chunk.len().min(len - out.len());
            out.extend_from_slice(&chunk[..take]);
            pgno = self.u32(base + 16).unwrap_or(0) as usize;
        }
        Ok(out)
    }

    /// The bytes of item `i` of a hash page: inline data, or the overflow
    /// chain it points to.
    fn item(&self, pgno: usize, offsets: &[usize], i: usize) -> Result<Vec<u8>, String> {
        let base = pgno * self.page_size;
        let start = offsets[i];
        let end = if i == 0 {
            self.page_size
        } else {
            offsets[i - 1]
        };
        if start < PAGE_HEADER || start >= end || end > self.page_size {
            return Err(format!(
                "offset {}: item {i} of page {pgno} spans {start}..{end}, outside the page",
                base + start
            ));
        }
        let page = self.page(pgno);
        match page[start] {
            H_KEYDATA => Ok(page[start + 1..end].to_vec()),
            H_OFFPAGE => {
                let (Some(first), Some(len)) =
                    (self.u32(base + start + 4), self.u32(base + start + 8))
                else {
                    return Err(format!("offset {}: truncated off-page item", base + start));
                };
                if start + 12 > end {
                    return Err(format!("offset {}: truncated off-page item", base + start));
                }
                self.overflow(first, len, base + start)
            }
            other => Err(format!(
                "offset {}: item of type {other}, expected inline or off-page data",
                base + start
            )),
        }
    }
}

/// The `(key, value)` pairs of a hash database whose keys are 4-byte
/// header numbers; the record with key 0 (rpm's counter) is left out.
pub fn read_blobs(bytes: &[u8]) -> Result<Vec<(i64, Vec<u8>)>, String> {
    if !is_hash_db(bytes) {
        return Err("not a Berkeley DB hash database (magic at offset 12)".to_string());
    }
    let big_endian = bytes
        .get(12..16)
        .is_some_and(|m| u32::from_be_bytes([m[0], m[1], m[2], m[3]]) == HASH_MAGIC);
    let mut db = Db {
        bytes,
        page_size: 0,
        pages: 0,
        big_endian,
    };
    let page_size = db.u32(20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!(
            "offset 20: page size {page_size} is not a power of two from 512 to 65536"
        ));
    }
    if bytes.get(24).copied().unwrap_or(0) != 0 {
        return Err("offset 24: database is encrypted".to_string());
    }
    db.page_size = page_size;
    db.pages = bytes.len() / page_size;
    let mut out = Vec::new();
    for pgno in 1..db.pages {
        let base = pgno * page_size;
        let page = db.page(pgno);
        if !matches!(page[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        let entries = usize::from(db.u16(base + 20).unwrap_or(0));
        if PAGE_HEADER + entries * 2 > page_size {
            return Err(format!(
                "offset {}: page {pgno} claims {entries} entries, more than fit",
                base + 20
            ));
        }
        let offsets: Vec<usize> = (0..entries)
            .map(|i| usize::from(db.u16(base + PAGE_HEADER + 2 * i).unwrap_or(0)))
            .collect();
        for pair in 0..entries / 2 {
            let key = db.item(pgno, &offsets, 2 * pair)?;
            let Ok(k) = <[u8; 4]>::try_from(key.as_slice()) else {
                return Err(format!(
                    "offset {}: key of {} bytes, expected a 4-byte header number",
                    base + offsets[2 * pair],
                    key.len()
                ));
            };
            // rpm writes header numbers in the byte order of the machine,
            // the same as the database's own.
            let hnum = if big_endian {
                u32::from_be_bytes(k)
            } else {
                u32::from_le_bytes(k)
            };
            if hnum == 0 {
                continue;
            }
            let value = db.item(pgno, &offsets, 2 * pair + 1)?;
            out.push((i64::from(hnum), value));
        }
    }
    out.sort_by_key(|(h, _)| *h);
    Ok(out)
}

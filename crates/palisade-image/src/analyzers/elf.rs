//! Just enough of ELF (<https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.sheader.html>)
//! to find a named section in a binary and to map a virtual address to file
//! bytes: the header, the section header table and the section name string
//! table. 32- and 64-bit, little- and big-endian. Every offset and size is
//! checked against the file before it is used.

use super::AnalyzeError;

/// Most section headers read (the field is 16 bits; real binaries have
/// under 100).
pub const MAX_SECTIONS: usize = 4096;

/// The ELF magic.
pub const MAGIC: &[u8; 4] = b"\x7fELF";

/// One section of an ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name from the section name table (`.go.buildinfo`).
    pub name: String,
    /// `sh_type` (8 = `SHT_NOBITS`, which has no bytes in the file).
    pub kind: u32,
    /// Virtual address when loaded (`sh_addr`).
    pub addr: u64,
    /// Offset of the bytes in the file (`sh_offset`).
    pub offset: u64,
    /// Size in bytes (`sh_size`).
    pub size: u64,
}

const SHT_NOBITS: u32 = 8;

/// A parsed ELF file: its section table, borrowed bytes.
#[derive(Debug, Clone)]
pub struct Elf<'a> {
    data: &'a [u8],
    /// 64-bit (`ELFCLASS64`).
    pub is_64: bool,
    /// Big-endian (`ELFDATA2MSB`).
    pub big_endian: bool,
    /// Every section, in table order.
    pub sections: Vec<Section>,
}

/// Whether the bytes start with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

impl<'a> Elf<'a> {
    /// Parses the header and section table. Errors name the field at fault
    /// and its offset.
    pub fn parse(data: &'a [u8]) -> Result<Self, AnalyzeError> {
        if !is_elf(data) {
            return Err(AnalyzeError::new("not an ELF file (no \\x7fELF magic)"));
        }
        let is_64 = match data.get(4) {
            Some(1) => false,
            Some(2) => true,
            other => {
                return Err(AnalyzeError::new(format!(
                    "ELF header offset 4: class {other:?}, expected 1 (32-bit) or 2 (64-bit)"
                )))
            }
        };
        let big_endian = match data.get(5) {
            Some(1) => false,
            Some(2) => true,
            other => {
                return Err(AnalyzeError::new(format!(
                    "ELF header offset 5: data encoding {other:?}, expected 1 (little) or 2 (big)"
                )))
            }
        };
        let mut elf = Elf {
            data,
            is_64,
            big_endian,
            sections: Vec::new(),
        };
        let (shoff, shentsize, shnum, shstrndx) = if is_64 {
            (
                elf.u64_at(0x28, "e_shoff")?,
                u64::from(elf.u16_at(0x3a, "e_shentsize")?),
                usize::from(elf.u16_at(0x3c, "e_shnum")?),
                usize::from(elf.u16_at(0x3e, "e_shstrndx")?),
            )
        } else {
            (
                u64::from(elf.u32_at(0x20, "e_shoff")?),
                u64::from(elf.u16_at(0x2e, "e_shentsize")?),
                usize::from(elf.u16_at(0x30, "e_shnum")?),
                usize::from(elf.u16_at(0x32, "e_shstrndx")?),
            )
        };
        if shoff == 0 || shnum == 0 {
            // No section table (stripped with sstrip): nothing to find.
            return Ok(elf);
        }
        let min_entsize = if is_64 { 64 } else { 40 };
        if shentsize < min_entsize {
            return Err(AnalyzeError::new(format!(
                "ELF header: e_shentsize {shentsize} is smaller than a section header ({min_entsize})"
            )));
        }
        if shnum > MAX_SECTIONS {
            return Err(AnalyzeError::new(format!(
                "ELF header: {shnum} sections, more than {MAX_SECTIONS}"
            )));
        }
        let table_end = shentsize
            .checked_mul(shnum as u64)
            .and_then(|n| n.checked_add(shoff));
        if table_end.is_none_or(|end| end > data.len() as u64) {
            return Err(AnalyzeError::new(format!(
                "ELF section table at offset {shoff} ({shnum} entries of {shentsize} bytes) runs past the end of the file ({} bytes)",
                data.len()
            )));
        }
        let mut raw = Vec::with_capacity(shnum);
        for i in 0..shnum {
            let at = shoff + shentsize * i as u64;
            let at = usize::try_from(at).map_err(|_| {
                AnalyzeError::new(format!("ELF section {i}: offset {at} too large"))
            })?;
            let (name, kind, addr, offset, size) = if is_64 {
                (
                    elf.u32_at(at, "sh_name")?,
                    elf.u32_at(at + 4, "sh_type")?,
                    elf.u64_at(at + 0x10, "sh_addr")?,
                    elf.u64_at(at + 0x18, "sh_offset")?,
                    elf.u64_at(at + 0x20, "sh_size")?,
                )
            } else {
                (
                    elf.u32_at(at, "sh_name")?,
                    elf.u32_at(at + 4, "sh_type")?,
                    u64::from(elf.u32_at(at + 0x0c, "sh_addr")?),
                    u64::from(elf.u32_at(at + 0x10, "sh_offset")?),
                    u64::from(elf.u32_at(at + 0x14, "sh_size")?),
                )
            };
            raw.push((name, kind, addr, offset, size));
        }
        let names = match raw.get(shstrndx) {
            Some(&(_, _, _, offset, size)) => elf
                .range(offset, size)
                .map_err(|e| AnalyzeError::new(format!("ELF section name table: {}", e.message)))?,
            None => {
                return Err(AnalyzeError::new(format!(
                    "ELF header: e_shstrndx {shstrndx} is not a section (there are {shnum})"
                )))
            }
        };
        for (name_off, kind, addr, offset, size) in raw {
            let name = usize::try_from(name_off)
                .ok()
                .and_then(|o| names.get(o..))
                .map(|rest| {
                    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                    String::from_utf8_lossy(&rest[..end.min(256)]).into_owned()
                })
                .unwrap_or_default();
            elf.sections.push(Section {
                name,
                kind,
                addr,
                offset,
                size,
            });
        }
        Ok(elf)
    }

    /// The section with this name.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The file bytes of a section (empty for `SHT_NOBITS`); an error when
    /// they lie outside the file.
    pub fn section_data(&self, section: &Section) -> Result<&'a [u8], AnalyzeError> {
        if section.kind == SHT_NOBITS {
            return Ok(&[]);
        }
        self.range(section.offset, section.size)
            .map_err(|e| AnalyzeError::new(format!("ELF section {}: {}", section.name, e.message)))
    }

    /// The file bytes at virtual address `addr`, `len` long, when a section
    /// with file bytes holds all of them.
    pub fn read_addr(&self, addr: u64, len: u64) -> Option<&'a [u8]> {
        let end = addr.checked_add(len)?;
        let s = self.sections.iter().find(|s| {
            s.kind != SHT_NOBITS
                && s.addr != 0
                && s.addr <= addr
                && s.addr.checked_add(s.size).is_some_and(|e| end <= e)
        })?;
        self.range(s.offset.checked_add(addr - s.addr)?, len).ok()
    }

    fn range(&self, offset: u64, size: u64) -> Result<&'a [u8], AnalyzeError> {
        let end = offset.checked_add(size);
        match end {
            Some(end) if end <= self.data.len() as u64 => {
                // Both fit in usize: they are at most the slice length.
                Ok(&self.data[offset as usize..end as usize])
            }
            _ => Err(AnalyzeError::new(format!(
                "offset {offset} size {size} runs past the end of the file ({} bytes)",
                self.data.len()
            ))),
        }
    }

    fn bytes<const N: usize>(&self, at: usize, field: &str) -> Result<[u8; N], AnalyzeError> {
        at.checked_add(N)
            .and_then(|end| self.data.get(at..end))
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or_else(|| {
                AnalyzeError::new(format!(
                    "ELF truncated: {field} at offset {at} is past the end of the file ({} bytes)",
                    self.data.len()
                ))
            })
    }

    fn u16_at(&self, at: usize, field: &str) -> Result<u16, AnalyzeError> {
        let b = self.bytes::<2>(at, field)?;
        Ok(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32_at(&self, at: usize, field: &str) -> Result<u32, AnalyzeError> {
        let b = self.bytes::<4>(at, field)?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64_at(&self, at: usize, field: &str) -> Result<u64, AnalyzeError> {
        let b = self.bytes::<8>(at, field)?;
        Ok(if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

/// Whether an entry looks like a binary worth opening: a regular file with
/// an execute bit, not empty, at most `max` bytes.
pub fn executable(entry: &crate::layer::Entry, max: u64) -> bool {
    entry.kind == crate::layer::EntryKind::File
        && entry.mode & 0o111 != 0
        && entry.size >= 64
        && entry.size <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sections_of_a_real_binary() {
        let data = std::fs::read("/bin/ls").unwrap();
        let elf = Elf::parse(&data).unwrap();
        let text = elf.section(".text").unwrap();
        assert!(text.size > 0);
        assert!(!elf.section_data(text).unwrap().is_empty());
        assert!(elf.read_addr(text.addr, 16).is_some());
    }

    #[test]
    fn truncated_header_names_the_field() {
        let data = std::fs::read("/bin/ls").unwrap();
        let err = Elf::parse(&data[..0x30]).unwrap_err();
        assert!(err.message.contains("e_shentsize"), "{}", err.message);
        let err = Elf::parse(&data[..data.len() / 2]).unwrap_err();
        assert!(err.message.contains("section table"), "{}", err.message);
    }
}

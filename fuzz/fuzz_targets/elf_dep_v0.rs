//! Fuzzes the ELF section reader and the cargo-auditable `.dep-v0` reader
//! (zlib with a decompressed-size bound, then JSON). Input is either a
//! whole ELF file or, with a leading 0 byte, a raw section. It must never
//! panic or allocate past the bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::analyzers::cargo::{parse_dep_v0, read_auditable};
use palisade_image::analyzers::elf::Elf;

fuzz_target!(|data: &[u8]| {
    if let Some((0, section)) = data.split_first() {
        let _ = parse_dep_v0(section, "bin");
        return;
    }
    if let Ok(elf) = Elf::parse(data) {
        for s in &elf.sections {
            if let Ok(bytes) = elf.section_data(s) {
                assert!(bytes.len() as u64 == s.size || bytes.is_empty());
            }
            let _ = elf.read_addr(s.addr, 8);
        }
    }
    let _ = read_auditable(data, "bin");
});

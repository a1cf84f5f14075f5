//! Fuzzes the image layer reader (tar, gzip and zstd detection, path
//! normalisation, limits) and the file tree (whiteouts, opaque directories,
//! confined symlink resolution). It must never panic, hang or grow without
//! bound, and no tree path may leave the root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::{read_layer, Compression, FileTree, LayerLimits};

fuzz_target!(|data: &[u8]| {
    let limits = LayerLimits {
        max_entries: 10_000,
        max_total_bytes: 64 << 20,
        max_file_size: 1 << 20,
        max_path_len: 4096,
        max_path_depth: 256,
        max_compression_ratio: 200,
    };
    let Ok(layer) = read_layer(data, Compression::Detect, &limits, &|p| {
        p.ends_with("passwd")
    }) else {
        return;
    };
    for entry in &layer.entries {
        assert!(!entry.path.is_empty());
        assert!(!entry.path.starts_with('/'));
        assert!(entry
            .path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".."));
        if let Some(contents) = &entry.contents {
            assert!(contents.len() as u64 <= limits.max_file_size);
        }
    }
    let paths: Vec<String> = layer.entries.iter().map(|e| e.path.clone()).collect();
    let mut tree = FileTree::new();
    // Apply twice: the second pass exercises replacement and whiteouts over
    // an existing tree.
    for _ in 0..2 {
        if tree.apply(layer.clone()).is_err() {
            return;
        }
    }
    for path in &paths {
        if let Ok(resolved) = tree.resolve_path(path, true) {
            assert!(!resolved.starts_with('/'));
            assert!(resolved.split('/').all(|c| c != ".."));
        }
    }
});

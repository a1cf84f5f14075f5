//! Inventories an OCI image layout, for benchmarks (`scripts/bench-image`).
//!
//! ```text
//! inventory oci:DIR[:tag]                 # scan: JSON with packages, OS, entry count
//! inventory --read-only oci:DIR[:tag]     # read every layer (verified), no analyzer
//! inventory --inflate-only oci:DIR[:tag]  # only decompress each layer (the limit)
//! ```
//!
//! Layers are read in parallel in every mode, as the scan does. Timings go
//! to stderr with `PALISADE_TIMINGS=1`.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use palisade_image::{
    compression_for, read_layer_with, scan_image, BlobSource, Compression, ImageInput, OciSource,
    Platform, ScanOptions,
};
use rayon::prelude::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("inventory: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut mode = "scan";
    let mut reference = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--read-only" => mode = "read",
            "--inflate-only" => mode = "inflate",
            "--wanted-stats" => mode = "wanted",
            _ => reference = Some(arg),
        }
    }
    let reference =
        reference.ok_or("usage: inventory [--read-only|--inflate-only] oci:DIR[:tag]")?;
    let rest = reference
        .strip_prefix("oci:")
        .ok_or("only oci:DIR[:tag] is supported")?;
    let (dir, tag) = match rest.rsplit_once(':') {
        Some((d, t)) if !t.contains('/') => (PathBuf::from(d), Some(t.to_string())),
        _ => (PathBuf::from(rest), None),
    };
    let source = OciSource::open(&dir, tag)?;
    let start = Instant::now();
    let timings = std::env::var_os("PALISADE_TIMINGS").is_some();
    let out = io::stdout();
    let mut out = out.lock();
    match mode {
        "scan" => {
            let inv = scan_image(
                &ImageInput::Blobs(Box::new(source)),
                &ScanOptions::default(),
            )?;
            let json = serde_json::json!({
                "source": inv.source,
                "layers": inv.layers.iter().map(|l| serde_json::json!({
                    "digest": l.digest, "size": l.size, "entries": l.entries,
                })).collect::<Vec<_>>(),
                "entries": inv.tree.len(),
                "os": inv.os,
                "packages": inv.packages,
                "errors": inv.errors.len(),
            });
            serde_json::to_writer(&mut out, &json)?;
        }
        "wanted" => {
            // Which analyzers ask for how many files, and how many bytes.
            let image = source.resolve(&Platform::default())?;
            let stats =
                std::sync::Mutex::new(std::collections::BTreeMap::<&str, (u64, u64, u64)>::new());
            image
                .layers
                .par_iter()
                .try_for_each(|desc| -> Result<(), String> {
                    let mut blob = source.open_blob(desc).map_err(|e| e.to_string())?;
                    let wanted = |e: &palisade_image::Entry| {
                        let mut any = false;
                        for a in palisade_image::ANALYZERS {
                            if a.wants(e) {
                                any = true;
                                if let Ok(mut s) = stats.lock() {
                                    let v = s.entry(a.id()).or_default();
                                    v.0 += 1;
                                    v.1 += e.size;
                                    v.2 = v.2.max(e.size);
                                }
                            }
                        }
                        any
                    };
                    read_layer_with(
                        &mut blob,
                        compression_for(&desc.media_type),
                        &Default::default(),
                        &wanted,
                        &mut |_, _| {},
                    )
                    .map_err(|e| e.to_string())?;
                    Ok(())
                })?;
            for (id, (n, bytes, max)) in stats.into_inner().unwrap_or_default() {
                writeln!(
                    out,
                    "{id}: {n} files, {} MB, largest {} MB",
                    bytes / 1_000_000,
                    max / 1_000_000
                )?;
            }
        }
        "read" => {
            let image = source.resolve(&Platform::default())?;
            let counts = image
                .layers
                .par_iter()
                .map(|desc| -> Result<usize, String> {
                    let mut blob = source.open_blob(desc).map_err(|e| e.to_string())?;
                    let layer = read_layer_with(
                        &mut blob,
                        compression_for(&desc.media_type),
                        &Default::default(),
                        &|_| false,
                        &mut |_, _| {},
                    )
                    .map_err(|e| e.to_string())?;
                    io::copy(&mut blob, &mut io::sink()).map_err(|e| e.to_string())?;
                    blob.finish().map_err(|e| e.to_string())?;
                    Ok(layer.entries.len())
                })
                .collect::<Result<Vec<_>, _>>()?;
            writeln!(out, "{{\"entries\": {}}}", counts.iter().sum::<usize>())?;
        }
        _ => {
            let image = source.resolve(&Platform::default())?;
            let bytes = image
                .layers
                .par_iter()
                .map(|desc| -> io::Result<u64> {
                    let hex = desc.digest.strip_prefix("sha256:").unwrap_or(&desc.digest);
                    let file = std::fs::File::open(dir.join("blobs/sha256").join(hex))?;
                    let mut decoded: Box<dyn Read> = match compression_for(&desc.media_type) {
                        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file)?),
                        Compression::None => Box::new(file),
                        _ => Box::new(flate2::read::GzDecoder::new(io::BufReader::with_capacity(
                            1 << 16,
                            file,
                        ))),
                    };
                    io::copy(&mut decoded, &mut io::sink())
                })
                .collect::<io::Result<Vec<_>>>()?;
            writeln!(out, "{{\"bytes\": {}}}", bytes.iter().sum::<u64>())?;
        }
    }
    if timings {
        eprintln!("{mode}: {} ms", start.elapsed().as_millis());
    }
    Ok(())
}

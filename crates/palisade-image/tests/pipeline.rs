//! The pipelined layer reader (inflate on a second thread) gives exactly
//! what the single-threaded reader gives: the same entries, the same files
//! visited with the same bytes, and the same errors, on layers made by the
//! system's `tar` and `gzip` and on hostile ones.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::Command;

use palisade_image::layer::{read_layer_pipelined, PIPE_CHUNK};
use palisade_image::{read_layer_with, Compression, Entry, Layer, LayerError, LayerLimits};

type Visited = Vec<(String, Vec<u8>)>;

fn both(
    bytes: &[u8],
    compression: Compression,
    limits: &LayerLimits,
) -> [(Result<Layer, String>, Visited); 2] {
    let wanted = |e: &Entry| e.path.ends_with(".bin") || e.path.ends_with(".txt");
    let run = |pipelined: bool| {
        let mut seen = Vec::new();
        let mut visit = |e: &Entry, c: &[u8]| seen.push((e.path.clone(), c.to_vec()));
        let result = if pipelined {
            read_layer_pipelined(bytes, compression, limits, &wanted, &mut visit)
        } else {
            read_layer_with(bytes, compression, limits, &wanted, &mut visit)
        };
        (result.map_err(|e: LayerError| e.to_string()), seen)
    };
    [run(false), run(true)]
}

fn same(bytes: &[u8], compression: Compression, limits: &LayerLimits) -> Result<Layer, String> {
    let [(a, va), (b, vb)] = both(bytes, compression, limits);
    // The byte counts a bomb is caught at depend on how far ahead the
    // decompressor ran; the verdict does not.
    let digitless = |r: &Result<Layer, String>| match r {
        Err(e) if e.contains("max_compression_ratio") => {
            Err(e.replace(|c: char| c.is_ascii_digit(), ""))
        }
        other => other.clone(),
    };
    assert_eq!(
        digitless(&a),
        digitless(&b),
        "pipelined and single-threaded readers differ"
    );
    assert_eq!(va, vb, "visited files differ");
    a
}

/// A real layer: a directory tree packed by the system's `tar`, files
/// larger than a pipe chunk among small ones, compressed by `gzip`/`zstd`
/// crates and by the system's `gzip`.
fn real_layer() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    let mut big = Vec::new();
    let mut x: u32 = 7;
    for _ in 0..(3 * PIPE_CHUNK + 1234) {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        big.push((x >> 16) as u8 & 0x3f);
    }
    std::fs::write(root.join("usr/bin/tool.bin"), &big).unwrap();
    for i in 0..300 {
        std::fs::write(
            root.join(format!("usr/bin/f{i}.txt")),
            format!("file {i}\n"),
        )
        .unwrap();
    }
    std::fs::write(root.join("usr/bin/skipped.dat"), &big[..PIPE_CHUNK + 1]).unwrap();
    let out = Command::new("tar")
        .args(["--numeric-owner", "--sort=name", "-cf", "-", "-C"])
        .arg(&root)
        .arg(".")
        .output()
        .expect("the system tar runs");
    assert!(out.status.success(), "tar failed");
    (dir, out.stdout)
}

fn gzip_system(dir: &std::path::Path, tar: &[u8]) -> Vec<u8> {
    let path = dir.join("layer.tar");
    std::fs::write(&path, tar).unwrap();
    let out = Command::new("gzip")
        .args(["-6", "-n", "-c"])
        .arg(&path)
        .output()
        .expect("the system gzip runs");
    assert!(out.status.success(), "gzip failed");
    out.stdout
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn real_layers_read_the_same_in_every_compression() {
    let (dir, tar) = real_layer();
    let gz = gzip_system(dir.path(), &tar);
    let zst = zstd::stream::encode_all(&tar[..], 3).unwrap();
    for (bytes, compression) in [
        (&tar, Compression::None),
        (&tar, Compression::Detect),
        (&gz, Compression::Gzip),
        (&gz, Compression::Detect),
        (&zst, Compression::Zstd),
        (&zst, Compression::Detect),
    ] {
        let layer = same(bytes, compression, &LayerLimits::default()).unwrap();
        assert_eq!(layer.entries.len(), 2 + 2 + 300);
    }
    let [(_, visited), _] = both(&gz, Compression::Gzip, &LayerLimits::default());
    assert_eq!(visited.len(), 301);
    let tool = visited
        .iter()
        .find(|(p, _)| p == "usr/bin/tool.bin")
        .unwrap();
    assert_eq!(tool.1.len(), 3 * PIPE_CHUNK + 1234);
}

#[test]
fn truncated_and_corrupt_streams_fail_the_same() {
    let (dir, tar) = real_layer();
    let gz = gzip_system(dir.path(), &tar);
    for cut in [10, 600, gz.len() / 2] {
        let err = same(&gz[..cut], Compression::Detect, &LayerLimits::default()).unwrap_err();
        assert!(err.contains("truncated"), "cut at {cut}: {err}");
    }
    let mut bad = gz.clone();
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5a;
    }
    // (Whatever the verdict on damaged data, it is the same.)
    let _ = same(&bad, Compression::Gzip, &LayerLimits::default());
    for cut in [700, tar.len() / 2] {
        let err = same(&tar[..cut], Compression::None, &LayerLimits::default()).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }
}

#[test]
fn limits_trip_the_same() {
    let (_dir, tar) = real_layer();
    let gz = gzip(&tar);
    let entries = LayerLimits {
        max_entries: 10,
        ..LayerLimits::default()
    };
    let err = same(&gz, Compression::Gzip, &entries).unwrap_err();
    assert!(err.contains("max_entries"), "{err}");
    let file = LayerLimits {
        max_file_size: 1000,
        ..LayerLimits::default()
    };
    // Visiting readers skip a wanted file over the limit and list it.
    let layer = same(&gz, Compression::Gzip, &file).unwrap();
    assert!(!layer.oversized.is_empty());
    assert!(layer.oversized.iter().all(|(_, size)| *size > 1000));
    let total = LayerLimits {
        max_total_bytes: 2 * PIPE_CHUNK as u64,
        ..LayerLimits::default()
    };
    let err = same(&gz, Compression::Gzip, &total).unwrap_err();
    assert!(err.contains("max_total_bytes"), "{err}");

    // A bomb: one file of 64 MiB of zeros compresses about 1000:1.
    let mut bomb = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(64 << 20);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    bomb.append_data(&mut h, "zeros.bin", std::io::repeat(0).take_bytes(64 << 20))
        .unwrap();
    let bomb = gzip(&bomb.into_inner().unwrap());
    let err = same(&bomb, Compression::Detect, &LayerLimits::default()).unwrap_err();
    assert!(err.contains("max_compression_ratio"), "{err}");
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

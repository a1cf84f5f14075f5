//! Layer reader and file tree against benign and hostile layers built here.

use std::io::{self, Read, Write};

use palisade_image::{
    read_layer, Compression, EntryKind, FileTree, Layer, LayerError, LayerLimits, TreeError,
};
use tar::{EntryType, Header};

/// A tar written header by header, for names the `tar` builder refuses.
#[derive(Default)]
struct RawTar(Vec<u8>);

impl RawTar {
    fn header(&mut self, name: &[u8], kind: EntryType, size: u64, link: &[u8]) {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(if kind == EntryType::Directory {
            0o755
        } else {
            0o644
        });
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        let gnu = h.as_gnu_mut().expect("gnu header");
        let n = name.len().min(100);
        gnu.name[..n].copy_from_slice(&name[..n]);
        let l = link.len().min(100);
        gnu.linkname[..l].copy_from_slice(&link[..l]);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
    }

    fn data(&mut self, data: &[u8]) {
        self.0.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.0.extend(std::iter::repeat_n(0u8, pad));
    }

    fn entry(&mut self, name: &str, kind: EntryType, link: &str, data: &[u8]) -> &mut Self {
        if name.len() > 100 {
            let mut long = name.as_bytes().to_vec();
            long.push(0);
            self.header(
                b"././@LongLink",
                EntryType::GNULongName,
                long.len() as u64,
                b"",
            );
            self.data(&long);
        }
        if link.len() > 100 {
            let mut long = link.as_bytes().to_vec();
            long.push(0);
            self.header(
                b"././@LongLink",
                EntryType::GNULongLink,
                long.len() as u64,
                b"",
            );
            self.data(&long);
        }
        self.header(name.as_bytes(), kind, data.len() as u64, link.as_bytes());
        self.data(data);
        self
    }

    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.entry(name, EntryType::Regular, "", data)
    }
    fn dir(&mut self, name: &str) -> &mut Self {
        self.entry(name, EntryType::Directory, "", b"")
    }
    fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.entry(name, EntryType::Symlink, target, b"")
    }
    fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.entry(name, EntryType::Link, target, b"")
    }
    fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.0);
        out.extend(std::iter::repeat_n(0u8, 1024));
        out
    }
}

fn read(bytes: &[u8], limits: &LayerLimits) -> Result<Layer, LayerError> {
    read_layer(bytes, Compression::Detect, limits, &|_| true)
}

fn read_err(bytes: &[u8], limits: &LayerLimits) -> LayerError {
    match read(bytes, limits) {
        Ok(layer) => panic!("expected an error, got {} entries", layer.entries.len()),
        Err(e) => e,
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).expect("zstd")
}

/// A benign layer made with the `tar` builder.
fn sample_layer() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = Header::new_gnu();
    dir.set_entry_type(EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_uid(0);
    dir.set_gid(0);
    b.append_data(&mut dir, "./etc/", io::empty()).expect("dir");
    let mut file = Header::new_gnu();
    file.set_mode(0o640);
    file.set_uid(0);
    file.set_gid(42);
    let passwd = b"root:x:0:0::/root:/bin/sh\n";
    file.set_size(passwd.len() as u64);
    b.append_data(&mut file, "./etc/passwd", &passwd[..])
        .expect("file");
    file.set_size(3);
    b.append_data(&mut file, "etc/hostname", &b"box"[..])
        .expect("file");
    let mut link = Header::new_gnu();
    link.set_entry_type(EntryType::Symlink);
    link.set_size(0);
    link.set_mode(0o777);
    link.set_uid(0);
    link.set_gid(0);
    b.append_link(&mut link, "etc/pw", "passwd").expect("link");
    b.into_inner().expect("tar")
}

#[test]
fn plain_gzip_and_zstd_layers_read_the_same() {
    let plain = sample_layer();
    let cases = [
        (plain.clone(), Compression::None),
        (plain.clone(), Compression::Detect),
        (gzip(&plain), Compression::Gzip),
        (gzip(&plain), Compression::Detect),
        (zstd(&plain), Compression::Zstd),
        (zstd(&plain), Compression::Detect),
    ];
    for (bytes, compression) in cases {
        let layer = read_layer(&bytes[..], compression, &LayerLimits::default(), &|p| {
            p == "etc/passwd"
        })
        .unwrap_or_else(|e| panic!("{compression:?}: {e}"));
        let paths: Vec<&str> = layer.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["etc", "etc/passwd", "etc/hostname", "etc/pw"]);
        let passwd = &layer.entries[1];
        assert_eq!(passwd.kind, EntryKind::File);
        assert_eq!((passwd.mode, passwd.uid, passwd.gid), (0o640, 0, 42));
        assert_eq!(passwd.size, 26);
        assert_eq!(
            passwd.contents.as_deref(),
            Some(&b"root:x:0:0::/root:/bin/sh\n"[..])
        );
        // Not wanted: recorded, contents skipped.
        assert_eq!(layer.entries[2].size, 3);
        assert_eq!(layer.entries[2].contents, None);
        assert_eq!(layer.entries[3].kind, EntryKind::Symlink);
        assert_eq!(layer.entries[3].link_target.as_deref(), Some("passwd"));
        assert_eq!(layer.entries[0].kind, EntryKind::Dir);
    }
}

#[test]
fn traversal_is_rejected_naming_the_entry() {
    for name in ["../evil", "a/../../evil", "./etc/../../../x"] {
        let bytes = RawTar::default().file("ok", b"1").file(name, b"x").finish();
        let err = read_err(&bytes, &LayerLimits::default());
        assert!(matches!(err, LayerError::PathTraversal { ref path } if path == name));
        assert_eq!(
            err.to_string(),
            format!("entry {name:?} escapes the layer root with `..`")
        );
    }
}

#[test]
fn absolute_paths_are_rejected() {
    let bytes = RawTar::default().file("/etc/passwd", b"x").finish();
    let err = read_err(&bytes, &LayerLimits::default());
    assert!(matches!(err, LayerError::AbsolutePath { .. }));
    assert_eq!(
        err.to_string(),
        "entry \"/etc/passwd\" has an absolute path"
    );
}

#[test]
fn hardlink_escaping_the_layer_is_rejected() {
    let bytes = RawTar::default()
        .hardlink("shadow", "../../etc/shadow")
        .finish();
    let err = read_err(&bytes, &LayerLimits::default());
    assert!(matches!(err, LayerError::LinkEscape { .. }));
    assert_eq!(
        err.to_string(),
        "hardlink \"shadow\" points outside the layer root (\"../../etc/shadow\")"
    );
}

#[test]
fn hardlink_to_an_entry_not_in_the_tree_is_an_error() {
    let layer = read(
        &RawTar::default()
            .file("a", b"data")
            .hardlink("b", "/a")
            .hardlink("c", "missing")
            .finish(),
        &LayerLimits::default(),
    )
    .expect("layer");
    let mut tree = FileTree::new();
    let err = tree.apply(layer).expect_err("missing target");
    assert_eq!(
        err,
        TreeError::HardlinkOutsideTree {
            path: "c".into(),
            target: "missing".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "hardlink \"c\" points to \"missing\", which is not in the image"
    );
    // The valid hardlink before it shares the target's contents.
    assert_eq!(tree.contents("b"), Some(&b"data"[..]));
}

#[test]
fn symlinks_resolve_inside_the_root() {
    let layer = read(
        &RawTar::default()
            .dir("etc")
            .file("etc/passwd", b"inside")
            .symlink("up", "../../../etc/passwd")
            .symlink("abs", "/etc/../../etc/passwd")
            .symlink("root", "../../..")
            .symlink("gone", "../../outside")
            .symlink("loop1", "loop2")
            .symlink("loop2", "/loop1")
            .symlink("etc/self", ".")
            .finish(),
        &LayerLimits::default(),
    )
    .expect("layer");
    let mut tree = FileTree::new();
    tree.apply(layer).expect("apply");
    for path in [
        "up",
        "abs",
        "root/etc/passwd",
        "etc/self/self/passwd",
        "/../etc/passwd",
    ] {
        let entry = tree.resolve(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(entry.path, "etc/passwd", "{path}");
        assert_eq!(tree.contents(path), Some(&b"inside"[..]));
    }
    assert_eq!(tree.resolve_path("root", true), Ok(String::new()));
    assert_eq!(
        tree.resolve("gone"),
        Err(TreeError::NotFound {
            path: "gone".into()
        })
    );
    let err = tree.resolve("loop1").expect_err("loop");
    assert_eq!(
        err,
        TreeError::SymlinkLoop {
            path: "loop1".into(),
            limit: 40
        }
    );
    assert_eq!(
        err.to_string(),
        "resolving \"loop1\" followed more than 40 symlinks (a symlink loop?)"
    );
    assert_eq!(
        tree.resolve("etc/passwd/x"),
        Err(TreeError::NotADirectory {
            path: "etc/passwd".into()
        })
    );
    // `get` does not follow links.
    assert_eq!(tree.get("up").map(|e| e.kind), Some(EntryKind::Symlink));
}

#[test]
fn entries_under_a_symlinked_directory_stay_inside_the_root() {
    let lower = RawTar::default()
        .dir("tmp")
        .symlink("etc", "../../../tmp")
        .finish();
    let upper = RawTar::default().file("etc/cron", b"* * * * * x").finish();
    let mut tree = FileTree::new();
    for bytes in [lower, upper] {
        tree.apply(read(&bytes, &LayerLimits::default()).expect("layer"))
            .expect("apply");
    }
    assert_eq!(tree.get("tmp/cron").map(|e| e.size), Some(11));
    assert_eq!(
        tree.resolve("etc/cron").map(|e| e.path.as_str()),
        Ok("tmp/cron")
    );
}

#[test]
fn whiteouts_and_opaque_directories_across_three_layers() {
    let l1 = RawTar::default()
        .dir("app")
        .file("app/a", b"a1")
        .file("app/b", b"b1")
        .dir("app/sub")
        .file("app/sub/deep", b"d")
        .dir("data")
        .file("data/old", b"o")
        .file("keep", b"k")
        .finish();
    let l2 = RawTar::default()
        .file("app/.wh.b", b"")
        .file("app/.wh.sub", b"")
        .file("data/.wh..wh..opq", b"")
        .file("data/new", b"n")
        .file("app/a", b"a2")
        .finish();
    let l3 = RawTar::default()
        .file("app/b", b"b3")
        .file(".wh.keep", b"")
        .dir("data")
        .finish();
    let mut tree = FileTree::new();
    let limits = LayerLimits::default();
    for bytes in [l1, l2.clone()] {
        tree.apply(read(&bytes, &limits).expect("layer"))
            .expect("apply");
    }
    let paths = |t: &FileTree| t.iter().map(|e| e.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&tree), ["app", "app/a", "data", "data/new", "keep"]);
    assert_eq!(tree.contents("app/a"), Some(&b"a2"[..]));
    tree.apply(read(&l3, &limits).expect("layer"))
        .expect("apply");
    assert_eq!(paths(&tree), ["app", "app/a", "app/b", "data", "data/new"]);
    assert_eq!(tree.contents("app/b"), Some(&b"b3"[..]));
    assert!(tree.get("keep").is_none());
    // Whiteout markers are not entries of the tree.
    assert!(tree.iter().all(|e| !e.path.contains(".wh.")));
}

#[test]
fn gzip_bomb_is_stopped_by_the_ratio_limit() {
    // 8 MiB of zeros in one file: gzip shrinks it about 1000:1.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = Header::new_gnu();
    h.set_size(8 << 20);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    b.append_data(&mut h, "zeros", io::repeat(0).take(8 << 20))
        .expect("append");
    let bomb = b.into_inner().expect("tar").finish().expect("gzip");
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let err = read_err(&bomb, &LayerLimits::default());
    let LayerError::CompressionRatio {
        limit,
        compressed,
        uncompressed,
    } = err
    else {
        panic!("expected a ratio error, got {err}");
    };
    assert_eq!(limit, 200);
    assert!(uncompressed > 200 * compressed);
    assert!(uncompressed < 4 << 20, "stopped early: {uncompressed}");
    assert_eq!(
        err.to_string(),
        format!(
            "layer expands {uncompressed} bytes from {compressed} compressed, more than 200:1; \
             possible decompression bomb (limit max_compression_ratio)"
        )
    );
    // Raising the limit lets it through.
    let limits = LayerLimits {
        max_compression_ratio: 100_000,
        ..LayerLimits::default()
    };
    let layer = read_layer(&bomb[..], Compression::Gzip, &limits, &|_| false).expect("raised");
    assert_eq!(layer.entries[0].size, 8 << 20);
}

#[test]
fn total_size_limit() {
    let bytes = RawTar::default().file("big", &vec![7u8; 3 << 20]).finish();
    let limits = LayerLimits {
        max_total_bytes: 1 << 20,
        ..LayerLimits::default()
    };
    for input in [bytes.clone(), zstd(&bytes)] {
        let err = read_layer(&input[..], Compression::Detect, &limits, &|_| false)
            .expect_err("too large");
        assert!(matches!(err, LayerError::TooLarge { limit: 1048576 }));
        assert_eq!(
            err.to_string(),
            "layer expands to more than 1048576 bytes (limit max_total_bytes)"
        );
    }
}

#[test]
fn wanted_file_over_the_size_limit() {
    let bytes = RawTar::default().file("etc/big", &[1u8; 2000]).finish();
    let limits = LayerLimits {
        max_file_size: 1000,
        ..LayerLimits::default()
    };
    // Not wanted: fine.
    let layer = read_layer(&bytes[..], Compression::None, &limits, &|_| false).expect("skip");
    assert_eq!(layer.entries[0].size, 2000);
    let err = read_layer(&bytes[..], Compression::None, &limits, &|_| true).expect_err("big");
    assert!(matches!(
        err,
        LayerError::FileTooLarge {
            size: 2000,
            limit: 1000,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "file \"etc/big\" is 2000 bytes, more than 1000 (limit max_file_size)"
    );
}

#[test]
fn huge_entry_counts_are_bounded() {
    let mut tar = RawTar::default();
    for i in 0..1000 {
        tar.file(&format!("f{i}"), b"");
    }
    let bytes = tar.finish();
    let limits = LayerLimits {
        max_entries: 100,
        ..LayerLimits::default()
    };
    let err = read_err(&bytes, &limits);
    assert!(matches!(err, LayerError::TooManyEntries { limit: 100 }));
    assert_eq!(
        err.to_string(),
        "layer has more than 100 entries (limit max_entries)"
    );
    let exact = LayerLimits {
        max_entries: 1000,
        ..LayerLimits::default()
    };
    assert_eq!(
        read(&bytes, &exact).expect("at the limit").entries.len(),
        1000
    );
}

#[test]
fn overlong_names_and_deep_paths_are_bounded() {
    let long = "a".repeat(5000);
    let err = read_err(
        &RawTar::default().file(&long, b"").finish(),
        &LayerLimits::default(),
    );
    assert!(matches!(
        err,
        LayerError::PathTooLong {
            len: 5000,
            limit: 4096,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        format!(
            "entry \"{}...\" has a name of 5000 bytes, more than 4096 (limit max_path_len)",
            "a".repeat(200)
        )
    );

    let target = "b/".repeat(3000);
    let err = read_err(
        &RawTar::default().symlink("link", &target).finish(),
        &LayerLimits::default(),
    );
    assert!(matches!(err, LayerError::PathTooLong { len: 6000, .. }));
    assert!(err
        .to_string()
        .starts_with("entry \"link\" has a name of 6000 bytes"));

    let deep = "d/".repeat(300) + "f";
    let err = read_err(
        &RawTar::default().file(&deep, b"").finish(),
        &LayerLimits::default(),
    );
    assert!(matches!(
        err,
        LayerError::PathTooDeep {
            depth: 301,
            limit: 256,
            ..
        }
    ));
    assert!(err
        .to_string()
        .ends_with("is 301 directories deep, more than 256 (limit max_path_depth)"));

    // Raised limits accept both.
    let limits = LayerLimits {
        max_path_len: 10_000,
        max_path_depth: 1000,
        ..LayerLimits::default()
    };
    let layer = read(
        &RawTar::default()
            .file(&long, b"x")
            .file(&deep, b"")
            .finish(),
        &limits,
    )
    .expect("raised");
    assert_eq!(layer.entries[0].path, long);
}

#[test]
fn truncated_streams_are_reported() {
    let full = RawTar::default()
        .file("a", &[5u8; 3000])
        .file("b", b"tail")
        .finish();
    // Inside a file's contents; inside a header; at a block boundary with
    // no end-of-archive block; nothing at all.
    for cut in [1000, 512 * 8 + 100, 512 * 9, 0] {
        let err = read_err(&full[..cut], &LayerLimits::default());
        assert!(
            matches!(err, LayerError::Truncated { .. }),
            "cut at {cut}: {err}"
        );
        assert!(
            err.to_string()
                .starts_with("layer stream is truncated: the stream ended after"),
            "{err}"
        );
    }
    // Unwanted contents are truncated too.
    let err = read_layer(
        &full[..1000],
        Compression::None,
        &LayerLimits::default(),
        &|_| false,
    )
    .expect_err("truncated");
    assert!(matches!(err, LayerError::Truncated { .. }), "{err}");
    // Cut compressed streams.
    for compressed in [gzip(&full), zstd(&full)] {
        let half = &compressed[..compressed.len() / 2];
        let err = read_err(half, &LayerLimits::default());
        assert!(matches!(err, LayerError::Truncated { .. }), "{err}");
    }
    // The complete stream reads.
    assert_eq!(
        read(&full, &LayerLimits::default())
            .expect("full")
            .entries
            .len(),
        2
    );
}

#[test]
fn garbage_is_corrupt_not_a_panic() {
    let err = read_err(&[0x41u8; 2048], &LayerLimits::default());
    assert!(matches!(err, LayerError::Corrupt { .. }), "{err}");
    assert!(err
        .to_string()
        .starts_with("layer is not a valid tar stream: "));
    let err = read_err(&[0x1f, 0x8b, 0, 0, 1, 2, 3], &LayerLimits::default());
    assert!(
        matches!(
            err,
            LayerError::Corrupt { .. } | LayerError::Truncated { .. }
        ),
        "{err}"
    );
}

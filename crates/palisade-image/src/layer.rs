//! Streaming, bounded reader for one image layer (a tar stream, optionally
//! gzip- or zstd-compressed).
//!
//! The layer is read once, front to back. Every entry is recorded with its
//! metadata; file contents are kept only for the paths the caller asks for.
//! Every way a hostile layer can make the reader misbehave (path traversal,
//! decompression bombs, huge entry counts, overlong names, truncated streams)
//! is bounded by [`LayerLimits`] and reported as a [`LayerError`].

use std::cell::RefCell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

/// Uncompressed bytes a layer may produce before the compression-ratio limit
/// is enforced: tiny layers (an empty tar is 1 KiB of zeros) compress far
/// better than any real file tree.
pub const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// Limits on what one layer may contain. Every limit is inclusive: a layer
/// exactly at a limit is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerLimits {
    /// Most entries (files, directories, links, whiteouts) in one layer.
    /// Default 1,000,000; the largest public images hold a few hundred
    /// thousand.
    pub max_entries: u64,
    /// Most uncompressed bytes of tar stream (headers, long names, contents
    /// of every file, skipped or kept). Default 16 GiB.
    pub max_total_bytes: u64,
    /// Largest file whose contents are kept in memory for an analyzer.
    /// Files that are not wanted may be larger (they are skipped, and count
    /// only towards `max_total_bytes`). A wanted file over the limit is an
    /// error for [`read_layer`]; the visiting readers skip it and list it
    /// in [`Layer::oversized`], so one huge binary does not fail a scan.
    /// Default 64 MiB.
    pub max_file_size: u64,
    /// Longest entry path or link target, in bytes. Default 4096 (Linux
    /// `PATH_MAX`).
    pub max_path_len: usize,
    /// Most components in an entry path. Default 256.
    pub max_path_depth: usize,
    /// Largest ratio of uncompressed to compressed bytes, checked once a
    /// compressed layer has produced more than [`RATIO_GRACE_BYTES`].
    /// Default 200 (real layers are rarely above 20; a gzip bomb of zeros
    /// reaches about 1000).
    pub max_compression_ratio: u64,
}

impl Default for LayerLimits {
    fn default() -> Self {
        LayerLimits {
            max_entries: 1_000_000,
            max_total_bytes: 16 << 30,
            max_file_size: 64 << 20,
            max_path_len: 4096,
            max_path_depth: 256,
            max_compression_ratio: 200,
        }
    }
}

/// How the layer stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    /// A plain tar stream.
    None,
    /// Look at the first bytes: gzip (`1f 8b`), zstd (`28 b5 2f fd`), else
    /// plain tar.
    Detect,
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// Any other tar type flag, recorded but not interpreted.
    Other(u8),
}

/// One entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Normalised path: relative to the root, `/`-separated, no `.`, `..`
    /// or empty components (`./etc/passwd` is `etc/passwd`).
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits and set-id/sticky bits (`0o7777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size of the file's contents in bytes (0 for non-files).
    pub size: u64,
    /// Symlink target exactly as written (resolved later, confined to the
    /// root, by the file tree); hardlink target normalised like `path`.
    pub link_target: Option<String>,
    /// The file's contents, when `wanted` selected it (and the reader was
    /// asked to keep them; see [`read_layer_with`]).
    pub contents: Option<Vec<u8>>,
    /// Index of the layer that wrote this entry (0 for the bottom layer),
    /// set when the entry is applied to a [`crate::FileTree`].
    pub layer: u32,
}

/// Every entry of one layer, in stream order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    pub entries: Vec<Entry>,
    /// Wanted files that the visiting readers skipped because they are
    /// larger than `max_file_size`: (path, size).
    pub oversized: Vec<(String, u64)>,
}

/// The one buffer, shared by every layer read in parallel, that holds a
/// visited file larger than [`KEEP_SCRATCH`] (executables the binary
/// analyzers read whole, archives). Big files are read one at a time
/// through it, and it is kept, not freed, between them: peak memory is one
/// big file rather than one per layer in flight, and the allocator never
/// holds several freed big blocks at once (measured with mimalloc: freeing
/// big buffers per file left 105-130 MiB resident on a 1 GB image).
static BIG_BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Visited files up to this size are read into the layer's own buffer;
/// larger ones go through [`BIG_BUFFER`].
const KEEP_SCRATCH: u64 = 1 << 20;

/// Why a layer could not be read. Messages are lower-case and name the
/// entry and the limit at fault.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("layer stream is truncated: {detail}")]
    Truncated { detail: String },
    #[error("layer is not a valid tar stream: {detail}")]
    Corrupt { detail: String },
    #[error("reading layer: {0}")]
    Io(io::Error),
    #[error("layer has more than {limit} entries (limit max_entries)")]
    TooManyEntries { limit: u64 },
    #[error("layer expands to more than {limit} bytes (limit max_total_bytes)")]
    TooLarge { limit: u64 },
    #[error(
        "layer expands {uncompressed} bytes from {compressed} compressed, more than {limit}:1; \
         possible decompression bomb (limit max_compression_ratio)"
    )]
    CompressionRatio {
        limit: u64,
        compressed: u64,
        uncompressed: u64,
    },
    #[error("file {path:?} is {size} bytes, more than {limit} (limit max_file_size)")]
    FileTooLarge { path: String, size: u64, limit: u64 },
    #[error("entry {path:?} has a name of {len} bytes, more than {limit} (limit max_path_len)")]
    PathTooLong {
        path: String,
        len: usize,
        limit: usize,
    },
    #[error(
        "entry {path:?} is {depth} directories deep, more than {limit} (limit max_path_depth)"
    )]
    PathTooDeep {
        path: String,
        depth: usize,
        limit: usize,
    },
    #[error("entry {path:?} escapes the layer root with `..`")]
    PathTraversal { path: String },
    #[error("entry {path:?} has an absolute path")]
    AbsolutePath { path: String },
    #[error("hardlink {path:?} points outside the layer root ({target:?})")]
    LinkEscape { path: String, target: String },
}

/// The callback that receives each wanted file's entry and contents.
pub type VisitFn<'a> = &'a mut dyn FnMut(&Entry, &[u8]);

/// Reads one layer. `wanted` is called with each regular file's normalised
/// path; the contents of files it accepts are kept (up to
/// `limits.max_file_size`), all others are skipped without being buffered.
pub fn read_layer(
    reader: impl Read,
    compression: Compression,
    limits: &LayerLimits,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Layer, LayerError> {
    let wanted = |e: &Entry| wanted(&e.path);
    read_layer_inner(reader, compression, limits, &wanted, None)
}

/// Reads one layer and hands the contents of each wanted regular file to
/// `visit` as it streams past, instead of keeping it: memory stays bounded
/// by the largest wanted file (`limits.max_file_size`), whatever the layer
/// holds. `wanted` sees the entry's metadata (path, mode, size; `contents`
/// is `None`). The returned layer records every entry, without contents.
pub fn read_layer_with(
    reader: impl Read,
    compression: Compression,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    visit: &mut dyn FnMut(&Entry, &[u8]),
) -> Result<Layer, LayerError> {
    read_layer_inner(reader, compression, limits, wanted, Some(visit))
}

/// Reads one layer like [`read_layer_with`], with decompression on a second
/// thread: one thread reads (and verifies) the compressed stream and inflates
/// it, the calling thread parses the tar stream and runs `wanted` and
/// `visit`, so even a single large layer keeps two cores busy. The threads
/// pass at most [`PIPE_DEPTH`] chunks of [`PIPE_CHUNK`] bytes, so memory
/// stays bounded; limits, errors and results are those of
/// [`read_layer_with`].
pub fn read_layer_pipelined(
    reader: impl Read + Send,
    compression: Compression,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    visit: &mut dyn FnMut(&Entry, &[u8]),
) -> Result<Layer, LayerError> {
    let compressed = AtomicU64::new(0);
    let (input, compression) = detect(reader, compression, &compressed)?;
    let mut decoder = Decoder::new(input, compression).map_err(LayerError::Io)?;
    std::thread::scope(|scope| {
        let (chunks, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(PIPE_DEPTH);
        let (spent, recycled) = mpsc::channel::<Vec<u8>>();
        scope.spawn(move || produce(&mut decoder, &chunks, &recycled));
        let piped = Piped {
            rx,
            spent,
            chunk: Vec::new(),
            pos: 0,
            done: false,
        };
        read_guarded(piped, compression, &compressed, limits, wanted, Some(visit))
        // `piped` is dropped here, before the scope joins the producer: a
        // producer blocked on a full channel then stops.
    })
}

/// Decompressed bytes per chunk handed from the decompressing thread to the
/// tar parser in [`read_layer_pipelined`].
pub const PIPE_CHUNK: usize = 256 << 10;
/// Chunks in flight between the two threads of [`read_layer_pipelined`].
pub const PIPE_DEPTH: usize = 4;

/// The decompressing side of [`read_layer_pipelined`]: fills chunks and
/// sends them on; an empty chunk marks the end, an error ends the stream.
fn produce(
    decoder: &mut impl Read,
    chunks: &mpsc::SyncSender<io::Result<Vec<u8>>>,
    recycled: &mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let mut chunk = recycled.try_recv().unwrap_or_default();
        chunk.resize(PIPE_CHUNK, 0);
        let mut filled = 0;
        let result = loop {
            match decoder.read(chunk.get_mut(filled..).unwrap_or_default()) {
                Ok(0) => break Ok(true),
                Ok(n) => {
                    filled += n;
                    if filled >= PIPE_CHUNK {
                        break Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        chunk.truncate(filled);
        if filled > 0 && chunks.send(Ok(chunk)).is_err() {
            return;
        }
        match result {
            Ok(false) => {}
            Ok(true) => {
                let _ = chunks.send(Ok(Vec::new()));
                return;
            }
            Err(e) => {
                let _ = chunks.send(Err(e));
                return;
            }
        }
    }
}

/// The tar side of [`read_layer_pipelined`]: reads the chunks in order.
struct Piped {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    spent: mpsc::Sender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Piped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.chunk.len() {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    if chunk.is_empty() {
                        self.done = true;
                        return Ok(0);
                    }
                    let old = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.spent.send(old);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(mpsc::RecvError) => {
                    self.done = true;
                    return Err(io::Error::other("the decompressing thread stopped"));
                }
            }
        }
        let rest = self.chunk.get(self.pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(rest.get(..n).unwrap_or_default());
        self.pos += n;
        Ok(n)
    }
}

fn read_layer_inner(
    reader: impl Read,
    compression: Compression,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    visit: Option<VisitFn<'_>>,
) -> Result<Layer, LayerError> {
    let compressed = AtomicU64::new(0);
    let (input, compression) = detect(reader, compression, &compressed)?;
    let decoder = Decoder::new(input, compression).map_err(LayerError::Io)?;
    read_guarded(decoder, compression, &compressed, limits, wanted, visit)
}

/// The compressed input: the bytes read to detect the compression, then
/// the rest of the stream, counted, behind a buffer.
type Input<'c, R> = io::BufReader<io::Chain<io::Cursor<Vec<u8>>, CountIn<'c, R>>>;

/// Buffer between the compressed input and the decompressor.
const INPUT_BUFFER: usize = 128 << 10;

/// Resolves [`Compression::Detect`] from the first bytes (which are kept).
fn detect<R: Read>(
    reader: R,
    compression: Compression,
    compressed: &AtomicU64,
) -> Result<(Input<'_, R>, Compression), LayerError> {
    let mut counted = CountIn {
        inner: reader,
        compressed,
    };
    let mut head = Vec::new();
    let compression = match compression {
        Compression::Detect => {
            let mut buf = [0u8; 4];
            let mut n = 0;
            while n < buf.len() {
                let got = match counted.read(buf.get_mut(n..).unwrap_or_default()) {
                    Ok(got) => got,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(LayerError::Io(e)),
                };
                if got == 0 {
                    break;
                }
                n += got;
            }
            head.extend_from_slice(buf.get(..n).unwrap_or_default());
            if head.starts_with(&[0x1f, 0x8b]) {
                Compression::Gzip
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                Compression::Zstd
            } else {
                Compression::None
            }
        }
        other => other,
    };
    let input = io::BufReader::with_capacity(INPUT_BUFFER, io::Cursor::new(head).chain(counted));
    Ok((input, compression))
}

/// The decompressor for a layer's compression.
enum Decoder<R: BufRead> {
    Gzip(Box<flate2::bufread::GzDecoder<R>>),
    Zstd(Box<zstd::stream::read::Decoder<'static, R>>),
    Plain(R),
}

impl<R: BufRead> Decoder<R> {
    fn new(input: R, compression: Compression) -> io::Result<Self> {
        Ok(match compression {
            Compression::Gzip => Decoder::Gzip(Box::new(flate2::bufread::GzDecoder::new(input))),
            Compression::Zstd => {
                Decoder::Zstd(Box::new(zstd::stream::read::Decoder::with_buffer(input)?))
            }
            Compression::None | Compression::Detect => Decoder::Plain(input),
        })
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
            Decoder::Plain(r) => r.read(buf),
        }
    }
}

/// Parses the decompressed tar stream behind the limits' guard and turns
/// what went wrong into a [`LayerError`].
fn read_guarded<R: Read>(
    decoded: R,
    compression: Compression,
    compressed: &AtomicU64,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    visit: Option<VisitFn<'_>>,
) -> Result<Layer, LayerError> {
    let state = Rc::new(RefCell::new(State::default()));
    let guard = Guard {
        inner: decoded,
        state: Rc::clone(&state),
        compressed_in: compressed,
        limits: *limits,
        compressed: compression != Compression::None && compression != Compression::Detect,
    };
    let mut archive = tar::Archive::new(guard);
    let result = read_entries(&mut archive, limits, wanted, visit);
    drop(archive);
    let state = state.borrow();
    if let Some(trip) = &state.tripped {
        return Err(trip.to_error());
    }
    match result {
        Ok(_) if state.saw_eof => Err(LayerError::Truncated {
            detail: format!(
                "the stream ended after {} bytes without an end-of-archive block",
                state.out
            ),
        }),
        Ok(layer) => Ok(layer),
        Err(Failure::Layer(e)) => Err(e),
        Err(Failure::Io(e)) if state.saw_eof || e.kind() == io::ErrorKind::UnexpectedEof => {
            Err(LayerError::Truncated {
                detail: format!("the stream ended after {} bytes: {e}", state.out),
            })
        }
        Err(Failure::Io(e))
            if e.kind() == io::ErrorKind::Other
                || e.kind() == io::ErrorKind::InvalidData
                || e.kind() == io::ErrorKind::InvalidInput =>
        {
            Err(LayerError::Corrupt {
                detail: e.to_string(),
            })
        }
        Err(Failure::Io(e)) => Err(LayerError::Io(e)),
    }
}

enum Failure {
    Layer(LayerError),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<LayerError> for Failure {
    fn from(e: LayerError) -> Self {
        Failure::Layer(e)
    }
}

/// Most bytes reserved up front for a wanted file (its header's size may
/// lie; beyond this the buffer grows as the bytes arrive).
const MAX_RESERVE: u64 = 64 << 20;

fn read_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    limits: &LayerLimits,
    wanted: &dyn Fn(&Entry) -> bool,
    mut visit: Option<VisitFn<'_>>,
) -> Result<Layer, Failure> {
    let mut layer = Layer::default();
    let mut count: u64 = 0;
    let mut scratch: Vec<u8> = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        if count > limits.max_entries {
            return Err(LayerError::TooManyEntries {
                limit: limits.max_entries,
            }
            .into());
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalise(&raw_path, limits)? else {
            // The root directory itself (`./` or `/`): nothing to record.
            continue;
        };
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            other => EntryKind::Other(other.as_byte()),
        };
        let corrupt = |what: &str, e: io::Error| LayerError::Corrupt {
            detail: format!("entry {path:?} has an invalid {what}: {e}"),
        };
        let mode = header.mode().map_err(|e| corrupt("mode", e))? & 0o7777;
        let uid = header.uid().map_err(|e| corrupt("uid", e))?;
        let gid = header.gid().map_err(|e| corrupt("gid", e))?;
        let link_target = match kind {
            EntryKind::Symlink | EntryKind::Hardlink => {
                let raw = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                if raw.len() > limits.max_path_len {
                    return Err(LayerError::PathTooLong {
                        path: shorten(&path),
                        len: raw.len(),
                        limit: limits.max_path_len,
                    }
                    .into());
                }
                if kind == EntryKind::Hardlink {
                    Some(normalise_hardlink(&path, &raw, limits)?)
                } else {
                    Some(raw)
                }
            }
            _ => None,
        };
        let size = if kind == EntryKind::File {
            entry.size()
        } else {
            0
        };
        let mut record = Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            link_target,
            contents: None,
            layer: 0,
        };
        if kind == EntryKind::File && wanted(&record) {
            if size > limits.max_file_size {
                if visit.is_some() {
                    layer.oversized.push((record.path.clone(), size));
                    layer.entries.push(record);
                    continue;
                }
                return Err(LayerError::FileTooLarge {
                    path: record.path,
                    size,
                    limit: limits.max_file_size,
                }
                .into());
            }
            let big = visit.is_some() && size > KEEP_SCRATCH;
            let mut shared = if big {
                Some(BIG_BUFFER.lock().unwrap_or_else(PoisonError::into_inner))
            } else {
                None
            };
            // Small files reuse the layer's own buffer from file to file;
            // the size is reserved up front, up to a cap, so a buffer is not
            // grown by doubling and copying.
            let mut buf = match (&mut shared, visit.is_some()) {
                (Some(guard), _) => std::mem::take(&mut **guard),
                (None, true) => std::mem::take(&mut scratch),
                (None, false) => Vec::new(),
            };
            buf.clear();
            buf.reserve_exact(usize::try_from(size.min(MAX_RESERVE)).unwrap_or(0));
            let read = (&mut entry)
                .take(limits.max_file_size.saturating_add(1))
                .read_to_end(&mut buf);
            let result = match read {
                Err(e) => Err(Failure::from(e)),
                Ok(_) if buf.len() as u64 > limits.max_file_size => Err(LayerError::FileTooLarge {
                    path: record.path.clone(),
                    size: buf.len() as u64,
                    limit: limits.max_file_size,
                }
                .into()),
                Ok(_) => Ok(()),
            };
            match (result, visit.as_mut()) {
                (Ok(()), Some(visit)) => visit(&record, &buf),
                (Ok(()), None) => {
                    record.contents = Some(buf);
                    buf = Vec::new();
                }
                (Err(e), _) => {
                    if let Some(guard) = &mut shared {
                        **guard = buf;
                    }
                    return Err(e);
                }
            }
            match &mut shared {
                Some(guard) => **guard = buf,
                None => scratch = buf,
            }
        }
        layer.entries.push(record);
    }
    Ok(layer)
}

/// At most 200 bytes of a path, for error messages.
fn shorten(path: &str) -> String {
    if path.len() <= 200 {
        return path.to_string();
    }
    let mut end = 200;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &path[..end])
}

/// Normalises an entry path; `None` for the root itself.
fn normalise(raw: &str, limits: &LayerLimits) -> Result<Option<String>, LayerError> {
    if raw.len() > limits.max_path_len {
        return Err(LayerError::PathTooLong {
            path: shorten(raw),
            len: raw.len(),
            limit: limits.max_path_len,
        });
    }
    if raw.starts_with('/') {
        return Err(LayerError::AbsolutePath { path: shorten(raw) });
    }
    let parts = components(raw).map_err(|()| LayerError::PathTraversal { path: shorten(raw) })?;
    if parts.len() > limits.max_path_depth {
        return Err(LayerError::PathTooDeep {
            path: shorten(raw),
            depth: parts.len(),
            limit: limits.max_path_depth,
        });
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(parts.join("/")))
}

/// Hardlink targets name another entry of the archive; a leading `/` is
/// tolerated (as GNU tar does) but `..` is not.
fn normalise_hardlink(path: &str, raw: &str, limits: &LayerLimits) -> Result<String, LayerError> {
    let escape = || LayerError::LinkEscape {
        path: shorten(path),
        target: shorten(raw),
    };
    let parts = components(raw).map_err(|()| escape())?;
    if parts.is_empty() {
        return Err(escape());
    }
    if parts.len() > limits.max_path_depth {
        return Err(LayerError::PathTooDeep {
            path: shorten(raw),
            depth: parts.len(),
            limit: limits.max_path_depth,
        });
    }
    Ok(parts.join("/"))
}

/// The non-empty, non-`.` components of a path; `Err` on any `..`.
fn components(raw: &str) -> Result<Vec<&str>, ()> {
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(()),
            p => parts.push(p),
        }
    }
    Ok(parts)
}

#[derive(Debug, Default)]
struct State {
    /// Compressed bytes pulled from the input (as of the last read).
    compressed: u64,
    /// Uncompressed bytes handed to the tar reader.
    out: u64,
    /// The tar reader asked for more after the stream had ended.
    saw_eof: bool,
    tripped: Option<Trip>,
}

#[derive(Debug, Clone, Copy)]
enum Trip {
    Total {
        limit: u64,
    },
    Ratio {
        limit: u64,
        compressed: u64,
        uncompressed: u64,
    },
}

impl Trip {
    fn to_error(self) -> LayerError {
        match self {
            Trip::Total { limit } => LayerError::TooLarge { limit },
            Trip::Ratio {
                limit,
                compressed,
                uncompressed,
            } => LayerError::CompressionRatio {
                limit,
                compressed,
                uncompressed,
            },
        }
    }
}

struct CountIn<'c, R> {
    inner: R,
    compressed: &'c AtomicU64,
}

impl<R: Read> Read for CountIn<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.compressed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Sits between the decompressor and the tar reader: counts bytes, enforces
/// the total and ratio limits, and notices the end of the stream.
struct Guard<'c, R> {
    inner: R,
    state: Rc<RefCell<State>>,
    /// Compressed bytes read so far (by whichever thread decompresses).
    compressed_in: &'c AtomicU64,
    limits: LayerLimits,
    compressed: bool,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(trip) = self.state.borrow().tripped {
            return Err(io::Error::other(trip.to_error()));
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    self.state.borrow_mut().saw_eof = true;
                }
                return Err(e);
            }
        };
        let mut state = self.state.borrow_mut();
        state.compressed = self.compressed_in.load(Ordering::Relaxed);
        if n == 0 && !buf.is_empty() {
            state.saw_eof = true;
        }
        state.out += n as u64;
        let trip = if state.out > self.limits.max_total_bytes {
            Some(Trip::Total {
                limit: self.limits.max_total_bytes,
            })
        } else if self.compressed
            && state.out > RATIO_GRACE_BYTES
            && state.out
                > state
                    .compressed
                    .saturating_mul(self.limits.max_compression_ratio)
        {
            Some(Trip::Ratio {
                limit: self.limits.max_compression_ratio,
                compressed: state.compressed,
                uncompressed: state.out,
            })
        } else {
            None
        };
        if let Some(trip) = trip {
            state.tripped = Some(trip);
            return Err(io::Error::other(trip.to_error()));
        }
        Ok(n)
    }
}

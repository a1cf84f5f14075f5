//! `db update` from a real HTTP server on 127.0.0.1 started by the test:
//! conditional GET (ETag, 304), resume with Range (206), and servers that
//! stall, truncate, serve garbage or a huge body. The database stays
//! readable and unchanged whenever a download fails.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use palisade_vuln::update::{update, DownloadOptions, SourceResult, SourceSpec, UpdateOptions};
use palisade_vuln::Database;

/// One request as the server saw it: path and lower-cased headers.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Request, &mut TcpStream, usize) + Send + Sync;

/// A tiny HTTP/1.1 server: one thread per connection, one request per
/// connection (`Connection: close`).
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(handler: Arc<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<Request>>> = Arc::default();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let handler = handler.clone();
                let log = log2.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut headers = Vec::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                        }
                    }
                    let req = Request { path, headers };
                    let n = {
                        let mut l = log.lock().unwrap();
                        l.push(req.clone());
                        l.iter().filter(|r| r.path == req.path).count()
                    };
                    handler(&req, &mut conn, n);
                    let _ = conn.flush();
                });
            }
        });
        Server { port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self, path: &str) -> Vec<Request> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

fn respond(conn: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

/// An `all.zip` of the RustSec OSV records.
fn rustsec_zip() -> Vec<u8> {
    let dir = common::conformance().join("rustsec/osv/crates");
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for p in common::walk_files(&dir, "json") {
            z.start_file(p.file_name().unwrap().to_string_lossy(), opts)
                .unwrap();
            z.write_all(&std::fs::read(&p).unwrap()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

const ETAG: &str = "\"rustsec-v1\"";

fn serve_file(req: &Request, conn: &mut TcpStream, body: &[u8]) {
    if req.header("if-none-match") == Some(ETAG) {
        return respond(conn, "304 Not Modified", &[("ETag", ETAG.into())], b"");
    }
    let range_start = req
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|_| req.header("if-range") == Some(ETAG));
    match range_start {
        Some(start) if start < body.len() => respond(
            conn,
            "206 Partial Content",
            &[
                ("ETag", ETAG.into()),
                ("Content-Length", (body.len() - start).to_string()),
                (
                    "Content-Range",
                    format!("bytes {start}-{}/{}", body.len() - 1, body.len()),
                ),
            ],
            &body[start..],
        ),
        _ => respond(
            conn,
            "200 OK",
            &[
                ("ETag", ETAG.into()),
                ("Content-Length", body.len().to_string()),
            ],
            body,
        ),
    }
}

fn quick() -> UpdateOptions {
    UpdateOptions {
        download: DownloadOptions {
            max_bytes: 64 << 20,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(1),
            total_timeout: Duration::from_secs(30),
        },
        ..Default::default()
    }
}

fn run(db: &Path, url: &str, o: &UpdateOptions) -> SourceResult {
    let r = update(db, &[SourceSpec::Url(url.to_string())], o).unwrap();
    r.sources[0].1.clone()
}

fn failed(r: SourceResult) -> String {
    match r {
        SourceResult::Failed(m) => m,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn records(db: &Path) -> u64 {
    Database::open(db).unwrap().status().unwrap().advisories
}

#[test]
fn downloads_conditionally_resumes_and_survives_bad_servers() {
    let zip = Arc::new(rustsec_zip());
    let z = zip.clone();
    let handler: Arc<Handler> = Arc::new(move |req, conn, nth| {
        let body = z.as_slice();
        match req.path.as_str() {
            "/all.zip" => serve_file(req, conn, body),
            // First attempt dies half-way; later ones honour Range.
            "/resume.zip" if nth == 1 => {
                let half = body.len() / 2;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nETag: {ETAG}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(&body[..half]);
                let _ = conn.shutdown(std::net::Shutdown::Both);
            }
            "/resume.zip" => serve_file(req, conn, body),
            "/stall.zip" => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(&body[..100]);
                let _ = conn.flush();
                std::thread::sleep(Duration::from_secs(20));
            }
            "/truncated.zip" => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(&body[..body.len() - 1000]);
                let _ = conn.shutdown(std::net::Shutdown::Both);
            }
            "/garbage.zip" => respond(
                conn,
                "200 OK",
                &[("Content-Length", "26".into())],
                b"<html>maintenance!</html>\n",
            ),
            "/huge.zip" => respond(
                conn,
                "200 OK",
                &[("Content-Length", (10u64 << 30).to_string())],
                b"",
            ),
            "/endless.zip" => {
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let chunk = vec![b'x'; 1 << 16];
                for _ in 0..1024 {
                    if conn.write_all(&chunk).is_err() {
                        break;
                    }
                }
            }
            "/missing.zip" => respond(
                conn,
                "404 Not Found",
                &[("Content-Length", "0".into())],
                b"",
            ),
            _ => respond(conn, "500 Oops", &[("Content-Length", "0".into())], b""),
        }
    });
    let server = Server::start(handler);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let o = quick();

    // First download imports; the second is a conditional GET answered 304.
    let SourceResult::Imported(out) = run(&db, &server.url("/all.zip"), &o) else {
        panic!()
    };
    assert_eq!(out.records, 1206);
    assert_eq!(
        run(&db, &server.url("/all.zip"), &o),
        SourceResult::NotModified
    );
    let reqs = server.requests("/all.zip");
    assert_eq!(reqs[1].header("if-none-match"), Some(ETAG));
    let status = Database::open(&db).unwrap().status().unwrap();
    assert_eq!(status.sources[0].etag.as_deref(), Some(ETAG));
    assert_eq!(records(&db), 1206);

    // A stalled server times out (no hang); the database is untouched.
    let t = Instant::now();
    let m = failed(run(&db, &server.url("/stall.zip"), &o));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(m.contains("timed out") && m.contains("/stall.zip"), "{m}");
    assert_eq!(records(&db), 1206);

    // A truncated body is an error; the database is untouched.
    let m = failed(run(&db, &server.url("/truncated.zip"), &o));
    assert!(
        m.contains("/truncated.zip")
            && (m.contains("truncated") || m.contains("closed early") || m.contains("interrupted")),
        "{m}"
    );
    assert_eq!(records(&db), 1206);

    // Garbage is named as what it is not.
    let m = failed(run(&db, &server.url("/garbage.zip"), &o));
    assert!(m.contains("expected an OSV record"), "{m}");
    assert_eq!(records(&db), 1206);

    // Size limits: a declared size and an undeclared endless body.
    let small = UpdateOptions {
        download: DownloadOptions {
            max_bytes: 1 << 20,
            ..o.download.clone()
        },
        ..Default::default()
    };
    let m = failed(run(&db, &server.url("/huge.zip"), &small));
    assert!(m.contains("more than the limit of 1048576 bytes"), "{m}");
    let m = failed(run(&db, &server.url("/endless.zip"), &small));
    assert!(m.contains("larger than the limit of 1048576 bytes"), "{m}");
    let m = failed(run(&db, &server.url("/missing.zip"), &o));
    assert!(m.contains("HTTP status 404"), "{m}");
    assert_eq!(records(&db), 1206);

    // Resume: the first attempt is cut half-way, the second asks for the rest.
    let db2 = tmp.path().join("db2");
    let m = failed(run(&db2, &server.url("/resume.zip"), &o));
    assert!(m.contains("/resume.zip"), "{m}");
    let SourceResult::Imported(out) = run(&db2, &server.url("/resume.zip"), &o) else {
        panic!()
    };
    assert_eq!(out.records, 1206);
    let reqs = server.requests("/resume.zip");
    assert_eq!(reqs.len(), 2);
    let range = reqs[1].header("range").unwrap();
    let start: usize = range
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(start > 0 && start <= zip.len() / 2, "{range}");
    assert_eq!(reqs[1].header("if-range"), Some(ETAG));
    // No download leftovers after success.
    let left: Vec<_> = std::fs::read_dir(db2.join("downloads")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");

    // Plain HTTP off loopback is refused before any connection.
    let m = failed(run(&db, "http://example.invalid/all.zip", &o));
    assert!(m.contains("loopback"), "{m}");
}

#[test]
fn sha256_is_checked_for_downloads() {
    let zip = Arc::new(rustsec_zip());
    let z = zip.clone();
    let server = Server::start(Arc::new(move |req, conn, _| serve_file(req, conn, &z)));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let mut o = quick();
    o.sha256 = Some("ab".repeat(32));
    let m = failed(run(&db, &server.url("/all.zip"), &o));
    assert!(
        m.contains("SHA-256 is") && m.contains("nothing imported"),
        "{m}"
    );
    let mut buf = Vec::new();
    std::io::Cursor::new(zip.as_slice())
        .read_to_end(&mut buf)
        .unwrap();
    use sha2::Digest;
    o.sha256 = Some(
        sha2::Sha256::digest(&buf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    );
    assert!(matches!(
        run(&db, &server.url("/all.zip"), &o),
        SourceResult::Imported(_)
    ));
}

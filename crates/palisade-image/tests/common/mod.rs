//! Shared helpers for image tests that use real tools. Each helper panics
//! with a clear message when its tool is missing (CI installs them in
//! `.ci/run`), never skips.
//!
//! - [`require`]: assert a tool is on `PATH`.
//! - [`tar_of`]: a tar of `(path, contents)` (`None` is a directory).
//! - [`build_image`]: an OCI layout made with `umoci` (`init`, `new`,
//!   `raw add-layer` for each tar, `config --architecture`), returning the
//!   layout directory; [`add_image`] adds another tag to it.
//! - [`add_index`]: a multi-platform image index over tags already in a
//!   layout, under a new tag (for `skopeo copy --all`).
//! - [`Registry`]: a real `docker-registry` on a free 127.0.0.1 port with
//!   filesystem storage in a tempdir, optionally TLS ([`make_tls`]), htpasswd
//!   ([`htpasswd`]) or token auth ([`TokenServer`]); stopped on drop.
//! - [`skopeo_push`]: `skopeo copy` from a layout into a registry.
//! - [`TokenServer`]: a tiny token endpoint (std `TcpListener` thread) that
//!   checks Basic credentials and issues ES256 JWTs signed with an `openssl`
//!   key, as `docker-registry`'s `auth: token` expects.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

/// Panics unless `tool` runs.
pub fn require(tool: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is required for this test (CI installs it in .ci/run: apt-get install umoci skopeo docker-registry apache2-utils openssl)"
    );
}

/// Runs a command, panicking with its output on failure; returns stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A tar of `(path, contents)`; `None` contents is a directory.
pub fn tar_of(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        match data {
            Some(d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append_data(&mut h, path, *d).unwrap();
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                h.set_cksum();
                b.append_data(&mut h, path, &[][..]).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// An os-release file for `id` and `version`.
pub fn os_release(id: &str, version: &str) -> Vec<u8> {
    format!("ID={id}\nVERSION_ID={version}\nPRETTY_NAME=\"{id} {version}\"\n").into_bytes()
}

/// Makes an OCI layout at `dir/layout` with one image `tag` for
/// `arch` made of `layers` (uncompressed tars, bottom first; umoci
/// compresses them with gzip). Returns the layout directory.
pub fn build_image(dir: &Path, tag: &str, arch: &str, layers: &[Vec<u8>]) -> PathBuf {
    require("umoci");
    let layout = dir.join("layout");
    run(Command::new("umoci")
        .args(["init", "--layout"])
        .arg(&layout));
    add_image(&layout, tag, arch, layers);
    layout
}

/// Adds image `tag` to an existing layout.
pub fn add_image(layout: &Path, tag: &str, arch: &str, layers: &[Vec<u8>]) {
    let image = format!("{}:{tag}", layout.display());
    run(Command::new("umoci").args(["new", "--image", &image]));
    for (i, layer) in layers.iter().enumerate() {
        let tar_path = layout
            .parent()
            .unwrap()
            .join(format!(".layer-{tag}-{i}.tar"));
        std::fs::write(&tar_path, layer).unwrap();
        run(Command::new("umoci")
            .args(["raw", "add-layer", "--image", &image])
            .arg(&tar_path));
    }
    run(Command::new("umoci").args([
        "config",
        "--image",
        &image,
        "--architecture",
        arch,
        "--os",
        "linux",
    ]));
}

/// Adds an image index over `tags` (each given its image's platform) to
/// the layout, tagged `index_tag`.
pub fn add_index(layout: &Path, index_tag: &str, tags: &[(&str, &str)]) {
    let index_path = layout.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for (tag, arch) in tags {
        let m = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == *tag)
            .unwrap_or_else(|| panic!("no tag {tag}"))
            .clone();
        entries.push(serde_json::json!({
            "mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
            "platform": {"os": "linux", "architecture": arch}
        }));
    }
    let blob = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries
    }))
    .unwrap();
    let digest = sha256_hex(&blob);
    std::fs::write(layout.join("blobs/sha256").join(&digest), &blob).unwrap();
    index["manifests"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{digest}"), "size": blob.len(),
            "annotations": {"org.opencontainers.image.ref.name": index_tag}
        }));
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// TLS material made by `openssl`: a CA and a server certificate for
/// 127.0.0.1/localhost signed by it.
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Generates a CA and a server certificate in `dir`.
pub fn make_tls(dir: &Path) -> Tls {
    require("openssl");
    let p = |n: &str| dir.join(n);
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=palisade test CA"])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    run(Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(p("server.key"))
        .arg("-out")
        .arg(p("server.csr")));
    std::fs::write(
        p("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(p("server.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("ext.cnf"))
        .arg("-out")
        .arg(p("server.pem")));
    Tls {
        ca: p("ca.pem"),
        cert: p("server.pem"),
        key: p("server.key"),
    }
}

/// An htpasswd file (bcrypt) for one user, made with `htpasswd -Bbn`.
pub fn htpasswd(dir: &Path, user: &str, password: &str) -> PathBuf {
    require("htpasswd");
    let out = run(Command::new("htpasswd").args(["-Bbn", user, password]));
    let path = dir.join("htpasswd");
    std::fs::write(&path, out).unwrap();
    path
}

/// How a test registry authenticates.
pub enum RegistryAuth<'a> {
    None,
    Htpasswd(&'a Path),
    Token(&'a TokenServer),
}

/// A running `docker-registry`; killed on drop.
pub struct Registry {
    child: Option<Child>,
    pub port: u16,
    pub tls: bool,
    log: PathBuf,
}

impl Registry {
    /// Starts a registry storing into `dir/storage`, waiting until it
    /// accepts connections.
    pub fn start(dir: &Path, tls: Option<&Tls>, auth: RegistryAuth<'_>) -> Registry {
        require("docker-registry");
        let port = free_port();
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        );
        if let Some(t) = tls {
            cfg.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                t.cert.display(),
                t.key.display()
            ));
        }
        match auth {
            RegistryAuth::None => {}
            RegistryAuth::Htpasswd(p) => cfg.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: palisade-test\n    path: {}\n",
                p.display()
            )),
            RegistryAuth::Token(t) => cfg.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                t.realm(),
                TokenServer::SERVICE,
                TokenServer::ISSUER,
                t.cert.display()
            )),
        }
        let cfg_path = dir.join(format!("registry-{port}.yml"));
        std::fs::write(&cfg_path, cfg).unwrap();
        let log = dir.join(format!("registry-{port}.log"));
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg_path)
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.join(format!("registry-{port}.err"))).unwrap())
            .spawn()
            .unwrap();
        let reg = Registry {
            child: Some(child),
            port,
            tls: tls.is_some(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on port {port}: {}",
                std::fs::read_to_string(dir.join(format!("registry-{port}.err")))
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the registry (idempotent).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `skopeo copy [extra] oci:LAYOUT:TAG docker://DEST` (TLS verification off
/// for the destination: test registries use plain HTTP or a test CA).
pub fn skopeo_push(layout: &Path, tag: &str, dest: &str, extra: &[&str]) {
    require("skopeo");
    run(Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .args(extra)
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{dest}")));
}

/// A token endpoint for `docker-registry`'s `auth: token`: checks Basic
/// credentials and issues ES256 JWTs (with an `x5c` header naming the
/// signing certificate, which the registry trusts through
/// `rootcertbundle`). Answers with `access_token` only (not `token`), so
/// clients' fallback is exercised.
pub struct TokenServer {
    pub port: u16,
    pub cert: PathBuf,
    key: PathBuf,
    /// Token requests served (good or bad).
    pub requests: Arc<AtomicUsize>,
    /// Requests rejected for bad or missing credentials.
    pub rejected: Arc<AtomicUsize>,
}

impl TokenServer {
    pub const SERVICE: &'static str = "palisade-test-registry";
    pub const ISSUER: &'static str = "palisade-test-issuer";

    /// Starts the server in a thread; accepts `user`/`password` only.
    pub fn start(dir: &Path, user: &str, password: &str) -> TokenServer {
        require("openssl");
        let key = dir.join("token.key");
        let cert = dir.join("token.pem");
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])
            .args([
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=palisade test token signer",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        let der = run(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert));
        let x5c = base64::engine::general_purpose::STANDARD.encode(der);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let rejected = Arc::new(AtomicUsize::new(0));
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let (req2, rej2, key2, user2) = (
            Arc::clone(&requests),
            Arc::clone(&rejected),
            key.clone(),
            user.to_string(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                req2.fetch_add(1, Ordering::SeqCst);
                let _ = serve_token(stream, &expected, &user2, &x5c, &key2, &rej2);
            }
        });
        TokenServer {
            port,
            cert,
            key,
            requests,
            rejected,
        }
    }

    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }
}

fn serve_token(
    stream: TcpStream,
    expected_auth: &str,
    user: &str,
    x5c: &str,
    key: &Path,
    rejected: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    let mut out = stream;
    if authorization.as_deref() != Some(expected_auth) {
        rejected.fetch_add(1, Ordering::SeqCst);
        let body = r#"{"details":"bad credentials"}"#;
        write!(
            out,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut access = Vec::new();
    for pair in query.split('&') {
        if let Some(v) = pair.strip_prefix("scope=") {
            let scope = percent_decode(v);
            // repository:NAME:ACTIONS (NAME may hold ':' only with a port,
            // which repository names do not).
            let mut parts = scope.splitn(3, ':');
            if let (Some(t), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next())
            {
                let actions: Vec<&str> = actions.split(',').collect();
                access.push(serde_json::json!({"type": t, "name": name, "actions": actions}));
            }
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
    let claims = serde_json::json!({
        "iss": TokenServer::ISSUER, "sub": user, "aud": TokenServer::SERVICE,
        "exp": now + 600, "nbf": now - 60, "iat": now - 60,
        "jti": format!("{now}-{}", rejected.load(Ordering::SeqCst)),
        "access": access,
    });
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let signing_input = format!(
        "{}.{}",
        b64(&serde_json::to_vec(&header).unwrap()),
        b64(&serde_json::to_vec(&claims).unwrap())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(signing_input.as_bytes())?;
    let mut der = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut der)?;
    child.wait()?;
    let sig = der_ecdsa_to_raw(&der);
    let token = format!("{signing_input}.{}", b64(&sig));
    let body = serde_json::json!({"access_token": token, "expires_in": 300}).to_string();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An ECDSA signature from DER `SEQUENCE { INTEGER r, INTEGER s }` to the
/// 64-byte `r || s` that JWS ES256 uses.
fn der_ecdsa_to_raw(der: &[u8]) -> Vec<u8> {
    assert_eq!(der[0], 0x30, "not a DER sequence");
    let mut i = 2;
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[i], 0x02, "not a DER integer");
        let len = der[i + 1] as usize;
        let mut int = &der[i + 2..i + 2 + len];
        while int.len() > 32 && int[0] == 0 {
            int = &int[1..];
        }
        out.extend(std::iter::repeat_n(0u8, 32 - int.len()));
        out.extend_from_slice(int);
        i += 2 + len;
    }
    out
}

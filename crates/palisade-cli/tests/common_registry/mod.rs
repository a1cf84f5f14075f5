//! Helpers for CLI tests against a real `docker-registry` on 127.0.0.1
//! (the small parts of `crates/palisade-image/tests/common` the CLI tests
//! need, without its `tar`/`sha2` dependencies): images built with `umoci`,
//! pushed with `skopeo`. Each helper panics with a clear message when its
//! tool is missing (CI installs them in `.ci/run`), never skips.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        "{tool} is required for this test (CI installs it in .ci/run: apt-get install umoci skopeo docker-registry)"
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

/// Creates an empty OCI layout at `layout`.
pub fn init_layout(layout: &Path) {
    require("umoci");
    run(Command::new("umoci").args(["init", "--layout"]).arg(layout));
}

/// Adds image `tag` (linux/amd64) to `layout` with one layer holding
/// `files` (`path` relative to the root, contents).
pub fn add_image(layout: &Path, tag: &str, files: &[(String, Vec<u8>)]) {
    let image = format!("{}:{tag}", layout.display());
    run(Command::new("umoci").args(["new", "--image", &image]));
    let bundle = layout
        .parent()
        .unwrap()
        .join(format!(".bundle-{}", tag.replace(['/', ':'], "_")));
    run(Command::new("umoci")
        .args(["unpack", "--rootless", "--image", &image])
        .arg(&bundle));
    let root = bundle.join("rootfs");
    for (path, data) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    run(Command::new("umoci")
        .args(["repack", "--image", &image])
        .arg(&bundle));
    std::fs::remove_dir_all(&bundle).unwrap();
    run(Command::new("umoci").args([
        "config",
        "--image",
        &image,
        "--architecture",
        "amd64",
        "--os",
        "linux",
    ]));
}

/// A Python distribution's `METADATA` in `site-packages`.
pub fn dist_info(name: &str, version: &str) -> (String, Vec<u8>) {
    (
        format!("usr/lib/python3/dist-packages/{name}-{version}.dist-info/METADATA"),
        format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n")
            .into_bytes(),
    )
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `docker-registry` (plain HTTP, no auth, access log on);
/// killed on drop.
pub struct Registry {
    child: Option<Child>,
    pub port: u16,
    /// Where the registry writes its logs (access log included).
    pub log: PathBuf,
}

impl Registry {
    /// Starts a registry storing into `dir/storage`, waiting until it
    /// accepts connections.
    pub fn start(dir: &Path) -> Registry {
        require("docker-registry");
        let port = free_port();
        let cfg = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        );
        let cfg_path = dir.join(format!("registry-{port}.yml"));
        std::fs::write(&cfg_path, cfg).unwrap();
        let log = dir.join(format!("registry-{port}.log"));
        let logfile = std::fs::File::create(&log).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg_path)
            .stdout(logfile.try_clone().unwrap())
            .stderr(logfile)
            .spawn()
            .unwrap();
        let reg = Registry {
            child: Some(child),
            port,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on port {port}: {}",
                std::fs::read_to_string(&reg.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the registry (idempotent); waits until the port is closed.
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

/// `skopeo copy oci:LAYOUT:TAG docker://DEST` (plain HTTP destination).
pub fn skopeo_push(layout: &Path, tag: &str, dest: &str) {
    require("skopeo");
    run(Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{dest}")));
}

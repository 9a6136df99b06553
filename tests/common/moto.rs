//! Helper processes on loopback for the suites that talk to an API: moto_server, the scripts of
//! tests/moto (which build topologies and buckets in it, or stand in front of it), and the
//! ports they listen on. Used by tests/ec2_moto.rs, tests/s3_moto.rs, tests/audit_moto.rs,
//! tests/fleet.rs and the lab (which runs the same scripts inside a network namespace).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The environment of a process that talks to moto (or another fake on loopback): static test
/// credentials for the signer, never real ones, and no instance metadata lookups.
pub const MOTO_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

/// A child process killed (and reaped) when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        // SIGTERM first, so a watchdog shell (see `moto_server`) can stop what it started.
        let _ = Command::new("kill")
            .arg(self.0.id().to_string())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_millis(1500);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (at most 30 s) until something listens on 127.0.0.1:`port`.
pub fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts `cmd` (quiet) and waits until it listens on loopback `port`.
pub fn start(cmd: &[&str], port: u16) -> Proc {
    let child = Command::new(cmd[0])
        .args(&cmd[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (pip install 'moto[server]' for moto_server)"));
    wait_port(port);
    Proc(child)
}

/// The command line of moto_server listening on `host`:`port`.
pub fn moto_command(host: &str, port: u16) -> Vec<String> {
    ["moto_server", "-H", host, "-p", &port.to_string()]
        .map(str::to_string)
        .to_vec()
}

/// moto_server on a free loopback port. It is started under a small shell watchdog that stops it
/// when this test process ends: suites keep their server in a `static`, which is never dropped,
/// and a moto_server left behind by every run would pile up on a developer's machine.
pub fn moto_server() -> (Proc, u16) {
    let port = free_port();
    let cmd = moto_command("127.0.0.1", port).join(" ");
    let watchdog = format!(
        "{cmd} >/dev/null 2>&1 & m=$!; trap 'kill $m 2>/dev/null; exit 0' TERM; \
         while kill -0 {parent} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1; done; \
         kill $m 2>/dev/null",
        parent = std::process::id()
    );
    (start(&["sh", "-c", &watchdog], port), port)
}

/// tests/moto/NAME.
pub fn moto_path(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/moto")
        .join(name)
}

/// Runs `tests/moto/NAME ARGS` (a Python script that prints JSON) and returns its output.
pub fn moto_script(name: &str, args: &[&str]) -> Value {
    moto_script_via(&[], name, args)
}

/// [`moto_script`] run through `wrapper` (`ip netns exec NS` for a moto inside a network
/// namespace; empty to run it directly).
pub fn moto_script_via(wrapper: &[&str], name: &str, args: &[&str]) -> Value {
    let mut cmd = Command::new(wrapper.first().copied().unwrap_or("python3"));
    if !wrapper.is_empty() {
        cmd.args(&wrapper[1..]).arg("python3");
    }
    let out = cmd.arg(moto_path(name)).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// tests/moto/topology.py: builds `scenario` in `region` of the moto_server on loopback
/// `port` and returns the ids of what it made (vpc, subnet, route tables, endpoints…).
pub fn topology_in(port: u16, region: &str, scenario: &str) -> Value {
    topology_via(&[], port, region, scenario)
}

/// [`topology_in`] run through `wrapper` (see [`moto_script_via`]).
pub fn topology_via(wrapper: &[&str], port: u16, region: &str, scenario: &str) -> Value {
    moto_script_via(
        wrapper,
        "topology.py",
        &[&port.to_string(), region, scenario],
    )
}

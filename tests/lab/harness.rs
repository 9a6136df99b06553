//! The lab itself: network namespaces (client, router, S3 side) joined by veth pairs, dnsmasq
//! as the system and the VPC resolver, the IMDSv2 and task-metadata stub (tests/lab/stub.py),
//! TLS listeners with a lab CA, a NAT-like or silent router, moto inside a namespace (EC2 on
//! the client's loopback, S3 over TLS on the S3 side), and the cleanup when a [`Lab`] is
//! dropped. Also the helpers that read the JSON reports.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

/// `true` when the lab's prerequisites are missing and the test must be skipped (see
/// [`common::skip`]).
pub fn skip() -> bool {
    common::skip("tests/lab", common::LAB)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn sh(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A veth pair between two namespaces, each end given as (interface, namespace, address with
/// prefix length), both ends up.
pub fn veth(one: (&str, &str, &str), other: (&str, &str, &str)) {
    sh(&[
        "ip", "link", "add", one.0, "type", "veth", "peer", "name", other.0,
    ]);
    for (dev, ns, addr) in [one, other] {
        sh(&["ip", "link", "set", dev, "netns", ns]);
        sh(&["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
        sh(&["ip", "-n", ns, "link", "set", dev, "up"]);
    }
}

/// True when something accepts TCP on addr:port inside namespace `ns`.
pub fn tcp_open(ns: &str, addr: &str, port: u16) -> bool {
    Command::new("ip")
        .args(["netns", "exec", ns, "python3", "-c"])
        .arg(format!(
            "import socket\ns=socket.create_connection(('{addr}', {port}), timeout=0.3)"
        ))
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Waits until something accepts TCP on addr:port inside namespace `ns`, at most `within`;
/// panics with `what` when nothing does.
pub fn wait_tcp(ns: &str, addr: &str, port: u16, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    while !tcp_open(ns, addr, port) {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `f` on a thread that has entered network namespace `ns` (a thread's sockets belong to
/// its namespace), for library calls that must see the lab's network.
pub fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    use std::os::fd::AsRawFd;
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: setns on an open namespace file, for this thread only.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}");
        f()
    })
    .join()
    .unwrap()
}

pub fn stub_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/stub.py")
}

#[derive(Clone, Copy, PartialEq)]
pub enum Router {
    /// Forwards and answers TTL-expired probes from 10.0.1.1 (inside the VPC): like a NAT.
    Nat,
    /// Forwards but never sends ICMP time-exceeded: like the gateway-endpoint path.
    Silent,
}

pub struct LabSpec {
    pub router: Router,
    pub imds: Option<&'static str>, // None, Some("ok"), Some("hang")
    pub hosts: &'static str,
    /// Extra dnsmasq arguments for the system resolver.
    pub system_dns: Vec<String>,
    pub vpc_dns: Vec<String>,
}

impl Default for LabSpec {
    fn default() -> Self {
        let records = default_records();
        LabSpec {
            router: Router::Nat,
            imds: Some("ok"),
            hosts: "127.0.0.1 localhost\n",
            system_dns: records.clone(),
            vpc_dns: records,
        }
    }
}

impl LabSpec {
    /// The default lab with both resolvers (the system's and the VPC's) answering `records`.
    pub fn answering(records: Vec<String>) -> LabSpec {
        LabSpec {
            system_dns: records.clone(),
            vpc_dns: records,
            ..LabSpec::default()
        }
    }
}

pub fn default_records() -> Vec<String> {
    [
        ("app-data.s3.eu-west-1.amazonaws.com", "52.218.20.7"),
        ("s3.eu-west-1.amazonaws.com", "52.218.10.5"),
        ("s3.dualstack.eu-west-1.amazonaws.com", "52.218.30.1"),
        ("s3.amazonaws.com", "52.217.1.1"),
        ("app-data.s3.amazonaws.com", "52.217.2.2"),
    ]
    .iter()
    .map(|(n, a)| format!("--host-record={n},{a}"))
    .collect()
}

/// [`default_records`] with app-data.s3.eu-west-1.amazonaws.com answered by `addr` instead.
pub fn app_data_at(addr: &str) -> Vec<String> {
    let mut records = default_records();
    records.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    records.push(format!(
        "--host-record=app-data.s3.eu-west-1.amazonaws.com,{addr}"
    ));
    records
}

/// [`default_records`] with every address moved from 52.218.x.x to 52.216.x.x: inside moto's
/// S3 list (52.216.0.0/15, the same in every region).
pub fn records_in_motos_list() -> Vec<String> {
    default_records()
        .into_iter()
        .map(|r| r.replace(",52.218.", ",52.216."))
        .collect()
}

/// The lab's records with moto's S3 addresses (moto's eu-west-1 S3 list is 52.218.0.0/17,
/// as the lab's defaults) plus `extra` (name, address).
pub fn records_with(extra: &[(&str, &str)]) -> Vec<String> {
    let mut r = default_records();
    r.extend(extra.iter().map(|(n, a)| format!("--host-record={n},{a}")));
    r
}

/// The S3 records of the default lab with the buckets moved to the TLS moto at 52.218.40.4.
pub fn bucket_records() -> Vec<String> {
    let mut r: Vec<String> = default_records()
        .into_iter()
        .filter(|x| !x.contains("app-data.s3.eu-west-1"))
        .collect();
    for name in [
        "app-data.s3.eu-west-1.amazonaws.com",
        "far-data.s3.eu-west-1.amazonaws.com",
        "far-data.s3.us-west-2.amazonaws.com",
    ] {
        r.push(format!("--host-record={name},52.218.40.4"));
    }
    r
}

pub struct Lab {
    /// The suffix of this lab's namespaces and interfaces (`a{id}` client side, `b{id}` and
    /// `d{id}` on the router, `e{id}` on the S3 side).
    id: String,
    pub client: String,
    pub router: String,
    pub s3: String,
    procs: Vec<Child>,
    pub dir: tempfile::TempDir,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for p in &mut self.procs {
            let _ = p.kill();
            let _ = p.wait();
        }
        for ns in [&self.client, &self.router, &self.s3] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
        }
    }
}

impl Lab {
    pub fn new(spec: LabSpec) -> Lab {
        let id = format!(
            "{}{}",
            std::process::id() % 100_000,
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let lab = Lab {
            id: id.clone(),
            client: format!("s3pc{id}"),
            router: format!("s3pr{id}"),
            s3: format!("s3ps{id}"),
            procs: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        let mut lab = lab;
        let (c, r, s) = (lab.client.clone(), lab.router.clone(), lab.s3.clone());
        for ns in [&c, &r, &s] {
            sh(&["ip", "netns", "add", ns]);
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        // client <-> router
        veth(
            (&format!("a{id}"), &c, "10.0.1.10/24"),
            (&format!("b{id}"), &r, "10.0.1.1/24"),
        );
        sh(&["ip", "-n", &c, "route", "add", "default", "via", "10.0.1.1"]);
        // router <-> s3
        veth(
            (&format!("d{id}"), &r, "198.51.100.1/24"),
            (&format!("e{id}"), &s, "198.51.100.2/24"),
        );
        sh(&[
            "ip",
            "-n",
            &s,
            "route",
            "add",
            "default",
            "via",
            "198.51.100.1",
        ]);
        sh(&[
            "ip",
            "netns",
            "exec",
            &r,
            "sysctl",
            "-qw",
            "net.ipv4.ip_forward=1",
        ]);
        sh(&[
            "ip",
            "-n",
            &r,
            "route",
            "add",
            "52.0.0.0/8",
            "via",
            "198.51.100.2",
        ]);
        if spec.router == Router::Silent {
            let rules = "table inet lab {\n  chain out {\n    type filter hook output priority 0;\n    icmp type time-exceeded drop\n  }\n}\n";
            let f = lab.dir.path().join("silent.nft");
            std::fs::write(&f, rules).unwrap();
            sh(&["ip", "netns", "exec", &r, "nft", "-f", f.to_str().unwrap()]);
        }
        // The S3 side: public S3 addresses on a dummy interface, listeners on 443.
        let s3_addrs = [
            "52.218.20.7",
            "52.218.10.5",
            "52.218.30.1",
            "52.217.1.1",
            "52.217.2.2",
            "52.218.99.9",
        ];
        for ip in s3_addrs {
            sh(&[
                "ip",
                "-n",
                &s,
                "addr",
                "add",
                &format!("{ip}/32"),
                "dev",
                "lo",
            ]);
        }
        // 52.218.99.9 has no listener: connections are refused. 52.218.77.7 presents a
        // certificate for another name.
        sh(&["ip", "-n", &s, "addr", "add", "52.218.77.7/32", "dev", "lo"]);
        // 52.218.88.8 drops everything to port 443: connections time out.
        sh(&["ip", "-n", &s, "addr", "add", "52.218.88.8/32", "dev", "lo"]);
        let drop = lab.dir.path().join("drop.nft");
        std::fs::write(
            &drop,
            "table inet s3lab {\n  chain in {\n    type filter hook input priority 0;\n    ip daddr 52.218.88.8 tcp dport 443 drop\n  }\n}\n",
        )
        .unwrap();
        sh(&[
            "ip",
            "netns",
            "exec",
            &s,
            "nft",
            "-f",
            drop.to_str().unwrap(),
        ]);
        let (good, wrong) = lab.certificates();
        let stub = stub_py();
        let stub = stub.to_str().unwrap();
        lab.spawn(
            &s,
            &[
                "python3",
                stub,
                "tls",
                &good.0,
                &good.1,
                "52.218.20.7",
                "52.218.10.5",
                "52.218.30.1",
                "52.217.1.1",
                "52.217.2.2",
            ],
        );
        lab.spawn(
            &s,
            &["python3", stub, "tls", &wrong.0, &wrong.1, "52.218.77.7"],
        );
        // Client-side services on the loopback: system DNS, VPC DNS, IMDS.
        for ip in ["10.0.0.2/32", "169.254.169.253/32", "169.254.169.254/32"] {
            sh(&["ip", "-n", &c, "addr", "add", ip, "dev", "lo"]);
        }
        lab.dnsmasq("10.0.0.2", &spec.system_dns);
        if !spec.vpc_dns.is_empty() {
            lab.dnsmasq("169.254.169.253", &spec.vpc_dns);
        }
        if let Some(mode) = spec.imds {
            let cfg = lab.dir.path().join("imds.json");
            std::fs::write(&cfg, imds_config().to_string()).unwrap();
            lab.spawn(
                &c,
                &[
                    "python3",
                    stub_py().to_str().unwrap(),
                    "imds",
                    "169.254.169.254",
                    cfg.to_str().unwrap(),
                    "--token",
                    mode,
                ],
            );
        }
        let etc = format!("/etc/netns/{c}");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            format!("{etc}/resolv.conf"),
            "nameserver 10.0.0.2\noptions timeout:1 attempts:1\n",
        )
        .unwrap();
        std::fs::write(format!("{etc}/hosts"), spec.hosts).unwrap();
        lab.wait_for_services(!spec.vpc_dns.is_empty());
        lab
    }

    /// A test CA (`ca.pem`) and two server certificates: one for the S3 names, one for
    /// `wrong.example`. Returns (cert, key) paths of each.
    pub fn certificates(&self) -> ((String, String), (String, String)) {
        let d = self.dir.path();
        let p = |n: &str| d.join(n).to_str().unwrap().to_string();
        sh(&[
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=s3path lab CA",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
        ]);
        let mut out = Vec::new();
        for (name, sans) in [
            ("s3", "DNS:*.s3.eu-west-1.amazonaws.com,DNS:*.s3.us-west-2.amazonaws.com,DNS:*.bucket.vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com,DNS:s3.eu-west-1.amazonaws.com,DNS:s3.dualstack.eu-west-1.amazonaws.com,DNS:*.s3.dualstack.eu-west-1.amazonaws.com,DNS:s3.amazonaws.com,DNS:*.s3.amazonaws.com"),
            ("wrong", "DNS:wrong.example"),
        ] {
            sh(&["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", &format!("/CN={name}"),
                "-keyout", &p(&format!("{name}.key")), "-out", &p(&format!("{name}.csr"))]);
            std::fs::write(d.join(format!("{name}.ext")), format!("subjectAltName={sans}\n")).unwrap();
            sh(&["openssl", "x509", "-req", "-in", &p(&format!("{name}.csr")), "-CA", &p("ca.pem"), "-CAkey", &p("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", &p(&format!("{name}.ext")), "-out", &p(&format!("{name}.pem"))]);
            out.push((p(&format!("{name}.pem")), p(&format!("{name}.key"))));
        }
        let wrong = out.pop().unwrap();
        (out.pop().unwrap(), wrong)
    }

    pub fn ca_bundle(&self) -> String {
        self.dir.path().join("ca.pem").to_str().unwrap().to_string()
    }

    pub fn spawn(&mut self, ns: &str, cmd: &[&str]) {
        #[allow(clippy::zombie_processes)] // reaped by wait4 below, which also reports its rusage
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(cmd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.procs.push(child);
    }

    pub fn dnsmasq(&mut self, listen: &str, records: &[String]) {
        let c = self.client.clone();
        let mut args: Vec<String> = [
            "dnsmasq",
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--bind-interfaces",
            "--pid-file=",
            "--user=root",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--listen-address={listen}"));
        args.extend(records.iter().cloned());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.spawn(&c, &refs);
    }

    /// Waits until DNS (both resolvers), IMDS and the listeners answer, at most 10 s.
    pub fn wait_for_services(&self, vpc_dns: bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let probe = |ns: &str, addr: &str, port: u16| -> bool {
            Command::new("ip")
                .args(["netns", "exec", ns, "python3", "-c"])
                .arg(format!(
                    "import socket,sys\ns=socket.socket(socket.AF_INET, socket.SOCK_{}); s.settimeout(0.3)\ntry:\n  s.connect(('{addr}',{port}))\n  {}\nexcept Exception: sys.exit(1)",
                    if port == 53 { "DGRAM" } else { "STREAM" },
                    if port == 53 {
                        "s.send(bytes.fromhex('12340100000100000000000003777777076578616d706c6503636f6d0000010001')); s.recv(512)"
                    } else {
                        "pass"
                    }
                ))
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        loop {
            let ready = probe(&self.client, "10.0.0.2", 53)
                && (!vpc_dns || probe(&self.client, "169.254.169.253", 53))
                && probe(&self.s3, "52.218.20.7", 443);
            if ready {
                // The IMDS stub, when present, is checked by the tests themselves.
                std::thread::sleep(Duration::from_millis(300));
                return;
            }
            assert!(Instant::now() < deadline, "lab services did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts moto_server on the client namespace's loopback, builds `scenario` in it with
    /// tests/moto/topology.py, and returns moto's endpoint URL and the topology's ids.
    pub fn moto_in_client(&mut self, scenario: &str) -> (String, Value) {
        let client = self.client.clone();
        let port = 5000u16;
        let moto = common::moto_command("127.0.0.1", port);
        let moto: Vec<&str> = moto.iter().map(String::as_str).collect();
        self.spawn(&client, &moto);
        let secs = Duration::from_secs(30);
        wait_tcp(
            &client,
            "127.0.0.1",
            port,
            secs,
            "moto_server did not start",
        );
        let topo = common::topology_via(
            &["ip", "netns", "exec", &client],
            port,
            "eu-west-1",
            scenario,
        );
        (format!("http://127.0.0.1:{port}"), topo)
    }

    /// Starts moto_server with TLS (the lab certificate for the S3 names) on 52.218.40.4:443 in
    /// the S3 namespace and creates the buckets of tests/moto/buckets.py in it.
    pub fn moto_s3(&mut self) {
        let s3 = self.s3.clone();
        sh(&[
            "ip",
            "-n",
            &s3,
            "addr",
            "add",
            "52.218.40.4/32",
            "dev",
            "lo",
        ]);
        let d = self.dir.path();
        let (cert, key) = (d.join("s3.pem"), d.join("s3.key"));
        self.spawn(
            &s3,
            &[
                "moto_server",
                "-H",
                "52.218.40.4",
                "-p",
                "443",
                "-c",
                cert.to_str().unwrap(),
                "-k",
                key.to_str().unwrap(),
            ],
        );
        let secs = Duration::from_secs(30);
        wait_tcp(
            &s3,
            "52.218.40.4",
            443,
            secs,
            "moto_server (TLS) did not start",
        );
        let script = common::moto_path("buckets.py");
        let out = Command::new("ip")
            .args(["netns", "exec", &s3, "python3", script.to_str().unwrap()])
            .arg("https://52.218.40.4")
            .env("PYTHONWARNINGS", "ignore")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Places the instance the IMDS stub describes in `topo`'s VPC and subnet (a topology of
    /// tests/moto/topology.py, see [`Lab::moto_in_client`]).
    pub fn place_instance(&self, topo: &Value) {
        let cfg = imds_config_for(
            topo["vpc"].as_str().unwrap(),
            topo["subnet"].as_str().unwrap(),
        );
        std::fs::write(self.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    }

    /// Runs the real binary in the client namespace.
    pub fn doctor(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String, Duration) {
        self.s3path("doctor", args, env)
    }

    /// `s3path SUBCOMMAND --format json ARGS` in the client namespace, with a clean
    /// environment plus `env`.
    pub fn s3path(
        &self,
        subcommand: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (i32, Value, String, Duration) {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            &self.client,
            env!("CARGO_BIN_EXE_s3path"),
            subcommand,
            "--format",
            "json",
        ])
        .args(args);
        for v in common::HOST_SETTINGS {
            cmd.env_remove(v);
        }
        // The lab's S3 certificates chain to the lab CA, as behind a TLS-inspecting proxy.
        cmd.env("AWS_CA_BUNDLE", self.ca_bundle());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let out = cmd.output().unwrap();
        let took = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{subcommand} printed no JSON ({e}); stderr: {stderr}"));
        (out.status.code().unwrap_or(-1), json, stderr, took)
    }

    /// IPv6 through the lab: the client gets 2a05:d018:1:100::10/64 (default route via the
    /// router), the router forwards to the S3 side, where `s3_v6` lives on the loopback with a
    /// TLS listener. No duplicate address detection, so the addresses work at once.
    pub fn ipv6(&mut self, s3_v6: &str) {
        let (c, r, s, id) = (
            self.client.clone(),
            self.router.clone(),
            self.s3.clone(),
            self.id.clone(),
        );
        for ns in [&c, &r, &s] {
            sh(&[
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.accept_dad=0",
            ]);
            sh(&[
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=0",
            ]);
        }
        sh(&[
            "ip",
            "netns",
            "exec",
            &r,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.forwarding=1",
        ]);
        let add = |ns: &str, addr: &str, dev: &str| {
            sh(&[
                "ip", "-n", ns, "-6", "addr", "add", addr, "dev", dev, "nodad",
            ]);
        };
        add(&c, "2a05:d018:1:100::10/64", &format!("a{id}"));
        add(&r, "2a05:d018:1:100::1/64", &format!("b{id}"));
        add(&r, "fd00:198::1/64", &format!("d{id}"));
        add(&s, "fd00:198::2/64", &format!("e{id}"));
        add(&s, &format!("{s3_v6}/128"), "lo");
        sh(&[
            "ip",
            "-n",
            &c,
            "-6",
            "route",
            "add",
            "default",
            "via",
            "2a05:d018:1:100::1",
        ]);
        sh(&[
            "ip",
            "-n",
            &s,
            "-6",
            "route",
            "add",
            "default",
            "via",
            "fd00:198::1",
        ]);
        sh(&[
            "ip",
            "-n",
            &r,
            "-6",
            "route",
            "add",
            "2a05:d07a::/32",
            "via",
            "fd00:198::2",
        ]);
        self.s3_listener(&s, s3_v6, &format!("no IPv6 listener at [{s3_v6}]:443"));
    }

    /// A TLS listener on `addr`:443 in namespace `ns` with the lab certificate for the S3 names
    /// (written by `certificates`); returns once the client namespace reaches it (at most 10
    /// s, else panics with `what`).
    pub fn s3_listener(&mut self, ns: &str, addr: &str, what: &str) {
        let d = self.dir.path().to_path_buf();
        let (cert, key) = (d.join("s3.pem"), d.join("s3.key"));
        self.spawn(
            ns,
            &[
                "python3",
                stub_py().to_str().unwrap(),
                "tls",
                cert.to_str().unwrap(),
                key.to_str().unwrap(),
                addr,
            ],
        );
        let client = self.client.clone();
        wait_tcp(&client, addr, 443, Duration::from_secs(10), what);
    }

    /// moto_server in the client namespace behind tests/moto/proxy.py, which answers every
    /// call `delay` seconds late. Returns (proxy endpoint, topology).
    pub fn slow_moto_in_client(&mut self, scenario: &str, delay: &str) -> (String, Value) {
        let (_, topo) = self.moto_in_client(scenario);
        let endpoint = self.moto_proxy(&["--delay", delay], "the delaying proxy did not start");
        (endpoint, topo)
    }

    /// tests/moto/proxy.py --aws-lists in the client namespace in front of the lab's moto
    /// (port 5000): the com.amazonaws.* lists a topology creates read as AWS-owned.
    pub fn aws_lists_proxy(&mut self) -> String {
        self.moto_proxy(&["--aws-lists"], "the proxy did not start")
    }

    /// tests/moto/proxy.py with `flags` on port 5001 of the client namespace, in front of the
    /// lab's moto (port 5000, see [`Lab::moto_in_client`]); returns its endpoint once it
    /// accepts (at most 10 s, else panics with `what`).
    fn moto_proxy(&mut self, flags: &[&str], what: &str) -> String {
        let client = self.client.clone();
        let log = self.dir.path().join("proxy.log");
        let script = common::moto_path("proxy.py");
        let mut cmd = vec![
            "python3",
            script.to_str().unwrap(),
            "5001",
            "5000",
            log.to_str().unwrap(),
        ];
        cmd.extend(flags);
        self.spawn(&client, &cmd);
        wait_tcp(&client, "127.0.0.1", 5001, Duration::from_secs(10), what);
        "http://127.0.0.1:5001".to_string()
    }
}

/// The lab with moto serving S3 over TLS at 52.218.40.4 (the bucket names resolve there) and
/// moto serving EC2 in the client namespace (`nat-only`), the IMDS stub placing the instance in
/// that topology's subnet. Returns the lab, the EC2 endpoint and the topology's ids.
pub fn bucket_lab() -> (Lab, String, Value) {
    bucket_lab_with(bucket_records())
}

/// [`bucket_lab`] with the lab's DNS answering `records`.
pub fn bucket_lab_with(records: Vec<String>) -> (Lab, String, Value) {
    let mut lab = Lab::new(LabSpec::answering(records));
    lab.moto_s3();
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    lab.place_instance(&topo);
    (lab, endpoint, topo)
}

pub fn imds_config() -> Value {
    imds_config_for("vpc-0lab", "subnet-0lab")
}

pub fn imds_config_for(vpc: &str, subnet: &str) -> Value {
    let mac = "0e:11:22:33:44:55";
    let base = format!("network/interfaces/macs/{mac}");
    serde_json::json!({
        "instance-id": "i-0lab0000000000001",
        "placement/region": "eu-west-1",
        "placement/availability-zone": "eu-west-1a",
        "mac": mac,
        format!("{base}/vpc-id"): vpc,
        format!("{base}/subnet-id"): subnet,
        format!("{base}/vpc-ipv4-cidr-blocks"): "10.0.0.0/16",
        format!("{base}/security-group-ids"): "sg-0lab",
        format!("{base}/local-ipv4s"): "10.0.1.10",
    })
}

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// The environment of an s3path that reads the EC2 API from moto at `endpoint`, with the test
/// credentials ([`CREDS`]).
pub fn ec2_env(endpoint: &str) -> Vec<(&str, &str)> {
    let mut env = vec![("AWS_ENDPOINT_URL_EC2", endpoint)];
    env.extend(CREDS);
    env
}

pub fn target<'a>(report: &'a Value, host: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["host"] == host)
        .unwrap_or_else(|| panic!("no target {host}"))
}

pub fn fact<'a>(report: &'a Value, part: &str) -> &'a Value {
    report["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == part)
        .unwrap()
}

pub fn finding_ids(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

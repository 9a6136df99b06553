//! Network-namespace lab: the real `s3path doctor` runs inside a client namespace with its own
//! resolv.conf and hosts file, a dnsmasq as the system resolver (10.0.0.2) and another as the
//! VPC resolver (169.254.169.253), an IMDSv2 stub at 169.254.169.254, a router namespace that
//! either answers TTL-expired probes (NAT-like) or stays silent (gateway-endpoint-like), and an
//! "S3" namespace holding the public S3 addresses (on its loopback) with listeners on 443.
//!
//! Needs root, `ip` (iproute2), `dnsmasq`, `nft` (nftables) and python3; `.ci/run` installs
//! them. Traffic stays inside the namespaces each test creates. Namespaces are removed when
//! the lab is dropped, also when a test fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn sh(args: &[&str]) {
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

#[derive(Clone, Copy, PartialEq)]
enum Router {
    /// Forwards and answers TTL-expired probes from 10.0.1.1 (inside the VPC): like a NAT.
    Nat,
    /// Forwards but never sends ICMP time-exceeded: like the gateway-endpoint path.
    Silent,
}

struct LabSpec {
    router: Router,
    imds: Option<&'static str>, // None, Some("ok"), Some("hang")
    hosts: &'static str,
    /// Extra dnsmasq arguments for the system resolver.
    system_dns: Vec<String>,
    vpc_dns: Vec<String>,
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

fn default_records() -> Vec<String> {
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

struct Lab {
    /// The suffix of this lab's namespaces and interfaces (`a{id}` client side, `b{id}` and
    /// `d{id}` on the router, `e{id}` on the S3 side).
    id: String,
    client: String,
    router: String,
    s3: String,
    procs: Vec<Child>,
    dir: tempfile::TempDir,
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

fn stub_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/stub.py")
}

impl Lab {
    fn new(spec: LabSpec) -> Lab {
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
        let (a, b) = (format!("a{id}"), format!("b{id}"));
        sh(&["ip", "link", "add", &a, "type", "veth", "peer", "name", &b]);
        sh(&["ip", "link", "set", &a, "netns", &c]);
        sh(&["ip", "link", "set", &b, "netns", &r]);
        sh(&["ip", "-n", &c, "addr", "add", "10.0.1.10/24", "dev", &a]);
        sh(&["ip", "-n", &c, "link", "set", &a, "up"]);
        sh(&["ip", "-n", &r, "addr", "add", "10.0.1.1/24", "dev", &b]);
        sh(&["ip", "-n", &r, "link", "set", &b, "up"]);
        sh(&["ip", "-n", &c, "route", "add", "default", "via", "10.0.1.1"]);
        // router <-> s3
        let (d, e) = (format!("d{id}"), format!("e{id}"));
        sh(&["ip", "link", "add", &d, "type", "veth", "peer", "name", &e]);
        sh(&["ip", "link", "set", &d, "netns", &r]);
        sh(&["ip", "link", "set", &e, "netns", &s]);
        sh(&["ip", "-n", &r, "addr", "add", "198.51.100.1/24", "dev", &d]);
        sh(&["ip", "-n", &r, "link", "set", &d, "up"]);
        sh(&["ip", "-n", &s, "addr", "add", "198.51.100.2/24", "dev", &e]);
        sh(&["ip", "-n", &s, "link", "set", &e, "up"]);
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
    fn certificates(&self) -> ((String, String), (String, String)) {
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

    fn ca_bundle(&self) -> String {
        self.dir.path().join("ca.pem").to_str().unwrap().to_string()
    }

    fn spawn(&mut self, ns: &str, cmd: &[&str]) {
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

    fn dnsmasq(&mut self, listen: &str, records: &[String]) {
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
    fn wait_for_services(&self, vpc_dns: bool) {
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
    fn moto_in_client(&mut self, scenario: &str) -> (String, Value) {
        let client = self.client.clone();
        let port = 5000u16;
        self.spawn(
            &client,
            &["moto_server", "-H", "127.0.0.1", "-p", &port.to_string()],
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !tcp_open(&client, "127.0.0.1", port) {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/topology.py");
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &client,
                "python3",
                script.to_str().unwrap(),
            ])
            .args([&port.to_string(), "eu-west-1", scenario])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            format!("http://127.0.0.1:{port}"),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    }

    /// Starts moto_server with TLS (the lab certificate for the S3 names) on 52.218.40.4:443 in
    /// the S3 namespace and creates the buckets of tests/moto/buckets.py in it.
    fn moto_s3(&mut self) {
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
        let deadline = Instant::now() + Duration::from_secs(30);
        while !tcp_open(&s3, "52.218.40.4", 443) {
            assert!(Instant::now() < deadline, "moto_server (TLS) did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/buckets.py");
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

    /// Runs the real binary in the client namespace.
    fn doctor(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String, Duration) {
        self.s3path("doctor", args, env)
    }

    /// `s3path SUBCOMMAND --format json ARGS` in the client namespace, with a clean
    /// environment plus `env`.
    fn s3path(
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
}

fn imds_config() -> Value {
    imds_config_for("vpc-0lab", "subnet-0lab")
}

fn imds_config_for(vpc: &str, subnet: &str) -> Value {
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

fn target<'a>(report: &'a Value, host: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["host"] == host)
        .unwrap_or_else(|| panic!("no target {host}"))
}

fn fact<'a>(report: &'a Value, part: &str) -> &'a Value {
    report["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == part)
        .unwrap()
}

#[test]
fn nat_like_router_is_inferred_as_nat_from_the_first_hop() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec::default());
    let (code, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            lab.dir.path().join("f.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    eprintln!("doctor took {took:?}");
    assert_eq!(r["vantage"]["instance_id"], "i-0lab0000000000001");
    assert_eq!(r["vantage"]["subnet_id"], "subnet-0lab");
    assert_eq!(r["region"], "eu-west-1");
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["resolution"], "answered");
    assert_eq!(t["answer_source"], "dns");
    assert_eq!(t["addresses"][0]["address"], "52.218.20.7");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], "10.0.1.1");
    // No control plane in this lab (no EC2 API): live signals only.
    assert_eq!(r["verdict"]["confidence"], "probable");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "S3P004"),
        "{}",
        r["findings"]
    );
    let facts: Value =
        serde_json::from_str(&std::fs::read_to_string(lab.dir.path().join("f.json")).unwrap())
            .unwrap();
    let tcp = facts["probes"]["value"]["tcp"].as_array().unwrap();
    let t = tcp.iter().find(|p| p["address"] == "52.218.20.7").unwrap();
    assert_eq!(t["outcome"], "connected");
    let icmp = facts["probes"]["value"]["icmp"].as_array().unwrap();
    let echo = icmp.iter().find(|p| p["address"] == "52.218.20.7").unwrap();
    assert_eq!(echo["outcome"], "reply", "{echo}");
    let hop = &facts["probes"]["value"]["first_hop"][0];
    assert_eq!(hop["responder"], "10.0.1.1");
    assert_eq!(hop["ttl"], 1);
    let dns = facts["dns"]["value"].as_array().unwrap();
    assert!(dns.iter().all(|d| d["resolver"] == "10.0.0.2"), "{dns:?}");
    assert_eq!(fact(&r, "vpc_resolver_dns")["status"], "collected");
    // The facts file replays to the same verdict.
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .args([
            "replay",
            lab.dir.path().join("f.json").to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let replayed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(replayed["verdict"], r["verdict"]);
}

#[test]
fn silent_router_with_tcp_success_is_inferred_as_gateway_endpoint() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        router: Router::Silent,
        ..LabSpec::default()
    });
    let (code, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data", "--expect", "gateway-endpoint"],
        &[],
    );
    assert_eq!(r["verdict"]["path"], "gateway-endpoint", "{}", r["verdict"]);
    // Without the route tables the silence is only probable: --expect is not met on a guess
    // (exit 3), and the report says what would make it certain.
    assert_eq!(r["verdict"]["confidence"], "probable", "{}", r["verdict"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(r["expectation"]["met"].is_null(), "{}", r["expectation"]);
    let why = r["expectation"]["undecided"].as_str().unwrap();
    assert!(
        why.contains("route tables") && why.contains("s3path route"),
        "{why}"
    );
    let ev = r["verdict"]["evidence"].as_array().unwrap();
    assert!(
        ev.iter()
            .any(|e| e["kind"] == "probe"
                && e["detail"].as_str().unwrap().contains("no hop answered")),
        "{ev:?}"
    );
}

#[test]
fn hosts_file_pin_to_a_relay_in_the_vpc() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        hosts: "127.0.0.1 localhost\n10.0.1.50 app-data.s3.eu-west-1.amazonaws.com\n",
        ..LabSpec::default()
    });
    let (_, r, _, _) = lab.doctor(&["--bucket", "app-data"], &[]);
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["answer_source"], "hosts_file");
    assert_eq!(r["verdict"]["path"], "local");
    assert_eq!(r["verdict"]["via"], "10.0.1.50");
    let ids: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"S3P401"), "{ids:?}");
}

#[test]
fn dns_failures_are_told_apart() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    records.push(
        "--cname=s3.dualstack.eu-west-1.amazonaws.com,s3-r-w.dualstack.eu-west-1.amazonaws.com"
            .to_string(),
    );
    records.retain(|r| !r.starts_with("--host-record=s3.dualstack"));
    records.push("--host-record=s3-r-w.dualstack.eu-west-1.amazonaws.com,52.218.30.1".to_string());
    // Names under amazonaws.com that dnsmasq does not know: NXDOMAIN from a local zone.
    records.push("--local=/amazonaws.com/".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let (code, r, _, _) = lab.doctor(
        &["--bucket", "app-data", "--expect", "gateway-endpoint"],
        &[],
    );
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["resolution"], "nxdomain", "{t}");
    assert_eq!(r["verdict"]["path"], "unknown");
    assert_eq!(code, 3, "unknown verdict with --expect exits 3");
    let ds = target(&r, "s3.dualstack.eu-west-1.amazonaws.com");
    assert_eq!(ds["addresses"][0]["address"], "52.218.30.1");
    let ev = ds["decision"]["evidence"][0]["detail"].as_str().unwrap();
    assert!(
        ev.contains("via CNAME s3-r-w.dualstack.eu-west-1.amazonaws.com"),
        "{ev}"
    );
}

#[test]
fn off_aws_is_detected_quickly_and_the_rest_still_runs() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::default()
    });
    let (code, r, stderr, took) = lab.doctor(&["--region", "eu-west-1"], &[]);
    assert_eq!(code, 0, "{stderr}");
    eprintln!("off-AWS doctor took {took:?}");
    assert_eq!(r["vantage"]["kind"], "off-aws");
    assert_eq!(r["verdict"]["path"], "off-aws");
    assert_eq!(fact(&r, "route_tables")["status"], "not_collected");
    assert_eq!(
        target(&r, "s3.eu-west-1.amazonaws.com")["resolution"],
        "answered"
    );
    assert!(finding_ids(&r).contains(&"S3P001".to_string()));
    // The human report off AWS, with a bucket: one screen, no SDK debug dumps.
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.client,
            env!("CARGO_BIN_EXE_s3path"),
            "doctor",
            "--bucket",
            "my-bucket",
            "--region",
            "eu-west-1",
        ])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("off-AWS human report: {} lines", text.lines().count());
    assert!(text.lines().count() <= 40, "{text}");
    assert!(
        !text.contains("DispatchFailure") && !text.contains("ConnectorError"),
        "{text}"
    );
}

/// Secrets in URL-shaped settings never reach the facts, the report or stderr: passwords with
/// `#`, `/`, `?` or `@` in them, in proxy variables, the metadata endpoint and the S3 endpoint
/// override. Only `scheme://host:port` is kept.
#[test]
fn urls_with_credentials_leak_nothing() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::default()
    });
    let facts = lab.dir.path().join("leak.json");
    let env = [
        ("HTTPS_PROXY", "http://user:PWa1#x@proxy.corp.example:3128"),
        ("http_proxy", "http://user:PWb2/x@proxy.corp.example:3128"),
        ("ALL_PROXY", "http://user:PWc3?x@proxy.corp.example:3128"),
        (
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "http://user:PWd4@169.254.169.254",
        ),
        (
            "AWS_ENDPOINT_URL_S3",
            "https://key:PWe5@minio.corp.example:9000/p?X-Amz-Signature=PWf6",
        ),
        ("NO_PROXY", "localhost"),
    ];
    for format in ["json", "human", "markdown"] {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            &lab.client,
            env!("CARGO_BIN_EXE_s3path"),
            "doctor",
            "--region",
            "eu-west-1",
            "--timeout",
            "3",
            "--format",
            format,
            "--save-facts",
            facts.to_str().unwrap(),
        ]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&facts).unwrap_or_default()
        );
        assert!(all.contains("proxy.corp.example:3128"), "{all}");
        for secret in [
            "PWa1", "PWb2", "PWc3", "PWd4", "PWe5", "PWf6", "user:", "key:",
        ] {
            assert!(!all.contains(secret), "{format}: {secret} leaked: {all}");
        }
        let _ = std::fs::remove_file(&facts);
    }
}

/// A metadata service that takes 1.5 s per answer: `--timeout 1.5` still prints the report
/// within 2.5 s (it took 4.5 s when each request had its own budget).
#[test]
fn a_slow_metadata_service_stays_within_the_timeout() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        imds: Some("slow"),
        ..LabSpec::default()
    });
    let (_, r, stderr, took) = lab.doctor(&["--region", "eu-west-1", "--timeout", "1.5"], &[]);
    eprintln!("slow IMDS: doctor --timeout 1.5 took {took:?}");
    assert!(took < Duration::from_millis(2500), "{took:?}: {stderr}");
    let v = fact(&r, "vantage");
    assert_eq!(v["status"], "failed", "{v}");
}

/// A metadata service that streams a 500 MB instance id: refused after 64 KiB, quickly.
#[test]
fn an_endless_metadata_answer_is_cut_at_64_kib() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        imds: Some("huge"),
        ..LabSpec::default()
    });
    let (_, r, stderr, took) = lab.doctor(&["--region", "eu-west-1", "--timeout", "3"], &[]);
    eprintln!("endless IMDS answer: doctor took {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}: {stderr}");
    let v = fact(&r, "vantage");
    assert_eq!(v["status"], "failed", "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("larger than 64 KiB"),
        "{v}"
    );
}

impl Lab {
    /// moto_server in the client namespace behind tests/moto/proxy.py, which answers every
    /// call `delay` seconds late. Returns (proxy endpoint, topology).
    fn slow_moto_in_client(&mut self, scenario: &str, delay: &str) -> (String, Value) {
        let (endpoint, topo) = self.moto_in_client(scenario);
        let moto_port = endpoint.rsplit(':').next().unwrap().to_string();
        let log = self.dir.path().join("proxy.log");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/proxy.py");
        let client = self.client.clone();
        self.spawn(
            &client,
            &[
                "python3",
                script.to_str().unwrap(),
                "5001",
                &moto_port,
                log.to_str().unwrap(),
                "--delay",
                delay,
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !tcp_open(&client, "127.0.0.1", 5001) {
            assert!(
                Instant::now() < deadline,
                "the delaying proxy did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        ("http://127.0.0.1:5001".to_string(), topo)
    }
}

/// An EC2 API that answers every call 3 s late, `--timeout 4`: `doctor --subnet-id` and
/// `route --subnet-id` print their report within 5 s (they took 6–7 s when the subnet lookup
/// and the gather each had the whole budget), with the parts that ran out marked timed out.
#[test]
fn a_slow_ec2_api_stays_within_the_timeout() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::default()
    });
    let (endpoint, topo) = lab.slow_moto_in_client("nat-only", "3");
    let subnet = topo["subnet"].as_str().unwrap();
    let env = [
        ("AWS_ENDPOINT_URL_EC2", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let (_, r, stderr, took) = lab.doctor(
        &[
            "--region",
            "eu-west-1",
            "--subnet-id",
            subnet,
            "--timeout",
            "4",
            "--expect",
            "nat-gateway",
        ],
        &env,
    );
    eprintln!("slow EC2: doctor --subnet-id --timeout 4 took {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}: {stderr}");
    let rt = fact(&r, "route_tables");
    assert_eq!(rt["status"], "failed", "{rt}");
    assert!(
        rt["detail"].as_str().unwrap().contains("no answer within"),
        "{rt}"
    );
    assert_eq!(r["exit_code"], 3, "{}", r["verdict"]);
    let (code, r, stderr, took) = lab.s3path(
        "route",
        &[
            "--subnet-id",
            subnet,
            "--region",
            "eu-west-1",
            "--timeout",
            "4",
        ],
        &env,
    );
    eprintln!("slow EC2: route --subnet-id --timeout 4 took {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "failed", "{code}");
}

/// `route --bucket` whose bucket answers from an address that drops every packet, `--timeout
/// 3`: the report comes within 4 s (it took 11 s when the buckets had a budget of their own).
#[test]
fn route_with_a_bucket_behind_a_dropping_address_stays_within_the_timeout() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    records.push("--host-record=app-data.s3.eu-west-1.amazonaws.com,52.218.88.8".to_string());
    let mut lab = Lab::new(LabSpec {
        imds: None,
        system_dns: records,
        ..LabSpec::default()
    });
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    let subnet = topo["subnet"].as_str().unwrap();
    let (_, r, stderr, took) = lab.s3path(
        "route",
        &[
            "--subnet-id",
            subnet,
            "--region",
            "eu-west-1",
            "--bucket",
            "app-data",
            "--timeout",
            "3",
        ],
        &[
            ("AWS_ENDPOINT_URL_EC2", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    eprintln!("dropping S3: route --bucket --timeout 3 took {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
}

#[test]
fn token_put_that_hangs_is_reported_as_such() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        imds: Some("hang"),
        ..LabSpec::default()
    });
    let (_, r, _, _) = lab.doctor(&["--region", "eu-west-1", "--timeout", "3"], &[]);
    let v = fact(&r, "vantage");
    assert_eq!(v["status"], "failed", "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("answers plain requests"),
        "{v}"
    );
    assert!(finding_ids(&r).contains(&"S3P002".to_string()));
}

#[test]
fn proxy_variables_divert_s3_to_the_proxy() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.push("--host-record=proxy.corp.example,10.0.7.7".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let (_, r, _, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[
            ("https_proxy", "http://user:secret@proxy.corp.example:3128"),
            ("NO_PROXY", "10.0.0.0/8"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-not-a-real-key"),
            ("AWS_SESSION_TOKEN", "session-token-value"),
        ],
    );
    for secret in ["secret", "wJalrXUtnFEMI", "session-token-value"] {
        assert!(!r.to_string().contains(secret), "report contains {secret}");
    }
    assert_eq!(r["verdict"]["path"], "proxy");
    assert_eq!(r["verdict"]["via"], "proxy.corp.example:3128");
    assert_eq!(r["verdict"]["next"]["path"], "local");
    let ids: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"S3P402"), "{ids:?}");
}

fn finding_ids(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn resolver_disagreement_and_refused_connections_are_findings() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut system = default_records();
    system.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    system.push("--host-record=app-data.s3.eu-west-1.amazonaws.com,52.218.99.9".to_string());
    let mut vpc = default_records();
    vpc.retain(|r| !r.contains("=s3.eu-west-1.amazonaws.com"));
    vpc.push("--host-record=s3.eu-west-1.amazonaws.com,10.0.1.20".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: system,
        vpc_dns: vpc,
        ..LabSpec::default()
    });
    let (code, r, stderr, _) = lab.doctor(&["--bucket", "app-data"], &[]);
    assert_eq!(code, 1, "an error finding exits 1; {stderr}");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"S3P203".to_string()), "{ids:?}");
    assert!(ids.contains(&"S3P501".to_string()), "{ids:?}");
    let find = |id: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    let f = find("S3P501");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("52.218.99.9:443") && msg.contains("was refused"),
        "{f}"
    );
    let f = find("S3P203");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("10.0.1.20 (inside the VPC)"),
        "{f}"
    );
}

#[test]
fn tls_probe_reports_the_validating_store_and_name_mismatches() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        hosts: "127.0.0.1 localhost\n52.218.77.7 s3.eu-west-1.amazonaws.com\n",
        ..LabSpec::default()
    });
    let facts = lab.dir.path().join("tls.json");
    let (code, r, stderr, _) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 1, "the mismatch is an error; {stderr}");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"S3P503".to_string()), "{ids:?}");
    assert!(ids.contains(&"S3P504".to_string()), "{ids:?}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let tls = saved["probes"]["value"]["tls"].as_array().unwrap();
    let good = tls
        .iter()
        .find(|p| p["server_name"] == "app-data.s3.eu-west-1.amazonaws.com")
        .unwrap();
    assert_eq!(good["outcome"], "verified", "{good}");
    assert!(
        good["validated_by"]
            .as_str()
            .unwrap()
            .starts_with("AWS_CA_BUNDLE="),
        "{good}"
    );
    let bad = tls.iter().find(|p| p["address"] == "52.218.77.7").unwrap();
    assert_eq!(bad["outcome"], "name_mismatch", "{bad}");
}

#[test]
fn profile_endpoint_url_makes_the_vpce_name_the_primary_target() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.push(
        "--host-record=bucket.vpce-0lab-7f3k.s3.eu-west-1.vpce.amazonaws.com,10.0.1.20".to_string(),
    );
    let lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    // The "endpoint ENI" answers on the router's side of the client subnet.
    sh(&[
        "ip",
        "-n",
        &lab.router,
        "addr",
        "add",
        "10.0.1.20/24",
        "dev",
        &format!("b{}", &lab.client[4..]),
    ]);
    let config = lab.dir.path().join("aws-config");
    std::fs::write(
        &config,
        "[profile lab]\nregion = eu-west-1\naws_secret_access_key = NEVER-STORE-THIS\nendpoint_url = https://bucket.vpce-0lab-7f3k.s3.eu-west-1.vpce.amazonaws.com\n",
    )
    .unwrap();
    let (_, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_PROFILE", "lab"),
        ],
    );
    assert!(!r.to_string().contains("NEVER-STORE-THIS"));
    let primary = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["primary"] == true)
        .unwrap();
    assert_eq!(
        primary["host"], "bucket.vpce-0lab-7f3k.s3.eu-west-1.vpce.amazonaws.com",
        "{stderr}"
    );
    assert_eq!(primary["class"], "endpoint-override");
    assert_eq!(
        r["verdict"]["path"], "interface-endpoint",
        "{}",
        r["verdict"]
    );
    assert!(finding_ids(&r).contains(&"S3P404".to_string()));
}

#[test]
fn fargate_task_identity_comes_from_task_metadata_v4() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::default()
    });
    let client = lab.client.clone();
    sh(&[
        "ip",
        "-n",
        &client,
        "addr",
        "add",
        "169.254.170.2/32",
        "dev",
        "lo",
    ]);
    let task = lab.dir.path().join("task.json");
    std::fs::write(
        &task,
        serde_json::json!({
            "TaskARN": "arn:aws:ecs:eu-west-1:111122223333:task/lab/0123456789abcdef",
            "AvailabilityZone": "eu-west-1a",
            "Containers": [{"Name": "app", "Networks": [{
                "NetworkMode": "awsvpc", "IPv4Addresses": ["10.0.1.10"],
                "IPv4SubnetCIDRBlock": "10.0.1.0/24", "MACAddress": "0e:9e:32:c7:48:85"}]}]
        })
        .to_string(),
    )
    .unwrap();
    let stub = stub_py();
    lab.spawn(
        &client,
        &[
            "python3",
            stub.to_str().unwrap(),
            "ecs",
            "169.254.170.2",
            task.to_str().unwrap(),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tcp_open(&client, "169.254.170.2", 80) {
        assert!(
            Instant::now() < deadline,
            "task metadata stub did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[(
            "ECS_CONTAINER_METADATA_URI_V4",
            "http://169.254.170.2/v4/0123456789abcdef-1234",
        )],
    );
    assert_eq!(
        r["vantage"]["kind"], "ecs-task",
        "{stderr} {}",
        r["vantage"]
    );
    assert_eq!(r["region"], "eu-west-1");
    // The first hop (10.0.1.1) is inside the task's subnet: NAT, inferred.
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
}

/// True when something accepts TCP on addr:port inside namespace `ns`.
fn tcp_open(ns: &str, addr: &str, port: u16) -> bool {
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

/// Benchmark, not a check: `cargo test --release --test lab -- --ignored --nocapture bench`.
/// Times the real binary inside the lab (healthy NAT-like and gateway-like paths, and off AWS)
/// and reports median, p95 and peak RSS. Figures go in docs/benchmarks.md.
#[test]
#[ignore]
fn bench_doctor_in_the_lab() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    for (label, spec) in [
        ("healthy lab, NAT-like path", LabSpec::default()),
        (
            "healthy lab, gateway-like path (silent first hop)",
            LabSpec {
                router: Router::Silent,
                ..LabSpec::default()
            },
        ),
        (
            "off AWS (no metadata service)",
            LabSpec {
                imds: None,
                ..LabSpec::default()
            },
        ),
    ] {
        let lab = Lab::new(spec);
        let region = ["--bucket", "app-data", "--region", "eu-west-1"];
        lab.doctor(&region, &[]); // warm-up
        let runs: Vec<(Duration, Value)> = (0..20)
            .map(|_| {
                let (_, r, _, took) = lab.doctor(&region, &[]);
                (took, r)
            })
            .collect();
        let mut times: Vec<Duration> = runs.iter().map(|(t, _)| *t).collect();
        times.sort();
        // Median of each phase (the report's `timings`).
        let mut phases: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        for (_, r) in &runs {
            for t in r["timings"].as_array().into_iter().flatten() {
                phases
                    .entry(t["phase"].as_str().unwrap().to_string())
                    .or_default()
                    .push(t["took_ms"].as_f64().unwrap());
            }
        }
        let phase_line: Vec<String> = phases
            .iter_mut()
            .map(|(p, v)| {
                v.sort_by(f64::total_cmp);
                format!("{p} {:.0}", v[v.len() / 2])
            })
            .collect();
        eprintln!("  phases (median ms): {}", phase_line.join(", "));
        // Peak RSS of one doctor run, from wait4 on that very process (`ip netns exec` execs
        // s3path in place).
        #[allow(clippy::zombie_processes)] // reaped by wait4 below, which also reports its rusage
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lab.client,
                env!("CARGO_BIN_EXE_s3path"),
                "doctor",
                "--format",
                "json",
            ])
            .args(region)
            .env("AWS_CA_BUNDLE", lab.ca_bundle())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut status = 0;
        // SAFETY: wait4 fills plain structs for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        println!(
            "{label:<52} median {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  peak RSS {} KiB",
            times[10].as_secs_f64() * 1e3,
            times[18].as_secs_f64() * 1e3,
            times[19].as_secs_f64() * 1e3,
            usage.ru_maxrss
        );
    }
}

#[test]
fn vpc_base_plus_two_is_asked_when_the_link_local_resolver_is_silent() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec {
        vpc_dns: vec![],
        ..LabSpec::default()
    });
    let dir = lab.dir.path().join("f.json");
    lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    let facts: Value = serde_json::from_str(&std::fs::read_to_string(&dir).unwrap()).unwrap();
    let vpc = facts["vpc_resolver_dns"]["value"].as_array().unwrap();
    assert!(vpc.iter().all(|r| r["resolver"] == "10.0.0.2"), "{vpc:?}");
    assert!(vpc.iter().any(|r| r["status"] == "answered"), "{vpc:?}");
}

/// End to end: IMDS, DNS, probes and the EC2 API (a moto_server inside the client namespace,
/// on its loopback) in one doctor run. The route table says NAT and the first hop answers from
/// inside the VPC, so the verdict is confirmed.
#[test]
fn doctor_with_the_control_plane_confirms_the_nat_path() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut lab = Lab::new(LabSpec::default());
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    let cfg = imds_config_for(
        topo["vpc"].as_str().unwrap(),
        topo["subnet"].as_str().unwrap(),
    );
    std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    let (code, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[
            ("AWS_ENDPOINT_URL_EC2", &endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], topo["nat"]);
    assert_eq!(r["verdict"]["route_table"], topo["private_rtb"]);
    assert_eq!(r["verdict"]["confidence"], "confirmed", "{}", r["verdict"]);
    assert!(finding_ids(&r).contains(&"S3P103".to_string()));
    assert_eq!(code, 0, "warnings only");
}

impl Lab {
    /// IPv6 through the lab: the client gets 2a05:d018:1:100::10/64 (default route via the
    /// router), the router forwards to the S3 side, where `s3_v6` lives on the loopback with a
    /// TLS listener. No duplicate address detection, so the addresses work at once.
    fn ipv6(&mut self, s3_v6: &str) {
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
        // The lab certificate for the S3 names (written by `certificates`).
        let cert = self.dir.path().join("s3.pem");
        let key = self.dir.path().join("s3.key");
        let stub = stub_py();
        self.spawn(
            &s,
            &[
                "python3",
                stub.to_str().unwrap(),
                "tls",
                cert.to_str().unwrap(),
                key.to_str().unwrap(),
                s3_v6,
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !tcp_open(&c, s3_v6, 443) {
            assert!(
                Instant::now() < deadline,
                "no IPv6 listener at [{s3_v6}]:443"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A dual-stack client (AWS_USE_DUALSTACK_ENDPOINT=true) on a host with an IPv6 address, in a
/// subnet whose table has an IPv4-only S3 gateway endpoint and ::/0 -> egress-only internet
/// gateway (moto as the EC2 API). The application's name is the dual-stack one; its AAAA
/// answer is what the host connects to, and it leaves by the egress-only gateway (S3P110). The
/// first-hop probe runs over IPv6 too, and the tool's own EC2 client ignores the dual-stack
/// setting (the control plane is read).
#[test]
fn dualstack_client_leaves_by_the_egress_only_gateway() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let v6 = "2a05:d07a:a0ff::9";
    let mut records: Vec<String> = default_records()
        .into_iter()
        .map(|r| r.replace(",52.218.", ",52.216."))
        .collect();
    records.push(format!(
        "--host-record=app-data.s3.dualstack.eu-west-1.amazonaws.com,52.216.20.7,{v6}"
    ));
    let mut lab = Lab::new(LabSpec {
        system_dns: records.clone(),
        vpc_dns: records,
        ..LabSpec::default()
    });
    lab.ipv6(v6);
    let (endpoint, topo) = lab.moto_in_client("gateway-endpoint-eigw");
    let mut cfg = imds_config_for(
        topo["vpc"].as_str().unwrap(),
        topo["subnet"].as_str().unwrap(),
    );
    let base = "network/interfaces/macs/0e:11:22:33:44:55";
    cfg[format!("{base}/ipv6s")] = "2a05:d018:1:100::10".into();
    std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    let facts = lab.dir.path().join("v6.json");
    let (_, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[
            ("AWS_ENDPOINT_URL_EC2", &endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ],
    );
    eprintln!("doctor took {took:?}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(
        r["verdict"]["host"], "app-data.s3.dualstack.eu-west-1.amazonaws.com",
        "{}",
        r["verdict"]
    );
    assert_eq!(
        r["verdict"]["path"], "egress-only-internet-gateway",
        "{}",
        r["verdict"]
    );
    assert_eq!(r["verdict"]["via"], topo["eigw"]);
    let t = target(&r, "app-data.s3.dualstack.eu-west-1.amazonaws.com");
    assert_eq!(t["chosen_address"], v6, "{t}");
    // The IPv4 answer of the same name rides the gateway endpoint.
    let v4 = t["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == "52.216.20.7")
        .unwrap();
    assert_eq!(v4["path"], "gateway-endpoint", "{v4}");
    assert!(
        finding_ids(&r).contains(&"S3P110".to_string()),
        "{}",
        r["findings"]
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let hops = saved["probes"]["value"]["first_hop"].as_array().unwrap();
    let hop6 = hops
        .iter()
        .find(|h| h["target"] == v6)
        .unwrap_or_else(|| panic!("no IPv6 first-hop probe: {hops:?}"));
    assert_eq!(hop6["responder"], "2a05:d018:1:100::1", "{hop6}");
}

/// `s3path route --subnet-id` is doctor minus the host: for the instance's subnet it gives the
/// same path and via as doctor on the instance (moto as the EC2 API in both; the lab's DNS
/// answers inside moto's S3 list, 52.216.0.0/15, for the gateway-endpoint topology).
#[test]
fn route_agrees_with_doctor_for_the_same_subnet() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    for (scenario, want) in [
        ("nat-only", "nat-gateway"),
        ("gateway-endpoint", "gateway-endpoint"),
    ] {
        let records: Vec<String> = default_records()
            .into_iter()
            .map(|r| r.replace(",52.218.", ",52.216."))
            .collect();
        let mut lab = Lab::new(LabSpec {
            system_dns: records.clone(),
            vpc_dns: records,
            ..LabSpec::default()
        });
        let (endpoint, topo) = lab.moto_in_client(scenario);
        let subnet = topo["subnet"].as_str().unwrap();
        let cfg = imds_config_for(topo["vpc"].as_str().unwrap(), subnet);
        std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
        let env = [
            ("AWS_ENDPOINT_URL_EC2", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ];
        let (_, doctor, stderr, _) = lab.doctor(&[], &env);
        let (code, route, route_err, _) = lab.s3path(
            "route",
            &["--subnet-id", subnet, "--region", "eu-west-1"],
            &env,
        );
        assert_eq!(code, 0, "{route_err}");
        assert_eq!(
            doctor["verdict"]["path"], want,
            "{stderr}: {}",
            doctor["verdict"]
        );
        assert_eq!(
            route["verdict"]["path"], doctor["verdict"]["path"],
            "{}",
            route["verdict"]
        );
        assert_eq!(
            route["verdict"]["via"], doctor["verdict"]["via"],
            "{}",
            route["verdict"]
        );
        assert_eq!(
            route["verdict"]["route_table"],
            doctor["verdict"]["route_table"]
        );
        assert_eq!(route["verdict"]["confidence"], "inferred");
        // route's answers are derived, and say so.
        let t = target(&route, route["verdict"]["host"].as_str().unwrap());
        assert_eq!(t["answer_source"], "derived", "{t}");
    }
}

/// An S3 interface endpoint without private DNS, and AWS CLI v1 on PATH (a Python entry point
/// with its awscli package): the version is read from the package without starting the CLI,
/// S3P403 says v1 cannot use the endpoint's names, and S3P201's --endpoint-url fix says so.
#[test]
fn aws_cli_v1_on_path_with_an_interface_endpoint_without_private_dns() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut lab = Lab::new(LabSpec::default());
    let (endpoint, topo) = lab.moto_in_client("interface-endpoint");
    let cfg = imds_config_for(
        topo["vpc"].as_str().unwrap(),
        topo["subnet"].as_str().unwrap(),
    );
    std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    let prefix = lab.dir.path().join("awscli-v1");
    let pkg = prefix.join("lib/python3.11/site-packages/awscli");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::write(pkg.join("__init__.py"), "__version__ = '1.18.147'\n").unwrap();
    std::os::unix::fs::symlink("/usr/bin/python3", prefix.join("bin/python3")).unwrap();
    let aws = prefix.join("bin/aws");
    std::fs::write(
        &aws,
        format!(
            "#!{}\nimport sys\nsys.stderr.write('aws-cli/1.18.147 Python/3.11 Linux botocore/1.18.6\\n')\n",
            prefix.join("bin/python3").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&aws, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let facts = lab.dir.path().join("cli.json");
    let path = format!(
        "{}:/usr/sbin:/usr/bin:/sbin:/bin",
        prefix.join("bin").display()
    );
    let (_, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[
            ("AWS_ENDPOINT_URL_EC2", &endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("PATH", &path),
        ],
    );
    eprintln!("doctor took {took:?}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let cli = &saved["client_settings"]["value"]["aws_cli"];
    assert_eq!(cli["status"], "collected", "{stderr}: {cli}");
    assert!(
        cli["value"]
            .as_str()
            .unwrap()
            .starts_with("aws-cli/1.18.147 (from "),
        "{cli}"
    );
    let f403 = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P403")
        .unwrap_or_else(|| panic!("S3P403: {}", r["findings"]));
    assert!(
        f403["message"].as_str().unwrap().contains("cannot use"),
        "{f403}"
    );
    let f201 = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P201")
        .expect("S3P201");
    assert!(
        f201["remediation"].as_array().unwrap().iter().any(|x| x
            .as_str()
            .unwrap()
            .contains("v1 cannot use")
            && x.as_str().unwrap().contains("aws-cli/1.18.147")),
        "{f201}"
    );
}

#[test]
fn a_dropping_address_times_out() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    records.push("--host-record=app-data.s3.eu-west-1.amazonaws.com,52.218.88.8".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let (code, r, _, _) = lab.doctor(&["--bucket", "app-data", "--timeout", "4"], &[]);
    assert_eq!(code, 1);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P501")
        .expect("S3P501");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("52.218.88.8:443") && msg.contains("timed out"),
        "{msg}"
    );
}

/// Off AWS (no metadata service), `--subnet-id` names the subnet to judge against: the EC2
/// facts come from moto inside the namespace, and every interface-endpoint ENI is probed.
#[test]
fn doctor_off_aws_judges_a_named_subnet() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    // moto's S3 list holds 52.216.0.0/15 (the same in every region): the bucket answers
    // inside it here, so the list read with GetManagedPrefixListEntries decides.
    let records: Vec<String> = default_records()
        .into_iter()
        .map(|r| {
            r.replace(
                "app-data.s3.eu-west-1.amazonaws.com,52.218.20.7",
                "app-data.s3.eu-west-1.amazonaws.com,52.216.20.7",
            )
        })
        .collect();
    let mut lab = Lab::new(LabSpec {
        imds: None,
        system_dns: records.clone(),
        vpc_dns: records,
        ..LabSpec::default()
    });
    let (endpoint, topo) = lab.moto_in_client("both");
    let facts = lab.dir.path().join("named.json");
    let subnet = topo["subnet"].as_str().unwrap();
    let (_, r, stderr, _) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--region",
            "eu-west-1",
            "--subnet-id",
            subnet,
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[
            ("AWS_ENDPOINT_URL_EC2", &endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    assert_eq!(r["vantage"]["kind"], "off-aws", "{stderr}");
    assert_eq!(r["vantage"]["subnet_id"], topo["subnet"]);
    assert_eq!(fact(&r, "route_tables")["status"], "collected");
    // The S3 list's entries (read from moto) hold 52.216.20.7: the gateway route beats the
    // default route, from the control plane.
    assert_eq!(r["verdict"]["path"], "gateway-endpoint", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], topo["gateway_endpoint"]);
    assert!(
        r["verdict"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "prefix_list"
                && e["detail"].as_str().unwrap().contains("52.216.0.0/15")),
        "{}",
        r["verdict"]
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let tcp = saved["probes"]["value"]["tcp"].as_array().unwrap();
    assert!(
        tcp.iter().any(|p| p["address"] == topo["interface_ip"]),
        "the interface endpoint's ENI is probed: {tcp:?}"
    );
}

/// The S3 records of the default lab with the buckets moved to the TLS moto at 52.218.40.4.
fn bucket_records() -> Vec<String> {
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

/// The lab with moto serving S3 over TLS at 52.218.40.4 (the bucket names resolve there) and
/// moto serving EC2 in the client namespace (`nat-only`), the IMDS stub placing the instance in
/// that topology's subnet. Returns the lab, the EC2 endpoint and the topology's ids.
fn bucket_lab() -> (Lab, String, Value) {
    bucket_lab_with(bucket_records())
}

/// [`bucket_lab`] with the lab's DNS answering `records`.
fn bucket_lab_with(records: Vec<String>) -> (Lab, String, Value) {
    let mut lab = Lab::new(LabSpec {
        system_dns: records.clone(),
        vpc_dns: records,
        ..LabSpec::default()
    });
    lab.moto_s3();
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    let cfg = imds_config_for(
        topo["vpc"].as_str().unwrap(),
        topo["subnet"].as_str().unwrap(),
    );
    std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    (lab, endpoint, topo)
}

#[test]
fn real_bucket_requests_name_the_address_and_the_path() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let (lab, endpoint, topo) = bucket_lab();
    let (code, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--bucket",
            "far-data",
            "--key",
            "hello.txt",
        ],
        &[
            ("AWS_ENDPOINT_URL_EC2", &endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    eprintln!("doctor with two buckets took {took:?}");
    assert_eq!(
        r["verdict"]["path"], "nat-gateway",
        "{stderr} {}",
        r["verdict"]
    );
    let buckets = r["buckets"].as_array().expect("per-bucket report");
    let app = &buckets[0];
    assert_eq!(app["name"], "app-data");
    assert_eq!(app["region"], "eu-west-1");
    assert_eq!(app["result"], "ok", "{app}");
    assert_eq!(
        app["path"],
        format!("nat-gateway via {}", topo["nat"].as_str().unwrap())
    );
    let reqs = app["requests"].as_array().unwrap();
    let ops: Vec<&str> = reqs
        .iter()
        .map(|q| q["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["HeadBucket", "ListObjectsV2", "HeadObject"]);
    for q in reqs {
        assert_eq!(q["host"], "app-data.s3.eu-west-1.amazonaws.com");
        assert_eq!(q["address"], "52.218.40.4", "{q}");
        assert_eq!(q["status"], 200, "{q}");
        assert_eq!(q["signed"], true);
    }
    // far-data: the eu-west-1 name answered with its region; the reads went to us-west-2's name.
    let far = &buckets[1];
    assert_eq!(far["region"], "us-west-2");
    assert_eq!(far["other_region"], true);
    let reqs = far["requests"].as_array().unwrap();
    assert_eq!(reqs[0]["route"], "client-region");
    assert_eq!(reqs[0]["bucket_region"], "us-west-2");
    let second = reqs
        .iter()
        .find(|q| q["route"] == "bucket-region")
        .expect("bucket-region run");
    assert_eq!(second["host"], "far-data.s3.us-west-2.amazonaws.com");
    assert_eq!(second["address"], "52.218.40.4");
    assert!(
        finding_ids(&r).contains(&"S3P601".to_string()),
        "{:?}",
        finding_ids(&r)
    );
    assert!(target(&r, "far-data.s3.us-west-2.amazonaws.com")["resolution"] == "answered");
    // The bucket policy (tests/moto/buckets.py) admits PutObject only through vpce-0gw11111,
    // and this subnet goes through the NAT: S3P607, an error.
    assert!(finding_ids(&r).contains(&"S3P607".to_string()));
    assert_eq!(code, 1, "{:?}", finding_ids(&r));

    // No credentials anywhere: the requests go unsigned, and still name their address.
    let (_, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[("AWS_ENDPOINT_URL_EC2", &endpoint)],
    );
    let q = &r["buckets"][0]["requests"][0];
    assert_eq!(q["signed"], false, "{stderr} {q}");
    assert_eq!(q["address"], "52.218.40.4", "{q}");
}

/// What the bucket requests add to doctor: the same lab (TLS moto as S3 at 52.218.40.4), doctor
/// without `--bucket` (no S3 requests) and with one and two buckets. Release build:
///     cargo test --release --test lab -- --ignored --nocapture bench_bucket
#[test]
#[ignore]
fn bench_bucket_requests_in_the_lab() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let (lab, endpoint, _) = bucket_lab();
    let creds = [
        ("AWS_ENDPOINT_URL_EC2", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let mut medians = Vec::new();
    for (label, args) in [
        (
            "no --bucket (no S3 requests)",
            vec!["--region", "eu-west-1"],
        ),
        (
            "--bucket app-data --key hello.txt",
            vec![
                "--region",
                "eu-west-1",
                "--bucket",
                "app-data",
                "--key",
                "hello.txt",
            ],
        ),
        (
            "two buckets, one in another region",
            vec![
                "--region",
                "eu-west-1",
                "--bucket",
                "app-data",
                "--bucket",
                "far-data",
            ],
        ),
    ] {
        lab.doctor(&args, &creds); // warm-up
        let mut times: Vec<Duration> = (0..20).map(|_| lab.doctor(&args, &creds).3).collect();
        times.sort();
        let (_, r, _, _) = lab.doctor(&args, &creds);
        let requests: usize = r["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .map(|x| x["requests"].as_array().unwrap().len())
                    .sum()
            })
            .unwrap_or(0);
        println!(
            "{label:<50} median {:>7.1} ms  p95 {:>7.1} ms  ({requests} requests made)",
            times[10].as_secs_f64() * 1e3,
            times[18].as_secs_f64() * 1e3,
        );
        medians.push(times[10]);
    }
    println!(
        "added by one bucket: {:.1} ms; by two: {:.1} ms",
        (medians[1].as_secs_f64() - medians[0].as_secs_f64()) * 1e3,
        (medians[2].as_secs_f64() - medians[0].as_secs_f64()) * 1e3
    );
}

#[test]
fn a_bucket_behind_a_dropping_address_times_out_within_the_budget() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records: Vec<String> = default_records()
        .into_iter()
        .filter(|x| !x.contains("app-data.s3.eu-west-1"))
        .collect();
    records.push("--host-record=app-data.s3.eu-west-1.amazonaws.com,52.218.88.8".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: records.clone(),
        vpc_dns: records,
        ..LabSpec::default()
    });
    let (code, r, stderr, took) = lab.doctor(
        &["--bucket", "app-data", "--timeout", "3"],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    assert!(
        took < Duration::from_millis(4500),
        "doctor took {took:?} with --timeout 3"
    );
    let q = &r["buckets"][0]["requests"][0];
    assert_eq!(q["operation"], "HeadBucket", "{stderr}");
    assert_eq!(q["outcome"], "timed_out", "{q}");
    assert_eq!(q["address"], "52.218.88.8");
    assert_eq!(r["buckets"][0]["result"], "failed");
    assert!(finding_ids(&r).contains(&"S3P603".to_string()));
    assert_eq!(code, 1);
}

/// Runs `f` on a thread that has entered network namespace `ns` (a thread's sockets belong to
/// its namespace), for library calls that must see the lab's network.
fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
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

/// The requests through an interface endpoint's `bucket.vpce-…` name (moto cannot serve these
/// names: it reads the bucket from the host's first labels, and its DnsEntries are not in the
/// real format, so doctor never plans them against moto). An ENI-like address 10.0.1.55 in the
/// VPC, the S3-like TLS listener on it, the endpoint-specific name in the lab DNS.
#[test]
fn interface_endpoint_requests_go_to_the_eni_address() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let mut records = default_records();
    records.push(
        "--host-record=app-data.bucket.vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com,10.0.1.55"
            .to_string(),
    );
    let mut lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let router = lab.router.clone();
    sh(&[
        "ip",
        "-n",
        &router,
        "addr",
        "add",
        "10.0.1.55/32",
        "dev",
        "lo",
    ]);
    let d = lab.dir.path().to_path_buf();
    let (cert, key) = (d.join("s3.pem"), d.join("s3.key"));
    lab.spawn(
        &router,
        &[
            "python3",
            stub_py().to_str().unwrap(),
            "tls",
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            "10.0.1.55",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tcp_open(&lab.client, "10.0.1.55", 443) {
        assert!(Instant::now() < deadline, "ENI listener did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = lab.ca_bundle();
    let (requests, answers) = in_netns(&lab.client.clone(), move || {
        use s3path::gather::{dns, s3};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let limit = Duration::from_secs(5);
            let resolver = dns::direct_resolver("10.0.0.2".parse().unwrap(), limit).unwrap();
            let pinned = s3::Pinned::new(resolver, "10.0.0.2".into(), vec![], vec![], limit);
            let plan = s3::Plan {
                client_region: "eu-west-1".into(),
                buckets: vec!["app-data".into()],
                key: Some("hello.txt".into()),
                ca_bundles: vec![("AWS_CA_BUNDLE".into(), ca)],
                proxied: None,
                reads: true,
                settings: Default::default(),
            };
            let context = s3path::gather::context::AwsContext::load(
                "eu-west-1",
                s3path::gather::deadline::Deadline::after(limit),
            )
            .await;
            let session = s3::session(&context, &plan.ca_bundles, limit).await;
            s3::via_interface_endpoint(
                &session,
                &plan,
                &pinned,
                "app-data",
                "vpce-0lab1234",
                "vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com",
                limit,
            )
            .await
        })
    });
    let ops: Vec<&str> = requests.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(ops, ["HeadBucket", "ListObjectsV2", "HeadObject"]);
    for r in &requests {
        assert_eq!(
            r.host, "app-data.bucket.vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com",
            "{r:?}"
        );
        assert_eq!(r.address, Some("10.0.1.55".parse().unwrap()), "{r:?}");
        assert_eq!(r.status, Some(200), "{r:?}");
        assert_eq!(r.route, s3path::facts::RequestRoute::InterfaceEndpoint);
        assert_eq!(r.endpoint_id.as_deref(), Some("vpce-0lab1234"));
    }
    assert_eq!(requests[0].bucket_region.as_deref(), Some("eu-west-1"));
    // The endpoint-specific name was not in the DNS view: it comes back to be added to it.
    assert!(answers
        .iter()
        .any(|a| a.host.starts_with("app-data.bucket.vpce-0lab-1234")));
}

#[test]
fn presigned_url_is_resolved_and_connected_without_keeping_its_secrets() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let lab = Lab::new(LabSpec::default());
    let facts_file = lab.dir.path().join("p.json");
    let url = "https://app-data.s3.eu-west-1.amazonaws.com/reports/q3.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIALABEXAMPLE00000%2F20261123%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef";
    let (_, r, stderr, _) = lab.doctor(
        &[
            "--region",
            "eu-west-1",
            "--presigned",
            url,
            "--save-facts",
            facts_file.to_str().unwrap(),
        ],
        &[],
    );
    let saved = std::fs::read_to_string(&facts_file).unwrap();
    let report = r.to_string();
    for secret in ["AKIALABEXAMPLE00000", "0123456789abcdef", "X-Amz-Signature"] {
        assert!(!saved.contains(secret), "facts file keeps {secret}");
        assert!(!report.contains(secret), "report shows {secret}");
        assert!(!stderr.contains(secret), "stderr shows {secret}");
    }
    let facts: Value = serde_json::from_str(&saved).unwrap();
    let p = &facts["presigned"]["value"];
    assert_eq!(
        p["url"],
        "https://app-data.s3.eu-west-1.amazonaws.com/reports/q3.csv"
    );
    assert_eq!(p["signed_region"], "eu-west-1");
    assert_eq!(p["expires_seconds"], 900);
    assert_eq!(p["resolution"]["addresses"][0], "52.218.20.7");
    assert_eq!(p["tcp"][0]["outcome"], "connected", "{p}");
    let checks = r["checks"].as_array().unwrap();
    let s3p608 = checks.iter().find(|c| c["id"] == "S3P608").unwrap();
    assert_eq!(s3p608["status"], "pass", "{s3p608}");
}

impl Lab {
    /// tests/moto/proxy.py --aws-lists in the client namespace in front of the lab's moto
    /// (port 5000): the com.amazonaws.* lists a topology creates read as AWS-owned.
    fn aws_lists_proxy(&mut self) -> String {
        let client = self.client.clone();
        let log = self.dir.path().join("proxy.log");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/proxy.py");
        self.spawn(
            &client,
            &[
                "python3",
                script.to_str().unwrap(),
                "5001",
                "5000",
                log.to_str().unwrap(),
                "--aws-lists",
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !tcp_open(&client, "127.0.0.1", 5001) {
            assert!(Instant::now() < deadline, "the proxy did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        "http://127.0.0.1:5001".to_string()
    }
}

/// The lab's records with moto's S3 addresses (moto's eu-west-1 S3 list is 52.218.0.0/17,
/// as the lab's defaults) plus `extra` (name, address).
fn records_with(extra: &[(&str, &str)]) -> Vec<String> {
    let mut r = default_records();
    r.extend(extra.iter().map(|(n, a)| format!("--host-record={n},{a}")));
    r
}

const CREDS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// `route --subnet-id` judges the name each `--bucket` form really uses (issue 12), moto as
/// the EC2 API: an access point rides the S3 gateway endpoint; a directory bucket rides the
/// S3 Express gateway endpoint when there is one and the NAT gateway when there is only the S3
/// one (S3P702); a Multi-Region Access Point cannot use the gateway endpoint (S3P701, its
/// address is not derived: undetermined, and --expect exits 3); a FIPS URL cannot use the
/// interface endpoint (S3P701).
#[test]
fn route_judges_the_name_each_bucket_form_uses() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    let ap = "arn:aws:s3:eu-west-1:123456789012:accesspoint/reports";
    let ap_host = "reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com";
    let zonal = "logs--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com";
    struct Case {
        topology: &'static str,
        bucket: &'static str,
        expect: &'static str,
        host: &'static str,
        path: &'static str,
        via: Option<&'static str>,
        finding: Option<&'static str>,
        code: i32,
    }
    let cases = [
        Case {
            topology: "gateway-endpoint",
            bucket: ap,
            expect: "gateway-endpoint",
            host: ap_host,
            path: "gateway-endpoint",
            via: Some("gateway_endpoint"),
            // The lab's DNS has no record for the access point's name: its HeadBucket fails
            // (S3P603, an error), which says nothing about the path.
            finding: Some("S3P603"),
            code: 1,
        },
        Case {
            topology: "directory-s3express",
            bucket: "logs--euw1-az1--x-s3",
            expect: "gateway-endpoint",
            host: zonal,
            path: "gateway-endpoint",
            via: Some("s3express_endpoint"),
            finding: None,
            code: 0,
        },
        Case {
            topology: "directory-s3-only",
            bucket: "logs--euw1-az1--x-s3",
            expect: "gateway-endpoint",
            host: zonal,
            path: "nat-gateway",
            via: Some("nat"),
            finding: Some("S3P702"),
            code: 1,
        },
        Case {
            topology: "gateway-endpoint",
            bucket: "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
            expect: "gateway-endpoint",
            host: "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
            // Not derived (no list holds it), but the table's only route for public
            // addresses is 0.0.0.0/0 -> NAT: that is its path.
            path: "nat-gateway",
            via: Some("nat"),
            finding: Some("S3P701"),
            code: 1,
        },
        Case {
            topology: "interface-private-dns",
            bucket: "https://app-data.s3-fips.eu-west-1.amazonaws.com/reports/a.csv",
            expect: "interface-endpoint",
            host: "app-data.s3-fips.eu-west-1.amazonaws.com",
            path: "unknown",
            via: None,
            finding: Some("S3P701"),
            code: 3,
        },
    ];
    for case in cases {
        let mut lab = Lab::new(LabSpec::default());
        let (_, topo) = lab.moto_in_client(case.topology);
        let endpoint = lab.aws_lists_proxy();
        let subnet = topo["subnet"].as_str().unwrap();
        let mut env = CREDS.to_vec();
        env.push(("AWS_ENDPOINT_URL_EC2", &endpoint));
        let (code, r, stderr, took) = lab.s3path(
            "route",
            &[
                "--subnet-id",
                subnet,
                "--region",
                "eu-west-1",
                "--bucket",
                case.bucket,
                "--expect",
                case.expect,
                "--timeout",
                "8",
            ],
            &env,
        );
        let what = format!("{} / {}: {stderr}", case.topology, case.bucket);
        eprintln!("route {} took {took:?}", case.bucket);
        assert_eq!(r["verdict"]["host"], case.host, "{what}: {}", r["verdict"]);
        assert_eq!(r["verdict"]["path"], case.path, "{what}: {}", r["verdict"]);
        if let Some(key) = case.via {
            assert_eq!(r["verdict"]["via"], topo[key], "{what}: {}", r["verdict"]);
            assert_eq!(r["verdict"]["confidence"], "inferred", "{what}");
        }
        let ids = finding_ids(&r);
        if let Some(f) = case.finding {
            assert!(ids.contains(&f.to_string()), "{what}: {}", r["findings"]);
        }
        for quiet in ["S3P701", "S3P702", "S3P703", "S3P704"] {
            if Some(quiet) != case.finding {
                assert!(
                    !ids.contains(&quiet.to_string()),
                    "{what}: {}",
                    r["findings"]
                );
            }
        }
        assert_eq!(code, case.code, "{what}: {ids:?}");
        assert_eq!(r["names"][0]["input"], case.bucket, "{what}");
        assert_eq!(r["names"][0]["names"][0]["host"], case.host, "{what}");
    }
}

/// doctor on the host reads the application's settings: Transfer Acceleration in the
/// profile's `s3 =` block sends the bucket's requests to the accelerate name, past the gateway
/// endpoint (S3P704); AWS_USE_FIPS_ENDPOINT=true sends them to the FIPS name, which the
/// interface endpoint does not serve (S3P704). moto as the EC2 API, the lab's DNS answering the
/// names (the accelerate name with an address outside the S3 list).
#[test]
fn doctor_follows_settings_that_change_the_name() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    struct Case {
        topology: &'static str,
        record: (&'static str, &'static str),
        config: Option<&'static str>,
        env: Option<(&'static str, &'static str)>,
        bypassed: &'static str,
    }
    let cases = [
        Case {
            topology: "gateway-endpoint",
            record: ("app-data.s3-accelerate.amazonaws.com", "13.224.10.5"),
            config: Some("[default]\ns3 =\n  use_accelerate_endpoint = true\n"),
            env: None,
            bypassed: "gateway_endpoint",
        },
        Case {
            topology: "interface-private-dns",
            record: ("app-data.s3-fips.eu-west-1.amazonaws.com", "52.218.21.9"),
            config: None,
            env: Some(("AWS_USE_FIPS_ENDPOINT", "true")),
            bypassed: "interface_endpoint",
        },
    ];
    for case in cases {
        let records = records_with(&[case.record]);
        let mut lab = Lab::new(LabSpec {
            system_dns: records.clone(),
            vpc_dns: records,
            ..LabSpec::default()
        });
        let (endpoint, topo) = lab.moto_in_client(case.topology);
        let cfg = imds_config_for(
            topo["vpc"].as_str().unwrap(),
            topo["subnet"].as_str().unwrap(),
        );
        std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
        let config = lab.dir.path().join("aws-config");
        std::fs::write(&config, case.config.unwrap_or("[default]\n")).unwrap();
        let config_path = config.to_str().unwrap().to_string();
        let mut env = CREDS.to_vec();
        env.push(("AWS_ENDPOINT_URL_EC2", &endpoint));
        env.push(("AWS_CONFIG_FILE", &config_path));
        if let Some(e) = case.env {
            env.push(e);
        }
        let (code, r, stderr, took) = lab.doctor(&["--bucket", "app-data", "--timeout", "8"], &env);
        eprintln!("doctor with {} took {took:?}", case.record.0);
        let what = format!("{}: {stderr}", case.record.0);
        assert_eq!(
            r["verdict"]["host"], case.record.0,
            "{what}: {}",
            r["verdict"]
        );
        assert_eq!(
            r["verdict"]["path"], "nat-gateway",
            "{what}: {}",
            r["verdict"]
        );
        assert_eq!(r["verdict"]["via"], topo["nat"], "{what}");
        let f = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "S3P704")
            .unwrap_or_else(|| panic!("{what}: no S3P704 in {}", r["findings"]));
        let bypassed = topo[case.bypassed].as_str().unwrap();
        assert!(
            f["message"].as_str().unwrap().contains(bypassed),
            "{what}: {f}"
        );
        // (The lab routes no CloudFront address, so the probes of the accelerate name fail:
        // S3P501 may add an error there; the exit code is not what this test is about.)
        let _ = code;
    }
}

/// The bucket requests go to the name the application's settings plan: the dual-stack name
/// with AWS_USE_DUALSTACK_ENDPOINT=true, the path-style regional name with `addressing_style =
/// path` in the profile's `s3 =` block (moto serving S3 over TLS at 52.218.40.4, the lab's DNS
/// sending those names there).
#[test]
fn bucket_requests_use_the_name_the_settings_plan() {
    if common::skip("tests/lab.rs", common::LAB) {
        return;
    }
    type Case = (
        &'static str,
        Option<(&'static str, &'static str)>,
        Option<&'static str>,
    );
    let cases: [Case; 2] = [
        (
            "app-data.s3.dualstack.eu-west-1.amazonaws.com",
            Some(("AWS_USE_DUALSTACK_ENDPOINT", "true")),
            None,
        ),
        (
            "s3.eu-west-1.amazonaws.com",
            None,
            Some("[default]\ns3 =\n  addressing_style = path\n"),
        ),
    ];
    for (host, env_setting, config) in cases {
        let mut records: Vec<String> = bucket_records()
            .into_iter()
            .filter(|r| !r.contains(&format!("={host},")))
            .collect();
        records.push(format!("--host-record={host},52.218.40.4"));
        let (lab, endpoint, _) = bucket_lab_with(records);
        let config_file = lab.dir.path().join("aws-config");
        std::fs::write(&config_file, config.unwrap_or("[default]\n")).unwrap();
        let config_path = config_file.to_str().unwrap().to_string();
        let mut env = CREDS.to_vec();
        env.push(("AWS_ENDPOINT_URL_EC2", &endpoint));
        env.push(("AWS_CONFIG_FILE", &config_path));
        env.extend(env_setting);
        let (_, r, stderr, _) = lab.doctor(&["--bucket", "app-data"], &env);
        let app = &r["buckets"][0];
        let head = &app["requests"][0];
        assert_eq!(head["operation"], "HeadBucket", "{stderr}: {app}");
        assert_eq!(head["host"], host, "{app}");
        assert_eq!(head["address"], "52.218.40.4", "{head}");
        assert_eq!(head["status"], 200, "{head}");
        assert!(r["names"][0]["names"][0]["host"]
            .as_str()
            .unwrap()
            .ends_with(host));
    }
}

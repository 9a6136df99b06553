//! s3path's own calls through an HTTP proxy: the EC2 API (moto behind TLS with a certificate
//! for `ec2.eu-west-1.amazonaws.com` from the lab CA) lives in a namespace the client cannot
//! route to; the only way there is a CONNECT proxy (tests/lab/connect_proxy.py, asking for
//! Basic authentication) in a namespace between them. The credentials come from an
//! assume-role profile, so the SDK's client asks STS (the same moto) through the proxy too.
//! doctor reads the control plane through the proxy and says so; with `NO_PROXY` naming the
//! domain (and a route opened) it goes direct and says that.

use std::process::Command;
use std::time::Duration;

use crate::common;
use crate::harness::*;

const EC2_HOST: &str = "ec2.eu-west-1.amazonaws.com";
const STS_HOST: &str = "sts.eu-west-1.amazonaws.com";
const S3_HOST: &str = "app-data.s3.eu-west-1.amazonaws.com";
const API_ADDR: &str = "192.0.2.2";
const PROXY_ADDR: &str = "10.0.60.1";

/// The proxy's and the API's namespaces, removed when dropped.
struct ProxyNet {
    proxy_ns: String,
    api_ns: String,
    log: std::path::PathBuf,
}

impl Drop for ProxyNet {
    fn drop(&mut self) {
        for ns in [&self.proxy_ns, &self.api_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn script() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lab/connect_proxy.py")
        .to_str()
        .unwrap()
        .to_string()
}

/// client (10.0.60.10) — proxy namespace (10.0.60.1 | 192.0.2.1, no forwarding) — API
/// namespace (192.0.2.2: TLS on 443 in front of moto on its loopback). Returns the namespaces
/// and the `nat-only` topology built in moto.
fn proxy_net(lab: &mut Lab) -> (ProxyNet, serde_json::Value) {
    let id = lab.client[4..].to_string();
    let net = ProxyNet {
        proxy_ns: format!("s3px{id}"),
        api_ns: format!("s3pa{id}"),
        log: lab.dir.path().join("connect.log"),
    };
    for ns in [&net.proxy_ns, &net.api_ns] {
        sh(&["ip", "netns", "add", ns]);
        sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    veth(
        (&format!("p{id}"), &lab.client, "10.0.60.10/24"),
        (
            &format!("q{id}"),
            &net.proxy_ns,
            &format!("{PROXY_ADDR}/24"),
        ),
    );
    veth(
        (&format!("u{id}"), &net.proxy_ns, "192.0.2.1/24"),
        (&format!("v{id}"), &net.api_ns, &format!("{API_ADDR}/24")),
    );
    sh(&[
        "ip",
        "-n",
        &net.api_ns,
        "route",
        "add",
        "10.0.60.0/24",
        "via",
        "192.0.2.1",
    ]);
    // The certificate for the EC2 name, from the lab CA.
    let d = lab.dir.path().to_path_buf();
    let p = |n: &str| d.join(n).to_str().unwrap().to_string();
    sh(&[
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=ec2",
        "-keyout",
        &p("ec2.key"),
        "-out",
        &p("ec2.csr"),
    ]);
    std::fs::write(
        d.join("ec2.ext"),
        format!("subjectAltName=DNS:{EC2_HOST},DNS:{STS_HOST},DNS:{S3_HOST}\n"),
    )
    .unwrap();
    sh(&[
        "openssl",
        "x509",
        "-req",
        "-in",
        &p("ec2.csr"),
        "-CA",
        &p("ca.pem"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &p("ec2.ext"),
        "-out",
        &p("ec2.pem"),
    ]);
    let api = net.api_ns.clone();
    let moto = common::moto_command("127.0.0.1", 5000);
    let moto: Vec<&str> = moto.iter().map(String::as_str).collect();
    lab.spawn(&api, &moto);
    wait_tcp(
        &api,
        "127.0.0.1",
        5000,
        Duration::from_secs(30),
        "moto_server did not start",
    );
    let topo = common::topology_via(
        &["ip", "netns", "exec", &api],
        5000,
        "eu-west-1",
        "nat-only",
    );
    let s = script();
    let (cert, key) = (p("ec2.pem"), p("ec2.key"));
    lab.spawn(
        &api,
        &[
            "python3",
            &s,
            "tls-front",
            API_ADDR,
            "443",
            &cert,
            &key,
            "5000",
        ],
    );
    let log = net.log.to_str().unwrap().to_string();
    let map = format!("{EC2_HOST}={API_ADDR}");
    let sts_map = format!("{STS_HOST}={API_ADDR}");
    let s3_map = format!("{S3_HOST}={API_ADDR}");
    let proxy_ns = net.proxy_ns.clone();
    lab.spawn(
        &proxy_ns,
        &[
            "python3",
            &s,
            "connect",
            PROXY_ADDR,
            "3128",
            &log,
            "--map",
            &map,
            "--map",
            &sts_map,
            "--map",
            &s3_map,
            "--auth",
            "lab:Lab-Secret-7",
        ],
    );
    wait_tcp(
        &proxy_ns,
        API_ADDR,
        443,
        Duration::from_secs(10),
        "the TLS front did not start",
    );
    let client = lab.client.clone();
    wait_tcp(
        &client,
        PROXY_ADDR,
        3128,
        Duration::from_secs(10),
        "the proxy did not start",
    );
    (net, topo)
}

#[test]
fn doctor_reads_the_control_plane_through_a_connect_proxy_and_says_so() {
    if skip() {
        return;
    }
    let records = records_with(&[(EC2_HOST, API_ADDR), (STS_HOST, API_ADDR)]);
    let mut lab = Lab::new(LabSpec::answering(records));
    let (net, topo) = proxy_net(&mut lab);
    lab.place_instance(&topo);
    // The client resolves the EC2 name but has no route to it: only the proxy reaches it.
    assert!(
        !tcp_open(&lab.client, API_ADDR, 443),
        "the API must not be reachable directly"
    );
    let ca = lab.ca_bundle();
    // The credentials come from an assume-role profile: STS (moto, behind the same TLS front)
    // is asked through the proxy too, by the SDK's client.
    let config = lab.dir.path().join("aws-config");
    std::fs::write(
        &config,
        "[profile lab]\nrole_arn = arn:aws:iam::123456789012:role/lab\nsource_profile = base\nregion = eu-west-1\n[profile base]\nregion = eu-west-1\n",
    )
    .unwrap();
    let credentials = lab.dir.path().join("aws-credentials");
    std::fs::write(
        &credentials,
        "[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let (config, credentials) = (
        config.to_str().unwrap().to_string(),
        credentials.to_str().unwrap().to_string(),
    );
    let proxy_url = format!("http://lab:Lab-Secret-7@{PROXY_ADDR}:3128");
    let mut env = vec![
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.as_str()),
        ("AWS_PROFILE", "lab"),
    ];
    env.push(("HTTPS_PROXY", &proxy_url));
    let (_, r, stderr, took) = lab.doctor(&["--timeout", "10"], &env);
    eprintln!("doctor through the proxy took {took:?}");
    let log = std::fs::read_to_string(&net.log).unwrap_or_default();
    assert_eq!(
        fact(&r, "route_tables")["status"],
        "collected",
        "{stderr} {} proxy log: {log}",
        fact(&r, "route_tables")
    );
    // A decided verdict: the application's S3 traffic takes the same proxy, which is reached
    // inside the VPC (the control plane says so).
    assert_eq!(r["verdict"]["path"], "proxy", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], format!("{PROXY_ADDR}:3128"));
    assert_eq!(r["verdict"]["next"]["path"], "local", "{}", r["verdict"]);
    assert_ne!(r["exit_code"], 3, "{}", r["verdict"]);
    assert_eq!(
        r["vantage"]["aws_access"],
        format!("control plane through proxy {PROXY_ADDR}:3128 (HTTPS_PROXY); CA bundle {ca} (AWS_CA_BUNDLE)"),
        "{stderr}"
    );
    assert!(!r.to_string().contains("Lab-Secret-7") && !stderr.contains("Lab-Secret-7"));
    let log = std::fs::read_to_string(&net.log).unwrap_or_default();
    assert!(
        log.contains(&format!("CONNECT {EC2_HOST}:443 auth=yes 200")),
        "proxy log: {log}"
    );
    assert!(
        log.contains(&format!("CONNECT {STS_HOST}:443 auth=yes 200")),
        "proxy log: {log}"
    );
    // The human report says it on the vantage line.
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.client,
            env!("CARGO_BIN_EXE_s3path"),
            "doctor",
        ])
        .args(["--format", "human", "--timeout", "10"])
        .envs(env.iter().copied())
        .env("AWS_CA_BUNDLE", &ca)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(&format!("control plane through proxy {PROXY_ADDR}:3128")),
        "{human}"
    );

    // NO_PROXY names the domain: the calls go direct (a route to the API opened for them),
    // and the proxy sees nothing more.
    sh(&[
        "ip",
        "netns",
        "exec",
        &net.proxy_ns,
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
    ]);
    sh(&[
        "ip",
        "-n",
        &lab.client,
        "route",
        "add",
        "192.0.2.0/24",
        "via",
        PROXY_ADDR,
    ]);
    let before = std::fs::read_to_string(&net.log).unwrap_or_default();
    env.push(("NO_PROXY", "localhost,.amazonaws.com"));
    let (_, r, stderr, _) = lab.doctor(&["--timeout", "10"], &env);
    assert_eq!(
        fact(&r, "route_tables")["status"],
        "collected",
        "{stderr} {}",
        fact(&r, "route_tables")
    );
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], topo["nat"]);
    assert_eq!(
        r["vantage"]["aws_access"],
        format!("control plane direct (NO_PROXY .amazonaws.com); CA bundle {ca} (AWS_CA_BUNDLE)"),
        "{stderr}"
    );
    let after = std::fs::read_to_string(&net.log).unwrap_or_default();
    assert_eq!(before, after, "NO_PROXY: nothing went to the proxy");
}

/// `route --bucket --probe-from-here` on a machine whose only way out is the proxy: the bucket
/// requests (HeadBucket, GetBucketPolicy) are s3path's own, so they go through the proxy this
/// machine's variables name, as the EC2 calls do (one connector: `CONNECT` with the proxy's
/// credentials, the CA bundle). The S3 request names the host and no address (the proxy
/// resolved it). With `NO_PROXY` naming the S3 domain, the bucket requests go direct through
/// the pinned resolver again (the lab DNS's address) and the proxy sees no S3 `CONNECT`.
#[test]
fn route_probe_from_here_sends_the_bucket_requests_through_this_machines_proxy() {
    if skip() {
        return;
    }
    let records = records_with(&[(EC2_HOST, API_ADDR)]);
    let mut lab = Lab::new(LabSpec::answering(records));
    let (net, topo) = proxy_net(&mut lab);
    let create = "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:5000/app-data', data=b'<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>', method='PUT'))";
    sh(&["ip", "netns", "exec", &net.api_ns, "python3", "-c", create]);
    let subnet = topo["subnet"].as_str().unwrap();
    let proxy_url = format!("http://lab:Lab-Secret-7@{PROXY_ADDR}:3128");
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("HTTPS_PROXY", proxy_url.as_str()),
    ];
    let args = [
        "--subnet-id",
        subnet,
        "--region",
        "eu-west-1",
        "--bucket",
        "app-data",
        "--probe-from-here",
        "--timeout",
        "10",
    ];
    let (_, r, stderr, took) = lab.s3path("route", &args, &env);
    eprintln!("route --probe-from-here through the proxy took {took:?}");
    let log = std::fs::read_to_string(&net.log).unwrap_or_default();
    assert_eq!(
        fact(&r, "route_tables")["status"],
        "collected",
        "{stderr} proxy log: {log}"
    );
    let b = &r["buckets"][0];
    assert_eq!(b["requests_from"], "this-machine", "{stderr}");
    let head = &b["requests"][0];
    assert_eq!(head["operation"], "HeadBucket", "{b}");
    assert_eq!(head["status"], 200, "{b} proxy log: {log}");
    assert_eq!(head["host"], S3_HOST, "{head}");
    assert!(
        head.get("address").is_none(),
        "the proxy resolved it: {head}"
    );
    assert!(
        log.contains(&format!("CONNECT {S3_HOST}:443 auth=yes 200")),
        "proxy log: {log}"
    );
    assert_eq!(
        r["vantage"]["aws_access"],
        format!(
            "control plane through proxy {PROXY_ADDR}:3128 (HTTPS_PROXY); CA bundle {} (AWS_CA_BUNDLE)",
            lab.ca_bundle()
        ),
        "{stderr}"
    );
    assert!(!r.to_string().contains("Lab-Secret-7") && !stderr.contains("Lab-Secret-7"));

    // NO_PROXY names the S3 domain only: the bucket requests go direct (to the lab DNS's
    // address for the name), the EC2 calls still through the proxy.
    let before = std::fs::read_to_string(&net.log).unwrap_or_default();
    env.push(("NO_PROXY", ".s3.eu-west-1.amazonaws.com"));
    let (_, r, stderr, _) = lab.s3path("route", &args, &env);
    let head = &r["buckets"][0]["requests"][0];
    assert_eq!(head["address"], "52.218.20.7", "{stderr} {head}");
    let after = std::fs::read_to_string(&net.log).unwrap_or_default();
    let new = &after[before.len().min(after.len())..];
    assert!(!new.contains(S3_HOST), "proxy log: {new}");
    assert!(
        new.contains(&format!("CONNECT {EC2_HOST}:443")),
        "proxy log: {new}"
    );
    let access = r["vantage"]["aws_access"].as_str().unwrap_or_default();
    assert!(
        access.starts_with(&format!(
            "control plane through proxy {PROXY_ADDR}:3128 (HTTPS_PROXY); SDK calls (STS, S3) direct (NO_PROXY .s3.eu-west-1.amazonaws.com)"
        )),
        "{access}"
    );
}

//! Network-namespace lab: the real `s3path doctor` runs inside a client namespace with its own
//! resolv.conf and hosts file, a dnsmasq as the system resolver (10.0.0.2) and another as the
//! VPC resolver (169.254.169.253), an IMDSv2 stub at 169.254.169.254, a router namespace that
//! either answers TTL-expired probes (NAT-like) or stays silent (gateway-endpoint-like), and an
//! "S3" namespace holding the public S3 addresses (on its loopback) with listeners on 443.
//!
//! Needs root, `ip` (iproute2), `dnsmasq`, `nft` (nftables) and python3; `.ci/run` installs
//! them. Traffic stays inside the namespaces each test creates. Namespaces are removed when
//! the lab is dropped, also when a test fails.
//!
//! One test binary (`cargo test --test lab`), one module per area:
//! - [`harness`]: the namespaces, resolvers, stubs, listeners, routers and moto of a lab;
//! - [`imds`]: the vantage (instance metadata, task metadata, off AWS) and its time limits;
//! - [`dns`]: the hosts file, resolver failures and disagreements, the VPC resolver;
//! - [`probes`]: first-hop, TCP and TLS probes;
//! - [`settings`]: the application's settings (proxies, endpoint URLs, presigned URLs, the
//!   AWS CLI, settings that change the name) and the secrets they carry;
//! - [`doctor_ec2`]: doctor and route with the control plane (moto as the EC2 API);
//! - [`buckets`]: the real bucket requests;
//! - [`proxy`]: s3path's own calls through an HTTP CONNECT proxy, and NO_PROXY;
//! - [`bench`]: the benchmarks (ignored; `cargo test --release --test lab -- --ignored bench`).

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod bench;
mod buckets;
mod dns;
mod doctor_ec2;
mod imds;
mod probes;
mod proxy;
mod settings;

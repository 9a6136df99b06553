//! Help that is more than an option list: each command's examples (`--help`, its man page),
//! the path kinds `--expect` accepts (`s3path explain kinds`, said once rather than in every
//! command's help), and the manual pages (`s3path man [COMMAND]`, `--out-dir`).

use std::path::Path;

use crate::engine::PathKind;
use crate::input::InputError;

pub const DOCTOR: &str = "Examples:
  s3path doctor --bucket my-bucket
      the path this host's traffic to my-bucket takes, and why
  s3path doctor --bucket my-bucket --expect gateway-endpoint
      a gate: exit 1 when another path is taken, 3 when it cannot tell
  s3path doctor --format json --save-facts facts.json > report.json
      a report for a ticket, and the facts to replay it anywhere";

pub const ROUTE: &str = "Examples:
  s3path route --subnet-id subnet-0abc --region eu-west-1
      the path from a subnet, from the control plane only (laptop, CI)
  s3path route --instance-id i-0abc --bucket my-bucket --expect gateway-endpoint,interface-endpoint
      a CI gate for an instance's subnet and a bucket";

pub const REPLAY: &str = "Examples:
  s3path replay facts.json
      judge facts saved with doctor --save-facts, offline
  s3path replay facts.json --format markdown > ticket.md
      the same report for a ticket";

pub const EXPLAIN: &str = "Examples:
  s3path explain S3P103
      a check's page: what it means, why it matters, how to fix it
  s3path explain s3-via-nat-gateway
      the same page, by name
  s3path explain kinds
      the path kinds --expect accepts";

pub const CHECKS: &str = "Examples:
  s3path checks
      every check: ID, name, category, severity, status
  s3path checks --format json";

pub const MERGE: &str = "Examples:
  s3path merge reports/
      one fleet view of every reports/*.json (doctor or route --format json)
  s3path merge a.json b.json --format html > fleet.html
      the same as one self-contained page";

pub const AUDIT: &str = "Examples:
  s3path audit --region eu-west-1
      every subnet of the region, grouped by VPC, worst first
  s3path audit --region eu-west-1 --expect gateway-endpoint --cost
      a drift gate, and what the NAT gateways on S3 paths cost
  s3path audit --all-regions --format html > audit.html
      every region, as one self-contained page";

pub const FLEET: &str = "Examples:
  s3path fleet --targets tag:Team=data --bucket my-bucket
      run doctor on every instance tagged Team=data (SSM) and merge the reports
  s3path fleet --instance-ids i-0abc,i-0def --expect gateway-endpoint
      a gate over some instances";

pub const NAMES: &str = "Examples:
  s3path names my-bucket --region eu-west-1
      the host names an SDK uses for my-bucket, and the endpoints they can use
  s3path names s3://my-bucket/key arn:aws:s3:eu-west-1:111122223333:accesspoint/ap";

pub const COMPLETIONS: &str = "Examples:
  s3path completions bash > /etc/bash_completion.d/s3path
  s3path completions zsh > \"${fpath[1]}/_s3path\"";

pub const MAN: &str = "Examples:
  s3path man | man -l -
      this manual
  s3path man doctor | man -l -
      the manual of one command
  s3path man --out-dir /usr/local/share/man/man1
      every page (s3path.1, s3path-doctor.1, …)";

/// One line on a path kind, for `s3path explain kinds`.
fn kind_line(k: PathKind) -> &'static str {
    match k {
        PathKind::GatewayEndpoint => "an S3 gateway VPC endpoint on the subnet's route table",
        PathKind::InterfaceEndpoint => {
            "an S3 interface VPC endpoint (PrivateLink), by its DNS names or private DNS"
        }
        PathKind::ResourceEndpoint => "a VPC resource endpoint (VPC Lattice resource)",
        PathKind::ServiceNetworkEndpoint => "a VPC Lattice service network endpoint",
        PathKind::Local => "an address inside the VPC's own CIDR blocks (the local route)",
        PathKind::GatewayLoadBalancerEndpoint => {
            "a Gateway Load Balancer endpoint (inspection appliance)"
        }
        PathKind::NatGateway => "a NAT gateway (charges data processing per GB)",
        PathKind::InternetGateway => "an internet gateway (public address on the instance)",
        PathKind::EgressOnlyInternetGateway => "an egress-only internet gateway (IPv6)",
        PathKind::TransitGateway => "a transit gateway (centralised egress elsewhere)",
        PathKind::VpcPeering => "a VPC peering connection",
        PathKind::VirtualPrivateGateway => "a virtual private gateway (VPN, Direct Connect)",
        PathKind::NetworkInterface => "a network interface (an appliance or instance)",
        PathKind::CarrierGateway => "a carrier gateway (Wavelength)",
        PathKind::LocalGateway => "a local gateway (Outposts)",
        PathKind::CoreNetwork => "an AWS Cloud WAN core network",
        PathKind::UnrecognizedGateway => "a route target whose ID s3path does not know",
        PathKind::Proxy => "an HTTP(S) proxy from the proxy variables",
        PathKind::OffAws => "not in a VPC: the host's own network",
        PathKind::Blocked => "no working path (no route, a dead target, a blackhole)",
        PathKind::Unknown => "the path could not be decided (never accepted by --expect)",
    }
}

/// `s3path explain kinds`: every kind `--expect` accepts, one per line.
pub fn kinds() -> String {
    let kinds: Vec<PathKind> = PathKind::ALL
        .into_iter()
        .filter(|k| *k != PathKind::Unknown)
        .collect();
    let width = kinds.iter().map(|k| k.as_str().len()).max().unwrap_or(0);
    let mut out = String::from(
        "Path kinds (--expect KIND[,KIND...]; a verdict meets it only when confirmed or inferred):\n",
    );
    for k in kinds {
        out.push_str(&format!("  {:<width$}  {}\n", k.as_str(), kind_line(k)));
    }
    out
}

/// The command line's commands as clap builds them (display names `s3path-doctor`, …).
fn built(root: clap::Command) -> clap::Command {
    let mut cmd = root.disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// A page, its source naming s3path and its version (a command's own page would say none).
fn man(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("s3path {}", env!("CARGO_PKG_VERSION")))
}

fn render(cmd: clap::Command) -> Result<String, InputError> {
    let mut out = Vec::new();
    man(cmd)
        .render(&mut out)
        .map_err(|e| InputError(format!("cannot render the manual page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The manual page of `s3path` (no `command`) or of one command (`s3path-doctor(1)`).
pub fn man_page(root: clap::Command, command: Option<&str>) -> Result<String, InputError> {
    let cmd = built(root);
    match command {
        None => render(cmd),
        Some(name) => {
            let sub = cmd.find_subcommand(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                InputError(format!(
                    "man '{}': not a command; choose {}",
                    crate::render::escape::line(name),
                    names.join(", ")
                ))
            })?;
            render(sub)
        }
    }
}

/// Every page (`s3path.1` and `s3path-COMMAND.1`) written to `dir`, so the references between
/// them resolve once installed. Returns the files written.
pub fn man_pages_to(root: clap::Command, dir: &Path) -> Result<Vec<String>, InputError> {
    let cmd = built(root);
    let mut written = Vec::new();
    let mut pages: Vec<clap::Command> = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().cloned());
    for page in pages {
        let man = man(page);
        let path = man.generate_to(dir).map_err(|e| {
            InputError(format!(
                "man --out-dir {}: cannot write {}: {e}",
                dir.display(),
                man.get_filename()
            ))
        })?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

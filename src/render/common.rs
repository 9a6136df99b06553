//! What the human and Markdown renderers share: their options, cells and words.

use crate::report::Report;

/// How the human report is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Colour and symbols (a terminal that wants them).
    pub styled: bool,
    /// `-v`: every address, each finding's evidence, skipped checks, facts not gathered,
    /// timings.
    pub verbose: bool,
}

/// Address column text: the address, or the resolution status when there is none.
pub(super) fn address_cells(
    t: &crate::engine::TargetPath,
) -> Vec<(String, &crate::engine::Decision)> {
    if t.addresses.is_empty() {
        let text = if t.decision.path == crate::engine::PathKind::Proxy {
            "(the proxy resolves it)".to_string()
        } else {
            format!("({})", t.resolution.replace('_', " "))
        };
        vec![(text, &t.decision)]
    } else {
        t.addresses
            .iter()
            .map(|a| (a.address.to_string(), &a.decision))
            .collect()
    }
}

/// `path via X` plus, for a proxy, ` => path to proxy`.
pub(super) fn path_cell(d: &crate::engine::Decision) -> String {
    let mut s = d.label();
    if let Some(n) = &d.next {
        s.push_str(&format!(" => {}", n.label()));
    }
    s
}

pub(super) fn confidence_word(c: crate::engine::Confidence) -> &'static str {
    match c {
        crate::engine::Confidence::Confirmed => "confirmed",
        crate::engine::Confidence::Inferred => "inferred",
        crate::engine::Confidence::Probable => "probable",
        crate::engine::Confidence::Undetermined => "undetermined",
    }
}

pub(super) fn evidence_kind(k: crate::engine::EvidenceKind) -> &'static str {
    use crate::engine::EvidenceKind::*;
    match k {
        Dns => "dns",
        HostsFile => "hosts",
        VpcCidr => "vpc-cidr",
        Eni => "eni",
        Route => "route",
        PrefixList => "prefix-list",
        Proxy => "proxy",
        Probe => "probe",
        Vantage => "vantage",
        Assumption => "assumption",
        Missing => "missing",
    }
}

pub(super) fn vantage_line(r: &Report) -> String {
    let v = &r.vantage;
    let mut parts = vec![format!("s3path {}", r.tool_version)];
    parts.push(match &r.region {
        Some(reg) => format!("region {reg}"),
        None => "region unknown".to_string(),
    });
    match &v.kind {
        Some(kind) => {
            let name = match kind {
                crate::facts::VantageKind::Ec2Instance => "EC2 instance",
                crate::facts::VantageKind::EcsTask => "ECS task",
                crate::facts::VantageKind::OffAws => "not on AWS",
                crate::facts::VantageKind::Subnet => "subnet (control plane only)",
            };
            let ids: Vec<&str> = [
                &v.instance_id,
                &v.availability_zone,
                &v.subnet_id,
                &v.vpc_id,
            ]
            .into_iter()
            .filter_map(|x| x.as_deref())
            .collect();
            if ids.is_empty() {
                parts.push(name.to_string());
            } else {
                parts.push(format!("{name} {}", ids.join(" ")));
            }
        }
        None => parts.push(format!("vantage {}", v.status)),
    }
    if let Some(a) = &v.aws_access {
        parts.push(a.clone());
    }
    parts.join(" · ")
}

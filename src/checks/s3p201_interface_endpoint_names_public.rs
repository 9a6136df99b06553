use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::join_ips;
use crate::facts::Part;
use crate::facts::{AnswerSource, EndpointType};
use crate::names::HostKind;

check! {
    InterfaceEndpointNamesPublic, "S3P201", "interface-endpoint-names-public", Dns, Warning, Stable,
    "an S3 interface endpoint exists but the regional S3 names resolve to public addresses"
}

impl InterfaceEndpointNamesPublic {
    fn run(cx: &Context) -> CheckResult {
        let Some(interfaces) = cx.s3_endpoints(EndpointType::Interface) else {
            return Err(cx.missing(Part::VpcEndpoints));
        };
        if cx.facts.dns.get().is_none() {
            return Err(cx.missing(Part::Dns));
        }
        let interfaces: Vec<_> = interfaces
            .into_iter()
            .filter(|e| e.is_available())
            .collect();
        if interfaces.is_empty() {
            return pass();
        }
        let has_gateway = cx
            .s3_endpoints(EndpointType::Gateway)
            .is_some_and(|g| g.iter().any(|e| e.is_available()));
        let eni_ips: Vec<_> = interfaces
            .iter()
            .flat_map(|e| e.network_interfaces.iter().flat_map(|n| n.addresses()))
            .collect();
        // Regional names answered by DNS (a hosts-file pin is S3P401's business).
        let public: Vec<_> = cx
            .analysis
            .targets
            .iter()
            .filter(|t| t.target.planned_family() == Some(HostKind::Regional))
            .filter(|t| !cx.cross_region(t))
            .filter(|t| t.answer_source == Some(AnswerSource::Dns) && !t.addresses.is_empty())
            .filter(|t| t.addresses.iter().all(|a| !eni_ips.contains(&a.address)))
            .collect();
        if public.is_empty() {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let mut drafts = Vec::new();
        for ep in interfaces {
            let inbound_only = ep.private_dns_only_for_inbound_resolver_endpoint == Some(true);
            if ep.private_dns_enabled && inbound_only && has_gateway {
                // By design: in-VPC clients get public answers and ride the gateway endpoint;
                // only on-premises clients (via an inbound resolver) get the ENIs.
                continue;
            }
            let names: Vec<String> = public
                .iter()
                .map(|t| {
                    let ips: Vec<_> = t.addresses.iter().map(|a| a.address).collect();
                    format!(
                        "{} -> {} ({})",
                        t.target.host,
                        join_ips(&ips),
                        t.decision.label()
                    )
                })
                .collect();
            let specific = ep
                .regional_dns_name()
                .map(|n| format!("https://bucket.{n}"))
                .unwrap_or_else(|| "https://bucket.VPCE_DNS_NAME".to_string());
            let mut d = if !ep.private_dns_enabled {
                Draft::new(format!(
                    "interface endpoint {} has private DNS disabled, so the regional S3 names resolve to public addresses and do not use it; only clients configured with its endpoint-specific names do",
                    ep.id
                ))
                .fix(format!(
                    "point clients at the endpoint (AWS CLI v2.1 or later: v1 cannot use bucket.vpce-… names{}): aws s3 ls s3://BUCKET --region {region} --endpoint-url {specific}",
                    match cx.facts.client_settings.get().and_then(|s| s.aws_cli_major().map(|m| (m, s))) {
                        Some((1, s)) => format!(
                            ", and this host has {}",
                            s.aws_cli.get().map(String::as_str).unwrap_or("v1")
                        ),
                        _ => String::new(),
                    }
                ))
                .fix(format!(
                    "or enable private DNS: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --private-dns-enabled",
                    ep.id
                ))
            } else if inbound_only {
                Draft::new(format!(
                    "interface endpoint {} has private DNS only for the inbound resolver endpoint, but no available S3 gateway endpoint carries the in-VPC traffic",
                    ep.id
                ))
                .fix(format!(
                    "aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --dns-options PrivateDnsOnlyForInboundResolverEndpoint=false",
                    ep.id
                ))
            } else {
                Draft::new(format!(
                    "interface endpoint {} has private DNS enabled, yet the regional S3 names resolve to public addresses: private DNS is not in effect for this host (custom DNS server, forwarding rule, or VPC DNS attributes off)",
                    ep.id
                ))
                .fix(format!("compare: dig +short s3.{region}.amazonaws.com @169.254.169.253 and dig +short s3.{region}.amazonaws.com"))
                .fix("if the host uses its own DNS server, forward amazonaws.com queries to the VPC resolver (169.254.169.253 or the VPC base address +2)")
            };
            if let Some(servers) = cx.facts.dhcp_dns_servers.get() {
                if !servers.is_empty() && !servers.iter().all(|s| s == "AmazonProvidedDNS") {
                    d = d.evidence(format!(
                        "the VPC's DHCP options hand out DNS servers {}: unless they forward to the VPC resolver, private DNS never reaches the instances",
                        servers.join(", ")
                    ));
                }
            }
            for n in &names {
                d = d.evidence(n.clone());
            }
            let ips: Vec<_> = ep
                .network_interfaces
                .iter()
                .flat_map(|n| n.addresses())
                .collect();
            d = d.evidence(format!("{} ENI addresses: {}", ep.id, join_ips(&ips)));
            drafts.push(d);
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}

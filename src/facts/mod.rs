//! The `Facts` value: everything a verdict needs, gathered once, serializable and versioned.
//!
//! Every part is an [`Observed`]: collected (with its value), not collected (with the reason)
//! or failed (with the error). The path engine and the checks read only this value, so a
//! saved facts file can be judged again offline with `s3path replay`.

mod access;
mod buckets;
mod clock;
pub mod fleet;
mod host;
pub mod inventory;
pub mod limits;
mod network;
mod observed;
mod route_target;
mod states;
mod transit;

use serde::{Deserialize, Serialize};

pub use access::*;
pub use buckets::*;
pub use clock::*;
pub use host::*;
pub use network::*;
pub(crate) use observed::observed_parts;
pub use observed::{Failure, Observed, PartOf};
pub use route_target::{RouteTableAssociation, RouteTarget};
pub use states::{
    AclAction, AddressFamily, AttachmentState, EndpointIpAddressType, EndpointState, IpProtocol,
    NatConnectivity, NatState, RouteOrigin, RouteState,
};
pub use transit::*;

/// Version of the facts file format. Bump it when a field changes meaning or a required field
/// is added; `replay` refuses files from a newer version instead of misreading them.
pub const FACTS_SCHEMA_VERSION: u32 = 1;

/// Everything s3path knows about one vantage point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub schema_version: u32,
    /// Version of the s3path that gathered these facts (informational).
    #[serde(default)]
    pub tool_version: String,
    /// When the facts were gathered (RFC 3339, informational; never read by the judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gathered_at: Option<String>,
    /// What the run was asked about.
    pub request: Request,
    #[serde(default)]
    pub vantage: Observed<Vantage>,
    /// How the instance metadata service behaved (reachability, IMDSv2 token).
    #[serde(default)]
    pub metadata_service: Observed<MetadataService>,
    /// Answers of the system resolver (including the hosts file), one per host asked.
    #[serde(default)]
    pub dns: Observed<Vec<Resolution>>,
    /// Answers of the VPC resolver asked directly (to compare with the system view).
    #[serde(default)]
    pub vpc_resolver_dns: Observed<Vec<Resolution>>,
    /// Every route table of the vantage's VPC.
    #[serde(default)]
    pub route_tables: Observed<Vec<RouteTable>>,
    /// Every VPC endpoint of the vantage's VPC.
    #[serde(default)]
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    /// Managed prefix lists: every list a route of the VPC names (customer-managed and
    /// AWS-managed, both address families) and the region's S3 list, with their entries.
    #[serde(default)]
    pub prefix_lists: Observed<Vec<PrefixList>>,
    /// The internet gateways the VPC's routes name, with their attachments.
    #[serde(default)]
    pub internet_gateways: Observed<Vec<InternetGateway>>,
    #[serde(default)]
    pub vpc_dns_attributes: Observed<VpcDnsAttributes>,
    /// `domain-name-servers` of the VPC's DHCP options (`AmazonProvidedDNS` or custom servers).
    #[serde(default)]
    pub dhcp_dns_servers: Observed<Vec<String>>,
    /// NAT gateways of the VPC.
    #[serde(default)]
    pub nat_gateways: Observed<Vec<NatGateway>>,
    /// Security groups of the VPC (the vantage's and the endpoints' among them).
    #[serde(default)]
    pub security_groups: Observed<Vec<SecurityGroup>>,
    /// Network ACLs of the VPC.
    #[serde(default)]
    pub network_acls: Observed<Vec<NetworkAcl>>,
    /// Proxy and SDK settings of the environment the tool ran in.
    #[serde(default)]
    pub client_settings: Observed<ClientSettings>,
    /// Live probes (TCP/TLS/first hop).
    #[serde(default)]
    pub probes: Observed<Probes>,
    /// One entry per `--bucket`: its region, the real read-only requests made to it, its
    /// bucket policy.
    #[serde(default)]
    pub buckets: Observed<Vec<BucketFacts>>,
    /// `--presigned URL`: where the URL's host resolves and whether it connects.
    #[serde(default)]
    pub presigned: Observed<PresignedCheck>,
    /// The host clock against the `Date` of the AWS answers s3path's own signed calls got.
    #[serde(default)]
    pub clock: Observed<ClockSkew>,
    /// Beyond a transit gateway the VPC's routes name: the attachments, the transit gateway
    /// route tables and the VPCs they lead to (hub-and-spoke).
    #[serde(default)]
    pub transit: Observed<Transit>,
    /// How s3path itself reached AWS for its own calls: direct or through a proxy, and the CA
    /// bundle it trusted (informational, never judged; absent when it made no call of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access: Option<AwsAccess>,
    /// Where the gather's time went: each phase, when it started and how long it took
    /// (informational, never judged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<PhaseTiming>,
}

observed_parts!(
    Facts,
    /// One part of the [`Facts`].
    Part,
    handles: parts,
    others: [
        schema_version = FACTS_SCHEMA_VERSION,
        tool_version = env!("CARGO_PKG_VERSION").to_string(),
        gathered_at = None,
        request = Request::default(),
        timings = Vec::new(),
        aws_access = None,
    ],
    parts: [
        Vantage => vantage: Vantage, "the vantage";
        MetadataService => metadata_service: MetadataService, "the metadata service";
        Dns => dns: Vec<Resolution>, "DNS answers";
        VpcResolverDns => vpc_resolver_dns: Vec<Resolution>, "VPC resolver answers";
        RouteTables => route_tables: Vec<RouteTable>, "route tables";
        VpcEndpoints => vpc_endpoints: Vec<VpcEndpoint>, "VPC endpoints";
        PrefixLists => prefix_lists: Vec<PrefixList>, "prefix lists";
        InternetGateways => internet_gateways: Vec<InternetGateway>, "internet gateways";
        VpcDnsAttributes => vpc_dns_attributes: VpcDnsAttributes, "VPC DNS attributes";
        DhcpDnsServers => dhcp_dns_servers: Vec<String>, "DHCP DNS servers";
        NatGateways => nat_gateways: Vec<NatGateway>, "NAT gateways";
        SecurityGroups => security_groups: Vec<SecurityGroup>, "security groups";
        NetworkAcls => network_acls: Vec<NetworkAcl>, "network ACLs";
        ClientSettings => client_settings: ClientSettings, "client settings";
        Probes => probes: Probes, "probes";
        Buckets => buckets: Vec<BucketFacts>, "bucket facts";
        Presigned => presigned: PresignedCheck, "presigned URL";
        Clock => clock: ClockSkew, "the host clock";
        Transit => transit: Transit, "transit gateway hops";
    ]
);

impl Part {
    /// The parts read from the EC2 API about the vantage's VPC.
    pub const CONTROL_PLANE: &'static [Part] = &[
        Part::RouteTables,
        Part::VpcEndpoints,
        Part::PrefixLists,
        Part::InternetGateways,
        Part::VpcDnsAttributes,
        Part::DhcpDnsServers,
        Part::NatGateways,
        Part::SecurityGroups,
        Part::NetworkAcls,
    ];
}

/// One phase of a gather: `identity`, `dns`, `control-plane`, `probes`, `buckets`, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTiming {
    pub phase: String,
    /// Milliseconds from the start of the run.
    pub started_ms: f64,
    pub took_ms: f64,
}

impl Facts {
    /// An empty facts value for `request`: every part not collected with `reason`.
    pub fn empty(request: Request, reason: &str) -> Self {
        let mut facts = Facts {
            request,
            ..Facts::default()
        };
        let status = Observed::not_collected(reason);
        for part in Part::ALL {
            facts.set_status(*part, &status);
        }
        facts
    }

    /// The region the facts are about: the request's, else the vantage's.
    pub fn region(&self) -> Option<&str> {
        self.request
            .region
            .as_deref()
            .or_else(|| self.vantage.get().and_then(|v| v.region.as_deref()))
    }

    /// The VPC's endpoints of type `ty` that serve S3 in `region`, when the endpoints were
    /// collected.
    pub fn s3_endpoints(&self, region: &str, ty: EndpointType) -> Option<Vec<&VpcEndpoint>> {
        Some(
            self.vpc_endpoints
                .get()?
                .iter()
                .filter(|e| e.endpoint_type == ty && e.is_s3_service(region))
                .collect(),
        )
    }

    /// `(bucket, region)` for every bucket whose region S3 told.
    pub fn bucket_regions(&self) -> Vec<(String, String)> {
        self.buckets
            .get()
            .map(|bs| {
                bs.iter()
                    .filter_map(|b| b.region.get().map(|r| (b.name.clone(), r.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The facts about bucket `name`, when gathered.
    pub fn bucket(&self, name: &str) -> Option<&BucketFacts> {
        self.buckets.get()?.iter().find(|b| b.name == name)
    }

    /// The system resolver's answer for `host`, when one was recorded.
    pub fn resolution(&self, host: &str) -> Option<&Resolution> {
        self.dns
            .get()
            .and_then(|d| d.iter().find(|r| r.host.eq_ignore_ascii_case(host)))
            .or_else(|| {
                self.presigned
                    .get()
                    .map(|p| &p.resolution)
                    .filter(|r| r.host.eq_ignore_ascii_case(host))
            })
    }
}

/// The largest facts file `replay` reads.
pub const MAX_FACTS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What the run was asked about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Request {
    /// The region to judge against (from `--region`, the environment or the vantage).
    #[serde(default)]
    pub region: Option<String>,
    /// Buckets named with `--bucket`, in order; the first decides the primary target.
    #[serde(default)]
    pub buckets: Vec<String>,
    /// `--key`: the object key checked in every bucket and used for policy evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Seconds since the Unix epoch as RFC 3339 UTC (`2026-11-26T01:02:03Z`); years past 9999
/// (out of the `time` crate's range) are written as 9999-12-31T23:59:59Z.
pub fn rfc3339(secs: u64) -> String {
    let t = i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(|| time::PrimitiveDateTime::MAX.assume_utc());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_795_741_323, "2026-11-27T01:02:03Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
        ] {
            assert_eq!(rfc3339(secs), want);
        }
    }

    #[test]
    fn every_part_has_a_distinct_name_and_label() {
        let mut names: Vec<_> = Part::ALL.iter().map(|p| p.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Part::ALL.len());
        // The name is the field's name in a facts file.
        let json = serde_json::to_value(Facts::default()).unwrap();
        for p in Part::ALL {
            assert_eq!(json[p.name()]["status"], "not_collected", "{p}");
            assert_eq!(serde_json::to_value(p).unwrap(), p.name());
        }
    }

    #[test]
    fn empty_and_set_status_reach_every_part() {
        let mut f = Facts::empty(Request::default(), "why");
        for &p in Part::ALL {
            assert_eq!(f.status(p), Observed::not_collected("why"), "{p}");
            f.set_status(p, &Observed::failed("boom"));
            assert_eq!(f.status(p), Observed::failed("boom"), "{p}");
        }
        for &p in Part::CONTROL_PLANE {
            assert!(Part::ALL.contains(&p));
        }
    }

    #[test]
    fn limits_cover_dhcp_servers_and_presigned_answers() {
        let f = Facts {
            dhcp_dns_servers: Observed::collected(vec!["10.0.0.2".into(); limits::ADDRESSES + 1]),
            ..Facts::default()
        };
        let e = f.check_limits().unwrap_err();
        assert!(e.starts_with("dhcp_dns_servers has"), "{e}");
    }

    fn endpoint_of(id: &str, endpoint_type: EndpointType) -> VpcEndpoint {
        VpcEndpoint {
            id: id.into(),
            vpc_id: None,
            endpoint_type,
            service_name: None,
            state: EndpointState::Available,
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interfaces: vec![],
            dns_entries: vec![],
            private_dns_enabled: false,
            private_dns_only_for_inbound_resolver_endpoint: None,
            security_group_ids: vec![],
            policy_document: None,
            ip_address_type: None,
            resource_configuration_arn: None,
        }
    }

    fn route_to(dest: &str, target: RouteTarget) -> Route {
        let mut r = Route::default();
        if dest.starts_with("pl-") {
            r.destination_prefix_list_id = Some(dest.into());
        } else {
            r.destination_cidr_block = Some(dest.parse().unwrap());
        }
        r.set_target(target);
        r
    }

    #[test]
    fn every_route_target_survives_a_facts_file() {
        let id = |s: &str| s.to_string();
        let eps = [
            endpoint_of("vpce-gw", EndpointType::Gateway),
            endpoint_of("vpce-gwlb", EndpointType::GatewayLoadBalancer),
        ];
        let cases = [
            ("10.0.0.0/16", RouteTarget::Local, "gateway_id"),
            (
                "pl-1",
                RouteTarget::GatewayEndpoint(id("vpce-gw")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::GwlbEndpoint(id("vpce-gwlb")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::InternetGateway(id("igw-1")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::VirtualPrivateGateway(id("vgw-1")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::EgressOnlyInternetGateway(id("eigw-1")),
                "egress_only_internet_gateway_id",
            ),
            ("0.0.0.0/0", RouteTarget::Nat(id("nat-1")), "nat_gateway_id"),
            (
                "0.0.0.0/0",
                RouteTarget::TransitGateway(id("tgw-1")),
                "transit_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::Peering(id("pcx-1")),
                "vpc_peering_connection_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::NetworkInterface(id("eni-1")),
                "network_interface_id",
            ),
            ("0.0.0.0/0", RouteTarget::Instance(id("i-1")), "instance_id"),
            (
                "0.0.0.0/0",
                RouteTarget::CarrierGateway(id("cagw-1")),
                "carrier_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::LocalGateway(id("lgw-1")),
                "local_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::CoreNetwork(id("arn:aws:networkmanager::1:core-network/cn-1")),
                "core_network_arn",
            ),
            ("0.0.0.0/0", RouteTarget::Other(id("xgw-1")), "gateway_id"),
        ];
        for (dest, target, field) in cases {
            let r = route_to(dest, target.clone());
            let json = serde_json::to_value(&r).unwrap();
            // The EC2 API's field, holding the id as written.
            assert_eq!(json[field], target.id(), "{target:?}: {json}");
            let back: Route = serde_json::from_value(json).unwrap();
            assert_eq!(back, r);
            assert_eq!(back.target(Some(&eps)), Some(target.clone()));
            assert_eq!(back.target_id(), Some(target.id()));
            assert_eq!(target.to_string(), target.id());
        }
        assert_eq!(Route::default().target(None), None);
        assert_eq!(Route::default().target_id(), None);
    }

    #[test]
    fn a_vpce_target_is_what_the_endpoint_type_says() {
        // AWS and moto show a Gateway Load Balancer endpoint route as `GatewayId: vpce-…`.
        let json = r#"{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "vpce-1"}"#;
        let r: Route = serde_json::from_str(json).unwrap();
        let gwlb = [endpoint_of("vpce-1", EndpointType::GatewayLoadBalancer)];
        let gw = [endpoint_of("vpce-1", EndpointType::Gateway)];
        let id = || "vpce-1".to_string();
        assert_eq!(r.target(Some(&gwlb)), Some(RouteTarget::GwlbEndpoint(id())));
        assert_eq!(
            r.target(Some(&gw)),
            Some(RouteTarget::GatewayEndpoint(id()))
        );
        // Endpoint unknown: a CIDR route's vpce- is a GWLB endpoint, a prefix-list route's a
        // gateway endpoint…
        assert_eq!(r.target(None), Some(RouteTarget::GwlbEndpoint(id())));
        assert_eq!(r.target(Some(&[])), Some(RouteTarget::GwlbEndpoint(id())));
        let pl = Route {
            destination_cidr_block: None,
            destination_prefix_list_id: Some("pl-1".into()),
            ..r.clone()
        };
        assert_eq!(pl.target(None), Some(RouteTarget::GatewayEndpoint(id())));
        // …unless the endpoint's type says otherwise.
        assert_eq!(
            pl.target(Some(&gwlb)),
            Some(RouteTarget::GwlbEndpoint(id()))
        );
        assert_eq!(r.target(None).unwrap().vpc_endpoint(), Some("vpce-1"));
        assert_eq!(RouteTarget::Nat(id()).vpc_endpoint(), None);
    }

    #[test]
    fn the_first_target_field_wins_and_set_target_clears_the_others() {
        let mut r = Route {
            nat_gateway_id: Some("nat-1".into()),
            instance_id: Some("i-1".into()),
            network_interface_id: Some("eni-1".into()),
            ..Route::default()
        };
        assert_eq!(r.target(None), Some(RouteTarget::Nat("nat-1".into())));
        assert_eq!(r.target_id(), Some("nat-1"));
        r.nat_gateway_id = None;
        assert_eq!(
            r.target(None),
            Some(RouteTarget::NetworkInterface("eni-1".into()))
        );
        r.set_target(RouteTarget::TransitGateway("tgw-1".into()));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"transit_gateway_id": "tgw-1", "state": "active"})
        );
    }

    #[test]
    fn routes_and_rules_of_older_files_read_and_write_back_unchanged() {
        let json = serde_json::json!({
            "route_tables": [{
                "id": "rtb-1", "vpc_id": "vpc-1", "main": true, "subnet_ids": [],
                "routes": [
                    {"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local",
                     "state": "active", "origin": "CreateRouteTable"},
                    {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1",
                     "state": "blackhole", "origin": "CreateRoute"},
                    {"destination_cidr_block": "172.16.0.0/12", "transit_gateway_id": "tgw-1",
                     "state": "deprecated", "origin": "EnableVgwRoutePropagation"}
                ]
            }],
            "nat": {"id": "nat-1", "state": "failed", "connectivity_type": "private",
                    "subnet_id": null, "private_ips": [], "public_ips": []},
            "igw": {"id": "igw-1", "attachments": [{"vpc_id": "vpc-1", "state": "detaching"}]},
            "sg": {"id": "sg-1", "ingress": [], "egress": [
                {"protocol": "-1", "from_port": null, "to_port": null, "cidrs": ["0.0.0.0/0"],
                 "prefix_list_ids": [], "group_ids": []},
                {"protocol": "50", "from_port": null, "to_port": null, "cidrs": [],
                 "prefix_list_ids": [], "group_ids": []}
            ]},
            "acl": {"id": "acl-1", "default": true, "subnet_ids": [], "entries": [
                {"rule_number": 100, "egress": true, "protocol": "6", "action": "allow",
                 "cidr": "0.0.0.0/0", "port_from": 443, "port_to": 443},
                {"rule_number": 32767, "egress": true, "protocol": "-1", "action": "deny",
                 "cidr": "0.0.0.0/0", "port_from": null, "port_to": null}
            ]}
        });
        let tables: Vec<RouteTable> = serde_json::from_value(json["route_tables"].clone()).unwrap();
        let routes = &tables[0].routes;
        assert_eq!(routes[0].target(None), Some(RouteTarget::Local));
        assert!(routes[1].is_blackhole());
        assert_eq!(routes[2].state, RouteState::Other("deprecated".into()));
        assert_eq!(
            routes[2].origin,
            Some(RouteOrigin::EnableVgwRoutePropagation)
        );
        assert_eq!(serde_json::to_value(&tables).unwrap(), json["route_tables"]);

        let nat: NatGateway = serde_json::from_value(json["nat"].clone()).unwrap();
        assert_eq!(
            (nat.state.clone(), nat.connectivity_type.clone()),
            (NatState::Failed, NatConnectivity::Private)
        );
        assert_eq!(serde_json::to_value(&nat).unwrap(), json["nat"]);

        let igw: InternetGateway = serde_json::from_value(json["igw"].clone()).unwrap();
        assert_eq!(igw.attachments[0].state, AttachmentState::Detaching);
        assert_eq!(serde_json::to_value(&igw).unwrap(), json["igw"]);

        let sg: SecurityGroup = serde_json::from_value(json["sg"].clone()).unwrap();
        assert!(sg.egress[0].covers_tcp(443));
        assert_eq!(sg.egress[1].protocol, IpProtocol::Other("50".into()));
        assert!(!sg.egress[1].covers_tcp(443));
        assert_eq!(serde_json::to_value(&sg).unwrap(), json["sg"]);

        let acl: NetworkAcl = serde_json::from_value(json["acl"].clone()).unwrap();
        let hit = acl
            .evaluate_tcp(true, "52.216.1.1".parse().unwrap(), 443)
            .unwrap();
        assert_eq!((hit.rule_number, &hit.action), (100, &AclAction::Allow));
        let hit = acl
            .evaluate_tcp(true, "52.216.1.1".parse().unwrap(), 80)
            .unwrap();
        assert_eq!(hit.action, AclAction::Deny);
        assert_eq!(serde_json::to_value(&acl).unwrap(), json["acl"]);

        // Absent state and connectivity read as before: an active route, a public NAT.
        let r: Route = serde_json::from_str(r#"{"gateway_id": "igw-1"}"#).unwrap();
        assert_eq!(r.state, RouteState::Active);
        let n: NatGateway =
            serde_json::from_str(r#"{"id": "nat-1", "state": "available"}"#).unwrap();
        assert_eq!(n.connectivity_type, NatConnectivity::Public);
    }

    #[test]
    fn every_scenario_facts_file_writes_back_its_typed_words_unchanged() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios");
        let (mut seen, mut words_seen) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".facts.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut original: serde_json::Value = serde_json::from_str(&text).unwrap();
            // What an absent field reads as (before the types too): an active route, a public
            // NAT gateway.
            let defaults = |list: &mut serde_json::Value, key: &str, value: &str| {
                for item in list.as_array_mut().into_iter().flatten() {
                    if let Some(map) = item.as_object_mut() {
                        map.entry(key).or_insert_with(|| value.into());
                    }
                }
            };
            for t in original["route_tables"]["value"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                defaults(&mut t["routes"], "state", "active");
            }
            defaults(
                &mut original["nat_gateways"]["value"],
                "connectivity_type",
                "public",
            );
            let facts: Facts = serde_json::from_str(&text).unwrap();
            let again = serde_json::to_value(&facts).unwrap();
            for part in [
                "route_tables",
                "prefix_lists",
                "vpc_endpoints",
                "nat_gateways",
                "internet_gateways",
                "security_groups",
                "network_acls",
            ] {
                let words = |v: &serde_json::Value| -> Vec<String> {
                    let mut out = Vec::new();
                    collect_words(v, &mut out);
                    out
                };
                let want = words(&original[part]);
                assert_eq!(words(&again[part]), want, "{}: {part}", path.display());
                words_seen += want.len();
            }
            seen += 1;
        }
        assert!(seen > 50, "{seen} scenario files");
        assert!(words_seen > 5 * seen, "{words_seen} words");
    }

    /// Every `state`, `origin`, `protocol`, `action`, `connectivity_type`, `address_family`,
    /// `ip_address_type` and target field,
    /// with its path, in document order.
    fn collect_words(v: &serde_json::Value, out: &mut Vec<String>) {
        const KEYS: [&str; 17] = [
            "state",
            "address_family",
            "ip_address_type",
            "origin",
            "protocol",
            "action",
            "connectivity_type",
            "gateway_id",
            "nat_gateway_id",
            "transit_gateway_id",
            "vpc_peering_connection_id",
            "network_interface_id",
            "instance_id",
            "egress_only_internet_gateway_id",
            "carrier_gateway_id",
            "local_gateway_id",
            "core_network_arn",
        ];
        match v {
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect_words(i, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if KEYS.contains(&k.as_str()) {
                        out.push(format!("{k}={v}"));
                    } else {
                        collect_words(v, out);
                    }
                }
            }
            _ => {}
        }
    }
}

//! [`compat`]: which VPC endpoint each kind of host name can use.

use serde::Serialize;

use super::kinds::HostKind;

/// Whether a path can carry a kind of host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    Yes,
    No,
    /// AWS does not document it: s3path judges by the address the name resolves to.
    ByAddress,
}

/// One row of the compatibility table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compat {
    pub host_kind: HostKind,
    /// The gateway endpoint service that carries it (`s3`, `s3express`), when one does.
    pub gateway: Support,
    pub gateway_service: Option<&'static str>,
    pub interface: Support,
    /// The interface endpoint service that serves it.
    pub interface_service: Option<&'static str>,
    /// NAT gateway / internet gateway (its public addresses).
    pub internet: Support,
    pub why: &'static str,
    /// The AWS page behind the row.
    pub source: &'static str,
}

const PRIVATELINK: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/privatelink-interface-endpoints.html";

/// The compatibility table: which endpoint each kind of S3 host name can use.
pub const COMPAT: [Compat; 12] = [
    Compat {
        host_kind: HostKind::Regional,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "the standard regional names: the region's S3 prefix list holds their addresses; an interface endpoint serves them through private DNS or its bucket.vpce-… names",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::Dualstack,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "IPv4 and IPv6 answers: the IPv6 half uses an endpoint only when the endpoint is dual-stack (IpAddressType dualstack), else it leaves through the IPv6 default route",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/dual-stack-endpoints.html",
    },
    Compat {
        host_kind: HostKind::Fips,
        gateway: Support::ByAddress,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "interface endpoints do not serve the FIPS names, and private DNS does not answer for them",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::LegacyDashRegion,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "the legacy s3-REGION names resolve to the region's public S3 addresses; interface endpoints' private DNS answers only for s3.REGION names",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html",
    },
    Compat {
        host_kind: HostKind::LegacyGlobal,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "the legacy global name is us-east-1's: only us-east-1's S3 list holds it, and interface endpoints do not serve it",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::Accelerate,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "Transfer Acceleration names resolve to CloudFront edge locations, outside every S3 prefix list; no VPC endpoint serves them",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/transfer-acceleration.html",
    },
    Compat {
        host_kind: HostKind::Website,
        gateway: Support::ByAddress,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "website endpoints speak HTTP only and interface endpoints do not serve them",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::AccessPoint,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "access points work through both endpoint types (through an interface endpoint by its accesspoint.vpce-… names); endpoint policies must allow the access point's ARN",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html",
    },
    Compat {
        host_kind: HostKind::MultiRegion,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3-global.accesspoint"),
        internet: Support::Yes,
        why: "Multi-Region Access Points cannot use gateway endpoints; only an interface endpoint for com.amazonaws.s3-global.accesspoint serves them",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointRestrictions.html",
    },
    Compat {
        host_kind: HostKind::Zonal,
        gateway: Support::Yes,
        gateway_service: Some("s3express"),
        interface: Support::Yes,
        interface_service: Some("s3express"),
        internet: Support::Yes,
        why: "directory buckets use the zonal s3express-ZONE names: the com.amazonaws.REGION.s3express gateway endpoint (not the s3 one) or its interface endpoint",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-networking.html",
    },
    Compat {
        host_kind: HostKind::ObjectLambda,
        gateway: Support::ByAddress,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3-object-lambda"),
        internet: Support::Yes,
        why: "Object Lambda has its own interface endpoint service (com.amazonaws.REGION.s3-object-lambda); AWS documents no gateway endpoint for it",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-use.html",
    },
    Compat {
        host_kind: HostKind::EndpointSpecific,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::No,
        why: "an interface endpoint's own names resolve to its network interfaces",
        source: PRIVATELINK,
    },
];

/// The compatibility row of a kind of host name.
pub fn compat(kind: HostKind) -> &'static Compat {
    COMPAT
        .iter()
        .find(|c| c.host_kind == kind)
        .unwrap_or(&COMPAT[0])
}

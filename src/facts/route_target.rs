//! The target of a route, typed: [`RouteTarget`]. A facts file keeps the EC2 API's fields
//! (`gateway_id`, `nat_gateway_id`, …); `Route::target` reads them into this view, and
//! `Route::set_target` writes one back.

/// Where a route sends its traffic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteTarget {
    /// `local`: the VPC itself.
    Local,
    /// A gateway endpoint (`vpce-…` in `GatewayId`, target of a prefix-list route).
    GatewayEndpoint(String),
    /// A Gateway Load Balancer endpoint. AWS (and moto) show it as `GatewayId: vpce-…`, like a
    /// gateway endpoint: the endpoint's type tells them apart.
    GwlbEndpoint(String),
    InternetGateway(String),
    VirtualPrivateGateway(String),
    EgressOnlyInternetGateway(String),
    Nat(String),
    TransitGateway(String),
    Peering(String),
    NetworkInterface(String),
    /// An instance (a NAT instance): `InstanceId` without a `NetworkInterfaceId`.
    Instance(String),
    CarrierGateway(String),
    LocalGateway(String),
    /// A Cloud WAN core network, by ARN.
    CoreNetwork(String),
    /// A `GatewayId` of no kind known here.
    Other(String),
}

impl RouteTarget {
    /// The target as written in the route table (`nat-…`, `vpce-…`, `local`, an ARN).
    pub fn id(&self) -> &str {
        match self {
            RouteTarget::Local => "local",
            RouteTarget::GatewayEndpoint(id)
            | RouteTarget::GwlbEndpoint(id)
            | RouteTarget::InternetGateway(id)
            | RouteTarget::VirtualPrivateGateway(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::Nat(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::Peering(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance(id)
            | RouteTarget::CarrierGateway(id)
            | RouteTarget::LocalGateway(id)
            | RouteTarget::CoreNetwork(id)
            | RouteTarget::Other(id) => id,
        }
    }

    /// The VPC endpoint, for a gateway or Gateway Load Balancer endpoint target.
    pub fn vpc_endpoint(&self) -> Option<&str> {
        match self {
            RouteTarget::GatewayEndpoint(id) | RouteTarget::GwlbEndpoint(id) => Some(id),
            _ => None,
        }
    }

    /// What a `GatewayId` names: `local`, or the kind its prefix tells (`igw-`, `vgw-`,
    /// `vpce-`); a `vpce-` is a gateway endpoint until its type says otherwise (see
    /// `Route::target`). AWS writes the kind of every other target in the field's name.
    pub fn of_gateway_id(id: &str) -> RouteTarget {
        let id_ = || id.to_string();
        if id == "local" {
            RouteTarget::Local
        } else if id.starts_with("igw-") {
            RouteTarget::InternetGateway(id_())
        } else if id.starts_with("vgw-") {
            RouteTarget::VirtualPrivateGateway(id_())
        } else if id.starts_with("vpce-") {
            RouteTarget::GatewayEndpoint(id_())
        } else {
            RouteTarget::Other(id_())
        }
    }
}

impl std::fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.id())
    }
}

/// Why a route table governs a subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTableAssociation {
    /// The subnet is associated with the table.
    Explicit,
    /// The subnet has no association: the VPC's main table applies.
    Main,
}

impl RouteTableAssociation {
    /// `explicit` or `main`, as reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteTableAssociation::Explicit => "explicit",
            RouteTableAssociation::Main => "main",
        }
    }
}

impl std::fmt::Display for RouteTableAssociation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

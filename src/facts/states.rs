//! The closed sets of words the EC2 API answers with (states, protocols, rule actions, route
//! origins), typed. Each enum keeps any other word as `Other(String)`, so a value AWS adds
//! later, or a hand-written facts file, reads and is written back as it was.
//!
//! In a facts file each is the plain string it was before these types existed (`"available"`,
//! `"-1"`): the JSON form of the facts did not change. A known word is written in the
//! spelling given here; the ones the engine compared without regard to case before
//! (`state` of a route and of a VPC endpoint, a route's `origin`) are still read so.

/// An enum of known words plus `Other(String)`, serialized as the word itself.
///
/// `ignore_case` makes a known word match whatever its case (it is then written in the
/// spelling given here); without it, `Available` is not `available` but `Other("Available")`.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $name:ident(ignore_case) { $($body:tt)* }
    ) => {
        word_enum!(@ true, $(#[$meta])* $name { $($body)* });
    };
    (
        $(#[$meta:meta])*
        $name:ident { $($body:tt)* }
    ) => {
        word_enum!(@ false, $(#[$meta])* $name { $($body)* });
    };
    (
        @ $ignore_case:literal,
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// Any other word, kept as written.
            Other(String),
        }

        impl $name {
            /// Every known word, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The word as facts files and messages write it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            /// The variant the word names, else `Other(word)`.
            pub fn parse(word: &str) -> Self {
                match word {
                    $($text => return $name::$variant,)*
                    _ => {}
                }
                const IGNORE_CASE: bool = $ignore_case;
                if IGNORE_CASE {
                    $(if word.eq_ignore_ascii_case($text) {
                        return $name::$variant;
                    })*
                }
                $name::Other(word.to_string())
            }
        }

        impl From<&str> for $name {
            fn from(word: &str) -> Self {
                $name::parse(word)
            }
        }

        impl From<String> for $name {
            fn from(word: String) -> Self {
                match $name::parse(&word) {
                    $name::Other(_) => $name::Other(word),
                    known => known,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Word;
                impl ::serde::de::Visitor<'_> for Word {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::parse(v))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(Word)
            }
        }
    };
}

word_enum! {
    /// The state of a route (`State` of `describe-route-tables`).
    RouteState(ignore_case) {
        Active = "active",
        /// The target no longer exists or is no longer attached.
        Blackhole = "blackhole",
    }
}

impl Default for RouteState {
    /// A route without a state is active (moto and older files omit it).
    fn default() -> Self {
        RouteState::Active
    }
}

word_enum! {
    /// How a route got into its table.
    RouteOrigin(ignore_case) {
        CreateRouteTable = "CreateRouteTable",
        CreateRoute = "CreateRoute",
        /// Propagated by a virtual private gateway.
        EnableVgwRoutePropagation = "EnableVgwRoutePropagation",
    }
}

word_enum! {
    /// The state of a NAT gateway.
    NatState {
        Pending = "pending",
        Available = "available",
        Failed = "failed",
        Deleting = "deleting",
        Deleted = "deleted",
    }
}

word_enum! {
    /// Whether a NAT gateway translates to a public or a private address.
    NatConnectivity {
        Public = "public",
        Private = "private",
    }
}

impl Default for NatConnectivity {
    /// NAT gateways without the field (created before private ones existed) are public.
    fn default() -> Self {
        NatConnectivity::Public
    }
}

word_enum! {
    /// The state of a VPC endpoint, lower-cased as the gatherer stores it
    /// (`pendingAcceptance` is `pendingacceptance`).
    EndpointState(ignore_case) {
        Available = "available",
        Pending = "pending",
        PendingAcceptance = "pendingacceptance",
        Rejected = "rejected",
        Deleting = "deleting",
        Deleted = "deleted",
        Failed = "failed",
        Expired = "expired",
        Partial = "partial",
    }
}

word_enum! {
    /// Which addresses a gateway endpoint carries (`ipv4`, `dualstack` or `ipv6`), lower-cased
    /// as the gatherer stores it.
    EndpointIpAddressType {
        Ipv4 = "ipv4",
        Dualstack = "dualstack",
        Ipv6 = "ipv6",
    }
}

word_enum! {
    /// The address family of a managed prefix list (`IPv4` or `IPv6`).
    AddressFamily(ignore_case) {
        Ipv4 = "IPv4",
        Ipv6 = "IPv6",
    }
}

word_enum! {
    /// The state of an internet gateway's attachment to a VPC (`available` is what
    /// `describe-internet-gateways` shows for an attached gateway).
    AttachmentState {
        Attaching = "attaching",
        Attached = "attached",
        Available = "available",
        Detaching = "detaching",
        Detached = "detached",
    }
}

impl AttachmentState {
    /// True when the gateway carries traffic for the VPC.
    pub fn is_attached(&self) -> bool {
        matches!(self, AttachmentState::Available | AttachmentState::Attached)
    }
}

word_enum! {
    /// The IP protocol of a security group rule or a network ACL entry: `-1` (all), a name
    /// (security groups) or a number (ACLs, and security groups for the others).
    IpProtocol {
        All = "-1",
        Tcp = "tcp",
        /// TCP by number (`6`).
        TcpNumber = "6",
        Udp = "udp",
        UdpNumber = "17",
        Icmp = "icmp",
        IcmpNumber = "1",
        Icmpv6 = "icmpv6",
        Icmpv6Number = "58",
    }
}

impl IpProtocol {
    /// True when the rule applies to TCP traffic (all protocols, or TCP by name or number).
    pub fn covers_tcp(&self) -> bool {
        matches!(
            self,
            IpProtocol::All | IpProtocol::Tcp | IpProtocol::TcpNumber
        )
    }
}

word_enum! {
    /// What a network ACL entry does with the traffic it matches.
    AclAction {
        Allow = "allow",
        Deny = "deny",
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::states::*;

    fn round_trip<T>(known: &[T], other: T)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    {
        for v in known.iter().cloned().chain([other]) {
            let json = serde_json::to_value(&v).unwrap();
            assert!(json.is_string(), "{v:?} -> {json}");
            let back: T = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, v, "{json}");
        }
    }

    #[test]
    fn every_word_round_trips_and_unknown_words_survive() {
        round_trip(RouteState::KNOWN, RouteState::Other("deleting".into()));
        round_trip(RouteOrigin::KNOWN, RouteOrigin::Other("Propagated".into()));
        round_trip(NatState::KNOWN, NatState::Other("rebooting".into()));
        round_trip(NatConnectivity::KNOWN, NatConnectivity::Other("x".into()));
        round_trip(EndpointState::KNOWN, EndpointState::Other("unknown".into()));
        round_trip(AttachmentState::KNOWN, AttachmentState::Other("".into()));
        round_trip(IpProtocol::KNOWN, IpProtocol::Other("50".into()));
        round_trip(AclAction::KNOWN, AclAction::Other("log".into()));
        round_trip(
            EndpointIpAddressType::KNOWN,
            EndpointIpAddressType::Other("ipv8".into()),
        );
        round_trip(AddressFamily::KNOWN, AddressFamily::Other("ipx".into()));
    }

    #[test]
    fn words_are_the_strings_of_older_files() {
        assert_eq!(
            serde_json::to_value(RouteState::Blackhole).unwrap(),
            "blackhole"
        );
        assert_eq!(serde_json::to_value(IpProtocol::All).unwrap(), "-1");
        assert_eq!(serde_json::to_value(IpProtocol::TcpNumber).unwrap(), "6");
        assert_eq!(
            serde_json::from_str::<NatState>("\"available\"").unwrap(),
            NatState::Available
        );
        assert_eq!(
            serde_json::from_str::<AclAction>("\"deny\"").unwrap(),
            AclAction::Deny
        );
        assert_eq!(NatState::Failed.to_string(), "failed");
        assert_eq!(IpProtocol::from("tcp"), IpProtocol::Tcp);
    }

    #[test]
    fn case_is_ignored_only_where_it_always_was() {
        // Routes and endpoints were compared without regard to case…
        assert_eq!(RouteState::parse("Blackhole"), RouteState::Blackhole);
        assert_eq!(EndpointState::parse("AVAILABLE"), EndpointState::Available);
        assert_eq!(
            RouteOrigin::parse("enableVgwRoutePropagation"),
            RouteOrigin::EnableVgwRoutePropagation
        );
        assert_eq!(AddressFamily::parse("ipv6"), AddressFamily::Ipv6);
        // …NAT gateways, attachments, protocols and ACL actions never were.
        assert_eq!(
            NatState::parse("Available"),
            NatState::Other("Available".into())
        );
        assert_eq!(AclAction::parse("ALLOW"), AclAction::Other("ALLOW".into()));
        assert_eq!(IpProtocol::parse("TCP"), IpProtocol::Other("TCP".into()));
    }

    #[test]
    fn tcp_by_name_number_or_all() {
        for p in ["-1", "tcp", "6"] {
            assert!(IpProtocol::parse(p).covers_tcp(), "{p}");
        }
        for p in ["udp", "17", "icmp", "1", "58", "icmpv6", "TCP", "06"] {
            assert!(!IpProtocol::parse(p).covers_tcp(), "{p}");
        }
    }

    #[test]
    fn attached_means_available_or_attached() {
        assert!(AttachmentState::parse("available").is_attached());
        assert!(AttachmentState::parse("attached").is_attached());
        assert!(!AttachmentState::parse("detaching").is_attached());
        assert!(!AttachmentState::parse("Attached").is_attached());
    }
}

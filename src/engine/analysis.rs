//! The engine's output: every target with its addresses and their paths ([`Analysis`]).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::kinds::Decision;
use crate::facts::{AnswerSource, RouteTableAssociation};
use crate::names::targets::Target;

/// One resolved address of a target and its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressPath {
    pub address: IpAddr,
    #[serde(flatten)]
    pub decision: Decision,
}

/// One target host with its DNS answer and paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetPath {
    #[serde(flatten)]
    pub target: Target,
    pub primary: bool,
    /// How the name resolved (`answered`, `nxdomain`, …), or `not_resolved`.
    pub resolution: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_source: Option<AnswerSource>,
    /// The path of the target as a whole: the path of the address the client uses first
    /// (IPv6 when this host has an IPv6 address and the name has one, else IPv4).
    pub decision: Decision,
    /// The address `decision` is about (the one the client connects to first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_address: Option<IpAddr>,
    pub addresses: Vec<AddressPath>,
    /// False when the target's addresses take different paths.
    pub consistent: bool,
}

/// Which route table governs the vantage's subnet, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveTable {
    pub id: String,
    /// `explicit` (the subnet is associated with it) or `main` (fallback to the VPC's main
    /// table).
    pub association: RouteTableAssociation,
}

/// The outcome of the engine: everything the checks and the verdict read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub region: Option<String>,
    pub route_table: Option<EffectiveTable>,
    pub targets: Vec<TargetPath>,
    /// Every `--bucket` input with the host names the application uses for it.
    pub names: Vec<crate::names::NamePlan>,
}

impl Analysis {
    pub fn primary(&self) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.primary)
    }

    /// The judged target of this host name.
    pub fn target(&self, host: &str) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.target.host == host)
    }
}

//! What a Terraform/OpenTofu plan does to an audit [`Inventory`]: the inventory after apply,
//! which planned resource touches which object, and the values the plan leaves "known after
//! apply". Filled by `input::plan` (a pure transform of the plan JSON and the inventory), judged
//! by `report::plan`.

use serde::{Deserialize, Serialize};

use super::inventory::Inventory;

/// The text every placeholder id of an unresolved value starts with (after its kind's
/// prefix), so a verdict that rests on one can be recognised.
pub const UNKNOWN_MARK: &str = "(known after apply: ";

/// An object of the inventory a planned change touches, by id (a new object's id is a
/// placeholder such as `rtb-(aws_route_table.private)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Subnet(String),
    Vpc(String),
    RouteTable(String),
    /// The VPC's main route table association.
    MainTable(String),
    Endpoint(String),
    NatGateway(String),
    InternetGateway(String),
    TransitGateway(String),
    PrefixList(String),
    NetworkAcl(String),
}

/// One planned change that touched the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touch {
    /// The resource address (`module.net.aws_route.x["a"]`).
    pub address: String,
    /// `create`, `update`, `delete`, `replace`.
    pub action: String,
    pub scope: Scope,
}

/// A value the plan leaves "known after apply" (or that it cannot tell) which the inventory
/// after apply would need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unknown {
    pub address: String,
    /// The attribute, e.g. `route_table_id` or `route[1].nat_gateway_id`.
    pub attribute: String,
    /// The object whose judgement needs it.
    pub scope: Scope,
    /// Why the plan cannot tell (shown to the user).
    pub why: String,
}

/// A planned change s3path read but does not judge, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unjudged {
    pub address: String,
    pub why: String,
}

/// The plan applied to one region's inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedPlan {
    pub format_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform_version: Option<String>,
    /// Resource changes in the plan (all types, all actions).
    pub resource_changes: usize,
    /// The inventory as it would be after apply.
    pub after: Inventory,
    pub touches: Vec<Touch>,
    pub unknowns: Vec<Unknown>,
    pub unjudged: Vec<Unjudged>,
}

/// A placeholder id for an object the plan creates (its id is known only after apply):
/// `PREFIX-(ADDRESS)`, so the kind a route target's prefix tells stays right.
pub fn new_id(prefix: &str, address: &str) -> String {
    format!("{prefix}-({address})")
}

/// A placeholder for a value no reference in the plan resolves: `PREFIX-(known after apply:
/// ADDRESS.ATTRIBUTE)`.
pub fn unknown_id(prefix: &str, address: &str, attribute: &str) -> String {
    format!("{prefix}-{UNKNOWN_MARK}{address}.{attribute})")
}

/// The `address.attribute` an [`unknown_id`] names, when `text` holds one.
pub fn unknown_in(text: &str) -> Option<String> {
    let at = text.find(UNKNOWN_MARK)? + UNKNOWN_MARK.len();
    let rest = &text[at..];
    // The address may hold `)` inside a for_each key; the placeholder ends at the last `)`
    // of the word.
    let end = rest
        .char_indices()
        .filter(|&(i, c)| {
            c == ')'
                && rest[i + 1..]
                    .chars()
                    .next()
                    .is_none_or(|n| n.is_whitespace() || ",;:)'\"".contains(n))
        })
        .map(|(i, _)| i)
        .next()?;
    Some(rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_placeholders_round_trip() {
        let id = unknown_id("nat", "module.net.aws_route.x[\"a\"]", "nat_gateway_id");
        assert_eq!(
            id,
            "nat-(known after apply: module.net.aws_route.x[\"a\"].nat_gateway_id)"
        );
        let said = format!("via {id}, route 0.0.0.0/0");
        assert_eq!(
            unknown_in(&said).as_deref(),
            Some("module.net.aws_route.x[\"a\"].nat_gateway_id")
        );
        assert_eq!(unknown_in("via nat-123"), None);
        assert_eq!(
            new_id("rtb", "aws_route_table.a[0]"),
            "rtb-(aws_route_table.a[0])"
        );
    }
}

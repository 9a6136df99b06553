//! `--plan FILE`: the JSON of `terraform show -json PLANFILE` (OpenTofu writes the same;
//! format_version 1.x, https://developer.hashicorp.com/terraform/internals/json-format), read
//! as untrusted input and applied to an audit [`Inventory`] as a pure transform.
//!
//! Every planned `resource_changes` entry of the types below is applied: deletes first (the
//! delete half of a replace included, from `before`), then creates and updates (from `after`;
//! an update removes what `before` said and adds what `after` says). A value the plan leaves
//! "known after apply" is followed through the plan's `configuration` references to the
//! resource that creates it (whose id becomes a placeholder such as
//! `rtb-(module.net.aws_route_table.private[0])`); when no reference tells, it becomes an
//! explicit [`Unknown`] (or a placeholder target `nat-(known after apply: ADDRESS.ATTR)` that
//! the judgement recognises), never a guess.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

use super::{read_regular_file, strip_position, InputError};
use crate::facts::inventory::{Inventory, SubnetInfo, VpcInfo};
use crate::facts::plan::{new_id, unknown_id, AppliedPlan, Scope, Touch, Unjudged, Unknown};
use crate::facts::{
    AclEntry, EndpointInterface, EndpointType, IgwAttachment, InternetGateway, NatGateway,
    NetworkAcl, Observed, PrefixList, Route, RouteTable, VpcEndpoint,
};

/// The largest plan read (a plan of thousands of resources is a few MiB).
pub const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many `resource_changes`.
pub const MAX_RESOURCE_CHANGES: usize = 100_000;
/// At most this deep a JSON nesting (serde_json stops at 128 on its own).
pub const MAX_DEPTH: usize = 64;
/// The longest resource address kept.
pub const MAX_ADDRESS_CHARS: usize = 512;

/// A plan, parsed and checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub format_version: String,
    pub terraform_version: Option<String>,
    pub changes: Vec<ResourceChange>,
    /// `configuration.root_module`, when present.
    pub configuration: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub index: Option<Value>,
    pub change: Change,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub actions: Vec<String>,
    #[serde(default)]
    pub before: Value,
    #[serde(default)]
    pub after: Value,
    #[serde(default)]
    pub after_unknown: Value,
}

#[derive(Deserialize)]
struct PlanJson {
    format_version: String,
    #[serde(default)]
    terraform_version: Option<String>,
    #[serde(default)]
    resource_changes: Vec<ResourceChange>,
    #[serde(default)]
    configuration: Option<Value>,
}

/// Reads and checks a plan file; one line naming the file and the problem otherwise.
pub fn load(path: &Path) -> Result<Plan, InputError> {
    let name = path.display().to_string();
    let text = read_regular_file(path, MAX_PLAN_BYTES)
        .map_err(|e| InputError(format!("--plan {name}: {e}")))?;
    parse(&text, &name)
}

fn depth(v: &Value) -> usize {
    // Iterative: the value itself is at most serde_json's 128 deep.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// Parses a plan's JSON; `name` is used in errors.
pub fn parse(text: &str, name: &str) -> Result<Plan, InputError> {
    let e = |m: String| InputError(format!("--plan {name}: {m}"));
    let value: Value = serde_json::from_str(text).map_err(|x| {
        e(format!(
            "invalid JSON at line {}, column {}: {}",
            x.line(),
            x.column(),
            strip_position(&x.to_string())
        ))
    })?;
    if depth(&value) > MAX_DEPTH {
        return Err(e(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let Some(fv) = value.get("format_version") else {
        return Err(e(
            "not a plan in JSON (no \"format_version\"; give the output of `terraform show -json PLANFILE`)"
                .into(),
        ));
    };
    let major = fv.as_str().and_then(|s| s.split('.').next());
    if major != Some("1") {
        return Err(e(format!(
            "format_version {} is not 1.x (the format this s3path reads)",
            super::shown(&fv.to_string())
        )));
    }
    if value.get("resource_changes").is_none() && value.get("planned_values").is_none() {
        return Err(e(
            "no \"resource_changes\": this is a state, not a plan (`terraform show -json PLANFILE`)"
                .into(),
        ));
    }
    let n = value
        .get("resource_changes")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if n > MAX_RESOURCE_CHANGES {
        return Err(e(format!(
            "{n} resource_changes; at most {MAX_RESOURCE_CHANGES} are read"
        )));
    }
    let plan: PlanJson = serde_json::from_value(value).map_err(|x| {
        e(format!(
            "not a plan: {}",
            strip_position(&x.to_string()).replace('\n', " ")
        ))
    })?;
    for (i, rc) in plan.resource_changes.iter().enumerate() {
        if rc.address.is_empty() || rc.address.chars().count() > MAX_ADDRESS_CHARS {
            return Err(e(format!(
                "resource_changes[{i}].address is empty or longer than {MAX_ADDRESS_CHARS} characters"
            )));
        }
        if rc.address.chars().any(char::is_control) {
            return Err(e(format!(
                "resource_changes[{i}].address holds a control character"
            )));
        }
    }
    Ok(Plan {
        format_version: plan.format_version,
        terraform_version: plan.terraform_version.map(|v| v.chars().take(64).collect()),
        changes: plan.resource_changes,
        configuration: plan
            .configuration
            .and_then(|c| c.get("root_module").cloned()),
    })
}

/// What a planned action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Update,
    Delete,
    Replace,
}

impl Action {
    fn of(actions: &[String]) -> Option<Action> {
        let a: Vec<&str> = actions.iter().map(String::as_str).collect();
        match a.as_slice() {
            ["create"] => Some(Action::Create),
            ["update"] => Some(Action::Update),
            ["delete"] => Some(Action::Delete),
            ["delete", "create"] | ["create", "delete"] => Some(Action::Replace),
            _ => None,
        }
    }
    fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
        }
    }
}

/// The id prefix of an object of a resource type (placeholders keep the kind a prefix tells).
fn prefix_of(kind: &str) -> &'static str {
    match kind {
        "aws_route_table" => "rtb",
        "aws_subnet" => "subnet",
        "aws_vpc" => "vpc",
        "aws_vpc_endpoint" => "vpce",
        "aws_nat_gateway" => "nat",
        "aws_internet_gateway" => "igw",
        "aws_ec2_transit_gateway" => "tgw",
        "aws_ec2_transit_gateway_vpc_attachment" => "tgw-attach",
        "aws_ec2_managed_prefix_list" => "pl",
        "aws_network_acl" => "acl",
        "aws_security_group" => "sg",
        "aws_vpc_peering_connection" => "pcx",
        "aws_network_interface" => "eni",
        "aws_egress_only_internet_gateway" => "eigw",
        _ => "id",
    }
}

/// The types this applies, and the ones it reads but does not judge (with why).
const APPLIED: &[&str] = &[
    "aws_vpc",
    "aws_subnet",
    "aws_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_vpc_endpoint",
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_endpoint_subnet_association",
    "aws_vpc_endpoint_policy",
    "aws_nat_gateway",
    "aws_internet_gateway",
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_ec2_managed_prefix_list",
    "aws_ec2_managed_prefix_list_entry",
    "aws_network_acl",
    "aws_network_acl_rule",
    "aws_network_acl_association",
];

fn unjudged_why(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_security_group"
        | "aws_security_group_rule"
        | "aws_vpc_security_group_egress_rule"
        | "aws_vpc_security_group_ingress_rule"
        | "aws_default_security_group" => {
            "security groups are not in the inventory s3path judges for a subnet (a subnet has none, an interface endpoint's rules are not read); judge an instance's with `s3path route --instance-id` after apply"
        }
        "aws_default_route_table" | "aws_default_network_acl" => {
            "s3path does not apply the default table/ACL resources; judge after apply"
        }
        k if k.starts_with("aws_ec2_transit_gateway")
            || k.starts_with("aws_vpc_peering")
            || k.starts_with("aws_route53")
            || k.starts_with("aws_vpc_dhcp")
            || k.starts_with("aws_vpc_ipv")
            || k == "aws_egress_only_internet_gateway"
            || k == "aws_internet_gateway_attachment"
            || k == "aws_network_interface" =>
        {
            "s3path does not apply this resource type; judge after apply"
        }
        _ => return None,
    })
}

/// A reference in the configuration, resolved to a created resource's placeholder or a
/// changed resource's known id.
enum Resolved {
    Id(String),
    Unknown(String),
}

struct Applier<'a> {
    plan: &'a Plan,
    inv: Inventory,
    /// Address → the id it has after apply (a placeholder for created ones).
    ids: BTreeMap<String, String>,
    /// (module path `a.b`, `type.name`) → its configuration block.
    configs: BTreeMap<(String, String), &'a Value>,
    touches: Vec<Touch>,
    /// (address, scope) of `touches`, to keep each once.
    touched: BTreeSet<(String, Scope)>,
    unknowns: Vec<Unknown>,
    unjudged: Vec<Unjudged>,
    errors: Vec<String>,
}

/// `module.a.module.b.aws_x.y[0]` → (`["a", "b"]`, `aws_x.y`, `[0]`).
fn split_address(addr: &str) -> (Vec<String>, String, String) {
    let mut modules = Vec::new();
    let mut rest = addr;
    while let Some(r) = rest.strip_prefix("module.") {
        // The module name, then an optional index, then '.'.
        let end = r.find(['.', '[']).unwrap_or(r.len());
        let mut name = r[..end].to_string();
        let mut after = &r[end..];
        if after.starts_with('[') {
            let close = after.find("].").map_or(after.len(), |i| i + 1);
            name.push_str(&after[..close]);
            after = &after[close..];
        }
        modules.push(name);
        rest = after.strip_prefix('.').unwrap_or(after);
    }
    let (base, index) = match rest.find('[') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), String::new()),
    };
    (modules, base, index)
}

fn module_prefix(modules: &[String]) -> String {
    modules.iter().map(|m| format!("module.{m}.")).collect()
}

fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn unknown_at(au: &Value, key: &str) -> bool {
    au == &Value::Bool(true) || au.get(key) == Some(&Value::Bool(true))
}

fn str_list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn part<T>(o: &mut Observed<Vec<T>>) -> Option<&mut Vec<T>> {
    match o {
        Observed::Collected { value } => Some(value),
        _ => None,
    }
}

/// The route fields of an `aws_route` (`destination_…`) or an inline `route` block
/// (`cidr_block`, …), in the EC2 field each maps to.
const TARGETS: &[(&str, &str)] = &[
    ("gateway_id", "gateway"),
    ("vpc_endpoint_id", "vpce"),
    ("nat_gateway_id", "nat"),
    ("transit_gateway_id", "tgw"),
    ("vpc_peering_connection_id", "pcx"),
    ("network_interface_id", "eni"),
    ("instance_id", "i"),
    ("egress_only_gateway_id", "eigw"),
    ("carrier_gateway_id", "cagw"),
    ("local_gateway_id", "lgw"),
    ("core_network_arn", "arn"),
];

/// Route targets the AWS provider computes (unknown on create when not configured).
const COMPUTED_ROUTE_TARGETS: &[&str] = &["instance_id", "network_interface_id"];

fn set_target(r: &mut Route, field: &str, id: String) {
    match field {
        "gateway_id" | "vpc_endpoint_id" => r.gateway_id = Some(id),
        "nat_gateway_id" => r.nat_gateway_id = Some(id),
        "transit_gateway_id" => r.transit_gateway_id = Some(id),
        "vpc_peering_connection_id" => r.vpc_peering_connection_id = Some(id),
        "network_interface_id" => r.network_interface_id = Some(id),
        "instance_id" => r.instance_id = Some(id),
        "egress_only_gateway_id" => r.egress_only_internet_gateway_id = Some(id),
        "carrier_gateway_id" => r.carrier_gateway_id = Some(id),
        "local_gateway_id" => r.local_gateway_id = Some(id),
        _ => r.core_network_arn = Some(id),
    }
}

fn same_destination(a: &Route, b: &Route) -> bool {
    a.destination_cidr_block == b.destination_cidr_block
        && a.destination_ipv6_cidr_block == b.destination_ipv6_cidr_block
        && a.destination_prefix_list_id == b.destination_prefix_list_id
}

impl<'a> Applier<'a> {
    fn touch(&mut self, rc: &ResourceChange, action: Action, scope: Scope) {
        let t = Touch {
            address: rc.address.clone(),
            action: action.word().to_string(),
            scope,
        };
        if self.touched.insert((t.address.clone(), t.scope.clone())) {
            self.touches.push(t);
        }
    }

    fn unknown(&mut self, rc: &ResourceChange, attribute: &str, scope: Scope, why: String) {
        self.unknowns.push(Unknown {
            address: rc.address.clone(),
            attribute: attribute.to_string(),
            scope,
            why,
        });
    }

    /// The configuration block of `rc` (its module's `resources[]` entry).
    fn config(&self, rc: &ResourceChange) -> Option<&'a Value> {
        let (modules, base, _) = split_address(&rc.address);
        let bare: Vec<&str> = modules
            .iter()
            .map(|m| m.split('[').next().unwrap_or(m))
            .collect();
        self.configs.get(&(bare.join("."), base)).copied()
    }

    /// The references of `expr` (an expression object), resolved to the ids the resources
    /// they name have after apply. Several, for a list; `what` names the attribute.
    fn resolve_refs(&self, rc: &ResourceChange, expr: Option<&Value>, kind: &str) -> Vec<String> {
        let Some(refs) = expr
            .and_then(|e| e.get("references"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        let refs: Vec<&str> = refs.iter().filter_map(Value::as_str).collect();
        let (modules, _, my_index) = split_address(&rc.address);
        let prefix = module_prefix(&modules);
        let same_key = refs
            .iter()
            .any(|r| *r == "count.index" || r.starts_with("each.key"));
        let mut out: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for r in &refs {
            if !r.starts_with(kind) || !r[kind.len()..].starts_with('.') {
                continue;
            }
            // kind.name[index].attr → kind.name, [index]
            let rest = &r[kind.len() + 1..];
            let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
            let base = format!("{kind}.{}", &rest[..name_end]);
            let after = &rest[name_end..];
            // A literal index (`[0]`, `["a"]`); `[count.index]`, `[each.key]` mean the
            // referring instance's own key.
            let mut same_key = same_key;
            let index = if after.starts_with('[') {
                after
                    .find(']')
                    .map(|i| after[..=i].to_string())
                    .filter(|i| {
                        let inner = &i[1..i.len() - 1];
                        let literal =
                            inner.starts_with('"') || inner.bytes().all(|b| b.is_ascii_digit());
                        if !literal && (inner == "count.index" || inner.starts_with("each.")) {
                            same_key = true;
                        }
                        literal && !inner.is_empty()
                    })
            } else {
                None
            };
            let full = format!("{prefix}{base}");
            if !seen.insert((full.clone(), index.clone())) {
                continue;
            }
            let candidates: Vec<&String> = match &index {
                Some(i) => self
                    .ids
                    .get_key_value(&format!("{full}{i}"))
                    .map(|(a, _)| a)
                    .into_iter()
                    .collect(),
                None => {
                    // The instances of `full` (itself, `full[…]`): a range of the sorted keys.
                    let all: Vec<&String> = self
                        .ids
                        .range(full.clone()..)
                        .map(|(a, _)| a)
                        .take_while(|a| a.starts_with(full.as_str()))
                        .filter(|a| {
                            a.strip_prefix(full.as_str())
                                .is_some_and(|t| t.is_empty() || t.starts_with('['))
                        })
                        .collect();
                    if all.len() > 1 && same_key && !my_index.is_empty() {
                        all.into_iter()
                            .filter(|a| **a == format!("{full}{my_index}"))
                            .collect()
                    } else {
                        all
                    }
                }
            };
            // A reference with and without its index both appear; keep the precise one.
            if index.is_none()
                && refs.iter().any(|o| {
                    o.strip_prefix(&r[..kind.len() + 1 + name_end])
                        .and_then(|t| t.strip_prefix('['))
                        .is_some_and(|t| {
                            t.starts_with('"') || t.starts_with(|c: char| c.is_ascii_digit())
                        })
                })
            {
                continue;
            }
            if candidates.len() == 1 {
                let id = self.ids[candidates[0]].clone();
                if !out.contains(&id) {
                    out.push(id);
                }
            } else if candidates.len() > 1 {
                // Several instances and nothing says which: not resolved.
                return vec![String::new()];
            }
        }
        out
    }

    /// An id attribute of `v` (a resource's `after`, or a block of it): known, followed
    /// through a reference to a resource of `kinds`, or unknown (with why).
    fn id_attr(
        &self,
        rc: &ResourceChange,
        v: &Value,
        au: &Value,
        expr: Option<&Value>,
        key: &str,
        kinds: &[&str],
    ) -> Option<Resolved> {
        if let Some(s) = str_at(v, key) {
            return Some(Resolved::Id(s.to_string()));
        }
        if !unknown_at(au, key) {
            return None;
        }
        let e = expr.and_then(|e| e.get(key));
        for kind in kinds {
            let ids = self.resolve_refs(rc, e, kind);
            match ids.as_slice() {
                [one] if !one.is_empty() => return Some(Resolved::Id(one.clone())),
                [] => continue,
                _ => {
                    return Some(Resolved::Unknown(format!(
                        "{key} is known only after apply and its reference to {kind} does not say which instance"
                    )))
                }
            }
        }
        Some(Resolved::Unknown(if e.is_some() {
            format!("{key} is known only after apply and refers to nothing the plan creates")
        } else {
            format!("{key} is known only after apply")
        }))
    }

    fn table(&mut self, id: &str) -> Option<&mut RouteTable> {
        part(&mut self.inv.route_tables)?
            .iter_mut()
            .find(|t| t.id == id)
    }

    fn vpc_of_table(&self, id: &str) -> Option<String> {
        self.inv
            .route_tables
            .get()?
            .iter()
            .find(|t| t.id == id)?
            .vpc_id
            .clone()
    }

    /// Routes of a route object (`aws_route` or an inline block), with unknowns noted.
    fn route_of(
        &mut self,
        rc: &ResourceChange,
        v: &Value,
        au: &Value,
        expr: Option<&Value>,
        label: &str,
        table: &str,
    ) -> Option<Route> {
        // An inline `route` block of aws_route_table (its label is `route[…].`), else aws_route.
        let inline = !label.is_empty();
        let mut r = Route::default();
        let (cidr, v6) = if inline {
            ("cidr_block", "ipv6_cidr_block")
        } else {
            ("destination_cidr_block", "destination_ipv6_cidr_block")
        };
        let scope = Scope::RouteTable(table.to_string());
        let net = |s: &str| -> Result<IpNet, String> {
            s.parse::<IpNet>().map_err(|_| {
                format!(
                    "{}: {label}{cidr} '{}' is not a CIDR",
                    rc.address,
                    super::shown(s)
                )
            })
        };
        if let Some(s) = str_at(v, cidr) {
            match net(s) {
                Ok(n) => r.destination_cidr_block = Some(n),
                Err(e) => {
                    self.errors.push(e);
                    return None;
                }
            }
        } else if let Some(s) = str_at(v, v6) {
            match net(s) {
                Ok(n) => r.destination_ipv6_cidr_block = Some(n),
                Err(e) => {
                    self.errors.push(e);
                    return None;
                }
            }
        } else {
            match self.id_attr(
                rc,
                v,
                au,
                expr,
                "destination_prefix_list_id",
                &["aws_ec2_managed_prefix_list"],
            ) {
                Some(Resolved::Id(id)) => r.destination_prefix_list_id = Some(id),
                Some(Resolved::Unknown(why)) => {
                    self.unknown(
                        rc,
                        &format!("{label}destination_prefix_list_id"),
                        scope,
                        why,
                    );
                    return None;
                }
                None if unknown_at(au, cidr) || unknown_at(au, v6) => {
                    self.unknown(
                        rc,
                        &format!("{label}{cidr}"),
                        scope,
                        "the route's destination is known only after apply".into(),
                    );
                    return None;
                }
                None => return None,
            }
        }
        // A known target first (beside it, attributes AWS computes may be unknown).
        for (field, _) in TARGETS {
            if let Some(id) = str_at(v, field) {
                set_target(&mut r, field, id.to_string());
                return Some(r);
            }
        }
        // Then a target the configuration sets to a value known only after apply. Without
        // the configuration, aws_route's computed attributes (instance_id,
        // network_interface_id) cannot be told from a configured target: they are skipped,
        // and a route with nothing else unknown gets an unknown target.
        for (field, prefix) in TARGETS {
            let configured = match expr {
                Some(e) => e.get(*field).is_some(),
                None => inline || !COMPUTED_ROUTE_TARGETS.contains(field),
            };
            if !(unknown_at(au, field) && configured) {
                continue;
            }
            let kinds: &[&str] = match *field {
                "gateway_id" => &["aws_internet_gateway", "aws_vpc_endpoint"],
                "vpc_endpoint_id" => &["aws_vpc_endpoint"],
                "nat_gateway_id" => &["aws_nat_gateway"],
                "transit_gateway_id" => &["aws_ec2_transit_gateway"],
                "vpc_peering_connection_id" => &["aws_vpc_peering_connection"],
                "network_interface_id" => &["aws_network_interface"],
                "egress_only_gateway_id" => &["aws_egress_only_internet_gateway"],
                _ => &[],
            };
            let id = match self.id_attr(rc, v, au, expr, field, kinds) {
                Some(Resolved::Id(id)) => id,
                _ => {
                    let p = if *field == "gateway_id" {
                        "gateway"
                    } else {
                        prefix
                    };
                    unknown_id(p, &rc.address, &format!("{label}{field}"))
                }
            };
            set_target(&mut r, field, id);
            return Some(r);
        }
        if expr.is_none() && TARGETS.iter().any(|(f, _)| unknown_at(au, f)) {
            r.gateway_id = Some(unknown_id(
                "gateway",
                &rc.address,
                &format!("{label}target"),
            ));
        }
        Some(r)
    }

    fn add_route(&mut self, table: &str, route: Route) {
        if let Some(t) = self.table(table) {
            t.routes.retain(|x| !same_destination(x, &route));
            t.routes.push(route);
        }
    }

    fn remove_route(&mut self, table: &str, route: &Route) {
        if let Some(t) = self.table(table) {
            t.routes.retain(|x| !same_destination(x, route));
        }
    }

    /// The S3 prefix list's id for a gateway endpoint route (from the inventory's lists or
    /// routes; else a placeholder, whose entries are then unknown to the engine).
    fn s3_list(&self, endpoint: &VpcEndpoint) -> String {
        let region = &self.inv.region;
        if let Some(l) = self
            .inv
            .prefix_lists
            .get()
            .and_then(|ls| ls.iter().find(|l| l.is_s3_list_of(region)))
        {
            return l.id.clone();
        }
        if let Some(name) = &endpoint.service_name {
            if let Some(l) = self
                .inv
                .prefix_lists
                .get()
                .and_then(|ls| ls.iter().find(|l| l.name.as_deref() == Some(name)))
            {
                return l.id.clone();
            }
        }
        format!(
            "pl-({})",
            endpoint.service_name.as_deref().unwrap_or("service")
        )
    }

    fn endpoint_route(&mut self, ep: &VpcEndpoint, table: &str, add: bool) {
        if ep.endpoint_type != EndpointType::Gateway {
            return;
        }
        let pl = self.s3_list(ep);
        let route = Route {
            destination_prefix_list_id: Some(pl),
            gateway_id: Some(ep.id.clone()),
            ..Route::default()
        };
        if add {
            self.add_route(table, route);
        } else if let Some(t) = self.table(table) {
            t.routes.retain(|x| x.gateway_id.as_deref() != Some(&ep.id));
        }
    }

    fn endpoint(&mut self, id: &str) -> Option<&mut VpcEndpoint> {
        part(&mut self.inv.vpc_endpoints)?
            .iter_mut()
            .find(|e| e.id == id)
    }

    fn set_blackhole(
        &mut self,
        field: fn(&Route) -> Option<&String>,
        id: &str,
        vpc: Option<&str>,
        hole: bool,
    ) {
        if let Some(ts) = part(&mut self.inv.route_tables) {
            for t in ts
                .iter_mut()
                .filter(|t| vpc.is_none() || t.vpc_id.as_deref() == vpc)
            {
                for r in t
                    .routes
                    .iter_mut()
                    .filter(|r| field(r).map(String::as_str) == Some(id))
                {
                    r.state = if hole {
                        crate::facts::RouteState::Blackhole
                    } else {
                        crate::facts::RouteState::Active
                    };
                }
            }
        }
    }

    fn tables_with_target(&self, id: &str) -> Vec<String> {
        self.inv
            .route_tables
            .get()
            .map(|ts| {
                ts.iter()
                    .filter(|t| t.routes.iter().any(|r| r.target_id() == Some(id)))
                    .map(|t| t.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn apply_one(&mut self, i: usize, phase_delete: bool) {
        let rc = &self.plan.changes[i];
        let Some(action) = Action::of(&rc.change.actions) else {
            return;
        };
        let deleting = matches!(action, Action::Delete | Action::Replace);
        let creating = matches!(action, Action::Create | Action::Replace | Action::Update);
        if phase_delete && !deleting || !phase_delete && !creating {
            return;
        }
        let before = &rc.change.before;
        let after = &rc.change.after;
        let au = &rc.change.after_unknown;
        let expr = self.config(rc).and_then(|c| c.get("expressions"));
        let id_after = self.ids.get(&rc.address).cloned().unwrap_or_default();
        let id_before = str_at(before, "id").map(str::to_string);
        match rc.kind.as_str() {
            "aws_vpc" => {
                let Some(vpcs) = part(&mut self.inv.vpcs) else {
                    return;
                };
                if phase_delete {
                    if let Some(id) = &id_before {
                        vpcs.retain(|v| &v.id != id);
                    }
                } else {
                    let cidr = str_at(after, "cidr_block").and_then(|s| s.parse().ok());
                    let v6 = str_at(after, "ipv6_cidr_block").and_then(|s| s.parse().ok());
                    vpcs.retain(|v| v.id != id_after);
                    vpcs.push(VpcInfo {
                        id: id_after.clone(),
                        ipv4_cidr_blocks: cidr.into_iter().collect(),
                        ipv6_cidr_blocks: v6.into_iter().collect(),
                        dns_attributes: None,
                    });
                }
                let id = if phase_delete {
                    id_before.unwrap_or_default()
                } else {
                    id_after
                };
                self.touch(rc, action, Scope::Vpc(id));
            }
            "aws_subnet" => {
                if phase_delete {
                    let Some(id) = id_before else { return };
                    if let Some(ss) = part(&mut self.inv.subnets) {
                        ss.retain(|s| s.id != id);
                    }
                    if let Some(ts) = part(&mut self.inv.route_tables) {
                        for t in ts {
                            t.subnet_ids.retain(|s| *s != id);
                        }
                    }
                    self.touch(rc, action, Scope::Subnet(id));
                } else {
                    let vpc = match self.id_attr(rc, after, au, expr, "vpc_id", &["aws_vpc"]) {
                        Some(Resolved::Id(v)) => v,
                        Some(Resolved::Unknown(why)) => {
                            self.unknown(rc, "vpc_id", Scope::Subnet(id_after.clone()), why);
                            unknown_id("vpc", &rc.address, "vpc_id")
                        }
                        None => String::new(),
                    };
                    let s = SubnetInfo {
                        id: id_after.clone(),
                        vpc_id: vpc,
                        availability_zone: str_at(after, "availability_zone").map(str::to_string),
                        cidr_block: str_at(after, "cidr_block").and_then(|c| c.parse().ok()),
                    };
                    if let Some(ss) = part(&mut self.inv.subnets) {
                        ss.retain(|x| x.id != s.id);
                        ss.push(s);
                    }
                    self.touch(rc, action, Scope::Subnet(id_after));
                }
            }
            "aws_route_table" => {
                if phase_delete {
                    let Some(id) = id_before else { return };
                    if let Some(ts) = part(&mut self.inv.route_tables) {
                        ts.retain(|t| t.id != id);
                    }
                    self.touch(rc, action, Scope::RouteTable(id));
                    return;
                }
                let id = id_after.clone();
                if action != Action::Update || self.table(&id).is_none() {
                    let vpc = match self.id_attr(rc, after, au, expr, "vpc_id", &["aws_vpc"]) {
                        Some(Resolved::Id(v)) => Some(v),
                        Some(Resolved::Unknown(why)) => {
                            self.unknown(rc, "vpc_id", Scope::RouteTable(id.clone()), why);
                            None
                        }
                        None => None,
                    };
                    // The local routes every table has, for its VPC's CIDRs.
                    let mut routes = Vec::new();
                    if let Some(v) = self
                        .inv
                        .vpcs
                        .get()
                        .and_then(|vs| vs.iter().find(|x| Some(&x.id) == vpc.as_ref()))
                    {
                        for n in &v.ipv4_cidr_blocks {
                            routes.push(Route {
                                destination_cidr_block: Some(*n),
                                gateway_id: Some("local".into()),
                                ..Route::default()
                            });
                        }
                        for n in &v.ipv6_cidr_blocks {
                            routes.push(Route {
                                destination_ipv6_cidr_block: Some(*n),
                                gateway_id: Some("local".into()),
                                ..Route::default()
                            });
                        }
                    }
                    if let Some(ts) = part(&mut self.inv.route_tables) {
                        ts.retain(|t| t.id != id);
                        ts.push(RouteTable {
                            id: id.clone(),
                            vpc_id: vpc,
                            main: false,
                            subnet_ids: Vec::new(),
                            routes,
                        });
                    }
                }
                self.touch(rc, action, Scope::RouteTable(id.clone()));
                if au.get("route") == Some(&Value::Bool(true)) {
                    self.unknown(
                        rc,
                        "route",
                        Scope::RouteTable(id),
                        "the table's routes are known only after apply".into(),
                    );
                    return;
                }
                let empty = Vec::new();
                let b: &Vec<Value> = if action == Action::Update {
                    before
                        .get("route")
                        .and_then(Value::as_array)
                        .unwrap_or(&empty)
                } else {
                    &empty
                };
                let a = after
                    .get("route")
                    .and_then(Value::as_array)
                    .unwrap_or(&empty);
                let blocks = expr.and_then(|e| e.get("route")).and_then(Value::as_array);
                for old in b.iter().filter(|o| !a.contains(o)) {
                    if let Some(r) = self.route_of(rc, old, &Value::Null, None, "route.", &id) {
                        self.remove_route(&id, &r);
                    }
                }
                let au_routes = au.get("route").and_then(Value::as_array);
                for (k, new) in a.iter().enumerate() {
                    if b.contains(new) {
                        continue;
                    }
                    let au_k = au_routes
                        .and_then(|x| x.get(k))
                        .cloned()
                        .unwrap_or(Value::Null);
                    // The configuration block of this route: the one with its destination.
                    let block = blocks.and_then(|bs| {
                        bs.iter().find(|blk| {
                            [
                                "cidr_block",
                                "ipv6_cidr_block",
                                "destination_prefix_list_id",
                            ]
                            .iter()
                            .any(|d| {
                                str_at(new, d).is_some()
                                    && blk.get(*d).and_then(|x| x.get("constant_value"))
                                        == new.get(*d)
                            })
                        })
                    });
                    let block = block
                        .or_else(|| blocks.filter(|bs| bs.len() == 1).and_then(|bs| bs.first()));
                    if let Some(r) =
                        self.route_of(rc, new, &au_k, block, &format!("route[{k}]."), &id)
                    {
                        self.add_route(&id, r);
                    }
                }
            }
            "aws_route" => {
                let (v, u, e) = if phase_delete {
                    (before, &Value::Null, None)
                } else {
                    (after, au, expr)
                };
                let table = match self.id_attr(rc, v, u, e, "route_table_id", &["aws_route_table"])
                {
                    Some(Resolved::Id(t)) => t,
                    Some(Resolved::Unknown(why)) => {
                        self.unknown(
                            rc,
                            "route_table_id",
                            Scope::RouteTable(unknown_id("rtb", &rc.address, "route_table_id")),
                            why,
                        );
                        return;
                    }
                    None => return,
                };
                if action == Action::Update && !phase_delete {
                    if let Some(old) = self.route_of(rc, before, &Value::Null, None, "", &table) {
                        self.remove_route(&table, &old);
                    }
                }
                if let Some(r) = self.route_of(rc, v, u, e, "", &table) {
                    if phase_delete {
                        self.remove_route(&table, &r);
                    } else {
                        self.add_route(&table, r);
                    }
                }
                self.touch(rc, action, Scope::RouteTable(table));
            }
            "aws_route_table_association" => {
                if str_at(if phase_delete { before } else { after }, "gateway_id").is_some() {
                    self.unjudged.push(Unjudged {
                        address: rc.address.clone(),
                        why: "an edge association (gateway_id) routes traffic coming in, not a subnet's way out".into(),
                    });
                    return;
                }
                let assoc = |s: &mut Self, v: &Value, u: &Value, e: Option<&Value>| {
                    let subnet = s.id_attr(rc, v, u, e, "subnet_id", &["aws_subnet"]);
                    let table = s.id_attr(rc, v, u, e, "route_table_id", &["aws_route_table"]);
                    (subnet, table)
                };
                if phase_delete || action == Action::Update {
                    if let (Some(Resolved::Id(s)), Some(Resolved::Id(t))) =
                        assoc(self, before, &Value::Null, None)
                    {
                        if let Some(tb) = self.table(&t) {
                            tb.subnet_ids.retain(|x| *x != s);
                        }
                        self.touch(rc, action, Scope::Subnet(s));
                    }
                    if phase_delete {
                        return;
                    }
                }
                match assoc(self, after, au, expr) {
                    (Some(Resolved::Id(s)), Some(Resolved::Id(t))) => {
                        if let Some(ts) = part(&mut self.inv.route_tables) {
                            for tb in ts.iter_mut() {
                                tb.subnet_ids.retain(|x| *x != s);
                            }
                            if let Some(tb) = ts.iter_mut().find(|x| x.id == t) {
                                tb.subnet_ids.push(s.clone());
                            }
                        }
                        self.touch(rc, action, Scope::Subnet(s));
                    }
                    (Some(Resolved::Id(s)), Some(Resolved::Unknown(why))) => {
                        self.unknown(rc, "route_table_id", Scope::Subnet(s.clone()), why);
                        self.touch(rc, action, Scope::Subnet(s));
                    }
                    (Some(Resolved::Unknown(why)), t) => {
                        let scope = match t {
                            Some(Resolved::Id(t)) => match self.vpc_of_table(&t) {
                                Some(v) => Scope::Vpc(v),
                                None => Scope::RouteTable(t),
                            },
                            _ => {
                                Scope::RouteTable(unknown_id("rtb", &rc.address, "route_table_id"))
                            }
                        };
                        self.unknown(
                            rc,
                            "subnet_id",
                            scope,
                            format!(
                                "{why}: the plan cannot tell which subnet this association moves"
                            ),
                        );
                    }
                    _ => {}
                }
            }
            "aws_main_route_table_association" => {
                let (v, u, e) = if phase_delete {
                    (before, &Value::Null, None)
                } else {
                    (after, au, expr)
                };
                let vpc = match self.id_attr(rc, v, u, e, "vpc_id", &["aws_vpc"]) {
                    Some(Resolved::Id(x)) => x,
                    _ => return,
                };
                let key = if phase_delete {
                    "original_route_table_id"
                } else {
                    "route_table_id"
                };
                match self.id_attr(rc, v, u, e, key, &["aws_route_table"]) {
                    Some(Resolved::Id(t)) => {
                        if let Some(ts) = part(&mut self.inv.route_tables) {
                            for tb in ts
                                .iter_mut()
                                .filter(|tb| tb.vpc_id.as_deref() == Some(&vpc))
                            {
                                tb.main = tb.id == t;
                            }
                        }
                    }
                    Some(Resolved::Unknown(why)) => {
                        self.unknown(rc, key, Scope::MainTable(vpc.clone()), why);
                    }
                    None => {}
                }
                self.touch(rc, action, Scope::MainTable(vpc));
            }
            "aws_vpc_endpoint" => self.vpc_endpoint(rc, action, phase_delete, expr, &id_after),
            "aws_vpc_endpoint_route_table_association" | "aws_vpc_endpoint_subnet_association" => {
                let table_kind = rc.kind.ends_with("route_table_association");
                let (v, u, e) = if phase_delete {
                    (before, &Value::Null, None)
                } else {
                    (after, au, expr)
                };
                if action == Action::Update && !phase_delete {
                    return; // every argument forces a replacement
                }
                let ep = match self.id_attr(rc, v, u, e, "vpc_endpoint_id", &["aws_vpc_endpoint"]) {
                    Some(Resolved::Id(x)) => x,
                    Some(Resolved::Unknown(why)) => {
                        let (key, kinds) = if table_kind {
                            ("route_table_id", ["aws_route_table"])
                        } else {
                            ("subnet_id", ["aws_subnet"])
                        };
                        let scope = match self.id_attr(rc, v, u, e, key, &kinds) {
                            Some(Resolved::Id(t)) if table_kind => Scope::RouteTable(t),
                            Some(Resolved::Id(s)) => match self
                                .inv
                                .subnets
                                .get()
                                .and_then(|ss| ss.iter().find(|x| x.id == s))
                            {
                                Some(x) => Scope::Vpc(x.vpc_id.clone()),
                                None => Scope::Subnet(s),
                            },
                            _ => {
                                Scope::Endpoint(unknown_id("vpce", &rc.address, "vpc_endpoint_id"))
                            }
                        };
                        self.unknown(rc, "vpc_endpoint_id", scope, why);
                        return;
                    }
                    None => return,
                };
                let (key, kinds) = if table_kind {
                    ("route_table_id", ["aws_route_table"])
                } else {
                    ("subnet_id", ["aws_subnet"])
                };
                let other = match self.id_attr(rc, v, u, e, key, &kinds) {
                    Some(Resolved::Id(x)) => x,
                    Some(Resolved::Unknown(why)) => {
                        self.unknown(rc, key, Scope::Endpoint(ep), why);
                        return;
                    }
                    None => return,
                };
                let Some(epv) = self.endpoint(&ep).map(|e| e.clone()) else {
                    self.unjudged.push(Unjudged {
                        address: rc.address.clone(),
                        why: format!("{ep} is not in the inventory (another VPC or region)"),
                    });
                    return;
                };
                if table_kind {
                    if let Some(x) = self.endpoint(&ep) {
                        x.route_table_ids.retain(|t| *t != other);
                        if !phase_delete {
                            x.route_table_ids.push(other.clone());
                        }
                    }
                    self.endpoint_route(&epv, &other, !phase_delete);
                    self.touch(rc, action, Scope::RouteTable(other));
                } else {
                    let private_dns = epv.private_dns_enabled;
                    if let Some(x) = self.endpoint(&ep) {
                        x.subnet_ids.retain(|s| *s != other);
                        x.network_interfaces
                            .retain(|n| n.subnet_id.as_deref() != Some(&other));
                        if !phase_delete {
                            x.subnet_ids.push(other.clone());
                        }
                    }
                    if !phase_delete && private_dns {
                        self.unknown(rc, "network_interface", Scope::Endpoint(ep.clone()), format!("the endpoint's network interface in {other} and its address are created on apply"));
                    }
                    self.touch(rc, action, Scope::Endpoint(ep));
                }
            }
            "aws_vpc_endpoint_policy" => {
                let v = if phase_delete { before } else { after };
                let Some(ep) = str_at(v, "vpc_endpoint_id").map(str::to_string) else {
                    return;
                };
                let policy = if phase_delete {
                    None
                } else {
                    str_at(after, "policy").map(str::to_string)
                };
                if !phase_delete && unknown_at(au, "policy") {
                    self.unknown(
                        rc,
                        "policy",
                        Scope::Endpoint(ep.clone()),
                        "the endpoint policy is known only after apply".into(),
                    );
                }
                if let Some(x) = self.endpoint(&ep) {
                    x.policy_document = policy;
                }
                self.touch(rc, action, Scope::Endpoint(ep));
            }
            "aws_nat_gateway" => {
                if phase_delete {
                    let Some(id) = id_before else { return };
                    if let Some(ns) = part(&mut self.inv.nat_gateways) {
                        for n in ns.iter_mut().filter(|n| n.id == id) {
                            n.state = "deleted".into();
                        }
                    }
                    self.set_blackhole(|r| r.nat_gateway_id.as_ref(), &id, None, true);
                    self.touch(rc, action, Scope::NatGateway(id));
                    return;
                }
                let subnet = match self.id_attr(rc, after, au, expr, "subnet_id", &["aws_subnet"]) {
                    Some(Resolved::Id(s)) => Some(s),
                    _ => None,
                };
                let nat = NatGateway {
                    id: id_after.clone(),
                    state: "available".into(),
                    connectivity_type: str_at(after, "connectivity_type")
                        .unwrap_or("public")
                        .into(),
                    subnet_id: subnet,
                    private_ips: str_at(after, "private_ip")
                        .and_then(|s| s.parse().ok())
                        .into_iter()
                        .collect(),
                    public_ips: str_at(after, "public_ip")
                        .and_then(|s| s.parse().ok())
                        .into_iter()
                        .collect(),
                };
                if let Some(ns) = part(&mut self.inv.nat_gateways) {
                    ns.retain(|n| n.id != nat.id);
                    ns.push(nat);
                }
                self.touch(rc, action, Scope::NatGateway(id_after));
            }
            "aws_internet_gateway" => {
                if phase_delete {
                    let Some(id) = id_before else { return };
                    if let Some(gs) = part(&mut self.inv.internet_gateways) {
                        gs.retain(|g| g.id != id);
                    }
                    self.set_blackhole(|r| r.gateway_id.as_ref(), &id, None, true);
                    self.touch(rc, action, Scope::InternetGateway(id));
                    return;
                }
                let vpc = match self.id_attr(rc, after, au, expr, "vpc_id", &["aws_vpc"]) {
                    Some(Resolved::Id(v)) => Some(v),
                    Some(Resolved::Unknown(why)) => {
                        self.unknown(rc, "vpc_id", Scope::InternetGateway(id_after.clone()), why);
                        None
                    }
                    None => None,
                };
                let g = InternetGateway {
                    id: id_after.clone(),
                    attachments: vpc
                        .into_iter()
                        .map(|v| IgwAttachment {
                            vpc_id: v,
                            state: "available".into(),
                        })
                        .collect(),
                };
                if let Some(gs) = part(&mut self.inv.internet_gateways) {
                    gs.retain(|x| x.id != g.id);
                    gs.push(g);
                }
                self.touch(rc, action, Scope::InternetGateway(id_after));
            }
            "aws_ec2_transit_gateway_vpc_attachment" => {
                let v = if phase_delete { before } else { after };
                let (Some(tgw), Some(vpc)) = (str_at(v, "transit_gateway_id"), str_at(v, "vpc_id"))
                else {
                    if !phase_delete {
                        self.unjudged.push(Unjudged {
                            address: rc.address.clone(),
                            why: "its transit gateway or VPC is known only after apply".into(),
                        });
                    }
                    return;
                };
                let (tgw, vpc) = (tgw.to_string(), vpc.to_string());
                // Routes to a transit gateway without an attachment in the VPC are blackholes.
                self.set_blackhole(
                    |r| r.transit_gateway_id.as_ref(),
                    &tgw,
                    Some(&vpc),
                    phase_delete,
                );
                self.touch(rc, action, Scope::TransitGateway(tgw));
            }
            "aws_ec2_managed_prefix_list" => {
                if phase_delete {
                    let Some(id) = id_before else { return };
                    if let Some(ls) = part(&mut self.inv.prefix_lists) {
                        ls.retain(|l| l.id != id);
                    }
                    self.touch(rc, action, Scope::PrefixList(id));
                    return;
                }
                let id = id_after.clone();
                let entries = |v: &Value| -> Vec<IpNet> {
                    v.get("entry")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|e| str_at(e, "cidr")?.parse().ok())
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (old, new) = (entries(before), entries(after));
                let exists = self
                    .inv
                    .prefix_lists
                    .get()
                    .is_some_and(|ls| ls.iter().any(|l| l.id == id));
                if let Some(ls) = part(&mut self.inv.prefix_lists) {
                    if !exists {
                        let mut l = PrefixList::new(id.clone());
                        l.owner_id = Some("self".into());
                        ls.push(l);
                    }
                    if let Some(l) = ls.iter_mut().find(|l| l.id == id) {
                        l.name = str_at(after, "name").map(str::to_string).or(l.name.take());
                        l.address_family = str_at(after, "address_family")
                            .map(Into::into)
                            .or(l.address_family.take());
                        l.cidrs.retain(|c| !old.contains(c) || new.contains(c));
                        for c in new {
                            if !l.cidrs.contains(&c) {
                                l.cidrs.push(c);
                            }
                        }
                    }
                }
                if unknown_at(au, "entry") {
                    self.unknown(
                        rc,
                        "entry",
                        Scope::PrefixList(id.clone()),
                        "the list's entries are known only after apply".into(),
                    );
                }
                self.touch(rc, action, Scope::PrefixList(id));
            }
            "aws_ec2_managed_prefix_list_entry" => {
                let (v, u, e) = if phase_delete {
                    (before, &Value::Null, None)
                } else {
                    (after, au, expr)
                };
                let pl = match self.id_attr(
                    rc,
                    v,
                    u,
                    e,
                    "prefix_list_id",
                    &["aws_ec2_managed_prefix_list"],
                ) {
                    Some(Resolved::Id(x)) => x,
                    _ => return,
                };
                let Some(cidr) = str_at(v, "cidr").and_then(|c| c.parse::<IpNet>().ok()) else {
                    if !phase_delete {
                        self.unknown(
                            rc,
                            "cidr",
                            Scope::PrefixList(pl),
                            "the entry's CIDR is known only after apply".into(),
                        );
                    }
                    return;
                };
                if let Some(l) = part(&mut self.inv.prefix_lists)
                    .and_then(|ls| ls.iter_mut().find(|l| l.id == pl))
                {
                    l.cidrs.retain(|c| *c != cidr);
                    if !phase_delete {
                        l.cidrs.push(cidr);
                    }
                }
                self.touch(rc, action, Scope::PrefixList(pl));
            }
            "aws_network_acl" | "aws_network_acl_rule" | "aws_network_acl_association" => {
                self.network_acl(rc, action, phase_delete, expr, &id_after)
            }
            _ => {}
        }
    }

    fn vpc_endpoint(
        &mut self,
        rc: &ResourceChange,
        action: Action,
        phase_delete: bool,
        expr: Option<&Value>,
        id_after: &str,
    ) {
        let (before, after, au) = (
            &rc.change.before,
            &rc.change.after,
            &rc.change.after_unknown,
        );
        if phase_delete {
            let Some(id) = str_at(before, "id").map(str::to_string) else {
                return;
            };
            let tables = self.tables_with_target(&id);
            if let Some(es) = part(&mut self.inv.vpc_endpoints) {
                es.retain(|e| e.id != id);
            }
            for t in tables {
                if let Some(tb) = self.table(&t) {
                    tb.routes.retain(|r| r.gateway_id.as_deref() != Some(&id));
                }
                self.touch(rc, action, Scope::RouteTable(t));
            }
            self.touch(rc, action, Scope::Endpoint(id));
            return;
        }
        let id = id_after.to_string();
        let scope = Scope::Endpoint(id.clone());
        let vpc = match self.id_attr(rc, after, au, expr, "vpc_id", &["aws_vpc"]) {
            Some(Resolved::Id(v)) => Some(v),
            Some(Resolved::Unknown(why)) => {
                self.unknown(rc, "vpc_id", scope.clone(), why);
                None
            }
            None => None,
        };
        let ty = match str_at(after, "vpc_endpoint_type").unwrap_or("Gateway") {
            "Interface" => EndpointType::Interface,
            "GatewayLoadBalancer" => EndpointType::GatewayLoadBalancer,
            "Resource" => EndpointType::Resource,
            "ServiceNetwork" => EndpointType::ServiceNetwork,
            _ => EndpointType::Gateway,
        };
        // A set of ids: known ones as they are; unknown ones followed to what the plan creates
        // (a set, so which element is which does not matter).
        let ids = |s: &mut Self, key: &str, kind: &str| -> Vec<String> {
            let mut out = str_list(after, key);
            let unknown_n = au
                .get(key)
                .and_then(Value::as_array)
                .map_or(0, |a| a.iter().filter(|x| **x == Value::Bool(true)).count());
            if au.get(key) == Some(&Value::Bool(true)) || unknown_n > 0 {
                let refs = s.resolve_refs(rc, expr.and_then(|e| e.get(key)), kind);
                let refs: Vec<String> = refs
                    .into_iter()
                    .filter(|r| !r.is_empty() && !out.contains(r))
                    .collect();
                let whole = au.get(key) == Some(&Value::Bool(true));
                if (whole && !refs.is_empty() && expr.and_then(|e| e.get(key)).is_some())
                    || (!whole && refs.len() == unknown_n)
                {
                    out.extend(refs);
                } else {
                    s.unknown(
                        rc,
                        key,
                        Scope::Endpoint(id.clone()),
                        format!("{key} is known only after apply"),
                    );
                }
            }
            out
        };
        let tables = ids(self, "route_table_ids", "aws_route_table");
        let subnets = ids(self, "subnet_ids", "aws_subnet");
        let sgs = str_list(after, "security_group_ids");
        let old = self.endpoint(&id).cloned();
        let private_dns = after
            .get("private_dns_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if unknown_at(au, "policy") {
            self.unknown(
                rc,
                "policy",
                scope.clone(),
                "the endpoint policy is known only after apply".into(),
            );
        }
        let mut ep = VpcEndpoint {
            id: id.clone(),
            vpc_id: vpc,
            endpoint_type: ty,
            service_name: str_at(after, "service_name").map(str::to_string),
            state: "available".into(),
            route_table_ids: tables.clone(),
            subnet_ids: subnets.clone(),
            network_interfaces: Vec::new(),
            dns_entries: Vec::new(),
            private_dns_enabled: private_dns,
            private_dns_only_for_inbound_resolver_endpoint: None,
            security_group_ids: sgs,
            policy_document: str_at(after, "policy").map(str::to_string),
            ip_address_type: str_at(after, "ip_address_type").map(Into::into),
            resource_configuration_arn: None,
        };
        if let Some(o) = &old {
            // Interfaces and DNS names of the subnets it keeps stay as read.
            ep.network_interfaces = o
                .network_interfaces
                .iter()
                .filter(|n| n.subnet_id.as_ref().is_none_or(|s| subnets.contains(s)))
                .cloned()
                .collect::<Vec<EndpointInterface>>();
            ep.dns_entries = o.dns_entries.clone();
        }
        let have: Vec<&str> = ep
            .network_interfaces
            .iter()
            .filter_map(|n| n.subnet_id.as_deref())
            .collect();
        let new_enis: Vec<String> = subnets
            .iter()
            .filter(|s| !have.contains(&s.as_str()))
            .cloned()
            .collect();
        if ty == EndpointType::Interface && private_dns && !new_enis.is_empty() {
            self.unknown(rc, "network_interface_ids", scope.clone(), format!("the endpoint's network interfaces in {} and their addresses are created on apply", new_enis.join(", ")));
        }
        let old_tables: Vec<String> = old
            .as_ref()
            .map(|o| o.route_table_ids.clone())
            .unwrap_or_default();
        if let Some(es) = part(&mut self.inv.vpc_endpoints) {
            es.retain(|e| e.id != id);
            es.push(ep.clone());
        }
        for t in old_tables.iter().filter(|t| !tables.contains(t)) {
            self.endpoint_route(&ep, t, false);
            self.touch(rc, action, Scope::RouteTable(t.clone()));
        }
        for t in &tables {
            self.endpoint_route(&ep, t, true);
            if !old_tables.contains(t) {
                self.touch(rc, action, Scope::RouteTable(t.clone()));
            }
        }
        self.touch(rc, action, scope);
    }

    fn network_acl(
        &mut self,
        rc: &ResourceChange,
        action: Action,
        phase_delete: bool,
        expr: Option<&Value>,
        id_after: &str,
    ) {
        let (before, after, au) = (
            &rc.change.before,
            &rc.change.after,
            &rc.change.after_unknown,
        );
        let (v, u, e) = if phase_delete {
            (before, &Value::Null, None)
        } else {
            (after, au, expr)
        };
        let entry =
            |x: &Value, egress: bool, rule_key: &str, action_key: &str| -> Option<AclEntry> {
                let cidr = str_at(x, "cidr_block")
                    .or(str_at(x, "ipv6_cidr_block"))?
                    .parse()
                    .ok()?;
                let port = |k: &str| x.get(k).and_then(Value::as_i64).map(|p| p as i32);
                Some(AclEntry {
                    rule_number: x.get(rule_key).and_then(Value::as_i64)? as i32,
                    egress,
                    protocol: str_at(x, "protocol").unwrap_or("-1").into(),
                    action: str_at(x, action_key)?.to_ascii_lowercase().into(),
                    cidr,
                    port_from: port("from_port"),
                    port_to: port("to_port"),
                })
            };
        match rc.kind.as_str() {
            "aws_network_acl" => {
                if phase_delete {
                    let Some(id) = str_at(before, "id").map(str::to_string) else {
                        return;
                    };
                    if let Some(ns) = part(&mut self.inv.network_acls) {
                        ns.retain(|n| n.id != id);
                    }
                    self.touch(rc, action, Scope::NetworkAcl(id));
                    return;
                }
                let id = id_after.to_string();
                let rules = |x: &Value| -> Vec<AclEntry> {
                    let mut out = Vec::new();
                    for (key, egress) in [("egress", true), ("ingress", false)] {
                        for r in x.get(key).and_then(Value::as_array).into_iter().flatten() {
                            out.extend(entry(r, egress, "rule_no", "action"));
                        }
                    }
                    out
                };
                let (old_rules, new_rules) = (
                    if action == Action::Update {
                        rules(before)
                    } else {
                        Vec::new()
                    },
                    rules(after),
                );
                let old_subnets = if action == Action::Update {
                    str_list(before, "subnet_ids")
                } else {
                    Vec::new()
                };
                let new_subnets = str_list(after, "subnet_ids");
                let vpc = match self.id_attr(rc, after, au, expr, "vpc_id", &["aws_vpc"]) {
                    Some(Resolved::Id(x)) => Some(x),
                    _ => None,
                };
                if ["egress", "ingress", "subnet_ids"]
                    .iter()
                    .any(|k| unknown_at(au, k))
                {
                    self.unknown(
                        rc,
                        "egress/ingress/subnet_ids",
                        Scope::NetworkAcl(id.clone()),
                        "the ACL's rules or subnets are known only after apply".into(),
                    );
                }
                let Some(ns) = part(&mut self.inv.network_acls) else {
                    return;
                };
                if !ns.iter().any(|n| n.id == id) {
                    let deny = |egress| AclEntry {
                        rule_number: 32767,
                        egress,
                        protocol: "-1".into(),
                        action: "deny".into(),
                        cidr: "0.0.0.0/0".parse().expect("a CIDR"),
                        port_from: None,
                        port_to: None,
                    };
                    ns.push(NetworkAcl {
                        id: id.clone(),
                        vpc_id: vpc,
                        default: false,
                        subnet_ids: Vec::new(),
                        entries: vec![deny(true), deny(false)],
                    });
                }
                for n in ns.iter_mut() {
                    if n.id != id {
                        n.subnet_ids
                            .retain(|s| !new_subnets.contains(s) || old_subnets.contains(s));
                    }
                }
                let default_of_vpc = ns.iter().position(|n| {
                    n.default
                        && n.vpc_id
                            == ns
                                .iter()
                                .find(|m| m.id == id)
                                .and_then(|m| m.vpc_id.clone())
                });
                let n = ns.iter_mut().find(|n| n.id == id).expect("just added");
                n.entries
                    .retain(|x| !old_rules.contains(x) || new_rules.contains(x));
                for r in new_rules {
                    if !n.entries.contains(&r) {
                        n.entries
                            .retain(|x| !(x.rule_number == r.rule_number && x.egress == r.egress));
                        n.entries.push(r);
                    }
                }
                let removed: Vec<String> = old_subnets
                    .iter()
                    .filter(|s| !new_subnets.contains(s))
                    .cloned()
                    .collect();
                n.subnet_ids.retain(|s| !removed.contains(s));
                for s in &new_subnets {
                    if !n.subnet_ids.contains(s) {
                        n.subnet_ids.push(s.clone());
                    }
                }
                // A subnet taken off an ACL goes back to its VPC's default ACL.
                if let Some(d) = default_of_vpc {
                    for s in removed {
                        if !ns[d].subnet_ids.contains(&s) {
                            ns[d].subnet_ids.push(s);
                        }
                    }
                }
                self.touch(rc, action, Scope::NetworkAcl(id));
            }
            "aws_network_acl_rule" => {
                let acl = match self.id_attr(rc, v, u, e, "network_acl_id", &["aws_network_acl"]) {
                    Some(Resolved::Id(x)) => x,
                    _ => return,
                };
                let egress = v.get("egress").and_then(Value::as_bool).unwrap_or(false);
                let r = entry(v, egress, "rule_number", "rule_action");
                if r.is_none() && !phase_delete {
                    self.unknown(
                        rc,
                        "cidr_block",
                        Scope::NetworkAcl(acl.clone()),
                        "the rule's CIDR or number is known only after apply".into(),
                    );
                }
                if let Some(n) = part(&mut self.inv.network_acls)
                    .and_then(|ns| ns.iter_mut().find(|n| n.id == acl))
                {
                    if let Some(r) = r {
                        n.entries
                            .retain(|x| !(x.rule_number == r.rule_number && x.egress == r.egress));
                        if !phase_delete {
                            n.entries.push(r);
                        }
                    }
                }
                self.touch(rc, action, Scope::NetworkAcl(acl));
            }
            _ => {
                // aws_network_acl_association
                let acl = self.id_attr(rc, v, u, e, "network_acl_id", &["aws_network_acl"]);
                let subnet = self.id_attr(rc, v, u, e, "subnet_id", &["aws_subnet"]);
                match (acl, subnet) {
                    (Some(Resolved::Id(acl)), Some(Resolved::Id(s))) => {
                        if let Some(ns) = part(&mut self.inv.network_acls) {
                            if phase_delete {
                                for n in ns.iter_mut().filter(|n| n.id == acl) {
                                    n.subnet_ids.retain(|x| *x != s);
                                }
                                let vpc = ns
                                    .iter()
                                    .find(|n| n.id == acl)
                                    .and_then(|n| n.vpc_id.clone());
                                if let Some(d) =
                                    ns.iter_mut().find(|n| n.default && n.vpc_id == vpc)
                                {
                                    d.subnet_ids.push(s.clone());
                                }
                            } else {
                                for n in ns.iter_mut() {
                                    n.subnet_ids.retain(|x| *x != s);
                                }
                                if let Some(n) = ns.iter_mut().find(|n| n.id == acl) {
                                    n.subnet_ids.push(s.clone());
                                }
                            }
                        }
                        self.touch(rc, action, Scope::Subnet(s));
                    }
                    (_, Some(Resolved::Id(s))) => {
                        self.unknown(
                            rc,
                            "network_acl_id",
                            Scope::Subnet(s),
                            "network_acl_id is known only after apply".into(),
                        );
                    }
                    (Some(Resolved::Id(acl)), Some(Resolved::Unknown(why))) => {
                        self.unknown(rc, "subnet_id", Scope::NetworkAcl(acl), why);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Every `resources[]` entry of `module` and its module calls, by (module path, address).
fn index_config<'a>(
    module: &'a Value,
    path: String,
    out: &mut BTreeMap<(String, String), &'a Value>,
) {
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(addr) = r.get("address").and_then(Value::as_str) {
            out.insert((path.clone(), addr.to_string()), r);
        }
    }
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            if let Some(m) = call.get("module") {
                let p = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                index_config(m, p, out);
            }
        }
    }
}

/// Applies `plan` to `before`: the inventory after apply, what touched what, the unknowns.
/// Errors (a malformed CIDR, …) are one line naming the resource.
pub fn apply(plan: &Plan, before: &Inventory, name: &str) -> Result<AppliedPlan, InputError> {
    let mut a = Applier {
        plan,
        inv: before.clone(),
        ids: BTreeMap::new(),
        configs: BTreeMap::new(),
        touches: Vec::new(),
        touched: BTreeSet::new(),
        unknowns: Vec::new(),
        unjudged: Vec::new(),
        errors: Vec::new(),
    };
    if let Some(root) = &plan.configuration {
        index_config(root, String::new(), &mut a.configs);
    }
    for rc in &plan.changes {
        if rc.mode.as_deref().is_some_and(|m| m != "managed") {
            continue;
        }
        let Some(action) = Action::of(&rc.change.actions) else {
            continue;
        };
        let known = str_at(&rc.change.after, "id")
            .or(if action == Action::Delete {
                str_at(&rc.change.before, "id")
            } else {
                None
            })
            .map(str::to_string);
        let id = known.unwrap_or_else(|| new_id(prefix_of(&rc.kind), &rc.address));
        a.ids.insert(rc.address.clone(), id);
        if !APPLIED.contains(&rc.kind.as_str()) {
            if let Some(why) = unjudged_why(&rc.kind) {
                a.unjudged.push(Unjudged {
                    address: rc.address.clone(),
                    why: why.to_string(),
                });
            }
        }
    }
    // Resources the plan does not change but reads (no-op) keep their ids for references.
    for rc in &plan.changes {
        if !a.ids.contains_key(&rc.address) {
            if let Some(id) = str_at(&rc.change.after, "id").or(str_at(&rc.change.before, "id")) {
                a.ids.insert(rc.address.clone(), id.to_string());
            }
        }
    }
    for phase_delete in [true, false] {
        for i in 0..plan.changes.len() {
            let rc = &plan.changes[i];
            if rc.mode.as_deref().is_some_and(|m| m != "managed")
                || !APPLIED.contains(&rc.kind.as_str())
            {
                continue;
            }
            a.apply_one(i, phase_delete);
        }
    }
    if let Some(e) = a.errors.first() {
        return Err(InputError(format!("--plan {name}: {e}")));
    }
    Ok(AppliedPlan {
        format_version: plan.format_version.clone(),
        terraform_version: plan.terraform_version.clone(),
        resource_changes: plan.changes.len(),
        after: a.inv,
        touches: a.touches,
        unknowns: a.unknowns,
        unjudged: a.unjudged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_modules_base_and_index() {
        let (m, b, i) = split_address("module.net[\"a.b\"].module.sub.aws_route.x[\"k\"]");
        assert_eq!(m, vec!["net[\"a.b\"]".to_string(), "sub".to_string()]);
        assert_eq!(b, "aws_route.x");
        assert_eq!(i, "[\"k\"]");
        let (m, b, i) = split_address("aws_route_table.private[0]");
        assert!(m.is_empty());
        assert_eq!((b.as_str(), i.as_str()), ("aws_route_table.private", "[0]"));
    }

    fn inventory() -> Inventory {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/plan/inventory.json"
        );
        let af: crate::facts::inventory::AuditFacts =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        af.regions[0].clone()
    }

    fn plan(changes: &str) -> Plan {
        parse(
            &format!("{{\"format_version\": \"1.2\", \"resource_changes\": [{changes}]}}"),
            "p.json",
        )
        .unwrap()
    }

    fn change(address: &str, kind: &str, actions: &str, before: &str, after: &str) -> String {
        format!(
            "{{\"address\": \"{address}\", \"mode\": \"managed\", \"type\": \"{kind}\", \"name\": \"x\", \"change\": {{\"actions\": {actions}, \"before\": {before}, \"after\": {after}, \"after_unknown\": {{}}}}}}"
        )
    }

    #[test]
    fn each_type_changes_what_it_should() {
        let inv = inventory();
        let changes = [
            change(
                "aws_main_route_table_association.m",
                "aws_main_route_table_association",
                "[\"create\"]",
                "null",
                "{\"vpc_id\": \"vpc-0a000001\", \"route_table_id\": \"rtb-0a000002\"}",
            ),
            change(
                "aws_network_acl_rule.deny443",
                "aws_network_acl_rule",
                "[\"create\"]",
                "null",
                "{\"network_acl_id\": \"acl-0a000001\", \"rule_number\": 50, \"egress\": true, \"protocol\": \"6\", \"rule_action\": \"deny\", \"cidr_block\": \"0.0.0.0/0\", \"from_port\": 443, \"to_port\": 443}",
            ),
            change(
                "aws_ec2_managed_prefix_list_entry.e",
                "aws_ec2_managed_prefix_list_entry",
                "[\"create\"]",
                "null",
                "{\"prefix_list_id\": \"pl-6da54004\", \"cidr\": \"16.12.0.0/16\"}",
            ),
            change(
                "aws_nat_gateway.a",
                "aws_nat_gateway",
                "[\"delete\"]",
                "{\"id\": \"nat-0a000001\"}",
                "null",
            ),
            change(
                "aws_vpc_endpoint.s3",
                "aws_vpc_endpoint",
                "[\"delete\"]",
                "{\"id\": \"vpce-0a000001\"}",
                "null",
            ),
        ]
        .join(",");
        let a = apply(&plan(&changes), &inv, "p.json").unwrap();
        let tables = a.after.route_tables.get().unwrap();
        let t = |id: &str| tables.iter().find(|t| t.id == id).unwrap();
        assert!(t("rtb-0a000002").main && !t("rtb-0a000003").main);
        let acl = &a.after.network_acls.get().unwrap()[0];
        let rule = acl.entries.iter().find(|e| e.rule_number == 50).unwrap();
        assert!(rule.egress && rule.action.as_str() == "deny" && rule.port_from == Some(443));
        let pl = &a.after.prefix_lists.get().unwrap()[0];
        assert!(pl.cidrs.contains(&"16.12.0.0/16".parse().unwrap()));
        let nat = &a.after.nat_gateways.get().unwrap()[0];
        assert_eq!(nat.state.as_str(), "deleted");
        let to_nat = t("rtb-0a000002")
            .routes
            .iter()
            .find(|r| r.nat_gateway_id.is_some())
            .unwrap();
        assert!(to_nat.is_blackhole());
        assert!(a.after.vpc_endpoints.get().unwrap().is_empty());
        assert!(!t("rtb-0a000001")
            .routes
            .iter()
            .any(|r| r.gateway_id.as_deref() == Some("vpce-0a000001")));
        // Every change touched something, by its address.
        for addr in [
            "aws_main_route_table_association.m",
            "aws_network_acl_rule.deny443",
            "aws_ec2_managed_prefix_list_entry.e",
            "aws_nat_gateway.a",
            "aws_vpc_endpoint.s3",
        ] {
            assert!(a.touches.iter().any(|x| x.address == addr), "{addr}");
        }
        assert!(a.unknowns.is_empty(), "{:?}", a.unknowns);
        // The input is not changed: a pure transform.
        assert_eq!(inv, inventory());
    }

    #[test]
    fn a_new_gateway_endpoint_adds_its_prefix_list_route_to_each_table() {
        let inv = inventory();
        let c = "{\"address\": \"aws_vpc_endpoint.s3b\", \"mode\": \"managed\", \"type\": \"aws_vpc_endpoint\", \"name\": \"s3b\", \"change\": {\"actions\": [\"create\"], \"before\": null, \"after\": {\"vpc_id\": \"vpc-0a000001\", \"service_name\": \"com.amazonaws.eu-west-1.s3\", \"vpc_endpoint_type\": \"Gateway\", \"route_table_ids\": [\"rtb-0a000002\", \"rtb-0a000003\"]}, \"after_unknown\": {\"id\": true}}}";
        let a = apply(&plan(c), &inv, "p.json").unwrap();
        for t in a.after.route_tables.get().unwrap().iter().skip(1) {
            assert!(
                t.routes
                    .iter()
                    .any(
                        |r| r.destination_prefix_list_id.as_deref() == Some("pl-6da54004")
                            && r.gateway_id.as_deref() == Some("vpce-(aws_vpc_endpoint.s3b)")
                    ),
                "{t:?}"
            );
        }
    }

    #[test]
    fn bad_plans_are_one_line_errors() {
        for (text, want) in [
            ("{", "invalid JSON"),
            ("{}", "no \"format_version\""),
            ("{\"format_version\": \"2.0\", \"resource_changes\": []}", "is not 1.x"),
            ("{\"format_version\": \"1.2\", \"values\": {}}", "this is a state"),
            ("{\"format_version\": \"1.2\", \"resource_changes\": [{\"address\": \"\", \"type\": \"aws_route\", \"name\": \"x\", \"change\": {\"actions\": [\"create\"]}}]}", "address is empty"),
            ("{\"format_version\": \"1.2\", \"resource_changes\": 3}", "not a plan"),
        ] {
            let e = parse(text, "p.json").unwrap_err().0;
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains('\n'), "{e}");
            assert!(e.starts_with("--plan p.json: "), "{e}");
        }
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let text =
            format!("{{\"format_version\": \"1.0\", \"resource_changes\": [], \"x\": {deep}}}");
        assert!(parse(&text, "p").unwrap_err().0.contains("nested deeper"));
    }
}

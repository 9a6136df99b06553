use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;

check! {
    NaclBlocksS3, "S3P108", "nacl-blocks-s3", Routing, Error, Stable,
    "the subnet's network ACL denies the request to S3 or its return traffic",
    restates: [Blocked]
}

/// A port from the Linux ephemeral range that replies come back to.
const EPHEMERAL: u16 = 49152;

impl NaclBlocksS3 {
    fn run(cx: &Context) -> CheckResult {
        let acls = cx.need(parts::NetworkAcls)?;
        let Some(subnet) = cx.facts.vantage.get().and_then(|v| v.subnet_id.as_deref()) else {
            return skip("the subnet is not known".to_string());
        };
        let Some(acl) = acls
            .iter()
            .find(|a| a.subnet_ids.iter().any(|s| s == subnet))
            .or_else(|| acls.iter().find(|a| a.default))
        else {
            return skip(format!("no network ACL governs {subnet} in the facts"));
        };
        let Some(primary) = cx.primary() else {
            return skip("no region to judge against".to_string());
        };
        let region = cx.region().unwrap_or("REGION");
        let mut drafts = Vec::new();
        for a in &primary.addresses {
            if matches!(
                a.decision.path,
                PathKind::Proxy | PathKind::Blocked | PathKind::Unknown
            ) {
                continue;
            }
            for (egress, port, what) in [
                (true, 443u16, "the request (outbound TCP 443)"),
                (
                    false,
                    EPHEMERAL,
                    "the reply (inbound TCP to ephemeral port 49152)",
                ),
            ] {
                let verdict = acl.evaluate_tcp(egress, a.address, port);
                let denied = verdict.is_none_or(|e| e.action != crate::facts::AclAction::Allow);
                if !denied {
                    continue;
                }
                let rule = verdict
                    .map(|e| format!("rule {} ({} {})", e.rule_number, e.action, e.cidr))
                    .unwrap_or_else(|| "the final * rule (deny)".to_string());
                let dir = if egress { "--egress" } else { "--ingress" };
                let ports = if egress {
                    "From=443,To=443"
                } else {
                    "From=1024,To=65535"
                };
                drafts.push(
                    Draft::new(format!(
                        "network ACL {} of {subnet} denies {what} for {} ({}) by {rule}",
                        acl.id, a.address, primary.target.host
                    ))
                    .fix(format!(
                        "aws ec2 create-network-acl-entry --region {region} --network-acl-id {} {dir} --rule-number RULE_NUMBER --protocol tcp --port-range {ports} --cidr-block 0.0.0.0/0 --rule-action allow  (network ACLs cannot reference prefix lists: use the S3 CIDRs or 0.0.0.0/0, with a rule number below the deny)",
                        acl.id
                    ))
                    .evidence(format!("{} evaluated in rule-number order", acl.id)),
                );
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}

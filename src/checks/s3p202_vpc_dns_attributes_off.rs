use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::EndpointType;
use crate::facts::Part;

check! {
    VpcDnsAttributesOff, "S3P202", "vpc-dns-attributes-off", Dns, Error, Stable,
    "an interface endpoint relies on private DNS but the VPC's DNS support or DNS hostnames is off"
}

impl VpcDnsAttributesOff {
    fn run(cx: &Context) -> CheckResult {
        let Some(eps) = cx.s3_endpoints(EndpointType::Interface) else {
            return Err(cx.missing(Part::VpcEndpoints));
        };
        let private: Vec<_> = eps.into_iter().filter(|e| e.private_dns_enabled).collect();
        if private.is_empty() {
            return pass();
        }
        let Some(attrs) = cx.facts.vpc_dns_attributes.get() else {
            return Err(cx.missing(Part::VpcDnsAttributes));
        };
        if attrs.enable_dns_support && attrs.enable_dns_hostnames {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let vpc = cx.vpc_id().unwrap_or("VPC_ID");
        let mut off = Vec::new();
        let mut d = Draft::new(String::new());
        if !attrs.enable_dns_support {
            off.push("enableDnsSupport");
            d = d.fix(format!(
                "aws ec2 modify-vpc-attribute --region {region} --vpc-id {vpc} --enable-dns-support '{{\"Value\":true}}'"
            ));
        }
        if !attrs.enable_dns_hostnames {
            off.push("enableDnsHostnames");
            d = d.fix(format!(
                "aws ec2 modify-vpc-attribute --region {region} --vpc-id {vpc} --enable-dns-hostnames '{{\"Value\":true}}'"
            ));
        }
        let ids: Vec<&str> = private.iter().map(|e| e.id.as_str()).collect();
        d.message = format!(
            "{vpc} has {} off, so the private DNS names of {} are not served and S3 names resolve to public addresses",
            off.join(" and "),
            ids.join(", ")
        );
        d = d
            .evidence(format!(
                "enableDnsSupport={}, enableDnsHostnames={}",
                attrs.enable_dns_support, attrs.enable_dns_hostnames
            ))
            .evidence(format!("private DNS enabled on {}", ids.join(", ")));
        Ok(vec![d])
    }
}

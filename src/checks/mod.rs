//! The check registry. Each check lives in its own file, has a stable ID (`S3P` + three
//! digits, never reused), a kebab-case name, a category, a default severity and a page
//! `checks/<ID>.md` compiled into the binary.
//!
//! IDs are grouped by hundreds: 0xx identity, 1xx routing, 2xx DNS, 3xx endpoints, 4xx host
//! settings, 5xx probes, 6xx buckets and policies, 9xx verdict.

#[macro_use]
pub mod context;
pub mod bucket;
pub mod fixes;
pub mod names;
mod s3p001_not_on_aws;
mod s3p002_imds_token_blocked;
mod s3p003_missing_permissions;
mod s3p004_control_plane_unavailable;
mod s3p005_host_clock_skewed;
mod s3p101_no_route_to_s3;
mod s3p102_gateway_endpoint_not_on_route_table;
mod s3p103_s3_via_nat_gateway;
mod s3p104_specific_route_overrides_prefix_list;
mod s3p105_internet_gateway_without_public_ip;
mod s3p106_nat_gateway_not_usable;
mod s3p107_security_group_egress_blocks_443;
mod s3p108_nacl_blocks_s3;
mod s3p109_hub_gateway_endpoint_not_transitive;
mod s3p110_ipv6_bypasses_gateway_endpoint;
mod s3p201_interface_endpoint_names_public;
mod s3p202_vpc_dns_attributes_off;
mod s3p203_resolvers_disagree;
mod s3p301_endpoint_sg_blocks_443;
mod s3p302_gateway_endpoint_not_available;
mod s3p303_interface_endpoint_other_az;
mod s3p304_hub_endpoint_sg_blocks_spoke;
mod s3p305_hub_endpoint_private_dns_on;
mod s3p401_hosts_file_pin;
mod s3p402_proxy_diverts_s3;
mod s3p403_aws_cli_v1_interface_endpoint;
mod s3p404_endpoint_override;
mod s3p501_tcp_443_blocked;
mod s3p502_probe_disagrees;
mod s3p503_tls_identity_mismatch;
mod s3p504_tls_custom_trust;
mod s3p601_bucket_in_other_region;
mod s3p602_s3_request_denied;
mod s3p603_s3_request_failed;
mod s3p604_endpoint_policy_denies_bucket;
mod s3p605_endpoint_policy_blocks_aws_buckets;
mod s3p606_bucket_policy_source_ip;
mod s3p607_bucket_policy_source_vpce_mismatch;
mod s3p608_presigned_url_path;
mod s3p701_name_cannot_use_endpoint;
mod s3p702_directory_bucket_without_s3express_endpoint;
mod s3p703_access_point_not_in_policy;
mod s3p704_settings_bypass_endpoint;
mod s3p901_targets_disagree;
mod s3p902_global_endpoint_path_differs;
mod s3p903_expectation_not_met;

pub use context::*;

/// Every check, sorted by ID.
pub static REGISTRY: &[&dyn Check] = &[
    &s3p001_not_on_aws::NotOnAws,
    &s3p002_imds_token_blocked::ImdsTokenBlocked,
    &s3p003_missing_permissions::MissingPermissions,
    &s3p004_control_plane_unavailable::ControlPlaneUnavailable,
    &s3p005_host_clock_skewed::HostClockSkewed,
    &s3p101_no_route_to_s3::NoRouteToS3,
    &s3p102_gateway_endpoint_not_on_route_table::GatewayEndpointNotOnRouteTable,
    &s3p103_s3_via_nat_gateway::S3ViaNatGateway,
    &s3p104_specific_route_overrides_prefix_list::SpecificRouteOverridesPrefixList,
    &s3p105_internet_gateway_without_public_ip::InternetGatewayWithoutPublicIp,
    &s3p106_nat_gateway_not_usable::NatGatewayNotUsable,
    &s3p107_security_group_egress_blocks_443::SecurityGroupEgressBlocks443,
    &s3p108_nacl_blocks_s3::NaclBlocksS3,
    &s3p109_hub_gateway_endpoint_not_transitive::HubGatewayEndpointNotTransitive,
    &s3p110_ipv6_bypasses_gateway_endpoint::Ipv6BypassesGatewayEndpoint,
    &s3p201_interface_endpoint_names_public::InterfaceEndpointNamesPublic,
    &s3p202_vpc_dns_attributes_off::VpcDnsAttributesOff,
    &s3p203_resolvers_disagree::ResolversDisagree,
    &s3p301_endpoint_sg_blocks_443::EndpointSgBlocks443,
    &s3p302_gateway_endpoint_not_available::GatewayEndpointNotAvailable,
    &s3p303_interface_endpoint_other_az::InterfaceEndpointOtherAz,
    &s3p304_hub_endpoint_sg_blocks_spoke::HubEndpointSgBlocksSpoke,
    &s3p305_hub_endpoint_private_dns_on::HubEndpointPrivateDnsOn,
    &s3p401_hosts_file_pin::HostsFilePin,
    &s3p402_proxy_diverts_s3::ProxyDivertsS3,
    &s3p403_aws_cli_v1_interface_endpoint::AwsCliV1InterfaceEndpoint,
    &s3p404_endpoint_override::EndpointOverride,
    &s3p501_tcp_443_blocked::Tcp443Blocked,
    &s3p502_probe_disagrees::ProbeDisagrees,
    &s3p503_tls_identity_mismatch::TlsIdentityMismatch,
    &s3p504_tls_custom_trust::TlsCustomTrust,
    &s3p601_bucket_in_other_region::BucketInOtherRegion,
    &s3p602_s3_request_denied::S3RequestDenied,
    &s3p603_s3_request_failed::S3RequestFailed,
    &s3p604_endpoint_policy_denies_bucket::EndpointPolicyDeniesBucket,
    &s3p605_endpoint_policy_blocks_aws_buckets::EndpointPolicyBlocksAwsBuckets,
    &s3p606_bucket_policy_source_ip::BucketPolicySourceIp,
    &s3p607_bucket_policy_source_vpce_mismatch::BucketPolicySourceVpceMismatch,
    &s3p608_presigned_url_path::PresignedUrlPath,
    &s3p701_name_cannot_use_endpoint::NameCannotUseEndpoint,
    &s3p702_directory_bucket_without_s3express_endpoint::DirectoryBucketWithoutS3expressEndpoint,
    &s3p703_access_point_not_in_policy::AccessPointNotInPolicy,
    &s3p704_settings_bypass_endpoint::SettingsBypassEndpoint,
    &s3p901_targets_disagree::TargetsDisagree,
    &s3p902_global_endpoint_path_differs::GlobalEndpointPathDiffers,
    &s3p903_expectation_not_met::ExpectationNotMet,
];

/// Finds a check by ID (`S3P101`, `s3p101`, `101`) or name (`no-route-to-s3`).
pub fn find(key: &str) -> Option<&'static dyn Check> {
    let key = key.trim();
    let upper = key.to_ascii_uppercase();
    // `4`, `04` and `004` are S3P004.
    let id = if (1..=3).contains(&upper.len()) && upper.bytes().all(|b| b.is_ascii_digit()) {
        format!("S3P{upper:0>3}")
    } else {
        upper
    };
    REGISTRY
        .iter()
        .copied()
        .find(|c| c.meta().id == id || c.meta().name.eq_ignore_ascii_case(key))
}

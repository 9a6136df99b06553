#!/usr/bin/env python3
"""Builds a hub-and-spoke topology in a running moto_server and prints its ids as JSON.

  hub.py PORT REGION SCENARIO

A spoke VPC 10.1.0.0/16 (subnet 10.1.1.0/24, its table 0.0.0.0/0 -> the transit gateway) and a
hub VPC 10.0.0.0/16 (attachment subnet 10.0.1.0/24, a public subnet with an internet gateway
and a NAT gateway), both attached to one transit gateway whose route table (associated with
both attachments) sends 0.0.0.0/0 to the hub and 10.1.0.0/16 to the spoke.

Scenarios (what serves S3 in the hub):
  hub-gateway    an S3 gateway endpoint on the attachment subnet's table (default route: NAT)
  hub-interface  an S3 interface endpoint in the attachment subnet whose security group allows
                 443 from the spoke (10.1.0.0/16)
  hub-interface-closed  the same, its security group allowing 443 from the hub's CIDR only

With an interface endpoint, a Route 53 private hosted zone s3.REGION.amazonaws.com associated
with the spoke points the regional name and its subdomains (alias records) at the endpoint's DNS
name, as a hub-and-spoke deployment shares it. A fourth argument `forward` adds a Route 53
Resolver FORWARD rule for the same name associated with the spoke (an outbound endpoint in the
spoke), which takes precedence over the zone. `policy` gives the hub endpoint a policy that
allows only the bucket `allowed-bucket` and turns its private DNS on. Several: comma-separated.
"""
import json
import sys

import boto3

port, region, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
extra = (sys.argv[4] if len(sys.argv) > 4 else "").split(",")
ec2 = boto3.client(
    "ec2",
    region_name=region,
    endpoint_url=f"http://127.0.0.1:{port}",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

spoke = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
spoke_subnet = ec2.create_subnet(VpcId=spoke, CidrBlock="10.1.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
hub = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
hub_subnet = ec2.create_subnet(VpcId=hub, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
hub_public = ec2.create_subnet(VpcId=hub, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=hub)
eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=hub_public, AllocationId=eip)["NatGateway"]["NatGatewayId"]

# Both attachments are associated with the transit gateway's default route table. (moto's
# DescribeTransitGatewayAttachments keeps showing the default table after
# AssociateTransitGatewayRouteTable, so the topology uses the default association.)
created = ec2.create_transit_gateway(Options={"DefaultRouteTableAssociation": "enable"})["TransitGateway"]
tgw = created["TransitGatewayId"]
tgw_rtb = created["Options"]["AssociationDefaultRouteTableId"]
spoke_att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=spoke, SubnetIds=[spoke_subnet])["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
hub_att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=hub, SubnetIds=[hub_subnet])["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="0.0.0.0/0", TransitGatewayAttachmentId=hub_att)
ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="10.1.0.0/16", TransitGatewayAttachmentId=spoke_att)

spoke_rtb = ec2.create_route_table(VpcId=spoke)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=spoke_rtb, DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
ec2.associate_route_table(RouteTableId=spoke_rtb, SubnetId=spoke_subnet)

hub_rtb = ec2.create_route_table(VpcId=hub)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=hub_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
ec2.create_route(RouteTableId=hub_rtb, DestinationCidrBlock="10.1.0.0/16", TransitGatewayId=tgw)
ec2.associate_route_table(RouteTableId=hub_rtb, SubnetId=hub_subnet)
public_rtb = ec2.create_route_table(VpcId=hub)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=hub_public)

out = {
    "spoke": spoke, "spoke_subnet": spoke_subnet, "spoke_rtb": spoke_rtb,
    "hub": hub, "hub_subnet": hub_subnet, "hub_rtb": hub_rtb, "nat": nat,
    "tgw": tgw, "tgw_rtb": tgw_rtb, "spoke_att": spoke_att, "hub_att": hub_att,
}
service = f"com.amazonaws.{region}.s3"
if scenario == "hub-gateway":
    ep = ec2.create_vpc_endpoint(VpcId=hub, ServiceName=service, VpcEndpointType="Gateway", RouteTableIds=[hub_rtb])["VpcEndpoint"]
    out["endpoint"] = ep["VpcEndpointId"]
elif scenario in ("hub-interface", "hub-interface-closed"):
    sg = ec2.create_security_group(GroupName="hub-endpoint", Description="hub S3 endpoint", VpcId=hub)["GroupId"]
    cidr = "10.1.0.0/16" if scenario == "hub-interface" else "10.0.0.0/16"
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}])
    more = {}
    if "policy" in extra:
        more["PolicyDocument"] = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::allowed-bucket", "arn:aws:s3:::allowed-bucket/*"]}]})
    ep = ec2.create_vpc_endpoint(VpcId=hub, ServiceName=service, VpcEndpointType="Interface",
                                 SubnetIds=[hub_subnet], SecurityGroupIds=[sg],
                                 PrivateDnsEnabled="policy" in extra, **more)["VpcEndpoint"]
    out["endpoint"] = ep["VpcEndpointId"]
    out["endpoint_sg"] = sg
    enis = ep.get("NetworkInterfaceIds", [])
    ips = [n["PrivateIpAddress"] for n in ec2.describe_network_interfaces(NetworkInterfaceIds=enis)["NetworkInterfaces"]] if enis else []
    out["endpoint_ips"] = ips
    # The private hosted zone shared with the spoke. moto's DnsEntries are not AWS's format
    # (a moto gap): the alias targets the first entry as moto reports it, as a real deployment
    # targets the endpoint's regional DNS name.
    target = ep["DnsEntries"][0]["DnsName"]
    r53 = boto3.client("route53", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    zone = r53.create_hosted_zone(Name=f"s3.{region}.amazonaws.com", CallerReference="hub",
                                  HostedZoneConfig={"PrivateZone": True},
                                  VPC={"VPCRegion": region, "VPCId": spoke})["HostedZone"]["Id"].split("/")[-1]
    changes = [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": name, "Type": "A",
        "AliasTarget": {"HostedZoneId": "Z7HUB3ND0INT", "DNSName": target, "EvaluateTargetHealth": False}}}
        for name in (f"s3.{region}.amazonaws.com", f"*.s3.{region}.amazonaws.com")]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    out["zone"] = zone
    out["endpoint_dns"] = target
    if "forward" in extra:
        resolver = boto3.client("route53resolver", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        rsg = ec2.create_security_group(GroupName="resolver", Description="outbound", VpcId=spoke)["GroupId"]
        spoke_b = ec2.create_subnet(VpcId=spoke, CidrBlock="10.1.2.0/24", AvailabilityZone=f"{region}b")["Subnet"]["SubnetId"]
        endpoint = resolver.create_resolver_endpoint(
            CreatorRequestId="hub-out", SecurityGroupIds=[rsg], Direction="OUTBOUND",
            IpAddresses=[{"SubnetId": spoke_subnet}, {"SubnetId": spoke_b}])["ResolverEndpoint"]["Id"]
        rule = resolver.create_resolver_rule(
            CreatorRequestId="hub-fwd", RuleType="FORWARD", DomainName=f"s3.{region}.amazonaws.com",
            TargetIps=[{"Ip": "192.168.0.53", "Port": 53}], ResolverEndpointId=endpoint)["ResolverRule"]["Id"]
        resolver.associate_resolver_rule(ResolverRuleId=rule, VPCId=spoke)
        out["rule"] = rule
else:
    sys.exit(f"unknown scenario {scenario}")
lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [service]}])["PrefixLists"]
out["s3_prefix_list"] = lists[0]["PrefixListId"] if lists else None
print(json.dumps(out))

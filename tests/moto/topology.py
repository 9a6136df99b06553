#!/usr/bin/env python3
"""Builds a VPC topology in a running moto_server through the EC2 API and prints its ids.

  topology.py PORT REGION SCENARIO

Scenarios: nat-only, gateway-endpoint, main-table-fallback, interface-endpoint,
interface-private-dns, both, endpoint-other-az, deleted-nat, locked-down (gateway endpoint, a security
group with egress only to the VPC, a network ACL that admits only port 443 inbound),
customer-list-tgw (a customer-managed prefix list of S3 ranges routed to a transit gateway,
beside the default route to the NAT gateway), detached-igw (the subnet's default route goes
to an internet gateway that is then detached), gateway-endpoint-eigw (the gateway endpoint, an
IPv6 block on the VPC and ::/0 -> an egress-only internet gateway), directory-s3express (the
S3 gateway endpoint, and an S3 Express gateway endpoint on the subnet's table), directory-s3-only
(the S3 gateway endpoint only; the S3 Express list exists). Both directory scenarios create the
region's com.amazonaws.REGION.s3express list, which moto lacks, in the caller's account (run
tests/moto/proxy.py --aws-lists in front of moto to see it owned by AWS). Every scenario has a VPC 10.0.0.0/16, a subnet 10.0.1.0/24 in <region>a
("the instance's subnet"), a public subnet with an internet gateway and a NAT gateway.
"""
import json
import sys

import boto3

port, region, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
ec2 = boto3.client(
    "ec2",
    region_name=region,
    endpoint_url=f"http://127.0.0.1:{port}",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
other = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=f"{region}b")["Subnet"]["SubnetId"]
public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
public_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=public)

private_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=private_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
main_rtb = next(
    t["RouteTableId"]
    for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    if any(a.get("Main") for a in t.get("Associations", []))
)
ec2.create_route(RouteTableId=main_rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
if scenario != "main-table-fallback":
    ec2.associate_route_table(RouteTableId=private_rtb, SubnetId=subnet)

out = {"vpc": vpc, "subnet": subnet, "nat": nat, "igw": igw, "private_rtb": private_rtb, "main_rtb": main_rtb}
service = f"com.amazonaws.{region}.s3"
if scenario in ("gateway-endpoint", "main-table-fallback", "both", "gateway-endpoint-eigw",
                "directory-s3express", "directory-s3-only"):
    out["gateway_endpoint"] = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=service, VpcEndpointType="Gateway", RouteTableIds=[private_rtb]
    )["VpcEndpoint"]["VpcEndpointId"]
if scenario in ("interface-endpoint", "interface-private-dns", "both", "endpoint-other-az"):
    where = other if scenario == "endpoint-other-az" else subnet
    ep = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=service, VpcEndpointType="Interface", SubnetIds=[where],
        PrivateDnsEnabled=scenario == "interface-private-dns",
    )["VpcEndpoint"]
    out["interface_endpoint"] = ep["VpcEndpointId"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"][0]
    out["interface_ip"] = eni["PrivateIpAddress"]
if scenario == "locked-down":
    out["gateway_endpoint"] = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=service, VpcEndpointType="Gateway", RouteTableIds=[private_rtb]
    )["VpcEndpoint"]["VpcEndpointId"]
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.authorize_security_group_egress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]
    )
    out["app_sg"] = sg
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    current = next(
        a for a in ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
        for x in a.get("Associations", []) if x.get("SubnetId") == subnet
    )
    assoc = next(x["NetworkAclAssociationId"] for x in current["Associations"] if x.get("SubnetId") == subnet)
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    out["acl"] = acl
if scenario == "gateway-endpoint-eigw":
    ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=private_rtb, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    out["eigw"] = eigw
if scenario == "customer-list-tgw":
    # Central egress: "corp S3 ranges" -> TGW, everything else -> NAT.
    pl = ec2.create_managed_prefix_list(
        PrefixListName="corp-s3-ranges", AddressFamily="IPv4", MaxEntries=10,
        Entries=[{"Cidr": "52.218.0.0/17", "Description": "S3 eu-west-1"},
                 {"Cidr": "3.5.64.0/21", "Description": "S3 eu-west-1"}],
    )["PrefixList"]["PrefixListId"]
    tgw = ec2.create_transit_gateway(Description="central egress")["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])
    ec2.create_route(RouteTableId=private_rtb, DestinationPrefixListId=pl, TransitGatewayId=tgw)
    out["customer_prefix_list"] = pl
    out["tgw"] = tgw
if scenario == "detached-igw":
    igw_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=igw_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assoc = next(
        a["RouteTableAssociationId"]
        for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        for a in t.get("Associations", []) if a.get("SubnetId") == subnet
    )
    ec2.replace_route_table_association(AssociationId=assoc, RouteTableId=igw_rtb)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    out["igw_rtb"] = igw_rtb
if scenario in ("directory-s3express", "directory-s3-only"):
    express = f"com.amazonaws.{region}.s3express"
    out["s3express_prefix_list"] = ec2.create_managed_prefix_list(
        PrefixListName=express, AddressFamily="IPv4", MaxEntries=10,
        Entries=[{"Cidr": "18.100.0.0/16", "Description": "S3 Express One Zone (test value)"}],
    )["PrefixList"]["PrefixListId"]
    if scenario == "directory-s3express":
        # moto adds the route to the list named like the service.
        out["s3express_endpoint"] = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=express, VpcEndpointType="Gateway", RouteTableIds=[private_rtb]
        )["VpcEndpoint"]["VpcEndpointId"]
if scenario == "deleted-nat":
    # In AWS the route then turns blackhole; moto keeps it active but reports the NAT deleted.
    ec2.delete_nat_gateway(NatGatewayId=nat)
if scenario in ("nat-only", "deleted-nat"):
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    out["instance"] = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
out["s3_prefix_list"] = next(
    p["PrefixListId"] for p in ec2.describe_prefix_lists()["PrefixLists"] if p["PrefixListName"] == service
)
print(json.dumps(out))

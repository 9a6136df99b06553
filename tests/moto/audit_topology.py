#!/usr/bin/env python3
"""Builds an account for `s3path audit` in a running moto_server and prints the subnets with
the path each should take.

  audit_topology.py PORT REGION [--extra N]

VPC A: a public subnet (0.0.0.0/0 -> internet gateway, the NAT gateway lives there), two NAT
subnets, two subnets on a table with the S3 gateway endpoint, two subnets on the main table
(which has the gateway endpoint too), an isolated subnet (local route only).
VPC B: two subnets whose default route goes to a transit gateway, one whose customer-managed
prefix list of S3's ranges goes to a transit gateway (beside 0.0.0.0/0 -> NAT), a public subnet.
VPC C: two subnets on a main table with the local route only.
VPC D: two subnets on a main table with the S3 gateway endpoint (every subnet meets
--expect gateway-endpoint).
With --extra N, N more NAT subnets in VPC A, each with its own route table, and one more S3
gateway endpoint on a new table in VPC C (the call count must not grow with them).
"""
import json
import sys

import boto3

port, region = sys.argv[1], sys.argv[2]
extra = int(sys.argv[sys.argv.index("--extra") + 1]) if "--extra" in sys.argv else 0
ec2 = boto3.client("ec2", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
s3_service = f"com.amazonaws.{region}.s3"
want = {}


def subnet(vpc, cidr, az="a"):
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{region}{az}")["Subnet"]["SubnetId"]


def table(vpc, *subnets):
    t = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for s in subnets:
        ec2.associate_route_table(RouteTableId=t, SubnetId=s)
    return t


def main_table(vpc):
    return next(t["RouteTableId"] for t in ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        if any(a.get("Main") for a in t.get("Associations", [])))


def public_with_nat(vpc, cidr):
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    pub = subnet(vpc, cidr)
    t = table(vpc, pub)
    ec2.create_route(RouteTableId=t, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=pub, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    return pub, igw, nat


existing = ec2.describe_vpcs(Filters=[{"Name": "tag:audit", "Values": ["a"]}])["Vpcs"]
if existing:
    # --extra on an account built before: more subnets and tables in the same VPCs.
    a = existing[0]["VpcId"]
    c = ec2.describe_vpcs(Filters=[{"Name": "tag:audit", "Values": ["c"]}])["Vpcs"][0]["VpcId"]
    nat = ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [a]}])["NatGateways"][0]["NatGatewayId"]
    for i in range(extra):
        s = subnet(a, f"10.0.{100 + i}.0/24", "b")
        t = table(a, s)
        ec2.create_route(RouteTableId=t, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        want[s] = ["nat-gateway", nat]
    s = subnet(c, "10.2.50.0/24")
    t = table(c, s)
    gw = ec2.create_vpc_endpoint(VpcId=c, ServiceName=s3_service, VpcEndpointType="Gateway",
                                 RouteTableIds=[t])["VpcEndpoint"]["VpcEndpointId"]
    want[s] = ["gateway-endpoint", gw]
    print(json.dumps({"subnets": want}))
    sys.exit(0)

# VPC A
a = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(Resources=[a], Tags=[{"Key": "audit", "Value": "a"}])
pub, igw, nat = public_with_nat(a, "10.0.0.0/24")
want[pub] = ["internet-gateway", igw]
nat1, nat2 = subnet(a, "10.0.1.0/24"), subnet(a, "10.0.2.0/24", "b")
t = table(a, nat1, nat2)
ec2.create_route(RouteTableId=t, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
want[nat1] = want[nat2] = ["nat-gateway", nat]
gw1, gw2 = subnet(a, "10.0.3.0/24"), subnet(a, "10.0.4.0/24", "b")
t_gw = table(a, gw1, gw2)
ec2.create_route(RouteTableId=t_gw, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
main_a = main_table(a)
ec2.create_route(RouteTableId=main_a, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
gw = ec2.create_vpc_endpoint(VpcId=a, ServiceName=s3_service, VpcEndpointType="Gateway",
                             RouteTableIds=[t_gw, main_a])["VpcEndpoint"]["VpcEndpointId"]
want[gw1] = want[gw2] = ["gateway-endpoint", gw]
m1, m2 = subnet(a, "10.0.5.0/24"), subnet(a, "10.0.6.0/24", "b")
want[m1] = want[m2] = ["gateway-endpoint", gw]
iso = subnet(a, "10.0.7.0/24")
table(a, iso)
want[iso] = ["blocked", None]

# VPC B: a transit gateway
b = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(Resources=[b], Tags=[{"Key": "audit", "Value": "b"}])
pub_b, igw_b, nat_b = public_with_nat(b, "10.1.0.0/24")
want[pub_b] = ["internet-gateway", igw_b]
tgw = ec2.create_transit_gateway(Description="central egress")["TransitGateway"]["TransitGatewayId"]
t1, t2 = subnet(b, "10.1.1.0/24"), subnet(b, "10.1.2.0/24", "b")
ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=b, SubnetIds=[t1])
t = table(b, t1, t2)
ec2.create_route(RouteTableId=t, DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
want[t1] = want[t2] = ["transit-gateway", tgw]
s3_list = next(p["PrefixListId"] for p in ec2.describe_prefix_lists()["PrefixLists"]
               if p["PrefixListName"] == s3_service)
ranges = [e["Cidr"] for e in ec2.get_managed_prefix_list_entries(PrefixListId=s3_list)["Entries"]]
corp = ec2.create_managed_prefix_list(
    PrefixListName="corp-s3-ranges", AddressFamily="IPv4", MaxEntries=20,
    Entries=[{"Cidr": c, "Description": "S3"} for c in ranges])["PrefixList"]["PrefixListId"]
c1 = subnet(b, "10.1.3.0/24")
t = table(b, c1)
ec2.create_route(RouteTableId=t, DestinationPrefixListId=corp, TransitGatewayId=tgw)
ec2.create_route(RouteTableId=t, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_b)
want[c1] = ["transit-gateway", tgw]

# VPC C: nothing but the local route
c = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
ec2.create_tags(Resources=[c], Tags=[{"Key": "audit", "Value": "c"}])
for cidr in ("10.2.1.0/24", "10.2.2.0/24"):
    want[subnet(c, cidr)] = ["blocked", None]

# VPC D: every subnet on the main table, which has the S3 gateway endpoint
d = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
main_d = main_table(d)
gw_d = ec2.create_vpc_endpoint(VpcId=d, ServiceName=s3_service, VpcEndpointType="Gateway",
                               RouteTableIds=[main_d])["VpcEndpoint"]["VpcEndpointId"]
for cidr in ("10.3.1.0/24", "10.3.2.0/24"):
    want[subnet(d, cidr)] = ["gateway-endpoint", gw_d]

print(json.dumps({"vpcs": {"a": a, "b": b, "c": c, "d": d}, "subnets": want}))

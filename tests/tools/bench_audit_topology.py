#!/usr/bin/env python3
"""Builds the audit benchmark account in a running moto_server: 5 VPCs × 200 subnets (1,000),
each VPC with a NAT gateway and 40 route tables (200) of 5 subnets each; every other table
carries the S3 gateway endpoint. Prints the counts.

  bench_audit_topology.py PORT REGION
"""
import json
import sys

import boto3

port, region = sys.argv[1], sys.argv[2]
ec2 = boto3.client("ec2", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
subnets = tables = 0
for v in range(5):
    vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ids = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{v}.{i}.0/24",
                             AvailabilityZone=f"{region}{'abc'[i % 3]}")["Subnet"]["SubnetId"]
           for i in range(200)]
    subnets += len(ids)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=ids[0], AllocationId=eip)["NatGateway"]["NatGatewayId"]
    with_endpoint = []
    for t in range(40):
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        tables += 1
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        for s in ids[t * 5:(t + 1) * 5]:
            ec2.associate_route_table(RouteTableId=rtb, SubnetId=s)
        if t % 2 == 0:
            with_endpoint.append(rtb)
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3",
                            VpcEndpointType="Gateway", RouteTableIds=with_endpoint)
print(json.dumps({"subnets": subnets, "route_tables": tables}))

#!/usr/bin/env python3
"""Builds, in a running moto_server, a VPC with a subnet isolated on purpose and prints its ids.

  isolated.py PORT REGION

The isolated subnet has its own route table with the local route only (no NAT, no internet
gateway, no endpoint). An S3 gateway endpoint exists in the VPC, on another subnet's table,
so "an endpoint exists but not on this subnet's table" is true of the isolated one too.
"""
import json
import sys

import boto3

port, region = sys.argv[1], sys.argv[2]
ec2 = boto3.client(
    "ec2",
    region_name=region,
    endpoint_url=f"http://127.0.0.1:{port}",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
isolated = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
served = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.2.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
isolated_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.associate_route_table(RouteTableId=isolated_rtb, SubnetId=isolated)
served_rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.associate_route_table(RouteTableId=served_rtb, SubnetId=served)
gw = ec2.create_vpc_endpoint(
    VpcId=vpc,
    ServiceName=f"com.amazonaws.{region}.s3",
    VpcEndpointType="Gateway",
    RouteTableIds=[served_rtb],
)["VpcEndpoint"]["VpcEndpointId"]
print(json.dumps({
    "vpc": vpc,
    "isolated": isolated,
    "served": served,
    "isolated_rtb": isolated_rtb,
    "served_rtb": served_rtb,
    "gateway_endpoint": gw,
}))

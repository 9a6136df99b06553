#!/usr/bin/env python3
"""Builds a large VPC in moto for the gather benchmark: 200 route tables, 50 VPC endpoints.

  big.py PORT REGION   -> prints {"vpc": ...}
"""
import json
import sys

import boto3

port, region = sys.argv[1], sys.argv[2]
ec2 = boto3.client("ec2", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
tables = []
for i in range(199):
    t = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=t, DestinationCidrBlock=f"172.16.{i}.0/24", GatewayId=igw)
    tables.append(t)
ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", VpcEndpointType="Gateway", RouteTableIds=tables[:20])
for i in range(49):
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.svc{i}", VpcEndpointType="Interface", SubnetIds=[subnet])
print(json.dumps({"vpc": vpc, "subnet": subnet}))

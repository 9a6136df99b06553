#!/usr/bin/env python3
"""Puts NAT gateway metrics into a running moto_server (CloudWatch PutMetricData), as AWS
publishes them under AWS/NATGateway: for every NAT gateway of REGION, on each of the last DAYS
days, BytesInFromSource = SRC GiB and BytesInFromDestination = DST GiB. Prints the NAT ids.

  nat_metrics.py PORT REGION DAYS SRC_GIB DST_GIB
"""
import datetime
import json
import sys

import boto3

port, region, days, src, dst = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
kw = dict(region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
          aws_access_key_id="testing", aws_secret_access_key="testing")
ec2, cw = boto3.client("ec2", **kw), boto3.client("cloudwatch", **kw)
nats = [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]]
now = datetime.datetime.now(datetime.timezone.utc)
for nat in nats:
    for d in range(1, days + 1):
        for metric, gib in (("BytesInFromSource", src), ("BytesInFromDestination", dst)):
            cw.put_metric_data(Namespace="AWS/NATGateway", MetricData=[{
                "MetricName": metric, "Dimensions": [{"Name": "NatGatewayId", "Value": nat}],
                "Timestamp": now - datetime.timedelta(days=d, hours=1), "Value": gib * 2**30, "Unit": "Bytes"}])
print(json.dumps({"nat_gateways": nats}))

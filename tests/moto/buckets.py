#!/usr/bin/env python3
"""Creates buckets in several regions in a running moto_server, and (with --auth) an IAM user
that may only read app-data, whose keys are printed; then turns moto's IAM authorization on.

  buckets.py PORT|URL [--auth]
"""
import json
import sys
import urllib.request

import boto3

port = sys.argv[1]
# PORT, or a whole URL (the lab's TLS moto, whose certificate names S3, not its address).
url = port if port.startswith("http") else f"http://127.0.0.1:{port}"
verify = not url.startswith("https")


def s3(region):
    return boto3.client("s3", region_name=region, endpoint_url=url, verify=verify,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


for name, region in [("app-data", "eu-west-1"), ("far-data", "us-west-2"), ("sydney-logs", "ap-southeast-2")]:
    s3(region).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
s3("eu-west-1").put_object(Bucket="app-data", Key="hello.txt", Body=b"hi")
policy = {"Version": "2012-10-17", "Statement": [{"Sid": "OnlyFromVpce", "Effect": "Deny", "Principal": "*",
          "Action": "s3:PutObject", "Resource": "arn:aws:s3:::app-data/*",
          "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0gw11111"}}}]}
s3("eu-west-1").put_bucket_policy(Bucket="app-data", Policy=json.dumps(policy))
out = {"policy": policy}
if "--auth" in sys.argv:
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="read-app-data", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject", "s3:GetBucketPolicy"],
                       "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]}]}))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    out["key_id"], out["secret"] = key["AccessKeyId"], key["SecretAccessKey"]
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset-auth", data=b"0", method="POST",
                                                  headers={"Content-Type": "text/plain"})).read()
print(json.dumps(out))

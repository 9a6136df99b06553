#!/usr/bin/env python3
"""Writes the bucket scenarios (tests/scenarios/*.facts.json + .expected.json) from existing base scenarios, with the
expected findings taken from a replay (review them before committing). Run from the repo root after a debug build."""
import copy, json, subprocess, sys

D = "tests/scenarios"
def load(n): return json.load(open(f"{D}/{n}.facts.json"))

def req(op, host, addr, status=None, outcome="answered", route="client-region", code=None, msg=None, region=None, ms=12.5, signed=True, rid=None, endpoint_id=None):
    r = {"operation": op, "route": route, "host": host, "outcome": outcome, "signed": signed}
    if addr: r["address"] = addr
    if endpoint_id: r["endpoint_id"] = endpoint_id
    if status is not None: r["status"] = status
    if outcome == "answered": r["latency_ms"] = ms
    if code: r["error_code"] = code
    if msg: r["error"] = msg
    if region: r["bucket_region"] = region
    if rid: r["request_id"] = rid
    return r

def ok_requests(bucket, host, addr, region="eu-west-1", route="client-region"):
    return [req("HeadBucket", host, addr, 200, region=region, route=route, ms=14.2),
            req("ListObjectsV2", host, addr, 200, route=route, ms=6.1)]

def bucket(name, region, requests, policy=None, policy_missing="the bucket has no policy"):
    return {"name": name,
            "region": {"status": "collected", "value": region} if isinstance(region, str) else region,
            "requests": requests,
            "bucket_policy": {"status": "collected", "value": json.dumps(policy)} if policy else {"status": "not_collected", "reason": policy_missing}}

def add_dns(f, host, addrs):
    f["dns"]["value"].append({"host": host, "status": "answered", "source": "dns", "addresses": addrs, "cname_chain": [], "resolver": "10.0.0.2"})

def with_nat_eip(f):
    f["nat_gateways"] = {"status": "collected", "value": [{"id": "nat-0nat33333", "state": "available", "connectivity_type": "public", "subnet_id": "subnet-0pub2222", "private_ips": ["10.0.0.20"], "public_ips": ["198.51.100.7"]}]}

APP = "app-data.s3.eu-west-1.amazonaws.com"
scen = {}

# 1. Cross-region bucket next to a same-region one; benign bucket policy; presigned URL on the same path.
f = load("gateway-endpoint"); with_nat_eip(f)
f["request"]["buckets"] = ["app-data", "far-data"]
add_dns(f, "far-data.s3.us-west-2.amazonaws.com", ["52.92.180.4"])
add_dns(f, "far-data.s3.amazonaws.com", ["52.217.9.9"])
f["prefix_lists"]["value"][0]["cidrs"] = ["52.218.0.0/17", "3.5.64.0/21"]
benign = {"Version": "2012-10-17", "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
f["buckets"] = {"status": "collected", "value": [
    bucket("app-data", "eu-west-1", ok_requests("app-data", APP, "52.218.20.7"), benign),
    bucket("far-data", "us-west-2", [
        req("HeadBucket", "far-data.s3.eu-west-1.amazonaws.com", "52.218.20.9", 301, code="PermanentRedirect", region="us-west-2", ms=11.0),
        req("HeadBucket", "far-data.s3.us-west-2.amazonaws.com", "52.92.180.4", 200, route="bucket-region", region="us-west-2", ms=141.0),
        req("ListObjectsV2", "far-data.s3.us-west-2.amazonaws.com", "52.92.180.4", 200, route="bucket-region", ms=139.5)])]}
f["presigned"] = {"status": "collected", "value": {"url": f"https://{APP}/reports/q3.csv", "host": APP, "signed_region": "eu-west-1", "expires_seconds": 3600,
    "resolution": f["dns"]["value"][0], "tcp": [{"address": "52.218.20.7", "port": 443, "outcome": "connected", "latency_ms": 1.2}]}}
scen["bucket-in-other-region"] = (f, "Two buckets: app-data in the instance's region rides the gateway endpoint; far-data lives in us-west-2 (HeadBucket said so with a 301 from eu-west-1), so its traffic leaves through the NAT gateway. A presigned URL for app-data takes the same path as the SDK.", [])

# 2a. Endpoint policy restricted to own buckets: the app works, AWS-owned buckets break.
f = load("gateway-endpoint")
f["vpc_endpoints"]["value"][0]["policy_document"] = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "OwnBucketsOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]}]})
f["buckets"] = {"status": "collected", "value": [bucket("app-data", "eu-west-1", ok_requests("app-data", APP, "52.218.20.7"))]}
scen["endpoint-policy-own-buckets"] = (f, "The gateway endpoint's policy allows only the team's own bucket: app-data works, but ECR layers, Amazon Linux repositories and SSM buckets are blocked through the endpoint.", [])

# 2b. Endpoint policy that does not allow the bucket at all; S3 says so.
f = load("gateway-endpoint")
f["vpc_endpoints"]["value"][0]["policy_document"] = json.dumps({"Statement": [{"Sid": "Reports", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]}, {"Sid": "AwsOwned", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceAccount": "111122223333"}}}]})
f["vantage"]["value"]["account_id"] = "111122223333"
msg = 'User: arn:aws:sts::111122223333:assumed-role/app/i-0abc1234def567890 is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::app-data" because no VPC endpoint policy allows the s3:ListBucket action'
f["buckets"] = {"status": "collected", "value": [bucket("app-data", "eu-west-1", [
    req("HeadBucket", APP, "52.218.20.7", 403, code="Forbidden", region="eu-west-1", rid="7Q2XK9B1C0D3E4F5"),
    req("ListObjectsV2", APP, "52.218.20.7", 403, code="AccessDenied", msg=msg, rid="8R3YL0C2D1E4F5G6")], policy_missing="failed: GetBucketPolicy: AccessDenied: Access Denied (reading it needs s3:GetBucketPolicy)")]}
f["buckets"]["value"][0]["bucket_policy"] = {"status": "failed", "error": "GetBucketPolicy: AccessDenied: Access Denied (reading it needs s3:GetBucketPolicy)"}
scen["endpoint-policy-denies-bucket"] = (f, "The gateway endpoint's policy names another bucket: HeadBucket and ListObjectsV2 on app-data come back 403, and S3 says no VPC endpoint policy allows s3:ListBucket; the static evaluation agrees. AWS-owned buckets stay allowed (aws:ResourceAccount is not ours).", [])

# 3. Bucket policy keyed on aws:SourceIp, traffic through the gateway endpoint.
f = load("gateway-endpoint")
ip_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "OfficeAndNatOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"], "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7/32"]}}}]}
msg = 'User: arn:aws:sts::111122223333:assumed-role/app/i-0abc1234def567890 is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::app-data" with an explicit deny in a resource-based policy'
f["buckets"] = {"status": "collected", "value": [bucket("app-data", "eu-west-1", [
    req("HeadBucket", APP, "52.218.20.7", 403, code="Forbidden", region="eu-west-1"),
    req("ListObjectsV2", APP, "52.218.20.7", 403, code="AccessDenied", msg=msg)], ip_policy)]}
scen["bucket-policy-source-ip"] = (f, "The bucket policy denies every address but the office and the NAT's Elastic IP; after the gateway endpoint was added, requests carry no aws:SourceIp and are denied.", [])

# 4. Bucket policy requires the gateway endpoint, but this subnet goes through the NAT.
f = load("gateway-endpoint")
for t in f["route_tables"]["value"]:
    t["routes"] = [r for r in t["routes"] if r.get("gateway_id") != "vpce-0gw11111"]
f["vpc_endpoints"]["value"][0]["route_table_ids"] = ["rtb-0other999"]
vpce_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "OnlyFromVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0gw11111"}}}]}
msg = 'User: arn:aws:sts::111122223333:assumed-role/app/i-0abc1234def567890 is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::app-data" with an explicit deny in a resource-based policy'
f["buckets"] = {"status": "collected", "value": [bucket("app-data", "eu-west-1", [
    req("HeadBucket", APP, "52.218.20.7", 403, code="Forbidden", region="eu-west-1"),
    req("ListObjectsV2", APP, "52.218.20.7", 403, code="AccessDenied", msg=msg)], vpce_policy)]}
scen["bucket-policy-requires-vpce"] = (f, "The bucket policy only admits requests through vpce-0gw11111, but that gateway endpoint is on another route table: this subnet's requests go through the NAT gateway and are denied.", [])

# 5. The request times out on the path.
f = load("gateway-endpoint")
f["buckets"] = {"status": "collected", "value": [bucket("app-data", {"status": "failed", "error": "HeadBucket got no answer: operation timed out"}, [
    req("HeadBucket", APP, "52.218.20.7", outcome="timed_out", msg=None)], policy_missing="not asked")]}
f["buckets"]["value"][0]["requests"][0]["error"] = "timeout: the operation timed out after 5s"
scen["bucket-request-timeout"] = (f, "The route says gateway endpoint, but the real HeadBucket over it times out (a network ACL or security group in the way).", [])

# 6. Presigned URL for the regional name while the SDK uses the interface endpoint's name.
f = load("endpoint-override-vpce")
res = next(r for r in f["dns"]["value"] if r["host"] == APP)
f["presigned"] = {"status": "collected", "value": {"url": f"https://{APP}/exports/data.parquet", "host": APP, "signed_region": "eu-west-1", "expires_seconds": 900,
    "resolution": res, "tcp": [{"address": res["addresses"][0], "port": 443, "outcome": "connected", "latency_ms": 3.4}]}}
scen["presigned-url-other-path"] = (f, "The SDK goes to the interface endpoint through AWS_ENDPOINT_URL_S3, but a presigned URL for the regional name resolves to public S3 and leaves through the NAT gateway.", [])

for name, (facts, desc, args) in scen.items():
    json.dump(facts, open(f"{D}/{name}.facts.json", "w"), indent=2); open(f"{D}/{name}.facts.json", "a").write("\n")
    out = subprocess.run(["target/debug/s3path", "replay", f"{D}/{name}.facts.json", "--format", "json", *args], capture_output=True, text=True)
    rep = json.loads(out.stdout)
    v = rep["verdict"]
    exp = {"description": desc, "args": args, "verdict": {k: v[k] for k in ("path", "via", "route_table") if v.get(k)},
           "findings": [x["id"] for x in rep["findings"]], "exit_code": out.returncode}
    json.dump(exp, open(f"{D}/{name}.expected.json", "w"), indent=2); open(f"{D}/{name}.expected.json", "a").write("\n")
    print(name, exp["verdict"], exp["findings"], exp["exit_code"])

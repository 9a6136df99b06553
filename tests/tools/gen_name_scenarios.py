#!/usr/bin/env python3
"""Generates the S3 name-form scenarios (issue 12) from tests/scenarios/gateway-endpoint and
interface-endpoint-private-dns: an access point through a gateway endpoint (with and without an
endpoint policy that names the access point), an acceleration setting that bypasses the
gateway endpoint, a directory bucket with and without the s3express gateway endpoint, a FIPS
setting with only an interface endpoint, a Multi-Region Access Point with only a gateway
endpoint. Run from the repository root; it rewrites only its own files.

  python3 tests/tools/gen_name_scenarios.py
"""
import copy
import json
from pathlib import Path

DIR = Path("tests/scenarios")
GATEWAY = json.loads((DIR / "gateway-endpoint.facts.json").read_text())
INTERFACE = json.loads((DIR / "interface-endpoint-private-dns.facts.json").read_text())
AP = "arn:aws:s3:eu-west-1:111122223333:accesspoint/reports"
AP_HOST = "reports-111122223333.s3-accesspoint.eu-west-1.amazonaws.com"
# Documentation-style values for the S3 Express list (the real entries are AWS's to publish).
S3X_LIST = {"id": "pl-0s3x1234", "name": "com.amazonaws.eu-west-1.s3express", "owner_id": "AWS",
            "address_family": "IPv4", "cidrs": ["18.100.0.0/16"]}


def answer(host, *addrs):
    return {"host": host, "status": "answered", "source": "dns", "addresses": list(addrs),
            "cname_chain": [], "resolver": "10.0.0.2"}


def write(name, facts, expected):
    (DIR / f"{name}.facts.json").write_text(json.dumps(facts, indent=2) + "\n")
    (DIR / f"{name}.expected.json").write_text(json.dumps(expected, indent=2) + "\n")


def profile(f, **settings):
    f["client_settings"]["value"]["aws_profile"] = {
        "profile": "default", "file": "/home/app/.aws/config",
        "settings": [{"name": k.replace("__", "."), "value": v} for k, v in settings.items()]}


# 1. An access point through the gateway endpoint: its name answers with S3's regional
#    addresses, which the endpoint's prefix list carries.
f = copy.deepcopy(GATEWAY)
f["request"]["buckets"] = [AP]
f["dns"]["value"].insert(0, answer(AP_HOST, "52.218.40.12"))
write("access-point-via-gateway-endpoint", f, {
    "description": "--bucket is an access point ARN: the SDK sends its requests to reports-111122223333.s3-accesspoint.eu-west-1.amazonaws.com, which answers with an address in the region's S3 list: the gateway endpoint carries it (access points work through gateway endpoints).",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "gateway-endpoint", "via": "vpce-0gw11111", "route_table": "rtb-0priv1111", "confidence": "inferred"},
    "findings": ["S3P902"],
    "exit_code": 0,
    "targets": {AP_HOST: "gateway-endpoint"},
})

# 2. The same with an endpoint policy written for the bucket only.
f = copy.deepcopy(f)
f["vpc_endpoints"]["value"][0]["policy_document"] = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                   "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]}]})
write("access-point-endpoint-policy-bucket-only", f, {
    "description": "The gateway endpoint's policy allows arn:aws:s3:::app-data only; requests through the access point name the access point's ARN, which the policy does not allow: S3P703 (error).",
    "args": [],
    "verdict": {"path": "gateway-endpoint", "via": "vpce-0gw11111"},
    "findings": ["S3P605", "S3P703", "S3P902"],
    # (S3P605: the same bucket-only policy also blocks AWS-owned buckets such as ECR's layers.)
    "exit_code": 1,
})

# 3. Transfer Acceleration turned on in the profile: the bucket's requests go to the
#    accelerate name (CloudFront edge addresses), past the gateway endpoint, through the NAT.
f = copy.deepcopy(GATEWAY)
profile(f, s3__use_accelerate_endpoint="true")
f["dns"]["value"].insert(0, answer("app-data.s3-accelerate.amazonaws.com", "13.224.10.5"))
write("accelerate-setting-bypasses-gateway-endpoint", f, {
    "description": "use_accelerate_endpoint = true in the profile's s3 block: the application sends app-data's requests to app-data.s3-accelerate.amazonaws.com (CloudFront edge addresses, outside the S3 list), so they leave through the NAT gateway although the subnet's table has the S3 gateway endpoint: S3P704, and the verdict (the name the application uses) is nat-gateway.",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "nat-gateway", "via": "nat-0nat33333", "confidence": "inferred"},
    "findings": ["S3P103", "S3P704", "S3P902", "S3P903"],
    "exit_code": 1,
    "targets": {"app-data.s3-accelerate.amazonaws.com": "nat-gateway",
                "app-data.s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

# 4. A directory bucket with the s3express gateway endpoint on the subnet's table.
DIR_BUCKET = "logs--euw1-az1--x-s3"
ZONAL = f"{DIR_BUCKET}.s3express-euw1-az1.eu-west-1.amazonaws.com"
f = copy.deepcopy(GATEWAY)
f["request"]["buckets"] = [DIR_BUCKET]
f["vpc_endpoints"]["value"].append({
    "id": "vpce-0sx44444", "endpoint_type": "gateway", "service_name": "com.amazonaws.eu-west-1.s3express",
    "state": "available", "route_table_ids": ["rtb-0priv1111"]})
f["route_tables"]["value"][0]["routes"].insert(2, {"destination_prefix_list_id": "pl-0s3x1234", "gateway_id": "vpce-0sx44444"})
f["prefix_lists"]["value"].append(S3X_LIST)
f["dns"]["value"].insert(0, answer(ZONAL, "18.100.3.4"))
write("directory-bucket-s3express-gateway", f, {
    "description": "A directory bucket: its zonal name answers from the region's s3express list, which the com.amazonaws.eu-west-1.s3express gateway endpoint carries (the S3 names take the S3 gateway endpoint: no disagreement).",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "gateway-endpoint", "via": "vpce-0sx44444", "confidence": "inferred"},
    "findings": ["S3P902"],
    "exit_code": 0,
    "targets": {ZONAL: "gateway-endpoint", "s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

# 5. The same directory bucket with only the S3 gateway endpoint.
f = copy.deepcopy(GATEWAY)
f["request"]["buckets"] = [DIR_BUCKET]
f["prefix_lists"]["value"].append(S3X_LIST)
f["dns"]["value"].insert(0, answer(ZONAL, "18.100.3.4"))
write("directory-bucket-without-s3express-endpoint", f, {
    "description": "A directory bucket with only the S3 gateway endpoint: the zonal name's address is in the s3express list, which no route names, so it leaves through the NAT gateway: S3P702 with the create-vpc-endpoint command for com.amazonaws.eu-west-1.s3express.",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "nat-gateway", "via": "nat-0nat33333", "confidence": "inferred"},
    "findings": ["S3P103", "S3P702", "S3P902", "S3P903"],
    "exit_code": 1,
    "targets": {ZONAL: "nat-gateway", "s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

# 6. FIPS turned on with only an interface endpoint (us-east-1: FIPS names exist in US regions).
text = json.dumps(INTERFACE).replace("eu-west-1", "us-east-1")
f = json.loads(text)
f["client_settings"]["value"]["aws_env"] = [{"name": "AWS_USE_FIPS_ENDPOINT", "value": "true"}]
f["prefix_lists"] = {"status": "collected", "value": [
    {"id": "pl-63a5400a", "name": "com.amazonaws.us-east-1.s3", "owner_id": "AWS", "address_family": "IPv4",
     "cidrs": ["52.216.0.0/15", "3.5.0.0/19", "54.231.0.0/16"]}]}
f["dns"]["value"].insert(0, answer("app-data.s3-fips.us-east-1.amazonaws.com", "52.216.8.20"))
write("fips-setting-with-only-interface-endpoint", f, {
    "description": "AWS_USE_FIPS_ENDPOINT=true with only an S3 interface endpoint (private DNS on): the application uses app-data.s3-fips.us-east-1.amazonaws.com, which the interface endpoint does not serve; it answers publicly and leaves through the NAT gateway: S3P704 (add a gateway endpoint, or turn FIPS off if not required).",
    "args": ["--expect", "interface-endpoint"],
    "verdict": {"path": "nat-gateway", "via": "nat-0nat33333", "confidence": "inferred"},
    "findings": ["S3P103", "S3P704", "S3P901", "S3P903"],
    "exit_code": 1,
    "targets": {"app-data.s3-fips.us-east-1.amazonaws.com": "nat-gateway",
                "app-data.s3.us-east-1.amazonaws.com": "interface-endpoint"},
})

# 7. A Multi-Region Access Point with only the S3 gateway endpoint.
MRAP = "mfzwi23gnjvgw.mrap"
MRAP_HOST = f"{MRAP}.accesspoint.s3-global.amazonaws.com"
f = copy.deepcopy(GATEWAY)
f["request"]["buckets"] = [f"arn:aws:s3::111122223333:accesspoint/{MRAP}"]
f["dns"]["value"].insert(0, answer(MRAP_HOST, "75.2.60.10", "99.83.190.20"))
write("mrap-with-only-gateway-endpoint", f, {
    "description": "A Multi-Region Access Point: gateway endpoints cannot carry it (its global name answers with anycast addresses outside the S3 list), so it leaves through the NAT gateway: S3P701 with the command that creates the com.amazonaws.s3-global.accesspoint interface endpoint.",
    "args": [],
    "verdict": {"path": "nat-gateway", "via": "nat-0nat33333", "confidence": "inferred"},
    "findings": ["S3P103", "S3P701", "S3P902"],
    "exit_code": 0,
    "targets": {MRAP_HOST: "nat-gateway", "s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

# 8. The reverse: the endpoint policy allows the access point only; the application uses the
#    bucket's name.
f = copy.deepcopy(GATEWAY)
f["vpc_endpoints"]["value"][0]["policy_document"] = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                   "Resource": [AP, AP + "/object/*"]}]})
write("endpoint-policy-access-point-only", f, {
    "description": "The gateway endpoint's policy allows the access point reports only; the application names the bucket app-data, whose requests the policy denies: S3P703 (the reverse case), not S3P604.",
    "args": [],
    "verdict": {"path": "gateway-endpoint", "via": "vpce-0gw11111"},
    "findings": ["S3P605", "S3P703", "S3P902"],
    "exit_code": 1,
})

# 9. The Multi-Region Access Point through its own interface endpoint (private DNS on).
f = copy.deepcopy(GATEWAY)
f["request"]["buckets"] = [MRAP]
f["vpc_endpoints"]["value"].append({
    "id": "vpce-0mrap555", "endpoint_type": "interface",
    "service_name": "com.amazonaws.s3-global.accesspoint", "state": "available",
    "subnet_ids": ["subnet-0priv1111"],
    "network_interfaces": [{"id": "eni-0mrap1", "subnet_id": "subnet-0priv1111",
                            "availability_zone": "eu-west-1a", "private_ipv4": "10.0.1.55"}],
    "dns_entries": [{"dns_name": "*.accesspoint.s3-global.amazonaws.com"}],
    "private_dns_enabled": True, "security_group_ids": ["sg-0endpoint"]})
f["dns"]["value"].insert(0, answer(MRAP_HOST, "10.0.1.55"))
write("mrap-through-its-interface-endpoint", f, {
    "description": "The Multi-Region Access Point's name answers with the ENI of the com.amazonaws.s3-global.accesspoint interface endpoint (private DNS on): interface-endpoint, and S3P701 stays quiet.",
    "args": ["--expect", "interface-endpoint"],
    "verdict": {"path": "interface-endpoint", "via": "vpce-0mrap555", "confidence": "inferred"},
    "findings": ["S3P902"],
    "exit_code": 0,
    "targets": {MRAP_HOST: "interface-endpoint"},
})

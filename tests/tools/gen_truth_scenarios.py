#!/usr/bin/env python3
"""Generates the verdict-truth scenarios (issue 9) from tests/scenarios/gateway-endpoint and
bucket-in-other-region: each one changes the facts the way the situation does and states the
expected path, via and confidence. Run from the repository root; it rewrites only its own files.

  python3 tests/tools/gen_truth_scenarios.py
"""
import copy
import json
from pathlib import Path

DIR = Path("tests/scenarios")
BASE = json.loads((DIR / "gateway-endpoint.facts.json").read_text())
OTHER = json.loads((DIR / "bucket-in-other-region.facts.json").read_text())
S3_LIST = {"id": "pl-6da54004", "name": "com.amazonaws.eu-west-1.s3", "owner_id": "AWS",
           "address_family": "IPv4", "cidrs": ["52.218.0.0/17", "3.5.64.0/21", "52.92.0.0/17"]}


def answer(host, *addrs):
    return {"host": host, "status": "answered", "source": "dns", "addresses": list(addrs),
            "cname_chain": [], "resolver": "10.0.0.2"}


def routes(f):
    return f["route_tables"]["value"][0]["routes"]


def write(name, facts, expected):
    (DIR / f"{name}.facts.json").write_text(json.dumps(facts, indent=2) + "\n")
    (DIR / f"{name}.expected.json").write_text(json.dumps(expected, indent=2) + "\n")


def customer_list(f, readable):
    f["vpc_endpoints"]["value"] = []
    r = routes(f)
    r[:] = [x for x in r if x.get("destination_prefix_list_id") is None]
    r.insert(1, {"destination_prefix_list_id": "pl-0corp5555", "transit_gateway_id": "tgw-0central9"})
    corp = {"id": "pl-0corp5555", "name": "corp-s3-ranges", "owner_id": "111122223333",
            "address_family": "IPv4", "cidrs": ["52.218.0.0/17", "3.5.64.0/21"]}
    if not readable:
        corp["cidrs"] = []
        corp["entries_error"] = ("UnauthorizedOperation: You are not authorized to perform this "
                                 "operation. (the caller needs ec2:GetManagedPrefixListEntries)")
        corp["entries_failure"] = {"kind": "denied", "action": "ec2:GetManagedPrefixListEntries"}
    f["prefix_lists"]["value"] = [S3_LIST, corp]


# 1. A customer-managed list of S3 ranges to a transit gateway beats the NAT default route.
f = copy.deepcopy(BASE)
customer_list(f, True)
write("customer-list-tgw-beats-nat", f, {
    "description": "Central egress: the customer-managed prefix list pl-0corp5555 (S3 ranges) routes to a transit gateway, 0.0.0.0/0 to a NAT gateway. The list is read (GetManagedPrefixListEntries), so its /17 entry beats the default route: transit-gateway, inferred.",
    "args": ["--expect", "transit-gateway"],
    "verdict": {"path": "transit-gateway", "via": "tgw-0central9", "route_table": "rtb-0priv1111", "confidence": "inferred"},
    "findings": ["S3P902"],
    "exit_code": 0,
    "targets": {"s3.eu-west-1.amazonaws.com": "transit-gateway", "s3.amazonaws.com": "nat-gateway"},
})

# 2. The same list unreadable: no silent NAT answer; undetermined, and --expect exits 3.
f = copy.deepcopy(BASE)
customer_list(f, False)
write("customer-list-unreadable", f, {
    "description": "The customer-managed list's entries were denied: the route pl-0corp5555 -> tgw could be more specific than 0.0.0.0/0 -> nat, so the path is undetermined (never a silent NAT answer); --expect exits 3 and S3P003 names the action.",
    "args": ["--expect", "nat-gateway"],
    "verdict": {"path": "unknown", "confidence": "undetermined"},
    "findings": ["S3P003"],
    "exit_code": 3,
})

# 3. A bucket in another region while this region's S3 list could not be read: the list is
#    not widened to the other region's address.
f = copy.deepcopy(OTHER)
f["request"]["buckets"] = ["far-data"]
f["buckets"]["value"] = [b for b in f["buckets"]["value"] if b["name"] == "far-data"]
f["prefix_lists"] = {"status": "failed", "error": "UnauthorizedOperation: not authorized (the caller needs ec2:GetManagedPrefixListEntries)",
                     "cause": {"kind": "denied", "action": "ec2:GetManagedPrefixListEntries"}}
f["dns"]["value"] = [a for a in f["dns"]["value"] if not a["host"].startswith("app-data")]
f.pop("presigned", None)
f["nat_gateways"] = {"status": "not_collected", "reason": "not part of this scenario"}
write("cross-region-bucket-unread-s3-list", f, {
    "description": "The eu-west-1 S3 list could not be read; far-data lives in us-west-2. The gateway endpoint's list holds eu-west-1's addresses only, so far-data's us-west-2 address takes the default route (NAT), stated as an assumption; this region's own names still ride the endpoint on the stated assumption.",
    "args": [],
    "verdict": {"path": "nat-gateway", "via": "nat-0nat33333", "confidence": "inferred"},
    "findings": ["S3P003", "S3P601"],
    "exit_code": 0,
    "targets": {"far-data.s3.us-west-2.amazonaws.com": "nat-gateway", "s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

# 4. us-east-1: the legacy global names belong to us-east-1, whose list the endpoint routes.
f = copy.deepcopy(BASE)
f["request"]["region"] = "us-east-1"
v = f["vantage"]["value"]
v["region"], v["availability_zone"] = "us-east-1", "us-east-1a"
f["vpc_endpoints"]["value"][0]["service_name"] = "com.amazonaws.us-east-1.s3"
f["prefix_lists"]["value"] = [{"id": "pl-63a5400a", "name": "com.amazonaws.us-east-1.s3", "owner_id": "AWS",
                               "address_family": "IPv4", "cidrs": [],
                               "entries_error": "ec2:GetManagedPrefixListEntries: no answer within 4000 ms",
                               "entries_failure": {"kind": "timed_out", "action": "ec2:GetManagedPrefixListEntries"}}]
routes(f)[1]["destination_prefix_list_id"] = "pl-63a5400a"
f["dns"]["value"] = [
    answer("app-data.s3.us-east-1.amazonaws.com", "52.216.20.7"),
    answer("s3.us-east-1.amazonaws.com", "52.216.10.5"),
    answer("s3.dualstack.us-east-1.amazonaws.com", "52.216.30.1"),
    answer("s3.amazonaws.com", "52.217.1.1"),
    answer("app-data.s3.amazonaws.com", "52.217.2.2"),
]
write("us-east-1-global-names-unread-list", f, {
    "description": "us-east-1, the S3 list's entries timed out: the legacy global names (s3.amazonaws.com, app-data.s3.amazonaws.com) are us-east-1's, so the same list holds them and they ride the gateway endpoint like the regional names; S3P902 stays quiet.",
    "args": [],
    "verdict": {"path": "gateway-endpoint", "via": "vpce-0gw11111", "confidence": "inferred"},
    "findings": [],
    "exit_code": 0,
    "targets": {"s3.amazonaws.com": "gateway-endpoint", "app-data.s3.amazonaws.com": "gateway-endpoint"},
})

# 5. A deleted gateway endpoint: the route remains, the endpoint does not.
f = copy.deepcopy(BASE)
routes(f)[1]["gateway_id"] = "vpce-0gone7777"
write("deleted-gateway-endpoint", f, {
    "description": "The prefix-list route points at vpce-0gone7777, which is not among the VPC's endpoints (deleted): blocked, naming the route and the dead target; S3P101 gives the create-vpc-endpoint fix.",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "blocked", "via": "vpce-0gone7777", "confidence": "inferred"},
    "findings": ["S3P101", "S3P902", "S3P903"],
    "exit_code": 1,
})

# 6. A detached internet gateway.
f = copy.deepcopy(BASE)
f["vpc_endpoints"]["value"] = []
r = routes(f)
r[:] = [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local"},
        {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-0det8888"}]
f["vantage"]["value"]["public_ipv4s"] = ["54.1.2.3"]
f["internet_gateways"] = {"status": "collected", "value": [{"id": "igw-0det8888", "attachments": []}]}
write("detached-internet-gateway", f, {
    "description": "The default route goes to igw-0det8888, which is attached to no VPC (AWS would show the route blackhole; the gateway's own attachments say it too): blocked, with the attach-internet-gateway fix.",
    "args": [],
    "verdict": {"path": "blocked", "via": "igw-0det8888", "confidence": "inferred"},
    "findings": ["S3P101"],
    "exit_code": 1,
})

# 7. The control plane timed out: the first hop is silent and TCP connects. Probable only;
#    --expect cannot be met (exit 3).
f = copy.deepcopy(BASE)
for part in ("route_tables", "vpc_endpoints", "prefix_lists", "vpc_dns_attributes"):
    f[part] = {"status": "failed", "error": "ec2:DescribeRouteTables: no answer within 4000 ms",
               "cause": {"kind": "timed_out", "action": "ec2:DescribeRouteTables", "after_ms": 4000}}
f["probes"] = {"status": "collected", "value": {
    "tcp": [{"address": "52.218.20.7", "port": 443, "outcome": "connected", "latency_ms": 1.2}],
    "first_hop": [{"target": "52.218.20.7", "responder": None, "max_ttl": 3}],
    "icmp": [], "tls": []}}
write("route-tables-timed-out-expect", f, {
    "description": "The EC2 API timed out: only the first-hop probe speaks (silence while TCP 443 connects, the signature of a gateway endpoint). The verdict is probable, not inferred, so --expect gateway-endpoint exits 3 and S3P004 says what would make it certain.",
    "args": ["--expect", "gateway-endpoint"],
    "verdict": {"path": "gateway-endpoint", "confidence": "probable"},
    "findings": ["S3P004"],
    "exit_code": 3,
})

# 8. A dual-stack client with an egress-only internet gateway.
f = copy.deepcopy(BASE)
v = f["vantage"]["value"]
v["vpc_ipv6_cidr_blocks"] = ["2a05:d018:1::/56"]
v["ipv6s"] = ["2a05:d018:1:100::10"]
r = routes(f)
r.insert(1, {"destination_ipv6_cidr_block": "2a05:d018:1::/56", "gateway_id": "local"})
r.append({"destination_ipv6_cidr_block": "::/0", "egress_only_internet_gateway_id": "eigw-0e6666666"})
f["client_settings"]["value"]["aws_env"] = [{"name": "AWS_USE_DUALSTACK_ENDPOINT", "value": "true"}]
f["dns"]["value"] = [
    answer("app-data.s3.dualstack.eu-west-1.amazonaws.com", "52.218.40.9", "2a05:d07a:a0ff::9"),
    answer("s3.dualstack.eu-west-1.amazonaws.com", "52.218.30.1", "2a05:d07a:a0ff::1"),
    answer("app-data.s3.eu-west-1.amazonaws.com", "52.218.20.7"),
    answer("s3.eu-west-1.amazonaws.com", "52.218.10.5"),
    answer("s3.amazonaws.com", "52.217.1.1"),
    answer("app-data.s3.amazonaws.com", "52.217.2.2"),
]
write("dualstack-client-egress-only", f, {
    "description": "AWS_USE_DUALSTACK_ENDPOINT=true: the application's name is app-data.s3.dualstack.eu-west-1.amazonaws.com (primary). The host has an IPv6 address, so it connects to the AAAA answer, which leaves by ::/0 -> eigw, not by the IPv4-only gateway endpoint: S3P110 with the modify-vpc-endpoint fix.",
    "args": [],
    "verdict": {"path": "egress-only-internet-gateway", "via": "eigw-0e6666666", "confidence": "inferred"},
    "findings": ["S3P110", "S3P901", "S3P902"],
    "exit_code": 0,
    "targets": {"app-data.s3.eu-west-1.amazonaws.com": "gateway-endpoint"},
})

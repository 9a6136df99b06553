#!/usr/bin/env python3
"""Writes a hostile-but-valid facts file of about SIZE bytes (default 1 MB) for the replay
benchmark (docs/benchmarks.md): every list at or near its limit in src/facts.rs — 256 DNS
answers of 64 addresses each, a route table of 1,000 routes, 500 prefix lists of 1,000 entries
would be far larger, so the file is filled with answers and routes until it reaches SIZE.

  python3 tests/tools/gen_hostile_facts.py OUT.json [SIZE]
"""
import json
import sys
from pathlib import Path

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
base = json.loads(Path("tests/scenarios/gateway-endpoint.facts.json").read_text())

routes = [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local"},
          {"destination_prefix_list_id": "pl-6da54004", "gateway_id": "vpce-0gw11111"},
          {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-0nat33333"}]
for i in range(997):
    routes.append({"destination_cidr_block": f"52.{i // 256}.{i % 256}.0/24",
                   "transit_gateway_id": f"tgw-0{i:08x}",
                   "state": "active"})
base["route_tables"]["value"][0]["routes"] = routes

answers = []
hosts = ["app-data.s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com",
         "s3.dualstack.eu-west-1.amazonaws.com", "s3.amazonaws.com", "app-data.s3.amazonaws.com"]
n = 0
while True:
    host = hosts[n] if n < len(hosts) else f"x{n}.s3.eu-west-1.amazonaws.com"
    answers.append({"host": host, "status": "answered", "source": "dns",
                    "addresses": [f"52.218.{(n * 64 + k) // 250 % 256}.{(n * 64 + k) % 250 + 1}" for k in range(64)],
                    "cname_chain": [f"c{k}.{host}" for k in range(16)],
                    "resolver": "10.0.0.2"})
    n += 1
    base["dns"]["value"] = answers
    if len(json.dumps(base)) >= size or n >= 256:
        break
# Fill up to SIZE with other route tables of the VPC (not the subnet's): the lookup must find
# the subnet's table among them.
t = 0
while len(json.dumps(base)) < size and t < 1999:
    base["route_tables"]["value"].append({"id": f"rtb-0f{t:08x}", "vpc_id": "vpc-0a1b2c3d", "main": False,
                                          "subnet_ids": [f"subnet-0f{t:08x}"],
                                          "routes": routes[:40]})
    t += 1
Path(out).write_text(json.dumps(base))
print(f"{out}: {len(json.dumps(base))} bytes, {n} answers x 64 addresses, {len(routes)} routes")

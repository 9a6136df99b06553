#!/usr/bin/env python3
"""A scripted SSM Run Command endpoint (JSON 1.1 protocol) on loopback, for `s3path fleet`:
moto's SSM cannot return a command's real output, this can.

  ssm_fake.py PORT CONFIG LOG

CONFIG (JSON): {"page_size": N, "instances": {ID: {"tags": {K: V}, "managed": bool,
  "behaviour": "report" | "never" | "missing" | "garbage" | "failed", "report": "<stdout>",
  "pending_polls": N, "s3_url": "the StandardOutputUrl to return", "code": N, "stderr": "…"}},
  "command_id": "a fixed CommandId",
  "generate": {"count": N, "prefix": "i-0d", "report": "<stdout, {id} replaced by the id>"},
  "throttle_per_second": N}
Every request is appended to LOG as one JSON line {"target": ..., "body": ..., "signed": bool,
"throttled": bool}. Requests must be SigV4-signed. Like SSM: more than 50 InstanceIds in one
SendCommand is a ValidationException; with throttle_per_second, a request past N in the last
second is a ThrottlingException (HTTP 400).
"""
import json
import sys
import collections
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, config_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
config = json.load(open(config_path))
instances = config["instances"]
page_size = config.get("page_size", 50)
gen = config.get("generate")
if gen:
    for n in range(gen["count"]):
        iid = gen.get("prefix", "i-0d") + format(n, "015x")
        instances[iid] = {"behaviour": "report", "report": gen["report"].replace("{id}", iid)}
rate = config.get("throttle_per_second")
recent = collections.deque()
lock = threading.Lock()
commands = {}  # command id -> {"ids": [...], "polls": {id: n}}


def targeted(body):
    if body.get("InstanceIds"):
        return [i for i in body["InstanceIds"] if instances.get(i, {}).get("managed", True)]
    out = []
    for t in body.get("Targets", []):
        key = t["Key"]
        if key.startswith("tag:"):
            k = key[4:]
            out += [i for i, c in instances.items()
                    if c.get("managed", True) and c.get("tags", {}).get(k) in t["Values"]]
    return sorted(set(out))


def status_of(cmd, iid):
    c = instances[iid]
    b = c.get("behaviour", "report")
    if b == "never":
        return "InProgress"
    polls = cmd["polls"].get(iid, 0)
    if polls < c.get("pending_polls", 0):
        return "InProgress"
    return {"report": "Success", "garbage": "Success", "missing": "Failed", "failed": "Failed"}[b]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        signed = self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256")
        throttled = False
        with lock:
            if rate:
                now = time.monotonic()
                while recent and recent[0] < now - 1.0:
                    recent.popleft()
                if len(recent) >= rate:
                    throttled = True
                else:
                    recent.append(now)
            with open(log_path, "a") as fh:
                fh.write(json.dumps({"target": target, "body": body, "signed": signed,
                                     "throttled": throttled}) + "\n")
        if throttled:
            return self.reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
        if not signed:
            return self.reply(400, {"__type": "MissingAuthenticationTokenException", "message": "unsigned"})
        action = target.split(".")[-1]
        if action == "DescribeInstanceInformation":
            ids = next((f["Values"] for f in body.get("Filters", []) if f["Key"] == "InstanceIds"), list(instances))
            found = [{"InstanceId": i, "PingStatus": "Online"} for i in ids
                     if i in instances and instances[i].get("managed", True)]
            return self.reply(200, {"InstanceInformationList": found})
        if action == "SendCommand":
            if len(body.get("InstanceIds") or []) > 50:
                return self.reply(400, {"__type": "ValidationException",
                                        "message": "1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50"})
            cid = config.get("command_id") or str(uuid.uuid4())
            ids = targeted(body)
            with lock:
                commands[cid] = {"ids": ids, "polls": {}}
            return self.reply(200, {"Command": {"CommandId": cid, "Status": "Pending"}})
        if action == "ListCommandInvocations":
            cmd = commands.get(body.get("CommandId"))
            if cmd is None:
                return self.reply(400, {"__type": "InvalidCommandId", "message": "no such command"})
            start = int(body.get("NextToken") or 0)
            n = min(int(body.get("MaxResults", 50)), page_size)
            page = cmd["ids"][start:start + n]
            out = []
            with lock:
                for iid in page:
                    out.append({"InstanceId": iid, "Status": status_of(cmd, iid)})
                    cmd["polls"][iid] = cmd["polls"].get(iid, 0) + 1
            resp = {"CommandInvocations": out}
            if start + n < len(cmd["ids"]):
                resp["NextToken"] = str(start + n)
            return self.reply(200, resp)
        if action == "GetCommandInvocation":
            cmd = commands.get(body.get("CommandId"))
            iid = body.get("InstanceId")
            if cmd is None or iid not in cmd["ids"]:
                return self.reply(400, {"__type": "InvocationDoesNotExist", "message": "no such invocation"})
            c = instances[iid]
            b = c.get("behaviour", "report")
            out = {"CommandId": body["CommandId"], "InstanceId": iid, "Status": status_of(cmd, iid),
                   "StandardOutputContent": "", "StandardErrorContent": "", "ResponseCode": 0}
            if b == "report":
                # SSM cuts inline output at 24,000 characters; the output bucket has it all.
                out["StandardOutputContent"] = c["report"][:24000]
                out["ResponseCode"] = c.get("code", 0)
                if c.get("s3_url"):
                    out["StandardOutputUrl"] = c["s3_url"]
            elif b == "garbage":
                out["StandardOutputContent"] = "Segmentation fault\x1b[31m (core dumped)"
            elif b == "missing":
                out["StandardErrorContent"] = "/var/lib/amazon/ssm/i/document/orchestration/x/_script.sh: 1: s3path: not found\n"
                out["ResponseCode"] = 127
            elif b == "failed":
                out["StandardErrorContent"] = c.get("stderr", "doctor crashed\n")
                out["ResponseCode"] = 2
            return self.reply(200, out)
        return self.reply(400, {"__type": "UnknownOperationException", "message": action})


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()

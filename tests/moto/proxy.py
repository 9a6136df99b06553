#!/usr/bin/env python3
"""A recording proxy in front of moto_server, on loopback.

  proxy.py LISTEN_PORT MOTO_PORT LOG_FILE [--throttle N] [--deny ACTION] [--delay SECS]

Forwards every request to moto and appends the EC2 `Action` of each to LOG_FILE (one per
line), so a test can prove which API actions the tool issues. With --throttle N, the first N
requests get a 400 RequestLimitExceeded instead (the EC2 throttling error), to test retries.
With --deny ACTION, that action gets 403 UnauthorizedOperation, as with a policy that lacks it.
With --delay SECS, every answer comes SECS seconds late (a slow or distant EC2 API).
With --aws-lists, managed prefix lists named com.amazonaws.* are reported as owned by "AWS"
(moto can create such a list, e.g. the s3express one it lacks, only in the caller's account).
"""
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

listen, moto, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
throttle = int(sys.argv[sys.argv.index("--throttle") + 1]) if "--throttle" in sys.argv else 0
deny = sys.argv[sys.argv.index("--deny") + 1] if "--deny" in sys.argv else None
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
aws_lists = "--aws-lists" in sys.argv
ITEM = re.compile(rb"<item>(?:(?!</item>).)*?</item>", re.S)


def aws_owned(data):
    def fix(m):
        item = m.group(0)
        if b"<prefixListName>com.amazonaws." in item:
            item = re.sub(rb"<ownerId>[^<]*</ownerId>", b"<ownerId>AWS</ownerId>", item)
        return item
    return ITEM.sub(fix, data)
lock = threading.Lock()
count = [0]

DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>'
    b"<Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>d</RequestID></Response>"
)
THROTTLED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
    b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>t</RequestID></Response>"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        action = urllib.parse.parse_qs(body.decode()).get("Action", ["?"])[0]
        if delay:
            time.sleep(delay)
        with lock:
            count[0] += 1
            n = count[0]
            with open(log, "a") as fh:
                fh.write(action + "\n")
        if action == deny:
            self.send_response(403)
            self.send_header("Content-Length", str(len(DENIED)))
            self.end_headers()
            self.wfile.write(DENIED)
            return
        if n <= throttle:
            self.send_response(400)
            self.send_header("Content-Length", str(len(THROTTLED)))
            self.end_headers()
            self.wfile.write(THROTTLED)
            return
        req = urllib.request.Request(f"http://127.0.0.1:{moto}{self.path}", data=body, method="POST")
        for k, v in self.headers.items():
            if k.lower() not in ("host", "content-length", "connection"):
                req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as resp:
                status, data, headers = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            status, data, headers = e.code, e.read(), e.headers
        if aws_lists and action == "DescribeManagedPrefixLists":
            data = aws_owned(data)
        self.send_response(status)
        self.send_header("Content-Type", headers.get("Content-Type", "text/xml"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer(("127.0.0.1", listen), Handler).serve_forever()

#!/usr/bin/env python3
"""Stands in front of moto_server's S3 (path-style, loopback) and answers like real S3 when a
request is signed for another region than the bucket's: 301 PermanentRedirect with the
`x-amz-bucket-region` header (moto does not do this). Everything else is forwarded.

  s3_region_proxy.py LISTEN_PORT MOTO_PORT
"""
import re
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

listen, moto = int(sys.argv[1]), int(sys.argv[2])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)) or None
        req = urllib.request.Request(f"http://127.0.0.1:{moto}{self.path}", data=body, method=method)
        for k, v in self.headers.items():
            if k.lower() not in ("host", "content-length", "connection"):
                req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def reply(self, status, data, headers):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self, method):
        bucket = self.path.lstrip("/").split("/")[0].split("?")[0]
        signed = re.search(r"Credential=[^/]+/\d+/([^/]+)/s3/", self.headers.get("Authorization", ""))
        if bucket and signed:
            head = urllib.request.Request(f"http://127.0.0.1:{moto}/{bucket}", method="HEAD")
            try:
                with urllib.request.urlopen(head) as r:
                    region = r.headers.get("x-amz-bucket-region")
            except urllib.error.HTTPError:
                region = None
            if region and region != signed.group(1):
                body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code>'
                        f"<Message>The bucket you are attempting to access must be addressed using the specified endpoint. "
                        f"Please send all future requests to this endpoint.</Message><Endpoint>{bucket}.s3.{region}.amazonaws.com</Endpoint>"
                        f"<Bucket>{bucket}</Bucket><RequestId>R301</RequestId></Error>").encode()
                return self.reply(301, body, [("x-amz-bucket-region", region), ("x-amz-request-id", "R301"),
                                              ("Content-Type", "application/xml")])
        status, data, headers = self.forward(method)
        keep = [(k, v) for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")]
        self.reply(status, data, keep)

    def do_GET(self):
        self.handle_any("GET")

    def do_HEAD(self):
        self.handle_any("HEAD")


ThreadingHTTPServer(("127.0.0.1", listen), Handler).serve_forever()

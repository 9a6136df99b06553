#!/usr/bin/env python3
"""A stand-in for the SSO portal (portal.sso.REGION.amazonaws.com) on loopback, for an SSO
profile with a cached token: GetRoleCredentials answers test credentials when the bearer token
is TOKEN, 401 otherwise.

  sso_portal.py PORT TOKEN
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, token = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if not self.path.startswith("/federation/credentials"):
            self.reply(404, {"message": "not found"})
        elif self.headers.get("x-amz-sso_bearer_token") != token:
            self.reply(401, {"message": "Session token not found or invalid"})
        else:
            self.reply(200, {"roleCredentials": {
                "accessKeyId": "testing",
                "secretAccessKey": "testing",
                "sessionToken": "testing",
                "expiration": int(time.time() + 3600) * 1000,
            }})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        if status == 401:
            self.send_header("x-amzn-errortype", "UnauthorizedException")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()

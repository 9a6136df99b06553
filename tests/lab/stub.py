#!/usr/bin/env python3
"""Test helpers for the network-namespace lab (run inside a namespace by tests/lab/harness.rs).

  stub.py imds ADDR CONFIG.json [--token hang|slow]   IMDSv2 stub on ADDR:80
  stub.py listen ADDR [ADDR...]                   accepts TCP on ADDR:443 and closes
  stub.py tls CERT KEY ADDR [ADDR...]             TLS on ADDR:443 (handshake, then S3-like answers)
  stub.py ecs ADDR TASK.json                       ECS task metadata v4 on ADDR:80 (/v4/<id>/task)

The IMDS stub follows the real service: PUT /latest/api/token with the
X-aws-ec2-metadata-token-ttl-seconds header returns a token and echoes the TTL header;
GET needs X-aws-ec2-metadata-token (401 without it); unknown paths are 404.
With --token hang, the token PUT never answers (a hop limit of 1 seen from a container)
while plain GETs still get 401. With --token slow, every answer takes 1.5 s; with --token huge, the instance id is an endless
500 MB answer.
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "AQAEAlabtoken=="


def imds(addr, config_path, hang, slow=False, huge=False):
    def paths():
        # Read per request, so a test can fill in ids after the stub started.
        with open(config_path) as fh:
            return json.load(fh)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self):
            if slow:
                time.sleep(1.5)
            if self.path != "/latest/api/token":
                return self.reply(404)
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl:
                return self.reply(400)
            if hang:
                time.sleep(30)
                return
            self.reply(200, TOKEN.encode(), [("X-aws-ec2-metadata-token-ttl-seconds", ttl), ("Content-Type", "text/plain")])

        def do_GET(self):
            if slow:
                time.sleep(1.5)
            if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                return self.reply(401)
            key = self.path[len("/latest/meta-data/"):] if self.path.startswith("/latest/meta-data/") else None
            current = paths()
            if huge and key == "instance-id":
                # An endless answer: 500 MB announced, streamed until the client hangs up.
                self.send_response(200)
                self.send_header("Content-Length", str(500 * 1024 * 1024))
                self.end_headers()
                chunk = b"i" * 65536
                try:
                    for _ in range(8000):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                return
            if key is None or key not in current:
                return self.reply(404)
            self.reply(200, current[key].encode(), [("Content-Type", "text/plain")])

    server = ThreadingHTTPServer((addr, 80), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


def ecs(addr, task_path):
    with open(task_path) as fh:
        task = fh.read().encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/v4/") and self.path.endswith("/task"):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(task)))
                self.end_headers()
                self.wfile.write(task)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

    server = ThreadingHTTPServer((addr, 80), Handler)
    print("ready", flush=True)
    server.serve_forever()


def listen(addrs, tls=None):
    socks = []
    for a in addrs:
        s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, 443))
        s.listen(64)
        socks.append(s)

    ctx = None
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])

    def handle(c):
        try:
            if ctx is not None:
                c.settimeout(5)
                c = ctx.wrap_socket(c, server_side=True)
                s3_like(c)
        except Exception:
            pass
        finally:
            c.close()

    def s3_like(c):
        # Answers HTTP requests after the handshake as a same-region S3 bucket would:
        # HeadBucket 200 with x-amz-bucket-region, ListObjectsV2 200 with one key.
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = c.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            method = head.split(b" ", 1)[0]
            body = b"" if method == b"HEAD" else (
                b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                b"<Name>app-data</Name><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>"
                b"<Contents><Key>hello.txt</Key><Size>2</Size></Contents></ListBucketResult>")
            length = 0 if method == b"HEAD" else len(body)
            c.sendall(b"HTTP/1.1 200 OK\r\nx-amz-bucket-region: eu-west-1\r\nx-amz-request-id: LAB\r\n"
                      b"Content-Type: application/xml\r\nContent-Length: " + str(length).encode() + b"\r\n\r\n" + body)

    def serve(s):
        while True:
            c, _ = s.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()

    for s in socks:
        threading.Thread(target=serve, args=(s,), daemon=True).start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if sys.argv[1] == "imds":
        mode = sys.argv[sys.argv.index("--token") + 1] if "--token" in sys.argv else "ok"
        imds(sys.argv[2], sys.argv[3], mode == "hang", mode == "slow", mode == "huge")
    elif sys.argv[1] == "listen":
        listen(sys.argv[2:])
    elif sys.argv[1] == "ecs":
        ecs(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "tls":
        listen(sys.argv[4:], tls=(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: stub.py imds|listen ...")

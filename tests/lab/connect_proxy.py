#!/usr/bin/env python3
"""Lab helpers for s3path's own proxy support (tests/lab/proxy.rs).

  connect ADDR PORT LOG [--map NAME=IP ...] [--auth USER:PASS]
      A tiny HTTP CONNECT proxy: tunnels to NAME:port (NAME resolved through --map first), logs
      one line per CONNECT to LOG ("CONNECT host:port auth=yes|no status"), answers 407 when
      --auth is given and the request's Proxy-Authorization does not match it, and refuses
      anything but CONNECT with 405.
  tls-front ADDR PORT CERT KEY TARGET_PORT
      Terminates TLS on ADDR:PORT and relays the bytes to 127.0.0.1:TARGET_PORT (moto_server
      over plain HTTP behind a certificate for the AWS name).
"""
import base64
import socket
import ssl
import sys
import threading


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    threading.Thread(target=pump, args=(a, b), daemon=True).start()
    threading.Thread(target=pump, args=(b, a), daemon=True).start()


def read_head(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(1)
        if not chunk:
            return None
        head += chunk
        if len(head) > 16384:
            return None
    return head.decode("latin-1")


def connect_proxy(addr, port, log, mapping, auth):
    expected = None
    if auth:
        expected = "Basic " + base64.b64encode(auth.encode()).decode()
    lock = threading.Lock()

    def note(line):
        with lock:
            with open(log, "a") as f:
                f.write(line + "\n")

    def handle(conn):
        head = read_head(conn)
        if head is None:
            conn.close()
            return
        lines = head.split("\r\n")
        parts = lines[0].split()
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if len(parts) < 2 or parts[0] != "CONNECT":
            note(f"{lines[0]} refused")
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        target = parts[1]
        given = headers.get("proxy-authorization")
        authed = "yes" if given else "no"
        if expected and given != expected:
            note(f"CONNECT {target} auth={authed} 407")
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                         b"Proxy-Authenticate: Basic realm=\"lab\"\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        host, _, tport = target.rpartition(":")
        host = host.strip("[]")
        ip = mapping.get(host, host)
        try:
            upstream = socket.create_connection((ip, int(tport)), timeout=3)
            upstream.settimeout(None)
        except OSError:
            note(f"CONNECT {target} auth={authed} 502")
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        note(f"CONNECT {target} auth={authed} 200")
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        relay(conn, upstream)

    serve(addr, port, handle)


def tls_front(addr, port, cert, key, target_port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def handle(conn):
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=3)
            upstream.settimeout(None)
        except OSError:
            tls.close()
            return
        relay(tls, upstream)

    serve(addr, port, handle)


def serve(addr, port, handle):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    mode = sys.argv[1]
    if mode == "connect":
        addr, port, log = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        mapping, auth = {}, None
        rest = sys.argv[5:]
        i = 0
        while i < len(rest):
            if rest[i] == "--map":
                name, ip = rest[i + 1].split("=", 1)
                mapping[name] = ip
                i += 2
            elif rest[i] == "--auth":
                auth = rest[i + 1]
                i += 2
            else:
                raise SystemExit(f"unknown argument {rest[i]}")
        connect_proxy(addr, port, log, mapping, auth)
    elif mode == "tls-front":
        tls_front(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

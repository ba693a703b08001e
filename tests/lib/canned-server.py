#!/usr/bin/env python3
# tests/lib/canned-server.py: an HTTP server on 127.0.0.1 that answers with
# canned bodies, each answer in one write (headers and body together), for
# shapes and sizes the emulator does not produce, and for benchmarks.
#
# Usage: canned-server.py DIR -> prints "ready PORT", then answers
#   GET  /healthz            with DIR/healthz            (text/plain)
#   GET  /v1/version         with DIR/version.json
#   POST /v1/metadata {"type": T, ...} with DIR/T.json
# under any path prefix too (/r7/healthz): one server stands for many
# replicas named http://127.0.0.1:PORT/rN.
# A file NAME.status next to a body holds its HTTP status (default 200).
# A missing body is a 404 in Hasura's error shape. Every request's type is
# appended to DIR/requests.log.
import http.server, json, os, sys, threading

root = sys.argv[1]
lock = threading.Lock()
cache = {}      # name -> (mtime, status, body): a body is read once, sent many times


def load(name):
    path = os.path.join(root, name)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return 404, b'{"path":"$","error":"resource does not exist","code":"not-found"}'
    hit = cache.get(name)
    if hit is not None and hit[0] == mtime:
        return hit[1], hit[2]
    with open(path, "rb") as f:
        body = f.read()
    try:
        with open(path + ".status") as f:
            status = int(f.read().strip())
    except OSError:
        status = 200
    cache[name] = (mtime, status, body)
    return status, body


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body, ctype):
        head = ("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                % (status, ctype, len(body))).encode()
        self.wfile.flush()
        # One write (writev) of head and body: no copy of the body.
        sent = self.connection.sendmsg([head, body])
        rest = memoryview(head + body)[sent:] if sent < len(head) else memoryview(body)[sent - len(head):]
        if len(rest):
            self.connection.sendall(rest)

    def note(self, what):
        with lock, open(os.path.join(root, "requests.log"), "a") as f:
            f.write(what + "\n")

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.endswith("/healthz"):
            self.note("healthz")
            self.answer(*load("healthz"), "text/plain; charset=utf-8")
        elif path.endswith("/v1/version"):
            self.note("version")
            self.answer(*load("version.json"), "application/json; charset=utf-8")
        else:
            self.answer(404, b'{"path":"$","error":"resource does not exist","code":"not-found"}',
                        "application/json; charset=utf-8")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = self.rfile.read(n)
        try:
            kind = json.loads(req)["type"]
        except (ValueError, KeyError, TypeError):
            kind = "invalid"
        self.note(kind)
        self.answer(*load(os.path.basename(kind) + ".json"), "application/json; charset=utf-8")

    def log_message(self, *a):
        pass


class S(http.server.ThreadingHTTPServer):
    request_queue_size = 4096   # 500 replicas x 3 requests connect at once

    def handle_error(self, request, client_address):
        pass    # a client that hangs up early is not news


s = S(("127.0.0.1", 0), H)
s.daemon_threads = True
print("ready %d" % s.server_address[1], flush=True)
s.serve_forever()

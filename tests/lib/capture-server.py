#!/usr/bin/env python3
# tests/lib/capture-server.py: a local stand-in for Sentry's ingest endpoint.
# Usage: capture-server.py DIR [hang]  -> prints "ready PORT", then saves every
# POST as DIR/N.req (request line, headers, blank line, body) and answers 200.
# With "hang" it saves the request and never answers (a Sentry host that
# accepts connections and then hangs).
import http.server, os, sys, threading, time

out = sys.argv[1]
hang = len(sys.argv) > 2 and sys.argv[2] == "hang"
count = [0]
lock = threading.Lock()

class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with lock:
            count[0] += 1
            path = os.path.join(out, "%d.req" % count[0])
        with open(path, "wb") as f:
            f.write(("%s %s\n" % (self.command, self.path)).encode())
            for k, v in self.headers.items():
                f.write(("%s: %s\n" % (k, v)).encode())
            f.write(b"\n" + body)
        while hang:
            time.sleep(3600)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id":"00000000000000000000000000000000"}')
    def log_message(self, *a):
        pass

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
print("ready %d" % s.server_address[1], flush=True)
s.serve_forever()

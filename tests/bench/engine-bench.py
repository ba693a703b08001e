#!/usr/bin/env python3
# tests/bench/engine-bench.py: figures for the engine (run through
# engine-bench.sh, which provides PostgreSQL and the environment).
#   detect   median delay from a committed version bump to the --watch line,
#            at --poll-interval 100 and 1000; and how long a second emulated
#            replica takes to converge (what users have today)
#   fleet    one probe round over 1, 100, 500 instances with 20 ms latency:
#            wall and CPU time, against probing one at a time
#   reload   hasync reload against the same request made by curl
#   memory   RSS with 500 instances and 20,000 inconsistent objects
# Prints figures; exits 0 unless something could not run at all.
import json, os, random, resource, statistics, subprocess, sys, time, urllib.request

HASYNC, EMU, DB = os.environ["HASYNC"], os.environ["EMU"], os.environ["DATABASE_URL"]
ADMIN = {"Content-Type": "application/json"}


def post(url, body, timeout=30):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=ADMIN)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def emu(*args, n=1, db=DB):
    p = subprocess.Popen([EMU, "--database-url", db, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    urls = []
    while len(urls) < n:
        line = p.stdout.readline()
        if not line:
            raise SystemExit("hasura-emu did not start")
        if line.startswith("ready "):
            urls.append(line.split()[1])
    return p, urls


def psql(sql):
    subprocess.run(["psql", "-X", "-q", "-d", os.environ["PGDATABASE"], "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def detect():
    p, urls = emu("--instances", "2", "--poll-interval", "1000", n=2)
    try:
        for interval in (100, 1000):
            w = subprocess.Popen([HASYNC, "--watch", "-d", DB, "-e", urls[0],
                                  "--poll-interval", str(interval)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            while "listen_started" not in w.stdout.readline():
                pass
            delays = []
            for _ in range(60 if interval == 100 else 40):
                time.sleep(random.uniform(0, interval / 1000.0))
                psql("UPDATE hdb_catalog.hdb_metadata SET resource_version = resource_version + 1")
                t0 = time.monotonic()
                while True:
                    line = w.stdout.readline()
                    if '"event":"version"' in line:
                        delays.append((time.monotonic() - t0) * 1000)
                        break
            w.terminate()
            w.wait()
            print("detect: --poll-interval %4d: median %.1f ms, max %.1f ms over %d bumps "
                  "(target <= %.0f ms)" % (interval, statistics.median(delays), max(delays),
                                           len(delays), interval / 2 + 10))
        # Today's convergence: a second Hasura replica (poll 1000 ms) after a change.
        conv = []
        for _ in range(5):
            time.sleep(random.uniform(0, 1))
            v = post(urls[0] + "/v1/metadata", {"type": "reload_metadata", "args": {}})
            want = post(urls[0] + "/v1/metadata", {"type": "export_metadata", "version": 2,
                                                    "args": {}})["resource_version"]
            t0 = time.monotonic()
            while post(urls[1] + "/v1/metadata", {"type": "dump_internal_state", "args": {}}
                       )["metadata_resource_version"] < want:
                time.sleep(0.005)
            conv.append((time.monotonic() - t0) * 1000)
        print("detect: a second emulated replica (poll 1000 ms) converges in median %.0f ms "
              "(max %.0f) after the change" % (statistics.median(conv), max(conv)))
    finally:
        p.terminate()
        p.wait()


def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return rc, wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), r1.ru_maxrss


def sequential(urls):
    t0 = time.monotonic()
    for u in urls:
        get(u + "/healthz")
        post(u + "/v1/metadata", {"type": "get_inconsistent_metadata", "args": {}})
    return time.monotonic() - t0


def fleet():
    for n in (1, 100, 500):
        p, urls = emu("--instances", str(n), "--poll-interval", "0", n=n)
        try:
            for u in urls:
                post(u + "/emu/fault", {"latency_ms": 20})
            cmd = [HASYNC, "--batch", "--timeout", "10000"] + sum((["-e", u] for u in urls), [])
            walls, cpus = [], []
            for _ in range(3):
                rc, wall, cpu, _ = timed(cmd)
                walls.append(wall)
                cpus.append(cpu)
            seq = sequential(urls[:min(n, 50)]) * n / min(n, 50)
            print("fleet: %3d instances x 20 ms: hasync --batch %.3f s wall, %.3f s CPU "
                  "(median of 3, rc %d); one at a time: %.2f s%s; ratio %.1fx" %
                  (n, statistics.median(walls), statistics.median(cpus), rc, seq,
                   " (extrapolated from 50)" if n > 50 else "", seq / statistics.median(walls)))
        finally:
            p.terminate()
            p.wait()


def reload_bench():
    for n in (300, 1000):
        reload_one(n)


def reload_one(ntables):
    tables = [{"table": {"schema": "public", "name": "t%d" % i}} for i in range(ntables)]
    psql("; ".join("CREATE TABLE IF NOT EXISTS t%d (id int primary key, v text)" % i
                   for i in range(ntables)))
    p, urls = emu("--poll-interval", "1000")
    u = urls[0]
    try:
        port = random.randint(20000, 32000)  # below the ephemeral range
        md = {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": tables,
              "configuration": {"connection_info": {"database_url": {"from_env":
                                "HASURA_GRAPHQL_DATABASE_URL"}}}}],
              "remote_schemas": [{"name": "rs", "definition": {
                  "url": "http://127.0.0.1:%d/graphql" % port, "timeout_seconds": 2}}]}
        post(u + "/v1/metadata", {"type": "replace_metadata", "version": 2,
                                  "args": {"allow_inconsistent_metadata": True, "metadata": md}})
        body = json.dumps({"type": "reload_metadata", "args": {"reload_remote_schemas": ["rs"],
                           "reload_sources": [], "recreate_event_triggers": False}})
        h, c = [], []
        for _ in range(31):
            h.append(timed([HASYNC, "reload", "--hasura-endpoint", u])[1])
            c.append(timed(["curl", "-s", "--noproxy", "*", "-o", "/dev/null", "-H",
                            "Content-Type: application/json", "-d", body,
                            u + "/v1/metadata"])[1])
        print("reload: hasync reload %.1f ms, curl %.1f ms (medians of 31; %d tables, a "
              "remote schema down); ratio %.2f (target <= 1.2)" %
              (statistics.median(h) * 1000, statistics.median(c) * 1000, ntables,
               statistics.median(h) / statistics.median(c)))
    finally:
        p.terminate()
        p.wait()


def memory():
    # 20,000 tables tracked but missing: 20,000 inconsistent objects on one
    # replica (its own catalog), next to 500 consistent replicas.
    psql("CREATE DATABASE bench_mem_%d" % os.getpid())
    db2 = DB.rsplit("/", 1)[0] + "/bench_mem_%d" % os.getpid()
    big, burls = emu("--poll-interval", "0", db=db2)
    fleet_p, urls = emu("--instances", "500", "--poll-interval", "0", n=500)
    try:
        md = {"version": 3, "sources": [{"name": "default", "kind": "postgres",
              "tables": [{"table": {"schema": "public", "name": "missing_%d" % i}}
                         for i in range(20000)],
              "configuration": {"connection_info": {"database_url": {"from_env":
                                "HASURA_GRAPHQL_DATABASE_URL"}}}}]}
        post(burls[0] + "/v1/metadata", {"type": "replace_metadata", "version": 2, "args": {
            "allow_inconsistent_metadata": True, "metadata": md}}, timeout=120)
        n = len(post(burls[0] + "/v1/metadata", {"type": "get_inconsistent_metadata",
                                                  "args": {}})["inconsistent_objects"])
        cmd = ["/usr/bin/time", "-f", "%M", HASYNC, "--batch"] + \
            sum((["-e", u] for u in urls + burls), [])
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        rss = int(r.stderr.strip().splitlines()[-1])
        print("memory: %d instances, %d inconsistent objects: max RSS %.1f MB (target < 200)" %
              (len(urls) + 1, n, rss / 1024.0))
    finally:
        big.terminate()
        fleet_p.terminate()
        big.wait()
        fleet_p.wait()


if __name__ == "__main__":
    which = sys.argv[1:] or ["detect", "fleet", "reload", "memory"]
    for w in which:
        {"detect": detect, "fleet": fleet, "reload": reload_bench, "memory": memory}[w]()

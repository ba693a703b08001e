#!/usr/bin/env python3
# tests/bench/reload-bench.py: hasync reload and hasync --batch against the
# transfer floor (the same request made by curl), on a canned server that
# sends each answer in one write. Prints medians, ratios and peak RSS; the
# targets of issue 13 are read from these figures, not asserted.
#
#   big    N inconsistent objects (default 20000, about 5-6 MB an answer)
#   small  an emulated instance (EMU_URL) with a few objects
#   fleet  R replicas (default 500) answering the same N objects
# Environment: HASYNC, top_srcdir, RUNS (default 15), QUICK=1 (small sizes,
# 3 runs: what make check runs to prove the benchmark works), HMR (path of
# hasura-metadata-reloader, to run it side by side), BEFORE (an earlier
# hasync binary, for a before/after in one run), EMU_URL, EMU_SECRET. Rows
# take turns run after run, so that drift hits them alike.
import json, os, resource, statistics, subprocess, sys, tempfile, time

top = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
hasync = os.environ.get("HASYNC", os.path.join(top, "src", "hasync"))
quick = os.environ.get("QUICK") == "1"
runs = 3 if quick else int(os.environ.get("RUNS", "15"))
hmr = os.environ.get("HMR")
before = os.environ.get("BEFORE")   # another hasync binary, measured alongside
secret = os.environ.get("EMU_SECRET")
env = dict(os.environ, LC_ALL="C")
for k in ("HASURA_GRAPHQL_ENDPOINT", "SENTRY_DSN", "HASYNC_CONFIG"):
    env.pop(k, None)


def run(cmd):
    """Wall seconds, peak RSS (KiB, valid only through rss_of) and exit code
    of one run of cmd."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    return time.monotonic() - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def rss_of(cmd):
    """Peak RSS (KiB) of cmd alone, as GNU time reports it: a child forked
    from this Python process would count Python's own pages."""
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env)
    try:
        return int(p.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0


def measure_all(rows):
    """Median wall time and peak RSS of each (name, cmd) row. The rows take
    turns, run after run: a machine that slows down for a while slows
    every row alike, so the ratios hold even when the figures drift."""
    for _ in range(2):
        for _, cmd in rows:
            run(cmd)    # warm-up: page cache, server threads
    walls = [[] for _ in rows]
    codes = [set() for _ in rows]
    for _ in range(runs):
        for i, (_, cmd) in enumerate(rows):
            w, _, c = run(cmd)
            walls[i].append(w)
            codes[i].add(c)
    out = []
    for i, (name, cmd) in enumerate(rows):
        rss = max(rss_of(cmd) for _ in range(3))
        med = statistics.median(walls[i])
        print("  %-34s median %8.1f ms  peak RSS %6.1f MiB  exit %s  (%.1f-%.1f ms)" % (
            name, med * 1000, rss / 1024, ",".join(str(c) for c in sorted(codes[i])),
            min(walls[i]) * 1000, max(walls[i]) * 1000))
        out.append((med, rss / 1024))
    return out


def canned(d):
    # The C server (tests/lib/canned-server.c) when built, unless CANNED=py:
    # Python's threads were the floor of a fleet round.
    c = os.path.join(os.environ.get("top_builddir", top), "tests", "lib", "canned-server")
    if os.environ.get("CANNED") != "py" and os.access(c, os.X_OK):
        cmd = [c, d]
    else:
        cmd = [sys.executable, os.path.join(top, "tests", "lib", "canned-server.py"), d]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, "http://127.0.0.1:%d" % port


def gen(d, n):
    subprocess.run([sys.executable, os.path.join(top, "tests", "bench", "gen-answers.py"), d, str(n)],
                   check=True)
    return os.path.getsize(os.path.join(d, "reload_metadata.json"))


def floor_cmd(url, body):
    cmd = ["curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json",
           "--data-binary", body, url + "/v1/metadata"]
    if secret:
        cmd[1:1] = ["-H", "X-Hasura-Admin-Secret: " + secret]
    return cmd


def compare(title, url, body, extra=()):
    print(title)
    rows = [("curl (one reload_metadata request)", floor_cmd(url, body)),
            ("hasync reload", [hasync, "reload", "--hasura-endpoint", url] + list(extra)),
            ("hasync --batch", [hasync, "--batch", "-e", url] + list(extra))]
    if before:
        rows += [("before: hasync reload", [before, "reload", "--hasura-endpoint", url] + list(extra)),
                 ("before: hasync --batch", [before, "--batch", "-e", url] + list(extra))]
    if hmr:
        rows.append(("hasura-metadata-reloader reload",
                     [hmr, "reload", "--hasura-endpoint", url, "--hasura-admin-secret",
                      os.environ.get("EMU_SECRET", "x")]))
    res = measure_all(rows)
    c = res[0][0]
    for (name, _), (m, _) in zip(rows[1:], res[1:]):
        print("  %-34s %.2fx curl's wall time" % (name, m / c))


def big():
    n = 500 if quick else int(os.environ.get("OBJECTS", "20000"))
    d = tempfile.mkdtemp(prefix="hasync-bench-")
    size = gen(d, n)
    srv, url = canned(d)
    try:
        compare("big: %d objects, %.1f MB answers" % (n, size / 1e6), url,
                '{"type":"reload_metadata","args":{}}')
    finally:
        srv.kill()


def small():
    url = os.environ.get("EMU_URL")
    if not url:
        print("small: skipped (no EMU_URL)")
        return
    body = '{"type":"reload_metadata","args":{}}'
    compare("small: an emulated instance, a few inconsistent objects", url, body)


def fleet():
    n = 500 if quick else int(os.environ.get("OBJECTS", "20000"))
    r = 20 if quick else int(os.environ.get("REPLICAS", "500"))
    d = tempfile.mkdtemp(prefix="hasync-bench-")
    size = gen(d, n)
    srv, url = canned(d)
    try:
        cmd = [hasync, "--batch", "--timeout", "60000"]
        for i in range(r):
            cmd += ["-e", "%s/r%d" % (url, i)]
        print("fleet: %d replicas x %d objects (%.1f MB each, %.1f GB in all), %d runs" % (
            r, n, size / 1e6, r * size / 1e9, runs))
        # The floor: curl fetching every replica's answer at once (curl
        # caps --parallel-max at 300; hasync asks all 500 at once).
        floor = ["curl", "-s", "-Z", "--parallel-max", str(r), "-X", "POST", "-o", "/dev/null",
                 "--data-binary", '{"type":"get_inconsistent_metadata","args":{}}',
                 "%s/r[0-%d]/v1/metadata" % (url, r - 1)]
        # One pass is one probe round plus start and exit. measure_all
        # warms the server up first (its first answers load the files)
        # and alternates the rows, so both see the same machine.
        rows = [("hasync --batch, one pass (a round)", cmd),
                ("curl -Z, every answer once (floor)", floor)]
        if before:
            rows.append(("before: hasync --batch", [before] + cmd[1:]))
        res = measure_all(rows)
        print("  one round: %.2fx the floor" % (res[0][0] / res[1][0]))
        if before:
            print("  before: %.2fx the floor" % (res[2][0] / res[1][0]))
    finally:
        srv.kill()


resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
for what in sys.argv[1:] or ["big", "small", "fleet"]:
    {"big": big, "small": small, "fleet": fleet}[what]()

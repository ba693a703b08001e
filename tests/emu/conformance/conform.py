#!/usr/bin/env python3
# tests/emu/conformance/conform.py: play one conformance case (a JSON file
# in cases/) against a running hasura-emu and compare every answer with the
# one Hasura's own test suite recorded.  Called by run.sh, once per case, on
# a fresh database and a fresh emulator; prints "# ..." diagnostics and
# exits 0 when every step matched, 1 otherwise.  Standard library only.
#
# usage: conform.py CASE.json BASE_URL
#        conform.py --describe CASE.json   (prints the admin secret, 0x1f, the title)
# environment: PGHOST/PGPORT/PGUSER/PGDATABASE and DATABASE_URL (the case's
# database), REMOTE_URL (the emulator's --remote-schema server), DEAD_PORT
# (a TCP port nobody listens on), SERVER_VERSION, HASYNC.
#
# A case file:
#   {"name": ..., "source": {"file": <path in hasura/graphql-engine>,
#    "commit": <sha>}, "notes": ..., "admin_secret": "s" (optional),
#    "sql": "setup SQL run before the first step" (optional),
#    "steps": [step, ...]}
# A step:
#   "sql"          SQL run (psql) before the request
#   "method", "url"  default POST /v1/metadata
#   "query"        the JSON request body (or "body_raw": text)
#   "headers"      extra request headers; "no_admin_secret": true drops the
#                  case's admin secret from this request
#   "status"       expected HTTP status (default 200)
#   "response"     expected JSON body; "response_text" expected text body;
#                  neither: only the status is checked (setup steps, and
#                  Hasura's tests that check only the status)
#   "response_subset"  true: only the keys of the expected objects are
#                  compared, at every depth (dump_internal_state, and
#                  exports where only some keys matter); arrays still
#                  have to have the expected length
#   "capture"      {"var": "dotted.path"} ("" = the whole body) for later
#                  steps, as Hasura's Python tests keep export answers
#   "hasync"       instead of a request: run $HASYNC with these arguments;
#                  "exit" is its expected exit code and "objects" the
#                  inconsistent objects of its "metadata is inconsistent"
#                  line(s)
#
# Strings in requests and expectations may hold ${VAR} (environment above,
# URL = the emulator's base URL, REMOTE_BASE = REMOTE_URL without its path,
# or a captured value) and ${VAR+N} / ${VAR-N} for integers; a string that
# is only "${VAR}" becomes the variable's JSON value.
#
# Comparison, like Hasura's harness: object key order never matters; arrays
# keep their order except arrays of inconsistent objects (keys listed in
# UNORDERED), which Hasura builds in hash-map order and its tests compare
# as sets (test_inconsistent_meta.py sorts with json_ordered).  Where a
# value legitimately differs between Hasura's environment and ours the case
# says so with a matcher instead of a literal:
#   {"$re": REGEX}   a string matching REGEX (DOTALL, whole string): libpq
#                    error texts, which depend on the libpq version, and
#                    http-client socket numbers;
#   {"$any": TYPE}   any value of TYPE (int, string, object, array, any):
#                    resource_version numbers, which count every metadata
#                    change since the catalog was created and so differ
#                    between Hasura's CI database and ours; cases that care
#                    about them capture the number and expect ${rv+1}.

import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

UNORDERED = {"inconsistent_objects", "internal", "inconsistent_objs"}
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([+-][0-9]+)?\}")


def subst(v, env):
    if isinstance(v, str):
        m = VAR_RE.fullmatch(v)
        if m:
            return lookup(m, env)
        return VAR_RE.sub(lambda m: str(lookup(m, env)), v)
    if isinstance(v, list):
        return [subst(x, env) for x in v]
    if isinstance(v, dict):
        return {subst(k, env): subst(x, env) for k, x in v.items()}
    return v


def lookup(m, env):
    name, delta = m.group(1), m.group(2)
    if name not in env:
        raise KeyError("undefined variable ${%s}" % name)
    val = env[name]
    if delta:
        val = int(val) + int(delta)
    return val


def jtype(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    return {str: "string", dict: "object", list: "array", float: "float",
            type(None): "null"}[type(v)]


def match(exp, got, path, key=None, subset=False):
    """Return a list of mismatches (empty: equal)."""
    if isinstance(exp, dict) and len(exp) == 1 and "$re" in exp:
        if isinstance(got, str) and re.fullmatch(exp["$re"], got, re.S):
            return []
        return ["%s: %r does not match /%s/" % (path, got, exp["$re"])]
    if isinstance(exp, dict) and len(exp) == 1 and "$any" in exp:
        if exp["$any"] in ("any", jtype(got)):
            return []
        return ["%s: expected any %s, got %r" % (path, exp["$any"], got)]
    if jtype(exp) != jtype(got):
        return ["%s: expected %s %s, got %s %s" % (path, jtype(exp),
                json.dumps(exp), jtype(got), json.dumps(got))]
    if isinstance(exp, dict):
        out = []
        for k in exp:
            if k not in got:
                out.append("%s: missing key %r" % (path, k))
            else:
                out += match(exp[k], got[k], "%s.%s" % (path, k), k, subset)
        if not subset:
            out += ["%s: unexpected key %r = %s" % (path, k, json.dumps(got[k]))
                    for k in got if k not in exp]
        return out
    if isinstance(exp, list):
        if len(exp) != len(got):
            return ["%s: expected %d elements, got %d: %s" % (path, len(exp),
                    len(got), json.dumps(got))]
        if key in UNORDERED:
            return match_unordered(exp, got, path)
        out = []
        for i, (e, g) in enumerate(zip(exp, got)):
            out += match(e, g, "%s[%d]" % (path, i), None, subset)
        return out
    return [] if exp == got else ["%s: expected %s, got %s" % (
        path, json.dumps(exp), json.dumps(got))]


def match_unordered(exp, got, path):
    left = list(range(len(got)))
    out = []
    for i, e in enumerate(exp):
        hit = next((j for j in left if not match(e, got[j], path)), None)
        if hit is None:
            out.append("%s: nothing matches expected element %s" %
                       (path, json.dumps(e)))
        else:
            left.remove(hit)
    for j in left:
        out.append("%s: unexpected element %s" % (path, json.dumps(got[j])))
    return out


def dig(v, dotted):
    for part in [p for p in dotted.split(".") if p]:
        v = v[int(part)] if isinstance(v, list) else v[part]
    return v


def run_sql(sql):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("SQL failed: %s" % r.stderr.strip())


def request(base, step, secret):
    u = urllib.parse.urlparse(base)
    # Only ever 127.0.0.1: the emulator and the remote-schema server.
    assert u.hostname == "127.0.0.1", base
    conn = http.client.HTTPConnection("127.0.0.1", u.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if secret and not step.get("no_admin_secret"):
        headers["X-Hasura-Admin-Secret"] = secret
    headers.update(step.get("headers", {}))
    method = step.get("method", "POST")
    body = None
    if "body_raw" in step:
        body = step["body_raw"].encode()
    elif "query" in step:
        body = json.dumps(step["query"]).encode()
    conn.request(method, step.get("url", "/v1/metadata"), body, headers)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, data


def run_hasync(step, env):
    args = [env["HASYNC"]] + step["hasync"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    errs = []
    if r.returncode != step.get("exit", 0):
        errs.append("hasync exit %d, expected %d" % (r.returncode,
                    step.get("exit", 0)))
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    bad = [l for l in lines if l.get("error") == "metadata is inconsistent"]
    if "objects" in step:
        if not bad:
            errs.append("no 'metadata is inconsistent' line")
        for l in bad:
            errs += match(step["objects"], l.get("inconsistent_objects"),
                          "$.inconsistent_objects", "inconsistent_objects")
    if errs:
        errs.append("hasync stdout: %s" % r.stdout.strip()[:3000])
        errs.append("hasync stderr: %s" % r.stderr.strip()[:1000])
    return errs


def main():
    if sys.argv[1] == "--describe":
        c = json.load(open(sys.argv[2]))
        print("%s\x1f%s [%s@%s]" % (c.get("admin_secret", ""), c["name"],
              c["source"]["file"], c["source"]["commit"][:8]))
        return 0
    case = json.load(open(sys.argv[1]))
    base = sys.argv[2]
    env = {k: os.environ.get(k, "") for k in ("DATABASE_URL", "PGPORT",
           "REMOTE_URL", "DEAD_PORT", "SERVER_VERSION", "HASYNC")}
    env["URL"] = base
    ru = urllib.parse.urlparse(env["REMOTE_URL"])
    env["REMOTE_BASE"] = "%s://%s" % (ru.scheme, ru.netloc)
    secret = case.get("admin_secret")
    failed = False
    if case.get("sql"):
        run_sql(subst(case["sql"], env))
    for n, raw in enumerate(case["steps"], 1):
        step = subst(raw, env)
        what = "step %d%s" % (n, (" (%s)" % step["description"])
                              if "description" in step else "")
        if "sql" in step:
            run_sql(step["sql"])
        if "hasync" in step:
            errs = run_hasync(step, env)
            if errs:
                failed = True
                print("# %s:" % what)
                for e in errs:
                    print("#   " + e.replace("\n", "\n#   "))
            continue
        if "query" not in step and "body_raw" not in step and \
                step.get("method", "POST") == "POST":
            continue        # an SQL-only step
        status, text = request(base, step, secret)
        try:
            body = json.loads(text)
        except ValueError:
            body = text
        errs = []
        if status != step.get("status", 200):
            errs.append("HTTP status %d, expected %d" % (status,
                        step.get("status", 200)))
        if "response_text" in step and text != step["response_text"]:
            errs.append("body %r, expected %r" % (text, step["response_text"]))
        if "response" in step:
            errs += match(step["response"], body, "$",
                          subset=step.get("response_subset", False))
        for var, path in step.get("capture", {}).items():
            try:
                env[var] = dig(body, path)
            except (KeyError, IndexError, TypeError, ValueError):
                errs.append("cannot capture %s from %r" % (var, path))
        if errs:
            failed = True
            print("# %s: %s %s" % (what, step.get("method", "POST"),
                                   step.get("url", "/v1/metadata")))
            for e in errs:
                print("#   " + e)
            print("#   answer: %s" % text[:3000].replace("\n", "\\n"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# tests/mutants/run.py: `make mutants`. For each mutant in
# tests/mutants/*.list (format there): apply it, rebuild incrementally, run
# its named tests through `make check TESTS=...`, expect a failure, restore
# the source. The source is restored whatever happens (exception, SIGINT,
# SIGTERM, SIGHUP); a run killed outright leaves tests/mutants/.restore,
# which the next run puts back first. One shared PostgreSQL server serves
# every mutant's tests. Prints "N mutants, N killed, N survived" and exits 1
# on any survivor, or on a mutant that no longer applies or builds.
#
# Usage (from the build tree): run.py [NAME...]   (default: every mutant)
#        run.py --check   only verify that every mutant still applies
#                         (tests/mutants/apply.sh runs it in `make check`)
# Environment: MUTANT_TIMEOUT seconds per mutant's tests (default 300),
# MAKE (default make), top_srcdir (default: two levels up from here).
import glob, json, os, signal, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
srcdir = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(here, "..", ".."))
builddir = os.getcwd()
make = os.environ.get("MAKE", "make").split()
timeout = int(os.environ.get("MUTANT_TIMEOUT", "300"))
restore_file = os.path.join(here, ".restore")
logdir = os.path.join(builddir, "tests", "mutants", "logs")


class Stop(Exception):
    pass


def on_signal(sig, frame):
    raise Stop("signal %d" % sig)


def parse(path):
    muts, cur = [], {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                if cur:
                    muts.append(cur)
                cur = {}
                continue
            key, sep, val = line.partition(":")
            if not sep or key.strip() not in ("name", "file", "find", "nth", "replace", "tests", "why"):
                sys.exit("%s:%d: expected 'key: value'" % (path, n))
            cur[key.strip()] = val.strip() if key.strip() != "replace" else val.lstrip(" ")
            cur.setdefault("where", "%s:%d" % (path, n))
    if cur:
        muts.append(cur)
    for m in muts:
        for k in ("name", "file", "find", "replace", "tests"):
            if k not in m:
                sys.exit("%s: mutant without %s" % (m["where"], k))
    return muts


def restore_leftover():
    if not os.path.exists(restore_file):
        return
    with open(restore_file) as f:
        saved = json.load(f)
    with open(saved["path"], "w") as f:
        f.write(saved["text"])
    os.unlink(restore_file)
    print("mutants: restored %s left mutated by an interrupted run" % saved["path"])


def run(args, log=None, limit=None):
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            return p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            end(p)
            return "timeout"
        except BaseException:
            end(p)
            raise
    finally:
        if log:
            out.close()


def end(p):
    """SIGTERM the test's process group (its traps clean up: emulators, a
    private PostgreSQL, tmux), SIGKILL what is left after 10 s."""
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        p.wait()


def build():
    # `make check` with no tests builds the program and every test binary.
    return run(make + ["-s", "-j2", "check", "TESTS="], os.path.join(logdir, "build.log")) == 0


def main():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    # --check only reads: it must not restore a source that a running
    # `make mutants` has mutated on purpose.
    check_only = sys.argv[1:] == ["--check"]
    if not check_only:
        os.makedirs(logdir, exist_ok=True)
        restore_leftover()
    muts = []
    for path in sorted(glob.glob(os.path.join(here, "*.list"))):
        muts += parse(path)
    if len(sys.argv) > 1 and not check_only:
        muts = [m for m in muts if m["name"] in sys.argv[1:]]
    bad = 0
    for m in muts:	# every mutant must still apply, before anything runs
        path = os.path.join(srcdir, m["file"])
        try:
            n = open(path).read().count(m["find"])
        except OSError as e:
            n = -1
        nth, of = (int(x) for x in m.get("nth", "1/1").split("/"))
        m["nth"] = nth
        if n != of:
            print("ERROR %s (%s): '%s' occurs %d times in %s, not %d" % (
                m["name"], m["where"], m["find"], n, m["file"], of))
            bad += 1
    if bad:
        print("%d mutants, 0 killed, 0 survived, %d stale" % (len(muts), bad))
        return 1
    if check_only:
        print("%d mutants, every one applies" % len(muts))
        return 0
    if not build():
        print("mutants: the unmutated tree does not build (see %s/build.log)" % logdir)
        return 1
    killed, survived, errors = [], [], []
    pg = run(make + ["-s", "check", "TESTS=tests/lib/pg-start.sh"],
             os.path.join(logdir, "pg-start.log")) == 0
    if not pg:
        print("mutants: the shared PostgreSQL did not start; tests start their own")
    t_all = time.time()
    try:
        for m in muts:
            path = os.path.join(srcdir, m["file"])
            with open(path) as f:
                orig = f.read()
            with open(restore_file, "w") as f:
                json.dump({"path": path, "text": orig}, f)
            t0 = time.time()
            try:
                at = -1
                for _ in range(m["nth"]):
                    at = orig.index(m["find"], at + 1)
                with open(path, "w") as f:
                    f.write(orig[:at] + m["replace"] + orig[at + len(m["find"]):])
                if not build():
                    verdict = "ERROR (does not build)"
                    errors.append(m["name"])
                else:
                    rc = run(make + ["check", "TESTS=" + m["tests"]],
                             os.path.join(logdir, m["name"] + ".log"), timeout)
                    if rc == 0:
                        verdict = "SURVIVED"
                        survived.append(m["name"])
                    else:
                        verdict = "killed" + (" (timed out)" if rc == "timeout" else "")
                        killed.append(m["name"])
            finally:
                # A new mtime: make rebuilds the object from the original.
                with open(path, "w") as f:
                    f.write(orig)
                os.unlink(restore_file)
            print("%-8s %-32s %5.1f s  %s" % (verdict.split()[0], m["name"],
                  time.time() - t0, m["tests"]), flush=True)
            if verdict == "SURVIVED":
                print("         %s: %s" % (m["file"], m.get("why", "")), flush=True)
    except Stop as e:
        print("mutants: interrupted (%s); the source is restored" % e)
        build()
        return 130
    finally:
        if pg:
            run(make + ["-s", "check", "TESTS=tests/lib/pg-stop.sh"],
                os.path.join(logdir, "pg-stop.log"))
    build()
    print("%d mutants, %d killed, %d survived%s (%.0f s)" % (
        len(muts), len(killed), len(survived),
        ", %d did not build" % len(errors) if errors else "", time.time() - t_all))
    return 1 if survived or errors else 0


if __name__ == "__main__":
    sys.exit(main())

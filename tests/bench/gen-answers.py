#!/usr/bin/env python3
# tests/bench/gen-answers.py DIR N: canned answers of an instance with N
# inconsistent objects (a realistic mix: missing tables, relationships onto
# them, permissions, remote schemas down with Hasura's http_exception
# message), for tests/lib/canned-server.py. About 260 bytes an object:
# 20,000 objects make a 5.2 MB answer.
import json, os, sys

d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
objs = []
for i in range(n):
    k = i % 4
    if k == 0:
        objs.append({"definition": {"schema": "public", "name": "t%d" % i},
                     "name": "table t%d in source default" % i,
                     "reason": "Inconsistent object: no such table/view exists in source: \"t%d\"" % i,
                     "type": "table"})
    elif k == 1:
        objs.append({"definition": {"using": {"foreign_key_constraint_on": {"column": "a_id", "table": {"schema": "public", "name": "t%d" % (i - 1)}}},
                                    "name": "r%d" % i, "source": "default", "table": {"schema": "public", "name": "a%d" % i}},
                     "name": "array_relation r%d in table a%d in source default" % (i, i),
                     "reason": "Inconsistent object: in table \"a%d\": in relationship \"r%d\": table \"t%d\" does not exist" % (i, i, i - 1),
                     "type": "array_relation"})
    elif k == 2:
        objs.append({"definition": {"definition": {"url": "http://rs%d/graphql" % i}, "name": "rs%d" % i, "permissions": []},
                     "message": {"message": "Connection failure: Network.Socket.connect: does not exist (Connection refused)", "type": "http_exception"},
                     "name": "remote_schema rs%d" % i,
                     "reason": "Inconsistent object: HTTP exception occurred while sending the request to \"http://rs%d/graphql\"" % i,
                     "type": "remote_schema"})
    else:
        objs.append({"definition": {"role": "user", "permission": {"columns": ["id"], "filter": {}}, "table": {"schema": "public", "name": "t%d" % (i - 3)}},
                     "name": "select_permission user in table t%d in source default" % (i - 3),
                     "reason": "Inconsistent object: table \"t%d\" is not tracked" % (i - 3),
                     "type": "select_permission"})
c = (",", ":")
with open(os.path.join(d, "get_inconsistent_metadata.json"), "w") as f:
    json.dump({"is_consistent": n == 0, "inconsistent_objects": objs}, f, separators=c)
with open(os.path.join(d, "reload_metadata.json"), "w") as f:
    body = {"is_consistent": n == 0, "message": "success"}
    if n:
        body["inconsistent_objects"] = objs
    json.dump(body, f, separators=c)
with open(os.path.join(d, "healthz"), "w") as f:
    f.write("WARN: inconsistent objects in schema" if n else "OK")
with open(os.path.join(d, "version.json"), "w") as f:
    f.write('{"version":"v2.36.0","server_type":"ce"}')

#!/usr/bin/env python3
"""Compare NDJSON findings with an expected.tsv (path relative to ROOT,
ruleset, rule). Every expected finding must be present and nothing else may
be flagged. 'rule' is the YARA rule name, the filename IOC line number, or
'hash'. Prints a diff and exits 1 on any difference.

usage: check_findings.py ROOT expected.tsv findings.ndjson [extra.tsv]
"""
import json, sys

root, exp_path, ndjson = sys.argv[1], sys.argv[2], sys.argv[3]
expected = set()
for path in sys.argv[2:3] + sys.argv[4:]:
    for line in open(path):
        if line.strip():
            expected.add(tuple(line.rstrip("\n").split("\t")))

got = set()
summary = None
errors = []
for n, line in enumerate(open(ndjson), 1):
    rec = json.loads(line)  # every line must be JSON
    kind = rec["event"]["kind"]
    if kind == "metric":
        summary = rec
        continue
    if kind != "alert":
        if rec["event"].get("type") == "error":
            errors.append(rec)
        continue
    path = rec["file"]["path"]
    if not path.startswith(root + "/"):
        print("finding outside the tree:", path)
        sys.exit(1)
    rel = path[len(root) + 1:]
    rs = rec["rule"]["ruleset"]
    if rs == "yara":
        rule = rec["rule"]["name"]
        assert rec["wormsign"]["matches"], "YARA finding without matched strings"
    elif rs == "name":
        assert rec["wormsign"]["ioc"]["file"].endswith("filename-iocs.txt")
        rule = str(rec["wormsign"]["ioc"]["line"])
    else:
        rule = rs
    for h in ("md5", "sha1", "sha256"):
        assert len(rec["file"]["hash"][h]) in (32, 40, 64), "alert lacks " + h
    assert rec["rule"].get("reference"), "alert without a cited source: %s" % rule
    got.add((rel, rs, rule))

ok = True
for e in sorted(expected - got):
    print("MISSING  ", *e)
    ok = False
for g in sorted(got - expected):
    print("UNEXPECTED", *g)
    ok = False
if summary is None:
    print("no summary record")
    ok = False
if errors:
    for e in errors:
        print("ERROR RECORD", e.get("file", {}).get("path"), e.get("message"))
    ok = False
print("%d expected, %d found, %s" % (len(expected), len(got), "OK" if ok else "FAIL"))
sys.exit(0 if ok else 1)

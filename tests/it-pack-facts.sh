#!/bin/bash
# The built-in pack against the research table (../shared/kwampirs/iocs.tsv):
# every published MD5 is in hash-iocs.txt; every byte string our YARA rules use
# equals the published one except the bytes we wildcard on purpose (absolute
# addresses and call targets in code); the names in filename-iocs.txt cover
# every published file name. Skips when the table is absent.
set -u
. "$(dirname "$0")/lib.sh"
TSV="$WS_SRC/../shared/kwampirs/iocs.tsv"
[ -f "$TSV" ] || skip "research table $TSV absent"
$PY - "$TSV" "$WS_SRC/packs/kwampirs" <<'PYEOF' || fail "pack differs from published facts"
import csv, os, re, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
d = sys.argv[2]
hashes = open(os.path.join(d, "hash-iocs.txt")).read().lower()
md5s = [r["value"].lower() for r in rows if r["type"] == "md5"]
assert len(md5s) == 33 and all(m in hashes for m in md5s), "MD5 list"
yar = open(os.path.join(d, "kwampirs.yar")).read()
pub = [r["value"].upper().split() for r in rows if r["type"] == "string" and re.fullmatch(r"([0-9A-Fa-f]{2} ?)+", r["value"].strip())]
for name, toks in re.findall(r"\$(\w+)\s*=\s*\{([^}]*)\}", yar):
    ours = toks.upper().split()
    ok = False
    for p in pub:
        if len(p) != len(ours): continue
        diff = [i for i in range(len(p)) if ours[i] != p[i]]
        if all(ours[i] == "??" for i in diff) and len(diff) <= 24:
            ok = True
            break
    assert ok, "$%s matches no published byte string" % name
fn = open(os.path.join(d, "filename-iocs.txt")).read().lower()
for r in rows:
    if r["type"] == "filename":
        base = r["value"].lower().rsplit(".", 1)[0]
        assert base in fn, "file name %s not covered" % r["value"]
print("pack facts OK")
PYEOF
pass

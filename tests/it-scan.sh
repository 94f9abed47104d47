#!/bin/bash
# Integration: the built-in pack on a generated Windows-like tree finds every
# stand-in and nothing else (traps included), in NDJSON, CSV and human form;
# a user hash pack (Loki format, plain sha256sum format) finds its sample.
set -u
. "$(dirname "$0")/lib.sh"
T="$WS_TMP/tree"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
$PY "$WS_SRC/tests/gen_tree.py" "$WS_SRC" "$T" || fail "generator failed"

# user hash pack: the sample's MD5 in Loki format, SHA-256 in sha256sum format
sample="$T/Users/Public/Downloads/update.exe"
echo "$(md5sum "$sample" | cut -d' ' -f1);Test sample MD5 [source: wormsign test]" > "$WS_TMP/test-hash-iocs.txt"
sha256sum "$sample" > "$WS_TMP/plain-hashes.txt"
printf 'Users/Public/Downloads/update.exe\thash\thash\n' > "$WS_TMP/extra.tsv"

"$WS" scan --json --pack "$WS_TMP/test-hash-iocs.txt" "$T" > "$WS_TMP/out.ndjson"
rc=$?
[ $rc -eq 1 ] || fail "exit status $rc, expected 1 (found)"
$PY "$WS_SRC/tests/check_findings.py" "$T" "$WS_TMP/expected.tsv" "$WS_TMP/out.ndjson" "$WS_TMP/extra.tsv" || fail "findings differ"

# the same with the plain sha256sum list: one hash finding each for the sample
"$WS" scan --json --no-default-pack --pack "$WS_TMP/plain-hashes.txt" "$T" > "$WS_TMP/plain.ndjson"
[ $? -eq 1 ] || fail "plain hash list: expected exit 1"
n=$(grep -c '"ruleset":"hash"' "$WS_TMP/plain.ndjson")
[ "$n" = 1 ] || fail "plain hash list: $n hash findings, expected 1"

# CSV: header + one row per finding, parseable
"$WS" scan --csv "$T" > "$WS_TMP/out.csv"
$PY - "$WS_TMP/out.csv" "$WS_TMP/expected.tsv" <<'PYEOF' || fail "CSV output"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
exp = [l for l in open(sys.argv[2]) if l.strip()]
alerts = [r for r in rows if r["kind"] == "alert"]
assert len(alerts) == len(exp), (len(alerts), len(exp))
assert all(r["path"] and r["rule_name"] for r in alerts)
PYEOF

# human summary: totals line, no colour when not on a terminal
"$WS" scan "$T" > "$WS_TMP/out.txt"
grep -q "^wormsign scan: FOUND" "$WS_TMP/out.txt" || fail "no FOUND summary"
if grep -q $'\033' "$WS_TMP/out.txt"; then fail "colour escape in non-terminal output"; fi

# --scan-list (with a comment and a blank line), --low-priority, one thread
printf '# list\n%s\n\n%s\n' "$T/Windows/inf" "$T/Users/Public/cache/a1.bin" > "$WS_TMP/list.txt"
"$WS" scan --json --low-priority --threads 1 --scan-list "$WS_TMP/list.txt" > "$WS_TMP/list.ndjson"
[ $? -eq 1 ] || fail "--scan-list: expected exit 1"
n=$(grep -c '"kind":"alert"' "$WS_TMP/list.ndjson")
[ "$n" = 6 ] || fail "--scan-list: $n alerts, expected 6 (5 PNF names + 1 YARA)"

# --max-size: a file over it is still name-checked and hashed, YARA skipped, and said so
"$WS" scan --json --max-size 1K --no-default-pack --pack "$WS_TMP/test-hash-iocs.txt" \
    "$T/Users/Public/Downloads" > "$WS_TMP/max.ndjson"
grep -q '"action":"skipped".*over --max-size\|over --max-size.*"action":"skipped"' "$WS_TMP/max.ndjson" || fail "no skip record for --max-size"
grep -q '"ruleset":"hash"' "$WS_TMP/max.ndjson" || fail "file over --max-size not hashed"
"$WS" scan --json --max-size 1K "$T/Users/Public/cache/a1.bin" > "$WS_TMP/max2.ndjson"
if grep -q '"ruleset":"yara"' "$WS_TMP/max2.ndjson"; then fail "YARA ran on a file over --max-size"; fi

# bad option values are refused with exit 2
for bad in "--threads 0" "--threads 33" "--max-size 12Q" "--io-rate -1" "--color sometimes"; do
    "$WS" scan $bad "$T" > /dev/null 2>&1 && fail "accepted $bad"
    [ $? -eq 2 ] || fail "$bad: exit status not 2"
done

# a clean tree: exit 0
mkdir -p "$WS_TMP/clean" && echo hello > "$WS_TMP/clean/a.txt"
"$WS" scan -q "$WS_TMP/clean" > /dev/null; rc=$?
[ $rc -eq 0 ] || fail "clean tree: exit $rc"
# a missing path: exit 2
"$WS" scan -q "$WS_TMP/does-not-exist" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "missing path: exit $rc"
pass

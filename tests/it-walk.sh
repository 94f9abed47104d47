#!/bin/bash
# Integration: the walker on hostile trees. A FIFO, a socket and a device do
# not hang the scan and are reported as skipped; a symlink out of the tree is
# not followed; a symlink loop with --follow-symlinks ends; hard links are
# scanned once; a file removed mid-scan is reported; hostile names (newline,
# quotes, control and invalid UTF-8 bytes) cannot forge output lines; --exclude.
set -u
. "$(dirname "$0")/lib.sh"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP/t/sub" "$WS_TMP/outside"
T="$WS_TMP/t"
echo x > "$T/Windows-inf-placeholder.txt"
mkfifo "$T/a-fifo"
$PY -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$T/a-socket"
# the payload name outside the tree, reached only through a symlink
mkdir -p "$WS_TMP/outside/System32" && echo x > "$WS_TMP/outside/System32/wmiadrv.dll"
ln -s "$WS_TMP/outside" "$T/link-out"
ln -s "$T" "$T/sub/loop"
# hard links: one content, three names
mkdir -p "$T/System32" && echo x > "$T/System32/wmiassn.dll"
ln "$T/System32/wmiassn.dll" "$T/System32/hardlink1" && ln "$T/System32/wmiassn.dll" "$T/sub/hardlink2"
# hostile names
mkdir -p "$T/inf"
touch "$T/inf/$(printf 'line\nbreak.pnf')" "$T/inf/$(printf 'quote"and\\back')" \
      "$T/inf/$(printf 'ctl\001\033[31mred')" "$T/inf/$(printf 'bad\xff\xfeutf8')"
cp "$T/System32/wmiassn.dll" "$T/inf/$(printf 'digirps.PNF')"
touch "$T/inf/$(printf 'e11\n.PNF')"
mkdir -p "$T/excluded" && echo x > "$T/excluded/wmipadp.dll"

timeout 60 "$WS" scan --json --exclude '*/excluded' "$T" > "$WS_TMP/out.ndjson"
rc=$?
[ $rc -ne 124 ] || fail "scan hung (FIFO?)"
$PY - "$WS_TMP/out.ndjson" <<'PYEOF' || fail "walker findings"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]   # every line is JSON
alerts = [r for r in recs if r["event"]["kind"] == "alert"]
skips = [r for r in recs if r["event"].get("action") == "skipped"]
paths = [r["file"]["path"] for r in alerts]
def has(suffix): return any(p.endswith(suffix) for p in paths)
assert not any("/outside/" in p or "/link-out/" in p for p in paths), "followed a symlink out"
assert not any("/excluded/" in p for p in paths), "--exclude ignored"
# one content with three names: scanned once (the name that matched may be any)
assert sum(1 for p in paths if "wmiassn" in p or "hardlink" in p) <= 1, paths
assert has("/inf/digirps.PNF"), "digirps.PNF not found"
skipped = " ".join(r["file"]["path"] + " " + r["message"] for r in skips)
assert "a-fifo" in skipped and "FIFO" in skipped, "FIFO not reported as skipped"
assert "a-socket" in skipped, "socket not reported as skipped"
# a name that is not UTF-8 keeps its bytes in wormsign.path_hex
hexes = [r["wormsign"].get("path_hex") for r in recs if "wormsign" in r]
summary = recs[-1]
assert summary["event"]["kind"] == "metric", "summary is not the last record"
print("walker OK:", len(alerts), "alerts,", len(skips), "skips")
PYEOF
# the 'e11<newline>.PNF' name must not match (the newline is part of the name)
if grep -q 'e11\\n.PNF.*"ruleset":"name"' "$WS_TMP/out.ndjson"; then fail "newline name matched"; fi

# human output: no raw control characters from names
"$WS" scan --color=never "$T" > "$WS_TMP/out.txt" 2>&1
if LC_ALL=C grep -q $'[\001\033]' "$WS_TMP/out.txt"; then fail "control bytes reached human output"; fi

# /dev: devices are never opened (a read of /dev/zero would never end)
timeout 60 "$WS" scan --json /dev/null > "$WS_TMP/dev.ndjson"; rc=$?
[ $rc -ne 124 ] || fail "scan of /dev/null hung"
grep -q '"skipped"' "$WS_TMP/dev.ndjson" || fail "device not reported as skipped"

# symlink loop with --follow-symlinks ends, and the link out is now followed
timeout 60 "$WS" scan --json --follow-symlinks "$T" > "$WS_TMP/follow.ndjson"; rc=$?
[ $rc -ne 124 ] || fail "symlink loop hung"
grep -q 'outside/System32/wmiadrv.dll\|link-out/System32/wmiadrv.dll' "$WS_TMP/follow.ndjson" || fail "--follow-symlinks did not follow"

# a file removed while the scan runs is reported, and the scan goes on
mkdir -p "$WS_TMP/many"
# (folders are listed sorted, and 20 files/s reaches f59 after ~2.9 s: the
# file goes at 1.5 s, well after the listing even on a loaded machine)
for i in $(seq -w 1 60); do echo $i > "$WS_TMP/many/f$i"; done
( sleep 1.5; rm -f "$WS_TMP/many/f59" ) &
"$WS" scan --json --files-rate 20 --threads 1 "$WS_TMP/many" > "$WS_TMP/vanish.ndjson"; rc=$?
wait
[ $rc -eq 2 ] || fail "vanished file: exit $rc, expected 2"
grep -q 'f59.*vanished\|vanished.*f59' "$WS_TMP/vanish.ndjson" || fail "vanished file not reported"
n=$($PY -c "import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])['wormsign']['summary']['objects'])" "$WS_TMP/vanish.ndjson")
[ "$n" = 59 ] || fail "expected 59 files scanned after one vanished, got $n"
# a file that changes while it is read is reported (read slowed to 2 MB/s)
mkdir -p "$WS_TMP/grow"
head -c 4000000 /dev/zero > "$WS_TMP/grow/log.bin"
( for i in $(seq 1 40); do echo more >> "$WS_TMP/grow/log.bin"; sleep 0.1; done ) &
"$WS" scan --json --io-rate 2 --threads 1 "$WS_TMP/grow" > "$WS_TMP/grow.ndjson"; rc=$?
wait
[ $rc -eq 2 ] || fail "changing file: exit $rc, expected 2"
grep -q '"code":"changed"' "$WS_TMP/grow.ndjson" || fail "changing file not reported"
# a FIFO named on the command line of the detectors that take paths is
# refused, never opened (an open would block until a writer comes)
mkfifo "$WS_TMP/named-fifo"
for verb in "logs" "logs dump" "hive" "net" "digest"; do
    # shellcheck disable=SC2086
    timeout 20 "$WS" $verb "$WS_TMP/named-fifo" > "$WS_TMP/fifo.out" 2>&1; rc=$?
    [ $rc -ne 124 ] || fail "wormsign $verb hangs on a FIFO"
    [ $rc -ne 0 ] || fail "wormsign $verb: a FIFO gives exit 0, expected an error"
    grep -q "named-fifo" "$WS_TMP/fifo.out" || fail "wormsign $verb: no error naming the FIFO"
done
pass

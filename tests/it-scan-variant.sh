#!/bin/bash
# Integration: `wormsign digest` output is a pack for `wormsign scan`, and the
# scan finds a copy of the reference with a random run inserted (as the
# Kwampirs dropper does), naming the offset and length of the insertion, with
# all three hashes of the variant; the reference itself and unrelated files
# raise no variant finding (the hash detector is what reports exact copies).
set -u
. "$(dirname "$0")/lib.sh"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP/t/Windows/System32"
ref=$(ls /usr/lib/x86_64-linux-gnu/libcrypto.so.* 2>/dev/null | head -1)
[ -n "$ref" ] || skip "no reference file"
cp "$ref" "$WS_TMP/ref.bin"
"$WS" digest --name wmiadrv.dll "$WS_TMP/ref.bin" > "$WS_TMP/refs.txt" || fail "digest"
size=$(stat -c %s "$WS_TMP/ref.bin")
off=$((size / 2 + 12345))
{ head -c $off "$WS_TMP/ref.bin"; head -c 7777 /dev/urandom; tail -c +$((off + 1)) "$WS_TMP/ref.bin"; } \
    > "$WS_TMP/t/Windows/System32/wmiadrv.dll"
cp "$WS_TMP/ref.bin" "$WS_TMP/t/exact-copy.bin"
cp /usr/lib/x86_64-linux-gnu/libc.so.6 "$WS_TMP/t/unrelated.so"
"$WS" scan --json --no-default-pack --pack "$WS_TMP/refs.txt" "$WS_TMP/t" > "$WS_TMP/out.ndjson"; rc=$?
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
$PY - "$WS_TMP/out.ndjson" "$off" <<'PYEOF' || fail "variant findings"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r["event"]["kind"] == "alert"]
ins = [a for a in alerts if a["wormsign"]["evidence"].get("method") == "insertion"]
assert len(ins) == 1, [a["file"]["path"] for a in alerts]
a = ins[0]
assert a["file"]["path"].endswith("System32/wmiadrv.dll"), a["file"]["path"]
ev = a["wormsign"]["evidence"]
assert int(ev["insertion_offset"]) == int(sys.argv[2]), ev
assert int(ev["insertion_length"]) == 7777, ev
assert all(len(a["file"]["hash"][h]) in (32, 40, 64) for h in ("md5", "sha1", "sha256"))
assert not any(x["file"]["path"].endswith(("exact-copy.bin", "unrelated.so")) and
               x["wormsign"]["evidence"].get("method") == "insertion" for x in alerts)
print("variant OK:", ev)
PYEOF
pass

#!/bin/bash
# it-evtx-recover.sh - `logs dump --recover` (records carved from chunk
# slack) on every corpus .evtx file. No reader we have carves slack
# (evtxexport -m recovered finds none in these files, python-evtx cannot
# resolve names and templates outside what it walked), so this checks
# what can be checked independently:
#   - the live records are exactly those of a plain dump (same lines);
#   - each carved record lies in a chunk's slack: its offset, checked
#     against the chunk header read here from the file bytes, is at or after
#     the free space offset and the record's size field keeps it inside the
#     chunk; its record id matches the 8 bytes at offset + 8;
#   - it decoded to an event with an EventID and a Provider.
# Exact decoding of carved records is covered by unit/test-evtx.
# Exit 0 pass, 1 fail, 77 skip.
set -u
PY=/usr/bin/python3
: "${WS:?WS must point at the wormsign binary}"
WS_TMP=${WS_TMP:-${TMPDIR:-/tmp}/ws-it-evtx-recover}
dir=${WS_CORPUS:-}/evtx
if [ -z "${WS_CORPUS:-}" ] || [ ! -d "$dir" ]; then
    echo "SKIP: no EVTX corpus (WS_CORPUS/evtx not found)"
    exit 77
fi
[ -x "$PY" ] || { echo "SKIP: $PY missing"; exit 77; }
mkdir -p "$WS_TMP" || exit 1
fail=0
total=0
while IFS= read -r -d '' f; do
    b=$(basename "$f")
    "$WS" logs dump --json "$f" >"$WS_TMP/plain" 2>/dev/null
    "$WS" logs dump --json --recover "$f" >"$WS_TMP/rec" 2>/dev/null
    out=$("$PY" - "$WS_TMP/plain" "$WS_TMP/rec" "$f" <<'PYEOF'
import json, struct, sys
plain = open(sys.argv[1], encoding="utf-8").read().splitlines()
rec = open(sys.argv[2], encoding="utf-8").read().splitlines()
data = open(sys.argv[3], "rb").read()
live = [l for l in rec if '"recovered":true' not in l]
carved = [json.loads(l) for l in rec if '"recovered":true' in l]
bad = []
if live != plain:
    bad.append("live records differ from the plain dump")
for r in carved:
    off = r.get("offset")
    if not isinstance(off, int) or off < 4096 + 0x200:
        bad.append("carved record %d: bad offset %r" % (r["record_id"], off))
        continue
    chunk = 4096 + (off - 4096) // 65536 * 65536
    free = struct.unpack_from("<I", data, chunk + 0x30)[0]
    size = struct.unpack_from("<I", data, off + 4)[0]
    rid = struct.unpack_from("<Q", data, off + 8)[0]
    if off - chunk < free or off - chunk + size > 65536 or rid != r["record_id"]:
        bad.append("carved record %d at %d: not in slack (free %d, size %d)"
                   % (r["record_id"], off, free, size))
    if r.get("event_id") is None or not r["system"].get("Provider"):
        bad.append("carved record %d: no EventID or Provider" % r["record_id"])
print(len(carved))
for x in bad[:5]:
    print(x)
sys.exit(1 if bad else 0)
PYEOF
)
    rc=$?
    n=$(printf '%s\n' "$out" | head -1)
    if [ $rc -ne 0 ]; then
        echo "FAIL $b:"
        printf '%s\n' "$out" | tail -n +2 | sed 's/^/     /'
        fail=1
    elif [ "$n" != 0 ]; then
        echo "ok   $b: $n records carved from slack"
    fi
    total=$((total + ${n:-0}))
done < <(find "$dir" -name '*.evtx' -type f -print0 | sort -z)
echo "$total records carved in all"
exit $fail

#!/bin/bash
# The built-in pack flags nothing among ordinary files: the shared libraries of
# this Debian machine and, when Debian's libwine is installed, hundreds of real
# Windows PE files. (bench/fp runs the same over all of /usr/lib and /usr/share.)
set -u
. "$(dirname "$0")/lib.sh"
mkdir -p "$WS_TMP"
dirs="/usr/lib/x86_64-linux-gnu"
for w in /usr/lib/x86_64-linux-gnu/wine /usr/lib/wine /usr/lib/i386-linux-gnu/wine; do
    [ -d "$w" ] && dirs="$dirs $w"
done
"$WS" scan --json --no-progress $dirs > "$WS_TMP/fp.ndjson"; rc=$?
alerts=$(grep -c '"kind":"alert"' "$WS_TMP/fp.ndjson")
files=$($PY -c "import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])['wormsign']['summary']['objects'])" "$WS_TMP/fp.ndjson")
echo "scanned $files files in $dirs: $alerts alerts (exit $rc)"
[ "$alerts" = 0 ] || { grep '"kind":"alert"' "$WS_TMP/fp.ndjson" | head -5; fail "false positives"; }
[ "$files" -gt 100 ] || fail "too few files scanned ($files)"
pass

#!/bin/bash
# it-evt-diff.sh - legacy EVT logs: for every file under $WS_CORPUS/evt,
# `wormsign logs dump --json` and libevt's evtexport (Debian libevt-utils)
# agree on the records (count and numbers), times, event identifiers,
# sources, computers and insertion strings (tests/evt_diff.py); with
# --recover, the same against `evtexport -m all` (recovered records too).
# Exit 0 pass, 1 fail, 77 skip.
set -u
PY=/usr/bin/python3
: "${WS:?WS must point at the wormsign binary}"
: "${WS_SRC:?WS_SRC must point at the source tree}"
WS_TMP=${WS_TMP:-${TMPDIR:-/tmp}/ws-it-evt-diff}
dir=${WS_CORPUS:-}/evt
if [ -z "${WS_CORPUS:-}" ] || [ ! -d "$dir" ]; then
    echo "SKIP: no EVT corpus (WS_CORPUS/evt not found)"
    exit 77
fi
if ! command -v evtexport >/dev/null 2>&1 || [ ! -x "$PY" ]; then
    echo "SKIP: evtexport (Debian libevt-utils) or $PY missing"
    exit 77
fi
mkdir -p "$WS_TMP" || exit 1
fail=0
n=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    key=$(printf %s "${f#"$dir"/}" | tr / _)
    "$WS" logs dump --json "$f" >"$WS_TMP/$key.ours" 2>"$WS_TMP/$key.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $key: wormsign logs dump exited $rc"
        grep -m3 error "$WS_TMP/$key.ours" "$WS_TMP/$key.err" | sed 's/^/     /'
        if grep -q '"code":"unsupported"' "$WS_TMP/$key.ours"; then
            echo "SKIP: this wormsign was built without libevt (Debian libevt-dev)"
            exit 77
        fi
        fail=1
        continue
    fi
    evtexport "$f" >"$WS_TMP/$key.evtexport" 2>/dev/null
    "$PY" "$WS_SRC/tests/evt_diff.py" "$WS_TMP/$key.ours" "$WS_TMP/$key.evtexport" "$key" || fail=1
    # --recover adds the records libevt recovers from unused space: evtexport -m all
    "$WS" logs dump --json --recover "$f" >"$WS_TMP/$key.ours-all" 2>/dev/null
    evtexport -m all "$f" >"$WS_TMP/$key.evtexport-all" 2>/dev/null
    "$PY" "$WS_SRC/tests/evt_diff.py" "$WS_TMP/$key.ours-all" "$WS_TMP/$key.evtexport-all" \
        "$key (--recover vs -m all)" || fail=1
done < <(find "$dir" -type f \( -iname '*.evt' \) -print0 | sort -z)
if [ $n -eq 0 ]; then
    echo "SKIP: no .evt file under $dir"
    exit 77
fi
exit $fail

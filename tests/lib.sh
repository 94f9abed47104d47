# Shared helpers for tests/it-*.sh. Exit 0 pass, 1 fail, 77 skip.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS"; exit 0; }
# check DESCRIPTION STATUS: one "ok" or "FAIL" line per check, for tests that
# run every check and exit with $checks_failed at the end
checks_failed=0
check() {
    if [ "$2" -ne 0 ]; then
        echo "FAIL $1"
        checks_failed=1
    else
        echo "ok   $1"
    fi
}
: "${WS:?WS must name the wormsign binary}"
: "${WS_TMP:?}"

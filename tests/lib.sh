# Shared helpers for tests/it-*.sh. Exit 0 pass, 1 fail, 77 skip.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS"; exit 0; }
: "${WS:?WS must name the wormsign binary}"
: "${WS_TMP:?}"

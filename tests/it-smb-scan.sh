#!/bin/bash
# Integration: `wormsign scan smb://...` against a real Samba server on
# loopback (its own smb.conf, state and port under WS_TMP). The same generated
# tree scanned over SMB gives exactly the findings a local scan gives; a wrong
# password is an error finding and exit 2; the password never appears in any
# output, and is refused on the command line.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smbd-lib.sh"
smb_need
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
S="$WS_TMP/srv"
cleanup() { smb_stop "$S"; }
trap cleanup EXIT
T="$WS_TMP/tree"
$PY "$WS_SRC/tests/gen_tree.py" "$WS_SRC" "$T" > /dev/null || fail "generator failed"
PW="Pw-$$-$RANDOM-q7Z"
PORT=$((20000 + RANDOM % 20000))
smb_conf "$S" 127.0.0.1 "$PORT" SMB2_02 SMB3_11
smb_share "$S" TREE "$T" ro
smb_user "$S" "$PW" || skip "smbpasswd cannot add the test account"
smb_start "$S" || skip "smbd does not start here (see $S/log)"

printf 'username = wsadmin\npassword = %s\n' "$PW" > "$WS_TMP/auth"
chmod 600 "$WS_TMP/auth"
URL="smb://127.0.0.1:$PORT/TREE"

# 1. findings over SMB = expected findings of the tree (the checker is shared with it-scan)
"$WS" scan --json --auth-file "$WS_TMP/auth" --threads 4 "$URL" > "$WS_TMP/out.ndjson" 2> "$WS_TMP/err1"
rc=$?
[ $rc -eq 1 ] || { cat "$WS_TMP/err1"; fail "SMB scan exit $rc, expected 1"; }
$PY "$WS_SRC/tests/check_findings.py" "$URL" "$WS_TMP/expected.tsv" "$WS_TMP/out.ndjson" || fail "SMB findings differ"
# ... and the same number of files as a local scan of the tree
"$WS" scan --json "$T" > "$WS_TMP/local.ndjson"
$PY - "$WS_TMP/out.ndjson" "$WS_TMP/local.ndjson" <<'PYEOF' || fail "SMB and local scans differ"
import json, sys
def summ(p):
    for l in open(p):
        r = json.loads(l)
        if r["event"]["kind"] == "metric":
            return r["wormsign"]["summary"]
a, b = summ(sys.argv[1]), summ(sys.argv[2])
assert a["objects"] == b["objects"] and a["bytes"] == b["bytes"], (a, b)
PYEOF

# 2. credentials from the environment, one subfolder, human output
WORMSIGN_SMB_USER=wsadmin WORMSIGN_SMB_PASSWORD="$PW" "$WS" scan "$URL/Windows/inf" > "$WS_TMP/out2.txt" 2>&1
[ $? -eq 1 ] || fail "env credentials: expected exit 1"
grep -q "mkdiawb3.PNF" "$WS_TMP/out2.txt" || fail "env credentials: inf stand-in not found"

# 3. a wrong password: refused, error finding, exit 2, and the password not echoed
WORMSIGN_SMB_USER=wsadmin WORMSIGN_SMB_PASSWORD="wrong-$PW" "$WS" scan --json "$URL" > "$WS_TMP/out3.ndjson" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "wrong password: exit $rc, expected 2"
grep -q '"code":"permission"' "$WS_TMP/out3.ndjson" || fail "wrong password: no permission error finding"
# 4. an auth file readable by others is refused
chmod 644 "$WS_TMP/auth"
"$WS" scan --auth-file "$WS_TMP/auth" "$URL" > "$WS_TMP/out4.txt" 2>&1 && fail "world-readable auth file accepted"
chmod 600 "$WS_TMP/auth"
# 5. the password appears in no output, no log of ours
for f in "$WS_TMP"/out* "$WS_TMP"/err* "$WS_TMP"/local.ndjson; do
    if grep -qF -- "$PW" "$f"; then fail "password leaked into $f"; fi
done
# 6. a name with characters that mean something in a URL
mkdir -p "$T/odd dir" && printf 'x' > "$T/odd dir/100%25 ;?#@.txt"
"$WS" scan --json -v --auth-file "$WS_TMP/auth" "$URL/odd dir" > "$WS_TMP/out6.ndjson"
[ $? -eq 0 ] || fail "odd names: expected a clean scan"
grep -q '"objects":1' "$WS_TMP/out6.ndjson" || fail "odd names: file not read"
pass

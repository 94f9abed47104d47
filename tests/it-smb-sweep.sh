#!/bin/bash
# Integration: `wormsign sweep` against three real Samba servers, each in a
# network namespace of its own (ip netns + veth, port 445):
#   infected  SMB2.0.2..3.1.1; C$ (read-only) holds the generated Kwampirs
#             tree, fake event logs and hive copies; ADMIN$ (= C$\Windows)
#             is writable;
#   xp        SMB1 only (server min = max protocol NT1), ADMIN$ read-only,
#             clean files;
#   refusing  does not know the account's password;
# plus a closed port (unreachable) and a silent server (accepts TCP, never
# answers). Checks every alert (host, path, rule), host.name/host.ip on every
# record, each exposure record, the refusal, the collected copies
# (byte-identical), that the write test leaves nothing behind,
# --no-write-test, --full, resuming from --state, and that the password
# appears in no output.
# Without CAP_NET_ADMIN (or with WS_TEST_NO_NETNS=1) the servers run on
# 127.0.0.1 on different ports instead, and the same checks apply.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smbd-lib.sh"
smb_need
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
TAG="ws$$"
NAMES="infected xp refusing"
USE_NS=1
if [ "${WS_TEST_NO_NETNS:-0}" = 1 ] || ! command -v ip > /dev/null ||
    ! ip netns add "${TAG}probe" 2> /dev/null; then
    USE_NS=0
    echo "note: no network namespaces here: the servers run on 127.0.0.1, one port each"
else
    ip netns del "${TAG}probe"
fi
cleanup() {
    local i=1
    [ -n "${SILENT_PID:-}" ] && kill "$SILENT_PID" 2> /dev/null
    for n in $NAMES; do
        smb_stop "$WS_TMP/$n"
        if [ $USE_NS = 1 ]; then
            ip link del "${TAG}h$i" 2> /dev/null
            ip netns del "${TAG}$i" 2> /dev/null
        fi
        i=$((i + 1))
    done
}
trap cleanup EXIT

if [ $USE_NS = 1 ]; then
    # host i: namespace ${TAG}i, address $NET.$((4*i+2)), our side $NET.$((4*i+1)), a /30 each
    NET=10.$((100 + RANDOM % 100)).$((RANDOM % 200))
    i=1
    for n in $NAMES; do
        ip netns add "${TAG}$i" || fail "ip netns add"
        ip link add "${TAG}h$i" type veth peer name "${TAG}c$i" || fail "ip link add veth"
        ip link set "${TAG}c$i" netns "${TAG}$i"
        ip addr add "$NET.$((4 * i + 1))/30" dev "${TAG}h$i"
        ip link set "${TAG}h$i" up
        ip -n "${TAG}$i" addr add "$NET.$((4 * i + 2))/30" dev "${TAG}c$i"
        ip -n "${TAG}$i" link set "${TAG}c$i" up
        ip -n "${TAG}$i" link set lo up
        eval "IP_$n=$NET.$((4 * i + 2)); PORT_$n=445; H_$n=$NET.$((4 * i + 2))"
        i=$((i + 1))
    done
    H_closed="$IP_infected:4455"
    H_silent="$IP_xp:4456"; SILENT_IP=$IP_xp; SILENT_PORT=4456
else
    P=$((20000 + RANDOM % 20000))
    i=1
    for n in $NAMES; do
        eval "IP_$n=127.0.0.1; PORT_$n=$((P + i)); H_$n=127.0.0.1:$((P + i))"
        i=$((i + 1))
    done
    H_closed="127.0.0.1:$((P + 4))"
    H_silent="127.0.0.1:$((P + 5))"; SILENT_IP=127.0.0.1; SILENT_PORT=$((P + 5))
fi

PW="Sw-$$-$RANDOM-pw9"
# --- infected: the generated tree as C:, event logs and hive copies
C="$WS_TMP/c-infected"
$PY "$WS_SRC/tests/gen_tree.py" "$WS_SRC" "$C" > /dev/null || fail "generator failed"
mkdir -p "$C/Windows/System32/winevt/Logs" "$C/Windows/repair" "$C/Windows/System32/config/RegBack"
# real EVTX files holding the Kwampirs service install (tests/gen_evtx.py), so
# the collected logs go through the log detectors with the host's identity
$PY "$WS_SRC/tests/gen_evtx.py" "$WS_TMP/gx" > /dev/null || fail "gen_evtx.py failed"
cp "$WS_TMP/gx/kw-system.evtx" "$C/Windows/System32/winevt/Logs/System.evtx"
cp "$WS_TMP/gx/kw-security.evtx" "$C/Windows/System32/winevt/Logs/Microsoft-Windows-SMBServer%4Operational.evtx"
# a real SYSTEM hive holding the Kwampirs service (tests/mkhive.py) as XP's
# repair copy; the RegBack copy stays random bytes: one error record
$PY "$WS_SRC/tests/mkhive.py" system-kwampirs "$C/Windows/repair/system" || fail "mkhive.py failed"
head -c 100 /dev/urandom > "$C/Windows/repair/setup.log"
head -c 12000 /dev/urandom > "$C/Windows/System32/config/RegBack/SOFTWARE"
chmod -R a+rX "$C"
S="$WS_TMP/infected"
smb_conf "$S" "$IP_infected" "$PORT_infected" SMB2_02 SMB3_11
smb_share "$S" 'C$' "$C" ro
smb_share "$S" 'ADMIN$' "$C/Windows" rw
smb_share "$S" 'Public' "$C/Users/Public" ro
smb_user "$S" "$PW" || skip "smbpasswd cannot add the test account"
# --- xp: SMB1 only, clean, ADMIN$ read-only
X="$WS_TMP/c-xp"
mkdir -p "$X/WINDOWS/system32/config" "$X/WINDOWS/inf" "$X/WINDOWS/Temp"
echo "clean" > "$X/WINDOWS/system32/kernel32.dll"
echo "[Version]" > "$X/WINDOWS/inf/oem1.inf"
head -c 3000 /dev/urandom > "$X/WINDOWS/system32/config/SysEvent.Evt"
S="$WS_TMP/xp"
smb_conf "$S" "$IP_xp" "$PORT_xp" NT1 NT1
smb_share "$S" 'ADMIN$' "$X/WINDOWS" ro
smb_user "$S" "$PW"
# --- refusing: another password
S="$WS_TMP/refusing"
smb_conf "$S" "$IP_refusing" "$PORT_refusing" SMB2_02 SMB3_11
smb_share "$S" 'ADMIN$' "$X/WINDOWS" ro
smb_user "$S" "other-$PW"

i=1
for n in $NAMES; do
    ns="${TAG}$i"; [ $USE_NS = 1 ] || ns=""
    smb_start "$WS_TMP/$n" $ns || fail "smbd $n does not start (see $WS_TMP/$n/log)"
    i=$((i + 1))
done

# a silent host: accepts TCP connections and never says a word
NSX=(); [ $USE_NS = 1 ] && NSX=(ip netns exec "${TAG}2")
"${NSX[@]}" $PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16); held = []
open(sys.argv[3], "w").close()
while True:
    held.append(s.accept()[0])
' "$SILENT_IP" "$SILENT_PORT" "$WS_TMP/silent.ready" &
SILENT_PID=$!
# listening before the sweep starts: else the silent host is a closed port
for _ in $(seq 100); do [ -e "$WS_TMP/silent.ready" ] && break; sleep 0.1; done
[ -e "$WS_TMP/silent.ready" ] || fail "the silent server does not start"

printf 'username = wsadmin\npassword = %s\n' "$PW" > "$WS_TMP/auth"
chmod 600 "$WS_TMP/auth"
printf '# test hosts\n%s\n%s   # the XP one\n\n%s\n' "$H_infected" "$H_xp" "$H_refusing" > "$WS_TMP/hosts"

# 1. the sweep
"$WS" sweep --json --auth-file "$WS_TMP/auth" --hosts "$WS_TMP/hosts" "$H_closed" \
    "$H_silent" --collect-dir "$WS_TMP/coll" --state "$WS_TMP/state" --retries 0 --smb-timeout 3 \
    > "$WS_TMP/out.ndjson" 2> "$WS_TMP/err.txt"
rc=$?
[ $rc -eq 1 ] || { cat "$WS_TMP/err.txt"; fail "sweep exit $rc, expected 1"; }
$PY - "$WS_TMP" "$H_infected" "$H_xp" "$H_refusing" "$H_closed" "$H_silent" <<'PYEOF' || fail "sweep results"
import json, os, sys, filecmp
tmp, ipi, ipx, ipr, closed, silent = sys.argv[1:7]
def pre(r):
    """the host a record belongs to: smb://ip[:port] of its path"""
    p = r.get("file", {}).get("path") or r.get("log", {}).get("file", {}).get("path") or ""
    return p.split("/")[2] if p.startswith("smb://") else None
C = os.path.join(tmp, "c-infected")
recs = [json.loads(l) for l in open(os.path.join(tmp, "out.ndjson"))]
bad = []
# every record but the closing summary names its host and address
for r in recs:
    if r["event"]["kind"] == "metric":
        continue
    h = r.get("host", {})
    if not h.get("ip") or h.get("name") != h.get("ip"):
        bad.append("record without host.name/host.ip: %s" % r.get("message"))
# alerts: exactly the expected stand-ins in the Kwampirs places, from the infected host
exp = set()
for line in open(os.path.join(tmp, "expected.tsv")):
    rel, rs, rule = line.rstrip("\n").split("\t")
    parts = rel.split("/")
    if len(parts) == 1:
        p = "C$/" + rel
    elif parts[0] == "Windows" and len(parts) == 2:
        p = "ADMIN$/" + parts[1]
    elif parts[0] == "Windows" and parts[1] in ("System32", "SysWOW64", "inf", "Temp"):
        p = "C$/" + rel
    else:
        continue
    exp.add(("smb://%s/%s" % (ipi, p), rs, rule))
got = set()
events = []
for r in recs:
    if r["event"]["kind"] != "alert":
        continue
    if pre(r) != ipi:
        bad.append("alert on a clean host: %s" % (r.get("file") or r.get("log")))
    if r["rule"]["ruleset"] in ("event", "hive"):
        events.append(r)
        continue
    rs = r["rule"]["ruleset"]
    rule = r["rule"]["name"] if rs == "yara" else str(r["wormsign"]["ioc"]["line"]) if rs == "name" else rs
    got.add((r["file"]["path"], rs, rule))
for e in sorted(exp - got):
    bad.append("MISSING %s %s %s" % e)
for g in sorted(got - exp):
    bad.append("UNEXPECTED %s %s %s" % g)
if len(exp) < 20:
    bad.append("too few expected alerts: %d" % len(exp))
# the collected System log gives the Kwampirs service install, named by its smb:// path
svc = [r for r in events if r["rule"]["id"] == "kwampirs.service.installed"]
if not svc or not svc[0]["log"]["file"]["path"].endswith("/winevt/Logs/System.evtx"):
    bad.append("no kwampirs.service.installed from the collected System.evtx: %r" %
               [(r["rule"]["id"], r["log"]["file"]["path"]) for r in events])
# exposure records
exposure = {pre(r): r["wormsign"]["evidence"] for r in recs
            if r["event"].get("action") == "smb.exposure"}
e = exposure.get(ipi, {})
want = {"outcome": "ok", "dialects": "SMB2.0.2,SMB2.1,SMB3.0,SMB3.0.2,SMB3.1.1", "smb1": False,
        "admin_writable": "ADMIN$", "write_tested": True}
for k, v in want.items():
    if e.get(k) != v:
        bad.append("infected %s = %r, expected %r" % (k, e.get(k), v))
if sorted(e.get("admin_readable", "").split(",")) != ["ADMIN$", "C$"]:
    bad.append("infected admin_readable %r" % e.get("admin_readable"))
if sorted(e.get("shares", "").split(",")) != ["ADMIN$", "C$", "IPC$", "Public"]:
    bad.append("infected shares %r" % e.get("shares"))
if e.get("collected") != 4:
    bad.append("infected collected %r, expected 4" % e.get("collected"))
e = exposure.get(ipx, {})
want = {"outcome": "ok", "dialects": "SMB1", "smb1": True, "smb1_only": True,
        "admin_readable": "ADMIN$", "admin_writable": "", "collected": 1}
for k, v in want.items():
    if e.get(k) != v:
        bad.append("xp %s = %r, expected %r" % (k, e.get(k), v))
e = exposure.get(ipr, {})
if e.get("outcome") != "refused" or "SMB3.1.1" not in e.get("dialects", ""):
    bad.append("refusing host: %r" % e)
refusals = [r for r in recs if r["event"].get("type") == "error" and pre(r) == ipr]
if len(refusals) != 1 or refusals[0]["error"]["code"] != "permission":
    bad.append("refusal not reported as one permission error: %r" % refusals)
# the closed port: unreachable, one error
unreach = [r for r in recs if r["event"].get("type") == "error" and pre(r) == closed]
if len(unreach) != 1:
    bad.append("closed port not reported once as unreachable")
# the silent host: one error, timed out
silentr = [r for r in recs if r["event"].get("type") == "error" and pre(r) == silent]
if len(silentr) != 1 or "timed out" not in silentr[0]["message"]:
    bad.append("silent host not reported once as timed out")
# the collected hive copies: the Kwampirs service from repair\system, and one
# error record for the random RegBack\SOFTWARE, both named by their smb:// path
hv = [r for r in recs if r["event"]["kind"] == "alert" and r["rule"]["ruleset"] == "hive"]
if not any(r["rule"]["id"] == "hive.kwampirs.service" and
           r["log"]["file"]["path"].endswith("/repair/system") for r in hv):
    bad.append("no hive.kwampirs.service from the collected repair\\system: %r" %
               [(r["rule"]["id"], r["log"]["file"]["path"]) for r in hv])
hverr = [r for r in recs if r["event"].get("type") == "error" and pre(r) == ipi]
if len(hverr) != 1 or not hverr[0]["log"]["file"]["path"].endswith("RegBack/SOFTWARE"):
    bad.append("random RegBack hive not reported once: %r" % [r.get("message") for r in hverr])
# the XP host's collected SysEvent.Evt is random bytes: one error record for it
xperr = [r for r in recs if r["event"].get("type") == "error" and pre(r) == ipx]
if len(xperr) != 1 or not xperr[0]["log"]["file"]["path"].endswith("SysEvent.Evt"):
    bad.append("corrupt XP log not reported once: %r" % [r.get("message") for r in xperr])
# no other errors
errs = [r for r in recs if r["event"].get("type") == "error"]
if len(errs) != 5:
    bad.append("unexpected errors: %r" % [(r["host"], r.get("message")) for r in errs])
# collected copies are byte-identical, and each has its INFO record
coll = [r for r in recs if r["event"].get("action") == "smb.collected"]
kinds = {}
for r in coll:
    local = r["wormsign"]["evidence"]["local_path"]
    remote = r["log"]["file"]["path"]
    kinds[r["wormsign"]["source"]] = kinds.get(r["wormsign"]["source"], 0) + 1
    if pre(r) == ipi:
        rel = remote.split("/C$/", 1)[1]
        src = os.path.join(C, rel)
    else:
        # the server is case-insensitive: we ask for System32, XP calls it system32
        rel = remote.split("/ADMIN$/", 1)[1].replace("System32/", "system32/")
        src = os.path.join(tmp, "c-xp", "WINDOWS", rel)
    if not filecmp.cmp(src, local, shallow=False):
        bad.append("copy differs: " + remote)
if kinds != {"evtx": 2, "hive": 2, "evt": 1}:
    bad.append("collected kinds %r" % kinds)
summ = [r for r in recs if r["event"]["kind"] == "metric"]
if len(summ) != 1 or summ[0]["wormsign"]["summary"]["exit_code"] != 1:
    bad.append("summary record")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
# the write test left nothing behind
if find "$WS_TMP/c-infected" -name 'wormsign-write-test-*' | grep -q .; then fail "write-test file left"; fi
# the state file: one line per host
[ "$(wc -l < "$WS_TMP/state")" = 5 ] || fail "state file: $(cat "$WS_TMP/state")"
grep -q "^$H_refusing	refused$" "$WS_TMP/state" || fail "state file lacks the refusal"

# 2. resume: the three answered hosts are skipped, the two unreachable ones tried again
"$WS" sweep --json --auth-file "$WS_TMP/auth" --hosts "$WS_TMP/hosts" "$H_closed" \
    "$H_silent" --no-collect --state "$WS_TMP/state" --retries 0 --smb-timeout 1 \
    > "$WS_TMP/out2.ndjson" 2> "$WS_TMP/err2.txt"
grep -q "3 resumed from the state file" "$WS_TMP/err2.txt" || fail "resume: $(cat "$WS_TMP/err2.txt")"
n=$(grep -c '"smb.exposure"' "$WS_TMP/out2.ndjson")
[ "$n" = 2 ] || fail "resume: $n exposure records, expected 2 (the unreachable hosts)"

# 3. --no-write-test, --full on the infected host: every stand-in of the tree under C$
"$WS" sweep --json --full --no-write-test --no-collect --auth-file "$WS_TMP/auth" "$H_infected" \
    > "$WS_TMP/out3.ndjson" 2> "$WS_TMP/err3.txt"
[ $? -eq 1 ] || fail "--full: expected exit 1"
grep -q '"write_tested":false' "$WS_TMP/out3.ndjson" || fail "--no-write-test not recorded"
grep -q '"admin_writable":""' "$WS_TMP/out3.ndjson" || fail "--no-write-test: writable recorded"
$PY - "$WS_TMP/out3.ndjson" "$WS_TMP/expected.tsv" "$H_infected" <<'PYEOF' || fail "--full findings"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
exp = set()
for l in open(sys.argv[2]):
    rel, rs, rule = l.rstrip("\n").split("\t")
    exp.add(("smb://%s/C$/%s" % (sys.argv[3], rel), rs, rule))
got = set()
for r in recs:
    if r["event"]["kind"] == "alert":
        rs = r["rule"]["ruleset"]
        rule = r["rule"]["name"] if rs == "yara" else str(r["wormsign"]["ioc"]["line"]) if rs == "name" else rs
        got.add((r["file"]["path"], rs, rule))
for e in sorted(exp - got): print("MISSING", *e)
for g in sorted(got - exp): print("UNEXPECTED", *g)
sys.exit(0 if exp == got else 1)
PYEOF

# 4. the password is in no output
for f in "$WS_TMP"/out* "$WS_TMP"/err*; do
    if grep -qF -- "$PW" "$f"; then fail "password leaked into $f"; fi
done
pass

#!/bin/bash
# it-evt-logs.sh - Windows XP/2003 (.evt) logs with Kwampirs behaviour through
# `wormsign logs`, end to end.
#
# tests/gen_evt.py writes the XP logs of tests/gen_evt.py SCENARIOS into
# $WS_TMP (never committed) and checks each against libevt's evtexport
# (Debian libevt-utils, the independent oracle): record numbers, times, event
# identifiers, types, categories, SIDs, sources, computers, strings. Then:
#  1. `wormsign logs dump --json` of every file agrees with evtexport (record
#     numbers, times, 32-bit event identifiers, sources, computers, strings:
#     tests/evt_diff.py), also with --recover against `evtexport -m all`, and
#     gives exactly the record numbers the generator wrote (manifest.json);
#     the dirty logs (header flushed after 2-4 records, as on a live XP
#     system) read in full; a wrapped log reads the records still whole; a
#     copy cut after record 11 reads records 1-11 and then one "truncated"
#     error (libevt itself is silent about it; src/evtx/evt.c checks the
#     header's record numbers).
#  2. `wormsign logs --json` on the XP System and Security logs of one host
#     gives each expected finding (rule id, log file, record id, event id,
#     provider, matched param, time: tests/logs_check.py fixture-xp, written
#     from the scenarios' descriptions), the recon burst from the 592 chains
#     dropper -> cmd.exe -> program (eight programs; XP logs no command
#     line), nothing from the traps (genuine WmiApSrv install and start,
#     genuine wbem\wmiprvse.exe), exit 1; the same
#     with a clean header, with the wrapped log, and with the cut copy (plus
#     its error record).
#  3. The benign XP logs (ordinary 601/592/7035; an admin's interactive
#     cmd.exe running four recon programs; a login script running two
#     through cmd.exe /c) give no finding, exit 0.
#  4. The check can fail: a copy of the built-in pack with one rule reading
#     the wrong insertion string (601 name from param3, 592 image from
#     param1, 7035 display name from param2) must make step 2's check fail.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${WS:?WS must point at the wormsign binary}"
: "${WS_SRC:?WS_SRC must point at the source tree}"
WS_TMP=${WS_TMP:-${TMPDIR:-/tmp}/ws-it-evt-logs}
. "$WS_SRC/tests/lib.sh"
CHECK="$PY $WS_SRC/tests/logs_check.py"
command -v evtexport >/dev/null 2>&1 || {
    echo "SKIP: evtexport (Debian libevt-utils) missing"
    exit 77
}
mkdir -p "$WS_TMP" || exit 1

fx="$WS_TMP/fixtures"
rm -rf "$fx"
mkdir -p "$fx"
"$PY" "$WS_SRC/tests/gen_evt.py" "$fx"
check "gen_evt.py: every file as evtexport reads it" $?
"$WS" logs dump --json "$fx/xp-system.evt" >"$fx/probe.json" 2>&1
if grep -q '"code":"unsupported"' "$fx/probe.json"; then
    echo "SKIP: this wormsign was built without libevt (Debian libevt-dev)"
    exit 77
fi

# ---- 1. reading: wormsign against evtexport and the generator's manifest ---------
for f in "$fx"/*.evt; do
    b=$(basename "$f")
    "$WS" logs dump --json "$f" >"$f.ours" 2>"$f.err"
    rc=$?
    want=0
    case "$b" in *-cut.evt) want=2 ;; esac # the cut copy: an error record
    [ $rc -eq $want ]
    check "$b: logs dump exits $want (got $rc)" $?
    evtexport "$f" >"$f.evtexport" 2>/dev/null
    "$PY" "$WS_SRC/tests/evt_diff.py" "$f.ours" "$f.evtexport" "$b"
    check "$b: wormsign and evtexport agree on every record" $?
    "$WS" logs dump --json --recover "$f" >"$f.ours-all" 2>/dev/null
    evtexport -m all "$f" >"$f.evtexport-all" 2>/dev/null
    "$PY" "$WS_SRC/tests/evt_diff.py" "$f.ours-all" "$f.evtexport-all" "$b (--recover, -m all)"
    check "$b: --recover agrees with evtexport -m all" $?
    "$PY" - "$f.ours" "$fx/manifest.json" "$b" <<'EOF'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
want = json.load(open(sys.argv[2]))[sys.argv[3]]
got = [d.get("record_id") for d in ours if "error" not in d]
errs = [(d["error"]["code"], d["error"].get("record_id")) for d in ours if "error" in d]
# the cut copy (records 1-11 of 21) must end with one error naming record 21
want_errs = [("truncated", 21)] if "-cut" in sys.argv[3] else []
if got != want or errs != want_errs:
    print("     records %s, want %s; errors %s, want %s" % (got, want, errs, want_errs))
    sys.exit(1)
EOF
    check "$b: exactly the records the generator wrote (and the error of a cut copy)" $?
done
# the dirty logs' headers are stale (the test of "reads in full" means something)
"$PY" - "$fx/xp-security.evt" "$fx/xp-system.evt" <<'EOF'
import struct, sys
for path, n in zip(sys.argv[1:], (2, 3)):
    h = struct.unpack_from("<12I", open(path, "rb").read(48))
    # flags dirty; current record number (next to write) as after n records
    if not h[9] & 1 or h[6] != n + 1:
        print("     %s: flags %#x, current record %d" % (path, h[9], h[6]))
        sys.exit(1)
EOF
check "dirty fixtures: header flagged dirty and describing only the first 2 or 3 records" $?
"$PY" - "$fx/xp-security-wrapped.evt" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
h = struct.unpack_from("<12I", d)
# wrapped flag, oldest record 4, and the end-of-file record before the first record
sys.exit(0 if h[9] & 2 and h[7] == 4 and h[5] < h[4] else 1)
EOF
check "wrapped fixture: flagged wrapped, oldest record 4, end before start" $?

# ---- 2. detection ----------------------------------------------------------------
hunt() { # name, shift, files...
    local name=$1 shift_=$2 cut=
    shift 2
    case "$2" in *-cut.evt) cut=cut ;; esac
    (cd "$fx" && "$WS" logs --json "$@") >"$fx/$name.json"
    local rc=$?
    [ $rc -eq 1 ]
    check "$name: exit 1 (found), got $rc" $?
    $CHECK fixture-xp "$fx/$name.json" "$1" "$2" "$shift_" $cut >"$fx/$name.check"
    local st=$?
    grep -v '^ok' "$fx/$name.check" | sed 's/^/     /'
    check "$name: every expected finding and field, nothing from the traps" $st
}
hunt xp-dirty 0 xp-system.evt xp-security.evt
hunt xp-clean 0 xp-system.evt xp-security-clean.evt
hunt xp-wrapped 12 xp-system.evt xp-security-wrapped.evt
hunt xp-cut 0 xp-system.evt xp-security-cut.evt

# ---- 3. benign XP logs -------------------------------------------------------------
(cd "$fx" && "$WS" logs --json xp-benign-security.evt xp-benign-system.evt) >"$fx/benign.json"
rc=$?
s=$($CHECK summary "$fx/benign.json")
objs=$(grep -o '"objects":[0-9]*' "$fx/benign.json" | cut -d: -f2)
want=$("$PY" -c 'import json, sys; m = json.load(open(sys.argv[1]))
print(len(m["xp-benign-security.evt"]) + len(m["xp-benign-system.evt"]))' "$fx/manifest.json")
[ $rc -eq 0 ] && [ "$s" = "exit=0" ] && [ "${objs:-0}" -eq "$want" ]
check "benign XP logs: $objs records ($want written), no finding, exit 0 (got '$s', exit $rc)" $?

# ---- 4. the check fails on a pack whose rules read the wrong insertion string -------
mutate() { # description, sed expression on event-rules.txt
    local bp="$WS_TMP/badpack"
    rm -rf "$bp"
    cp -r "$WS_SRC/packs/kwampirs" "$bp"
    sed -i "$2" "$bp/event-rules.txt"
    if cmp -s "$WS_SRC/packs/kwampirs/event-rules.txt" "$bp/event-rules.txt"; then
        echo "FAIL mutation '$1' changed nothing (the rules file moved on?)"
        checks_failed=1
        return
    fi
    (cd "$fx" && "$WS" logs --json --no-default-pack --pack "$bp" xp-system.evt \
        xp-security.evt) >"$fx/mut.json"
    ! $CHECK fixture-xp "$fx/mut.json" xp-system.evt xp-security.evt 0 >/dev/null
    check "the check fails when $1" $?
}
mutate "601 reads the service name from param3" 's/ServiceName|param1 in/ServiceName|param3 in/'
mutate "592 reads the image from param1" 's/NewProcessName|Image|param2/NewProcessName|Image|param1/'
mutate "7035 reads the display name from param2" 's/^match param1 in @services/match param2 in @services/'
# and the unchanged copy passes, so the mutations are what fails
cp -r "$WS_SRC/packs/kwampirs" "$WS_TMP/goodpack" 2>/dev/null
(cd "$fx" && "$WS" logs --json --no-default-pack --pack "$WS_TMP/goodpack" xp-system.evt \
    xp-security.evt) >"$fx/good.json"
$CHECK fixture-xp "$fx/good.json" xp-system.evt xp-security.evt 0 >/dev/null
check "an unchanged copy of the pack loaded with --pack passes" $?
rm -rf "$WS_TMP/goodpack" "$WS_TMP/badpack"
exit $checks_failed

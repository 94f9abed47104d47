#!/usr/bin/env bash
# it-hive.sh - `wormsign hive` against real hives (corpus), damaged copies of
# them, and hives written by tests/mkhive.py, with libregf's own regfexport
# as the oracle for what the hives hold.
#
# Expected findings per file are listed below (EXPECT_*). Independent checks:
#   - regfexport must read every fixture (so mkhive.py writes valid hives);
#   - the number of service keys wormsign examined equals the number of
#     ControlSetNNN\Services\* keys regfexport lists;
#   - every alert's registry.data.strings equals the value regfexport shows;
#   - hives regfexport cannot read must give error records, never a crash.
set -u
export LC_ALL=C
: "${WS:?}" "${WS_SRC:?}" "${WS_CORPUS:?}" "${WS_TMP:?}"
for t in jq regfexport xz python3; do
    command -v "$t" >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
R=$WS_CORPUS/hives/regipy
Y=$WS_CORPUS/hives/yarp
XP=$WS_CORPUS/hives-xp
[ -d "$R" ] && [ -d "$Y" ] || { echo "skip: no hive corpus at $WS_CORPUS/hives"; exit 77; }
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP" || exit 1
T=$WS_TMP
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# run FILE...: NDJSON into $T/out.json, exit status into RC; checks the
# record shape and that nothing crashed.
run() {
    "$WS" hive --json "$@" >"$T/out.json" 2>"$T/err.txt"
    RC=$?
    if [ $RC -ge 3 ]; then
        fail "wormsign hive $* exited $RC (crash?): $(head -c 300 "$T/err.txt")"
        return
    fi
    if ! jq -e -s 'length > 0' "$T/out.json" >/dev/null 2>&1; then
        fail "wormsign hive $*: no records or invalid NDJSON"
        return
    fi
    # every record but the CLI's closing summary (event.kind "metric")
    jq -e -s 'all(.[] | select(.event.kind != "metric"); .rule.ruleset == "hive" and
                  .wormsign.source == "hive" and (.log.file.path | type) == "string")' \
        "$T/out.json" >/dev/null ||
        fail "wormsign hive $*: a record lacks rule.ruleset/wormsign.source/log.file.path"
    jq -e -s 'all(select(.event.kind == "alert") | (.registry.hive and .registry.key and
                  .registry.path and .event.severity > 0))' "$T/out.json" >/dev/null ||
        fail "wormsign hive $*: an alert lacks registry.* or severity"
}

# alerts: "rule.id|registry.key|severity" per alert, sorted
alerts() { jq -r 'select(.event.kind == "alert") |
                  "\(.rule.id)|\(.registry.key)|\(.event.severity)"' "$T/out.json" | sort; }
nerrors() { jq -s '[.[] | select(.event.type == "error")] | length' "$T/out.json"; }
summary() { jq -r "select(.event.action == \"Registry hive examined\") | .wormsign.evidence.$1" \
                "$T/out.json"; }

# regfexport's listing of a hive, made once per file (it takes seconds on
# a big SYSTEM hive)
rx() {
    local c
    c="$T/rx.$(printf '%s' "$1" | md5sum | cut -c1-16)"
    [ -f "$c" ] || regfexport "$1" >"$c" 2>/dev/null
    cat "$c"
}

# regfexport oracle: number of ControlSetNNN\Services\X keys
oracle_services() {
    rx "$1" | awk -F'\\' '/^Key path: / && NF == 4 &&
        $2 ~ /^ControlSet[0-9][0-9][0-9]$/ && tolower($3) == "services" { n++ } END { print n + 0 }'
}

# regfexport oracle: data of value NAME of the key whose path (without the
# root key's name) is KEY
oracle_value() {
    # key and value go through the environment: awk -v would expand \t in paths
    rx "$1" | OKEY="$2" OVAL="$3" awk '
        /^Key path: / { p = substr($0, 11); sub(/^[^\\]*\\/, "", p); inkey = (p == ENVIRON["OKEY"]); next }
        inkey && /^Value: / { v = $0; sub(/^Value: [0-9]+ /, "", v); inval = (v == ENVIRON["OVAL"]); next }
        inkey && inval && /^Data: / { print substr($0, 7); exit }'
}

# every alert's data must equal what regfexport reads at its key
check_alert_values() {
    local hive=$1 line key value data want
    while IFS=$'\t' read -r key value data; do
        [ -n "$value" ] || continue
        want=$(oracle_value "$hive" "$key" "$value")
        [ "$want" = "$data" ] ||
            fail "$(basename "$hive"): $key\\$value: wormsign read '$data', regfexport '$want'"
    done < <(jq -r 'select(.event.kind == "alert") | [(.registry.key |
                    sub("^(SYSTEM|SOFTWARE)\\\\"; "")), .registry.value // "",
                    .registry.data.strings // ""] | @tsv' "$T/out.json" |
             sed 's/\\\\/\\/g')
}

expect() { # NAME EXPECTED_ALERTS(newline list) EXPECTED_RC
    local got
    got=$(alerts)
    [ "$got" = "$2" ] || fail "$1: alerts differ:
--- expected
$2
--- got
$got"
    [ "$RC" = "$3" ] || fail "$1: exit $RC, expected $3"
}

# ---- real hives ----
for f in SYSTEM SYSTEM_WIN_10_1709 SAM SECURITY BCD corrupted_system_hive; do
    xz -dc "$R/$f.xz" >"$T/$f" || { fail "xz -dc $f"; continue; }
done
xz -dc "$XP/winevt-kb/SYSTEM.xz" >"$T/XP_SYSTEM" || fail "xz -dc XP SYSTEM"

EXPECT_SYSTEM="hive.service.lateral_image|SYSTEM\\ControlSet001\\services\\PSEXESVC|50
hive.service.lateral_image|SYSTEM\\ControlSet002\\services\\PSEXESVC|50"
run "$T/SYSTEM"
expect regipy/SYSTEM "$EXPECT_SYSTEM" 1
check_alert_values "$T/SYSTEM"
jq -e -s 'any(.wormsign.evidence.service_name == "PSEXESVC" and
              .wormsign.evidence.account == "LocalSystem" and
              .wormsign.evidence.start_type == "demand" and
              .wormsign.evidence.display_name == "PsExec" and
              (.wormsign.evidence.key_last_written | test("^20[0-9][0-9]-")))' \
    "$T/out.json" >/dev/null || fail "regipy/SYSTEM: PSEXESVC evidence incomplete"

for f in SYSTEM SYSTEM_WIN_10_1709 XP_SYSTEM; do
    [ "$f" = SYSTEM ] || run "$T/$f"
    [ "$f" = SYSTEM ] || expect "$f" "" 0
    want=$(oracle_services "$T/$f")
    got=$(summary services)
    [ "$want" -gt 0 ] && [ "$got" = "$want" ] ||
        fail "$f: wormsign examined '$got' service keys, regfexport lists $want"
    [ "$(nerrors)" = 0 ] || fail "$f: error records on a sound hive"
    # host.name: ComputerName of the current control set, as regfexport reads it
    cur=$(summary current_control_set)
    want=$(oracle_value "$T/$f" "$(printf 'ControlSet%03d' "$cur")\Control\ComputerName\ComputerName" \
        ComputerName)
    got=$(jq -r 'select(.event.action == "Registry hive examined") | .host.name' "$T/out.json")
    [ -n "$want" ] && [ "$got" = "$want" ] || fail "$f: host.name '$got', regfexport '$want'"
done
run "$T/SYSTEM"
[ "$(alerts | wc -l)" = 2 ] && jq -e -s '[.[] | select(.event.kind == "alert") |
    .wormsign.evidence.current_control_set] == [true, false]' "$T/out.json" >/dev/null ||
    fail "regipy/SYSTEM: current_control_set should be true for ControlSet001 only"
run "$Y/System_Delta"
expect yarp/System_Delta "" 0
[ "$(summary services)" = "$(oracle_services "$Y/System_Delta")" ] ||
    fail "System_Delta: service count differs from regfexport"

# sound hives of other kinds: nothing found, nothing wrong
for f in "$T/SAM" "$T/SECURITY" "$T/BCD" "$XP/plaso/NTUSER.DAT" "$Y/BigDataHive" "$Y/CompHive" \
    "$Y/DeletedTreeHive" "$Y/EmptyHive" "$Y/ExtendedASCIIHive" "$Y/ManySubkeysHive" \
    "$Y/MultiSzHive" "$Y/NewDirtyHive1_NewDirtyHive" "$Y/NewDirtyHive1_RecoveredHive_Windows10" \
    "$Y/StringValuesHive" "$Y/UnicodeHive" "$Y/WrongOrderHive"; do
    run "$f"
    expect "$(basename "$f")" "" 0
    [ "$(nerrors)" = 0 ] || fail "$(basename "$f"): unexpected error record"
done
run "$XP/plaso/NTUSER.DAT"
[ "$(summary run_values)" = 1 ] || fail "XP NTUSER.DAT: expected 1 Run value (ctfmon.exe)"
run "$Y/NewDirtyHive1_NewDirtyHive"
[ "$(summary dirty)" = true ] || fail "NewDirtyHive: not reported dirty"

# damaged hives and transaction logs: regfexport fails or finds no root key
# on them; wormsign gives error records, exit 2
for f in "$T/corrupted_system_hive" "$Y/TruncatedHive" "$Y/BadBaseBlockHive" \
    "$Y/BadBaseBlockHive.LOG1" "$Y/NewDirtyHive1_NewDirtyHive.LOG1" \
    "$Y/NewDirtyHive1_NewDirtyHive.LOG2"; do
    regfexport "$f" >"$T/rx.out" 2>&1 && ! grep -q 'No root key' "$T/rx.out" &&
        fail "oracle: regfexport reads $(basename "$f")"
    run "$f"
    expect "$(basename "$f")" "" 2
    [ "$(nerrors)" -ge 1 ] || fail "$(basename "$f"): no error record"
done
run "$T/corrupted_system_hive"
jq -e -s 'any(.error.code == "corrupt" and (.error.message | test("libregf")))' "$T/out.json" \
    >/dev/null || fail "corrupted_system_hive: error lacks libregf's message"
run "$Y/TruncatedHive"
jq -e -s 'any(.error.code == "truncated")' "$T/out.json" >/dev/null ||
    fail "TruncatedHive: not reported as truncated"

# truncated copies of the regipy SYSTEM hive
size=$(stat -c %s "$T/SYSTEM")
for cut in 0 100 4095 4096 4128 8192 1048576 $((size / 2)) $((size - 4096)) $((size - 1)); do
    head -c "$cut" "$T/SYSTEM" >"$T/cut"
    run "$T/cut"
    case $RC in 1 | 2) ;; *) fail "SYSTEM cut at $cut: exit $RC, expected 1 or 2" ;; esac
    jq -e -s 'any(.error.code == "truncated")' "$T/out.json" >/dev/null ||
        fail "SYSTEM cut at $cut: no 'truncated' error record"
    alerts | grep -q kwampirs && fail "SYSTEM cut at $cut: Kwampirs alert"
done
# damaged copies: bytes overwritten inside the key tree
for seed in 1 2 3 4 5 6; do
    cp "$T/SYSTEM" "$T/dmg"
    python3 - "$T/dmg" "$seed" <<'EOF'
import random, sys
p, seed = sys.argv[1], int(sys.argv[2])
r = random.Random(seed)
with open(p, "r+b") as f:
    size = f.seek(0, 2)
    for _ in range(200):
        f.seek(r.randrange(4096, size))
        f.write(bytes(r.randrange(256) for _ in range(r.randrange(1, 16))))
EOF
    run "$T/dmg"
    case $RC in 0 | 1 | 2) ;; *) fail "damaged SYSTEM (seed $seed): exit $RC" ;; esac
done

# no corpus hive is Kwampirs
run "$T/SYSTEM" "$T/SYSTEM_WIN_10_1709" "$T/XP_SYSTEM" "$T/SAM" "$T/SECURITY" "$T/BCD" \
    "$T/corrupted_system_hive" "$XP/plaso/NTUSER.DAT" "$Y"/*
alerts | grep -q kwampirs && fail "a corpus hive gave a Kwampirs finding: $(alerts | grep kwampirs)"
[ "$RC" = 1 ] || fail "several hives with one finding and errors: exit $RC, expected 1"

# ---- fixtures written by mkhive.py, validated by regfexport ----
for fx in $(python3 "$WS_SRC/tests/mkhive.py" --list); do
    python3 "$WS_SRC/tests/mkhive.py" "$fx" "$T/$fx" || { fail "mkhive.py $fx"; continue; }
    regfexport "$T/$fx" >"$T/$fx.txt" 2>"$T/$fx.err" && ! grep -qi 'unable\|error' "$T/$fx.err" ||
        fail "oracle: regfexport rejects fixture $fx: $(head -3 "$T/$fx.err")"
done

EXPECT_KW="hive.kwampirs.service|SYSTEM\\ControlSet001\\Services\\PerfAdapterX|75
hive.kwampirs.service|SYSTEM\\ControlSet001\\Services\\WmiApSrvEx|100
hive.kwampirs.service|SYSTEM\\ControlSet001\\Services\\WmiPerfHost|75
hive.kwampirs.service|SYSTEM\\ControlSet001\\Services\\wmiperfdrop|75
hive.kwampirs.service|SYSTEM\\ControlSet002\\Services\\WMIAPSRVEX|75
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\PSEXESVC|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\RemComSvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\comspecsvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\pssvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\rundllsvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\sharesvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\tmpsvc|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\winrootsvc|50"
run "$T/system-kwampirs"
expect system-kwampirs "$EXPECT_KW" 1
check_alert_values "$T/system-kwampirs"
[ "$(summary services)" = "$(oracle_services "$T/system-kwampirs")" ] ||
    fail "system-kwampirs: service count differs from regfexport"
jq -e -s 'any(.rule.id == "hive.kwampirs.service" and .registry.key == "SYSTEM\\ControlSet001\\Services\\WmiApSrvEx"
              and .wormsign.evidence.indicators == "service_name,display_name,image_path")' \
    "$T/out.json" >/dev/null || fail "system-kwampirs: WmiApSrvEx indicators wrong"
jq -e -s 'any(.registry.key | test("WmiPerfHost")) and
          any(.wormsign.evidence.service_dll == "%SystemRoot%\\System32\\wmipadp.dll")' \
    "$T/out.json" >/dev/null || fail "system-kwampirs: ServiceDll evidence missing"
jq -e -s 'any(.registry.key | test("pssvc")) and
          any(.wormsign.evidence.reasons == "cmd_shell,powershell")' "$T/out.json" >/dev/null ||
    fail "system-kwampirs: pssvc reasons wrong"
alerts | grep -qi 'WmiApSrv|' && fail "the genuine WmiApSrv matched"

run "$T/system-clean"
expect system-clean "" 0

run "$T/software-run"
expect software-run "hive.kwampirs.run_value|SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce|80
hive.kwampirs.run_value|SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run|80
hive.kwampirs.run_value|SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run|80" 1
check_alert_values "$T/software-run"
[ "$(jq -r 'select(.event.kind == "alert") | .wormsign.evidence.file_name' "$T/out.json" |
    sort | tr '\n' ' ')" = "wmiamgmt.dll wmiapsrve.exe wmiassn.dll " ] ||
    fail "software-run: wrong file names"
[ "$(summary run_values)" = 7 ] || fail "software-run: expected 7 Run values examined"

run "$T/ntuser-run"
expect ntuser-run "hive.kwampirs.run_value|Software\\Microsoft\\Windows\\CurrentVersion\\Run|80" 1
check_alert_values "$T/ntuser-run"
jq -e -s 'any(.registry.hive == "HKCU" and .registry.value == "upd" and
              .registry.path == "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\upd")' \
    "$T/out.json" >/dev/null || fail "ntuser-run: registry.* fields wrong"

run "$T/empty"
expect empty "" 0

run "$T/system-bigvalues"
expect system-bigvalues "hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\big65534|50
hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\big65536|50" 1
check_alert_values "$T/system-bigvalues"
jq -e -s 'any(.error.code == "too_large" and (.registry.key | test("big81726")))' \
        "$T/out.json" >/dev/null || fail "system-bigvalues: no too_large error for big81726"

# caps (src/core/limits.h): WS_MAX_HIVE_SUBKEYS 16384, WS_MAX_HIVE_CONTROL_SETS 16
run "$T/system-16384-services"
expect system-16384-services "hive.service.lateral_image|SYSTEM\\ControlSet001\\Services\\zz-psexec|50" 1
[ "$(summary services)" = 16384 ] && [ "$(nerrors)" = 0 ] ||
    fail "system-16384-services: expected 16384 services and no error"
run "$T/system-16385-services"
expect system-16385-services "" 2
[ "$(summary services)" = 16384 ] || fail "system-16385-services: expected 16384 services examined"
jq -e -s 'any(.error.code == "too_large" and .registry.key == "SYSTEM\\ControlSet001\\Services")' \
    "$T/out.json" >/dev/null || fail "system-16385-services: no too_large error"
run "$T/system-17-control-sets"
expect system-17-control-sets "" 2
[ "$(summary control_sets)" = 16 ] || fail "system-17-control-sets: expected 16 control sets"
jq -e -s '[.[] | select(.error.code == "too_large")] | length == 1' "$T/out.json" >/dev/null ||
    fail "system-17-control-sets: expected one too_large error"

# truncated fixture: the Kwampirs hive cut inside its bin
head -c 12000 "$T/system-kwampirs" >"$T/kw-cut"
run "$T/kw-cut"
jq -e -s 'any(.error.code == "truncated")' "$T/out.json" >/dev/null ||
    fail "kw-cut: no truncated record"

# a key node claiming 0x80000006 values (found by fuzz-hive): libregf alone
# spends ~12 s on it; the pre-pass clamps it in a private copy
timeout 20 "$WS" hive --json "$WS_SRC/fuzz/corpus/fuzz-hive/timeout-libregf-value-count" \
    >"$T/out.json" 2>/dev/null
RC=$?
[ "$RC" = 124 ] && fail "timeout-libregf-value-count: still takes over 20 s"
jq -e -s 'any(.error.code == "corrupt" and (.error.message | test("claims 2147483654 values")))' \
    "$T/out.json" >/dev/null || fail "timeout-libregf-value-count: clamp not reported"

# a crafted subkey index of ~10^9 entries: clamped by the pre-pass
python3 "$WS_SRC/tests/mkhive.py" crafted-ri-bomb "$T/ri-bomb" || fail "mkhive.py crafted-ri-bomb"
# (under ASan libregf's realloc-per-entry lists are ~100x slower: allow more)
limit=20
grep -q '^WS_SANITIZE:BOOL=ON' "${WS_BUILD:-.}/CMakeCache.txt" 2>/dev/null && limit=300
timeout "$limit" "$WS" hive --json "$T/ri-bomb" >"$T/out.json" 2>/dev/null
RC=$?
[ "$RC" = 2 ] || fail "crafted-ri-bomb: exit $RC, expected 2 (124: over $limit s)"
jq -e -s 'any(.error.code == "corrupt" and (.error.message | test("subkey index .* lists more")))' \
    "$T/out.json" >/dev/null || fail "crafted-ri-bomb: clamp not reported"

# ---- exit statuses and usage ----
run "$T/system-clean" "$T/corrupted_system_hive"
[ "$RC" = 2 ] || fail "clean + corrupt: exit $RC, expected 2"
"$WS" hive "$T/system-clean" >/dev/null 2>&1
[ $? = 0 ] || fail "human output, clean hive: exit not 0"
"$WS" hive "$T/system-kwampirs" >"$T/human.txt" 2>&1
[ $? = 1 ] && grep -q 'WmiApSrvEx' "$T/human.txt" || fail "human output: Kwampirs not shown"
"$WS" hive >/dev/null 2>&1
[ $? = 2 ] || fail "no FILE: exit not 2"
"$WS" hive --bogus "$T/empty" >/dev/null 2>&1
[ $? = 2 ] || fail "unknown option: exit not 2"
"$WS" hive --help | grep -q 'usage: wormsign hive' || fail "--help"
run "$T"
[ "$RC" = 2 ] || fail "a directory: exit $RC, expected 2"

if [ $FAILS -ne 0 ]; then
    echo "$FAILS failure(s)"
    exit 1
fi
echo "it-hive: all checks passed"
exit 0

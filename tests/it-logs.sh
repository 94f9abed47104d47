#!/bin/bash
# it-logs.sh - `wormsign logs FILE|DIR...` (detections over EVTX/EVT) end to end.
#
# 1. Our own fixtures: tests/gen_evtx.py writes valid EVTX files holding the
#    Kwampirs events and traps; each is validated by python-evtx (Debian
#    python3-evtx: header and chunk checksums, every record rendered) and by
#    `wormsign logs dump` (same records and fields, tests/evtx_diff.py), then
#    every expected finding is checked field by field (tests/logs_check.py)
#    and the traps must give nothing.
# 2. The public corpus ($WS_CORPUS/evtx, SOURCES.md): each file is listed
#    below with the findings it must give (rule ids and counts), worked out
#    from SOURCES.md's description of its events; any difference fails. The
#    Kwampirs-specific rules (kwampirs.*) must fire on none of it, and
#    omerbenamram-evtx/system.evtx (57 ordinary service installs) must give
#    no alert at all. $WS_CORPUS/evt (XP/2003) must read without errors.
# 3. Pack handling: a malformed event-rules file gives error findings with
#    file and line, and its valid rules still load and fire.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${WS:?WS must point at the wormsign binary}"
: "${WS_SRC:?WS_SRC must point at the source tree}"
WS_TMP=${WS_TMP:-${TMPDIR:-/tmp}/ws-it-logs}
mkdir -p "$WS_TMP" || exit 1
. "$WS_SRC/tests/lib.sh"
CHECK="$PY $WS_SRC/tests/logs_check.py"
skipped=0

# ---- command line -------------------------------------------------------------
"$WS" logs --help >"$WS_TMP/help" 2>&1
check "logs --help exits 0" $?
"$WS" logs --bogus x >/dev/null 2>&1
[ $? -eq 2 ]
check "unknown option is a usage error (2)" $?
"$WS" logs --json "$WS_TMP/missing.evtx" >"$WS_TMP/missing.json" 2>/dev/null
[ $? -eq 2 ] && grep -q '"type":"error"' "$WS_TMP/missing.json"
check "missing log: exit 2 and an error record" $?

# ---- 1. fixtures ----------------------------------------------------------------
fx="$WS_TMP/fixtures"
rm -rf "$fx"
mkdir -p "$fx/lm-host"
if ! "$PY" "$WS_SRC/tests/gen_evtx.py" "$fx"; then
    echo "FAIL gen_evtx.py"
    exit 1
fi
cp "$fx/lm-security.evtx" "$fx/lm-system.evtx" "$fx/lm-host/"
if "$PY" -c 'import Evtx' 2>/dev/null; then
    for f in "$fx"/*.evtx; do
        b=$(basename "$f")
        "$PY" - "$f" <<'EOF'
import sys
import Evtx.Evtx as E
with E.Evtx(sys.argv[1]) as e:
    fh = e.get_file_header()
    ok = fh.verify() and not fh.is_dirty() and all(c.verify() for c in fh.chunks())
    n = sum(1 for _ in e.records())
sys.exit(0 if ok and n > 0 else 1)
EOF
        check "$b: python-evtx verifies header and chunk checksums" $?
        "$PY" "$WS_SRC/tests/evtx_py_dump.py" "$f" >"$f.py" 2>"$f.py.err"
        check "$b: python-evtx renders every record" $?
        ! grep -q '"error"' "$f.py"
        check "$b: python-evtx reports no record error" $?
        "$WS" logs dump --json "$f" >"$f.ours" 2>&1
        check "$b: wormsign logs dump reads it cleanly (exit 0)" $?
        "$PY" "$WS_SRC/tests/evtx_diff.py" "$f.ours" "$f.py" "$b" exact
        check "$b: wormsign and python-evtx agree on every record and field" $?
    done
else
    echo "SKIP python-evtx checks: /usr/bin/python3 cannot import Evtx (Debian python3-evtx)"
    skipped=1
fi
(cd "$fx" && "$WS" logs --json kw-system.evtx kw-security.evtx kw-sysmon.evtx) >"$fx/kw.json"
[ $? -eq 1 ]
check "Kwampirs fixtures: exit 1 (found)" $?
$CHECK fixture-kw "$fx/kw.json"
check "Kwampirs fixtures: every expected finding, nothing from the traps" $?
(cd "$fx" && "$WS" logs --json lm-security.evtx lm-system.evtx) >"$fx/lm.json"
$CHECK fixture-lm "$fx/lm.json" lm-security.evtx lm-system.evtx
check "lateral movement: Security + System of one host give ONE correlated finding" $?
(cd "$fx" && "$WS" logs --json lm-host) >"$fx/lm-dir.json"
sed -i 's#lm-host/##g' "$fx/lm-dir.json"
$CHECK fixture-lm "$fx/lm-dir.json" lm-security.evtx lm-system.evtx
check "lateral movement: the same from a folder" $?
(cd "$fx" && "$WS" logs --json lm-security.evtx) >"$fx/lm-sec.json"
$CHECK fixture-lm "$fx/lm-sec.json" lm-security.evtx
check "lateral movement: the Security log alone gives the write-only finding" $?
(cd "$fx" && "$WS" logs --json lm-system.evtx) >"$fx/lm-sys.json"
$CHECK fixture-lm "$fx/lm-sys.json" lm-system.evtx
check "lateral movement: the System log alone gives the service finding only" $?
(cd "$fx" && "$WS" logs --json --no-default-pack kw-system.evtx lm-system.evtx) >"$fx/none.json"
[ $? -eq 0 ] && [ "$($CHECK summary "$fx/none.json")" = "exit=0" ]
check "no pack, no event rules: nothing found, exit 0" $?

# ---- 3. a user pack with a malformed rule file ------------------------------------
cat >"$WS_TMP/my-event-rules.txt" <<'EOF'
# test pack
rule = test.good
name = Xsvc installed
severity = 40
match EventID equals 7045
match ServiceName iequals xsvc

rule = test.bad-op
match EventID sometimes 7045

rule = test.bad-regex
match ServiceName regex (unclosed

rule = test.good2
match ServiceName|param1 in Foo|XSVC|Bar
EOF
(cd "$fx" && "$WS" logs --json --no-default-pack --pack "$WS_TMP/my-event-rules.txt" \
    lm-system.evtx) >"$WS_TMP/pack.json"
[ $? -eq 1 ]
check "user pack with problems: exit 1 (its good rules found something)" $?
[ "$(grep -c '"type":"error"' "$WS_TMP/pack.json")" -eq 2 ] &&
    grep -q 'line 9: event rule: unknown operator' "$WS_TMP/pack.json" &&
    grep -q 'line 12: event rule: regex does not compile' "$WS_TMP/pack.json"
check "user pack: two error findings naming the lines (9, 12)" $?
s=$($CHECK summary "$WS_TMP/pack.json")
[ "$s" = "test.good=1 test.good2=1 errors exit=1" ]
check "user pack: the two good rules fire ($s)" $?

# ---- 2. the corpus ----------------------------------------------------------------
dir=${WS_CORPUS:-}/evtx
if [ -z "${WS_CORPUS:-}" ] || [ ! -d "$dir" ]; then
    echo "SKIP corpus part: no \$WS_CORPUS/evtx"
    [ $checks_failed -eq 0 ] && exit 77
    exit $checks_failed
fi
# file|expected summary (rule=count sorted, "errors", exit code). Why each:
#  - lateral-movement samples with a remote service install or an ADMIN$ drop:
#    LM_Remote_Service02 (remotesvc -> calc.exe, and the spooler test's
#    cmd.exe: bare image names), psexec 5145 (blabla.exe written to ADMIN$,
#    no install in the file), meterpreter/PsExec Sysmon 13 (service ImagePath
#    %COMSPEC% / %SystemRoot%\PSEXESVC.exe), Sysmon 11 System writing
#    C:\Windows\PSEXESVC.exe, PsExec Security chain (4624 -> 5145 PSEXESVC.exe
#    -> 4697: the correlated finding, plus the cmd.exe ADMIN$ write alone and
#    the %SystemRoot% install), 7045 PSEXESVC, smbexec/Metasploit/Tchopper
#    shell-command services (7045 and 4697), C$\Windows\Temp\setup.bat write;
#  - not found, by design: svcctl pipe opens only (LM_Remote_Service01,
#    ID5145-remote_shell: ADMIN$ read of powershell.exe), Eternal Romance
#    (ADMIN$ read only), renamed PsExec pipes (Sysmon 17/18), smbmap (C$ writes
#    outside Windows), WMI/scheduled-task/net use samples (no service);
#  - generic.eventlog.cleared is an info record (1102/104), never an alert;
#  - "errors": the three deliberately corrupt samples.
read -r -d '' EXPECTED <<'EOF'
deepbluecli/metasploit-psexec-powershell-target-security.evtx|generic.eventlog.cleared=1 exit=0
deepbluecli/metasploit-psexec-powershell-target-system.evtx|generic.eventlog.cleared=1 generic.service.bare-image=1 generic.service.shell-command=2 exit=1
deepbluecli/metasploit-psexec-pwshpayload.evtx|generic.eventlog.cleared=1 exit=0
deepbluecli/new-user-security.evtx|exit=0
deepbluecli/password-spray.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx|exit=0
evtx-attack-samples/DE_104_system_log_cleared.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/DE_renamed_psexec_service_sysmon_17_18.evtx|exit=0
evtx-attack-samples/LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/LM_5145_Remote_FileCopy.evtx|generic.lateral.admin-share-service.write-only=1 exit=1
evtx-attack-samples/LM_NewShare_Added_Sysmon_12_13.evtx|exit=0
evtx-attack-samples/LM_Remote_Service01_5145_svcctl.evtx|exit=0
evtx-attack-samples/LM_Remote_Service02_7045.evtx|generic.service.bare-image=3 exit=1
evtx-attack-samples/LM_ScheduledTask_ATSVC_target_host.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/LM_WMIC_4648_rpcss.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/LM_WMI_4624_4688_TargetHost.evtx|exit=0
evtx-attack-samples/LM_renamed_psexecsvc_5145.evtx|generic.lateral.admin-share-service.write-only=1 exit=1
evtx-attack-samples/LM_sysmon_psexec_smb_meterpreter.evtx|generic.service.registry-image=1 exit=1
evtx-attack-samples/LM_wmiexec_impacket_sysmon_whoami.evtx|exit=0
evtx-attack-samples/NTLM2SelfRelay-med0x2e-security_4624_4688.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/System_7045_namedpipe_privesc.evtx|generic.service.shell-command=1 exit=1
evtx-attack-samples/net_share_drive_5142.evtx|generic.eventlog.cleared=1 exit=0
evtx-attack-samples/remote_file_copy_system_proc_file_write_sysmon_11.evtx|generic.file.windir-exe-by-system=1 exit=1
evtx-attack-samples/smbmap_upload_exec_sysmon.evtx|exit=0
evtx-attack-samples/sysmon_privesc_psexec_dwell.evtx|exit=0
evtx-to-mitre-attack/ID11_13_17_18-PSexec_as_system_execution.evtx|generic.service.registry-image=1 exit=1
evtx-to-mitre-attack/ID4624-Mimikatz_Pass_the_hash.evtx|generic.eventlog.cleared=1 exit=0
evtx-to-mitre-attack/ID4624_4688_5140_5145-Eternal_Romance_-MS17_010_psexec_GLOBAL.evtx|generic.eventlog.cleared=1 exit=0
evtx-to-mitre-attack/ID4625-failed_login_with_denied_access_due_to_account_restriction.evtx|exit=0
evtx-to-mitre-attack/ID4688-4648_Lateral_movement_with_net_use.evtx|exit=0
evtx-to-mitre-attack/ID4688-Command_SC_to_create_service_on_remote_host.evtx|exit=0
evtx-to-mitre-attack/ID4688_4697_5140-5145_PSexec_remote_execution_admin_share.evtx|generic.lateral.admin-share-service=1 generic.lateral.admin-share-service.write-only=1 generic.service.remote-windir=1 exit=1
evtx-to-mitre-attack/ID4697-MSF_payload_deployed_via_service.evtx|generic.service.shell-command=1 exit=1
evtx-to-mitre-attack/ID5140-5145_4688_4697-Encrypted_payload_deployed_with_service_over_SMB_GLOBAL.evtx|generic.service.shell-command=1 exit=1
evtx-to-mitre-attack/ID5140-ADMIN_share_connection_with_Golden_ticket.evtx|exit=0
evtx-to-mitre-attack/ID5140-Failed_ADMIN_share_access.evtx|exit=0
evtx-to-mitre-attack/ID5142-New_file_share_created.evtx|exit=0
evtx-to-mitre-attack/ID5145-remote_shell_execution_via_SMB_admin_share.evtx|exit=0
evtx-to-mitre-attack/ID7000_7009_7045-Payload_deployed_via_service_-Tchopper.evtx|generic.service.shell-command=244 exit=1
evtx-to-mitre-attack/ID7009-Service_deployment_time_out_meterpreter.evtx|exit=0
evtx-to-mitre-attack/ID7045-4697-SMBexec_service_registration.evtx|generic.service.shell-command=2 exit=1
evtx-to-mitre-attack/ID7045-7036_PSexec_service_installation.evtx|generic.eventlog.cleared=1 generic.service.remote-windir=1 exit=1
omerbenamram-evtx/Application_no_crc32.evtx|exit=0
omerbenamram-evtx/Security_short_selected.evtx|exit=0
omerbenamram-evtx/issue_201.evtx|exit=0
omerbenamram-evtx/sample-with-zero-data-size-event.evtx|errors exit=2
omerbenamram-evtx/sample_with_a_bad_chunk_magic.evtx|errors exit=2
omerbenamram-evtx/security_bad_string_cache.evtx|errors exit=2
omerbenamram-evtx/sysmon.evtx|exit=0
omerbenamram-evtx/system.evtx|generic.eventlog.cleared=2 exit=0
EOF
declare -A want
while IFS='|' read -r f s; do
    want[$f]=$s
done <<<"$EXPECTED"
n=0
while IFS= read -r -d '' path; do
    f=${path#"$dir"/}
    n=$((n + 1))
    k=$(printf %s "$f" | tr / _)
    "$WS" logs --json "$path" >"$WS_TMP/$k.json" 2>"$WS_TMP/$k.err"
    rc=$?
    got="$($CHECK summary "$WS_TMP/$k.json")"
    case "$got" in *"exit=$rc") ;; *) got="$got (process exit $rc)" ;; esac
    if [ -z "${want[$f]+x}" ]; then
        echo "FAIL $f: not listed in this test (got: $got)"
        checks_failed=1
    elif [ "$got" != "${want[$f]}" ]; then
        echo "FAIL $f: got '$got', want '${want[$f]}'"
        checks_failed=1
    else
        echo "ok   $f: $got"
    fi
    unset "want[$f]"
done < <(find "$dir" -name '*.evtx' -type f -print0 | sort -z)
for f in "${!want[@]}"; do
    echo "FAIL $f: listed but not in the corpus"
    checks_failed=1
done
cat "$WS_TMP"/*.evtx.json 2>/dev/null | grep -q '"id":"kwampirs\.'
[ $? -ne 0 ]
check "no Kwampirs-specific rule fires anywhere in the corpus ($n files)" $?
grep -q '"kind":"alert"' "$WS_TMP/omerbenamram-evtx_system.evtx.json"
[ $? -ne 0 ]
check "omerbenamram-evtx/system.evtx (57 service installs): no alert" $?

# all of one folder at once: the same findings (correlation across files adds none here)
"$WS" logs --json "$dir" >"$WS_TMP/all.json" 2>/dev/null
all=$(grep -c '"kind":"alert"' "$WS_TMP/all.json")
sum=$(cat "$WS_TMP"/*.evtx.json | grep -c '"kind":"alert"')
[ "$all" -eq "$sum" ]
check "whole corpus folder at once: $all alerts, as file by file ($sum)" $?

# legacy EVT (XP/2003): read cleanly, no alert (none of them holds Kwampirs or
# a remote service install: 7035/7036 of ordinary services only)
evt=${WS_CORPUS}/evt
if [ -d "$evt" ]; then
    while IFS= read -r -d '' path; do
        b=$(basename "$path")
        "$WS" logs --json "$path" >"$WS_TMP/$b.json" 2>&1
        rc=$?
        s=$($CHECK summary "$WS_TMP/$b.json")
        objs=$(grep -o '"objects":[0-9]*' "$WS_TMP/$b.json" | cut -d: -f2)
        [ $rc -eq 0 ] && [ "$s" = "exit=0" ] && [ "${objs:-0}" -gt 0 ]
        check "EVT $b: $objs records, no error, no alert" $?
    done < <(find "$evt" -type f \( -iname '*.evt' \) -print0 | sort -z)
    # a user rule on XP's positional strings, counted against a python filter
    # over `logs dump` of the same file
    xp="$evt/plaso/SysEvent.Evt"
    if [ -f "$xp" ]; then
        printf '%s\n' 'rule = xp.google' 'match EventID equals 7035' \
            'match Provider iequals Service Control Manager' \
            'match param1 icontains Google Update' >"$WS_TMP/xp-event-rules.txt"
        "$WS" logs --json --no-default-pack --pack "$WS_TMP/xp-event-rules.txt" "$xp" \
            >"$WS_TMP/xp.json" 2>&1
        got=$(grep -c '"id":"xp.google".*"source":"evt"' "$WS_TMP/xp.json")
        want=$("$WS" logs dump --json "$xp" | "$PY" -c '
import json, sys
n = 0
for line in sys.stdin:
    d = json.loads(line)
    if (d.get("event_id") == 7035 and d.get("provider", "").lower() == "service control manager"
            and "google update" in d["fields"].get("param1", "").lower()):
        n += 1
print(n)')
        [ "$got" -eq "$want" ] && [ "$got" -gt 0 ]
        check "EVT SysEvent.Evt: a param1 rule fires on $got records, as a python filter counts ($want)" $?
    fi
else
    echo "SKIP EVT part: no \$WS_CORPUS/evt"
fi

if [ $checks_failed -eq 0 ] && [ $skipped -ne 0 ]; then
    exit 77
fi
exit $checks_failed

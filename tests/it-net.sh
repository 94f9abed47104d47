#!/bin/bash
# it-net.sh - `wormsign net` against the real captures of the corpus
# (pcap/SOURCES in $WS_CORPUS/SOURCES.md), damaged copies of them, and,
# when tshark is installed, a differential check of the files rebuilt from
# SMB writes against `tshark --export-objects smb`.
#
# Expected results are listed per capture below: exit status and the set of
# ALERT rule ids. The PsExec capture must name PSEXESVC.exe with the SHA-256
# the corpus lists for the carved file (fuzzy/derived/pcap_carved_objects.tsv,
# computed by the corpus builders with other tools).
set -u
: "${WS:?WS must name the wormsign binary}"
: "${WS_TMP:?}"
P=${WS_CORPUS:-}/pcap
if [ ! -d "$P" ]; then
    echo "skip: capture corpus not found at $P"
    exit 77
fi
if ! command -v jq >/dev/null; then
    echo "skip: jq is not installed"
    exit 77
fi
mkdir -p "$WS_TMP"
if "$WS" net "$P/zeek/SMBGhost.pcap" 2>&1 | grep -q "built without libpcap"; then
    echo "skip: wormsign was built without libpcap"
    exit 77
fi
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
# any(FILTER, FILE): does some record of the NDJSON file match? (jq 1.6's -e
# looks only at the last input, so count the matches instead)
any() {
    jq -c "select($1)" "$2" 2>/dev/null | grep -q .
}

# ---- 1. expected findings per capture ----
# file | exit | alert rule ids (sorted, comma-separated; - for none)
while read -r file want_rc want_rules; do
    [ -z "$file" ] && continue
    out="$WS_TMP/$(basename "$file").ndjson"
    "$WS" net --json "$P/$file" >"$out" 2>"$out.err"
    rc=$?
    if [ -s "$out" ] && ! jq -c . "$out" >/dev/null 2>&1; then
        fail "$file: output is not NDJSON"
    fi
    got=$(jq -r 'select(.event.kind=="alert") | .rule.id' "$out" | sort -u | paste -sd, -)
    [ -n "$got" ] || got=-
    [ "$rc" = "$want_rc" ] || fail "$file: exit $rc, expected $want_rc"
    [ "$got" = "$want_rules" ] || fail "$file: alerts '$got', expected '$want_rules'"
done <<'EOF'
suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap 1 net.lateral.admin_share_service,net.svcctl.create_service
suricata-verify/dcerpc-dce-iface-01__20171220_smb_psexec_mimikatz_ticket_dump-s2.pcap 1 net.svcctl.create_service
security-datasets/empire_psexec_dcerpc_tcp_svcctl_WORKSTATION6_2020-09-20121608.cap 1 net.svcctl.create_service
security-datasets/covenant_sc_query_dcerpc_smb_svcctl_2020-08-05034820.cap 2 -
security-datasets/covenant_sharpsc_start_dcerpc_smb_svcctl_2020-08-06030120.cap 2 -
security-datasets/covenant_copy_smb_CreateRequest_2020-09-22145302.cap 0 -
security-datasets/empire_shell_dcerpc_smb_service_dll_hijack_2020-09-21232839.cap 0 -
suricata-verify/smb2-06__20171220_smb_net_user.pcap 0 -
suricata-verify/smb2-04__20171220_smb_at_schedule.pcap 1 net.atsvc.job_add
suricata-verify/smb-dce_iface__input.pcap 0 -
suricata-verify/smb-eicar-file__input.pcap 0 -
suricata-verify/smb1-01__smb1.pcap 0 -
suricata-verify/smb2-delete__input.pcap 0 -
suricata-verify/smb3-01__input.pcap 0 -
suricata-verify/dcerpc-zerologon__input.pcap 0 -
suricata-verify/dns-eve__input.pcap 0 -
zeek/smb2_100_small_files.pcap 0 -
zeek/smb2readwrite.pcap 0 -
zeek/smb2-multiple-pdus.pcap 0 -
zeek/smb2-zero-byte-error-ioctl.pcapng 0 -
zeek/smb311.pcap 0 -
zeek/SMBGhost.pcap 0 -
zeek/raw_ntlm_in_smb.pcap 0 -
zeek/dce-rpc__20-fids.pcap 0 -
zeek/dce-rpc__dce_rpc_ntlm.pcapng 0 -
zeek/dce-rpc__bind-ack-no-inband-null.pcap 0 -
zeek/dce-rpc__cs_window7-join_stream092.pcap 0 -
zeek/fragment-state-exhaustion.pcap 0 -
zeek/smb1-OSS-fuzz-54883.pcap 2 -
EOF

# ---- 2. the PsExec capture in detail ----
ps="$WS_TMP/smb2-07__20171220_smb_psexec_add_user.pcap.ndjson"
want_sha=141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944
tsv="$WS_CORPUS/fuzzy/derived/pcap_carved_objects.tsv"
if [ -f "$tsv" ]; then
    # take the expected hash from the corpus' own carving table when present
    t=$(awk -F'\t' '$1 ~ /smb2-07__/ {print $4}' "$tsv")
    [ -n "$t" ] && want_sha=$t
fi
lat=$(jq -c 'select(.rule.id=="net.lateral.admin_share_service")' "$ps")
[ "$(printf '%s\n' "$lat" | grep -c .)" = 1 ] || fail "psexec: expected exactly one lateral-movement finding"
[ "$(jq -r '.file.name' <<<"$lat")" = PSEXESVC.exe ] || fail "psexec: file.name is not PSEXESVC.exe"
[ "$(jq -r '.file.hash.sha256' <<<"$lat")" = "$want_sha" ] || fail "psexec: sha256 is not $want_sha"
[ "$(jq -r '.file.size' <<<"$lat")" = 145568 ] || fail "psexec: file.size is not 145568"
[ "$(jq -r '.service.name' <<<"$lat")" = PSEXESVC ] || fail "psexec: service.name"
[ "$(jq -r '.source.ip' <<<"$lat")" = 192.168.10.31 ] || fail "psexec: source.ip"
[ "$(jq -r '.destination.ip' <<<"$lat")" = 192.168.10.10 ] || fail "psexec: destination.ip"
[ "$(jq -r '.network.protocol' <<<"$lat")" = smb2 ] || fail "psexec: network.protocol"
[ "$(jq -r '.wormsign.evidence.binary_path' <<<"$lat")" = '%SystemRoot%\PSEXESVC.exe' ] ||
    fail "psexec: binary path"
[ "$(jq -r '.wormsign.evidence.start_type' <<<"$lat")" = demand ] || fail "psexec: start type"
[ "$(jq -r '.wormsign.evidence.started' <<<"$lat")" = true ] || fail "psexec: StartService not linked"
[ "$(jq -r '.log.file.path' <<<"$lat")" = "$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap" ] ||
    fail "psexec: path is not the capture"
if command -v tshark >/dev/null; then
    # the frame of the create-service request: tshark sees opnum 45 there
    f45=$(tshark -r "$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap" \
        -Y 'dcerpc.opnum==45 && dcerpc.pkt_type==0' -T fields -e frame.number 2>/dev/null | head -1)
    frames=$(jq -r '.wormsign.evidence.frames' <<<"$lat")
    [ "${frames%%,*}" = "$f45" ] || fail "psexec: first frame $frames, tshark says $f45"
fi
n=$(jq -r 'select(.rule.id=="net.svcctl.create_service") | .service.name' "$ps" | grep -c .)
[ "$n" = 1 ] || fail "psexec: $n service creations, expected 1"

# ---- 3. negative controls (SOURCES.md): no service creation at all ----
for f in security-datasets/covenant_sc_query_dcerpc_smb_svcctl_2020-08-05034820.cap \
    suricata-verify/smb2-06__20171220_smb_net_user.pcap \
    suricata-verify/smb2-04__20171220_smb_at_schedule.pcap zeek/smb2_100_small_files.pcap; do
    out="$WS_TMP/$(basename "$f").ndjson"
    if any '.rule.id=="net.svcctl.create_service"' "$out"; then
        fail "negative control $f gave a service creation"
    fi
done

# ---- 3b. the at.exe capture: NetrJobAdd over NDR64, command as tshark decodes it ----
at="$WS_TMP/smb2-04__20171220_smb_at_schedule.pcap.ndjson"
[ "$(jq -r 'select(.rule.id=="net.atsvc.job_add") | .wormsign.evidence.command' "$at")" = 'c:\mimikatz.exe' ] ||
    fail "at_schedule: job command"

# ---- 4. damaged captures: error records, never a crash ----
src="$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap"
size=$(stat -c %s "$src")
for n in 1 23 30 100 4000 100000 200000 $((size - 1)); do
    d="$WS_TMP/head$n.pcap"
    head -c "$n" "$src" >"$d"
    "$WS" net --json "$d" >"$d.out" 2>&1
    rc=$?
    [ "$rc" -le 2 ] || fail "head -c $n: exit $rc (crash?)"
    any '.event.type=="error"' "$d.out" ||
        fail "head -c $n: no error record"
    [ "$rc" -ge 1 ] || fail "head -c $n: exit 0 despite truncation"
done
# garbled: overwrite blocks inside the capture (records and payloads)
for off in 24 40 5000 30000 150000; do
    for pat in zero ff rand; do
        d="$WS_TMP/garble-$off-$pat.pcap"
        cp "$src" "$d"
        chmod u+w "$d"
        case $pat in
        zero) dd if=/dev/zero of="$d" bs=1 seek="$off" count=512 conv=notrunc 2>/dev/null ;;
        ff) head -c 512 /dev/zero | tr '\0' '\377' | dd of="$d" bs=1 seek="$off" conv=notrunc 2>/dev/null ;;
        rand) head -c 512 /dev/urandom | dd of="$d" bs=1 seek="$off" conv=notrunc 2>/dev/null ;;
        esac
        "$WS" net --json "$d" >"$d.out" 2>&1
        rc=$?
        [ "$rc" -le 2 ] || fail "garbled at $off ($pat): exit $rc (crash?)"
        if [ -s "$d.out" ] && ! jq -c . "$d.out" >/dev/null 2>&1; then
            fail "garbled at $off ($pat): output is not NDJSON"
        fi
    done
done
# not a capture at all, and a missing file
"$WS" net --json "$0" >"$WS_TMP/notpcap.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "a shell script as capture: exit $rc, expected 2"
any '.rule.id=="net.error.open"' "$WS_TMP/notpcap.out" ||
    fail "a shell script as capture: no net.error.open record"
"$WS" net --json "$WS_TMP/does-not-exist.pcap" >"$WS_TMP/missing.out" 2>&1
[ $? = 2 ] || fail "missing capture: exit status not 2"

# usage
"$WS" net --help >"$WS_TMP/help.out" 2>&1 || fail "net --help: non-zero exit"
grep -q "wormsign net" "$WS_TMP/help.out" || fail "net --help: no usage text"
"$WS" net >/dev/null 2>&1
[ $? = 2 ] || fail "net without captures: exit status not 2"
"$WS" net --bogus-option x >/dev/null 2>&1
[ $? = 2 ] || fail "net with an unknown option: exit status not 2"

# ---- 5. differential: rebuilt files against tshark's SMB object export ----
if command -v tshark >/dev/null; then
    for f in suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap \
        security-datasets/covenant_copy_smb_CreateRequest_2020-09-22145302.cap \
        security-datasets/empire_shell_dcerpc_smb_service_dll_hijack_2020-09-21232839.cap \
        suricata-verify/smb-eicar-file__input.pcap; do
        b=$(basename "$f")
        ex="$WS_TMP/export-$b"
        rm -rf "$ex"
        mkdir -p "$ex"
        tshark -r "$P/$f" -Q --export-objects "smb,$ex" >/dev/null 2>&1
        (cd "$ex" && sha256sum -- * 2>/dev/null) | sed 's/%5c/\\/g' >"$ex.sums"
        "$WS" net --files-tsv "$WS_TMP/$b.files" "$P/$f" >/dev/null 2>&1
        [ -s "$WS_TMP/$b.files" ] || fail "$f: no file rebuilt"
        while IFS=$'\t' read -r sha sz cli srv share name; do
            base=${name##*\\}
            if ! grep -q "^$sha  .*$base" "$ex.sums"; then
                fail "$f: rebuilt $name ($sha) not among tshark's exported objects"
            fi
        done <"$WS_TMP/$b.files"
    done
else
    echo "note: tshark not installed; differential check skipped"
fi

# ---- 5b. differential: every create-service request tshark sees, on every
# capture of the corpus, is one of our service creations (same frame, same
# opnum), and none of ours is missing from tshark's; where tshark decodes the
# arguments (not sealed, an opnum it knows), name, display name and binary
# path are the same ----
if command -v tshark >/dev/null; then
    while IFS= read -r -d '' f; do
        b=$(basename "$f")
        ts=$(tshark -r "$f" -Y 'dcerpc.pkt_type == 0 && (svcctl.opnum == 12 ||
                svcctl.opnum == 24 || svcctl.opnum == 44 || svcctl.opnum == 45)' \
            -T fields -E separator=/t -e frame.number -e svcctl.opnum -e svcctl.servicename \
            -e svcctl.displayname -e svcctl.binarypathname 2>/dev/null | sort)
        "$WS" net --json "$f" >"$WS_TMP/diff-$b.ndjson" 2>/dev/null
        ours=$(jq -r 'select(.rule.id == "net.svcctl.create_service") |
                [(.wormsign.evidence.frames | split(",")[0]), (.wormsign.evidence.opnum | tostring),
                 (.service.name // ""), (.wormsign.evidence.display_name // ""),
                 (.wormsign.evidence.binary_path // "")] | @tsv' "$WS_TMP/diff-$b.ndjson" |
            sed 's/\\\\/\\/g' | sort)
        [ "$(cut -f1,2 <<<"$ts")" = "$(cut -f1,2 <<<"$ours")" ] ||
            fail "$b: create-service requests differ from tshark's: tshark [$ts] ours [$ours]"
        while IFS=$'\t' read -r fr op name disp bin; do
            [ -n "$name" ] || continue # tshark could not decode the arguments
            want=$(printf '%s\t%s\t%s\t%s\t%s' "$fr" "$op" "$name" "$disp" "$bin")
            grep -qxF -- "$want" <<<"$ours" ||
                fail "$b: frame $fr: tshark decodes '$name' '$disp' '$bin', we do not"
        done <<<"$ts"
        diffed=$((${diffed:-0} + 1))
    done < <(find "$P" -type f \( -name '*.pcap' -o -name '*.cap' -o -name '*.pcapng' \) -print0)
    echo "create-service differential against tshark: ${diffed:-0} captures"
fi

# the file rebuilt from the PsExec writes goes through the per-file pipeline:
# a user hash pack naming its SHA-256 and a YARA rule on its PE header both fire
# on \\dc1\ADMIN$\PSEXESVC.exe, with the client and server addresses
echo "141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944;80;PsExec service binary" \
    >"$WS_TMP/psexec-hash-iocs.txt"
printf 'rule Rebuilt_PE { meta: score = 60 condition: uint16(0) == 0x5A4D }\n' \
    >"$WS_TMP/psexec.yar"
"$WS" net --json --pack "$WS_TMP/psexec-hash-iocs.txt" --pack "$WS_TMP/psexec.yar" \
    "$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap" >"$WS_TMP/rebuilt.out" 2>&1
for rs in hash yara; do
    r=$(jq -c "select(.rule.ruleset==\"$rs\")" "$WS_TMP/rebuilt.out" | head -1)
    [ -n "$r" ] || { fail "rebuilt file: no $rs finding"; continue; }
    [ "$(jq -r '.file.path' <<<"$r")" = '\\dc1\ADMIN$\PSEXESVC.exe' ] || fail "rebuilt file: path"
    [ "$(jq -r '.source.ip + " " + .destination.ip' <<<"$r")" = "192.168.10.31 192.168.10.10" ] ||
        fail "rebuilt file: addresses"
    [ "$(jq -r '.file.hash.sha256' <<<"$r")" = 141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944 ] ||
        fail "rebuilt file: sha256"
done

# a copy seen only in part (one write request cut out of the capture) is
# still checked by name: the file-name IOC fires, marked partly_captured,
# without a hash; the whole capture gives the same IOC with the SHA-256
if command -v editcap > /dev/null; then
    printf 'PSEXESVC\\.exe;80\n' > "$WS_TMP/psexec-names.txt"
    editcap "$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap" \
        "$WS_TMP/psexec-part.pcap" 36 || fail "editcap failed"
    "$WS" net --json --pack "$WS_TMP/psexec-names.txt" "$WS_TMP/psexec-part.pcap" \
        > "$WS_TMP/part.out" 2>&1
    r=$(jq -c 'select(.rule.ruleset == "name")' "$WS_TMP/part.out")
    [ "$(jq -r '.file.path' <<< "$r")" = '\\dc1\ADMIN$\PSEXESVC.exe' ] ||
        fail "partly captured file: no name finding ($r)"
    [ "$(jq -r '.wormsign.evidence.partly_captured' <<< "$r")" = true ] ||
        fail "partly captured file: not marked partly_captured"
    [ "$(jq -r '.file.hash.sha256' <<< "$r")" = null ] || fail "partly captured file: a hash?"
    "$WS" net --json --pack "$WS_TMP/psexec-names.txt" \
        "$P/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap" > "$WS_TMP/whole.out" 2>&1
    [ "$(jq -r 'select(.rule.ruleset == "name") | .file.hash.sha256' "$WS_TMP/whole.out")" = \
        141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944 ] ||
        fail "whole file: name finding without the rebuilt file's SHA-256"
fi

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all net checks passed"
exit 0

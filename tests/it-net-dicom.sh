#!/bin/sh
# it-net-dicom.sh - `wormsign net` keeps a host inventory: DICOM roles (SCU
# calling, SCP called and answering), AE titles, SOP classes and modalities,
# SMB dialects, SMB1-only hosts and SMB1 NativeOS; alerts against an imaging
# workstation on XP say so.
#
# The capture is written by tests/gen_dicom_pcap.py (stdlib Python; see its
# header for the hosts). Checked: the exact inventory (one net.inventory.host
# per notable host, no more), the error findings on the truncated and the
# garbled PDU at their frames, nothing from the traps (not DICOM on port 104,
# an RQ with another application context on an odd port), the Kwampirs alerts
# against 10.5.0.10 carrying wormsign.server.role/era and the phrase; and,
# when tshark is installed, its DICOM dissector's reading of AE titles,
# abstract syntaxes and implementation UIDs against ours.
. "$WS_SRC/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
mkdir -p "$WS_TMP"
if "$WS" net "$WS_TMP/none.pcap" 2>&1 | grep -q "built without libpcap"; then
    skip "wormsign was built without libpcap"
fi
cap="$WS_TMP/dicom.pcap"
domain=$(grep -v '^#' "$WS_SRC/packs/kwampirs/c2-iocs.txt" | cut -d';' -f1 | grep '[a-z]' |
    grep -v '^[0-9.]*$' | sed -n 1p)
[ -n "$domain" ] || fail "no C2 domain in the pack"
"$PY" "$WS_SRC/tests/gen_dicom_pcap.py" "$cap" "$domain" >"$WS_TMP/labels" ||
    fail "capture writer failed"
fr() { awk -v l="$1" '$1 == l {print $2}' "$WS_TMP/labels"; }

out="$WS_TMP/dicom.ndjson"
"$WS" net --json "$cap" >"$out" 2>"$WS_TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "exit $rc, expected 1 ($(cat "$WS_TMP/err"))"

# ---- 1. the exact inventory ----
jq -r 'select(.rule.id=="net.inventory.host") | .wormsign.host as $h |
    [.host.ip, .host.name, $h.role, $h.era, $h.os, $h.smb.dialects_offered,
     $h.smb.dialects_accepted, $h.smb.smb1_only, $h.dicom.role, $h.dicom.scp_ae_titles,
     $h.dicom.scu_ae_titles, $h.dicom.modalities, $h.dicom.associations_requested,
     $h.dicom.associations_accepted, $h.dicom.associations_rejected] |
    map(. // "-" | tostring) | join("|")' "$out" | sort >"$WS_TMP/got"
sort >"$WS_TMP/want" <<'EOF'
10.5.0.10|10.5.0.10|imaging|xp|Windows 5.1|-|SMB1|server|scu|-|MR_CONSOLE|MR,verification|1|-|-
10.5.0.20|10.5.0.20|imaging|-|-|-|-|-|scp|PACS_ARCHIVE|-|MR,verification|-|1|0
10.5.0.11|10.5.0.11|imaging|-|-|-|-|-|scu|-|CT_SCANNER|CT|1|-|-
10.5.0.21|10.5.0.21|imaging|-|-|-|-|-|scp|PACS_2|-|-|-|0|1
10.5.0.12|10.5.0.12|imaging|-|-|-|-|-|scu|-|ECHOSCU|verification|1|-|-
10.5.0.22|10.5.0.22|imaging|-|-|-|-|-|scp|STORESCP|-|verification|-|1|0
10.5.0.15|10.5.0.15|imaging|-|-|-|-|-|scu|-|DX_ROOM1|DX|1|-|-
10.5.0.31|10.5.0.31|-|2000|Windows 2000 2195|SMB1|-|client|-|-|-|-|-|-|-
10.5.0.41|10.5.0.41|-|-|-|-|SMB1|-|-|-|-|-|-|-|-
EOF
if ! cmp -s "$WS_TMP/got" "$WS_TMP/want"; then
    diff "$WS_TMP/want" "$WS_TMP/got"
    fail "inventory differs from the expected one"
fi
# accepted SOP classes only on the SCP; implementation of each side
f=$(jq -c 'select(.host.ip=="10.5.0.20") | .wormsign.host.dicom |
    [.sop_classes, .implementation_class_uid, .implementation_version]' "$out")
[ "$f" = '["1.2.840.10008.5.1.4.1.1.4,1.2.840.10008.1.1","1.2.276.0.7230010.3.0.3.6.7","OFFIS_DCMTK_367"]' ] ||
    fail "PACS SOP classes / implementation: $f"
f=$(jq -c 'select(.host.ip=="10.5.0.10") | .wormsign.host | [.lanman, .dicom.implementation_version]' "$out")
[ "$f" = '["Windows 2000 LAN Manager","GDCM 2.8.4"]' ] || fail "MR console details: $f"

# ---- 2. errors at their frames, nothing else ----
jq -r 'select(.event.kind=="error" or (.rule.id // "" | startswith("net.error"))) |
    "\(.rule.id) \(.wormsign.evidence.frame)"' "$out" | sort >"$WS_TMP/got"
printf 'net.error.dicom %s\nnet.error.dicom %s\n' "$(fr dicom_truncated)" "$(fr dicom_garbled)" |
    sort >"$WS_TMP/want"
cmp -s "$WS_TMP/got" "$WS_TMP/want" || fail "errors: $(paste -sd' ' "$WS_TMP/got")"
for trap in 10.5.0.13 10.5.0.23 10.5.0.16 10.5.0.26 10.5.0.14 10.5.0.24 10.5.0.25 10.5.0.99; do
    jq -r '.host.ip // empty' "$out" | grep -qx "$trap" && fail "inventory lists $trap"
done

# ---- 3. alerts against the XP imaging workstation say so ----
n=$(jq -r 'select(.event.kind=="alert" and .destination.ip=="10.5.0.10" and (.rule.id|startswith("net."))) |
    [.wormsign.server.role, .wormsign.server.era, .wormsign.server.dicom.ae_title,
     (.message | contains("(server 10.5.0.10: imaging workstation, XP-era)"))] |
    map(tostring) | join(" ")' "$out" | sort | uniq -c | awk '{$1=$1; print}')
[ "$n" = "3 imaging xp MR_CONSOLE true" ] || fail "annotated alerts: $n"
jq -r '.rule.id // empty' "$out" | grep -qx net.kwampirs.service || fail "no Kwampirs alert"
# the C2 query of the MR console, seen after its DICOM and SMB traffic
f=$(jq -c 'select(.rule.id=="net.c2.dns.domain") | [.source.ip, .wormsign.evidence.frame,
    .wormsign.client.role, .wormsign.client.era,
    (.message | contains("(client 10.5.0.10: imaging workstation, XP-era)"))]' "$out")
[ "$f" = '["10.5.0.10",'"$(fr dns_c2)"',"imaging","xp",true]' ] || fail "C2 alert: $f"

# ---- 4. tshark's DICOM dissector reads the same AE titles and UIDs ----
if command -v tshark >/dev/null 2>&1; then
    tshark -r "$cap" -d tcp.port==104,dicom -d tcp.port==11112,dicom -d tcp.port==4242,dicom \
        -Y 'dicom.pdu.type' -T fields -E separator='|' -e ip.src -e ip.dst -e dicom.pdu.type \
        -e dicom.assoc.ae.called -e dicom.assoc.ae.calling -e dicom.pctx.abss.syntax \
        -e dicom.userinfo.uid 2>/dev/null |
        grep -v -e '^10\.5\.0\.1[46]|' -e '^10\.5\.0\.2[46]|' >"$WS_TMP/ts"
    [ -s "$WS_TMP/ts" ] || fail "tshark reads no DICOM PDU"
    # SCU: calling AE and proposed abstract syntaxes (UIDs inside the parentheses)
    awk -F'|' '$3=="0x01" {gsub(/ +$/, "", $5); u=$6; s="";
        while (match(u, /\([0-9.]+\)/)) { s = s (s ? "," : "") substr(u, RSTART+1, RLENGTH-2);
            u = substr(u, RSTART+RLENGTH) }
        print $1 "|" $5 "|" s "|" $7}' "$WS_TMP/ts" | sort >"$WS_TMP/ts.scu"
    jq -r 'select(.rule.id=="net.inventory.host" and (.wormsign.host.dicom.role // "" | contains("scu"))) |
        [.host.ip, .wormsign.host.dicom.scu_ae_titles, .wormsign.host.dicom.sop_classes,
         (.wormsign.host.dicom.implementation_class_uid // "")] | join("|")' "$out" |
        sort >"$WS_TMP/ws.scu"
    cmp -s "$WS_TMP/ts.scu" "$WS_TMP/ws.scu" || {
        diff "$WS_TMP/ts.scu" "$WS_TMP/ws.scu"
        fail "SCUs differ from tshark's reading"
    }
    # SCP: the called AE of each RQ whose called host answered AC or RJ
    awk -F'|' '$3=="0x01" {gsub(/ +$/, "", $4); called[$2] = $4}
        $3=="0x02" || $3=="0x03" {answered[$1] = 1}
        END {for (h in answered) print h "|" called[h]}' "$WS_TMP/ts" | sort >"$WS_TMP/ts.scp"
    jq -r 'select(.rule.id=="net.inventory.host" and (.wormsign.host.dicom.role // "" | contains("scp"))) |
        [.host.ip, .wormsign.host.dicom.scp_ae_titles] | join("|")' "$out" | sort >"$WS_TMP/ws.scp"
    cmp -s "$WS_TMP/ts.scp" "$WS_TMP/ws.scp" || {
        diff "$WS_TMP/ts.scp" "$WS_TMP/ws.scp"
        fail "SCPs differ from tshark's reading"
    }
    # SMB1 NativeOS as tshark reads it
    tshark -r "$cap" -Y 'smb.native_os' -T fields -E separator='|' -e ip.src -e smb.native_os \
        2>/dev/null | sort -u >"$WS_TMP/ts.os"
    jq -r 'select(.wormsign.host.os) | [.host.ip, .wormsign.host.os] | join("|")' "$out" |
        sort >"$WS_TMP/ws.os"
    cmp -s "$WS_TMP/ts.os" "$WS_TMP/ws.os" || {
        diff "$WS_TMP/ts.os" "$WS_TMP/ws.os"
        fail "NativeOS differs from tshark's reading"
    }
else
    echo "note: tshark absent, DICOM oracle skipped"
fi

# ---- 5. corpus captures: no DICOM there (SOURCES.md lists none); no inventory noise ----
P=${WS_CORPUS:-}/pcap/suricata-verify/smb2-07__20171220_smb_psexec_add_user.pcap
if [ -f "$P" ]; then
    "$WS" net --json "$P" >"$WS_TMP/psexec.ndjson" 2>/dev/null
    jq -r 'select(.rule.id=="net.inventory.host") | .wormsign.host.role // empty' \
        "$WS_TMP/psexec.ndjson" | grep -q imaging && fail "PsExec capture: an imaging host"
fi
pass

#!/bin/bash
# Integration: `wormsign net` on captures this test makes itself. A real
# Samba server (Debian smbd, tests/smbd-lib.sh) on 127.0.0.1 and a high port,
# with a writable ADMIN$ and the account wsadmin; a real client (Debian
# python3-impacket, tests/impacket_lateral.py) logs in with NTLM, copies a
# random stand-in for the Kwampirs dropper (wmiapsrvex.exe) to
# ADMIN$\System32, binds \pipe\svcctl and calls ROpenSCManagerW and
# RCreateServiceW with the Kwampirs service name, display name and a binary
# path naming the copied file; tcpdump captures it on lo. Samba answers the
# create call with an RPC fault (it does not run services), but the request
# is on the wire: that is what the detectors read.
# Two runs: SMB 2.1 (Samba 4.17 encrypts SMB3 sessions of real users, so
# the server is capped at SMB2_10 to keep the capture readable) and SMB1 (the
# server speaks only NT1, as XP does; the client offers SMB1 and SMB2).
# Checks, per run: exit status 1; net.svcctl.create_service and
# net.kwampirs.service with the three names; net.lateral.admin_share_service
# naming the file with client, server, account wsadmin and frames; the
# rebuilt file's SHA-256 equals that of the file the client sent (and of the
# copy Samba stored); the file-name IOC fires on the rebuilt file; for SMB1,
# net.smb1.only for the server. Frame numbers and svcctl fields are
# cross-checked against tshark's own decoding where tshark has one.
# Needs root (tcpdump on lo), tcpdump, smbd, impacket, jq; else skip (77).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smbd-lib.sh"
[ "$(id -u)" = 0 ] || skip "capturing on lo with tcpdump needs root"
TCPDUMP=$(command -v tcpdump || true)
[ -n "$TCPDUMP" ] || skip "tcpdump not installed: apt-get install tcpdump"
[ -x "$SMBD" ] || skip "samba (smbd) not installed: apt-get install samba"
[ -x "$SMBPASSWD" ] || skip "smbpasswd not installed: apt-get install samba-common-bin"
PY=/usr/bin/python3 # Debian's interpreter: python3-impacket lives there
[ -x "$PY" ] && "$PY" -c 'import impacket.smbconnection' 2> /dev/null ||
    skip "impacket not installed for /usr/bin/python3: apt-get install python3-impacket"
command -v jq > /dev/null || skip "jq not installed"
if "$WS" net /dev/null 2>&1 | grep -q "built without libpcap"; then
    skip "wormsign was built without libpcap"
fi
HAVE_TSHARK=0
command -v tshark > /dev/null && HAVE_TSHARK=1

rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
TCPDUMP_PID=""
cleanup() {
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2> /dev/null
        wait "$TCPDUMP_PID" 2> /dev/null
    fi
    for d in "$WS_TMP"/run-*; do [ -d "$d" ] && smb_stop "$d"; done
}
trap cleanup EXIT

fails=0
bad() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
# any FILTER FILE: does a record of the NDJSON file match? (jq 1.6: count, not -e)
any() { jq -c "select($1)" "$2" 2> /dev/null | grep -q .; }

PW="Smb-$$-$RANDOM-pw7"
SRVNAME=WARD7-XRAY # the server name the client sends in OpenSCManagerW
FILE=wmiapsrvex.exe
BINPATH="%SystemRoot%\\System32\\$FILE"
PAYLOAD="$WS_TMP/$FILE"
head -c $((300000 + RANDOM)) /dev/urandom > "$PAYLOAD"
SHA=$(sha256sum "$PAYLOAD" | cut -d' ' -f1)

# start_capture PORT FILE: tcpdump on lo; returns once it is capturing
start_capture() {
    "$TCPDUMP" -i lo --immediate-mode -U -n -s 0 -w "$2" "tcp port $1" 2> "$2.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on" "$2.log" 2> /dev/null && return 0
        kill -0 "$TCPDUMP_PID" 2> /dev/null || break
        sleep 0.1
    done
    cat "$2.log"
    return 1
}
# stop_capture FILE: once the capture file stops growing, SIGINT, and wait
# (tcpdump drops what it has not read yet when interrupted)
stop_capture() {
    local last=-1 now same=0
    for _ in $(seq 1 50); do
        now=$(stat -c %s "$1" 2> /dev/null || echo 0)
        if [ "$now" = "$last" ]; then
            same=$((same + 1))
            [ $same -ge 3 ] && break
        else
            same=0
        fi
        last=$now
        sleep 0.1
    done
    kill -INT "$TCPDUMP_PID" 2> /dev/null
    for _ in $(seq 1 50); do kill -0 "$TCPDUMP_PID" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$TCPDUMP_PID" 2> /dev/null
    wait "$TCPDUMP_PID" 2> /dev/null
    TCPDUMP_PID=""
}

# run MODE VARIANT MINPROTO MAXPROTO: one server, one client session, one capture
run() {
    local mode=$1 variant=$2 minp=$3 maxp=$4 d="$WS_TMP/run-$1-$2" tag="$1/$2"
    local port=$((20000 + RANDOM % 20000))
    local cap="$d.pcap" out="$d.ndjson"
    mkdir -p "$d/admin/System32"
    smb_conf "$d" 127.0.0.1 "$port" "$minp" "$maxp"
    smb_share "$d" 'ADMIN$' "$d/admin" rw
    smb_user "$d" "$PW" || skip "smbpasswd cannot add the test account"
    smb_start "$d" || { bad "$tag: smbd does not start (see $d/log)"; return; }
    start_capture "$port" "$cap" || { bad "$tag: tcpdump does not start"; return; }
    timeout 40 "$PY" "$WS_SRC/tests/impacket_lateral.py" 127.0.0.1 "$port" "$SRVNAME" wsadmin \
        "$PW" "$mode" "$variant" "$PAYLOAD" "System32\\$FILE" "$BINPATH" > "$d/client.out" 2> "$d/client.err"
    local crc=$?
    stop_capture "$cap"
    grep -q "^0 packets dropped" "$cap.log" || bad "$tag: tcpdump dropped packets: $(cat "$cap.log")"
    smb_stop "$d"
    echo "$tag client: $(cat "$d/client.out")"
    if [ $crc != 0 ]; then
        bad "$tag: client exit $crc: $(tail -3 "$d/client.err")"
        return
    fi
    # the copy really reached the share (independent of the capture)
    [ "$(sha256sum < "$d/admin/System32/$FILE" | cut -d' ' -f1)" = "$SHA" ] ||
        bad "$tag: Samba's copy of the file differs from what the client sent"

    "$WS" net --json "$cap" > "$out" 2> "$out.err"
    local rc=$?
    [ $rc = 1 ] || bad "$tag: wormsign net exit $rc, expected 1 ($(head -3 "$out.err"))"
    jq -c . "$out" > /dev/null 2>&1 || bad "$tag: output is not NDJSON"
    if any '.event.kind=="error" or .event.type=="error"' "$out"; then
        bad "$tag: error records: $(jq -c 'select(.event.kind=="error" or .event.type=="error") | .message' "$out" | head -3)"
    fi

    # service creation and the Kwampirs service, with the names sent
    local cs kw lat
    cs=$(jq -c 'select(.rule.id=="net.svcctl.create_service")' "$out")
    kw=$(jq -c 'select(.rule.id=="net.kwampirs.service")' "$out")
    lat=$(jq -c 'select(.rule.id=="net.lateral.admin_share_service")' "$out")
    [ "$(grep -c . <<< "$cs")" = 1 ] || bad "$tag: expected one net.svcctl.create_service"
    [ "$(grep -c . <<< "$kw")" = 1 ] || bad "$tag: expected one net.kwampirs.service"
    [ "$(grep -c . <<< "$lat")" = 1 ] || bad "$tag: expected one net.lateral.admin_share_service"
    for r in "$cs" "$kw" "$lat"; do
        [ -n "$r" ] || continue
        local id
        id=$(jq -r '.rule.id' <<< "$r")
        [ "$(jq -r '.service.name' <<< "$r")" = WmiApSrvEx ] || bad "$tag $id: service.name"
        [ "$(jq -r '.wormsign.evidence.display_name' <<< "$r")" = "WMI Performance Adapter Extension" ] ||
            bad "$tag $id: display name"
        [ "$(jq -r '.wormsign.evidence.binary_path' <<< "$r")" = "$BINPATH" ] ||
            bad "$tag $id: binary path $(jq -r '.wormsign.evidence.binary_path' <<< "$r")"
        [ "$(jq -r '.wormsign.evidence.start_type' <<< "$r")" = auto ] || bad "$tag $id: start type"
        [ "$(jq -r '.user.name' <<< "$r")" = wsadmin ] || bad "$tag $id: user.name"
        [ "$(jq -r '.source.ip + " " + .destination.ip' <<< "$r")" = "127.0.0.1 127.0.0.1" ] ||
            bad "$tag $id: addresses"
        [ "$(jq -r '.destination.port' <<< "$r")" = "$port" ] || bad "$tag $id: destination.port"
        [ "$(jq -r '.wormsign.evidence.opnum' <<< "$r")" = 12 ] || bad "$tag $id: opnum"
    done
    [ "$(jq -r '.wormsign.evidence.matched' <<< "$kw")" = service.name ] ||
        bad "$tag: Kwampirs finding not matched on the service name"

    # the lateral movement: the file, its hash, the account, the frames
    [ "$(jq -r '.file.name' <<< "$lat")" = "$FILE" ] || bad "$tag: lateral file.name"
    [ "$(jq -r '.file.hash.sha256' <<< "$lat")" = "$SHA" ] ||
        bad "$tag: lateral sha256 $(jq -r '.file.hash.sha256' <<< "$lat"), sent $SHA"
    [ "$(jq -r '.file.size' <<< "$lat")" = "$(stat -c %s "$PAYLOAD")" ] || bad "$tag: lateral file.size"
    [ "$(jq -r '.wormsign.evidence.file_share_path' <<< "$lat")" = '\\127.0.0.1\ADMIN$\System32\'"$FILE" ] ||
        bad "$tag: file_share_path $(jq -r '.wormsign.evidence.file_share_path' <<< "$lat")"
    [ "$(jq -r '.wormsign.evidence.file_complete' <<< "$lat")" = true ] || bad "$tag: file not complete"
    local proto=smb2
    [ "$mode" = smb1 ] && proto=smb
    [ "$(jq -r '.network.protocol' <<< "$lat")" = $proto ] || bad "$tag: network.protocol"

    # the rebuilt file through the per-file pipeline: the file-name IOC
    local ioc
    ioc=$(jq -c "select(.event.kind==\"alert\" and .rule.ruleset!=\"net\" and (.file.path // \"\" | endswith(\"\\\\$FILE\")))" "$out")
    [ -n "$ioc" ] || bad "$tag: no file-detector finding on the rebuilt $FILE"
    grep -q '"filename' <<< "$ioc" || jq -r '.rule.id' <<< "$ioc" | grep -qi name ||
        bad "$tag: the rebuilt file's finding is not the file-name IOC: $(jq -r '.rule.id' <<< "$ioc" | head -1)"
    [ "$(jq -r '.file.hash.sha256' <<< "$ioc" | sort -u)" = "$SHA" ] || bad "$tag: IOC finding's sha256"

    # SMB1: the server answered an SMB2-capable negotiate in SMB1
    if [ "$mode" = smb1 ]; then
        any '.rule.id=="net.smb1.only" and .destination.ip=="127.0.0.1"' "$out" ||
            bad "$tag: no net.smb1.only for the server"
    elif any '.rule.id=="net.smb1.only"' "$out"; then
        bad "$tag: net.smb1.only on an SMB2 session"
    fi

    # ---- tshark's own decoding of the same capture ----
    [ $HAVE_TSHARK = 1 ] || return
    # tshark reads SMB over direct TCP only on port 445 (tests/pcap_port.py)
    local tcap="$d-445.pcap" ts="$d.tshark"
    "$PY" "$WS_SRC/tests/pcap_port.py" "$cap" "$tcap" "$port" || { bad "$tag: pcap_port.py"; return; }
    tshark -r "$tcap" -Y 'dcerpc.pkt_type==0 && svcctl.opnum==12' \
        -T fields -E separator='|' -e frame.number -e svcctl.servicename -e svcctl.displayname \
        -e svcctl.binarypathname > "$ts" 2> "$ts.err"
    local tf tname tdisp tbin
    IFS='|' read -r tf tname tdisp tbin < "$ts"
    [ -n "$tf" ] || { bad "$tag: tshark finds no CreateServiceW request ($(head -2 "$ts.err"))"; return; }
    local frames
    frames=$(jq -r '.wormsign.evidence.frames' <<< "$cs")
    [ "${frames%%,*}" = "$tf" ] || bad "$tag: create_service frames $frames, tshark's request frame $tf"
    [ "$tname" = WmiApSrvEx ] || bad "$tag: tshark's service name '$tname'"
    [ "$tdisp" = "WMI Performance Adapter Extension" ] || bad "$tag: tshark's display name '$tdisp'"
    [ "$tbin" = "$BINPATH" ] || bad "$tag: tshark's binary path '$tbin'"
    # the answer: tshark sees a fault (or response) to the create call in the 2nd frame we list
    # (Samba: a fault, nca_s_op_rng_error), with the status tshark reads there
    local tans tstat
    IFS='|' read -r tans tstat < <(tshark -r "$tcap" -Y "(dcerpc.pkt_type==3 || dcerpc.pkt_type==2) && frame.number > $tf" \
        -T fields -E separator='|' -e frame.number -e dcerpc.cn_status 2> /dev/null | head -1)
    [ -n "$tans" ] && [ "$(cut -d, -f2 <<< "$frames")" = "$tans" ] ||
        bad "$tag: create_service answer frame '$(cut -d, -f2 <<< "$frames")', tshark '$tans'"
    [ -n "$tstat" ] && [ "$(jq -r '.wormsign.evidence.result' <<< "$cs")" = "$(printf '0x%08x' "$tstat")" ] ||
        bad "$tag: create_service result $(jq -r '.wormsign.evidence.result' <<< "$cs"), tshark's fault status '$tstat'"
    # the share as the client named it in its tree connect
    local ttree
    ttree=$(tshark -r "$tcap" -Y 'smb2.cmd==3 || smb.cmd==0x75' -T fields -e smb2.tree -e smb.path 2> /dev/null |
        tr -d '\t' | grep -i 'ADMIN\$$' | head -1)
    [ "$(jq -r '.wormsign.evidence.file_share_path' <<< "$lat")" = "$ttree\\System32\\$FILE" ] ||
        bad "$tag: file_share_path $(jq -r '.wormsign.evidence.file_share_path' <<< "$lat"), tshark's tree '$ttree'"
    # the file's writes: the frames of tshark's writes to the file are ours
    # the file's writes: the frames of tshark's write requests on its handle are ours
    local wsel req fid
    if [ "$mode" = smb1 ]; then
        wsel="smb.cmd==0x2f && smb.flags.response==0 && smb.file contains \"$FILE\""
    else
        req=$(tshark -r "$tcap" -Y "smb2.cmd==5 && smb2.flags.response==0 && smb2.filename contains \"$FILE\"" \
            -T fields -e frame.number 2> /dev/null | head -1)
        fid=$(tshark -r "$tcap" -Y "smb2.cmd==5 && smb2.response_to==${req:-0}" -T fields -e smb2.fid 2> /dev/null |
            head -1)
        wsel="smb2.cmd==9 && smb2.flags.response==0 && smb2.fid==${fid:-none}"
    fi
    tshark -r "$tcap" -Y "$wsel" -T fields -e frame.number 2> /dev/null | paste -sd, - > "$d.wframes"
    local ours
    ours=$(jq -r '.wormsign.evidence.file_frames' <<< "$lat")
    [ -s "$d.wframes" ] || bad "$tag: tshark finds no write to $FILE"
    [ "$ours" = "$(cat "$d.wframes")" ] ||
        bad "$tag: file frames $ours, tshark $(cat "$d.wframes")"
}

run smb2 plain SMB2_02 SMB2_10
run smb2 windows SMB2_02 SMB2_10
run smb1 plain NT1 NT1
run smb1 windows NT1 NT1

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed (captures and outputs in $WS_TMP)"
    exit 1
fi
pass

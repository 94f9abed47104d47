#!/bin/bash
# Integration: `wormsign net` on captures this test makes itself. A real
# Samba server (Debian smbd, tests/smbd-lib.sh) on 127.0.0.1 and a high port,
# with a writable ADMIN$ and the account wsadmin; a real client (Debian
# python3-impacket, tests/impacket_lateral.py) logs in with NTLM, copies a
# random stand-in for the Kwampirs dropper (wmiapsrvex.exe) to
# ADMIN$\System32, binds \pipe\svcctl and calls ROpenSCManagerW and
# RCreateServiceW with the Kwampirs service name, display name and a binary
# path naming the copied file; tcpdump captures it on lo. Samba answers the
# create call with an RPC fault (nca_s_op_rng_error: it runs no services),
# but the request is on the wire, and that is what the detectors read.
#
# Runs (dialect / how DCE/RPC is carried, see impacket_lateral.py):
#   smb2/plain    SMB 2.1; one PDU per WRITE, answers by READ
#   smb2/windows  SMB 2.1; stubs in 40-byte fragments, PDUs split over two
#                 WRITEs, last fragment by IOCTL FSCTL_PIPE_TRANSCEIVE
#   smb1/plain    SMB1 only on the server (NT1, as XP); WRITE_ANDX/READ_ANDX
#   smb1/windows  SMB1; fragments, split WRITE_ANDX, TRANSACTION TransactNmPipe
#   smb1/signed   SMB1; NTLMSSP on the pipe, packet integrity, fragments
#   smb1/xp       SMB1; the client offers only SMB1 (as XP), plain
#   smb2/sealed   SMB 2.1; packet privacy: the create's arguments are encrypted
#   smb3/plain    the server allows SMB 3.x: Samba 4.17 encrypts the session
# (SMB 2.1 is the cap for the readable runs because Samba encrypts SMB3
# sessions of authenticated users.)
#
# Readable runs: exit status 1; net.svcctl.create_service and
# net.kwampirs.service with the three names, start type, account wsadmin,
# addresses, port and the fault's status; net.lateral.admin_share_service
# naming the file, its share path, size and SHA-256 (= sha256sum of the file
# the client sent, and of the copy Samba stored); the Kwampirs file-name IOC
# on the rebuilt file; for SMB1, net.smb1.only for the server (or, xp, for
# the client). Sealed: a
# create_service marked sealed with its result, no Kwampirs or lateral
# finding (nothing to read), net.dcerpc.encrypted. Encrypted SMB3: only
# net.smb3.encrypted, exit 0. Frame numbers, names, tree path and status are
# compared with tshark's own decoding of the same capture.
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
    for d in "$WS_TMP"/srv-*; do [ -d "$d" ] && smb_stop "$d"; done
}
trap cleanup EXIT

fails=0
bad() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
# any FILTER FILE: does a record of the NDJSON file match? (jq 1.6: count, not -e)
any() { jq -c "select($1)" "$2" 2> /dev/null | grep -q .; }
ev() { jq -r "$1" <<< "$2"; }

PW="Smb-$$-$RANDOM-pw7"
SRVNAME=WARD7-XRAY # the machine name the client sends in ROpenSCManagerW
FILE=wmiapsrvex.exe
BINPATH="%SystemRoot%\\System32\\$FILE"
PAYLOAD="$WS_TMP/$FILE"
head -c $((300000 + RANDOM)) /dev/urandom > "$PAYLOAD"
SHA=$(sha256sum "$PAYLOAD" | cut -d' ' -f1)

# start_capture PORT FILE: tcpdump on lo; returns once it is capturing
# (--immediate-mode: packets reach the file as they come, not per buffer;
# -B: 32 MiB of kernel buffer, so a loaded machine does not drop the copy)
start_capture() {
    "$TCPDUMP" -i lo --immediate-mode -B 32768 -U -n -s 0 -w "$2" "tcp port $1" 2> "$2.log" &
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
    for _ in $(seq 1 50); do
        kill -0 "$TCPDUMP_PID" 2> /dev/null || break
        sleep 0.1
    done
    kill -KILL "$TCPDUMP_PID" 2> /dev/null
    wait "$TCPDUMP_PID" 2> /dev/null
    TCPDUMP_PID=""
}

# can this machine capture on lo at all (a container without CAP_NET_RAW cannot)?
if ! start_capture 9 "$WS_TMP/probe.pcap"; then
    [ -n "$TCPDUMP_PID" ] && kill -KILL "$TCPDUMP_PID" 2> /dev/null
    TCPDUMP_PID=""
    skip "tcpdump cannot capture on lo here: $(head -c 300 "$WS_TMP/probe.pcap.log")"
fi
stop_capture "$WS_TMP/probe.pcap"

# tshark_dump CAPTURE OUT: one pass of tshark over the capture (port 445
# copy), the fields below, one tab-separated line per SMB/DCE-RPC frame;
# tq OUT CONDITION EXPR: EXPR of the lines matching the awk CONDITION, over
# the names given to the fields here (fields with several values in a frame
# are comma-separated)
TS_FIELDS="frame.number dcerpc.pkt_type dcerpc.opnum svcctl.servicename svcctl.displayname
svcctl.binarypathname dcerpc.cn_status smb2.cmd smb2.flags.response smb2.filename smb2.fid
smb2.response_to smb2.tree smb.cmd smb.flags.response smb.file smb.path
smb2.header.transform.msg_size frame.time_epoch ntlmssp.auth.username ntlmssp.auth.domain"
TS_VARS="fr pt op sname dname bpath status c2 r2 fn2 fid rto tree c1 r1 fn1 path enc t nuser ndom"
tshark_dump() {
    local args=() f
    for f in $TS_FIELDS; do args+=(-e "$f"); done
    tshark -r "$1" -Y 'smb || smb2 || dcerpc' -T fields "${args[@]}" > "$2" 2> "$2.err"
}
tq() {
    local set="" i=1 v
    for v in $TS_VARS; do set="$set $v=\$$i;" && i=$((i + 1)); done
    awk -F'\t' "{ $set } ($2) { print $3 }" "$1"
}

# the service creation as every run sees it (names unless sealed)
check_service() {
    local tag=$1 r=$2 sealed=$3 port=$4 id
    id=$(ev '.rule.id' "$r")
    [ "$(ev '.wormsign.evidence.opnum' "$r")" = 12 ] || bad "$tag $id: opnum"
    [ "$(ev '.user.name' "$r")" = wsadmin ] || bad "$tag $id: user.name $(ev '.user.name' "$r")"
    [ "$(ev '.source.ip + " " + .destination.ip' "$r")" = "127.0.0.1 127.0.0.1" ] ||
        bad "$tag $id: addresses"
    [ "$(ev '.destination.port' "$r")" = "$port" ] || bad "$tag $id: destination.port"
    [ "$(ev '.wormsign.evidence.result' "$r")" = 0x1c010002 ] ||
        bad "$tag $id: result $(ev '.wormsign.evidence.result' "$r"), expected Samba's fault"
    if [ "$sealed" = 1 ]; then
        [ "$(ev '.wormsign.evidence.sealed' "$r")" = true ] || bad "$tag $id: not marked sealed"
        [ "$(ev '.service.name // "-"' "$r")" = - ] || bad "$tag $id: a name from a sealed stub"
        return
    fi
    [ "$(ev '.service.name' "$r")" = WmiApSrvEx ] || bad "$tag $id: service.name"
    [ "$(ev '.wormsign.evidence.display_name' "$r")" = "WMI Performance Adapter Extension" ] ||
        bad "$tag $id: display name"
    [ "$(ev '.wormsign.evidence.binary_path' "$r")" = "$BINPATH" ] ||
        bad "$tag $id: binary path $(ev '.wormsign.evidence.binary_path' "$r")"
    [ "$(ev '.wormsign.evidence.start_type' "$r")" = auto ] || bad "$tag $id: start type"
}

# the rebuilt file: the file-name IOC through the per-file pipeline, and the
# admin-share write record
check_file() {
    local tag=$1 out=$2 ioc w
    ioc=$(jq -c "select(.rule.ruleset==\"name\" and (.file.path // \"\" | endswith(\"\\\\$FILE\")))" "$out")
    [ "$(grep -c . <<< "$ioc")" = 1 ] || bad "$tag: expected one file-name IOC finding on $FILE"
    [ "$(ev '.event.kind' "$ioc")" = alert ] || bad "$tag: file-name IOC is not an alert"
    [ "$(ev '.rule.name' "$ioc")" = "Kwampirs dropper/loader EXE name" ] ||
        bad "$tag: file-name IOC rule '$(ev '.rule.name' "$ioc")'"
    [ "$(ev '.file.hash.sha256' "$ioc")" = "$SHA" ] || bad "$tag: IOC finding's sha256"
    [ "$(ev '.file.path' "$ioc")" = '\\127.0.0.1\ADMIN$\System32\'"$FILE" ] ||
        bad "$tag: IOC finding's file.path $(ev '.file.path' "$ioc")"
    w=$(jq -c 'select(.rule.id=="net.smb.admin_share_write")' "$out")
    [ "$(ev '.file.hash.sha256' "$w")" = "$SHA" ] || bad "$tag: admin_share_write sha256"
    [ "$(ev '.user.name' "$w")" = wsadmin ] || bad "$tag: admin_share_write user.name"
}

# iso EPOCH: tshark's frame.time_epoch as wormsign writes times (UTC, microseconds)
iso() {
    local frac=${1#*.}000000
    echo "$(date -u -d "@${1%.*}" +%Y-%m-%dT%H:%M:%S).${frac:0:6}Z"
}

# tshark's decoding of the same capture (port renumbered to 445, pcap_port.py):
# the create request's frame and fields, the fault's frame and status, the
# tree path, the frames of the writes to the file
check_tshark() {
    local tag=$1 mode=$2 cap=$3 port=$4 cs=$5 lat=$6 sealed=$7
    local tcap="${cap%.pcap}-445.pcap" ts="${cap%.pcap}.tshark" tf tname tdisp tbin frames
    "$PY" "$WS_SRC/tests/pcap_port.py" "$cap" "$tcap" "$port" || { bad "$tag: pcap_port.py"; return; }
    tshark_dump "$tcap" "$ts" || { bad "$tag: tshark fails: $(head -2 "$ts.err")"; return; }
    frames=$(ev '.wormsign.evidence.frames' "$cs")
    if [ "$sealed" = 1 ]; then
        # the first fragment of the call: no names in it (nor anywhere)
        tf=$(tq "$ts" 'pt == "0" && op == "12"' fr | head -1)
        [ -z "$(tq "$ts" 'sname != ""' fr)" ] || bad "$tag: tshark reads names from a sealed stub?"
    else
        # the frame that completes the request, as tshark's reassembly reports it
        IFS=$'\t' read -r tf tname tdisp tbin < <(tq "$ts" 'pt == "0" && op == "12" && sname != ""' \
            'fr "\t" sname "\t" dname "\t" bpath' | head -1)
        [ "$tname" = WmiApSrvEx ] || bad "$tag: tshark's service name '$tname'"
        [ "$tdisp" = "WMI Performance Adapter Extension" ] || bad "$tag: tshark's display name '$tdisp'"
        [ "$tbin" = "$BINPATH" ] || bad "$tag: tshark's binary path '$tbin'"
    fi
    [ -n "$tf" ] || { bad "$tag: tshark finds no CreateServiceW request"; return; }
    [ "${frames%%,*}" = "$tf" ] || bad "$tag: create_service frames $frames, tshark's request $tf"
    local tt
    tt=$(iso "$(tq "$ts" "fr == \"$tf\"" t)")
    [ "$(ev '.wormsign.evidence.time' "$cs")" = "$tt" ] ||
        bad "$tag: create_service time $(ev '.wormsign.evidence.time' "$cs"), tshark's $tt"
    # the account of the first NTLM logon (the SMB session setup)
    local tuser tdom
    IFS=$'\t' read -r tuser tdom < <(tq "$ts" 'nuser != ""' 'nuser "\t" ndom' | head -1)
    [ "$(ev '.user.name + "\\" + .user.domain' "$cs")" = "$tuser\\$tdom" ] ||
        bad "$tag: account $(ev '.user.domain + "\\" + .user.name' "$cs"), tshark's NTLMSSP $tdom\\$tuser"
    local tans tstat
    IFS=$'\t' read -r tans tstat < <(tq "$ts" "pt == \"3\" && fr > $tf" 'fr "\t" status' | head -1)
    [ -n "$tans" ] && [ "$(cut -d, -f2 <<< "$frames")" = "$tans" ] ||
        bad "$tag: create_service answer frame '$(cut -d, -f2 <<< "$frames")', tshark's fault '$tans'"
    [ -n "$tstat" ] && [ "$(ev '.wormsign.evidence.result' "$cs")" = "$(printf '0x%08x' "$tstat")" ] ||
        bad "$tag: result $(ev '.wormsign.evidence.result' "$cs"), tshark's fault status '$tstat'"
    [ -n "$lat" ] || return
    local ttree tw req tfid
    ttree=$(tq "$ts" 'c2 == "3" && r2 == "0" || c1 ~ /^0x75/ && r1 == "0"' 'tree path' |
        grep -i 'ADMIN\$$' | head -1)
    [ "$(ev '.wormsign.evidence.file_share_path' "$lat")" = "$ttree\\System32\\$FILE" ] ||
        bad "$tag: file_share_path $(ev '.wormsign.evidence.file_share_path' "$lat"), tshark's tree '$ttree'"
    if [ "$mode" = smb1 ]; then
        tw=$(tq "$ts" "c1 ~ /^0x2f/ && r1 == \"0\" && fn1 ~ /$FILE/" fr | paste -sd, -)
    else
        req=$(tq "$ts" "c2 == \"5\" && r2 == \"0\" && fn2 ~ /$FILE/" fr | head -1)
        tfid=$(tq "$ts" "c2 == \"5\" && rto == \"${req:-none}\"" fid | head -1)
        tw=$(tq "$ts" "c2 == \"9\" && r2 == \"0\" && fid == \"${tfid:-none}\"" fr | paste -sd, -)
    fi
    [ -n "$tw" ] || bad "$tag: tshark finds no write to $FILE"
    [ "$(ev '.wormsign.evidence.file_frames' "$lat")" = "$tw" ] ||
        bad "$tag: file frames $(ev '.wormsign.evidence.file_frames' "$lat"), tshark's writes $tw"
    tt=$(iso "$(tq "$ts" "fr == \"${tw%%,*}\"" t)")
    [ "$(ev '.wormsign.evidence.file_written' "$lat")" = "$tt" ] ||
        bad "$tag: file_written $(ev '.wormsign.evidence.file_written' "$lat"), tshark's first write $tt"
}

# server MODE MINPROTO MAXPROTO: start the server the runs of MODE use
# (a random port; another one if it is taken)
server() {
    local d="$WS_TMP/srv-$1"
    SRV_DIR=$d
    for _ in 1 2 3; do
        SRV_PORT=$((20000 + RANDOM % 20000))
        rm -rf "$d" && mkdir -p "$d/admin/System32"
        smb_conf "$d" 127.0.0.1 "$SRV_PORT" "$2" "$3"
        smb_share "$d" 'ADMIN$' "$d/admin" rw
        smb_user "$d" "$PW" || skip "smbpasswd cannot add the test account"
        smb_start "$d" && return 0
        smb_stop "$d"
    done
    bad "$1: smbd does not start (see $d/log)"
    return 1
}

# client_run TAG CAPTURE MODE VARIANT: the client against the server, under
# tcpdump; 0 if the client succeeded and the capture is whole
client_run() {
    local tag=$1 cap=$2 d=${2%.pcap}
    mkdir -p "$d"
    rm -f "$SRV_DIR/admin/System32/$FILE"
    start_capture "$SRV_PORT" "$cap" || { echo "$tag: tcpdump does not start"; return 1; }
    timeout 40 "$PY" "$WS_SRC/tests/impacket_lateral.py" 127.0.0.1 "$SRV_PORT" "$SRVNAME" wsadmin \
        "$PW" "$3" "$4" "$PAYLOAD" "System32\\$FILE" "$BINPATH" > "$d/client.out" 2> "$d/client.err"
    local crc=$?
    stop_capture "$cap"
    echo "$tag client: $(cat "$d/client.out")"
    [ $crc = 0 ] || { echo "$tag: client exit $crc: $(tail -3 "$d/client.err")"; return 1; }
    grep -q "^0 packets dropped" "$cap.log" || { echo "$tag: tcpdump lost packets"; return 1; }
}

# run MODE VARIANT: one client session, one capture, the checks
run() {
    local mode=$1 variant=$2 d="$WS_TMP/run-$1-$2" tag="$1/$2"
    local port=$SRV_PORT cap="$d.pcap" out="$d.ndjson" cmode=$mode sealed=0
    [ "$mode" = smb3 ] && cmode=smb2
    [ "$variant" = sealed ] && sealed=1
    local cvariant=$variant
    [ "$variant" = xp ] && cmode=xp && cvariant=plain
    # a busy machine may drop packets (or time out the client): once more
    if ! client_run "$tag" "$cap" "$cmode" "$cvariant" &&
        ! client_run "$tag (again)" "$cap" "$cmode" "$cvariant"; then
        bad "$tag: no whole capture of a successful client run"
        return
    fi
    # the copy really reached the share (independent of the capture)
    [ "$(sha256sum < "$SRV_DIR/admin/System32/$FILE" | cut -d' ' -f1)" = "$SHA" ] ||
        bad "$tag: Samba's copy of the file differs from what the client sent"

    "$WS" net --json "$cap" > "$out" 2> "$out.err"
    local rc=$? want=1
    [ "$mode" = smb3 ] && want=0
    [ $rc = $want ] || bad "$tag: wormsign net exit $rc, expected $want ($(head -3 "$out.err"))"
    # (a sanitizer build exits 1 too: its reports must not pass for findings)
    grep -qE "Sanitizer|runtime error" "$out.err" && bad "$tag: sanitizer report: $(head -5 "$out.err")"
    jq -c . "$out" > /dev/null 2>&1 || bad "$tag: output is not NDJSON"
    if any '.event.type=="error"' "$out"; then
        bad "$tag: error records: $(jq -c 'select(.event.type=="error") | .message' "$out" | head -3)"
    fi

    if [ "$mode" = smb3 ]; then
        # Samba encrypted the session: one note from the first transform
        # header on, nothing else to report (tshark cannot read it either)
        grep -q '"dialect": "0x3' "$d/client.out" || bad "$tag: the session is not SMB 3.x"
        local enc tenc
        enc=$(jq -c 'select(.rule.id=="net.smb3.encrypted")' "$out")
        [ "$(grep -c . <<< "$enc")" = 1 ] || bad "$tag: expected one net.smb3.encrypted"
        any '.event.kind=="alert"' "$out" && bad "$tag: alerts from an encrypted session"
        if [ $HAVE_TSHARK = 1 ]; then
            "$PY" "$WS_SRC/tests/pcap_port.py" "$cap" "$d-445.pcap" "$port"
            tshark_dump "$d-445.pcap" "$d.tshark"
            tenc=$(tq "$d.tshark" 'enc != ""' fr | head -1)
            [ -n "$tenc" ] && [ "$(ev '.wormsign.evidence.frame' "$enc")" = "$tenc" ] ||
                bad "$tag: encrypted from frame $(ev '.wormsign.evidence.frame' "$enc"), tshark $tenc"
            [ -z "$(tq "$d.tshark" 'op != ""' fr)" ] || bad "$tag: tshark reads DCE/RPC in it?"
        fi
        return
    fi

    local cs kw lat
    cs=$(jq -c 'select(.rule.id=="net.svcctl.create_service")' "$out")
    kw=$(jq -c 'select(.rule.id=="net.kwampirs.service")' "$out")
    lat=$(jq -c 'select(.rule.id=="net.lateral.admin_share_service")' "$out")
    [ "$(grep -c . <<< "$cs")" = 1 ] || bad "$tag: expected one net.svcctl.create_service"
    check_service "$tag" "$cs" $sealed "$port"
    check_file "$tag" "$out"
    if [ $sealed = 1 ]; then
        [ -z "$kw$lat" ] || bad "$tag: Kwampirs or lateral finding from a sealed stub"
        any '.rule.id=="net.dcerpc.encrypted"' "$out" || bad "$tag: no net.dcerpc.encrypted note"
    else
        [ "$(grep -c . <<< "$kw")" = 1 ] || bad "$tag: expected one net.kwampirs.service"
        [ "$(grep -c . <<< "$lat")" = 1 ] || bad "$tag: expected one net.lateral.admin_share_service"
        check_service "$tag" "$kw" 0 "$port"
        check_service "$tag" "$lat" 0 "$port"
        [ "$(ev '.wormsign.evidence.matched' "$kw")" = service.name ] ||
            bad "$tag: Kwampirs finding not matched on the service name"
        [ "$(ev '.file.name' "$lat")" = "$FILE" ] || bad "$tag: lateral file.name"
        [ "$(ev '.file.hash.sha256' "$lat")" = "$SHA" ] ||
            bad "$tag: lateral sha256 $(ev '.file.hash.sha256' "$lat"), sent $SHA"
        [ "$(ev '.file.size' "$lat")" = "$(stat -c %s "$PAYLOAD")" ] || bad "$tag: lateral file.size"
        [ "$(ev '.wormsign.evidence.file_share_path' "$lat")" = '\\127.0.0.1\ADMIN$\System32\'"$FILE" ] ||
            bad "$tag: file_share_path $(ev '.wormsign.evidence.file_share_path' "$lat")"
        [ "$(ev '.wormsign.evidence.file_complete' "$lat")" = true ] || bad "$tag: file not complete"
        local proto=smb2
        [ "$mode" = smb1 ] && proto=smb
        [ "$(ev '.network.protocol' "$lat")" = $proto ] || bad "$tag: network.protocol"
    fi
    # SMB1: the server answered the client's SMB2-capable negotiate in SMB1;
    # or (xp) the client offered only SMB1
    if [ "$variant" = xp ]; then
        any '.rule.id=="net.smb1.only" and .source.ip=="127.0.0.1"' "$out" ||
            bad "$tag: no net.smb1.only for the client"
        any '.rule.id=="net.smb1.only" and .destination.ip' "$out" &&
            bad "$tag: net.smb1.only for the server, but the client offered no SMB2"
    elif [ "$mode" = smb1 ]; then
        any '.rule.id=="net.smb1.only" and .destination.ip=="127.0.0.1"' "$out" ||
            bad "$tag: no net.smb1.only for the server"
        any '.rule.id=="net.smb1.only" and .source.ip' "$out" &&
            bad "$tag: net.smb1.only for a client that offered SMB2"
    elif any '.rule.id=="net.smb1.only"' "$out"; then
        bad "$tag: net.smb1.only on an SMB2 session"
    fi
    [ $HAVE_TSHARK = 1 ] && check_tshark "$tag" "$mode" "$cap" "$port" "$cs" "$lat" $sealed
}

T0=$(date +%s)
if server smb2 SMB2_02 SMB2_10; then
    run smb2 plain
    run smb2 windows
    run smb2 sealed
fi
smb_stop "$SRV_DIR"
if server smb1 NT1 NT1; then
    run smb1 plain
    run smb1 windows
    run smb1 signed
    run smb1 xp
fi
smb_stop "$SRV_DIR"
if server smb3 SMB2_02 SMB3_11; then
    run smb3 plain
fi
smb_stop "$SRV_DIR"
echo "8 client sessions in $(($(date +%s) - T0)) s"
[ $HAVE_TSHARK = 1 ] || echo "note: tshark not installed; no cross-check against its decoding"

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed (captures and outputs in $WS_TMP)"
    exit 1
fi
pass

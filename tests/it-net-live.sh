#!/bin/sh
# it-net-live.sh - `wormsign net --live IFACE --filter BPF --duration SEC`
# captures from an interface through libpcap.
#
# 1. While it captures on lo with 'udp port 53' for 3 s, DNS queries for a
#    Kwampirs C2 domain (from packs/kwampirs/c2-iocs.txt) cross the loopback
#    (raw UDP datagrams to 127.0.0.1:53: no listener needed): one
#    net.c2.dns.domain finding naming it, exit 1.
#    With --rotate 1, one finding per period (each period is a capture).
# 2. The same with a filter that excludes them ('udp port 5353'): no finding,
#    exit 0, and it stops on time.
#    --count 3 stops after exactly three packets.
# 3. SIGINT ends an open-ended capture cleanly (exit 0, the summary written).
# 4. A bad interface and a bad filter: exit 2 and an error record each.
# Needs capture privilege (root): skipped otherwise.
. "$WS_SRC/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
[ "$(id -u)" = 0 ] || skip "live capture needs root (CAP_NET_RAW)"
mkdir -p "$WS_TMP"
if "$WS" net "$WS_TMP/none.pcap" 2>&1 | grep -q "built without libpcap"; then
    skip "wormsign was built without libpcap"
fi
ip link show lo >/dev/null 2>&1 || [ -d /sys/class/net/lo ] || skip "no loopback interface"
# root without CAP_NET_RAW (some containers): libpcap says "permission denied"
"$WS" net --json --live lo --duration 1 >"$WS_TMP/probe.ndjson" 2>&1
jq -r '.error.code // empty' "$WS_TMP/probe.ndjson" 2>/dev/null | grep -qx permission &&
    skip "no capture privilege on lo ($(jq -r '.message // empty' "$WS_TMP/probe.ndjson" | head -1))"
domain=$(grep -v '^#' "$WS_SRC/packs/kwampirs/c2-iocs.txt" | cut -d';' -f1 | grep '[a-z]' |
    grep -v '^[0-9.]*$' | sed -n 1p)
[ -n "$domain" ] || fail "no C2 domain in the pack"

# send N queries for $1 to 127.0.0.1:$2, one every 0.3 s
send() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import socket, struct, sys, time
name, port = sys.argv[1], int(sys.argv[2])
q = struct.pack(">HHHHHH", 0x4b57, 0x0100, 1, 0, 0, 0) + b"".join(
    bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):
    s.sendto(q, ("127.0.0.1", 53))
    time.sleep(0.3)
EOF
}

# wait_capturing ERRFILE: until wormsign says the capture is open (its
# "capturing on" line on stderr), so no packet is sent before it listens
wait_capturing() {
    for _ in $(seq 200); do
        grep -q "capturing on" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "the live capture did not start within 20 s ($(cat "$1"))"
}

# ---- 1. the C2 query is seen ----
"$WS" net --json --live lo --filter 'udp port 53' --duration 3 >"$WS_TMP/live.ndjson" \
    2>"$WS_TMP/live.err" &
pid=$!
wait_capturing "$WS_TMP/live.err"
send "$domain" 53
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "live run: exit $rc, expected 1 ($(cat "$WS_TMP/live.err"))"
got=$(jq -r 'select(.event.kind=="alert") | "\(.rule.id) \(.wormsign.evidence.indicator) \(.log.file.path // .file.path)"' \
    "$WS_TMP/live.ndjson" | sort -u)
[ "$got" = "net.c2.dns.domain $domain live:lo" ] || fail "live findings: $got"
n=$(jq -r 'select(.event.kind=="alert") | .rule.id' "$WS_TMP/live.ndjson" | wc -l)
[ "$n" = 1 ] || fail "$n alerts, expected one (C2 findings are de-duplicated per capture)"
frames=$(jq -r 'select(.event.action=="summary") | .wormsign.summary.objects' "$WS_TMP/live.ndjson")
[ "$frames" -ge 5 ] || fail "only $frames frames captured"

# ---- 1b. --rotate 1: each period is a capture of its own, with its own findings ----
"$WS" net --json --live lo --filter 'udp port 53' --duration 3 --rotate 1 \
    >"$WS_TMP/rot.ndjson" 2>"$WS_TMP/rot.err" &
pid=$!
wait_capturing "$WS_TMP/rot.err"
send "$domain" 53
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "rotating run: exit $rc, expected 1 ($(cat "$WS_TMP/rot.err"))"
n=$(jq -r 'select(.rule.id=="net.c2.dns.domain") | .rule.id' "$WS_TMP/rot.ndjson" | wc -l)
[ "$n" -ge 2 ] || fail "--rotate 1: $n C2 findings over 1.5 s of queries, expected one per period"

# ---- 2. a filter that excludes them: nothing, and it stops on time ----
start=$(date +%s)
"$WS" net --json --live lo --filter 'udp port 5353' --duration 2 >"$WS_TMP/none.ndjson" \
    2>"$WS_TMP/none.err" &
pid=$!
wait_capturing "$WS_TMP/none.err"
send "$domain" 53
wait $pid
rc=$?
took=$(($(date +%s) - start))
[ "$rc" = 0 ] || fail "filtered run: exit $rc, expected 0 ($(cat "$WS_TMP/none.err"))"
jq -r 'select(.rule.id) | .rule.id' "$WS_TMP/none.ndjson" | grep -q . && fail "findings through the filter"
[ "$took" -le 6 ] || fail "--duration 2 took $took s"

# ---- 2b. --count 3 stops after exactly three packets (five are sent) ----
# (only our datagrams: the local resolver's traffic on lo goes to 127.0.0.53)
"$WS" net --json --live lo --filter 'udp and dst host 127.0.0.1 and dst port 53' --count 3 \
    --duration 20 \
    >"$WS_TMP/count.ndjson" 2>"$WS_TMP/count.err" &
pid=$!
wait_capturing "$WS_TMP/count.err"
send "$domain" 53
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "--count run: exit $rc, expected 1 ($(cat "$WS_TMP/count.err"))"
frames=$(jq -r 'select(.event.action=="summary") | .wormsign.summary.objects' "$WS_TMP/count.ndjson")
[ "$frames" = 3 ] || fail "--count 3 read $frames packets"

# ---- 3. SIGINT ends an open-ended capture ----
"$WS" net --json --live lo --filter 'udp port 53' >"$WS_TMP/int.ndjson" 2>"$WS_TMP/int.err" &
pid=$!
wait_capturing "$WS_TMP/int.err"
send "$domain" 53
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "SIGINT run: exit $rc, expected 1 ($(cat "$WS_TMP/int.err"))"
jq -r 'select(.event.action=="summary") | .wormsign.summary.exit_code' "$WS_TMP/int.ndjson" |
    grep -qx 1 || fail "no summary after SIGINT"

# ---- 4. errors ----
"$WS" net --json --live wsnosuch0 --duration 1 >"$WS_TMP/bad.ndjson" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "bad interface: exit $rc, expected 2"
f=$(jq -r 'select(.event.kind=="event" and .rule.id) | "\(.rule.id) \(.error.code)"' "$WS_TMP/bad.ndjson")
[ "$f" = "net.error.live not_found" ] || fail "bad interface record: $f"
jq -r '.message // empty' "$WS_TMP/bad.ndjson" | grep -q wsnosuch0 || fail "message does not name the interface"
"$WS" net --json --live lo --filter 'udp port (' --duration 1 >"$WS_TMP/badf.ndjson" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "bad filter: exit $rc, expected 2"
f=$(jq -r 'select(.rule.id) | "\(.rule.id) \(.error.code)"' "$WS_TMP/badf.ndjson")
[ "$f" = "net.error.filter syntax" ] || fail "bad filter record: $f"
# options that need --live, and --live with capture files, are refused
"$WS" net --duration 1 "$WS_TMP/x.pcap" >/dev/null 2>&1
[ $? = 2 ] || fail "--duration without --live accepted"
"$WS" net --live lo "$WS_TMP/x.pcap" >/dev/null 2>&1
[ $? = 2 ] || fail "--live with a capture file accepted"
pass

#!/bin/sh
# it-net-tls-live.sh - `wormsign net` on a capture of real TLS and HTTP
# sessions made by the test: OpenSSL's s_server on loopback, curl (OpenSSL)
# with a server name and wget (GnuTLS, to an address: no server name) as
# clients, Python's http.server answering plain HTTP, all captured with
# tcpdump. With a user pack naming the server name and 127.0.0.1:
#   - curl's ClientHello gives net.c2.tls.sni, wget's net.c2.tls.ip, each
#     with the JA3 MD5 tshark computes for that frame (two TLS stacks);
#   - the HTTP request gives net.c2.http.url with the status, length and
#     type of Python's real answer, as tshark reads them.
# Skips without root (capture on lo), tcpdump, openssl, curl, wget or tshark.
. "$WS_SRC/tests/lib.sh"
for t in tcpdump openssl curl wget tshark jq; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
done
[ "$(id -u)" = 0 ] || skip "capturing on lo needs root"
if "$WS" net "$WS_TMP/none.pcap" 2>&1 | grep -q "built without libpcap"; then
    skip "wormsign was built without libpcap"
fi
mkdir -p "$WS_TMP"
cd "$WS_TMP" || fail "no scratch dir"
name=dswfjrmain.co # listed in packs/kwampirs/c2-iocs.txt
grep -qx "$name" "$WS_SRC/packs/kwampirs/c2-iocs.txt" || fail "$name is not in the pack"
base=$((20000 + $$ % 20000))
tport=$base
hport=$((base + 1))

pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
    -subj "/CN=$name" >/dev/null 2>&1 || fail "openssl req"
mkdir -p www/group
printf 'q-answer-%s' "$(seq 1 200 | tr -d '\n')" >www/group/main.php
tcpdump -i lo -U -w live.pcap "tcp port $tport or tcp port $hport" >tcpdump.log 2>&1 &
pids="$pids $!"
openssl s_server -quiet -accept "127.0.0.1:$tport" -cert cert.pem -key key.pem -www \
    >s_server.log 2>&1 &
pids="$pids $!"
(cd www && exec "$PY" -m http.server --bind 127.0.0.1 "$hport") >http.log 2>&1 &
pids="$pids $!"
# wait for the listeners and the capture
i=0
while [ $i -lt 50 ]; do
    # bare TCP connects: no bytes, so nothing for the findings below
    grep -q "listening on lo" tcpdump.log 2>/dev/null &&
        "$PY" -c "import socket
for p in ($tport, $hport): socket.create_connection(('127.0.0.1', p), 1).close()" 2>/dev/null &&
        break
    sleep 0.2
    i=$((i + 1))
done
[ $i -lt 50 ] || fail "servers or capture did not start: $(cat tcpdump.log s_server.log http.log)"
curl -sk -o /dev/null --resolve "$name:$tport:127.0.0.1" "https://$name:$tport/" ||
    fail "curl over TLS"
wget -q -O /dev/null --no-check-certificate "https://127.0.0.1:$tport/" || fail "wget over TLS"
curl -s -o /dev/null --resolve "$name:$hport:127.0.0.1" \
    "http://$name:$hport/group/main.php?q=x" || fail "curl over HTTP"
# stop tcpdump once its file has stopped growing (it drops what it has not
# read yet when it is stopped), 0.5 s of quiet after at least 1 s
sleep 1
last=-1
for _ in $(seq 40); do
    size=$(stat -c %s live.pcap 2>/dev/null || echo 0)
    [ "$size" = "$last" ] && break
    last=$size
    sleep 0.5
done
cleanup
pids=
trap - EXIT

# the pack: the server name and the loopback address, the URL
mkdir -p pack
printf '%s\n127.0.0.1\n' "$name" >pack/c2-iocs.txt
printf '%s/group/main.php\n' "$name" >pack/c2-urls.txt
"$WS" net --json --no-default-pack --pack pack live.pcap >out.ndjson 2>err.txt
jq -r 'select(.event.kind=="alert") | .rule.id' out.ndjson | sort >got
sort >want <<EOF
net.c2.http.url
net.c2.tls.ip
net.c2.tls.sni
EOF
cmp -s got want || fail "alerts: $(paste -sd' ' got)"

# JA3 and server names as tshark reads them, frame by frame
tshark -r live.pcap -Y 'tls.handshake.type == 1' -T fields -e frame.number \
    -e tls.handshake.extensions_server_name -e tls.handshake.ja3 2>/dev/null >ts.tls
f=$(jq -r 'select(.rule.id=="net.c2.tls.sni") | "\(.wormsign.evidence.frame)\t\(.tls.client.server_name)\t\(.tls.client.ja3)"' out.ndjson)
grep -qx "$f" ts.tls || fail "tls.sni $f not in tshark's $(cat ts.tls)"
f=$(jq -r 'select(.rule.id=="net.c2.tls.ip") | "\(.wormsign.evidence.frame)\t\t\(.tls.client.ja3)"' out.ndjson)
grep -qx "$f" ts.tls || fail "tls.ip $f not in tshark's $(cat ts.tls)"
# the two TLS stacks give two JA3 values
n=$(cut -f3 ts.tls | sort -u | grep -c .)
[ "$n" -ge 2 ] || fail "one JA3 for curl and wget: $(cat ts.tls)"

# the HTTP answer as tshark reads it
tshark -r live.pcap -Y http.response -T fields -e tcp.srcport -e http.response.code \
    -e http.content_length -e http.content_type 2>/dev/null | awk -v p="$hport" '$1 == p' | tail -1 \
    >ts.http
code=$(cut -f2 ts.http)
len=$(cut -f3 ts.http)
mime=$(cut -f4 ts.http | sed 's/;.*//' | tr 'A-Z' 'a-z')
[ "$len" = "$(wc -c <www/group/main.php | tr -d ' ')" ] || fail "tshark reads length $len"
f=$(jq -c 'select(.rule.id=="net.c2.http.url") | [.http.response.status_code,.http.response.body.bytes,.http.response.mime_type]' out.ndjson)
[ "$f" = "[$code,$len,\"$mime\"]" ] || fail "http.url response $f, tshark $code $len $mime"
jq -r 'select(.rule.id=="net.c2.http.url") | .message' out.ndjson | grep -q "C2 channel worked" ||
    fail "http.url message: $(jq -r 'select(.rule.id=="net.c2.http.url") | .message' out.ndjson)"
pass

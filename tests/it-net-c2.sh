#!/bin/sh
# it-net-c2.sh - `wormsign net` finds Kwampirs C2 in DNS, HTTP and TLS.
#
# 1. A capture written by tests/gen_c2_pcap.py (stdlib Python; its TLS
#    ClientHellos made by OpenSSL through Python's ssl module) with entries
#    picked here from the built-in pack's own files (packs/kwampirs/): every
#    rule fires exactly once where expected, with the expected fields and
#    the severity of the pack's net-patterns.txt, and the traps (innocent
#    names, names that contain a C2 domain, ordinary requests, the grammar
#    path without q=, a malformed datagram, garbage after 0x16) give no
#    alert. HTTP findings carry their responses (pipelined, HEAD, chunked,
#    close-delimited, none). tshark, when installed, checks the writer and is
#    the oracle for SNI and JA3: a user pack of the server names tshark reads
#    gives one finding per client and name, with tshark's name and JA3 MD5.
# 2. The corpus' DNS/HTTP captures: no C2 finding with the built-in pack;
#    with a user pack built from what tshark reads in them (query names, A
#    answers, Host+URI), wormsign reports exactly that set. The same SNI
#    oracle runs on every corpus capture that holds ClientHellos.
. "$WS_SRC/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
mkdir -p "$WS_TMP"
PK="$WS_SRC/packs/kwampirs"
if "$WS" net "$WS_TMP/none.pcap" 2>&1 | grep -q "built without libpcap"; then
    skip "wormsign was built without libpcap"
fi

# ---- entries from the pack files ----
entries() { grep -v '^#' "$1" | grep -v '^[[:space:]]*$' | cut -d';' -f1; }
domains=$(entries "$PK/c2-iocs.txt" | grep '[a-z]' | grep -v '^[0-9.]*$')
ips=$(entries "$PK/c2-iocs.txt" | grep '^[0-9.]*$')
sink=172.105.123.10
domain=$(printf '%s\n' "$domains" | sed -n 1p)
parent=$(printf '%s\n' "$domains" | sed -n 2p)
ip=$(printf '%s\n' "$ips" | grep -vx "$sink" | sed -n 1p)
url=$(entries "$PK/c2-urls.txt" | grep -v '^[0-9.]*/' | sed -n 1p)
[ -n "$url" ] || url=$(entries "$PK/c2-urls.txt" | sed -n 1p)
url=$(printf '%s' "$url" | tr 'A-Z' 'a-z')
printf '%s\n' "$ips" | grep -qx "$sink" || fail "sinkhole $sink not in the pack's C2 list"
# a name of the grammar that is not listed
gdom=
for g in unitysrvnews.info pogpogunt.ch tlfdmain.nl; do
    printf '%s\n' "$domains" | grep -qix "$g" || { gdom=$g; break; }
done
[ -n "$gdom" ] || fail "no unlisted grammar name"
for t in 198.51.100.20 198.51.100.21 198.51.100.22 198.51.100.23 198.51.100.24 198.51.100.30 \
    198.51.100.31 198.51.100.32 198.51.100.33 198.51.100.34 198.51.100.35 198.51.100.36 \
    198.51.100.37 198.51.100.38 198.51.100.39 93.184.216.34 192.0.2.7; do
    printf '%s\n' "$ips" | grep -qx "$t" && fail "trap address $t is a listed C2 address"
done
score() { grep "^$1;" "$PK/net-patterns.txt" | awk -F';' '{print $(NF-1)}'; }

# tshark as the oracle for TLS: a user pack of every server name tshark reads
# in capture $1 (scratch dir $2) must give, per client and name, the first
# ClientHello's frame, name (lowercase) and JA3 MD5 as tshark reads them
tls_oracle() {
    mkdir -p "$2"
    tshark -r "$1" -Y 'tls.handshake.type == 1 && tls.handshake.extensions_server_name' -T fields \
        -e frame.number -e ip.src -e ipv6.src -e tls.handshake.extensions_server_name \
        -e tls.handshake.ja3 2>/dev/null |
        awk -F'\t' '{n=tolower($4); sub(/\.$/, "", n); k=$2 $3 " " n; if (!s[k]++) print $1, n, $5}' |
        sort >"$2/want"
    awk '{print $2}' "$2/want" | sort -u >"$2/c2-iocs.txt"
    "$WS" net --json --no-default-pack --pack "$2" "$1" >"$2/out" 2>/dev/null
    jq -r 'select(.rule.id=="net.c2.tls.sni") | "\(.wormsign.evidence.frame) \(.tls.client.server_name) \(.tls.client.ja3)"' \
        "$2/out" | sort >"$2/got"
    cmp -s "$2/got" "$2/want" || { diff "$2/want" "$2/got"; fail "$1: SNI/JA3 differ from tshark's"; }
    wc -l <"$2/want" | tr -d ' '
}

cap="$WS_TMP/c2.pcap"
"$PY" "$WS_SRC/tests/gen_c2_pcap.py" "$cap" "$domain" "$parent" "$ip" "$url" "$gdom" "$sink" \
    >"$WS_TMP/labels" || fail "capture writer failed"
fr() { awk -v l="$1" '$1 == l {print $2}' "$WS_TMP/labels"; }

if command -v tshark >/dev/null 2>&1; then
    # the writer's DNS and HTTP as an independent dissector reads them
    tshark -r "$cap" -Y 'dns.flags.response == 0' -T fields -e frame.number -e dns.qry.name \
        2>/dev/null >"$WS_TMP/ts.dns"
    grep -q "^$(fr dns_domain)	$(printf '%s' "$domain" | tr a-z A-Z)\$" "$WS_TMP/ts.dns" ||
        fail "tshark does not read the C2 query at frame $(fr dns_domain)"
    grep -q "^$(fr tcp_dns)	$domain\$" "$WS_TMP/ts.dns" || fail "tshark does not read the TCP query"
    tshark -r "$cap" -Y http.request -T fields -e frame.number -e http.request.uri \
        2>/dev/null >"$WS_TMP/ts.http"
    n=$(grep -c . "$WS_TMP/ts.http")
    [ "$n" = 14 ] || fail "tshark reads $n HTTP requests, expected 14"
    # the responses, in order, up to the pipelined HEAD (tshark does not
    # pair a pipelined HEAD with its bodiless answer)
    tshark -r "$cap" -Y http.response -T fields -e http.response.code -e http.content_type \
        -e http.server 2>/dev/null | head -n 8 | tr '\t' '|' | paste -sd' ' >"$WS_TMP/ts.resp"
    [ "$(cat "$WS_TMP/ts.resp")" = "100|| 200|| 404|text/html| 200|Application/Octet-Stream; charset=binary|nginx/1.18.0 200|text/plain| 200|| 302|| 200|text/plain|" ] ||
        fail "tshark reads the responses as $(cat "$WS_TMP/ts.resp")"
    # every ClientHello the writer made (the cut-short one too; not the garbage)
    n=$(tshark -r "$cap" -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null |
        grep -c .)
    [ "$n" = 14 ] || fail "tshark reads $n ClientHellos, expected 14"
    # the SSL 2.0-compatible ones, to the C2 address and to a trap
    tshark -r "$cap" -Y 'tls.handshake.cipher_spec_len' -T fields -e frame.number -e ip.dst \
        2>/dev/null | paste -sd' ' >"$WS_TMP/ts.v2"
    [ "$(cat "$WS_TMP/ts.v2")" = "$(fr tls_sslv2)	$ip $(($(fr tls_sslv2) + 7))	198.51.100.39" ] ||
        fail "tshark reads the SSLv2 hellos as $(cat "$WS_TMP/ts.v2")"
    n=$(tls_oracle "$cap" "$WS_TMP/tls-oracle") || { echo "$n"; exit 1; }
    [ "$n" = 9 ] || fail "SNI oracle compared $n names, expected 9"
    # JA3 of the ClientHello without a server name (net.c2.tls.ip)
    j=$(tshark -r "$cap" -Y "frame.number == $(fr tls_ip)" -T fields -e tls.handshake.ja3 2>/dev/null)
    TS_JA3_IP=$j
fi

out="$WS_TMP/c2.ndjson"
"$WS" net --json "$cap" >"$out" 2>"$WS_TMP/c2.err"
rc=$?
[ "$rc" = 1 ] || fail "exit $rc, expected 1 ($(cat "$WS_TMP/c2.err"))"
jq -r 'select(.event.kind=="alert") | "\(.rule.id) \(.wormsign.evidence.indicator) \(.wormsign.evidence.frame)"' \
    "$out" | sort >"$WS_TMP/got"
cat <<EOF | sort >"$WS_TMP/want"
net.c2.dns.domain $domain $(fr dns_domain)
net.c2.dns.answer $ip $(fr dns_answer)
net.c2.dns.domain $parent $(fr dns_sub)
net.c2.dns.sinkhole $sink $(fr dns_sinkhole)
net.c2.dns.grammar $gdom $(fr dns_grammar)
net.c2.dns.domain $parent $(fr dns_cname)
net.c2.dns.domain $domain $(fr tcp_dns)
net.c2.dns.answer $ip $(fr tcp_dns_answer)
net.c2.http.grammar /group/main/indexmain.php?x=1&q=AbCd $(fr http_grammar)
net.c2.http.user_agent ItIsMe $(fr http_ua)
net.c2.http.grammar /main/login.php?q=1 $(fr http_after_chunked)
net.c2.http.url $url $(fr http_url)
net.c2.http.host $domain $(fr http_host)
net.c2.http.host $parent $(fr http_pipe)
net.c2.http.host $domain $(fr http_noresp)
net.c2.tls.sni $domain $(fr tls_sni)
net.c2.tls.sni $parent $(fr tls_sub)
net.c2.tls.sni $domain $(fr tls_split_tcp)
net.c2.tls.sni $domain $(fr tls_split_rec)
net.c2.tls.ip $ip $(fr tls_ip)
net.c2.tls.ip $ip $(fr tls_sslv2)
net.c2.tls.grammar $gdom $(fr tls_grammar)
net.c2.tls.sni $domain $(fr tls_grease)
EOF
if ! cmp -s "$WS_TMP/got" "$WS_TMP/want"; then
    diff "$WS_TMP/want" "$WS_TMP/got"
    fail "C2 findings differ from the expected ones"
fi
# no other findings but the notes on the malformed datagram and ClientHello
jq -r 'select(.event.kind!="alert" and .rule.id != null) | "\(.rule.id) \(.wormsign.evidence.frame)"' \
    "$out" | paste -sd' ' >"$WS_TMP/other"
[ "$(cat "$WS_TMP/other")" = "net.dns.malformed $(fr dns_bad) net.tls.malformed $(fr tls_bad)" ] ||
    fail "other findings: $(cat "$WS_TMP/other")"

# fields of some findings
one() { jq -c "select(.rule.id==\"$1\" and .wormsign.evidence.frame==$2) | $3" "$out"; }
f=$(one net.c2.dns.answer "$(fr dns_answer)" '[.source.ip,.destination.ip,.destination.port,.network.transport,.dns.question.name,.dns.answers,.event.severity // .rule.severity]')
case $f in
'["10.1.1.10","10.1.1.53",53,"udp","'"$domain"'","'"$ip"'",'*) ;;
*) fail "dns.answer fields: $f" ;;
esac
f=$(one net.c2.dns.domain "$(fr dns_cname)" '[.dns.question.name,.dns.answers]')
[ "$f" = '["cdn.example.net","edge.'"$parent"',192.0.2.7"]' ] || fail "CNAME fields: $f"
f=$(one net.c2.dns.domain "$(fr tcp_dns)" '[.source.ip,.network.transport]')
[ "$f" = '["10.1.1.11","tcp"]' ] || fail "TCP DNS fields: $f"
host=${url%%/*}
path=/${url#*/}
f=$(one net.c2.http.url "$(fr http_url)" '[.http.request.method,.url.domain,.url.path,.destination.ip,.destination.port,.source.port]')
[ "$f" = '["GET","'"$host"'","'"$path"'","198.51.100.20",80,40200]' ] || fail "http.url fields: $f"
f=$(one net.c2.http.grammar "$(fr http_grammar)" '[.url.path,.url.query,.url.domain,.user_agent.original]')
[ "$f" = '["/group/main/indexmain.php","x=1&q=AbCd","www.example.org","Mozilla/5.0"]' ] ||
    fail "http.grammar fields: $f"
sev() { jq -r "select(.rule.id==\"$1\") | (.event.severity // .rule.severity)" "$out" | sort -u; }
# HTTP responses: status, body bytes, Content-Type (no parameters), frame
resp='[.http.response.status_code,.http.response.body.bytes,.http.response.mime_type,.wormsign.evidence.response_frame]'
f=$(one net.c2.http.grammar "$(fr http_grammar)" "$resp")
[ "$f" = "[404,9,\"text/html\",$(fr http_grammar_resp)]" ] || fail "http.grammar response: $f"
f=$(one net.c2.http.url "$(fr http_url)" "$resp + [.wormsign.evidence.response_server]")
[ "$f" = "[200,1046,\"application/octet-stream\",$(fr http_url_resp),\"nginx/1.18.0\"]" ] ||
    fail "http.url response: $f"
f=$(one net.c2.http.user_agent "$(fr http_ua)" "$resp")
[ "$f" = "[200,4,\"text/plain\",$(fr http_ua_resp)]" ] || fail "chunked response: $f"
f=$(one net.c2.http.grammar "$(fr http_after_chunked)" "$resp")
[ "$f" = "[302,0,null,$(fr http_after_chunked_resp)]" ] || fail "response after chunks: $f"
f=$(one net.c2.http.host "$(fr http_host)" "$resp")
[ "$f" = "[200,1000,\"text/plain\",$(fr http_host_resp)]" ] || fail "close-delimited response: $f"
f=$(one net.c2.http.host "$(fr http_pipe)" "$resp + [.source.ip]")
[ "$f" = "[403,0,null,$(fr http_pipe_resp),\"10.1.1.12\"]" ] || fail "pipelined HEAD response: $f"
f=$(one net.c2.http.host "$(fr http_noresp)" "$resp")
[ "$f" = "[null,null,null,null]" ] || fail "unanswered request: $f"
msg() { one "$1" "$2" .message; }
case $(msg net.c2.http.url "$(fr http_url)") in
*"answered 200 with 1046 body bytes"*"the C2 channel worked"*) ;;
*) fail "http.url message: $(msg net.c2.http.url "$(fr http_url)")" ;;
esac
case $(msg net.c2.http.grammar "$(fr http_grammar)") in
*"answered 404"*worked*) fail "a 404 called a working channel" ;;
*"answered 404"*) ;;
*) fail "http.grammar message" ;;
esac
case $(msg net.c2.http.host "$(fr http_noresp)") in
*"no response"*) ;;
*) fail "unanswered message: $(msg net.c2.http.host "$(fr http_noresp)")" ;;
esac
# TLS fields
f=$(one net.c2.tls.sni "$(fr tls_sni)" '[.source.ip,.destination.ip,.destination.port,.network.protocol,.tls.client.server_name,.wormsign.evidence.alpn]')
[ "$f" = '["10.1.2.1","198.51.100.30",443,"tls","'"$domain"'","h2,http/1.1"]' ] || fail "tls.sni fields: $f"
f=$(one net.c2.tls.sni "$(fr tls_sub)" '[.tls.client.server_name,.destination.port]')
[ "$f" = '["cdn.'"$parent"'",8443]' ] || fail "tls.sni subdomain fields: $f"
f=$(one net.c2.tls.ip "$(fr tls_ip)" '[.destination.ip,.destination.port,.tls.client.server_name,.tls.client.ja3]')
case $f in
'["'"$ip"'",4443,null,"'*) ;;
*) fail "tls.ip fields: $f" ;;
esac
if [ -n "${TS_JA3_IP:-}" ]; then
    [ "$f" = '["'"$ip"'",4443,null,"'"$TS_JA3_IP"'"]' ] || fail "tls.ip JA3 $f, tshark $TS_JA3_IP"
fi
f=$(one net.c2.tls.ip "$(fr tls_sslv2)" '[.source.ip,.destination.ip,.wormsign.evidence.hello_format,.tls]')
[ "$f" = '["10.1.2.10","'"$ip"'","sslv2",null]' ] || fail "SSLv2 tls.ip fields: $f"
# the JA3 MD5 is the MD5 of the JA3 string (GREASE left out of the string)
f=$(one net.c2.tls.sni "$(fr tls_grease)" '.wormsign.evidence.ja3_full')
[ "$f" = '"771,49195-49199-158-53,0-10-11-16-23-65281,29-23-24,0-1"' ] || fail "GREASE JA3 string: $f"
m=$(printf '%s' "771,49195-49199-158-53,0-10-11-16-23-65281,29-23-24,0-1" | md5sum | cut -d' ' -f1)
f=$(one net.c2.tls.sni "$(fr tls_grease)" '.tls.client.ja3')
[ "$f" = "\"$m\"" ] || fail "GREASE JA3 MD5: $f, md5sum $m"
# severities: as the DNS rules for the same indicator
[ "$(sev net.c2.tls.sni)" = "$(sev net.c2.dns.domain)" ] || fail "tls.sni severity"
[ "$(sev net.c2.tls.ip)" = "$(sev net.c2.dns.answer)" ] || fail "tls.ip severity"
[ "$(sev net.c2.tls.grammar)" = "$(score domain)" ] || fail "tls.grammar severity"
# severities: the pack's scores for pattern rules
[ "$(sev net.c2.dns.grammar)" = "$(score domain)" ] || fail "dns.grammar severity $(sev net.c2.dns.grammar)"
[ "$(sev net.c2.http.grammar)" = "$(score url-path)" ] || fail "http.grammar severity"
[ "$(sev net.c2.http.user_agent)" = "$(score user-agent)" ] || fail "user_agent severity"
[ "$(sev net.c2.dns.sinkhole)" = "$(score dns-answer)" ] || fail "sinkhole severity"
# without a pack: no C2 findings
"$WS" net --json --no-default-pack "$cap" >"$WS_TMP/nopack.ndjson" 2>/dev/null
jq -r 'select(.event.kind=="alert") | .rule.id' "$WS_TMP/nopack.ndjson" | grep -q . &&
    fail "C2 findings without a pack"

# ---- 2. corpus captures ----
P=${WS_CORPUS:-}/pcap/suricata-verify
if [ ! -d "$P" ]; then
    echo "note: corpus not found, corpus part skipped"
    pass
fi
command -v tshark >/dev/null 2>&1 || { echo "note: tshark absent, corpus oracle skipped"; pass; }
# TLS: every corpus capture with ClientHellos: no finding with the built-in
# pack, tshark's names and JA3 with a pack of them
ntls=0
for c in "$WS_CORPUS"/pcap/*/*; do
    [ -f "$c" ] || continue
    # tcpdump starts faster than tshark: a TCP payload starting with 0x16
    if command -v tcpdump >/dev/null 2>&1; then
        tcpdump -nr "$c" -c 1 'tcp[((tcp[12:1] & 0xf0) >> 2):1] = 0x16' 2>/dev/null | grep -q . ||
            continue
    fi
    tshark -r "$c" -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null | grep -q . ||
        continue
    o="$WS_TMP/corpus-tls.ndjson"
    "$WS" net --json "$c" >"$o" 2>/dev/null
    jq -r '.rule.id // empty' "$o" | grep -q '^net\.c2\.' && fail "$c: a Kwampirs C2 finding"
    n=$(tls_oracle "$c" "$WS_TMP/tls-corpus") || { echo "$n"; exit 1; }
    ntls=$((ntls + n))
done
echo "note: $ntls server name(s) from corpus ClientHellos compared with tshark"
for c in dns-eve__input.pcap dns-tcp-www-google-com__dns.pcap dns-udp-eve-txt__input.pcap \
    http-post-data-decompression__input.pcap http-post-file__input.pcap; do
    [ -f "$P/$c" ] || continue
    o="$WS_TMP/corpus-$c.ndjson"
    "$WS" net --json "$P/$c" >"$o" 2>/dev/null
    jq -r '.rule.id // empty' "$o" | grep -q '^net\.c2\.' && fail "$c: a Kwampirs C2 finding"
    # user pack from tshark's reading: names and A answers, host+URI
    d="$WS_TMP/pack-$c"
    mkdir -p "$d"
    tshark -r "$P/$c" -Y 'dns.flags.response == 0' -T fields -e dns.qry.name 2>/dev/null |
        tr 'A-Z' 'a-z' | sort -u >"$d/names"
    tshark -r "$P/$c" -Y 'dns.a' -T fields -e dns.a 2>/dev/null | tr ',' '\n' | sort -u >"$d/addrs"
    tshark -r "$P/$c" -Y 'http.request' -T fields -e http.host -e http.request.uri 2>/dev/null |
        awk -F'\t' '{h=tolower($1); sub(/:[0-9]+$/, "", h); u=$2; sub(/[?#].*/, "", u); print h u}' |
        sort -u >"$d/urls"
    cat "$d/names" "$d/addrs" >"$d/c2-iocs.txt"
    cp "$d/urls" "$d/c2-urls.txt"
    rm -f "$d/names" "$d/addrs" "$d/urls"
    "$WS" net --json --no-default-pack --pack "$d" "$P/$c" >"$o.pack" 2>/dev/null
    jq -r 'select(.rule.id=="net.c2.dns.domain") | .wormsign.evidence.indicator' "$o.pack" |
        sort -u >"$WS_TMP/g"
    tshark -r "$P/$c" -Y 'dns.flags.response == 0' -T fields -e dns.qry.name 2>/dev/null |
        tr 'A-Z' 'a-z' | sort -u >"$WS_TMP/w"
    cmp -s "$WS_TMP/g" "$WS_TMP/w" || fail "$c: DNS names $(paste -sd' ' "$WS_TMP/g"), tshark $(paste -sd' ' "$WS_TMP/w")"
    jq -r 'select(.rule.id=="net.c2.dns.answer") | .wormsign.evidence.indicator' "$o.pack" |
        sort -u >"$WS_TMP/g"
    tshark -r "$P/$c" -Y 'dns.a' -T fields -e dns.a 2>/dev/null | tr ',' '\n' | sort -u >"$WS_TMP/w"
    cmp -s "$WS_TMP/g" "$WS_TMP/w" || fail "$c: A answers $(paste -sd' ' "$WS_TMP/g"), tshark $(paste -sd' ' "$WS_TMP/w")"
    jq -r 'select(.rule.id=="net.c2.http.url") | .wormsign.evidence.indicator' "$o.pack" |
        sort -u >"$WS_TMP/g"
    cmp -s "$WS_TMP/g" "$d/c2-urls.txt" || fail "$c: URLs $(paste -sd' ' "$WS_TMP/g"), tshark $(paste -sd' ' "$d/c2-urls.txt")"
done
pass

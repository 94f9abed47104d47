#!/usr/bin/python3
"""gen_c2_pcap.py - write a small pcap (Ethernet/IPv4) with DNS over UDP and
TCP, HTTP requests and responses and TLS ClientHellos over TCP (with
handshakes), for tests/it-net-c2.sh.

usage: gen_c2_pcap.py OUT.pcap DOMAIN SUBDOMAIN_OF IP URL GRAMMAR_DOMAIN SINKHOLE

Prints "label frame" for every frame a test may expect a finding on. Only
the Python standard library; the wire formats follow RFC 1035 (DNS, with
compression pointers), RFC 9112 (HTTP/1.1), RFC 791/793/768 and the libpcap
file format. Most ClientHellos are made by OpenSSL itself (Python's ssl
module over memory BIOs, no network); one is built here with GREASE values
(RFC 8701) and the classic extensions (RFC 8446 4.1.2, RFC 6066 3, RFC 7301).
"""
import random
import socket
import ssl
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.frame = 0
        self.t = 1700000000

    def ip(self, src, dst, proto, payload):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), self.frame & 0xFFFF, 0,
                          64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
        pkt = eth + hdr + payload
        self.frame += 1
        self.t += 1
        self.f.write(struct.pack("<IIII", self.t, 0, len(pkt), len(pkt)) + pkt)
        return self.frame

    def udp(self, src, sp, dst, dp, data):
        return self.ip(src, dst, 17, struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data)


class Tcp:
    """One TCP connection: handshake, then segments in either direction."""

    def __init__(self, pc, cli, cp, srv, sp):
        self.pc, self.cli, self.cp, self.srv, self.sp = pc, cli, cp, srv, sp
        self.seq = {0: 1000, 1: 5000}  # 0 client, 1 server
        self.seg(0, b"", 0x02)
        self.seq[0] += 1
        self.seg(1, b"", 0x12)
        self.seq[1] += 1
        self.seg(0, b"", 0x10)

    def seg(self, d, data, flags=0x18):
        src, sp, dst, dp = ((self.cli, self.cp, self.srv, self.sp) if d == 0 else
                            (self.srv, self.sp, self.cli, self.cp))
        hdr = struct.pack("!HHIIBBHHH", sp, dp, self.seq[d], self.seq[1 - d], 0x50, flags,
                          65535, 0, 0)
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
            "!BBH", 0, 6, len(hdr) + len(data))
        c = csum(pseudo + hdr + data)
        hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
        fr = self.pc.ip(src, dst, 6, hdr + data)
        self.seq[d] += len(data)
        return fr

    def close(self):
        self.seg(0, b"", 0x11)
        self.seq[0] += 1
        self.seg(1, b"", 0x11)
        self.seq[1] += 1
        self.seg(0, b"", 0x10)


def qname(name):
    out = b""
    for lab in name.split("."):
        out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def dns(tid, name, answers=(), cname=None):
    """A query (no answers) or a response: A records for name, or for the
    CNAME target when cname is given (names compressed with pointers)."""
    resp = bool(answers) or cname is not None
    flags = 0x8180 if resp else 0x0100
    an = len(answers) + (1 if cname else 0)
    m = struct.pack("!HHHHHH", tid, flags, 1, an, 0, 0) + qname(name) + struct.pack("!HH", 1, 1)
    owner = b"\xc0\x0c"  # pointer to the question name at offset 12
    if cname:
        target_off = len(m) + 12
        m += owner + struct.pack("!HHIH", 5, 1, 60, len(qname(cname))) + qname(cname)
        owner = struct.pack("!H", 0xC000 | target_off)
    for a in answers:
        m += owner + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(a)
    return m


def openssl_hello(sni, alpn=None):
    """The bytes (TLS records) of the ClientHello OpenSSL sends."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def built_hello(sni, alpn):
    """A TLS 1.2-style ClientHello with GREASE cipher, extension and group."""
    def ext(t, body):
        return struct.pack("!HH", t, len(body)) + body
    ciphers = [0x3A3A, 0xC02B, 0xC02F, 0x009E, 0x0035]
    name = sni.encode()
    exts = ext(0x5A5A, b"")
    exts += ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
    exts += ext(10, struct.pack("!H", 8) + struct.pack("!4H", 0x8A8A, 29, 23, 24))
    exts += ext(11, b"\x02\x00\x01")
    al = b"".join(bytes([len(a)]) + a.encode() for a in alpn)
    exts += ext(16, struct.pack("!H", len(al)) + al)
    exts += ext(23, b"") + ext(0xFF01, b"\x00")
    body = (struct.pack("!H", 0x0303) + bytes(random.getrandbits(8) for _ in range(32)) + b"\x00"
            + struct.pack("!H", 2 * len(ciphers)) + struct.pack("!%dH" % len(ciphers), *ciphers)
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def sslv2_hello():
    """An SSL 2.0-compatible CLIENT-HELLO offering TLS 1.0 (RFC 6101 E.1; RFC
    2246 E.2), as XP-era clients with SSL 2.0 enabled send: no extensions."""
    specs = bytes.fromhex("010080" "0700c0" "030080" "000004" "000005" "00000a" "00002f")
    chal = bytes(random.getrandbits(8) for _ in range(16))
    body = b"\x01" + struct.pack("!HHHH", 0x0301, len(specs), 0, len(chal)) + specs + chal
    return struct.pack("!H", 0x8000 | len(body)) + body


def two_records(recs):
    """The same handshake bytes cut into two TLS records."""
    assert recs[0] == 0x16
    hs = recs[5:5 + struct.unpack("!H", recs[3:5])[0]]
    cut = len(hs) // 3
    return (b"\x16\x03\x01" + struct.pack("!H", cut) + hs[:cut] + b"\x16\x03\x01"
            + struct.pack("!H", len(hs) - cut) + hs[cut:])


def main():
    out, domain, parent, ip, url, gdom, sink = sys.argv[1:8]
    pc = Pcap(out)
    cli, res = "10.1.1.10", "10.1.1.53"
    lab = []
    # 1. UDP query for a C2 domain (mixed case) and its answer: a C2 address
    lab.append(("dns_domain", pc.udp(cli, 40001, res, 53, dns(1, domain.upper()))))
    lab.append(("dns_answer", pc.udp(res, 53, cli, 40001, dns(1, domain.upper(), [ip]))))
    # 2. a subdomain of a C2 domain, answered with the sinkhole
    sub = "www." + parent
    lab.append(("dns_sub", pc.udp(cli, 40002, res, 53, dns(2, sub))))
    lab.append(("dns_sinkhole", pc.udp(res, 53, cli, 40002, dns(2, sub, [sink]))))
    # 3. a name of the C2 grammar that is not on the list (hunting)
    lab.append(("dns_grammar", pc.udp(cli, 40003, res, 53, dns(3, gdom))))
    # 4. innocent CNAME chain ending in a C2 subdomain, in the answer only
    lab.append(("dns_cname_q", pc.udp(cli, 40004, res, 53, dns(4, "cdn.example.net"))))
    lab.append(("dns_cname", pc.udp(res, 53, cli, 40004,
                                    dns(4, "cdn.example.net", ["192.0.2.7"], "edge." + parent))))
    # traps: an innocent name and address; a name that contains a C2 domain
    # but is not under it; a malformed port-53 datagram
    pc.udp(cli, 40005, res, 53, dns(5, "www.example.org"))
    pc.udp(res, 53, cli, 40005, dns(5, "www.example.org", ["93.184.216.34"]))
    pc.udp(cli, 40006, res, 53, dns(6, "x" + domain + ".example.org"))
    lab.append(("dns_bad", pc.udp(cli, 40007, res, 53, b"\x00\x07\x01\x00\x00\x01\x00\x00"
                                                      b"\x00\x00\x00\x00\x3fabc")))
    # a compression pointer that points at itself (a loop): no finding, no hang
    pc.udp(res, 53, cli, 40008, struct.pack("!HHHHHH", 8, 0x8180, 1, 1, 0, 0) + b"\xc0\x0c"
           + struct.pack("!HH", 1, 1) + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4)
           + socket.inet_aton(ip))
    # 5. DNS over TCP: query for the C2 domain from another client
    t = Tcp(pc, "10.1.1.11", 40100, res, 53)
    q = dns(7, domain)
    lab.append(("tcp_dns", t.seg(0, struct.pack("!H", len(q)) + q)))
    r = dns(7, domain, [ip])
    t.seg(1, struct.pack("!H", len(r)) + r[:10])  # split across segments
    lab.append(("tcp_dns_answer", t.seg(1, r[10:])))
    t.close()
    # 6. HTTP, one connection, several requests: an ordinary POST with a body
    # that looks like a request, a grammar request, a UA, then the C2 URL
    host, path = url.split("/", 1)
    # with the responses: 100 Continue then 200 for the POST (whose body
    # looks like a response too), 404 for the grammar request, 200 with a
    # body in two segments for the C2 URL, chunked 200 for the UA request
    h = Tcp(pc, cli, 40200, "198.51.100.20", 80)
    body = b"GET /home.php?q=zz HTTP/1.1\r\n\r\n"
    h.seg(0, b"POST /upload HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n\r\n"
          % len(body))
    h.seg(1, b"HTTP/1.1 100 Continue\r\n\r\n")
    h.seg(0, body)
    fake = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    h.seg(1, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(fake) + fake)
    lab.append(("http_grammar", h.seg(0, b"GET /group/main/indexmain.php?x=1&q=AbCd HTTP/1.1\r\n"
                                        b"Host: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n\r\n")))
    lab.append(("http_grammar_resp", h.seg(1, b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html"
                                             b"\r\nContent-Length: 9\r\n\r\nnot found")))
    req = ("GET /%s HTTP/1.1\r\nHost: %s:80\r\nAccept: */*\r\n\r\n" % (path, host.upper())).encode()
    h.seg(0, req[:7])
    lab.append(("http_url", h.seg(0, req[7:])))
    payload = bytes(range(256)) * 4 + b"\r\n\r\nHTTP/1.1 500 x\r\n\r\n"
    resp = (b"HTTP/1.1 200 OK\r\nServer: nginx/1.18.0\r\nContent-Type: Application/Octet-Stream;"
            b" charset=binary\r\nContent-Length: %d\r\n\r\n" % len(payload)) + payload
    h.seg(1, resp[:20])
    lab.append(("http_url_resp", h.seg(1, resp[20:600])))
    h.seg(1, resp[600:])
    lab.append(("http_ua", h.seg(0, b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\n"
                                   b"User-Agent: ItIsMe\r\n\r\n")))
    lab.append(("http_ua_resp", h.seg(1, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                         b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")))
    # a chunked POST whose chunk looks like a C2 request (trap), answered in
    # chunks with an extension and a trailer; then a C2 request on the same
    # connection, whose answer comes after those chunks
    fake = b"GET /home.php?q=zz HTTP/1.1\r\n"
    h.seg(0, b"POST /form HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n\r\n")
    h.seg(0, b"%X;ext=1\r\n%s\r\n0\r\nX-T: 1\r\n\r\n" % (len(fake), fake))
    h.seg(1, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
    data = b"HTTP/1.1 \r\n\r\n"  # the chunk looks like a response head (trap)
    h.seg(1, b"%x;x=y\r\n%s\r\n0\r\nX-T: 1\r\n\r\n" % (len(data), data))
    lab.append(("http_after_chunked", h.seg(0, b"GET /main/login.php?q=1 HTTP/1.1\r\n"
                                              b"Host: www.example.org\r\n\r\n")))
    lab.append(("http_after_chunked_resp", h.seg(1, b"HTTP/1.1 302 Found\r\nLocation: /\r\n"
                                                   b"Content-Length: 0\r\n\r\n")))
    h.close()
    # 7. HTTP to a C2 domain on another port, absolute URI (proxy form); an
    # HTTP/1.0 answer whose body runs to the end of the connection
    p = Tcp(pc, cli, 40300, "198.51.100.21", 8080)
    lab.append(("http_host", p.seg(0, ("GET http://%s/robots.txt HTTP/1.0\r\n\r\n" % domain)
                                   .encode())))
    lab.append(("http_host_resp", p.seg(1, b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                           + b"x" * 700)))
    p.seg(1, b"y" * 300)
    p.close()
    # 8. pipelining: three requests, then their three answers; the C2 one is
    # a HEAD (its answer has a Content-Length but no body)
    q = Tcp(pc, "10.1.1.12", 40310, "198.51.100.23", 80)
    q.seg(0, b"GET /a.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    lab.append(("http_pipe", q.seg(0, ("HEAD /x HTTP/1.1\r\nHost: www.%s\r\n\r\n" % parent)
                                   .encode())))
    q.seg(0, b"GET /b.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    q.seg(1, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    lab.append(("http_pipe_resp", q.seg(1, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 999\r\n\r\n")))
    q.seg(1, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    q.close()
    # 9. a C2 request that is never answered
    u = Tcp(pc, "10.1.1.13", 40320, "198.51.100.24", 80)
    lab.append(("http_noresp", u.seg(0, ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % domain).encode())))
    u.close()
    # traps: ordinary GET; grammar path without q=; q= on another path
    o = Tcp(pc, cli, 40400, "198.51.100.22", 80)
    o.seg(0, b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.0\r\n\r\n")
    o.seg(0, b"GET /home.php HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    o.seg(0, b"GET /search?q=kwampirs HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    o.close()
    # 10. TLS ClientHellos, one client each (findings are per client)
    t = Tcp(pc, "10.1.2.1", 41001, "198.51.100.30", 443)
    lab.append(("tls_sni", t.seg(0, openssl_hello(domain, ["h2", "http/1.1"]))))
    t.close()
    t = Tcp(pc, "10.1.2.2", 41002, "198.51.100.31", 8443)
    lab.append(("tls_sub", t.seg(0, openssl_hello("cdn." + parent.upper()))))
    t.close()
    # split across two TCP segments after its first byte (the protocol is
    # decided on 0x16 alone)
    t = Tcp(pc, "10.1.2.3", 41003, "198.51.100.32", 443)
    ch = openssl_hello(domain, ["http/1.1"])
    t.seg(0, ch[:1])
    lab.append(("tls_split_tcp", t.seg(0, ch[1:])))
    t.close()
    # across two TLS records, the second in two TCP segments
    t = Tcp(pc, "10.1.2.4", 41004, "198.51.100.33", 9443)
    ch = two_records(openssl_hello("api." + domain))
    t.seg(0, ch[:40])
    t.seg(0, ch[40:-30])
    lab.append(("tls_split_rec", t.seg(0, ch[-30:])))
    t.close()
    # no server name, to a C2 address on an odd port; and to an innocent one
    t = Tcp(pc, "10.1.2.5", 41005, ip, 4443)
    lab.append(("tls_ip", t.seg(0, openssl_hello(None))))
    t.close()
    t = Tcp(pc, "10.1.2.5", 41006, "198.51.100.34", 443)
    t.seg(0, openssl_hello(None))
    t.close()
    # the C2 domain grammar (hunting)
    t = Tcp(pc, "10.1.2.6", 41007, "198.51.100.35", 443)
    lab.append(("tls_grammar", t.seg(0, openssl_hello(gdom))))
    t.close()
    # GREASE values in ciphers, extensions and groups
    t = Tcp(pc, "10.1.2.7", 41008, "198.51.100.36", 443)
    lab.append(("tls_grease", t.seg(0, built_hello(domain, ["h2", "http/1.1"]))))
    t.close()
    # an SSL 2.0-compatible hello to the C2 address; one to an innocent one
    t = Tcp(pc, "10.1.2.10", 41030, ip, 443)
    lab.append(("tls_sslv2", t.seg(0, sslv2_hello())))
    t.close()
    t = Tcp(pc, "10.1.2.10", 41031, "198.51.100.39", 443)
    t.seg(0, sslv2_hello())
    t.close()
    # traps: names that contain a C2 domain without being under it
    for i, name in enumerate(["x" + domain, domain + ".example.org", "www.example.org"]):
        t = Tcp(pc, "10.1.2.8", 41010 + i, "198.51.100.37", 443)
        t.seg(0, openssl_hello(name))
        t.close()
    # garbage after a 0x16 byte; a handshake record whose ClientHello is cut
    # short inside the cipher suites (the one malformed-TLS note)
    t = Tcp(pc, "10.1.2.9", 41020, "198.51.100.38", 443)
    t.seg(0, b"\x16" + bytes(random.getrandbits(8) | 0x80 for _ in range(60)))
    t.close()
    t = Tcp(pc, "10.1.2.9", 41021, "198.51.100.38", 443)
    lab.append(("tls_bad", t.seg(0, b"\x16\x03\x01\x00\x2b\x01\x00\x00\x27\x03\x03" + bytes(32)
                                 + b"\x00\x00\x40\x13\x01")))
    t.close()
    pc.f.close()
    for name, fr in lab:
        print(name, fr)


if __name__ == "__main__":
    main()

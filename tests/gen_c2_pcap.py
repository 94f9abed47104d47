#!/usr/bin/python3
"""gen_c2_pcap.py - write a small pcap (Ethernet/IPv4) with DNS over UDP and
TCP and HTTP requests over TCP (with handshakes), for tests/it-net-c2.sh.

usage: gen_c2_pcap.py OUT.pcap DOMAIN SUBDOMAIN_OF IP URL GRAMMAR_DOMAIN SINKHOLE

Prints "label frame" for every frame a test may expect a finding on. Only
the Python standard library; the wire formats follow RFC 1035 (DNS, with
compression pointers), RFC 791/793/768 and the libpcap file format.
"""
import socket
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
    h = Tcp(pc, cli, 40200, "198.51.100.20", 80)
    body = b"GET /home.php?q=zz HTTP/1.1\r\n\r\n"
    h.seg(0, b"POST /upload HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n\r\n"
          % len(body))
    h.seg(0, body)
    lab.append(("http_grammar", h.seg(0, b"GET /group/main/indexmain.php?x=1&q=AbCd HTTP/1.1\r\n"
                                        b"Host: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n\r\n")))
    lab.append(("http_ua", h.seg(0, b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\n"
                                   b"User-Agent: ItIsMe\r\n\r\n")))
    req = ("GET /%s HTTP/1.1\r\nHost: %s:80\r\nAccept: */*\r\n\r\n" % (path, host.upper())).encode()
    h.seg(0, req[:7])
    lab.append(("http_url", h.seg(0, req[7:])))
    h.seg(1, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    h.close()
    # 7. HTTP to a C2 domain on another port, absolute URI (proxy form)
    p = Tcp(pc, cli, 40300, "198.51.100.21", 8080)
    lab.append(("http_host", p.seg(0, ("GET http://%s/robots.txt HTTP/1.1\r\n\r\n" % domain)
                                   .encode())))
    p.close()
    # traps: ordinary GET; grammar path without q=; q= on another path
    o = Tcp(pc, cli, 40400, "198.51.100.22", 80)
    o.seg(0, b"GET /index.html HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.0\r\n\r\n")
    o.seg(0, b"GET /home.php HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    o.seg(0, b"GET /search?q=kwampirs HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    o.close()
    pc.f.close()
    for name, fr in lab:
        print(name, fr)


if __name__ == "__main__":
    main()

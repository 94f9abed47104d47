#!/usr/bin/python3
"""net_mkcap.py - build a large capture for bench/net from small real ones.

usage: net_mkcap.py OUT.pcap MIN_MB CAPTURE...

Writes the captures (classic pcap, Ethernet) one after the other, again and
again, until OUT holds at least MIN_MB megabytes. Copy k has its IPv4
addresses rewritten (second and third octets XOR k) with the IP, TCP and UDP
checksums adjusted (RFC 1624), so every copy is a new set of hosts and flows,
not a retransmission of the first; its timestamps move on by k hours. Frames
that are not Ethernet/IPv4 (IPv6, ARP) are copied as they are.
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, want Ethernet (1)")
    frames = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        if nano:
            frac //= 1000
        off += 16
        if incl > len(data) - off:
            break  # cut short: keep what is whole
        frames.append((sec, frac, orig, data[off:off + incl]))
        off += incl
    return frames


def csum_fix(old, removed, added):
    """RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over 16-bit words."""
    s = (~old) & 0xFFFF
    for w in removed:
        s += (~w) & 0xFFFF
    for w in added:
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def words(b):
    return [struct.unpack(">H", b[i:i + 2])[0] for i in range(0, len(b), 2)]


def rewrite(pkt, k):
    p = bytearray(pkt)
    off = 12
    if len(p) < 14:
        return bytes(p)
    etype = struct.unpack(">H", p[off:off + 2])[0]
    off += 2
    while etype in (0x8100, 0x88A8) and len(p) >= off + 4:
        etype = struct.unpack(">H", p[off + 2:off + 4])[0]
        off += 4
    if etype != 0x0800 or len(p) < off + 20:
        return bytes(p)
    ip = off
    ihl = (p[ip] & 0x0F) * 4
    if ihl < 20 or len(p) < ip + ihl:
        return bytes(p)
    old_addr = bytes(p[ip + 12:ip + 20])
    new_addr = bytearray(old_addr)
    for base in (0, 4):
        new_addr[base + 1] ^= (k >> 8) & 0xFF
        new_addr[base + 2] ^= k & 0xFF
    p[ip + 12:ip + 20] = new_addr
    rem, add = words(old_addr), words(bytes(new_addr))
    old = struct.unpack(">H", p[ip + 10:ip + 12])[0]
    p[ip + 10:ip + 12] = struct.pack(">H", csum_fix(old, rem, add))
    proto = p[ip + 9]
    frag = struct.unpack(">H", p[ip + 6:ip + 8])[0] & 0x1FFF
    l4 = ip + ihl
    if frag == 0 and proto == 6 and len(p) >= l4 + 18:
        old = struct.unpack(">H", p[l4 + 16:l4 + 18])[0]
        p[l4 + 16:l4 + 18] = struct.pack(">H", csum_fix(old, rem, add))
    elif frag == 0 and proto == 17 and len(p) >= l4 + 8:
        old = struct.unpack(">H", p[l4 + 6:l4 + 8])[0]
        if old:  # 0: no UDP checksum
            p[l4 + 6:l4 + 8] = struct.pack(">H", csum_fix(old, rem, add) or 0xFFFF)
    return bytes(p)


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    out, min_bytes = sys.argv[1], int(float(sys.argv[2]) * 1e6)
    rounds = [read_pcap(p) for p in sys.argv[3:]]
    total = 0
    k = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while total < min_bytes:
            k += 1
            if k > 0xFFFF:
                raise SystemExit("too many copies")
            for frames in rounds:
                for sec, usec, orig, pkt in frames:
                    b = rewrite(pkt, k)
                    f.write(struct.pack("<IIII", sec + 3600 * k, usec, len(b), orig))
                    f.write(b)
                    total += 16 + len(b)
    print(f"{out}: {k} copies, {total / 1e6:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()

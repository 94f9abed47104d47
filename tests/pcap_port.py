#!/usr/bin/python3
"""pcap_port.py IN OUT PORT - copy a classic pcap (Ethernet or Linux cooked,
IPv4/IPv6), renumbering TCP port PORT to 445 in both directions.

Why: tshark reads SMB over direct TCP (24-bit NetBIOS lengths) only on port
445; on any other port, even with "decode as nbss", a message longer than
128 KiB (an SMB2 WRITE of a whole file) derails its reassembly of the rest
of the stream. it-net-samba.sh runs its server on a high port, so it gives
tshark a copy with the port renumbered. Nothing else changes (checksums are
left as they are: tshark does not verify them by default), so frame numbers
are the same in both files.
"""
import struct
import sys


def main():
    src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, "rb") as f:
        data = bytearray(f.read())
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        print("not a classic pcap file", file=sys.stderr)
        return 1
    link = struct.unpack_from(e + "I", data, 20)[0]
    off = 24
    n = 0
    while off + 16 <= len(data):
        incl = struct.unpack_from(e + "I", data, off + 8)[0]
        pkt = off + 16
        end = pkt + incl
        if end > len(data):
            break
        if link == 1:  # Ethernet
            l3, etype = pkt + 14, struct.unpack_from(">H", data, pkt + 12)[0]
        elif link == 113:  # Linux cooked v1
            l3, etype = pkt + 16, struct.unpack_from(">H", data, pkt + 14)[0]
        else:
            l3, etype = None, None
        tcp = None
        if etype == 0x0800 and l3 + 20 <= end and data[l3 + 9] == 6:
            tcp = l3 + (data[l3] & 0x0F) * 4
        elif etype == 0x86DD and l3 + 40 <= end and data[l3 + 6] == 6:
            tcp = l3 + 40
        if tcp is not None and tcp + 4 <= end:
            for p in (tcp, tcp + 2):
                if struct.unpack_from(">H", data, p)[0] == port:
                    struct.pack_into(">H", data, p, 445)
                    n += 1
        off = end
    with open(dst, "wb") as f:
        f.write(data)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())

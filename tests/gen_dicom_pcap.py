#!/usr/bin/python3
"""gen_dicom_pcap.py - write a pcap (Ethernet/IPv4, TCP with handshakes) with
DICOM associations and SMB1 hosts, for tests/it-net-dicom.sh.

usage: gen_dicom_pcap.py OUT.pcap [C2_DOMAIN]
       gen_dicom_pcap.py --seeds FUZZ_CORPUS_DIR   (seeds for fuzz/fuzz-dicom.c
                         in the chunk format of src/net/net_fuzz.c, and the
                         capture for fuzz-pcap)

Hosts (10.5.0.x):
  .10 -> .20:104    A-ASSOCIATE-RQ (MR storage, enhanced MR, verification; the
                    RQ split over two segments) + AC accepting MR and
                    verification, P-DATA, release; .10 is also the SMB1-only
                    XP server (NativeOS "Windows 5.1") that .99 copies
                    Kwampirs to and creates its service on (SMB1, svcctl)
  .11 -> .21:11112  RQ (CT) + A-ASSOCIATE-RJ
  .12 -> .22:4242   C-ECHO association on an odd port (found by content)
  .13 -> .23:104    trap: not DICOM on port 104
  .16 -> .26:4243   trap: an RQ-like PDU with another application context
  .14 -> .24:104    RQ whose presentation context overruns the PDU (truncated)
  .15 -> .25:11112  valid RQ (DX), then a PDU of unknown type 0x09 (garbled)
  .31 -> .41:445    SMB1-only client (NT LM 0.12 only; NativeOS "Windows 2000 2195")
  .10 -> .53:53     last, with C2_DOMAIN: the MR console asks DNS for a C2 domain

Prints "label frame" for frames a test may expect a finding on. Only the
Python standard library; PDUs follow DICOM PS3.8 9.3, SMB1 MS-CIFS 2.2.4.
"""
import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_c2_pcap import Pcap, Tcp  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "gen_net_seeds", os.path.join(HERE, "..", "fuzz", "gen-net-seeds.py"))
seeds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seeds)


def be16(v): return struct.pack(">H", v)
def be32(v): return struct.pack(">I", v)


def item(t, v): return bytes([t, 0]) + be16(len(v)) + v


def uid(s):
    b = s.encode()
    return b + (b"\0" if len(b) % 2 else b"")  # PS3.5 9.1: NUL-padded to even length


def ae(s): return s.encode().ljust(16, b" ")


APP = item(0x10, uid("1.2.840.10008.3.1.1.1"))
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"


def assoc(t, called, calling, items, version=1):
    body = be16(version) + be16(0) + ae(called) + ae(calling) + bytes(32) + b"".join(items)
    return bytes([t, 0]) + be32(len(body)) + body


def pctx_rq(pid, abstract, ts=(IMPLICIT_LE, EXPLICIT_LE)):
    return item(0x20, bytes([pid, 0, 0, 0]) + item(0x30, uid(abstract)) +
                b"".join(item(0x40, uid(t)) for t in ts))


def pctx_ac(pid, result, ts=IMPLICIT_LE):
    return item(0x21, bytes([pid, 0, result, 0]) + item(0x40, uid(ts)))


def userinfo(impl, ver=None):
    v = item(0x51, be32(16384)) + item(0x52, uid(impl))
    if ver:
        v += item(0x55, ver.encode())
    return item(0x50, v)


def rj(result, source, reason): return bytes([3, 0]) + be32(4) + bytes([0, result, source, reason])


def pdata(ctx, data):
    pdv = bytes([ctx, 0x03]) + data
    return bytes([4, 0]) + be32(4 + len(pdv)) + be32(len(pdv)) + pdv


RELEASE_RQ = bytes([5, 0]) + be32(4) + bytes(4)
RELEASE_RP = bytes([6, 0]) + be32(4) + bytes(4)

MR = "1.2.840.10008.5.1.4.1.1.4"
EMR = "1.2.840.10008.5.1.4.1.1.4.1"
ECHO = "1.2.840.10008.1.1"
CT = "1.2.840.10008.5.1.4.1.1.2"
DX = "1.2.840.10008.5.1.4.1.1.1.1"
GDCM = "1.2.826.0.1.3680043.2.1143.107.104.103.115.2.8.4"
DCMTK = "1.2.276.0.7230010.3.0.3.6.7"


def nb(m): return be32(len(m)) + m


def smb1_session_resp_os(os_name, lanman):
    # WordCount 3: AndX (4), Action (2); Unicode strings 2-aligned from the header
    # (the bytes start at offset 32 + 1 + 6 + 2 = 41: one pad byte)
    data = b"\x00" + (os_name + "\0").encode("utf-16-le") + (lanman + "\0").encode("utf-16-le") + \
        "HOSPITAL\0".encode("utf-16-le")
    return seeds.smb1(0x73, seeds.ANDX_NONE + seeds.u16(0), data, resp=True, uid=0x800, mid=2)


def main():
    pc = Pcap(sys.argv[1])
    labels = []

    # 1. MR console .10 stores to the PACS .20 on 104
    t = Tcp(pc, "10.5.0.10", 40001, "10.5.0.20", 104)
    rq = assoc(1, "PACS_ARCHIVE", "MR_CONSOLE",
               [APP, pctx_rq(1, MR), pctx_rq(3, EMR), pctx_rq(5, ECHO), userinfo(GDCM, "GDCM 2.8.4")])
    t.seg(0, rq[:50])
    t.seg(0, rq[50:])
    t.seg(1, assoc(2, "PACS_ARCHIVE", "MR_CONSOLE",
                   [APP, pctx_ac(1, 0), pctx_ac(3, 3), pctx_ac(5, 0),
                    userinfo(DCMTK, "OFFIS_DCMTK_367")]))
    big = pdata(1, bytes(range(256)) * 40)
    t.seg(0, big[:1000])
    t.seg(0, big[1000:])
    t.seg(1, pdata(1, b"\x00" * 20))
    t.seg(0, RELEASE_RQ)
    t.seg(1, RELEASE_RP)
    t.close()

    # 2. CT .11 to .21 on 11112: rejected (permanent, service user, called AE not recognised)
    t = Tcp(pc, "10.5.0.11", 40002, "10.5.0.21", 11112)
    t.seg(0, assoc(1, "PACS_2", "CT_SCANNER", [APP, pctx_rq(1, CT), userinfo("1.2.3.4.5")]))
    t.seg(1, rj(1, 1, 7))
    t.close()

    # 3. C-ECHO on an odd port
    t = Tcp(pc, "10.5.0.12", 40003, "10.5.0.22", 4242)
    t.seg(0, assoc(1, "STORESCP", "ECHOSCU", [APP, pctx_rq(1, ECHO), userinfo(DCMTK)]))
    t.seg(1, assoc(2, "STORESCP", "ECHOSCU", [APP, pctx_ac(1, 0), userinfo(DCMTK)]))
    t.seg(0, RELEASE_RQ)
    t.seg(1, RELEASE_RP)
    t.close()

    # 4. traps: not DICOM on 104; an RQ-like PDU with another context on an odd port
    t = Tcp(pc, "10.5.0.13", 40004, "10.5.0.23", 104)
    t.seg(0, b"HELLO modality worklist\r\n")
    t.seg(1, b"\x01\x02\x03 binary junk that is no PDU")
    t.close()
    t = Tcp(pc, "10.5.0.16", 40006, "10.5.0.26", 4243)
    other = assoc(1, "X", "Y", [item(0x10, uid("1.2.3.4.5.6")), pctx_rq(1, CT)])
    t.seg(0, other)
    t.seg(1, other.replace(b"\x01", b"\x02", 1))
    t.close()

    # 5. truncated: a presentation context item longer than its PDU
    t = Tcp(pc, "10.5.0.14", 40005, "10.5.0.24", 104)
    bad = bytearray(assoc(1, "PACS", "TRUNC", [APP, pctx_rq(1, CT)]))
    off = 6 + 68 + len(APP) + 2  # length of the presentation context item
    bad[off:off + 2] = be16(0x400)
    labels.append(("dicom_truncated", t.seg(0, bytes(bad))))
    t.close()

    # 6. garbled: a valid RQ, then a PDU of type 0x09
    t = Tcp(pc, "10.5.0.15", 40007, "10.5.0.25", 11112)
    t.seg(0, assoc(1, "PACS_3", "DX_ROOM1", [APP, pctx_rq(1, DX)]))
    labels.append(("dicom_garbled", t.seg(0, bytes([9, 0]) + be32(4) + bytes(4))))
    t.close()

    # 7. .99 spreads Kwampirs over SMB1 to the XP MR console .10
    xp = seeds.smb1_xp_kwampirs(b"MZ kwampirs over smb1" * 10)
    xp[3] = (0, smb1_session_resp_os("Windows 5.1", "Windows 2000 LAN Manager"))
    t = Tcp(pc, "10.5.0.99", 40100, "10.5.0.10", 445)
    for to_srv, m in xp:
        fr = t.seg(0 if to_srv else 1, nb(m))
    labels.append(("smb_create", fr))
    t.close()

    # 8. an SMB1-only client (Windows 2000) to .41, which answers in SMB1
    t = Tcp(pc, "10.5.0.31", 40200, "10.5.0.41", 445)
    neg = b"\x02NT LM 0.12\x00"
    t.seg(0, nb(seeds.smb1(0x72, b"", neg, mid=1)))
    words = seeds.u16(0) + b"\x03" + seeds.u16(50) + seeds.u16(1) + seeds.u32(16644) + \
        seeds.u32(65536) + seeds.u32(0) + seeds.u32(0x800003fd) + bytes(8) + seeds.u16(0) + b"\x00"
    t.seg(1, nb(seeds.smb1(0x72, words, bytes(8), resp=True, mid=1)))
    # WordCount 13: AndX 4, MaxBuffer 2, MaxMpx 2, Vc 2, SessionKey 4, OEM len 2,
    # Unicode len 2, Reserved 4, Capabilities 4
    ss = seeds.ANDX_NONE + seeds.u16(16644) + seeds.u16(50) + seeds.u16(0) + seeds.u32(0) + \
        seeds.u16(0) + seeds.u16(0) + seeds.u32(0) + seeds.u32(0xd4)
    strs = b"".join((s + "\0").encode("utf-16-le") for s in
                    ("nurse", "WARD", "Windows 2000 2195", "Windows 2000 5.0"))
    # bytes start at 32 + 1 + 26 + 2 = 61 (odd): one pad byte before Unicode
    t.seg(0, nb(seeds.smb1(0x73, ss, b"\x00" + strs, mid=2)))
    t.close()

    if len(sys.argv) > 2:
        name = b"".join(bytes([len(x)]) + x.encode() for x in sys.argv[2].split(".")) + b"\0"
        q = struct.pack(">HHHHHH", 0x4b57, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
        labels.append(("dns_c2", pc.udp("10.5.0.10", 50000, "10.5.0.53", 53, q)))

    pc.f.close()
    for label, fr in labels:
        print(label, fr)


def seeds_main(d):
    def chunks(msgs):
        return b"".join(bytes([1 if to_srv else 0]) + struct.pack("<H", len(m)) + m
                        for to_srv, m in msgs)

    def put(sub, name, data):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, sub, name), "wb") as f:
            f.write(data)
    rq = assoc(1, "PACS_ARCHIVE", "MR_CONSOLE",
               [APP, pctx_rq(1, MR), pctx_rq(3, EMR), pctx_rq(5, ECHO), userinfo(GDCM, "GDCM 2.8.4")])
    ac = assoc(2, "PACS_ARCHIVE", "MR_CONSOLE",
               [APP, pctx_ac(1, 0), pctx_ac(3, 3), pctx_ac(5, 0), userinfo(DCMTK, "OFFIS_DCMTK_367")])
    put("fuzz-dicom", "store.chunks",
        chunks([(1, rq[:40]), (1, rq[40:]), (0, ac), (1, pdata(1, b"\x01" * 300)),
                (1, RELEASE_RQ), (0, RELEASE_RP)]))
    put("fuzz-dicom", "reject.chunks",
        chunks([(1, assoc(1, "PACS_2", "CT_SCANNER", [APP, pctx_rq(1, CT)])), (0, rj(1, 1, 7))]))
    bad = bytearray(rq)
    bad[6 + 68 + len(APP) + 2:6 + 68 + len(APP) + 4] = be16(0x400)
    put("fuzz-dicom", "truncated.chunks", chunks([(1, bytes(bad))]))
    put("fuzz-dicom", "garbled.chunks",
        chunks([(1, rq), (1, bytes([9, 0]) + be32(4) + bytes(4))]))
    put("fuzz-dicom", "abort.chunks", chunks([(1, rq), (0, bytes([7, 0]) + be32(4) + bytes([0, 0, 2, 0]))]))
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        sys.argv[1] = os.path.join(t, "d.pcap")
        with open(os.devnull, "w") as null:
            out, sys.stdout = sys.stdout, null
            main()
            sys.stdout = out
        with open(sys.argv[1], "rb") as f:
            put("fuzz-pcap", "dicom-inventory.pcap", f.read())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        seeds_main(sys.argv[2])
    else:
        main()

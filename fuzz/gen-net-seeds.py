#!/usr/bin/env python3
"""gen-net-seeds.py - write small synthetic seeds for fuzz-pcap, fuzz-smb2 and
fuzz-dcerpc (no corpus bytes): a PsExec-like exchange (tree connect ADMIN$,
create + write + close of a file, IPC$ svcctl bind, RCreateServiceW, start),
in several link layers and both capture formats, plus stream-chunk seeds in
the format of src/net/net_fuzz.c.

Run from the repository root:  python3 fuzz/gen-net-seeds.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

SVCCTL = bytes.fromhex("81bb7a364498f135ad3298f038001003")
NDR = bytes.fromhex("045d888aeb1cc9119fe808002b104860")


def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def u64(v): return struct.pack("<Q", v)
def utf16(s): return s.encode("utf-16-le")


# ---- SMB2 ----
def smb2(cmd, mid, body, resp=False, tid=0, sid=0x1234, status=0, nxt=0, flags=0):
    fl = flags | (1 if resp else 0)
    return (b"\xfeSMB" + u16(64) + u16(1) + u32(status) + u16(cmd) + u16(1) + u32(fl) +
            u32(nxt) + u64(mid) + u32(0) + u32(tid) + u64(sid) + bytes(16) + body)


def nb(msg): return struct.pack(">I", len(msg)) + msg


def tree_req(mid, path):
    p = utf16(path)
    return smb2(3, mid, u16(9) + u16(0) + u16(72) + u16(len(p)) + p)


def tree_resp(mid, tid, pipe=False):
    return smb2(3, mid, u16(16) + bytes([2 if pipe else 1, 0]) + u32(0) + u32(0) + u32(0x1f01ff),
                resp=True, tid=tid)


def create_req(mid, tid, name):
    n = utf16(name)
    body = (u16(57) + b"\x00\x00" + u32(2) + bytes(16) + u32(0x12019f) + u32(0x80) + u32(7) +
            u32(5) + u32(0x40) + u16(120) + u16(len(n)) + u32(0) + u32(0))
    return smb2(5, mid, body + n, tid=tid)


def create_resp(mid, tid, fid):
    body = u16(89) + b"\x00\x00" + u32(2) + bytes(32) + u64(0) + u64(0) + u32(0x80) + u32(0) + fid
    body += u32(0) + u32(0)
    return smb2(5, mid, body, resp=True, tid=tid)


def write_req(mid, tid, fid, off, data):
    body = u16(49) + u16(112) + u32(len(data)) + u64(off) + fid + u32(0) + u32(0) + u16(0) + \
        u16(0) + u32(0)
    return smb2(9, mid, body + data, tid=tid)


def close_req(mid, tid, fid):
    return smb2(6, mid, u16(24) + u16(0) + u32(0) + fid, tid=tid)


def ioctl_req(mid, tid, fid, data):
    body = (u16(57) + u16(0) + u32(0x0011C017) + fid + u32(120) + u32(len(data)) + u32(0) +
            u32(0) + u32(0) + u32(4280) + u32(1) + u32(0))
    return smb2(11, mid, body + data, tid=tid)


def ioctl_resp(mid, tid, fid, data):
    body = (u16(49) + u16(0) + u32(0x0011C017) + fid + u32(112) + u32(0) + u32(112) +
            u32(len(data)) + u32(0) + u32(0))
    return smb2(11, mid, body + data, resp=True, tid=tid)


# ---- SMB1 (MS-CIFS 2.2.3.1 header, 2.2.4 commands) ----
def smb1(cmd, words, data, resp=False, tid=0, uid=0, mid=0, pid=0x1000, status=0):
    hdr = (b"\xffSMB" + bytes([cmd]) + u32(status) + bytes([0x98 if resp else 0x18]) +
           u16(0xC807) + u16(0) + bytes(8) + u16(0) + u16(tid) + u16(pid) + u16(uid) + u16(mid))
    return hdr + bytes([len(words) // 2]) + words + u16(len(data)) + data


ANDX_NONE = b"\xff\x00" + u16(0)


def ntlm_auth_msg(user, domain, ws):
    d, u, w = utf16(domain), utf16(user), utf16(ws)
    off = 64
    flds = b""
    for v in (d, u, w):
        flds += u16(len(v)) + u16(len(v)) + u32(off)
        off += len(v)
    return (b"NTLMSSP\x00" + u32(3) + u16(0) + u16(0) + u32(64) + u16(0) + u16(0) + u32(64) +
            flds + u16(0) + u16(0) + u32(off) + u32(1) + d + u + w)


def smb1_xp_kwampirs(payload):
    fid_f, fid_p = 0x4001, 0x4002
    neg = b"".join(b"\x02" + d + b"\x00" for d in (b"NT LM 0.12", b"SMB 2.002", b"SMB 2.???"))
    neg_resp_words = u16(0) + b"\x03" + u16(50) + u16(1) + u32(16644) + u32(65536) + u32(0) + \
        u32(0x8000e3fd) + bytes(8) + u16(0) + b"\x00"
    blob = ntlm_auth_msg("bob", "HOSPITAL", "XP-WARD3")
    ss_words = ANDX_NONE + u16(16644) + u16(50) + u16(0) + u32(0) + u16(len(blob)) + u32(0) + \
        u32(0x800000d4)
    def tree(mid, path):
        return smb1(0x75, ANDX_NONE + u16(0) + u16(1), b"\x00" + utf16(path) + b"\x00\x00" +
                    b"?????\x00", uid=0x800, mid=mid)
    def tree_resp(mid, tid):
        return smb1(0x75, ANDX_NONE + u16(1), b"A:\x00", resp=True, tid=tid, uid=0x800, mid=mid)
    def create(mid, tid, name):
        n = utf16(name)
        words = (ANDX_NONE + b"\x00" + u16(len(n)) + u32(0) + u32(0) + u32(0x2019f) + bytes(8) +
                 u32(0x80) + u32(3) + u32(5) + u32(0x40) + u32(2) + b"\x00")
        return smb1(0xA2, words, b"\x00" + n + b"\x00\x00", tid=tid, uid=0x800, mid=mid)
    def create_resp(mid, tid, fid):
        words = ANDX_NONE + b"\x00" + u16(fid) + bytes(68 - 7)
        return smb1(0xA2, words, b"", resp=True, tid=tid, uid=0x800, mid=mid)
    def write(mid, tid, fid, off, data):
        words = ANDX_NONE + u16(fid) + u32(off) + u32(0) + u16(0) + u16(0) + u16(0) + \
            u16(len(data)) + u16(64) + u32(0)
        return smb1(0x2F, words, b"\x00" + data, tid=tid, uid=0x800, mid=mid)
    def close(mid, tid, fid):
        return smb1(0x04, u16(fid) + u32(0), b"", tid=tid, uid=0x800, mid=mid)
    def transact(mid, tid, fid, data):
        words = (u16(0) + u16(len(data)) + u16(0) + u16(4280) + b"\x00\x00" + u16(0) + u32(0) +
                 u16(0) + u16(0) + u16(84) + u16(len(data)) + u16(84) + b"\x02\x00" +
                 u16(0x26) + u16(fid))
        return smb1(0x25, words, b"\x00" + utf16("\\PIPE\\") + b"\x00\x00" + b"\x00\x00" + data,
                    tid=tid, uid=0x800, mid=mid)
    def transact_resp(mid, tid, data):
        words = (u16(0) + u16(len(data)) + u16(0) + u16(0) + u16(56) + u16(0) + u16(len(data)) +
                 u16(56) + u16(0) + b"\x00\x00")
        return smb1(0x25, words, b"\x00" + data, resp=True, tid=tid, uid=0x800, mid=mid)
    stub = create_service_stub("WmiApSrvEx", "WMI Performance Adapter Extension",
                               "%SystemRoot%\\system32\\wmiapsrvex.exe", start=2)
    half = len(payload) // 2
    return [
        (1, smb1(0x72, b"", neg, mid=1)),
        (0, smb1(0x72, neg_resp_words, bytes(16), resp=True, mid=1)),
        (1, smb1(0x73, ss_words, blob, uid=0x800, mid=2)),
        (0, smb1(0x73, ANDX_NONE + u16(0) + u16(0), b"", resp=True, uid=0x800, mid=2)),
        (1, tree(3, "\\\\WARD3\\C$")), (0, tree_resp(3, 0x2001)),
        (1, create(4, 0x2001, "\\WINDOWS\\system32\\wmiapsrvex.exe")),
        (0, create_resp(4, 0x2001, fid_f)),
        (1, write(5, 0x2001, fid_f, 0, payload[:half])),
        (1, write(6, 0x2001, fid_f, half, payload[half:])),
        (1, close(7, 0x2001, fid_f)),
        (1, tree(8, "\\\\WARD3\\IPC$")), (0, tree_resp(8, 0x2002)),
        (1, create(9, 0x2002, "\\svcctl")), (0, create_resp(9, 0x2002, fid_p)),
        (1, write(10, 0x2002, fid_p, 0, bind(1))),
        (1, transact(11, 0x2002, fid_p, request(2, 12, stub))),
        (0, transact_resp(11, 0x2002, response(2, u32(0) + bytes([7] * 20) + u32(0)))),
    ]


# ---- DCE/RPC and NDR ----
def dce(ptype, call_id, body, flags=3):
    return bytes([5, 0, ptype, flags, 0x10, 0, 0, 0]) + u16(16 + len(body)) + u16(0) + \
        u32(call_id) + body


def bind(call_id):
    item = u16(0) + bytes([1, 0]) + SVCCTL + u16(2) + u16(0) + NDR + u32(2)
    return dce(11, call_id, u16(4280) + u16(4280) + u32(0) + bytes([1, 0, 0, 0]) + item)


def request(call_id, opnum, stub, flags=3):
    return dce(0, call_id, u32(len(stub)) + u16(0) + u16(opnum) + stub, flags)


def response(call_id, stub):
    return dce(2, call_id, u32(len(stub)) + u16(0) + b"\x00\x00" + stub)


def align4(b): return b + bytes((4 - len(b) % 4) % 4)


def authed_request(call_id, opnum, stub, flags, level):
    """A request with an NTLMSSP auth verifier (C706 12.6.3.2; MS-RPCE
    2.2.2.11): the stub padded to 4, the 8-byte trailer (type 10, level,
    pad length), 16 verifier bytes; auth_length 16. Level 6 (privacy): the
    stub stands for ciphertext."""
    pad = (4 - len(stub) % 4) % 4
    body = u32(len(stub)) + u16(0) + u16(opnum) + stub + bytes(pad) + \
        bytes([10, level, pad, 0]) + u32(1) + bytes([0xAA] * 16)
    return bytes([5, 0, 0, flags, 0x10, 0, 0, 0]) + u16(16 + len(body)) + u16(16) + \
        u32(call_id) + body


def fault(call_id, status):
    return dce(3, call_id, u32(0) + u16(0) + bytes([0, 0]) + u32(status) + u32(0))


def cvs(s, wide=True):
    raw = (utf16(s) + b"\x00\x00") if wide else (s.encode() + b"\x00")
    n = len(s) + 1
    return u32(n) + u32(0) + u32(n) + raw


def create_service_stub(name, display, binpath, wide=True, start=3):
    b = bytes(20)                           # hSCManager
    b = align4(b + cvs(name, wide))         # lpServiceName
    b = align4(b + u32(0x20000) + cvs(display, wide))
    b += u32(0xf01ff) + u32(0x10) + u32(start) + u32(0)
    b = align4(b + cvs(binpath, wide))
    b += u32(0)                             # lpLoadOrderGroup
    b += u32(0)                             # lpdwTagId
    b += u32(0) + u32(0)                    # lpDependencies, dwDependSize
    b += u32(0)                             # lpServiceStartName
    b += u32(0) + u32(0)                    # lpPassword, dwPwSize
    return b


# ---- capture formats ----
def ipv4_tcp(src, dst, sp, dp, seq, ack, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sp, dp, seq, ack, 0x50, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    return ip + tcp + payload


def ipv6_tcp(src, dst, sp, dp, seq, ack, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sp, dp, seq, ack, 0x50, flags, 65535, 0, 0)
    ip = struct.pack(">IHBB16s16s", 6 << 28, len(tcp) + len(payload), 6, 64, bytes(src),
                     bytes(dst))
    return ip + tcp + payload


def conversation(msgs, v6=False, seg=0, shuffle=None, drop=None, dup=False, isn=(1000, 5000)):
    """msgs: list of (to_server, bytes). Returns raw IP packets of a TCP session.
    seg: cut client data into segments of at most seg bytes; shuffle: a
    random.Random that reorders each run of up to 5 client segments; drop:
    index of a client segment left out (a capture gap); dup: also send every
    third client segment twice and one overlapping segment (retransmissions)."""
    if v6:
        cli, srv, mk = [0xfe, 0x80] + [0] * 13 + [1], [0xfe, 0x80] + [0] * 13 + [2], ipv6_tcp
    else:
        cli, srv, mk = [10, 0, 0, 1], [10, 0, 0, 2], ipv4_tcp
    cs, ss = isn
    pk = [mk(cli, srv, 49200, 445, cs, 0, 0x02, b""),
          mk(srv, cli, 445, 49200, ss, (cs + 1) & 0xffffffff, 0x12, b"")]
    cs = (cs + 1) & 0xffffffff
    ss = (ss + 1) & 0xffffffff
    nseg = 0
    for to_srv, m in msgs:
        data = nb(m)
        if to_srv and seg:
            segs = [(cs + i, data[i:i + seg]) for i in range(0, len(data), seg)]
            out = []
            for k, (q, d) in enumerate(segs):
                if drop is not None and nseg == drop:
                    nseg += 1
                    continue
                nseg += 1
                out.append((q, d))
                if dup and k % 3 == 2:
                    out.append((q, d))
                    if k + 1 < len(segs):  # overlaps the end of this and start of the next
                        out.append((q + len(d) // 2, data[q - cs + len(d) // 2:q - cs + len(d) + 7]))
            if shuffle:
                for i in range(0, len(out), 5):
                    part = out[i:i + 5]
                    shuffle.shuffle(part)
                    out[i:i + 5] = part
            for q, d in out:
                pk.append(mk(cli, srv, 49200, 445, q & 0xffffffff, ss, 0x18, d))
            cs = (cs + len(data)) & 0xffffffff
        elif to_srv:
            pk.append(mk(cli, srv, 49200, 445, cs, ss, 0x18, data))
            cs = (cs + len(data)) & 0xffffffff
        else:
            pk.append(mk(srv, cli, 445, 49200, ss, cs, 0x18, data))
            ss = (ss + len(data)) & 0xffffffff
    pk.append(mk(cli, srv, 49200, 445, cs, ss, 0x11, b""))
    pk.append(mk(srv, cli, 445, 49200, ss, (cs + 1) & 0xffffffff, 0x11, b""))
    return pk


def link(kind, ip, v6):
    et = b"\x86\xdd" if v6 else b"\x08\x00"
    if kind == "eth":
        return bytes(6) + bytes([0, 1, 2, 3, 4, 5]) + et + ip
    if kind == "vlan":
        return bytes(6) + bytes([0, 1, 2, 3, 4, 5]) + b"\x81\x00\x00\x0a" + et + ip
    if kind == "sll":
        return struct.pack(">HHH8s", 0, 1, 6, bytes(8)) + et + ip
    if kind == "sll2":
        return et + b"\x00\x00" + u32(1)[::-1] + struct.pack(">HBB8s", 1, 0, 6, bytes(8)) + ip
    return ip  # raw


LINKTYPE = {"eth": 1, "vlan": 1, "sll": 113, "sll2": 276, "raw": 101}


def pcap(packets, linktype):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, p in enumerate(packets):
        out += struct.pack("<IIII", 1500000000 + i, 0, len(p), len(p)) + p
    return out


def pcapng(packets, linktype):
    def block(t, body):
        body += bytes((4 - len(body) % 4) % 4)
        return u32(t) + u32(len(body) + 12) + body + u32(len(body) + 12)
    out = block(0x0A0D0D0A, u32(0x1A2B3C4D) + u16(1) + u16(0) + u64(0xffffffffffffffff))
    out += block(1, u16(linktype) + u16(0) + u32(65535))
    for i, p in enumerate(packets):
        ts = (1500000000 + i) * 1000000
        out += block(6, u32(0) + u32(ts >> 32) + u32(ts & 0xffffffff) + u32(len(p)) + u32(len(p)) + p)
    return out


def psexec_msgs(payload, name="PSEXESVC.exe", svc="PSEXESVC", display="PSEXESVC",
                binpath="%SystemRoot%\\PSEXESVC.exe"):
    f1 = bytes(range(1, 17))
    f2 = bytes(range(17, 33))
    half = len(payload) // 2
    stub = create_service_stub(svc, display, binpath)
    return [
        (1, tree_req(1, "\\\\srv\\ADMIN$")), (0, tree_resp(1, 1)),
        (1, create_req(2, 1, name)), (0, create_resp(2, 1, f1)),
        (1, write_req(3, 1, f1, half, payload[half:])),
        (1, write_req(4, 1, f1, 0, payload[:half])),
        (1, close_req(5, 1, f1)),
        (1, tree_req(6, "\\\\srv\\IPC$")), (0, tree_resp(6, 2, pipe=True)),
        (1, create_req(7, 2, "svcctl")), (0, create_resp(7, 2, f2)),
        (1, write_req(8, 2, f2, 0, bind(1))),
        (1, ioctl_req(9, 2, f2, request(2, 45, stub))),
        (0, ioctl_resp(9, 2, f2, response(2, u32(0) + bytes([9] * 20) + u32(0)))),
        (1, ioctl_req(10, 2, f2, request(3, 19, bytes([9] * 20) + u32(0) + u32(0)))),
    ]


def chunks(msgs):
    out = b""
    for to_srv, m in msgs:
        d = nb(m)
        out += bytes([1 if to_srv else 0]) + u16(len(d)) + d
    return out


def write(sub, name, data):
    d = os.path.join(OUT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    payload = b"MZ" + bytes(range(256)) * 4
    msgs = psexec_msgs(payload)
    for kind in ("eth", "vlan", "sll", "sll2", "raw"):
        write("fuzz-pcap", "psexec-%s.pcap" % kind,
              pcap([link(kind, p, False) for p in conversation(msgs)], LINKTYPE[kind]))
    write("fuzz-pcap", "psexec-eth-v6.pcapng",
          pcapng([link("eth", p, True) for p in conversation(msgs, v6=True)], 1))
    kw = psexec_msgs(b"kwampirs", name="Windows\\wmiapsrvex.exe", svc="WmiApSrvEx",
                     display="WMI Performance Adapter Extension",
                     binpath="C:\\Windows\\wmiapsrvex.exe ControlTrace -Embedding -k")
    write("fuzz-pcap", "kwampirs-raw.pcap", pcap(conversation(kw), 101))
    import random
    write("fuzz-pcap", "psexec-ooo.pcap",
          pcap([link("eth", p, False) for p in
                conversation(msgs, seg=97, shuffle=random.Random(5), dup=True)], 1))
    write("fuzz-pcap", "psexec-wrap.pcap",
          pcap([link("eth", p, False) for p in
                conversation(msgs, seg=150, shuffle=random.Random(9), isn=(0xfffffc00, 0xffffff80))],
               1))
    write("fuzz-pcap", "psexec-gap.pcap",
          pcap([link("eth", p, False) for p in conversation(msgs, seg=200, drop=8)], 1))
    xp = smb1_xp_kwampirs(b"MZ kwampirs over smb1" * 10)
    write("fuzz-pcap", "kwampirs-smb1.pcap", pcap([link("eth", p, False) for p in conversation(xp)], 1))
    write("fuzz-smb2", "kwampirs-smb1.chunks", chunks(xp))
    write("fuzz-smb2", "psexec.chunks", chunks(msgs))
    write("fuzz-smb2", "kwampirs.chunks", chunks(kw))
    # dcerpc over TCP: bind, fragmented create (W), create (A), start
    stub = create_service_stub("WmiApSrvEx", "WMI Performance Adapter Extension",
                               "C:\\Windows\\wmiapsrvex.exe", start=2)
    a = create_service_stub("svcA", "Service A", "C:\\a.exe", wide=False)
    third = len(stub) // 3
    pdus = [bind(1), request(2, 12, stub[:third], 1), request(2, 12, stub[third:2 * third], 0),
            request(2, 12, stub[2 * third:], 2), request(3, 24, a)]
    d = b"".join(bytes([1]) + u16(len(p)) + p for p in pdus)
    write("fuzz-dcerpc", "create-fragmented.chunks", d)
    write("fuzz-dcerpc", "prebound-create.chunks",
          bytes([0x81]) + u16(0) + bytes([1]) + u16(len(pdus[4])) + pdus[4])
    # as impacket sends it with RPC authentication (tests/it-net-samba.sh):
    # signed (integrity) fragments, then sealed (privacy) ones; Samba's fault
    signed = [bind(1), authed_request(2, 12, stub[:third], 1, 5),
              authed_request(2, 12, stub[third:], 2, 5)]
    sealed = [authed_request(3, 12, bytes(range(7, 47)), 1, 6),
              authed_request(3, 12, bytes(range(50, 77)), 2, 6)]
    d = b"".join(bytes([1]) + u16(len(p)) + p for p in signed + sealed)
    d += bytes([0]) + u16(32) + fault(3, 0x1c010002)
    write("fuzz-dcerpc", "authed-create-fault.chunks", d)


if __name__ == "__main__":
    main()

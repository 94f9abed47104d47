#!/usr/bin/python3
"""gen_evtx.py OUTDIR - write valid EVTX files holding Kwampirs-like events
(and traps) for tests/it-logs.sh. Standard library only.

The files are built as Windows writes them ([MS-EVEN6]; libyal "Windows XML
Event Log (EVTX) format" notes):
  - a 4096-byte file header "ElfFile" with its CRC32 (first 120 bytes);
  - 64 KiB chunks "ElfChnk" with the 64-bucket common-string table, the
    32-bucket template table, the CRC32 of the records and of the header;
  - records (magic 0x2a2a, size, id, FILETIME, BinXML, size copy) whose
    BinXML is a fragment header and one template instance: the template
    (the whole <Event>, System and EventData, with substitution tokens for
    every value) is defined inline at its first use in the chunk and
    referenced by offset afterwards; element and attribute names are
    written once per chunk and referenced by offset after that;
  - typed substitution values: UTF-16 strings, uint8/16/32/64, hex32/64,
    FILETIME, GUID and SID.

Each output file is described below (SCENARIOS); tests/it-logs.sh holds the
findings expected of each, written independently of this generator.
"""
import os
import struct
import sys
import zlib

CHUNK = 65536
EPOCH_DELTA = 11644473600  # seconds from 1601-01-01 to 1970-01-01

# value types ([MS-EVEN6] 2.2.18 / libyal)
T_NULL, T_STR, T_U8, T_U16, T_U32, T_U64 = 0x00, 0x01, 0x04, 0x06, 0x08, 0x0A
T_GUID, T_FILETIME, T_SID, T_HEX32, T_HEX64 = 0x0F, 0x11, 0x13, 0x14, 0x15


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def utf16(s):
    return s.encode("utf-16-le")


def name_hash(s):
    h = 0
    b = utf16(s)
    for i in range(0, len(b), 2):
        h = (h * 65599 + struct.unpack_from("<H", b, i)[0]) & 0xFFFFFFFF
    return h & 0xFFFF


def guid_bytes(g):
    g = g.strip("{}")
    a, b, c, d, e = g.split("-")
    return (struct.pack("<IHH", int(a, 16), int(b, 16), int(c, 16)) + bytes.fromhex(d) +
            bytes.fromhex(e))


def sid_bytes(s):
    p = s.split("-")
    assert p[0] == "S"
    rev, auth, subs = int(p[1]), int(p[2]), [int(x) for x in p[3:]]
    return (struct.pack("<BB", rev, len(subs)) + auth.to_bytes(6, "big") +
            b"".join(struct.pack("<I", x) for x in subs))


def encode_value(t, v):
    if t == T_NULL:
        return b""
    if t == T_STR:
        return utf16(v)
    if t == T_U8:
        return struct.pack("<B", v)
    if t == T_U16:
        return struct.pack("<H", v)
    if t in (T_U32, T_HEX32):
        return struct.pack("<I", v)
    if t in (T_U64, T_HEX64, T_FILETIME):
        return struct.pack("<Q", v)
    if t == T_GUID:
        return guid_bytes(v)
    if t == T_SID:
        return sid_bytes(v)
    raise ValueError(t)


class Chunk:
    """One chunk being filled: names and templates are per chunk."""

    def __init__(self):
        self.buf = bytearray(CHUNK)
        self.pos = 512
        self.names = {}      # name -> chunk offset of its name string
        self.templates = {}  # template key -> chunk offset of its definition
        self.records = []    # (id, offset)
        self.str_buckets = [0] * 64
        self.tmpl_buckets = [0] * 32

    # -- BinXML writers: each returns bytes to be placed at a known offset --

    def name_ref(self, name, at):
        """Name offset field (u32) for a name whose reference sits at `at`;
        inline string bytes follow when this is the name's first use."""
        if name in self.names:
            return struct.pack("<I", self.names[name]), b""
        off = at + 4
        self.names[name] = off
        h = name_hash(name)
        bucket = h % 64
        nxt = self.str_buckets[bucket]
        self.str_buckets[bucket] = off
        s = struct.pack("<IHH", nxt, h, len(name)) + utf16(name) + b"\0\0"
        return struct.pack("<I", off), s

    def element(self, name, attrs, children, at):
        """<name attrs>children</name>; attrs: [(name, node)], children:
        nodes. A node is ("subst", index, type, optional) or ("text", s) or
        ("elem", name, attrs, children)."""
        out = bytearray()
        token = 0x41 if attrs else 0x01
        out += struct.pack("<BHI", token, 0xFFFF, 0)  # size patched below
        ref, inline = self.name_ref(name, at + len(out))
        out += ref + inline
        if attrs:
            alen_at = len(out)
            out += b"\0\0\0\0"
            astart = len(out)
            for i, (an, av) in enumerate(attrs):
                out += struct.pack("<B", 0x46 if i < len(attrs) - 1 else 0x06)
                ref, inline = self.name_ref(an, at + len(out))
                out += ref + inline
                out += self.node(av, at + len(out))
            struct.pack_into("<I", out, alen_at, len(out) - astart)
        if children:
            out += b"\x02"
            for ch in children:
                out += self.node(ch, at + len(out))
            out += b"\x04"
        else:
            out += b"\x03"
        struct.pack_into("<I", out, 3, len(out) - 7)
        return bytes(out)

    def node(self, n, at):
        if n[0] == "subst":
            _, idx, t, optional = n
            return struct.pack("<BHB", 0x0E if optional else 0x0D, idx, t)
        if n[0] == "text":
            return struct.pack("<BBH", 0x05, 0x01, len(n[1])) + utf16(n[1])
        _, name, attrs, children = n
        return self.element(name, attrs, children, at)

    def template_instance(self, key, tid, guid, tree, at):
        out = bytearray(struct.pack("<BBI", 0x0C, 0x01, tid))
        if key in self.templates:
            return bytes(out + struct.pack("<I", self.templates[key]))
        dof = at + len(out) + 4
        self.templates[key] = dof
        bucket = len(self.templates) % 32
        nxt = self.tmpl_buckets[bucket]
        self.tmpl_buckets[bucket] = dof
        out += struct.pack("<I", dof)
        head = struct.pack("<I", nxt) + guid_bytes(guid)
        body_at = at + len(out) + len(head) + 4
        body = bytearray(b"\x0f\x01\x01\x00")
        body += self.element(tree[1], tree[2], tree[3], body_at + len(body))
        body += b"\x00"
        out += head + struct.pack("<I", len(body)) + body
        return bytes(out)

    def add_record(self, rid, filetime, key, tid, guid, tree, values):
        """values: [(type, value)] in substitution index order. Returns
        False (chunk unchanged) when the record does not fit."""
        saved = (dict(self.names), dict(self.templates), list(self.str_buckets),
                 list(self.tmpl_buckets))
        at = self.pos
        rec = bytearray(struct.pack("<IIQQ", 0x2A2A, 0, rid, filetime))
        rec += b"\x0f\x01\x01\x00"
        rec += self.template_instance(key, tid, guid, tree, at + len(rec))
        data = [encode_value(t, v) for t, v in values]
        rec += struct.pack("<I", len(values))
        for (t, v), d in zip(values, data):
            rec += struct.pack("<HBB", len(d), t, 0)
        for d in data:
            rec += d
        size = len(rec) + 4
        struct.pack_into("<I", rec, 4, size)
        rec += struct.pack("<I", size)
        if at + len(rec) > CHUNK:
            self.names, self.templates, self.str_buckets, self.tmpl_buckets = saved
            return False
        self.buf[at:at + len(rec)] = rec
        self.records.append((rid, at))
        self.pos += len(rec)
        return True

    def finish(self):
        b = self.buf
        first, last = self.records[0][0], self.records[-1][0]
        b[0:8] = b"ElfChnk\0"
        struct.pack_into("<QQQQ", b, 8, first, last, first, last)
        struct.pack_into("<III", b, 40, 128, self.records[-1][1], self.pos)
        struct.pack_into("<I", b, 52, crc(bytes(b[512:self.pos])))
        for i, o in enumerate(self.str_buckets):
            struct.pack_into("<I", b, 128 + 4 * i, o)
        for i, o in enumerate(self.tmpl_buckets):
            struct.pack_into("<I", b, 384 + 4 * i, o)
        struct.pack_into("<I", b, 120, 0)
        struct.pack_into("<I", b, 124, crc(bytes(b[0:120]) + bytes(b[128:512])))
        return bytes(b)


# -- the <Event> template: System with substitutions, then EventData ---------

SYS_SUBST = [  # (index, name, type) of the System part
    (0, "Provider.Name", T_STR), (1, "Provider.Guid", T_GUID),
    (2, "Provider.EventSourceName", T_STR), (3, "EventID", T_U16), (4, "Qualifiers", T_U16),
    (5, "Version", T_U8), (6, "Level", T_U8), (7, "Task", T_U16), (8, "Opcode", T_U8),
    (9, "Keywords", T_HEX64), (10, "TimeCreated", T_FILETIME), (11, "EventRecordID", T_U64),
    (12, "ProcessID", T_U32), (13, "ThreadID", T_U32), (14, "Channel", T_STR),
    (15, "Computer", T_STR), (16, "UserID", T_SID),
]
NSYS = len(SYS_SUBST)


def s(i, t, optional=True):
    return ("subst", i, t, optional)


def event_tree(data_fields):
    """data_fields: [(name, type)]; EventData values follow the System ones."""
    system = ("elem", "System", [], [
        ("elem", "Provider", [("Name", s(0, T_STR)), ("Guid", s(1, T_GUID)),
                              ("EventSourceName", s(2, T_STR))], []),
        ("elem", "EventID", [("Qualifiers", s(4, T_U16))], [s(3, T_U16, False)]),
        ("elem", "Version", [], [s(5, T_U8)]),
        ("elem", "Level", [], [s(6, T_U8)]),
        ("elem", "Task", [], [s(7, T_U16)]),
        ("elem", "Opcode", [], [s(8, T_U8)]),
        ("elem", "Keywords", [], [s(9, T_HEX64)]),
        ("elem", "TimeCreated", [("SystemTime", s(10, T_FILETIME))], []),
        ("elem", "EventRecordID", [], [s(11, T_U64)]),
        ("elem", "Correlation", [], []),
        ("elem", "Execution", [("ProcessID", s(12, T_U32)), ("ThreadID", s(13, T_U32))], []),
        ("elem", "Channel", [], [s(14, T_STR)]),
        ("elem", "Computer", [], [s(15, T_STR)]),
        ("elem", "Security", [("UserID", s(16, T_SID))], []),
    ])
    data = ("elem", "EventData", [], [
        ("elem", "Data", [("Name", ("text", n))], [s(NSYS + i, t)])
        for i, (n, t) in enumerate(data_fields)])
    return ("elem", "Event", [("xmlns", ("text",
                                          "http://schemas.microsoft.com/win/2004/08/events/event"))],
            [system, data])


PROVIDERS = {  # name -> (guid, event source name or None, channel)
    "Service Control Manager": ("{555908d1-a6d7-4695-8e1e-26931d2012f4}",
                                "Service Control Manager", "System"),
    "Microsoft-Windows-Security-Auditing": ("{54849625-5478-4994-a5ba-3e3b0328c30d}", None,
                                            "Security"),
    "Microsoft-Windows-Eventlog": ("{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}", None, None),
    "Microsoft-Windows-Sysmon": ("{5770385f-c22a-43e0-bf4c-06f5698ffbd9}", None,
                                 "Microsoft-Windows-Sysmon/Operational"),
}


class Log:
    def __init__(self, computer):
        self.computer = computer
        self.events = []

    def add(self, t, provider, eid, fields, channel=None, qualifiers=None, level=4, task=0,
            keywords=0x8000000000000000, user=None):
        """fields: [(name, value)] str values, or (name, (type, value))."""
        self.events.append((t, provider, eid, fields, channel, qualifiers, level, task, keywords,
                            user))

    def write(self, path):
        chunks = [Chunk()]
        rid = 0
        for (t, provider, eid, fields, channel, qual, level, task, kw, user) in self.events:
            rid += 1
            guid, esn, chan = PROVIDERS[provider]
            chan = channel or chan
            ft = (t + EPOCH_DELTA) * 10000000 + rid * 1000  # distinct sub-second times
            typed = [(n, v if isinstance(v, tuple) else (T_STR, v)) for n, v in fields]
            shape = tuple((n, tv[0]) for n, tv in typed)
            key = (provider, eid, shape)
            tguid = "{%08x-0000-4000-8000-%012x}" % (zlib.crc32(repr(key).encode()),
                                                     len(shape))
            tid = int(tguid[1:9], 16)
            values = [
                (T_STR, provider), (T_GUID, guid), (T_STR, esn) if esn else (T_NULL, None),
                (T_U16, eid), (T_U16, qual) if qual is not None else (T_NULL, None),
                (T_U8, 0), (T_U8, level), (T_U16, task), (T_U8, 0), (T_HEX64, kw),
                (T_FILETIME, ft), (T_U64, rid), (T_U32, 4 if provider != "Microsoft-Windows-Sysmon"
                                                 else 2044), (T_U32, 100 + rid),
                (T_STR, chan), (T_STR, self.computer),
                (T_SID, user) if user else (T_NULL, None),
            ] + [tv for _, tv in typed]
            tree = event_tree(list(shape))
            if not chunks[-1].add_record(rid, ft, key, tid, tguid, tree, values):
                chunks.append(Chunk())
                if not chunks[-1].add_record(rid, ft, key, tid, tguid, tree, values):
                    raise ValueError("record too large for a chunk")
        hdr = bytearray(4096)
        hdr[0:8] = b"ElfFile\0"
        struct.pack_into("<QQQIHHHH", hdr, 8, 0, len(chunks) - 1, rid + 1, 128, 1, 3, 4096,
                         len(chunks))
        struct.pack_into("<I", hdr, 120, 0)
        struct.pack_into("<I", hdr, 124, crc(bytes(hdr[0:120])))
        with open(path, "wb") as f:
            f.write(hdr)
            for c in chunks:
                f.write(c.finish())


# -- the scenarios ------------------------------------------------------------

T0 = 1700000000  # 2023-11-14T22:13:20Z
SCM = "Service Control Manager"
SEC = "Microsoft-Windows-Security-Auditing"
SYSMON = "Microsoft-Windows-Sysmon"
EVLOG = "Microsoft-Windows-Eventlog"
SYSTEM_SID = "S-1-5-18"


def svc(log, t, name, image, account="LocalSystem", start="auto start"):
    log.add(t, SCM, 7045, [("ServiceName", name), ("ImagePath", image),
                           ("ServiceType", "user mode service"), ("StartType", start),
                           ("AccountName", account)], qualifiers=16384, user=SYSTEM_SID)


def proc4688(log, t, image, cmdline, creator_pid, logon="0x3e7", user="IMAGING01$"):
    log.add(t, SEC, 4688, [
        ("SubjectUserSid", (T_SID, SYSTEM_SID)), ("SubjectUserName", user),
        ("SubjectDomainName", "CLINIC"), ("SubjectLogonId", (T_HEX64, int(logon, 16))),
        ("NewProcessId", (T_HEX64, 0x1000 + len(log.events))), ("NewProcessName", image),
        ("TokenElevationType", "%%1936"), ("ProcessId", (T_HEX64, creator_pid)),
        ("CommandLine", cmdline)], task=13312, keywords=0x8020000000000000)


def sysmon(log, t, eid, fields):
    log.add(t, SYSMON, eid, fields, user=SYSTEM_SID)


def scenario_kwampirs(out):
    host = "IMAGING01.clinic.local"
    system = Log(host)
    svc(system, T0, "WmiApSrvEx",
        "C:\\Windows\\system32\\wmiapsrvex.exe ControlTrace -Embedding -k netsvcs")  # hit
    svc(system, T0 + 5, "WMI Performance Adapter Extension",
        "C:\\Windows\\system32\\svchost.exe -k wmiapx")  # hit (display name)
    svc(system, T0 + 10, "WMI Performance Adapter",
        "C:\\Windows\\system32\\wbem\\WmiApSrv.exe", start="demand start")  # trap: genuine
    svc(system, T0 + 15, "WmiApSrvExtra", "C:\\Program Files\\Vendor\\extra.exe")  # trap: exact
    system.add(T0 + 20, EVLOG, 104, [("SubjectUserName", "admin"),
                                     ("SubjectDomainName", "CLINIC"), ("Channel", "System"),
                                     ("BackupPath", "")], channel="System")  # info
    system.write(os.path.join(out, "kw-system.evtx"))

    sec = Log(host)
    sec.add(T0 - 60, EVLOG, 1102, [("SubjectUserSid", (T_SID, "S-1-5-21-1-2-3-500")),
                                   ("SubjectUserName", "admin"),
                                   ("SubjectDomainName", "CLINIC"),
                                   ("SubjectLogonId", (T_HEX64, 0x3e7))],
            channel="Security")  # info
    proc4688(sec, T0 + 30, "C:\\Windows\\System32\\wmiapsrvex.exe", "wmiapsrvex.exe", 0x2F0)
    burst = ["hostname", "getmac", "ver", "systeminfo", "tasklist /svc", "arp -a",
             "hostname"]  # 6 distinct, one repeated
    for i, c in enumerate(burst):
        proc4688(sec, T0 + 40 + 7 * i, "C:\\Windows\\System32\\cmd.exe",
                 'cmd.exe /c "%s" 2>nul' % c, 0x1A4C)  # the implant's pid
    # trap: two recon commands from another parent (below the threshold of 3)
    proc4688(sec, T0 + 50, "C:\\Windows\\System32\\ipconfig.exe", "ipconfig /all", 0x99C,
             logon="0x5a1f0", user="tech")
    proc4688(sec, T0 + 55, "C:\\Windows\\System32\\HOSTNAME.EXE",
             "C:\\Windows\\system32\\HOSTNAME.EXE", 0x99C, logon="0x5a1f0", user="tech")
    # trap: the genuine WMI Provider Host
    proc4688(sec, T0 + 60, "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
             "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", 0x2A8)
    sec.write(os.path.join(out, "kw-security.evtx"))

    sm = Log(host)
    sysmon(sm, T0 + 31, 11, [("RuleName", "-"), ("UtcTime", "2023-11-14 22:13:51.000"),
                             ("ProcessGuid", "{b5cf5917-721e-5f46-0000-0010eb030001}"),
                             ("ProcessId", (T_U32, 3120)),
                             ("Image", "C:\\Windows\\System32\\wmiapsrvex.exe"),
                             ("TargetFilename", "C:\\Windows\\System32\\wmiadrv.dll")])  # hit
    sysmon(sm, T0 + 32, 11, [("RuleName", "-"), ("UtcTime", "2023-11-14 22:13:52.000"),
                             ("ProcessGuid", "{b5cf5917-721e-5f46-0000-0010eb030001}"),
                             ("ProcessId", (T_U32, 3120)),
                             ("Image", "C:\\Windows\\System32\\wmiapsrvex.exe"),
                             ("TargetFilename", "C:\\Windows\\inf\\ie11.pnf")])  # hit
    sysmon(sm, T0 + 33, 11, [("RuleName", "-"), ("UtcTime", "2023-11-14 22:13:53.000"),
                             ("ProcessGuid", "{b5cf5917-721e-5f46-0000-0010eb030002}"),
                             ("ProcessId", (T_U32, 812)),
                             ("Image", "C:\\Windows\\System32\\drvinst.exe"),
                             ("TargetFilename", "C:\\Windows\\INF\\oem12.PNF")])  # trap
    sysmon(sm, T0 + 34, 1, [("RuleName", "-"), ("UtcTime", "2023-11-14 22:13:54.000"),
                            ("ProcessGuid", "{b5cf5917-721e-5f46-0000-0010eb030003}"),
                            ("ProcessId", (T_U32, 2212)),
                            ("Image", "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"),
                            ("CommandLine", "C:\\Windows\\system32\\wbem\\wmiprvse.exe"),
                            ("User", "NT AUTHORITY\\SYSTEM"),
                            ("ParentImage", "C:\\Windows\\System32\\svchost.exe")])  # trap
    sm.write(os.path.join(out, "kw-sysmon.evtx"))


def scenario_lateral(out):
    host = "FILESRV02.clinic.local"
    sec = Log(host)
    src, user = "10.1.2.3", "svc_backup"

    def logon(t, ip, lt=3):
        sec.add(t, SEC, 4624, [
            ("SubjectUserSid", (T_SID, "S-1-0-0")), ("SubjectUserName", "-"),
            ("TargetUserSid", (T_SID, "S-1-5-21-1-2-3-1105")), ("TargetUserName", user),
            ("TargetDomainName", "CLINIC"), ("TargetLogonId", (T_HEX64, 0x7a000 + t % 1000)),
            ("LogonType", (T_U32, lt)), ("LogonProcessName", "NtLmSsp "),
            ("AuthenticationPackageName", "NTLM"), ("WorkstationName", "IMAGING01"),
            ("IpAddress", ip), ("IpPort", "49822")], task=12544,
            keywords=0x8020000000000000)

    def share(t, eid, ip, share_name, rel, mask):
        f = [("SubjectUserSid", (T_SID, "S-1-5-21-1-2-3-1105")), ("SubjectUserName", user),
             ("SubjectDomainName", "CLINIC"), ("SubjectLogonId", (T_HEX64, 0x7a001)),
             ("ObjectType", "File"), ("IpAddress", ip), ("IpPort", "49822"),
             ("ShareName", share_name),
             ("ShareLocalPath", "\\??\\C:\\Windows" if share_name.endswith("ADMIN$") else "")]
        if eid == 5145:
            f += [("RelativeTargetName", rel)]
        f += [("AccessMask", (T_HEX32, mask)), ("AccessList", "%%4416\r\n\t\t\t\t")]
        sec.add(t, SEC, eid, f, task=12808, keywords=0x8020000000000000)

    logon(T0 + 100, src)
    share(T0 + 101, 5140, src, "\\\\*\\ADMIN$", None, 0x1)
    share(T0 + 102, 5145, src, "\\\\*\\ADMIN$", "X.exe", 0x2)  # the drop
    logon(T0 + 103, src)
    logon(T0 + 104, "10.9.9.9")  # trap: other address, nothing written
    share(T0 + 105, 5145, "10.9.9.9", "\\\\*\\ADMIN$", "System32\\notepad.exe", 0x1)  # read
    sec.write(os.path.join(out, "lm-security.evtx"))

    system = Log(host)
    svc(system, T0 + 103, "Xsvc", "%SystemRoot%\\X.exe", start="demand start")
    system.write(os.path.join(out, "lm-system.evtx"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    scenario_kwampirs(out)
    scenario_lateral(out)


if __name__ == "__main__":
    main()

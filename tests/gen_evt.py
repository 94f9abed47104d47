#!/usr/bin/python3
"""gen_evt.py - write legacy Windows event logs (.evt, Windows NT to XP/2003)
for tests and fuzz seeds, and check them against libevt's evtexport (Debian
libevt-utils), the independent oracle. Standard library only.

  gen_evt.py OUTDIR              write the scenarios below (SCENARIOS) into
                                 OUTDIR and verify each with evtexport
  gen_evt.py --seeds OUTDIR      write the small fuzz seeds (normal, dirty,
                                 wrapped, cut) into OUTDIR
  gen_evt.py --json EVENTS.json OUT.evt [--dirty N] [--max-size N]
                                 write the events of a JSON list (keys as in
                                 an event dict below) and verify the file
  gen_evt.py --no-verify ...     skip the evtexport check

Layout (libyal libevt, "Windows Event Log (EVT) format" 0.0.12, sections 2-4;
MSDN ELF_LOGFILE_HEADER, EVENTLOGRECORD, ELF_EOF_RECORD), all little-endian:

  file header, 0x30 bytes (ELF_LOGFILE_HEADER):
    0 size 0x30 | 4 "LfLe" | 8 major 1 | 12 minor 1 | 16 first (oldest)
    record offset | 20 end-of-file record offset | 24 current record number
    (the next to be written) | 28 oldest record number | 32 maximum size |
    36 flags (1 dirty, 2 wrapped, 4 log full, 8 archive) | 40 retention |
    44 size copy 0x30
  event record (EVENTLOGRECORD), 4-byte aligned:
    0 size | 4 "LfLe" | 8 record number | 12 time generated | 16 time written
    (POSIX seconds, UTC) | 20 event identifier (32 bits: code in the low 16,
    facility, customer bit and severity above: the "qualifiers") | 24 event
    type u16 (1 error, 2 warning, 4 information, 8 audit success, 16 audit
    failure) | 26 number of strings u16 | 28 category u16 | 30 reserved flags
    u16 | 32 closing record number | 36 strings offset | 40 user SID size |
    44 user SID offset | 48 data size | 52 data offset | 56 source name and
    computer name, UTF-16LE, NUL-terminated | user SID (binary, at a 4-byte
    aligned offset as Windows writes it) | insertion strings, UTF-16LE,
    each NUL-terminated | data | padding to 4 | size copy.  Offsets are from
    the start of the record; with no data the data offset is the end of the
    strings.
  end-of-file record (ELF_EOF_RECORD), 0x28 bytes:
    0 size 0x28 | 4 0x11111111 | 8 0x22222222 | 12 0x33333333 | 16 0x44444444
    | 20 first record offset | 24 end-of-file record offset | 28 current
    record number | 32 oldest record number | 36 size copy 0x28

The file is a circular buffer of `max_size` bytes (the whole file, as XP
preallocates it): records follow the header; a record or the end-of-file
record that reaches the end of the file continues right after the header
(the wrap libevt reassembles). When the log is full the oldest records are
dropped ("overwrite as needed"); their bytes stay where the new records did
not overwrite them (what libevt recovers), and the header gets the wrapped
flag.

A dirty log (the flag Windows sets while the log is open; every log copied
from a live XP system has it) keeps the header as it was last flushed: first
and end-of-file offsets and record numbers from an earlier state, here after
`dirty` records. A reader must find the real end-of-file record itself.

An event is a dict: source, computer, event_id (full 32 bits, or the 16-bit
code plus "qualifiers"), type (number or error/warning/information/
audit_success/audit_failure), category, sid ("S-1-5-18" or None), strings
(list), time (POSIX seconds, or "YYYY-MM-DDTHH:MM:SSZ"), written (default the
same), data (bytes or hex, optional).
"""
import calendar
import json
import os
import re
import struct
import subprocess
import sys
import time

HEADER_SIZE = 0x30
EOF_SIZE = 0x28
FLAG_DIRTY, FLAG_WRAP = 1, 2
EOF_SIGS = (0x11111111, 0x22222222, 0x33333333, 0x44444444)
TYPES = {"error": 1, "warning": 2, "information": 4, "audit_success": 8, "audit_failure": 16}


def utf16z(s):
    return s.encode("utf-16-le") + b"\0\0"


def sid_bytes(s):
    """S-R-A-S1-S2... as the binary SID: revision, count, 48-bit big-endian
    authority, 32-bit little-endian sub-authorities."""
    p = s.split("-")
    if p[0] != "S" or len(p) < 3:
        raise ValueError("bad SID %r" % s)
    subs = [int(x) for x in p[3:]]
    return (struct.pack("<BB", int(p[1]), len(subs)) + int(p[2]).to_bytes(6, "big") +
            b"".join(struct.pack("<I", x) for x in subs))


def posix(t):
    if isinstance(t, int):
        return t
    return calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ"))


def event_identifier(ev):
    eid = ev["event_id"]
    return (eid & 0xFFFF) | (ev.get("qualifiers", eid >> 16) << 16)


def record_bytes(number, ev):
    """One EVENTLOGRECORD for record number `number`."""
    etype = ev.get("type", "information")
    etype = TYPES[etype] if isinstance(etype, str) else etype
    strings = ev.get("strings", [])
    data = ev.get("data", b"")
    if isinstance(data, str):
        data = bytes.fromhex(data)
    body = utf16z(ev["source"]) + utf16z(ev["computer"])
    off = 56 + len(body)
    sid = sid_bytes(ev["sid"]) if ev.get("sid") else b""
    if sid:
        pad = (-off) % 4
        body += b"\0" * pad
        off += pad
    sid_off = off
    body += sid
    off += len(sid)
    str_off = off
    for s in strings:
        body += utf16z(s)
    off = 56 + len(body)
    data_off = off
    body += data
    size = 56 + len(body) + 4
    pad = (-size) % 4
    size += pad
    body += b"\0" * pad
    t = posix(ev["time"])
    head = struct.pack("<I4sIIIIHHHHIIIIII", size, b"LfLe", number, t,
                       posix(ev.get("written", t)), event_identifier(ev), etype,
                       len(strings), ev.get("category", 0), 0, 0, str_off,
                       len(sid), sid_off, len(data), data_off)
    rec = head + body + struct.pack("<I", size)
    assert len(rec) == size
    return rec


def eof_bytes(first_off, eof_off, current, oldest):
    return struct.pack("<IIIIIIIIII", EOF_SIZE, *EOF_SIGS, first_off, eof_off, current, oldest,
                       EOF_SIZE)


def header_bytes(first_off, eof_off, current, oldest, max_size, flags, retention):
    return struct.pack("<I4sIIIIIIIIII", HEADER_SIZE, b"LfLe", 1, 1, first_off, eof_off, current,
                       oldest, max_size, flags, retention, HEADER_SIZE)


class Ring:
    """The file as a circular buffer: [HEADER_SIZE, size) wraps to HEADER_SIZE."""

    def __init__(self, size):
        self.buf = bytearray(size)
        self.size = size
        self.pos = HEADER_SIZE

    def put(self, b):
        at = self.pos
        for i in range(0, len(b)):
            self.buf[self.pos] = b[i]
            self.pos += 1
            if self.pos == self.size:
                self.pos = HEADER_SIZE
        return at


def build(events, first_number=1, max_size=None, dirty=None, retention=0, cut=None):
    """The .evt bytes for `events` (oldest first) numbered from first_number.
    max_size: file size (default: the content rounded up to 64 KiB, as XP
    grows logs). dirty: None for a cleanly closed log, else the number of
    records the stale header describes. cut: keep only the first cut bytes.
    Returns (bytes, kept): kept = the record numbers a reader must see."""
    recs = [record_bytes(first_number + i, ev) for i, ev in enumerate(events)]
    need = HEADER_SIZE + sum(len(r) for r in recs) + EOF_SIZE
    if max_size is None:
        max_size = (need + 0xFFFF) // 0x10000 * 0x10000
    cap = max_size - HEADER_SIZE
    ring = Ring(max_size)
    offs = []
    states = []  # (first offset, eof offset, current, oldest) after each record
    kept_from = 0  # index of the oldest record still whole
    live = 0  # bytes of the kept records
    wrapped = False
    for i, r in enumerate(recs):
        if len(r) + EOF_SIZE > cap:
            raise ValueError("record %d larger than the log" % i)
        while live + len(r) + EOF_SIZE > cap:  # overwrite as needed
            live -= len(recs[kept_from])
            kept_from += 1
            wrapped = True
        offs.append(ring.put(r))
        live += len(r)
        states.append((offs[kept_from], ring.pos, first_number + i + 1, first_number + kept_from))
    eof_off = ring.pos
    first_off = offs[kept_from] if recs else HEADER_SIZE
    current = first_number + len(recs)
    oldest = first_number + kept_from if recs else 0
    ring.put(eof_bytes(first_off, eof_off, current, oldest))
    flags = FLAG_WRAP if wrapped else 0
    hdr = (first_off, eof_off, current, oldest)
    if dirty is not None:
        flags |= FLAG_DIRTY
        if dirty == 0:
            hdr = (HEADER_SIZE, HEADER_SIZE, first_number, 0)
        else:
            hdr = states[min(dirty, len(states)) - 1]
    ring.buf[:HEADER_SIZE] = header_bytes(*hdr, max_size, flags, retention)
    out = bytes(ring.buf)
    kept = list(range(first_number + kept_from, first_number + len(recs)))
    if cut is not None:  # (not for wrapped logs) the records wholly before the cut
        out = out[:cut]
        kept = [first_number + i for i in range(kept_from, len(recs))
                if offs[i] + len(recs[i]) <= cut]
    return out, kept


def write(path, events, **kw):
    data, kept = build(events, **kw)
    with open(path, "wb") as f:
        f.write(data)
    return kept


# ---------------------------------------------------------------------------
# evtexport, the oracle
# ---------------------------------------------------------------------------

def evtexport(path, mode="items"):
    """Records as evtexport prints them: list of dicts (number, time, eid,
    type, category, sid, computer, source, strings)."""
    p = subprocess.run(["evtexport", "-m", mode, path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    text = p.stdout.decode("utf-8", "surrogateescape")
    recs = []
    for block in re.split(r"\n(?=Event number\t)", "\n" + text)[1:]:
        r = {"strings": []}
        cur = None
        for line in block.split("\n"):
            m = re.match(r"^([A-Za-z][A-Za-z ]*?|String: \d+)\t+: ?(.*)$", line)
            if not m:
                if cur is not None and line:  # continuation of a multi-line string
                    r["strings"][-1] += "\n" + line
                continue
            k, v = m.group(1), m.group(2)
            cur = None
            if k == "Event number":
                r["number"] = int(v)
            elif k == "Creation time":
                r["time"] = v
            elif k == "Written time":
                r["written"] = v
            elif k == "Event type":
                r["type"] = int(re.search(r"\((\d+)\)", v).group(1))
            elif k == "User security identifier":
                r["sid"] = v
            elif k == "Computer name":
                r["computer"] = v
            elif k == "Source name":
                r["source"] = v
            elif k == "Event category":
                r["category"] = int(v)
            elif k == "Event identifier":
                r["eid"] = int(v.split()[0], 16)
            elif k.startswith("String: "):
                r["strings"].append(v)
                cur = len(r["strings"])
        recs.append(r)
    return p.returncode, recs


def fmt_time(t):
    return time.strftime("%b %d, %Y %H:%M:%S UTC", time.gmtime(posix(t)))


def verify(path, events, numbers, first_number=1):
    """evtexport must show exactly the records `numbers`, each with the fields
    asked for (record n is events[n - first_number]). Returns a list of
    differences."""
    rc, got = evtexport(path)
    diffs = []
    if rc != 0:
        diffs.append("evtexport exited %d" % rc)
    if [r.get("number") for r in got] != numbers:
        diffs.append("records %s, want %s" % ([r.get("number") for r in got], numbers))
    for r in got:
        i = r.get("number", -1) - first_number
        if not 0 <= i < len(events):
            continue
        ev = events[i]
        etype = ev.get("type", "information")
        want = {"time": fmt_time(ev["time"]), "written": fmt_time(ev.get("written", ev["time"])),
                "eid": event_identifier(ev),
                "type": TYPES[etype] if isinstance(etype, str) else etype,
                "category": ev.get("category", 0), "computer": ev["computer"],
                "source": ev["source"], "strings": list(ev.get("strings", []))}
        if ev.get("sid"):
            want["sid"] = ev["sid"]
        for k, v in want.items():
            if r.get(k) != v:
                diffs.append("record %d: %s %r, want %r" % (r["number"], k, r.get(k), v))
    return diffs


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

HOST = "IMAGING-XP01"
SYSTEM_SID = "S-1-5-18"
SCM = "Service Control Manager"
Q_INFO = 0x4000  # qualifiers of SCM's informational events (severity 01)


def scm(t, display, control, eid=7035, sid=SYSTEM_SID):
    return {"source": SCM, "computer": HOST, "event_id": eid, "qualifiers": Q_INFO,
            "type": "information", "sid": sid, "strings": [display, control], "time": t}


def sec(t, eid, strings, category, sid=SYSTEM_SID, computer=HOST):
    return {"source": "Security", "computer": computer, "event_id": eid,
            "type": "audit_success", "category": category, "sid": sid, "strings": strings,
            "time": t}


def p592(t, pid, image, ppid, user="SYSTEM", domain="NT AUTHORITY", logon="(0x0,0x3E7)",
         computer=HOST):
    # 592: New Process ID, Image File Name, Creator Process ID, User Name,
    # Domain, Logon ID (Microsoft KB 221212); category 5 Detailed Tracking
    return sec(t, 592, [str(pid), image, str(ppid), user, domain, logon], 5, computer=computer)


def p601(t, name, path, account="LocalSystem", computer=HOST):
    # 601: Service Name, Service File Name, Service Type, Service Start Type,
    # Service Account, User Name, Domain, Logon ID (eventsentry.com, eventtracker
    # KB); category 5 Detailed Tracking
    return sec(t, 601, [name, path, "16", "2", account, "Administrator", "CLINIC",
                        "(0x0,0x1A2B3)"], 5, computer=computer)


T0 = "2023-11-14T21:50:00Z"


def at(minutes, seconds=0):
    return posix(T0) + 60 * minutes + seconds


# The implant runs each recon command through its own cmd.exe (cmd.exe /c
# "<command>" 2>nul, NVISO/FBI); XP/2003's 592 logs only the image and the
# creator process id, not the command line (KB 221212).
RECON_PROGRAMS = ["net.exe", "ipconfig.exe", "systeminfo.exe", "tasklist.exe", "arp.exe",
                  "getmac.exe", "netstat.exe", "route.exe"]


def kw_system():
    """XP System log, dirty (written by a live system): ordinary boot-time
    7035/7036, then the Kwampirs service start (7035 names the service by its
    display name, "WMI Performance Adapter Extension", as SCM does) and the
    trap: the genuine WMI Performance Adapter."""
    ev = [
        {"source": "EventLog", "computer": HOST, "event_id": 6005, "qualifiers": 0x8000,
         "type": "information", "strings": [], "time": at(0), "data": "0000000000000000"},
        scm(at(0, 5), "Terminal Services", "start"),
        scm(at(0, 5), "Terminal Services", "running", eid=7036, sid=None),
        scm(at(0, 9), "WMI Performance Adapter", "start"),            # 4: trap
        scm(at(0, 9), "WMI Performance Adapter", "running", eid=7036, sid=None),
        scm(at(25, 3), "WMI Performance Adapter Extension", "start"),  # 6: Kwampirs
        scm(at(25, 3), "WMI Performance Adapter Extension", "running", eid=7036, sid=None),
        scm(at(26, 0), "Application Layer Gateway Service", "start", sid="S-1-5-19"),
    ]
    return ev


def kw_security():
    """XP Security log: 517 (log cleared, first record after a clear), the
    Kwampirs service install (601), the dropper started by services.exe (592),
    the recon burst it runs (cmd.exe then the program, 592 each), and traps:
    genuine WmiApSrv install, genuine wbem\\wmiprvse.exe."""
    ev = [
        # 517: Primary User Name, Domain, Logon ID, Client User Name, Domain, Logon ID
        sec(at(20), 517, ["SYSTEM", "NT AUTHORITY", "(0x0,0x3E7)", "Administrator", "CLINIC",
                          "(0x0,0x1A2B3)"], 1),                                   # 1
        p601(at(20, 30), "WmiApSrv", "C:\\WINDOWS\\system32\\wbem\\wmiapsrv.exe"),   # 2 trap
        p601(at(25, 0), "WmiApSrvEx",
             "C:\\WINDOWS\\system32\\wmiapsrvex.exe ControlTrace -Embedding -k"),  # 3
        p592(at(25, 3), 1844, "C:\\WINDOWS\\system32\\wmiapsrvex.exe", 668),        # 4
        p592(at(25, 4), 1900, "C:\\WINDOWS\\system32\\wbem\\wmiprvse.exe", 780),    # 5 trap
    ]
    pid = 2000
    for k, prog in enumerate(RECON_PROGRAMS):  # records 6..21
        ev.append(p592(at(27, 10 * k), pid, "C:\\WINDOWS\\system32\\cmd.exe", 1844))
        ev.append(p592(at(27, 10 * k + 1), pid + 4, "C:\\WINDOWS\\system32\\" + prog, pid))
        pid += 8
    return ev


def filler():
    """Twelve ordinary service-host starts an hour before, to be overwritten."""
    return [p592(at(-60, 5 * i), 600 + 4 * i, "C:\\WINDOWS\\system32\\svchost.exe", 668)
            for i in range(12)]


def benign_security():
    """Ordinary XP activity: service installs by installers (full paths), a
    few process starts including the genuine WMI host and two admin tools,
    an admin's interactive cmd.exe running four recon programs, and a login
    script running two (net.exe twice) through cmd.exe /c."""
    ev = [
        p601(at(0), "SNMPTRAP", "%SystemRoot%\\system32\\snmptrap.exe",
             account="NT AUTHORITY\\LocalService"),
        p601(at(1), "WmiApSrv", "C:\\WINDOWS\\system32\\wbem\\wmiapsrv.exe"),
        p601(at(2), "gupdate", "\"C:\\Program Files\\Google\\Update\\GoogleUpdate.exe\" /svc"),
        p592(at(3), 1200, "C:\\WINDOWS\\system32\\wbem\\wmiprvse.exe", 780),
        p592(at(3, 20), 1300, "C:\\WINDOWS\\explorer.exe", 1100, user="nurse",
             domain="CLINIC", logon="(0x0,0x2C3D4)"),
        p592(at(4), 1400, "C:\\WINDOWS\\system32\\notepad.exe", 1300, user="nurse",
             domain="CLINIC", logon="(0x0,0x2C3D4)"),
        p592(at(5), 1500, "C:\\WINDOWS\\system32\\ipconfig.exe", 1300, user="nurse",
             domain="CLINIC", logon="(0x0,0x2C3D4)"),
        p592(at(5, 30), 1504, "C:\\WINDOWS\\system32\\ping.exe", 1300, user="nurse",
             domain="CLINIC", logon="(0x0,0x2C3D4)"),
        p592(at(6), 1600, "C:\\Program Files\\Imaging\\viewer.exe", 1300, user="nurse",
             domain="CLINIC", logon="(0x0,0x2C3D4)"),
    ]
    # an admin's interactive cmd.exe running four recon programs in a minute:
    # one cmd.exe for all, not one per command, so not the Kwampirs shape
    ev.append(p592(at(7), 1700, "C:\\WINDOWS\\system32\\cmd.exe", 1300, user="admin",
                   domain="CLINIC", logon="(0x0,0x3D4E5)"))
    for k, prog in enumerate(["ipconfig.exe", "net.exe", "hostname.exe", "systeminfo.exe"]):
        ev.append(p592(at(7, 10 + 10 * k), 1704 + 4 * k, "C:\\WINDOWS\\system32\\" + prog,
                       1700, user="admin", domain="CLINIC", logon="(0x0,0x3D4E5)"))
    # a login script: cmd.exe /c per command, but only two distinct programs
    for k, prog in enumerate(["net.exe", "net.exe", "ipconfig.exe"]):
        ev.append(p592(at(8, 10 * k), 1800 + 8 * k, "C:\\WINDOWS\\system32\\cmd.exe", 1100))
        ev.append(p592(at(8, 10 * k + 1), 1804 + 8 * k, "C:\\WINDOWS\\system32\\" + prog,
                       1800 + 8 * k))
    for e in ev:
        e["computer"] = "READING-XP02"
    return ev


def benign_system():
    ev = [scm(at(0), "WMI Performance Adapter", "start"),
          scm(at(0, 1), "WMI Performance Adapter", "running", eid=7036, sid=None),
          scm(at(1), "Google Update Service (gupdate)", "start"),
          scm(at(2), "SNMP Trap Service", "start"),
          scm(at(3), "Windows Management Instrumentation", "start")]
    for e in ev:
        e["computer"] = "READING-XP02"
    return ev


# name -> (events, build options); the expected findings live in
# tests/it-evt-logs.sh and tests/evt_logs_check.py, written from these
# descriptions, not from wormsign's output.
SCENARIOS = {
    "xp-system.evt": (kw_system, {"dirty": 3}),
    "xp-security.evt": (kw_security, {"dirty": 2}),
    "xp-security-clean.evt": (kw_security, {}),
    "xp-benign-security.evt": (benign_security, {"dirty": 4}),
    "xp-benign-system.evt": (benign_system, {}),
    # a copy cut in the middle of record 12: records 1-11, then a reader must
    # say that the log ends early (its header names records up to 21)
    "xp-security-cut.evt": (kw_security, {"cut": 3200}),
    # 8 KiB ring: twelve older process starts, then the Kwampirs log; the
    # three oldest records are overwritten and one record wraps around the
    # end of the file. Not dirty: libevt 20200926 (our reader, and evtexport)
    # stops at the wrapped record when a dirty header predates the wrap.
    "xp-security-wrapped.evt": (lambda: filler() + kw_security(), {"max_size": 8192}),
}


def seeds(outdir):
    """Small files for fuzz/corpus/fuzz-evt: normal, dirty, wrapped, cut."""
    os.makedirs(outdir, exist_ok=True)
    ev = kw_security()[:4]
    out = {
        "normal.evt": build(ev, max_size=2048)[0],
        "dirty.evt": build(ev, max_size=2048, dirty=1)[0],
        "wrapped.evt": build(kw_security()[:8], max_size=1024)[0],
        "cut.evt": build(ev, max_size=2048)[0][:700],
        "system.evt": build(kw_system()[:4], max_size=1024, dirty=2)[0],
        # dropper -> cmd.exe -> program, three times: the XP recon-burst chain
        "recon.evt": build(kw_security()[3:4] + kw_security()[5:11], max_size=4096)[0],
    }
    for name, data in out.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


def main(argv):
    do_verify = "--no-verify" not in argv
    argv = [a for a in argv if a != "--no-verify"]
    if len(argv) == 2 and argv[0] == "--seeds":
        seeds(argv[1])
        return 0
    jobs = []
    if len(argv) >= 3 and argv[0] == "--json":
        kw = {}
        rest = argv[3:]
        while rest:
            if rest[0] == "--dirty":
                kw["dirty"] = int(rest[1])
            elif rest[0] == "--max-size":
                kw["max_size"] = int(rest[1], 0)
            else:
                print("unknown option %s" % rest[0], file=sys.stderr)
                return 2
            rest = rest[2:]
        events = json.load(open(argv[1]))
        jobs.append((argv[2], events, kw))
    elif len(argv) == 1:
        os.makedirs(argv[0], exist_ok=True)
        for name, (fn, kw) in SCENARIOS.items():
            jobs.append((os.path.join(argv[0], name), fn(), kw))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    bad = 0
    manifest = {}
    for path, events, kw in jobs:
        kept = write(path, events, **kw)
        manifest[os.path.basename(path)] = kept
        if not do_verify:
            continue
        diffs = verify(path, events, kept)
        print("%s %s: %d records, evtexport %s" % ("ok  " if not diffs else "DIFF",
                                                   os.path.basename(path), len(kept),
                                                   "agrees" if not diffs else "differs"))
        for d in diffs[:8]:
            print("     " + d)
        bad += bool(diffs)
    if len(argv) == 1:  # the record numbers each scenario file must give a reader
        with open(os.path.join(argv[0], "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

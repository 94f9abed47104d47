#!/usr/bin/python3
"""mkhive.py - write small, valid Windows registry hives (regf 1.5) for the
hive tests, because no public hive holds the Kwampirs service.

usage: mkhive.py FIXTURE OUT      (FIXTURE: a name in FIXTURES or CRAFTED)
       mkhive.py --list | --list-crafted

The writer knows just enough of the format (libyal "Windows NT Registry
File (REGF) format"; msuhanov "Windows registry file format specification"):
a 4096-byte base block with its XOR checksum, one hive bin holding every cell,
nk (key), vk (value), lh (subkey index with name hashes), value lists, data
cells and one sk (security) cell shared by every key. Names are stored as
compressed (ASCII) names. The tests validate every file with libregf's
regfexport before they use it, so a mistake here fails loudly.
"""
import struct
import sys

REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4
# 2019-03-01T12:00:00Z as FILETIME (100 ns since 1601)
FT = (1551441600 + 11644473600) * 10000000


class Writer:
    def __init__(self):
        self.data = bytearray(32)  # hbin header placeholder, cells from 0x20
        self.sk = None
        self.nkeys = 0

    def alloc(self, payload_len):
        size = (payload_len + 4 + 7) & ~7
        off = len(self.data)
        self.data += struct.pack("<i", -size) + bytes(size - 4)
        return off

    def put(self, off, payload):
        self.data[off + 4:off + 4 + len(payload)] = payload

    def cell(self, payload):
        off = self.alloc(len(payload))
        self.put(off, payload)
        return off

    def value(self, name, typ, val):
        if typ in (REG_SZ, REG_EXPAND_SZ) and isinstance(val, bytes):
            raw = val  # exact bytes, for size boundary tests
        elif typ in (REG_SZ, REG_EXPAND_SZ):
            raw = (val + "\0").encode("utf-16-le")
        elif typ == REG_DWORD:
            raw = struct.pack("<I", val)
        else:
            raw = bytes(val)
        nm = name.encode("ascii")
        if len(raw) <= 4:
            size, doff = len(raw) | 0x80000000, struct.unpack("<I", raw.ljust(4, b"\0"))[0]
        elif len(raw) > 16344:
            # big data (regf >= 1.4): a "db" cell pointing at a list of
            # segments of at most 16344 bytes each
            segs = [self.cell(raw[i:i + 16344]) for i in range(0, len(raw), 16344)]
            slist = self.cell(b"".join(struct.pack("<I", o) for o in segs))
            size, doff = len(raw), self.cell(b"db" + struct.pack("<HI", len(segs), slist))
        else:
            size, doff = len(raw), self.cell(raw)
        vk = b"vk" + struct.pack("<HIIIHH", len(nm), size, doff, typ, 1 if nm else 0, 0) + nm
        return self.cell(vk), len(nm), len(raw)

    def subkey_list(self, koffs):
        """An lh list (offset, name hash) or, past 1024 subkeys, an ri index
        root over lh leaves of 1024 (an lh count is 16 bits)."""
        leaves = []
        for i in range(0, len(koffs), 1024):
            lh = b"lh" + struct.pack("<H", len(koffs[i:i + 1024]))
            for koff, kname in koffs[i:i + 1024]:
                h = 0
                for ch in kname.upper():
                    h = (h * 37 + ord(ch)) & 0xFFFFFFFF
                lh += struct.pack("<II", koff, h)
            leaves.append(self.cell(lh))
        if len(leaves) == 1:
            return leaves[0]
        return self.cell(b"ri" + struct.pack("<H", len(leaves)) +
                         b"".join(struct.pack("<I", o) for o in leaves))

    def key(self, name, values, subkeys, parent, root=False):
        self.nkeys += 1
        nm = name.encode("ascii")
        off = self.alloc(76 + len(nm))
        voffs = [self.value(*v) for v in values]
        vlist = self.cell(b"".join(struct.pack("<I", v[0]) for v in voffs)) if voffs else 0xFFFFFFFF
        kids = sorted(subkeys, key=lambda k: k[0].upper())
        koffs = [(self.key(k[0], k[1], k[2], off), k[0]) for k in kids]
        slist = self.subkey_list(koffs) if koffs else 0xFFFFFFFF
        flags = 0x20 | (0x0C if root else 0)
        nk = b"nk" + struct.pack(
            "<HQIIIIIIIIIIIIIIIHH", flags, FT, 0, parent, len(koffs), 0, slist, 0xFFFFFFFF,
            len(voffs), vlist, self.sk, 0xFFFFFFFF,
            max([len(k[0]) * 2 for k in kids] or [0]), 0,
            max([v[1] * 2 for v in voffs] or [0]), max([v[2] for v in voffs] or [0]), 0,
            len(nm), 0) + nm
        self.put(off, nk)
        return off

    def build(self, root):
        # one sk cell: a minimal self-relative security descriptor (revision 1,
        # control SE_SELF_RELATIVE, no owner, group, SACL or DACL)
        sd = struct.pack("<BBHIIII", 1, 0, 0x8000, 0, 0, 0, 0)
        self.sk = self.alloc(20 + len(sd))
        root_off = self.key(root[0], root[1], root[2], 0, root=True)
        self.put(self.sk, b"sk" + struct.pack("<HIIII", 0, self.sk, self.sk, self.nkeys, len(sd)) + sd)
        used = len(self.data)
        size = (used + 4095) & ~4095
        if size - used >= 8:
            self.data += struct.pack("<i", size - used) + bytes(size - used - 4)
        elif size > used:
            self.data += bytes(size - used)
        self.data[0:32] = b"hbin" + struct.pack("<IIQQI", 0, size, 0, FT, 0)
        base = bytearray(4096)
        struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, FT, 1, 5, 0, 1, root_off, size, 1)
        fname = "wormsign-test".encode("utf-16-le")
        base[48:48 + len(fname)] = fname
        csum = 0
        for i in range(0, 508, 4):
            csum ^= struct.unpack_from("<I", base, i)[0]
        if csum == 0xFFFFFFFF:
            csum = 0xFFFFFFFE
        elif csum == 0:
            csum = 1
        struct.pack_into("<I", base, 508, csum)
        return bytes(base) + bytes(self.data)


def svc(name, image=None, display=None, start=3, typ=16, account="LocalSystem", sub=()):
    vals = [("Type", REG_DWORD, typ), ("Start", REG_DWORD, start), ("ErrorControl", REG_DWORD, 1)]
    if image is not None:
        vals.append(("ImagePath", REG_EXPAND_SZ, image))
    if display is not None:
        vals.append(("DisplayName", REG_SZ, display))
    if account is not None:
        vals.append(("ObjectName", REG_SZ, account))
    return (name, vals, list(sub))


def params(dll):
    return ("Parameters", [("ServiceDll", REG_EXPAND_SZ, dll)], [])


def system(control_sets, extra=()):
    cs = [(n, [], [("Control", [], []), ("Services", [], s)]) for n, s in control_sets]
    select = ("Select", [("Current", REG_DWORD, 1), ("Default", REG_DWORD, 1)], [])
    return ("CMI-CreateHive{TEST}", [], cs + [select] + list(extra))


def run_tree(run_values, runonce_values=(), wow_values=()):
    cv = [("Run", list(run_values), [])]
    if runonce_values:
        cv.append(("RunOnce", list(runonce_values), []))
    tree = [("Microsoft", [], [("Windows", [], [("CurrentVersion", [], cv)])])]
    if wow_values:
        tree.append(("Wow6432Node", [], [("Microsoft", [], [("Windows", [], [
            ("CurrentVersion", [], [("Run", list(wow_values), [])])])])]))
    return tree


def big_image(nbytes):
    """An ImagePath of exactly nbytes bytes of UTF-16LE (NUL included when
    nbytes is even; an odd size ends with a stray byte)."""
    head, tail = "C:\\Windows\\", ".exe"
    chars = nbytes // 2 - 1
    raw = (head + "a" * (chars - len(head) - len(tail)) + tail + "\0").encode("utf-16-le")
    return raw + (b"x" if nbytes % 2 else b"")


def many_services(n):
    """n bare service keys; the last one is a PsExec look-alike, so a scan
    that stops early misses its finding."""
    keys = [("s%05d" % i, [], []) for i in range(n - 1)]
    return keys + [svc("zz-psexec", r"%SystemRoot%\PSEXESVC.EXE")]


GENUINE = [
    svc("WmiApSrv", r"%systemroot%\system32\wbem\WmiApSrv.exe", "WMI Performance Adapter", 3),
    svc("Winmgmt", r"%systemroot%\system32\svchost.exe -k netsvcs",
        "Windows Management Instrumentation", 2, 32, sub=[params(r"%SystemRoot%\system32\wbem\WMIsvc.dll")]),
    svc("WmiProvHost", r"%SystemRoot%\System32\wbem\WmiPrvSE.exe", "WMI Provider Host"),
    svc("Sysmon64", r"C:\Windows\Sysmon64.exe", "Sysmon64", 2),
    svc("SysmonDrv", r"SysmonDrv.sys", None, 0, 1, None),
    svc("f-response", r"f-response-ent.exe", "F-Response"),
    svc("WmiApSrvExtra", r"%SystemRoot%\System32\svchost.exe -k LocalService", "Extra"),
    svc("Tcpip", r"System32\drivers\tcpip.sys", "TCP/IP Protocol Driver", 0, 1, None),
    svc("spooler", r"%SystemRoot%\System32\spoolsv.exe", "Print Spooler", 2),
    svc("ehSched", r"%systemroot%\ehome\ehsched.exe", "Media Center Scheduler"),
    svc("TrustedInstaller", r"%SystemRoot%\servicing\TrustedInstaller.exe", "Windows Modules Installer"),
    svc("rundll-ok", r"%SystemRoot%\system32\rundll32.exe %SystemRoot%\system32\shell32.dll,Control_RunDLL", "ok"),
]

FIXTURES = {
    # Kwampirs, genuine look-alikes and lateral-movement services in two control sets
    "system-kwampirs": lambda: system([
        ("ControlSet001", GENUINE + [
            svc("WmiApSrvEx", r"%SystemRoot%\System32\svchost.exe ControlTrace -Embedding -k",
                "WMI Performance Adapter Extension", 2),
            svc("PerfAdapterX", r"%SystemRoot%\System32\svchost.exe -k netsvcs",
                "WMI Performance Adapter Extension", 2),
            svc("wmiperfdrop", r"C:\Windows\System32\wmiapsrvce.exe", "WMI perf", 2),
            svc("WmiPerfHost", r"%SystemRoot%\System32\svchost.exe -k wmiperf", "WMI perf host", 2,
                32, sub=[params(r"%SystemRoot%\System32\wmipadp.dll")]),
            svc("PSEXESVC", r"%SystemRoot%\PSEXESVC.EXE", "PsExec"),
            svc("RemComSvc", r"\??\C:\WINDOWS\RemComSvc.exe", "Remote Command"),
            svc("tmpsvc", r"C:\Windows\Temp\a1b2c3.exe", None, 3, 16, ".\\Administrator"),
            svc("sharesvc", r"\\10.0.0.5\ADMIN$\payload.exe", "share", 3),
            svc("comspecsvc", r"%COMSPEC% /C echo whoami ^> %SYSTEMROOT%\Temp\x.txt", "cmd"),
            svc("pssvc", r"cmd.exe /c powershell -nop -w hidden -enc SQBFAFgA", "ps"),
            svc("rundllsvc", r"rundll32.exe C:\Windows\Temp\helper.dll,Start", "rd"),
            svc("winrootsvc", r"%windir%\updater.exe -service", "Updater", 2),
        ]),
        ("ControlSet002", GENUINE + [
            svc("WMIAPSRVEX", r"%SystemRoot%\System32\svchost.exe -k LocalService", "Perf", 2),
        ]),
    ]),
    # a clean SYSTEM hive: genuine services only
    "system-clean": lambda: system([("ControlSet001", GENUINE), ("ControlSet002", GENUINE)]),
    # SOFTWARE hive with Run keys (64-bit view and Wow6432Node)
    "software-run": lambda: ("CMI-CreateHive{SOFT}", [], run_tree(
        [("SecurityHealth", REG_EXPAND_SZ, r"%windir%\system32\SecurityHealthSystray.exe"),
         ("WmiAssist", REG_SZ, r"rundll32.exe C:\Windows\System32\wmiassn.dll,Start"),
         ("WmiHost", REG_SZ, r"C:\Windows\System32\wbem\wmiprvse.exe"),
         ("NotKw", REG_SZ, r"C:\Tools\mywmiadrv.dll.bak"),
         ("", REG_SZ, r"C:\Program Files\Vendor\agent.exe")],
        [("Dropper", REG_SZ, r'"C:\Windows\wmiapsrve.exe" /install')],
        [("Wow", REG_SZ, r"rundll32 C:\Windows\SysWOW64\WMIAMGMT.DLL,Ep")])),
    # NTUSER.DAT-like hive with a per-user Run key
    "ntuser-run": lambda: ("CMI-CreateHive{USER}", [], [("Software", [], run_tree(
        [("ctfmon.exe", REG_SZ, r"C:\WINDOWS\system32\ctfmon.exe"),
         ("upd", REG_SZ, r"C:\Users\joe\AppData\Roaming\wmiprvse.exe")]))]),
    # ImagePath sizes around WS_MAX_HIVE_STRING (65536 bytes), stored as big
    # data ("db") cells: limit-2 and the limit are read (and flagged: binary
    # in the Windows root); 81726 bytes is refused as too large. (Sizes just
    # above the limit are not used: libregf 20201007 reports 65536 bytes for
    # big data of 65537 and 65538 bytes.)
    "system-bigvalues": lambda: system([("ControlSet001", [
        svc("big65534", big_image(65534)), svc("big65536", big_image(65536)),
        svc("big81726", big_image(81726)),
    ])]),
    # Services with WS_MAX_HIVE_SUBKEYS (16384) keys and one more: the first
    # is scanned whole, the second gives a too_large error (and 16384 keys)
    "system-16384-services": lambda: system([("ControlSet001", many_services(16384))]),
    "system-16385-services": lambda: system([("ControlSet001", many_services(16385))]),
    # 17 control sets: WS_MAX_HIVE_CONTROL_SETS (16) are scanned, then a
    # too_large error; the PsExec look-alike is in the 17th
    "system-17-control-sets": lambda: system(
        [("ControlSet%03d" % i, GENUINE[:1]) for i in range(1, 17)] +
        [("ControlSet017", [svc("PSEXESVC", r"%SystemRoot%\PSEXESVC.EXE")])]),
    # just a root key
    "empty": lambda: ("ROOT", [], []),
}


def ri_bomb():
    """system-clean whose Services key points at an "ri" index root listing
    one 16,000-entry leaf 65,535 times (about 10^9 subkeys): libregf alone
    spends ~10 s and 660 MB building that list each time the key is opened.
    Not a valid hive (regfexport chokes on it); the scanner must clamp it."""
    data = bytearray(Writer().build(FIXTURES["system-clean"]()))
    i = data.find(b"nk", 4096)
    while i >= 0:
        nl = struct.unpack_from("<H", data, i + 72)[0]
        if data[i + 76:i + 76 + nl] == b"Services":
            break
        i = data.find(b"nk", i + 1)
    slist = struct.unpack_from("<I", data, i + 28)[0]
    first = struct.unpack_from("<I", data, 4096 + slist + 8)[0]  # first subkey of its lh
    binoff = len(data) - 4096

    def cell(c):
        size = (len(c) + 4 + 7) & ~7
        return struct.pack("<i", -size) + c + bytes(size - 4 - len(c))

    leaf = cell(b"lh" + struct.pack("<H", 16000) + struct.pack("<II", first, 0) * 16000)
    root = cell(b"ri" + struct.pack("<H", 65535) + struct.pack("<I", binoff + 32) * 65535)
    body = leaf + root
    size = (len(body) + 32 + 4095) & ~4095
    b = bytearray(size)
    b[0:32] = b"hbin" + struct.pack("<IIQQI", binoff, size, 0, FT, 0)
    b[32:32 + len(body)] = body
    if size - 32 - len(body) >= 8:
        struct.pack_into("<i", b, 32 + len(body), size - 32 - len(body))
    data += b
    struct.pack_into("<I", data, i + 28, binoff + 32 + len(leaf))
    struct.pack_into("<I", data, i + 20, (16000 * 65535) & 0xFFFFFFFF)
    struct.pack_into("<I", data, 40, len(data) - 4096)
    csum = 0
    for k in range(0, 508, 4):
        csum ^= struct.unpack_from("<I", data, k)[0]
    struct.pack_into("<I", data, 508, 1 if csum == 0 else 0xFFFFFFFE if csum == 0xFFFFFFFF else csum)
    return bytes(data)


# crafted (invalid) hives: bytes, not trees; regfexport is not their oracle
CRAFTED = {"crafted-ri-bomb": ri_bomb}


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(sorted(FIXTURES)))
        return 0
    if len(argv) == 2 and argv[1] == "--list-crafted":
        print("\n".join(sorted(CRAFTED)))
        return 0
    if len(argv) != 3 or (argv[1] not in FIXTURES and argv[1] not in CRAFTED):
        sys.stderr.write("usage: mkhive.py FIXTURE OUT | --list | --list-crafted\n")
        return 2
    if argv[1] in CRAFTED:
        data = CRAFTED[argv[1]]()
    else:
        data = Writer().build(FIXTURES[argv[1]]())
    with open(argv[2], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Generate a Windows-like tree with a stand-in for every built-in pack entry
that can be represented by a file, the false-positive traps, and ordinary
files; write the findings a correct scan must give to expected.tsv.

Stand-ins are benign: ordinary bytes under the published names and paths, and
PE-shaped files ('MZ' header, filler) that carry the published byte facts
(keys, RSA modulus, string block, code fragments). The byte facts are read
from our own rule file packs/kwampirs/kwampirs.yar, so this generator has no
copy of them; it-pack-facts.sh checks that rule file against the research
table. Code fragments are written with *different* absolute addresses and
call targets than the published build, to prove the wildcards work.

usage: gen_tree.py SRC_DIR OUT_DIR
expected.tsv columns: relative path, ruleset, rule (YARA rule name, or the
file-name IOC line number in filename-iocs.txt, or 'hash').
"""
import os, random, re, sys

src, out = sys.argv[1], sys.argv[2]
rnd = random.Random(20180423)
yar = open(os.path.join(src, "packs/kwampirs/kwampirs.yar")).read()
fn_iocs = open(os.path.join(src, "packs/kwampirs/filename-iocs.txt")).read().splitlines()

def hexstr(name):
    m = re.search(r"\$" + name + r"\s*=\s*\{([^}]*)\}", yar)
    toks = m.group(1).split()
    return toks

def concrete(toks, fill):
    return bytes(fill if t == "??" else int(t, 16) for t in toks)

def ioc_line(fragment):
    for i, l in enumerate(fn_iocs, 1):
        if l and not l.startswith("#") and l.startswith(fragment):
            return str(i)
    raise SystemExit("no filename IOC line with " + fragment)

expected = []
def put(rel, data, *exp):
    p = os.path.join(out, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    for ruleset, rule in exp:
        expected.append((rel, ruleset, rule))

def pe(payload, size=8192):
    """A PE-shaped stand-in: MZ header, 'PE' offset, filler, payload in the middle."""
    head = b"MZ" + b"\x90\x00" + b"\x00" * 56 + (128).to_bytes(4, "little")
    body = bytearray(rnd.randbytes(size))
    body[0:len(head)] = head
    body[128:132] = b"PE\x00\x00"
    mid = size // 2
    body[mid:mid + len(payload)] = payload
    return bytes(body)

def benign(n):
    words = b"patient study series dicom modality worklist consent form report the and of".split()
    return b" ".join(rnd.choice(words) for _ in range(n)) + b"\n"

# ---- ordinary files (must raise nothing) ----
for i in range(40):
    put("Users/Public/Documents/report%02d.txt" % i, benign(200 + i))
for i in range(10):
    put("Program Files/Imaging/bin/module%02d.dll" % i, pe(b"ordinary code " * 10, 4096 + i))
put("Windows/System32/kernel32.dll", pe(b"ordinary kernel32 stand-in", 16384))
put("Windows/inf/setupapi.dev.log", benign(300))
put("Windows/inf/oem12.PNF", b"\x01\x02" + benign(50))

# ---- traps: genuine Windows files with look-alike names ----
put("Windows/System32/wbem/WmiPrvSE.exe", pe(b"genuine WMI provider host"))
put("Windows/SysWOW64/wbem/WmiPrvSE.exe", pe(b"genuine WMI provider host 32"))
put("Windows/System32/wbem/WmiApSrv.exe", pe(b"genuine WMI performance adapter"))
put("Windows/System32/WmiApSrv.exe", pe(b"another WmiApSrv copy"))
put("Windows/System32/wmiadrv.dll.txt", benign(10))   # not the name
put("Windows/inf/xe11.PNF", benign(10))               # not the name

# ---- payload DLL names at the published location ----
dll_line = ioc_line(r"\\(?:System32|SysWOW64)\\(?:wmiadrv")
for n in ["wmiadrv.dll", "wmipadp.dll", "wmiassn.dll", "wmipdpa.dll", "wmiamgmt.dll"]:
    put("Windows/System32/" + n, benign(30), ("name", dll_line))
put("Windows/SysWOW64/WMIAMGMT.DLL", benign(30), ("name", dll_line))
# ... elsewhere (staged in a share)
other_line = ioc_line(r"\\(?:wmiadrv|wmipadp")
put("Shares/ADMIN$/wmipdpa.dll", benign(30), ("name", other_line))

# ---- dropper names ----
exe_line = ioc_line(r"\\(?:wmiaprvse|")
for n in ["wmiaprvse", "wmiapsrve", "wmiapsvrce", "wmiapsrvce", "wmiapsrvex", "wmiapsvre",
          "wmiapvsre", "wmipsvrce", "wmipvsre", "wmipsrvce", "wmipsvre", "wmiapsrvux",
          "wmiapsrvcx"]:
    put("Windows/%s.exe" % n.upper() if n.endswith("x") else "Windows/%s.exe" % n, benign(20),
        ("name", exe_line))
put("Windows/Temp/wmiprvse.exe", benign(20), ("name", ioc_line(r"\\wmiprvse\.exe$")))

# ---- PNF files in Windows\inf (both spellings of the fourth) ----
pnf_line = ioc_line(r"\\inf\\(?:mkdiawb3")
for n in ["mkdiawb3.PNF", "mtmndkb32.PNF", "digirps.PNF", "e11.PNF", "ie11.pnf"]:
    put("Windows/inf/" + n, b"\x01\x02" + benign(20), ("name", pnf_line))

# ---- byte facts in PE-shaped files under neutral names (YARA only) ----
rsa = concrete(hexstr("modulus"), 0)
put("Users/Public/cache/a1.bin", pe(rsa), ("yara", "Kwampirs_RSA_Public_Key"))
# the full CryptoAPI blob (header + modulus) also matches
blob = bytes.fromhex("0602000000A4000052534131000800000100010000") [:20] + rsa
put("Users/Public/cache/a2.bin", pe(blob), ("yara", "Kwampirs_RSA_Public_Key"))
put("Users/Public/cache/b.bin", pe(concrete(hexstr("network_xor_key"), 0)),
    ("yara", "Kwampirs_Network_XOR_Key"))
put("Users/Public/cache/c.bin", pe(concrete(hexstr("beacon_key"), 0)),
    ("yara", "Kwampirs_Beacon_And_Hashfile_Keys"))
put("Users/Public/cache/d.bin", pe(concrete(hexstr("hashfile_key"), 0)),
    ("yara", "Kwampirs_Beacon_And_Hashfile_Keys"))
put("Users/Public/cache/e.bin", pe(concrete(hexstr("block"), 0)),
    ("yara", "Kwampirs_Encoded_String_Block"))
skey = concrete(hexstr("string_key"), 0)
rkey = concrete(hexstr("resource_key"), 0)
put("Users/Public/cache/f.bin", pe(skey + b"\x00" * 40 + rkey),
    ("yara", "Kwampirs_Installer_Keys"))
# code fragments from "another build": addresses and call targets differ
dec = concrete(hexstr("decrypt_string"), 0x5A)
ini = concrete(hexstr("init_strings"), 0x6B)
put("Users/Public/cache/g.bin", pe(dec + b"\xcc" * 32 + ini), ("yara", "Kwampirs_Payload_Code"))
put("Users/Public/cache/h.bin", pe(concrete(hexstr("memcpy"), 0)),
    ("yara", "Kwampirs_Shamoon_Shared_Code"))
# one fact alone where the rule needs two: nothing
put("Users/Public/cache/i.bin", pe(skey))
# a key without the MZ header where the rule requires a PE: nothing
put("Users/Public/cache/j.bin", b"\x00" * 100 + skey + b"\x00" * 40 + rkey)

# ---- a file for the hash test pack (the test computes its hashes) ----
put("Users/Public/Downloads/update.exe", pe(b"hash test sample", 5000))

with open(os.path.join(out, "..", "expected.tsv"), "w") as f:
    for e in sorted(expected):
        f.write("\t".join(e) + "\n")
print("generated %d expected findings in %s" % (len(expected), out))

#!/usr/bin/env python3
"""Independent oracle for image scans: list the regular files in a disk image
with The Sleuth Kit's command-line tools (mmls, fls), not with libwormsign.

usage: fls_oracle.py IMAGE [--deleted] [--long]
Prints one line per file wormsign should scan: "pN/path" or "path" (no
partition table), sorted; with --long also the sector offset of its file
system and its metadata address (for icat), tab-separated. Rules mirror docs/internals/image.md: allocated
regular files (with --deleted, also deleted ones whose metadata was not
reallocated), no NTFS metadata files ($MFT... in the root, $Extend), no
virtual entries ($MBR, $FAT1/2; $OrphanFiles only with --deleted), NTFS
alternate data streams as "file:stream",
one path per name.
"""
import re, subprocess, sys

img = sys.argv[1]
deleted = "--deleted" in sys.argv[2:]
long_ = "--long" in sys.argv[2:]

def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, errors="surrogateescape")
    return p.returncode, p.stdout

def fls(off):
    rc, out = run("fls", "-r", "-p", "-o", str(off), img)
    if rc != 0:
        return None
    ntfs = run("fsstat", "-o", str(off), img)[1].find("File System Type: NTFS") >= 0
    files = {}
    for line in out.splitlines():
        m = re.match(r"^(\S)/(\S) (\* )?(\d+)(?:-\d+-\d+)?(\(realloc\))?:\t(.*)$", line)
        if not m:
            continue
        ntype, mtype, star, inum, realloc, path = m.groups()
        stream = ":" in path.rsplit("/", 1)[-1]  # NTFS alternate data stream
        if (mtype != "r" and not stream) or realloc:
            continue
        if star and not deleted:
            continue
        if ntype in ("v", "V") or (path.startswith("$OrphanFiles/") and not deleted):
            continue
        if "/" not in path and path.endswith("(Volume Label Entry)"):
            continue  # FAT volume label, shown by fls as an empty file
        if ntfs and ((path.startswith("$") and "/" not in path and int(inum) < 16)
                     or path.startswith("$Extend/")):
            continue
        files.setdefault(path, inum)
    return files

rc, out = run("mmls", img)
parts = []
if rc == 0:
    for line in out.splitlines():
        m = re.match(r"^\d+:\s+\d+:\d+\s+(\d+)\s+\d+\s+\d+\s", line)
        if m:
            parts.append(int(m.group(1)))
result = []
n = 0
found = False
for start in parts:
    n += 1
    f = fls(start)
    if f is not None:
        found = True
        result += [("p%d/%s" % (n, p), start, i) for p, i in f.items()]
if not found:
    f = fls(0)
    if f is not None:
        result += [(p, 0, i) for p, i in f.items()]
for r in sorted(result):
    print("%s\t%d\t%s" % r if long_ else r[0])

#!/usr/bin/env python3
"""Regenerate the list-shaped files of the built-in Kwampirs pack from the
project's research table (../shared/kwampirs/iocs.tsv).

  hash-iocs.txt   the 33 published MD5s, Loki format  HASH;SCORE;DESCRIPTION
  c2-iocs.txt     published C2 domains and IPs, Loki c2 format (one per line)
  c2-urls.txt     published C2 URLs (host + path), one per line

The hand-written files (kwampirs.yar, filename-iocs.txt, net-patterns.txt,
services.txt, recon-commands.txt) are authored directly, with their sources
cited inline. Run from the repository root:  scripts/gen-kwampirs-pack.py
"""
import collections, csv, os, sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/kwampirs/iocs.tsv"
out = "packs/kwampirs"
rows = list(csv.DictReader(open(src, newline=""), delimiter="\t"))

def by(t):
    return [r for r in rows if r["type"] == t]

HASH_SRC = ("Neo23x0/signature-base iocs/hash-iocs.txt (commit b2448ab, 2018-04-23, "
            "'Orange Worm IOC', likely Symantec's Orangeworm IOC list)")
with open(os.path.join(out, "hash-iocs.txt"), "w") as f:
    f.write("# Kwampirs (Orangeworm) published MD5s: all PE samples (DLL payloads and EXE droppers).\n")
    f.write("# Format: Loki/signature-base hash IOC, HASH;SCORE;DESCRIPTION.\n")
    f.write("# Source: %s.\n" % HASH_SRC)
    f.write("# Note: payload DLL hashes never repeat (a random string is inserted per host);\n")
    f.write("# they find only these exact samples. EXE hashes recur under many names.\n")
    f.write("# All 33 are PE samples: only files that start with \"MZ\" are hashed for them.\n")
    f.write("# wormsign: filetype=EXE\n")
    for r in by("md5"):
        note = r["note"].replace(";", ",")
        f.write("%s;100;Kwampirs %s [source: %s]\n" % (r["value"].lower(), note, HASH_SRC))

C2_SRC = "stamparm/maltrail trails/static/malware/kwampirsrat.txt (MIT), from ReversingLabs 'Unpacking the Kwampirs RAT' (2020) campaign IOC lists"
with open(os.path.join(out, "c2-iocs.txt"), "w") as f:
    f.write("# Kwampirs C2 domains and IP addresses (Loki c2-iocs format: one per line).\n")
    f.write("# Source: %s.\n" % C2_SRC)
    f.write("# Caution: many IPs sit in unrouted or government ranges and look like decoys;\n")
    f.write("# prefer the full URL shape (c2-urls.txt, net-patterns.txt) to an IP alone.\n")
    seen = set()
    for r in by("domain") + by("ip"):
        v = r["value"].strip().lower()
        if v and v not in seen and "/" not in v:
            seen.add(v)
            f.write(v + "\n")

with open(os.path.join(out, "c2-urls.txt"), "w") as f:
    f.write("# Kwampirs C2 URLs (host and path), one per line.\n")
    f.write("# Source: %s.\n" % C2_SRC)
    seen = set()
    for r in by("url_pattern") + by("domain"):
        v = r["value"].strip()
        if v.startswith("^") or v.startswith("q=") or "/" not in v:
            continue
        v = v.split("://", 1)[-1]
        if v not in seen:
            seen.add(v)
            f.write(v + "\n")
print("wrote", out, file=sys.stderr)

#!/usr/bin/python3
"""evt_diff.py OURS.ndjson EVTEXPORT.txt NAME - compare `wormsign logs dump --json`
of a legacy .evt log with libevt's evtexport (Debian libevt-utils), the
oracle: same records in the same order (record number), creation time to the
second, full 32-bit event identifier (our qualifiers << 16 | event id),
source, computer and every insertion string. Exit 0 agree, 1 differ."""
import datetime
import json
import re
import sys


def parse_evtexport(path):
    text = open(path, encoding="utf-8", errors="surrogateescape", newline="").read()
    blocks = re.split(r"\n\nEvent number\t+: ", "\n\n" + text.split("\n", 1)[1].lstrip("\n"))
    recs = []
    for b in blocks[1:]:
        first, _, rest = b.partition("\n")
        r = {"record_id": int(first)}
        for key, name in (("Creation time", "time"), ("Computer name", "computer"),
                          ("Source name", "provider"), ("Event identifier", "eid")):
            m = re.search(r"^%s\t+: (.*)$" % key, rest, re.M)
            r[name] = m.group(1) if m else None
        r["eid"] = int(r["eid"].split()[0], 16) if r["eid"] else None
        marks = list(re.finditer(r"^String: \d+\t+: ", rest, re.M))
        strings = []
        for i, m in enumerate(marks):
            end = marks[i + 1].start() - 1 if i + 1 < len(marks) else len(rest)
            strings.append(rest[m.end():end].rstrip("\n") if i + 1 == len(marks)
                           else rest[m.end():end])
        r["strings"] = strings
        recs.append(r)
    return recs


def main():
    ours = []
    for line in open(sys.argv[1], encoding="utf-8"):
        d = json.loads(line)
        if "error" in d:
            continue
        t = datetime.datetime.strptime(d["time"][:19], "%Y-%m-%dT%H:%M:%S")
        ours.append({
            "record_id": d["record_id"],
            "time": t.strftime("%b %d, %Y %H:%M:%S UTC"),
            "computer": d.get("computer"), "provider": d.get("provider"),
            "eid": (int(d["system"]["Qualifiers"]) << 16) | d["event_id"],
            "strings": [v for k, v in d["fields"].items()]})
    theirs = parse_evtexport(sys.argv[2])
    diffs = []
    if [r["record_id"] for r in ours] != [r["record_id"] for r in theirs]:
        diffs.append("record numbers differ: %d ours, %d evtexport" % (len(ours), len(theirs)))
    for a, b in zip(ours, theirs):
        for k in ("record_id", "time", "computer", "provider", "eid", "strings"):
            if a[k] != b[k]:
                diffs.append("record %s: %s %r != %r" % (a["record_id"], k, a[k], b[k]))
    print("%s %s: %d records ours, %d evtexport; %d differences"
          % ("ok  " if not diffs else "DIFF", sys.argv[3], len(ours), len(theirs), len(diffs)))
    for d in diffs[:5]:
        print("     " + d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""evtx_diff.py OURS.ndjson PYTHON.ndjson NAME - compare `wormsign logs dump --json`
with evtx_py_dump.py for one file. Prints one summary line (and up to 5
differences); exit 0 when they agree, 1 when they differ.

Compared: the sequence of record ids (every record either side produced,
decoded or not), and for records both decoded: the header timestamp (100 ns),
the event id, every System value and every EventData/UserData (name, value)
pair in order.

Our values go through what python-evtx's XML and an XML parser do to text
before comparing (not a tolerance: a deterministic transformation):
  - python-evtx deletes XML-restricted control characters
    ([\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x84\\x86-\\x9F], Views.RESTRICTED_CHARS);
  - the XML parser turns \\r\\n and \\r into \\n (XML 1.0 section 2.11), and in
    attribute values each \\t \\n into a space (section 3.3.3).
A System value python-evtx renders as "" where we report none is equal: an
optional substitution with a NULL value, which we omit as Windows does.
"""
import json
import re
import sys

RESTRICTED = re.compile("[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]")
ATTR_SYSTEM = {"Provider", "ProviderGuid", "EventSourceName", "Qualifiers", "TimeCreated",
               "ActivityID", "RelatedActivityID", "ProcessID", "ThreadID", "UserID"}


STRING_ELEM = re.compile("<string>(.*?)</string>\n", re.S)


def py_wstring_array(binary):
    """python-evtx's WstringArrayTypeNode.string() on the raw UTF-16 bytes
    (Evtx/Nodes.py), reproduced to predict its output: it searches for the
    next non-NUL run but cuts from the start, so arrays with empty elements
    come out shuffled. Our reader renders each element in order instead."""
    acc = []
    while len(binary) > 0:
        match = re.search(b"((?:[^\x00].)+)", binary)
        if match:
            frag = match.group()
            acc.append("<string>")
            acc.append(frag.decode("utf16"))
            acc.append("</string>\n")
            binary = binary[len(frag) + 2:]
            if len(binary) == 0:
                break
        frag = re.search(b"(\x00*)", binary).group()
        if len(frag) % 2 == 0:
            for _ in range(len(frag) // 2):
                acc.append("<string></string>\n")
        else:
            return None
        binary = binary[len(frag):]
    return "".join(acc)


def array_quirk(ours, theirs):
    """True when ours is a string array whose bytes python-evtx renders as theirs."""
    if not ours.startswith("<string>"):
        return False
    elems = STRING_ELEM.findall(ours)
    if "".join("<string>%s</string>\n" % e for e in elems) != ours:
        return False
    raw = "".join(e + "\0" for e in elems).encode("utf-16-le")
    try:
        return py_wstring_array(raw) == theirs
    except Exception:
        return False


def xmlnorm(s, attr=False):
    s = RESTRICTED.sub("", s).replace("\r\n", "\n").replace("\r", "\n")
    if attr:
        s = s.replace("\t", " ").replace("\n", " ")
    return s


def load(path, ours):
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            # ours: keep duplicate keys and their order
            o = json.loads(line, object_pairs_hook=list) if ours else json.loads(line)
            if ours:
                d = dict(o)
                if "error" in d:
                    e = dict(d["error"])
                    if "record_id" in e:
                        recs.append({"record_id": e["record_id"], "error": e["message"]})
                    continue
                d["system"] = dict(d.get("system", []))
                d["fields"] = [[k, v] for k, v in d.get("fields", [])]
                # a record reported (e.g. size copy mismatch) and then decoded
                # anyway is one record
                if recs and "error" in recs[-1] and recs[-1]["record_id"] == d["record_id"]:
                    recs.pop()
                recs.append(d)
            else:
                if "chunk_error" in o:
                    continue
                recs.append(o)
    return recs


def main():
    ours, py, name = load(sys.argv[1], True), load(sys.argv[2], False), sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else "exact"
    diffs = []
    ids_o = [r["record_id"] for r in ours]
    ids_p = [r["record_id"] for r in py]
    extra = 0
    if mode == "superset" and ids_o != ids_p:
        # allowed: we recover records python-evtx does not reach; every
        # record it does read must be ours too, in the same order
        it = iter(ids_o)
        if all(any(x == y for y in it) for x in ids_p):
            extra = len(ids_o) - len(ids_p)
            ids_o = ids_p
    if ids_o != ids_p:
        so, sp = set(ids_o), set(ids_p)
        diffs.append("record ids differ: %d ours, %d python-evtx; only ours %s; only python %s"
                     % (len(ids_o), len(ids_p), sorted(so - sp)[:5], sorted(sp - so)[:5]))
    by_py = {}
    for r in py:
        by_py.setdefault(r["record_id"], r)
    compared = fields = err_o = err_p = quirks = only_ours = 0
    for r in ours:
        p = by_py.get(r["record_id"])
        if p is None:
            continue
        if "error" in r or "error" in p:
            err_o += "error" in r
            err_p += "error" in p
            if mode == "pyfail" and "error" in p and "error" not in r:
                only_ours += 1  # allowed: python-evtx cannot decode it, we can
            elif ("error" in r) != ("error" in p):
                diffs.append("record %d: decoded by only one side (ours: %s, python: %s)"
                             % (r["record_id"], r.get("error", "ok"), p.get("error", "ok")))
            continue
        compared += 1
        rid = r["record_id"]
        if r["time"] != p["time"]:
            diffs.append("record %d: time %s != %s" % (rid, r["time"], p["time"]))
        if r.get("event_id") != p.get("event_id"):
            diffs.append("record %d: event_id %s != %s" % (rid, r.get("event_id"),
                                                           p.get("event_id")))
        for k in sorted(set(r["system"]) | set(p["system"])):
            a = xmlnorm(r["system"].get(k, ""), k in ATTR_SYSTEM)
            b = p["system"].get(k, "")
            if a != b:
                diffs.append("record %d: System %s %r != %r" % (rid, k, a, b))
        fo = [[xmlnorm(k, True), xmlnorm(v)] for k, v in r["fields"]]
        fp = p["fields"]
        fields += len(fp)
        if fo != fp:
            for i in range(max(len(fo), len(fp))):
                a = fo[i] if i < len(fo) else None
                b = fp[i] if i < len(fp) else None
                if a and b and a[0] == b[0] and array_quirk(a[1], b[1]):
                    quirks += 1
                    continue
                if a != b:
                    diffs.append("record %d: field #%d %r != %r" % (rid, i, a, b))
                    break
    status = "ok  " if not diffs else "DIFF"
    print("%s %s: %d records ours, %d python-evtx; %d compared, %d fields "
          "(%d string arrays python-evtx mis-splits); undecodable: %d ours, %d python-evtx; "
          "%d recovered only by us; %d decoded only by us; %d differences"
          % (status, name, len(ids_o) + extra, len(ids_p), compared, fields, quirks, err_o,
             err_p, extra, only_ours, len(diffs)))
    for d in diffs[:5]:
        print("     " + d)
    return 0 if not diffs else 1


if __name__ == "__main__":
    sys.exit(main())

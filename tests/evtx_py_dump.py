#!/usr/bin/python3
"""evtx_py_dump.py FILE - the differential oracle's side of tests/it-evtx-diff.sh.

Reads FILE with python-evtx (Debian python3-evtx; run with /usr/bin/python3),
renders each record to XML exactly as python-evtx's evtx_dump.py does,
parses that XML and prints one JSON object per record with the same shape
as `wormsign logs dump --json` (record_id, time, event_id, system, fields).
Field extraction follows the same documented rules as our reader
(docs/internals/evtx.md): EventData/Data Name="X" -> X, unnamed Data ->
paramN, other EventData children -> element name; UserData leaf elements ->
local name. A record python-evtx cannot render is printed as
{"record_id": N, "error": "..."}; a chunk it cannot walk as {"chunk_error": ...}.
"""
import datetime
import json
import sys
import xml.etree.ElementTree as ET

import Evtx.Evtx as evtx

SYS_TEXT = {"EventID": "EventID", "Version": "Version", "Level": "Level", "Task": "Task",
            "Opcode": "Opcode", "Keywords": "Keywords", "EventRecordID": "EventRecordID",
            "Channel": "Channel", "Computer": "Computer"}
SYS_ATTR = {("Provider", "Name"): "Provider", ("Provider", "Guid"): "ProviderGuid",
            ("Provider", "EventSourceName"): "EventSourceName",
            ("EventID", "Qualifiers"): "Qualifiers",
            ("TimeCreated", "SystemTime"): "TimeCreated",
            ("Correlation", "ActivityID"): "ActivityID",
            ("Correlation", "RelatedActivityID"): "RelatedActivityID",
            ("Execution", "ProcessID"): "ProcessID", ("Execution", "ThreadID"): "ThreadID",
            ("Security", "UserID"): "UserID"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def iso100ns(ft):
    secs, frac = divmod(ft, 10**7)
    dt = datetime.datetime(1601, 1, 1) + datetime.timedelta(seconds=secs)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % frac


def extract(root):
    system, fields = {}, []
    nparam = 0
    for sec in root:
        name = local(sec.tag)
        if name == "System":
            for el in sec:
                tag = local(el.tag)
                if tag in SYS_TEXT and SYS_TEXT[tag] not in system:
                    system[SYS_TEXT[tag]] = el.text or ""
                for k, v in el.attrib.items():
                    key = SYS_ATTR.get((tag, local(k)))
                    if key and key not in system:
                        system[key] = v
        elif name == "EventData":
            for el in sec:
                tag = local(el.tag)
                if tag == "Data":
                    if "Name" in el.attrib:
                        fname = el.attrib["Name"]
                    else:
                        nparam += 1
                        fname = "param%d" % nparam
                else:
                    fname = tag
                fields.append([fname, el.text or ""])
        elif name == "UserData":
            for el in sec.iter():
                if el is sec or len(el) > 0:
                    continue
                fields.append([local(el.tag), el.text or ""])
    return system, fields


def main():
    out = sys.stdout
    with evtx.Evtx(sys.argv[1]) as log:
        for ci, chunk in enumerate(log.chunks()):
            try:
                for rec in chunk.records():
                    rid = rec.record_num()
                    try:
                        ft = rec.unpack_qword(0x10)
                        root = ET.fromstring(rec.xml())
                        system, fields = extract(root)
                    except Exception as e:  # python-evtx or XML failure
                        out.write(json.dumps({"record_id": rid, "error": repr(e)[:200]}) + "\n")
                        continue
                    eid = system.get("EventID", "")
                    out.write(json.dumps({
                        "record_id": rid, "time": iso100ns(ft),
                        "event_id": int(eid) if eid.isdigit() else None,
                        "system": system, "fields": fields}) + "\n")
            except Exception as e:
                out.write(json.dumps({"chunk_error": repr(e)[:200], "chunk": ci}) + "\n")


if __name__ == "__main__":
    main()

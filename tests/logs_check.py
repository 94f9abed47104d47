#!/usr/bin/python3
"""logs_check.py - helpers of tests/it-logs.sh over `wormsign logs --json` output.

  logs_check.py summary FILE.ndjson
      one line: the sorted rule ids of the alert and info records, each with
      its count ("id=n"), "errors" if there is any error record, then
      "exit=N" from the summary record.
  logs_check.py fixture-kw FILE.ndjson
  logs_check.py fixture-lm FILE.ndjson
      check every field of the findings expected from tests/gen_evtx.py's
      scenarios (written here from the scenario description, not from our
      output); prints each problem, exit 1 if any.
  logs_check.py fixture-xp FILE.ndjson SYSTEM.evt SECURITY.evt SHIFT [cut]
      the same for tests/gen_evt.py's XP scenarios (tests/it-evt-logs.sh);
      SHIFT: records before the Kwampirs ones in the Security log; cut: the
      Security log is the copy cut after record 11.
"""
import collections
import json
import sys


def load(path):
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def rid(r):
    return r.get("rule", {}).get("id")


def summary(recs):
    c = collections.Counter()
    errors = False
    code = None
    for r in recs:
        ev = r["event"]
        if ev["kind"] == "metric":
            code = r["wormsign"]["summary"]["exit_code"]
        elif ev["kind"] == "alert" or (ev.get("type") == "info" and rid(r)):
            c[rid(r)] += 1
        elif ev.get("type") == "error":
            errors = True
    parts = ["%s=%d" % kv for kv in sorted(c.items())]
    if errors:
        parts.append("errors")
    parts.append("exit=%s" % code)
    return " ".join(parts)


def get(r, dotted):
    for k in dotted.split("."):
        if not isinstance(r, dict) or k not in r:
            return None
        r = r[k]
    return r


class Checker:
    def __init__(self):
        self.bad = 0

    def eq(self, what, got, want):
        if got != want:
            print("FAIL %s: got %r, want %r" % (what, got, want))
            self.bad += 1
        else:
            print("ok   %s" % what)


def fixture_kw(recs):
    ck = Checker()
    alerts = [r for r in recs if r["event"]["kind"] == "alert"]
    infos = [r for r in recs if r["event"].get("type") == "info" and rid(r)]
    errors = [r for r in recs if r["event"].get("type") == "error"]
    ck.eq("no error records", len(errors), 0)
    ck.eq("alert rule ids", sorted(rid(r) for r in alerts),
          sorted(["kwampirs.service.installed", "kwampirs.service.installed",
                  "kwampirs.process.dropper", "kwampirs.file.payload-dll", "kwampirs.file.pnf",
                  "kwampirs.recon-burst"]))
    ck.eq("info rule ids (1102 and 104)", sorted(rid(r) for r in infos),
          ["generic.eventlog.cleared", "generic.eventlog.cleared"])
    for r in alerts + infos:
        ck.eq("%s ruleset" % rid(r), get(r, "rule.ruleset"), "event")
        ck.eq("%s source" % rid(r), get(r, "wormsign.source"), "evtx")
        ck.eq("%s host" % rid(r), get(r, "host.name"), "IMAGING01.clinic.local")
    svc = sorted((get(r, "service.name"), get(r, "log.file.path").split("/")[-1],
                  get(r, "winlog.record_id"), get(r, "winlog.event_id"), get(r, "event.code"))
                 for r in alerts if rid(r) == "kwampirs.service.installed")
    ck.eq("service installs (name, file, record, event id)", svc,
          [("WMI Performance Adapter Extension", "kw-system.evtx", 2, "7045", "7045"),
           ("WmiApSrvEx", "kw-system.evtx", 1, "7045", "7045")])
    files = sorted((get(r, "file.path"), get(r, "winlog.record_id"), get(r, "event.code"),
                    get(r, "winlog.channel"))
                   for r in alerts if rid(r) in ("kwampirs.file.payload-dll", "kwampirs.file.pnf"))
    ch = "Microsoft-Windows-Sysmon/Operational"
    ck.eq("dropped files (path, record, event id, channel)", files,
          [("C:\\Windows\\System32\\wmiadrv.dll", 1, "11", ch),
           ("C:\\Windows\\inf\\ie11.pnf", 2, "11", ch)])
    drop = [(get(r, "process.executable"), get(r, "winlog.record_id"),
             get(r, "winlog.provider_name"))
            for r in alerts if rid(r) == "kwampirs.process.dropper"]
    ck.eq("dropper process", drop, [("C:\\Windows\\System32\\wmiapsrvex.exe", 2,
                                     "Microsoft-Windows-Security-Auditing")])
    burst = [r for r in alerts if rid(r) == "kwampirs.recon-burst"]
    if len(burst) == 1:
        b = burst[0]
        ck.eq("recon burst: distinct commands",
              get(b, "wormsign.evidence.distinct_commands"), 6)
        ck.eq("recon burst: commands", sorted(get(b, "wormsign.evidence.commands").split(" | ")),
              sorted(["hostname", "getmac", "ver", "systeminfo", "tasklist /svc", "arp -a"]))
        ck.eq("recon burst: records (records 3-9, not the traps 10-12)",
              sorted(get(b, "wormsign.evidence.records").split()),
              sorted("kw-security.evtx#%d" % i for i in range(3, 10)))
        ck.eq("recon burst: times", (get(b, "event.start")[:19], get(b, "event.end")[:19]),
              ("2023-11-14T22:14:00", "2023-11-14T22:14:42"))
    # traps: records that must appear in no finding
    traps = {("kw-system.evtx", 3), ("kw-system.evtx", 4), ("kw-sysmon.evtx", 3),
             ("kw-sysmon.evtx", 4), ("kw-security.evtx", 10), ("kw-security.evtx", 11),
             ("kw-security.evtx", 12)}
    hit = [(get(r, "log.file.path").split("/")[-1], get(r, "winlog.record_id"))
           for r in alerts + infos]
    ck.eq("traps (genuine WmiApSrv, WmiApSrvExtra, oem12.PNF, wbem\\WmiPrvSE.exe, 2-command "
          "recon) give nothing", sorted(set(hit) & traps), [])
    summ = [r for r in recs if r["event"]["kind"] == "metric"]
    ck.eq("exit code 1 in summary", summ and get(summ[0], "wormsign.summary.exit_code"), 1)
    return ck.bad


def fixture_lm(recs, files):
    ck = Checker()
    alerts = [r for r in recs if r["event"]["kind"] == "alert"]
    ids = sorted(rid(r) for r in alerts)
    both = "lm-security.evtx" in files and "lm-system.evtx" in files
    if both:
        want = ["generic.lateral.admin-share-service", "generic.service.remote-windir"]
    elif "lm-security.evtx" in files:
        want = ["generic.lateral.admin-share-service.write-only"]
    else:
        want = ["generic.service.remote-windir"]
    ck.eq("alert rule ids for %s" % " + ".join(files), ids, want)
    for r in alerts:
        if rid(r).startswith("generic.lateral"):
            ck.eq("lateral: source.ip", get(r, "source.ip"), "10.1.2.3")
            ck.eq("lateral: user.name", get(r, "user.name"), "svc_backup")
            ck.eq("lateral: file.path", get(r, "file.path"), "C:\\Windows\\X.exe")
            ck.eq("lateral: host", get(r, "host.name"), "FILESRV02.clinic.local")
            recs_ = sorted(get(r, "wormsign.evidence.records").split())
            if both:
                ck.eq("lateral: service.name", get(r, "service.name"), "Xsvc")
                ck.eq("lateral: records (7045, 5145, both 4624 and the 5140 from 10.1.2.3; "
                      "not the 4624/5145 of 10.9.9.9)", recs_,
                      sorted(["lm-system.evtx#1(7045)", "lm-security.evtx#3(5145)",
                              "lm-security.evtx#1(4624)", "lm-security.evtx#4(4624)",
                              "lm-security.evtx#2(5140)"]))
                ck.eq("lateral: network logons", get(r, "wormsign.evidence.network_logons"), 2)
                ck.eq("lateral: times", (get(r, "event.start")[:19], get(r, "event.end")[:19]),
                      ("2023-11-14T22:15:02", "2023-11-14T22:15:03"))
                ck.eq("lateral: severity", get(r, "event.severity"), 75)
            else:
                ck.eq("write only: severity", get(r, "event.severity"), 50)
        else:
            ck.eq("remote-windir: service.name", get(r, "service.name"), "Xsvc")
            ck.eq("remote-windir: evidence", get(r, "wormsign.evidence.ImagePath"),
                  "%SystemRoot%\\X.exe")
    return ck.bad


def fixture_xp(recs, system, security, shift, cut):
    """tests/gen_evt.py's XP scenarios (kw_system, kw_security): the findings
    their descriptions call for. `shift`: how many records precede
    kw_security's in the Security log (12 in the wrapped one). `cut`: the
    Security log is a copy cut after record 11: the same findings (all in
    records 1-4) and one error record saying the log ends before record 21."""
    ck = Checker()
    alerts = [r for r in recs if r["event"]["kind"] == "alert"]
    infos = [r for r in recs if r["event"].get("type") == "info" and rid(r)]
    errors = [r for r in recs if r["event"].get("type") == "error"]
    if cut:
        ck.eq("error records (code, log, record the header names last)",
              [(get(r, "error.code"), get(r, "log.file.path").split("/")[-1],
                get(r, "wormsign.evidence.winlog.record_id")) for r in errors],
              [("truncated", security, 21)])
    else:
        ck.eq("no error records", len(errors), 0)
    got = sorted((rid(r), get(r, "log.file.path").split("/")[-1], get(r, "winlog.record_id"),
                  get(r, "event.code"), get(r, "winlog.provider_name"))
                 for r in alerts + infos)
    # records 6-21: eight cmd.exe (creator: the dropper, pid 1844) each
    # starting one recon program (net, ipconfig, systeminfo, tasklist, arp,
    # getmac, netstat, route), ten seconds apart; the cut copy keeps three
    programs = ["net.exe", "ipconfig.exe", "systeminfo.exe", "tasklist.exe", "arp.exe",
                "getmac.exe", "netstat.exe", "route.exe"][:3 if cut else 8]
    want = sorted([
        ("kwampirs.recon-burst", security, 7 + shift, None, None),
        ("kwampirs.service.started", system, 6, "7035", "Service Control Manager"),
        ("kwampirs.service.installed", security, 3 + shift, "601", "Security"),
        ("kwampirs.process.dropper", security, 4 + shift, "592", "Security"),
        ("generic.eventlog.cleared", security, 1 + shift, "517", "Security"),
    ])
    ck.eq("findings (rule, log, record, event id, provider)", got, want)
    ck.eq("alert rule ids", sorted(rid(r) for r in alerts),
          sorted(w[0] for w in want if w[0] != "generic.eventlog.cleared"))
    for r in alerts + infos:
        ck.eq("%s ruleset" % rid(r), get(r, "rule.ruleset"), "event")
        ck.eq("%s source" % rid(r), get(r, "wormsign.source"), "evt")
        ck.eq("%s host" % rid(r), get(r, "host.name"), "IMAGING-XP01")
    by = {rid(r): r for r in alerts + infos}
    b = by.get("kwampirs.recon-burst")
    ck.eq("recon burst: programs", b and get(b, "wormsign.evidence.commands").split(" | "),
          programs)
    ck.eq("recon burst: distinct", b and get(b, "wormsign.evidence.distinct_commands"),
          len(programs))
    ck.eq("recon burst: records (the programs' 592, not the cmd.exe ones)",
          b and get(b, "wormsign.evidence.records").split(),
          ["%s#%d" % (security, 7 + shift + 2 * k) for k in range(len(programs))])
    ck.eq("recon burst: group", b and get(b, "wormsign.evidence.group"),
          "process id 1844 (cmd.exe chains)")
    ck.eq("recon burst: times", b and (get(b, "event.start")[:19], get(b, "event.end")[:19]),
          ("2023-11-14T22:17:01", "2023-11-14T22:18:11" if not cut else "2023-11-14T22:17:21"))
    ck.eq("recon burst: user", b and get(b, "user.name"), "SYSTEM")
    checks = [
        # rule, ECS/evidence field, value, time (T0 21:50:00 + the scenario's minutes)
        ("kwampirs.service.started", "wormsign.evidence.param1",
         "WMI Performance Adapter Extension", "2023-11-14T22:15:03"),
        ("kwampirs.service.started", "service.name", "WMI Performance Adapter Extension", None),
        ("kwampirs.service.installed", "wormsign.evidence.param1", "WmiApSrvEx",
         "2023-11-14T22:15:00"),
        ("kwampirs.service.installed", "service.name", "WmiApSrvEx", None),
        ("kwampirs.process.dropper", "wormsign.evidence.param2",
         "C:\\WINDOWS\\system32\\wmiapsrvex.exe", "2023-11-14T22:15:03"),
        ("generic.eventlog.cleared", "event.type", "info", "2023-11-14T22:10:00"),
    ]
    for rule, field, value, t in checks:
        r = by.get(rule)
        ck.eq("%s %s" % (rule, field), r and get(r, field), value)
        if t:
            ck.eq("%s time" % rule, r and (get(r, "event.start") or "")[:19], t)
    summ = [r for r in recs if r["event"]["kind"] == "metric"]
    ck.eq("exit code 1 in summary", summ and get(summ[0], "wormsign.summary.exit_code"), 1)
    return ck.bad


def main():
    mode, path = sys.argv[1], sys.argv[2]
    recs = load(path)
    if mode == "summary":
        print(summary(recs))
        return 0
    if mode == "fixture-kw":
        return 1 if fixture_kw(recs) else 0
    if mode == "fixture-lm":
        return 1 if fixture_lm(recs, sys.argv[3:]) else 0
    if mode == "fixture-xp":
        cut = len(sys.argv) > 6 and sys.argv[6] == "cut"
        return 1 if fixture_xp(recs, sys.argv[3], sys.argv[4], int(sys.argv[5]), cut) else 0
    print("unknown mode", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

#!/bin/bash
# it-net-tsch.sh - remote scheduled tasks (MS-TSCH ITaskSchedulerService
# SchRpcRegisterTask) in a capture made by tests/gen_tsch_pcap.py, whose
# request stubs are encoded by Debian's impacket: the task path, the Exec
# command(s) and arguments (XML entities decoded) and the run-as principal on
# net.tsch.register_task; a request reassembled from three fragments; a cut
# stub gives net.error.tsch; svcctl's opnum 1 is no task. tshark (its
# TaskSchedulerService dissector names the operation) says which frames hold
# SchRpcRegisterTask requests.
set -u
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || skip "jq is not installed"
$PY -c 'import impacket.dcerpc.v5.tsch' 2> /dev/null ||
    skip "python3-impacket is not installed (apt-get install python3-impacket)"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
cap="$WS_TMP/tsch.pcap"
$PY "$WS_SRC/tests/gen_tsch_pcap.py" "$cap" > "$WS_TMP/frames" || fail "generator failed"
frame() { awk -v l="$1" '$1 == l {print $2}' "$WS_TMP/frames"; }

"$WS" net --json "$cap" > "$WS_TMP/out.ndjson" 2> "$WS_TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "exit $rc, expected 1 (found)"
jq -c . "$WS_TMP/out.ndjson" > /dev/null || fail "output is not NDJSON"
tasks=$(jq -c 'select(.rule.id == "net.tsch.register_task")' "$WS_TMP/out.ndjson")
[ "$(grep -c . <<< "$tasks")" = 2 ] || fail "expected 2 task findings, got: $tasks"

t1=$(jq -c "select(.wormsign.evidence.frames == \"$(frame task1)\")" <<< "$tasks")
[ -n "$t1" ] || fail "no finding at frame $(frame task1)"
want() { [ "$(jq -r "$1" <<< "$2")" = "$3" ] || fail "$1 is '$(jq -r "$1" <<< "$2")', want '$3'"; }
want .wormsign.evidence.task_path "$t1" '\WmiApSrvEx'
want .wormsign.evidence.command "$t1" 'C:\Windows\inf\wmiapsrvex.exe'
want .wormsign.evidence.arguments "$t1" '-k & echo done > C:\Windows\Temp\x.tmp'
want .wormsign.evidence.run_as "$t1" 'S-1-5-18'
want .wormsign.evidence.flags "$t1" '0x2'
want .source.ip "$t1" 10.9.0.21
want .destination.ip "$t1" 10.9.0.5
want .event.action "$t1" scheduled-task-created
want .network.protocol "$t1" dcerpc

t2=$(jq -c "select(.wormsign.evidence.frames == \"$(frame task2)\")" <<< "$tasks")
[ -n "$t2" ] || fail "no finding for the fragmented request at frame $(frame task2)"
want .wormsign.evidence.task_path "$t2" '\Updater'
want .wormsign.evidence.command "$t2" 'cmd.exe | rundll32.exe'
want .wormsign.evidence.arguments "$t2" '/C whoami'
want .wormsign.evidence.run_as "$t2" 'S-1-5-32-544'

err=$(jq -c 'select(.rule.id == "net.error.tsch")' "$WS_TMP/out.ndjson")
[ "$(jq -r .wormsign.evidence.frame <<< "$err")" = "$(frame cut)" ] ||
    fail "no net.error.tsch at frame $(frame cut): $err"

# the svcctl trap: no service creation, no task from opnum 1 on svcctl
if jq -r '.rule.id' "$WS_TMP/out.ndjson" | grep -q 'svcctl'; then
    fail "svcctl opnum 1 (ControlService) gave a finding"
fi

# tshark: the frames of SchRpcRegisterTask requests are exactly ours
# (the cut one included: an error record there)
if command -v tshark > /dev/null; then
    ts=$(tshark -r "$cap" -Y 'taskschedulerservice.opnum == 1 && dcerpc.pkt_type == 0' \
        -T fields -e frame.number 2> /dev/null | sort -n | paste -sd, -)
    ours=$( (jq -r 'select(.rule.id == "net.tsch.register_task") | .wormsign.evidence.frames' \
        "$WS_TMP/out.ndjson"; frame cut) | sort -n | paste -sd, -)
    [ "$ts" = "$ours" ] || fail "tshark sees requests in frames $ts, we report $ours"
fi
pass

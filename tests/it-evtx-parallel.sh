#!/bin/bash
# it-evtx-parallel.sh - `logs dump --threads N` (ws_evtx_parallel): the
# output of every corpus EVTX/EVT file is byte-identical with 1, 2, 3 and 4
# threads (JSON, human, --recover) and exit statuses agree; a large file made
# of one corpus log's chunks repeated 12 times (many more chunks than the
# 2 x threads window) prints exactly the single file's records 12 times, in
# order; a truncated copy agrees across thread counts; a reader closing the
# pipe early does not hang the workers. Exit 0 pass, 1 fail, 77 skip.
set -u
: "${WS:?WS must point at the wormsign binary}"
WS_TMP=${WS_TMP:-${TMPDIR:-/tmp}/ws-it-evtx-parallel}
mkdir -p "$WS_TMP" || exit 1
fail=0
check() { # description, then the condition's exit status
    if [ "$2" -ne 0 ]; then
        echo "FAIL $1"
        fail=1
    else
        echo "ok   $1"
    fi
}

"$WS" logs dump --threads 0 x >/dev/null 2>&1
[ $? -eq 2 ]
check "--threads 0 is a usage error" $?
"$WS" logs dump --threads 99 x >/dev/null 2>&1
[ $? -eq 2 ]
check "--threads 99 is a usage error" $?

dir=${WS_CORPUS:-}/evtx
if [ -z "${WS_CORPUS:-}" ] || [ ! -d "$dir" ]; then
    echo "SKIP: no EVTX corpus (WS_CORPUS/evtx)"
    [ $fail -eq 0 ] && exit 77
    exit 1
fi

# run FILE THREADS OPTS... > out, exit status appended as the last line
run() {
    local f=$1 t=$2
    shift 2
    "$WS" logs dump --threads "$t" "$@" "$f" 2>/dev/null
    echo "exit $?"
}

n=0
while IFS= read -r f; do
    n=$((n + 1))
    for opts in "--json" "" "--json --recover"; do
        # shellcheck disable=SC2086
        run "$f" 1 $opts >"$WS_TMP/t1"
        ts="2 3 4"
        [ "$opts" = "--json" ] || ts=4
        for t in $ts; do
            # shellcheck disable=SC2086
            run "$f" "$t" $opts >"$WS_TMP/tn"
            cmp -s "$WS_TMP/t1" "$WS_TMP/tn"
            check "$(basename "$f") [$opts] --threads $t == --threads 1" $?
        done
    done
done < <(find "$dir" -type f \( -iname '*.evtx' -o -iname '*.evt' \) | sort)
[ "$n" -gt 0 ]
check "corpus has EVTX files ($n)" $?

# detection (`wormsign logs DIR`, ws_evtx_parallel_items): the same findings
# in the same order with 1 and 4 threads (times and the summary line aside)
norm() { grep -v '"action":"summary"' "$1" | sed -E 's/"(@timestamp|created)":"[^"]*"//g'; }
"$WS" logs --json --threads 1 "$dir" >"$WS_TMP/h1" 2>/dev/null
s1=$?
"$WS" logs --json --threads 4 "$dir" >"$WS_TMP/h4" 2>/dev/null
s4=$?
[ "$s1" -eq "$s4" ] && [ -s "$WS_TMP/h1" ] && cmp -s <(norm "$WS_TMP/h1") <(norm "$WS_TMP/h4")
check "logs DIR: findings identical with --threads 1 and 4 ($(wc -l <"$WS_TMP/h1") lines)" $?

# a big file: the header and chunks of the largest clean corpus log, chunks x12
src=""
for cand in "$dir"/deepbluecli/password-spray.evtx "$dir"/evtx-attack-samples/LM_5145_Remote_FileCopy.evtx; do
    if [ -f "$cand" ] && "$WS" logs dump --json "$cand" >/dev/null 2>&1; then
        src=$cand
        break
    fi
done
if [ -z "$src" ]; then
    echo "SKIP: no clean multi-chunk corpus log for the big-file check"
else
    big=$WS_TMP/big.evtx
    head -c 4096 "$src" >"$big"
    for _ in $(seq 12); do tail -c +4097 "$src" >>"$big"; done
    "$WS" logs dump --json --threads 1 "$src" | sed 's/,"file":"[^"]*"}$/}/' >"$WS_TMP/one"
    for _ in $(seq 12); do cat "$WS_TMP/one"; done >"$WS_TMP/expect"
    recs=$(wc -l <"$WS_TMP/expect")
    for t in 1 2 4 7; do
        "$WS" logs dump --json --threads "$t" "$big" | sed 's/,"file":"[^"]*"}$/}/' >"$WS_TMP/got"
        st=${PIPESTATUS[0]}
        [ "$st" -eq 0 ] && cmp -s "$WS_TMP/expect" "$WS_TMP/got"
        check "big file ($((($(stat -c %s "$big") - 4096) / 65536)) chunks, $recs records) --threads $t: the source's records x12 in order" $?
    done
    # cut 3000 bytes into a chunk in the middle: the last slot is partial
    head -c $((4096 + 65536 * ($(stat -c %s "$big") / 65536 / 2) + 3000)) "$big" >"$WS_TMP/cut.evtx"
    run "$WS_TMP/cut.evtx" 1 --json >"$WS_TMP/c1"
    run "$WS_TMP/cut.evtx" 4 --json >"$WS_TMP/c4"
    cmp -s "$WS_TMP/c1" "$WS_TMP/c4" && grep -q '"error"' "$WS_TMP/c1"
    check "truncated big file: same output and error with 1 and 4 threads" $?
    timeout 30 bash -c "'$WS' logs dump --json --threads 4 '$big' | head -n 1 >/dev/null"
    [ $? -ne 124 ]
    check "closed output pipe: workers stop" $?
fi
exit $fail

#!/bin/bash
# Integration: a disk image made here, without mounting. The generated
# Windows-like tree (tests/gen_tree.py) is copied with mtools into
#   (a) a bare FAT16 volume and
#   (b) the first partition of an MBR disk (second partition: another FAT
#       with one file; a third, empty, partition has no file system);
# `wormsign scan --json IMAGE` must give the same findings (relative path,
# ruleset, rule, SHA-256) as the scan of the tree on disk, under IMAGE/ and
# IMAGE/p1/. Then a flagged file is deleted with mdel: gone without
# --deleted; with --deleted found again (FAT keeps all but the first letter
# of its name: _1.bin), marked deleted, with the original bytes.
set -u
. "$(dirname "$0")/lib.sh"
for t in mkfs.fat mcopy mdel; do
    command -v $t > /dev/null || skip "$t not installed (Debian: dosfstools, mtools)"
done
export MTOOLS_SKIP_CHECK=1
T="$WS_TMP/tree"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
$PY "$WS_SRC/tests/gen_tree.py" "$WS_SRC" "$T" > /dev/null || fail "generator failed"

"$WS" scan --json --no-progress "$T" > "$WS_TMP/disk.ndjson"
[ $? -eq 1 ] || fail "scan of the tree: expected exit 1"

# (a) bare FAT
mkfs.fat -C -n WSTEST "$WS_TMP/fat.img" 16384 > /dev/null || fail "mkfs.fat"
(cd "$T" && mcopy -s -p -m -i "$WS_TMP/fat.img" ./* ::/) || fail "mcopy"
# (b) MBR: p1 at 1 MiB (16 MiB, the tree), p2 at 17 MiB (4 MiB, one file),
# p3 at 21 MiB (1 MiB, nothing)
truncate -s 24M "$WS_TMP/disk.img"
$PY - "$WS_TMP/disk.img" <<'PYEOF' || fail "MBR"
import struct, sys
def entry(t, start, count):
    return struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", t, b"\xfe\xff\xff", start, count)
mbr = bytearray(512)
mbr[446:446 + 48] = entry(6, 2048, 32768) + entry(6, 34816, 8192) + entry(6, 43008, 2048)
mbr[510:512] = b"\x55\xaa"
with open(sys.argv[1], "r+b") as f:
    f.write(mbr)
PYEOF
mkfs.fat --offset=2048 -n PART1 "$WS_TMP/disk.img" 16384 > /dev/null 2>&1 || fail "mkfs.fat p1"
mkfs.fat --offset=34816 -n PART2 "$WS_TMP/disk.img" 4096 > /dev/null 2>&1 || fail "mkfs.fat p2"
(cd "$T" && mcopy -s -p -m -i "$WS_TMP/disk.img@@1M" ./* ::/) || fail "mcopy p1"
echo hello > "$WS_TMP/hello.txt"
mcopy -i "$WS_TMP/disk.img@@17M" "$WS_TMP/hello.txt" ::/ || fail "mcopy p2"

compare() { # ndjson root-prefix [extra-expected-tsv]
    $PY - "$WS_TMP/disk.ndjson" "$T" "$1" "$2" "${3:-}" <<'PYEOF'
import json, sys
disk, troot, nd, iroot, extra = sys.argv[1:6]
def load(path, root):
    s, errs = set(), []
    for line in open(path):
        r = json.loads(line)
        if r["event"]["kind"] == "alert":
            p = r["file"]["path"]
            assert p.startswith(root + "/"), p
            rs = r["rule"]["ruleset"]
            rule = r["rule"]["name"] if rs == "yara" else str(r["wormsign"].get("ioc", {}).get("line", rs))
            dl = bool(r.get("wormsign", {}).get("file", {}).get("deleted"))
            s.add((p[len(root) + 1:], rs, rule, r["file"]["hash"]["sha256"], dl))
        elif r["event"].get("type") == "error":
            errs.append(r)
    return s, errs
a, _ = load(disk, troot)
b, errs = load(nd, iroot)
if extra:
    for l in open(extra):
        old, new, dl = l.rstrip("\n").split("\t")
        moved = {x for x in a if x[0] == old}
        a -= moved
        if dl == "deleted":
            a |= {(new,) + x[1:4] + (True,) for x in moved}
ok = not errs
for e in errs:
    print("ERROR", e["file"]["path"], e.get("error"))
for x in sorted(a - b):
    print("MISSING   ", *x); ok = False
for x in sorted(b - a):
    print("UNEXPECTED", *x); ok = False
print(len(b), "findings", "OK" if ok else "DIFFER")
sys.exit(0 if ok else 1)
PYEOF
}

"$WS" scan --json --no-progress "$WS_TMP/fat.img" > "$WS_TMP/fat.ndjson"
[ $? -eq 1 ] || fail "FAT image: expected exit 1"
compare "$WS_TMP/fat.ndjson" "$WS_TMP/fat.img" || fail "FAT image findings differ from disk"
$PY "$WS_SRC/tests/check_findings.py" "$WS_TMP/fat.img" "$WS_TMP/expected.tsv" \
    "$WS_TMP/fat.ndjson" || fail "FAT image: expected.tsv"

"$WS" scan --json --no-progress "$WS_TMP/disk.img" > "$WS_TMP/mbr.ndjson"
[ $? -eq 1 ] || fail "MBR image: expected exit 1"
compare "$WS_TMP/mbr.ndjson" "$WS_TMP/disk.img/p1" || fail "MBR image p1 findings differ"
grep -q '"action":"skipped".*partition p3 .*no file system' "$WS_TMP/mbr.ndjson" ||
    fail "no skip record for the empty partition p3"
cat > "$WS_TMP/any.yar" <<'YAR'
rule any_file { meta: description = "every file" condition: true }
YAR
"$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/any.yar" "$WS_TMP/disk.img" |
    grep -q "\"path\":\"$WS_TMP/disk.img/p2/hello.txt\"" || fail "p2/hello.txt not scanned"

# deleted file
victim=Users/Public/cache/a1.bin
grep -q "^$victim	" "$WS_TMP/expected.tsv" || fail "test premise: $victim flagged"
mdel -i "$WS_TMP/fat.img" "::/$victim" || fail "mdel"
"$WS" scan --json --no-progress "$WS_TMP/fat.img" > "$WS_TMP/del0.ndjson"
printf '%s\t-\tgone\n' "$victim" > "$WS_TMP/gone.tsv"
compare "$WS_TMP/del0.ndjson" "$WS_TMP/fat.img" "$WS_TMP/gone.tsv" ||
    fail "deleted file reported without --deleted"
"$WS" scan --json --no-progress --deleted "$WS_TMP/fat.img" > "$WS_TMP/del1.ndjson"
printf '%s\t%s\tdeleted\n' "$victim" "Users/Public/cache/_1.bin" > "$WS_TMP/moved.tsv"
compare "$WS_TMP/del1.ndjson" "$WS_TMP/fat.img" "$WS_TMP/moved.tsv" ||
    fail "--deleted: deleted file not found again with its bytes and mark"
# NTFS made by mkntfs (ntfs-3g), files written by ntfscp without mounting:
# ntfscp cannot make folders, so the YARA-flagged stand-ins go to the root
# under new names, and one also into an alternate data stream of a benign
# file. Each must give the same YARA rules and SHA-256 as on disk, and the
# file list must equal the fls oracle (streams included).
if command -v mkntfs > /dev/null && command -v ntfscp > /dev/null && command -v fls > /dev/null; then
    N="$WS_TMP/ntfs.img"
    truncate -s 24M "$N" && mkntfs -F -Q -q "$N" > /dev/null 2>&1 || fail "mkntfs"
    echo "a benign text" > "$WS_TMP/cover.txt"
    ntfscp -q "$N" "$WS_TMP/cover.txt" cover.txt > /dev/null 2>&1 || fail "ntfscp"
    : > "$WS_TMP/ntfs-map.tsv"
    i=0
    for rel in $(awk -F'\t' '$2 == "yara" {print $1}' "$WS_TMP/expected.tsv" | sort -u); do
        ntfscp -q "$N" "$T/$rel" "f$i.bin" > /dev/null 2>&1 || fail "ntfscp $rel"
        printf '%s\tf%s.bin\n' "$rel" "$i" >> "$WS_TMP/ntfs-map.tsv"
        if [ $i = 0 ]; then
            ntfscp -q -N hidden.bin "$N" "$T/$rel" cover.txt > /dev/null 2>&1 || fail "ntfscp ADS"
            printf '%s\tcover.txt:hidden.bin\n' "$rel" >> "$WS_TMP/ntfs-map.tsv"
        fi
        i=$((i + 1))
    done
    "$WS" scan --json --no-progress "$N" > "$WS_TMP/ntfs.ndjson"
    [ $? -eq 1 ] || fail "NTFS image: expected exit 1"
    $PY - "$WS_TMP/disk.ndjson" "$T" "$WS_TMP/ntfs.ndjson" "$N" "$WS_TMP/ntfs-map.tsv" <<'PYEOF' ||
import json, sys
disk, troot, nd, iroot, mp = sys.argv[1:6]
def load(path, root):
    s = set()
    for line in open(path):
        r = json.loads(line)
        assert r["event"].get("type") != "error", r
        if r["event"]["kind"] == "alert" and r["rule"]["ruleset"] == "yara":
            s.add((r["file"]["path"][len(root) + 1:], r["rule"]["name"], r["file"]["hash"]["sha256"]))
    return s
a, b = load(disk, troot), load(nd, iroot)
want = set()
for l in open(mp):
    old, new = l.rstrip("\n").split("\t")
    want |= {(new,) + x[1:] for x in a if x[0] == old}
ok = want == b and len(b) > 0
for x in sorted(want - b): print("MISSING   ", *x)
for x in sorted(b - want): print("UNEXPECTED", *x)
print(len(b), "YARA findings in NTFS", "OK" if ok else "DIFFER")
sys.exit(0 if ok else 1)
PYEOF
        fail "NTFS image: YARA findings differ from disk"
    cat > "$WS_TMP/any.yar" <<'YAR'
rule any_file { meta: description = "every file" condition: true }
YAR
    "$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/any.yar" "$N" |
        $PY -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["event"]["kind"] == "alert": print(r["file"]["path"][len(sys.argv[1]) + 1:])' "$N" |
        sort > "$WS_TMP/ntfs-files.txt"
    $PY "$WS_SRC/tests/fls_oracle.py" "$N" | diff - "$WS_TMP/ntfs-files.txt" ||
        fail "NTFS image: files differ from fls"
    grep -q '^cover.txt:hidden.bin$' "$WS_TMP/ntfs-files.txt" || fail "ADS not listed"
else
    echo "note: mkntfs/ntfscp (ntfs-3g) or fls (sleuthkit) missing: generated NTFS part not run"
fi

# hostile images: never a crash, always valid records; a container whose
# magic libtsk then rejects is an error record naming the image
printf 'EVF\x09\x0d\x0a\xff\x00garbage' > "$WS_TMP/bad.E01"
head -c 65536 "$WS_TMP/fat.img" > "$WS_TMP/trunc.img"
cp "$WS_TMP/disk.img" "$WS_TMP/noise.img"
$PY - "$WS_TMP/noise.img" <<'PYEOF'
import random, sys
r = random.Random(6)
with open(sys.argv[1], "r+b") as f:
    for _ in range(400):  # flip bytes in the boot sectors, FATs and root folder of p1
        f.seek(1048576 + r.randrange(0, 65536)); f.write(bytes([r.randrange(256)]))
PYEOF
for h in bad.E01 trunc.img noise.img; do
    "$WS" scan --json --no-progress --deleted "$WS_TMP/$h" > "$WS_TMP/h.ndjson" 2> "$WS_TMP/h.err"
    rc=$?
    [ $rc -le 2 ] || fail "$h: exit status $rc"
    $PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WS_TMP/h.ndjson" ||
        fail "$h: output is not NDJSON"
done
"$WS" scan --json --no-progress "$WS_TMP/bad.E01" | grep -q '"type":"error".*bad.E01.*magic' ||
    fail "bad.E01: no error record"
pass

#!/bin/bash
# Integration: disk images from the corpus (NTFS made by Windows, FAT12/16/32,
# single and split E01, VMDK, VHD, a Windows MBR chain) scanned through
# libtsk. For each image, with and without --deleted, the files wormsign scans
# (a user rule that matches every file gives one alert per file) must be
# exactly those listed by the Sleuth Kit's own fls/mmls (tests/fls_oracle.py),
# with the SHA-256 of icat's bytes (a sample of ~40 per image), and no error
# record may appear.
# --no-images reads an image as one file. QCOW2 (not read by libtsk 4.11) is
# scanned as bytes without error.
set -u
. "$(dirname "$0")/lib.sh"
C="${WS_CORPUS:-}/images"
[ -d "$C/dfvfs" ] && [ -d "$C/dfir_ntfs" ] || skip "corpus images not found under $C"
for t in fls mmls icat fsstat xz; do
    command -v $t > /dev/null || skip "$t not installed (Debian: sleuthkit, xz-utils)"
done
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP"
cat > "$WS_TMP/any.yar" <<'YAR'
rule any_file { meta: description = "every file" reference = "test" condition: true }
YAR

unxz_to() { xz -dc "$1" | cp --sparse=always /dev/stdin "$2" || fail "cannot decompress $1"; }

check_image() { # image [--deleted]
    local img=$1 d=${2:-}
    "$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/any.yar" $d "$img" \
        > "$WS_TMP/out.ndjson"
    rc=$?
    [ $rc -le 1 ] || fail "$img $d: exit status $rc"
    $PY "$WS_SRC/tests/fls_oracle.py" "$img" $d --long > "$WS_TMP/oracle.tsv" ||
        fail "oracle failed on $img"
    $PY - "$img" "$WS_TMP/out.ndjson" "$WS_TMP/oracle.tsv" "$d" <<'PYEOF' || fail "$img $d"
import hashlib, json, subprocess, sys
img, nd, orc, deleted = sys.argv[1:5]
got, errors, summary, marked = {}, [], None, 0
for line in open(nd):
    r = json.loads(line)
    k = r["event"]["kind"]
    if k == "metric":
        summary = r["wormsign"]["summary"]
    elif k == "alert":
        p = r["file"]["path"]
        assert p.startswith(img + "/"), "path outside the image: " + p
        got[p[len(img) + 1:]] = r["file"]["hash"]["sha256"]
        if r.get("wormsign", {}).get("file", {}).get("deleted"):
            marked += 1
            assert r.get("message", "").startswith("deleted"), "deleted file without message"
    elif r["event"].get("type") == "error":
        errors.append(r)
exp = {}
for l in open(orc):
    p, off, inum = l.rstrip("\n").split("\t")
    exp[p] = (off, inum)
ok = True
for p in sorted(set(exp) - set(got)):
    print("MISSING   ", p); ok = False
for p in sorted(set(got) - set(exp)):
    print("UNEXPECTED", p); ok = False
for e in errors:
    print("ERROR", e.get("file", {}).get("path"), e.get("error")); ok = False
if summary is None or summary["objects"] != len(exp):
    print("summary objects", summary and summary["objects"], "oracle", len(exp)); ok = False
both = sorted(set(exp) & set(got))
for p in both[::max(1, len(both) // 40)]:  # icat is slow: about 40 files per image
    off, inum = exp[p]
    data = subprocess.run(["icat", "-o", off, img, inum], capture_output=True).stdout
    if hashlib.sha256(data).hexdigest() != got[p]:
        print("SHA-256 differs from icat:", p); ok = False
if not deleted and marked:
    print("deleted files without --deleted"); ok = False
print("%s %s: %d files, %d deleted, %s" % (img.rsplit("/", 1)[-1], deleted, len(got), marked,
                                           "OK" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PYEOF
}

imgs=()
for x in fat12 fat16 fat_lfn_test ntfs_index mbr-win-512; do
    unxz_to "$C/dfir_ntfs/$x.raw.xz" "$WS_TMP/$x.raw"
    imgs+=("$WS_TMP/$x.raw")
done
unxz_to "$C/ntfs-samples/ntfs-lastaccess.raw.xz" "$WS_TMP/ntfs-lastaccess.raw"
unxz_to "$C/dfvfs/image.vhd.xz" "$WS_TMP/image.vhd"
imgs+=("$WS_TMP/ntfs-lastaccess.raw" "$WS_TMP/image.vhd" "$C/dfvfs/image.E01" \
       "$C/dfvfs/image-split.E01" "$C/dfvfs/image.vmdk")
for img in "${imgs[@]}"; do
    check_image "$img"
    check_image "$img" --deleted
done

# the real NTFS images must actually yield files, and the E01 tree its passwords.txt
grep -q "^p1/test/1.txt" <($PY "$WS_SRC/tests/fls_oracle.py" "$WS_TMP/ntfs-lastaccess.raw") ||
    fail "oracle sanity: test/1.txt not listed"

# a file-name IOC written for Windows paths matches the path inside the image
printf '# test: a Windows path [source: wormsign test]\n\\\\test\\\\1\\.txt$;80\n' \
    > "$WS_TMP/test-filename-iocs.txt"
"$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/test-filename-iocs.txt" \
    "$WS_TMP/ntfs-lastaccess.raw" > "$WS_TMP/name.ndjson"
n=$(grep -c '"ruleset":"name"' "$WS_TMP/name.ndjson")
[ "$n" = 1 ] || fail "Windows-form name IOC inside an NTFS image: $n alerts, expected 1"
grep -q "\"path\":\"$WS_TMP/ntfs-lastaccess.raw/p1/test/1.txt\"" "$WS_TMP/name.ndjson" ||
    fail "name IOC alert does not name p1/test/1.txt"

# --no-images: the image is one file read as bytes
"$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/any.yar" --no-images \
    "$C/dfvfs/image.E01" > "$WS_TMP/bytes.ndjson"
n=$(grep -c '"kind":"alert"' "$WS_TMP/bytes.ndjson")
[ "$n" = 1 ] || fail "--no-images: $n alerts, expected 1"
grep -q "\"path\":\"$C/dfvfs/image.E01\"" "$WS_TMP/bytes.ndjson" || fail "--no-images: path"
want=$(sha256sum < "$C/dfvfs/image.E01" | cut -d' ' -f1)
grep -q "\"sha256\":\"$want\"" "$WS_TMP/bytes.ndjson" || fail "--no-images: not the file's bytes"

# QCOW2 is not read by this libtsk: one file, as bytes, no error
"$WS" scan --json --no-progress --no-default-pack --pack "$WS_TMP/any.yar" \
    "$C/dfvfs/vsstest.qcow2" > "$WS_TMP/qcow.ndjson"
n=$(grep -c '"kind":"alert"' "$WS_TMP/qcow.ndjson")
[ "$n" = 1 ] || fail "qcow2: $n alerts, expected 1"
if grep -q '"type":"error"' "$WS_TMP/qcow.ndjson"; then fail "qcow2: error record"; fi
rm -f "$WS_TMP"/*.raw
pass

#!/bin/bash
# it-variant.sh - `wormsign digest` output against independent tools:
# the header, one line per file, size/md5/sha1/sha256 against coreutils,
# ssdeep against Debian's `ssdeep`, TLSH against Debian's `tlsh` (3.4.4 prints
# the digest without the "T1" of TLSH 4.x). Exit 0 pass, 1 fail, 77 skip.
set -u
: "${WS:?}" "${WS_TMP:?}"
mkdir -p "$WS_TMP"
W=${WS_WINE_DIR:-/usr/lib/x86_64-linux-gnu/wine/x86_64-windows}
files=()
if [ -d "$W" ]; then
    for f in "$W"/a*.dll; do files+=("$f"); [ ${#files[@]} -ge 12 ] && break; done
fi
# a few text files of the corpus too (and a tiny one: '-' digests)
C=${WS_CORPUS:-}/fuzzy/tlsh-trendmicro/Testing/example_data
if [ -d "$C" ]; then
    for f in "$C"/0Alice.txt "$C"/small.txt; do files+=("$f"); done
fi
if [ ${#files[@]} -eq 0 ]; then echo "skip: no libwine DLLs and no corpus"; exit 77; fi
fail() { echo "FAIL: $*"; exit 1; }

"$WS" digest "${files[@]}" > "$WS_TMP/out.digest" || fail "digest exited non-zero"
head -1 "$WS_TMP/out.digest" | grep -qx '# wormsign-digest v1' || fail "no header"
n=$(grep -vc '^#' "$WS_TMP/out.digest")
[ "$n" -eq ${#files[@]} ] || fail "want ${#files[@]} lines, got $n"
i=0
while IFS=$'\t' read -r size md5 sha1 sha256 ss tl ins name; do
    case "$size" in '#'*) continue ;; esac
    f=${files[$i]}; i=$((i + 1))
    [ "$name" = "$f" ] || fail "name $name != $f"
    [ "$size" = "$(stat -c %s "$f")" ] || fail "$f: size"
    [ "$md5" = "$(md5sum < "$f" | cut -d' ' -f1)" ] || fail "$f: md5"
    [ "$sha1" = "$(sha1sum < "$f" | cut -d' ' -f1)" ] || fail "$f: sha1"
    [ "$sha256" = "$(sha256sum < "$f" | cut -d' ' -f1)" ] || fail "$f: sha256"
    if command -v ssdeep > /dev/null; then
        want=$(ssdeep -s -b "$f" | tail -1 | cut -d, -f1)
        [ "$ss" = "$want" ] || fail "$f: ssdeep $ss != $want"
    fi
    if command -v tlsh > /dev/null && [ "$size" -ge 256 ]; then
        want=$(tlsh -f "$f" 2> /dev/null | cut -f1)
        [ -n "$want" ] && { [ "$tl" = "T1$want" ] || fail "$f: tlsh $tl != T1$want"; }
    fi
    case "$ins" in W1:*|-) ;; *) fail "$f: insertion field $ins" ;; esac
done < "$WS_TMP/out.digest"
# tiny file: '-' for TLSH and the insertion digest
printf 'hello' > "$WS_TMP/tiny"
"$WS" digest --no-header "$WS_TMP/tiny" | awk -F'\t' '$6 != "-" || $7 != "-" { exit 1 }' \
    || fail "tiny file digests"
# names with spaces and tabs are percent-encoded
cp "${files[0]}" "$WS_TMP/a b	c"
"$WS" digest --no-header "$WS_TMP/a b	c" | grep -q 'a%20b%09c$' || fail "name encoding"
# errors: missing file -> exit 1 and a message, other files still printed
out=$("$WS" digest --no-header /nonexistent "${files[0]}" 2> "$WS_TMP/err"); rc=$?
[ $rc -eq 1 ] || fail "missing file rc $rc"
grep -q nonexistent "$WS_TMP/err" || fail "no error message"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "other file not printed"
"$WS" digest --help | grep -q usage || fail "--help"
echo "ok: ${#files[@]} files"
exit 0

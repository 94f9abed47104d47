#!/bin/bash
# Integration: user packs. Loki's YARA externals (filename, filepath,
# extension, filetype, md5) compile and match; a rule file that does not
# compile is reported with its file and line and the rest still loads and
# matches; a signature-base-style folder (yara/, iocs/) loads; Loki filename
# IOCs with backslashes match a '/' tree case-insensitively, with the
# false-positive column and negative scores; --no-default-pack; pack check.
set -u
. "$(dirname "$0")/lib.sh"
rm -rf "$WS_TMP" && mkdir -p "$WS_TMP/sb/yara" "$WS_TMP/sb/iocs" "$WS_TMP/t/Windows/Temp" "$WS_TMP/t/Tools"
T="$WS_TMP/t"
printf 'MZ evil payload here\n' > "$T/Windows/Temp/Invoice.EXE"
printf 'plain text\n' > "$T/Windows/Temp/notes.txt"
printf 'psexec stand-in\n' > "$T/Tools/PsExec.exe"
md5=$(md5sum "$T/Windows/Temp/Invoice.EXE" | cut -d' ' -f1)
cat > "$WS_TMP/sb/yara/loki_externals.yar" <<YAR
rule Ext_Filename { meta: score = 65 condition: filename == "Invoice.EXE" }
rule Ext_Filepath { meta: score = 65 condition: filepath matches /Windows\/Temp\$/ }
rule Ext_Extension { meta: score = 65 condition: extension == ".exe" }
rule Ext_Filetype { meta: score = 65 condition: filetype == "EXE" }
rule Ext_Md5 { meta: score = 65 condition: md5 == "$md5" }
YAR
cat > "$WS_TMP/sb/yara/broken.yar" <<'YAR'
rule Good_Before { condition: false }

rule Broken_Rule {
    strings: $a = "x"
    condition: $a and undefined_identifier
}
YAR
cat > "$WS_TMP/sb/yara/strings.yar" <<'YAR'
rule Evil_String { meta: description = "evil string" score = 80 strings: $s = "evil payload" condition: $s }
YAR
cat > "$WS_TMP/sb/iocs/filename-iocs.txt" <<'EOF2'
# Executable dropped in Windows Temp
\\Windows\\Temp\\[^\\]+\.exe$;70
# Sysinternals PsExec is fine here
\\Tools\\PsExec\.exe;-60
\\PsExec\.exe;50
# broken regex
\\(unclosed;50
EOF2
echo "$md5;75;Invoice sample" > "$WS_TMP/sb/iocs/hash-iocs.txt"
echo "example.invalid" > "$WS_TMP/sb/iocs/c2-iocs.txt"
echo "not a pack" > "$WS_TMP/sb/README.md"

"$WS" scan --json --no-default-pack --pack "$WS_TMP/sb" "$T" > "$WS_TMP/out.ndjson"; rc=$?
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
$PY - "$WS_TMP/out.ndjson" <<'PYEOF' || fail "user pack findings"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = {(r["file"]["name"], r["rule"]["ruleset"], r["rule"]["name"]) for r in recs if r["event"]["kind"] == "alert"}
names = {(a[0], a[2]) for a in alerts}
for rule in ["Ext_Filename", "Ext_Filepath", "Ext_Extension", "Ext_Filetype", "Ext_Md5", "Evil_String"]:
    assert ("Invoice.EXE", rule) in names, "missing " + rule
assert ("notes.txt", "Ext_Filepath") in names, "filepath external must be the folder"
assert not any(a[0] == "notes.txt" and a[2] != "Ext_Filepath" for a in alerts), alerts
assert any(a[0] == "Invoice.EXE" and a[1] == "name" for a in alerts), "backslash filename IOC"
assert any(a[0] == "Invoice.EXE" and a[1] == "hash" for a in alerts), "hash IOC"
assert not any(a[0] == "PsExec.exe" and a[1] == "name" for a in alerts), "negative score must cancel"
errs = [r for r in recs if r["event"].get("type") == "error"]
msgs = " | ".join("%s %s" % (r.get("log", {}).get("file", {}).get("path"), r["message"]) for r in errs)
assert any("broken.yar" in r["log"]["file"]["path"] and "line 5" in r["message"] for r in errs), msgs
assert any("filename-iocs.txt" in r["log"]["file"]["path"] and "line 7" in r["message"] for r in errs), msgs
print("packs OK:", len(alerts), "alerts,", len(errs), "pack errors")
PYEOF
# a YARA source file named directly, and a compiled rule file
cp "$WS_TMP/sb/yara/strings.yar" "$WS_TMP/one.yar"
"$WS" scan -q --no-default-pack --pack "$WS_TMP/one.yar" "$T" | grep -q Evil_String || fail "single .yar pack"
if command -v yarac >/dev/null; then
    yarac "$WS_TMP/one.yar" "$WS_TMP/one.yarc" && \
    "$WS" scan -q --no-default-pack --pack "$WS_TMP/one.yarc" "$T" | grep -q Evil_String || fail "compiled rules pack"
fi
# pack check: problems listed, exit 2
"$WS" pack check "$WS_TMP/sb" > "$WS_TMP/check.txt"; rc=$?
[ $rc -eq 2 ] || fail "pack check exit $rc, expected 2"
grep -q "broken.yar" "$WS_TMP/check.txt" || fail "pack check does not name the broken file"
# pack show lists the built-in pack with its counts
"$WS" pack show > "$WS_TMP/show.txt" || fail "pack show"
grep -q "MD5 33" "$WS_TMP/show.txt" || fail "pack show: 33 MD5s"
grep -q "Kwampirs_RSA_Public_Key" "$WS_TMP/show.txt" || fail "pack show: YARA rules"
pass

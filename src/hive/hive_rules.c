/*
 * hive_rules.c - what makes a service or Run value suspicious.
 *
 * Pure string tests over values decoded from a hive (see hive_rules.h). The
 * indicator strings and the list of genuine binaries kept in the Windows
 * folder are static const tables below; docs/internals/hive.md explains each.
 *
 * Image paths are looked at in a normalised copy: ASCII lowercase, '/' as
 * '\', and the executable split from its arguments (quoted path, or up to
 * the first ".exe" followed by a blank, or up to the first blank). The
 * location prefixes Windows writes for the Windows folder (%SystemRoot%,
 * %windir%, \SystemRoot, X:\Windows, X:\WINNT, each possibly behind \??\ or
 * \\?\) all mean "the Windows folder".
 */
#include "core/compat.h"

#include <string.h>

#include "core/limits.h"
#include "hive/hive_rules.h"
#include "wormsign/finding.h"

/* ---- indicator tables ---- */

/* FACTS.md 1.1 (Greenbone NASL, MITRE S0236, NVISO Sigma). */
static const char kw_service_name[] = "wmiapsrvex";
static const char kw_display[] = "wmi performance adapter extension";
static const char kw_image[] = "controltrace -embedding -k";

/* FACTS.md 1.3: the five payload DLLs and the fourteen dropper EXE names. */
static const char *const kw_files[] = {
    "wmiadrv.dll",   "wmipadp.dll",   "wmiassn.dll",    "wmipdpa.dll",    "wmiamgmt.dll",
    "wmiaprvse.exe", "wmiapsrve.exe", "wmiapsvrce.exe", "wmiapsrvce.exe", "wmiapsrvex.exe",
    "wmiapsvre.exe", "wmiapvsre.exe", "wmipsvrce.exe",  "wmipvsre.exe",   "wmipsrvce.exe",
    "wmiprvse.exe",  "wmipsvre.exe",  "wmiapsrvux.exe", "wmiapsrvcx.exe",
};

/* Genuine binaries Windows (or a common admin tool) keeps directly in the
 * Windows folder; a service image there is not by itself a trace. Sysmon
 * installs its service as %windir%\Sysmon[64].exe and its driver as
 * %windir%\SysmonDrv.sys. Keep this list short: every entry is a name an
 * attacker could borrow. */
static const char *const windir_known[] = {
    "explorer.exe", "regedit.exe", "hh.exe",       "notepad.exe",  "winhlp32.exe",
    "write.exe",    "bfsvc.exe",   "splwow64.exe", "helppane.exe", "twunk_16.exe",
    "twunk_32.exe", "winhelp.exe", "sysmon.exe",   "sysmon64.exe", "sysmondrv.sys",
};

/* Prefixes naming the Windows folder, matched after \??\ or \\?\ is removed.
 * "*:" stands for any drive letter. */
static const char *const windir_prefixes[] = {
    "%systemroot%\\", "%windir%\\", "\\systemroot\\", "*:\\windows\\", "*:\\winnt\\",
};

/* ---- small string helpers ---- */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive: does (s, n) equal the lowercase NUL-terminated lit? */
static int ci_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lit[i])
            return 0;
    return 1;
}

/* Case-insensitive search of the lowercase lit in (s, n); offset or SIZE_MAX. */
static size_t ci_find(const char *s, size_t n, const char *lit, size_t from)
{
    size_t m = strlen(lit);
    if (m == 0 || m > n)
        return SIZE_MAX;
    for (size_t i = from; i <= n - m; i++) {
        size_t j = 0;
        while (j < m && lower(s[i + j]) == lit[j])
            j++;
        if (j == m)
            return i;
    }
    return SIZE_MAX;
}

/* Does (s, n) start with the lowercase pattern pat ('*' = any letter)? */
static int has_prefix(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++) {
        char c = lower(s[i]);
        if (pat[i] == '*') {
            if (c < 'a' || c > 'z')
                return 0;
        } else if (c != pat[i]) {
            return 0;
        }
    }
    return 1;
}

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (ci_eq(s, n, list[i]))
            return 1;
    return 0;
}

/* ---- Kwampirs ---- */

static int name_sep_before(char c)
{
    return c == '\\' || c == '/' || c == '"' || c == '\'' || c == ' ' || c == ',' || c == '=' ||
           c == ':' || c == '\t';
}

static int name_sep_after(char c)
{
    return c == '"' || c == '\'' || c == ' ' || c == ',' || c == ';' || c == '\t';
}

const char *ws_hive_kwampirs_file(const char *s, size_t len)
{
    for (size_t k = 0; k < WS_ARRAY_LEN(kw_files); k++) {
        const char *name = kw_files[k];
        size_t m = strlen(name);
        size_t at = 0;
        /* each pass moves at forward by at least one byte */
        while ((at = ci_find(s, len, name, at)) != SIZE_MAX) {
            size_t end = at + m;
            int ok =
                (at == 0 || name_sep_before(s[at - 1])) && (end == len || name_sep_after(s[end]));
            if (ok && strcmp(name, "wmiprvse.exe") == 0 && at >= 6 &&
                ci_eq(s + at - 6, 6, "\\wbem\\"))
                ok = 0;
            if (ok)
                return name;
            at++;
        }
    }
    return NULL;
}

unsigned ws_hive_kwampirs_service(const char *name, size_t name_len, const char *display,
                                  size_t display_len, const char *image, size_t image_len)
{
    unsigned f = 0;
    if (name && ci_eq(name, name_len, kw_service_name))
        f |= WS_HIVE_KW_NAME;
    if (display && ci_find(display, display_len, kw_display, 0) != SIZE_MAX)
        f |= WS_HIVE_KW_DISPLAY;
    if (image && ci_find(image, image_len, kw_image, 0) != SIZE_MAX)
        f |= WS_HIVE_KW_IMAGE;
    if (image && ws_hive_kwampirs_file(image, image_len))
        f |= WS_HIVE_KW_FILE;
    return f;
}

int ws_hive_kwampirs_severity(unsigned kw_flags)
{
    int n = 0;
    for (unsigned b = kw_flags; b; b &= b - 1)
        n++;
    return n >= 3 ? 100 : n == 2 ? 90 : n == 1 ? 75 : 0;
}

/* ---- generic lateral movement ---- */

/* Normalised copy of (s, n) into tmp: lowercase, '/' -> '\\', and runs of
 * '\\' after the first two bytes collapsed to one (Windows reads
 * "%SystemRoot%\\\\X.exe" as "%SystemRoot%\\X.exe"; the first two stay for
 * UNC and \\?\\ prefixes). */
static ws_status normalise(const char *s, size_t n, struct ws_buf *tmp)
{
    ws_buf_reset(tmp);
    if (n == 0)
        return WS_OK;
    char *p;
    ws_status st = ws_buf_reserve(tmp, n, &p);
    if (st != WS_OK)
        return st;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '/' ? '\\' : lower(s[i]);
        if (c == '\\' && o >= 2 && p[o - 1] == '\\')
            continue;
        p[o++] = c;
    }
    tmp->len = o;
    tmp->data[o] = '\0';
    return WS_OK;
}

/* Split a command (s, n) into its program (*prog, *plen) and the rest. */
static void split_command(const char *s, size_t n, const char **prog, size_t *plen,
                          const char **rest, size_t *rlen)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    s += i;
    n -= i;
    size_t end;
    if (n > 0 && s[0] == '"') {
        const char *q = memchr(s + 1, '"', n - 1);
        end = q ? (size_t)(q - s) : n;
        *prog = s + 1;
        *plen = end > 0 ? end - 1 : 0;
        end = q ? end + 1 : n;
    } else {
        size_t at = 0, x;
        int found = 0;
        /* the first ".exe" followed by a blank or the end closes the program;
         * each pass moves at forward */
        while (!found && (x = ci_find(s, n, ".exe", at)) != SIZE_MAX) {
            found = x + 4 == n || s[x + 4] == ' ' || s[x + 4] == '\t';
            end = x + 4;
            at = x + 1;
        }
        if (!found) {
            const char *sp = memchr(s, ' ', n);
            end = sp ? (size_t)(sp - s) : n;
        }
        *prog = s;
        *plen = end;
    }
    *rest = s + end;
    *rlen = n - end;
}

enum where { W_OTHER, W_WINDIR_ROOT, W_TEMP, W_SHARE, W_WINDIR_KNOWN };

/* Where does a (normalised, lowercase) path point? */
static enum where locate(const char *p, size_t n)
{
    if (has_prefix(p, n, "\\??\\unc\\") || has_prefix(p, n, "\\\\?\\unc\\"))
        return W_SHARE;
    if (has_prefix(p, n, "\\??\\") || has_prefix(p, n, "\\\\?\\")) {
        p += 4;
        n -= 4;
    }
    if (has_prefix(p, n, "\\\\") || ci_find(p, n, "admin$", 0) != SIZE_MAX)
        return W_SHARE;
    for (size_t k = 0; k < WS_ARRAY_LEN(windir_prefixes); k++) {
        size_t m = strlen(windir_prefixes[k]);
        if (!has_prefix(p, n, windir_prefixes[k]))
            continue;
        const char *r = p + m;
        size_t rn = n - m;
        if (rn > 0 && !memchr(r, '\\', rn))
            return in_list(r, rn, windir_known, WS_ARRAY_LEN(windir_known)) ? W_WINDIR_KNOWN
                                                                            : W_WINDIR_ROOT;
        if (has_prefix(r, rn, "temp\\"))
            return W_TEMP;
        return W_OTHER;
    }
    if (has_prefix(p, n, "%temp%\\") || has_prefix(p, n, "%tmp%\\") ||
        ci_find(p, n, "\\temp\\", 0) != SIZE_MAX)
        return W_TEMP;
    return W_OTHER;
}

static unsigned where_flag(enum where w)
{
    switch (w) {
    case W_WINDIR_ROOT:
        return WS_HIVE_LM_WINDIR;
    case W_TEMP:
        return WS_HIVE_LM_TEMP;
    case W_SHARE:
        return WS_HIVE_LM_SHARE;
    case W_OTHER:
    case W_WINDIR_KNOWN:
        break;
    }
    return 0;
}

static const char *basename_of(const char *p, size_t n, size_t *bn)
{
    size_t i = n;
    while (i > 0 && p[i - 1] != '\\')
        i--;
    *bn = n - i;
    return p + i;
}

/* Does the argument string hold the switch sw ("/c") as a word of its own? */
static int has_switch(const char *a, size_t n, const char *sw)
{
    size_t at = 0, x;
    size_t m = strlen(sw);
    while ((x = ci_find(a, n, sw, at)) != SIZE_MAX) {
        int before = x == 0 || a[x - 1] == ' ' || a[x - 1] == '\t' || a[x - 1] == '"';
        int after = x + m == n || a[x + m] == ' ' || a[x + m] == '\t' || a[x + m] == '"';
        if (before && after)
            return 1;
        at = x + 1;
    }
    return 0;
}

ws_status ws_hive_image_classify(const char *image, size_t len, struct ws_buf *tmp, unsigned *flags)
{
    ws_status st = normalise(image, len, tmp);
    if (st != WS_OK)
        return st;
    const char *s = tmp->data;
    size_t n = tmp->len;
    const char *prog, *rest;
    size_t plen, rlen;
    split_command(s, n, &prog, &plen, &rest, &rlen);

    unsigned f = where_flag(locate(prog, plen));
    size_t bn;
    const char *base = basename_of(prog, plen, &bn);
    /* normalise() turned the switch character '/' into '\\' */
    if (((ci_eq(base, bn, "cmd.exe") || ci_eq(base, bn, "cmd")) &&
         (has_switch(rest, rlen, "\\c") || has_switch(rest, rlen, "\\k"))) ||
        has_prefix(prog, plen, "%comspec%"))
        f |= WS_HIVE_LM_CMD;
    if (ci_find(s, n, "powershell", 0) != SIZE_MAX || ci_eq(base, bn, "pwsh.exe") ||
        ci_eq(base, bn, "pwsh"))
        f |= WS_HIVE_LM_POWERSHELL;
    if (ci_eq(base, bn, "rundll32.exe") || ci_eq(base, bn, "rundll32")) {
        /* the DLL is the first argument, up to the ',' before the entry point */
        size_t i = 0;
        while (i < rlen && (rest[i] == ' ' || rest[i] == '\t'))
            i++;
        const char *d = rest + i;
        size_t dn = rlen - i;
        if (dn > 0 && d[0] == '"') {
            const char *q = memchr(d + 1, '"', dn - 1);
            dn = q ? (size_t)(q - d) - 1 : dn - 1;
            d++;
        } else {
            size_t j = 0;
            while (j < dn && d[j] != ',' && d[j] != ' ' && d[j] != '\t')
                j++;
            dn = j;
        }
        const char *comma = memchr(d, ',', dn);
        if (comma)
            dn = (size_t)(comma - d);
        enum where w = locate(d, dn);
        if (w == W_WINDIR_ROOT || w == W_TEMP || w == W_SHARE)
            f |= WS_HIVE_LM_RUNDLL32;
    }
    *flags = f;
    return WS_OK;
}

/* ---- names and conversions ---- */

static ws_status flag_names(unsigned flags, const char *const *names, size_t count,
                            struct ws_buf *out)
{
    int first = 1;
    for (size_t i = 0; i < count; i++) {
        if (!(flags & (1u << i)))
            continue;
        ws_status st = first ? WS_OK : ws_buf_addc(out, ',');
        if (st == WS_OK)
            st = ws_buf_adds(out, names[i]);
        if (st != WS_OK)
            return st;
        first = 0;
    }
    return WS_OK;
}

ws_status ws_hive_kw_names(unsigned kw_flags, struct ws_buf *out)
{
    static const char *const names[] = {"service_name", "display_name", "image_path", "file_name"};
    return flag_names(kw_flags, names, WS_ARRAY_LEN(names), out);
}

ws_status ws_hive_lm_names(unsigned lm_flags, struct ws_buf *out)
{
    static const char *const names[] = {"windows_root", "temp_folder", "network_share",
                                        "cmd_shell",    "powershell",  "rundll32_dll"};
    return flag_names(lm_flags, names, WS_ARRAY_LEN(names), out);
}

const char *ws_hive_start_name(uint32_t start)
{
    static const char *const names[] = {"boot", "system", "auto", "demand", "disabled"};
    return start < WS_ARRAY_LEN(names) ? names[start] : "unknown";
}

static ws_status put_cp(struct ws_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return ws_buf_add(out, b, n);
}

ws_status ws_hive_utf16_to_utf8(const uint8_t *p, size_t n, struct ws_buf *out)
{
    size_t units = n / 2;
    /* each pass consumes one or two code units */
    for (size_t i = 0; i < units; i++) {
        uint32_t u = (uint32_t)p[2 * i] | ((uint32_t)p[2 * i + 1] << 8);
        if (u == 0)
            break;
        uint32_t cp = u;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            uint32_t v = (uint32_t)p[2 * i + 2] | ((uint32_t)p[2 * i + 3] << 8);
            if (v >= 0xDC00 && v <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
                i++;
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        ws_status st = put_cp(out, cp);
        if (st != WS_OK)
            return st;
    }
    return WS_OK;
}

int64_t ws_hive_filetime_to_unix(uint64_t ft)
{
    /* 11644473600 s between 1601-01-01 and 1970-01-01; ft / 1e7 < 2^61 fits. */
    if (ft == 0)
        return WS_TIME_UNKNOWN;
    return (int64_t)(ft / 10000000u) - INT64_C(11644473600);
}

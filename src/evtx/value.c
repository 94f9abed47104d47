/*
 * value.c - rendering BinXML values to UTF-8 text.
 *
 * The text of each type follows python-evtx (Evtx/Nodes.py, *TypeNode.string)
 * because the differential test compares our fields with its XML:
 *   strings      UTF-16LE decoded, trailing NULs stripped
 *   integers     decimal; bool "True"/"False" (int32 > 0 is true)
 *   float/double Python repr() (shortest round-trip digits)
 *   binary       base64
 *   GUID         "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" lowercase
 *   SID          "S-r-a-s1-s2..." (48-bit big-endian authority)
 *   hex32/hex64  "0x" + 8 / 16 lowercase digits
 *   FILETIME     Python datetime.utcfromtimestamp(...).isoformat(' '),
 *                its double arithmetic and half-even rounding replicated
 *   string array "<string>s</string>\n" per element (python-evtx's form)
 * Deliberate differences (python-evtx is wrong or raises): SYSTEMTIME
 * milliseconds are rendered as milliseconds (python-evtx passes them as
 * microseconds), arrays of non-string types are joined with ", " (python-evtx
 * raises), broken UTF-16 becomes U+FFFD (python-evtx raises).
 *
 * Nothing here fails on odd input: a value shorter than its type renders as
 * "". The only failures are the output buffer's cap and allocation.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx/value.h"
#include "wormsign/evtx.h"

/* ---- UTF-16 ---- */

static size_t put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

ws_status ws_utf16le_to_utf8(struct ws_buf *out, const uint8_t *p, size_t nbytes)
{
    size_t units = nbytes / 2;
    size_t need;
    char *o;
    ws_status st;
    /* at most 3 UTF-8 bytes per UTF-16 unit (a pair gives 4 for 2 units) */
    if ((st = ws_mul_size(units, 3, &need)) != WS_OK)
        return st;
    if ((st = ws_buf_reserve(out, need, &o)) != WS_OK)
        return st;
    size_t w = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t u = (uint32_t)p[2 * i] | ((uint32_t)p[2 * i + 1] << 8);
        if (u < 0x80) {
            o[w++] = (char)u;
            continue;
        }
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            uint32_t l = (uint32_t)p[2 * i + 2] | ((uint32_t)p[2 * i + 3] << 8);
            if (l >= 0xDC00 && l <= 0xDFFF) {
                w += put_utf8(0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00), o + w);
                i++;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        w += put_utf8(u, o + w);
    }
    out->len += w;
    out->data[out->len] = '\0';
    return WS_OK;
}

/* UTF-16 string value: python decodes (a little-endian BOM is consumed) and
 * strips trailing U+0000. */
static ws_status render_wstring(struct ws_buf *out, const uint8_t *p, size_t n)
{
    n &= ~(size_t)1;
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        p += 2;
        n -= 2;
    }
    while (n >= 2 && p[n - 1] == 0 && p[n - 2] == 0)
        n -= 2;
    return ws_utf16le_to_utf8(out, p, n);
}

/* 8-bit string: bytes < 0x80 as is, others as Latin-1 (python-evtx decodes
 * ASCII and raises on the rest); trailing NULs stripped. */
static ws_status render_string(struct ws_buf *out, const uint8_t *p, size_t n)
{
    while (n > 0 && p[n - 1] == 0)
        n--;
    ws_status st = WS_OK;
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        char u[2];
        size_t k = put_utf8(p[i], u);
        st = ws_buf_add(out, u, k);
    }
    return st;
}

/* ---- little-endian loads (lengths checked by the callers) ---- */

static uint16_t ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | ((uint64_t)ld32(p + 4) << 32);
}

/* ---- numbers ---- */

/* Decimal and hex without printf: integers are most of the values. */
static ws_status put_u64(struct ws_buf *out, uint64_t v)
{
    char t[24];
    size_t i = sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return ws_buf_add(out, t + i, sizeof t - i);
}

static ws_status put_i64(struct ws_buf *out, int64_t v)
{
    if (v >= 0)
        return put_u64(out, (uint64_t)v);
    ws_status st = ws_buf_addc(out, '-');
    return st == WS_OK ? put_u64(out, (uint64_t)0 - (uint64_t)v) : st;
}

/* "0x" and exactly digits lowercase hex digits */
static ws_status put_hex(struct ws_buf *out, uint64_t v, int digits)
{
    static const char hx[] = "0123456789abcdef";
    char t[18];
    t[0] = '0';
    t[1] = 'x';
    for (int i = digits - 1; i >= 0; i--) {
        t[2 + i] = hx[v & 15];
        v >>= 4;
    }
    return ws_buf_add(out, t, (size_t)digits + 2);
}

/* Python repr() of a double: the shortest digits that read back to x, in
 * fixed notation when the decimal exponent is in (-4, 16], else "de+XX". */
static ws_status render_double(struct ws_buf *out, double x)
{
    if (isnan(x))
        return ws_buf_adds(out, "nan");
    if (isinf(x))
        return ws_buf_adds(out, x < 0 ? "-inf" : "inf");
    if (x == 0)
        return ws_buf_adds(out, signbit(x) ? "-0.0" : "0.0");
    char e[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, x);
        if (strtod(e, NULL) == x)
            break;
    }
    /* e is "[-]d[.ddd]e[+-]XX" */
    char digits[24];
    size_t nd = 0;
    const char *s = e;
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && nd < sizeof digits)
            digits[nd++] = *s;
    int exp = 0, esign = 1;
    if (*s == 'e') {
        s++;
        if (*s == '-')
            esign = -1;
        if (*s == '+' || *s == '-')
            s++;
        for (; *s >= '0' && *s <= '9'; s++)
            exp = exp * 10 + (*s - '0');
    }
    exp *= esign;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int decpt = exp + 1;
    char o[64];
    size_t w = 0;
    if (neg)
        o[w++] = '-';
    if (decpt <= -4 || decpt > 16) {
        o[w++] = digits[0];
        if (nd > 1) {
            o[w++] = '.';
            for (size_t i = 1; i < nd; i++)
                o[w++] = digits[i];
        }
        w += (size_t)snprintf(o + w, sizeof o - w, "e%c%02d", exp < 0 ? '-' : '+',
                              exp < 0 ? -exp : exp);
    } else if (decpt <= 0) {
        o[w++] = '0';
        o[w++] = '.';
        for (int i = 0; i < -decpt; i++)
            o[w++] = '0';
        for (size_t i = 0; i < nd; i++)
            o[w++] = digits[i];
    } else {
        size_t dp = (size_t)decpt;
        for (size_t i = 0; i < nd || i < dp; i++) {
            if (i == dp)
                o[w++] = '.';
            o[w++] = i < nd ? digits[i] : '0';
        }
        if (dp >= nd) {
            o[w++] = '.';
            o[w++] = '0';
        }
    }
    return ws_buf_add(out, o, w);
}

/* ---- time ---- */

void ws_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    /* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* v as exactly width decimal digits (zero-padded) at t. */
static size_t put_digits(char *t, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        t[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return (size_t)width;
}

/* "YYYY-MM-DD?HH:MM:SS" (19 bytes) for a year in 0..9999 and seconds of day. */
static size_t put_date(char *t, int64_t y, unsigned mo, unsigned d, char sep, int64_t sod)
{
    size_t w = put_digits(t, (uint64_t)y, 4);
    t[w++] = '-';
    w += put_digits(t + w, mo, 2);
    t[w++] = '-';
    w += put_digits(t + w, d, 2);
    t[w++] = sep;
    w += put_digits(t + w, (uint64_t)(sod / 3600), 2);
    t[w++] = ':';
    w += put_digits(t + w, (uint64_t)(sod / 60 % 60), 2);
    t[w++] = ':';
    w += put_digits(t + w, (uint64_t)(sod % 60), 2);
    return w;
}

/* _PyTime_Round(x, HALF_EVEN) */
static double round_half_even(double x)
{
    double r = round(x);
    if (fabs(x - r) == 0.5)
        r = 2.0 * round(x / 2.0);
    return r;
}

size_t ws_bx_filetime_py(uint64_t ft, char *out, size_t n)
{
    /* float(qword) * 1e-7 - 11644473600, evaluated in doubles step by step
     * (volatile keeps the compiler from fusing the multiply and subtract). */
    volatile double prod = (double)ft * 1e-7;
    double ts = prod - 11644473600.0;
    /* _PyTime_DoubleToDenominator(ts, 1e6, ROUND_HALF_EVEN) */
    double intpart;
    double frac = modf(ts, &intpart);
    frac = round_half_even(frac * 1e6);
    if (frac >= 1e6) {
        frac -= 1e6;
        intpart += 1.0;
    } else if (frac < 0) {
        frac += 1e6;
        intpart -= 1.0;
    }
    /* 2^64 * 1e-7 s is ~5.8e4 years: intpart fits int64 */
    int64_t secs = (int64_t)intpart;
    long us = (long)frac;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    ws_civil_from_days(days, &y, &mo, &d);
    if (y < 1 || y > 9999) {
        y = 1;
        mo = d = 1;
        rem = 0;
        us = 0;
    }
    char t[32];
    size_t w = put_date(t, y, mo, d, ' ', rem);
    if (us != 0) {
        t[w++] = '.';
        w += put_digits(t + w, (uint64_t)us, 6);
    }
    if (n == 0)
        return 0;
    if (w >= n)
        w = n - 1;
    memcpy(out, t, w);
    out[w] = '\0';
    return w;
}

static ws_status render_systemtime(struct ws_buf *out, const uint8_t *p)
{
    unsigned y = ld16(p), mo = ld16(p + 2), d = ld16(p + 6), h = ld16(p + 8), mi = ld16(p + 10),
             s = ld16(p + 12), ms = ld16(p + 14);
    if (ms)
        return ws_buf_addf(out, "%04u-%02u-%02u %02u:%02u:%02u.%03u000", y, mo, d, h, mi, s, ms);
    return ws_buf_addf(out, "%04u-%02u-%02u %02u:%02u:%02u", y, mo, d, h, mi, s);
}

/* ---- the rest ---- */

static ws_status render_base64(struct ws_buf *out, const uint8_t *p, size_t n)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t need;
    char *o;
    ws_status st;
    if ((st = ws_mul_size((n + 2) / 3, 4, &need)) != WS_OK)
        return st;
    if ((st = ws_buf_reserve(out, need, &o)) != WS_OK)
        return st;
    size_t w = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) | p[i + 2];
        o[w++] = al[v >> 18];
        o[w++] = al[(v >> 12) & 63];
        o[w++] = al[(v >> 6) & 63];
        o[w++] = al[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        o[w++] = al[v >> 18];
        o[w++] = al[(v >> 12) & 63];
        o[w++] = '=';
        o[w++] = '=';
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8);
        o[w++] = al[v >> 18];
        o[w++] = al[(v >> 12) & 63];
        o[w++] = al[(v >> 6) & 63];
        o[w++] = '=';
    }
    out->len += w;
    out->data[out->len] = '\0';
    return WS_OK;
}

static ws_status render_guid(struct ws_buf *out, const uint8_t *h)
{
    static const char hx[] = "0123456789abcdef";
    /* Data1..Data3 little-endian, Data4 in byte order */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char t[38];
    size_t w = 0;
    t[w++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            t[w++] = '-';
        t[w++] = hx[h[order[i]] >> 4];
        t[w++] = hx[h[order[i]] & 15];
    }
    t[w++] = '}';
    return ws_buf_add(out, t, w);
}

/* Bytes a SID at p occupies (8 + 4 * sub-authority count), capped by n. */
static size_t sid_len(const uint8_t *p, size_t n)
{
    if (n < 8)
        return n;
    size_t want = 8 + 4 * (size_t)p[1];
    return want < n ? want : n;
}

static ws_status render_sid(struct ws_buf *out, const uint8_t *p, size_t n)
{
    if (n < 8)
        return WS_OK;
    uint64_t auth = ((uint64_t)p[2] << 40) | ((uint64_t)p[3] << 32) | ((uint64_t)p[4] << 24) |
                    ((uint64_t)p[5] << 16) | ((uint64_t)p[6] << 8) | p[7];
    ws_status st = ws_buf_add(out, "S-", 2);
    if (st == WS_OK)
        st = put_u64(out, p[0]);
    if (st == WS_OK)
        st = ws_buf_addc(out, '-');
    if (st == WS_OK)
        st = put_u64(out, auth);
    size_t count = p[1];
    for (size_t i = 0; i < count && st == WS_OK && 8 + 4 * i + 4 <= n; i++) {
        st = ws_buf_addc(out, '-');
        if (st == WS_OK)
            st = put_u64(out, ld32(p + 8 + 4 * i));
    }
    return st;
}

/* Fixed size of a scalar type, 0 if variable or unknown. */
static size_t fixed_size(uint8_t t)
{
    switch (t) {
    case WS_BX_INT8:
    case WS_BX_UINT8:
        return 1;
    case WS_BX_INT16:
    case WS_BX_UINT16:
        return 2;
    case WS_BX_INT32:
    case WS_BX_UINT32:
    case WS_BX_FLOAT:
    case WS_BX_BOOL:
    case WS_BX_HEX32:
        return 4;
    case WS_BX_INT64:
    case WS_BX_UINT64:
    case WS_BX_DOUBLE:
    case WS_BX_FILETIME:
    case WS_BX_HEX64:
    case WS_BX_SIZE:
    case WS_BX_EVTHANDLE:
        return 8;
    case WS_BX_GUID:
    case WS_BX_SYSTEMTIME:
        return 16;
    default:
        return 0;
    }
}

static ws_status render_scalar(struct ws_buf *out, uint8_t t, const uint8_t *p, size_t n)
{
    size_t fs = fixed_size(t);
    if (fs && n < fs && !(t == WS_BX_SIZE && n == 4))
        return WS_OK; /* short value: "" */
    char tmp[48];
    switch (t) {
    case WS_BX_NULL:
        return WS_OK;
    case WS_BX_WSTRING:
        return render_wstring(out, p, n);
    case WS_BX_STRING:
        return render_string(out, p, n);
    case WS_BX_UTF8:
        return ws_buf_add(out, p, n);
    case WS_BX_INT8:
        return put_i64(out, (int8_t)p[0]);
    case WS_BX_UINT8:
        return put_u64(out, p[0]);
    case WS_BX_INT16:
        return put_i64(out, (int16_t)ld16(p));
    case WS_BX_UINT16:
        return put_u64(out, ld16(p));
    case WS_BX_INT32:
        return put_i64(out, (int32_t)ld32(p));
    case WS_BX_UINT32:
        return put_u64(out, ld32(p));
    case WS_BX_INT64:
        return put_i64(out, (int64_t)ld64(p));
    case WS_BX_UINT64:
        return put_u64(out, ld64(p));
    case WS_BX_SIZE:
        return put_u64(out, n == 4 ? (uint64_t)ld32(p) : ld64(p));
    case WS_BX_FLOAT: {
        uint32_t bits = ld32(p);
        float f;
        memcpy(&f, &bits, sizeof f);
        return render_double(out, (double)f);
    }
    case WS_BX_DOUBLE: {
        uint64_t bits = ld64(p);
        double d;
        memcpy(&d, &bits, sizeof d);
        return render_double(out, d);
    }
    case WS_BX_BOOL:
        return ws_buf_adds(out, (int32_t)ld32(p) > 0 ? "True" : "False");
    case WS_BX_BINARY:
        return render_base64(out, p, n);
    case WS_BX_GUID:
        return render_guid(out, p);
    case WS_BX_FILETIME: {
        size_t k = ws_bx_filetime_py(ld64(p), tmp, sizeof tmp);
        return ws_buf_add(out, tmp, k);
    }
    case WS_BX_SYSTEMTIME:
        return render_systemtime(out, p);
    case WS_BX_SID:
        return render_sid(out, p, n);
    case WS_BX_HEX32:
        return put_hex(out, ld32(p), 8);
    case WS_BX_HEX64:
        return put_hex(out, ld64(p), 16);
    case WS_BX_EVTHANDLE:
        return put_u64(out, ld64(p));
    case WS_BX_BINXML:
        return WS_OK; /* the walker descends into it */
    case WS_BX_EVTXML:
        return render_wstring(out, p, n);
    default:
        return render_base64(out, p, n); /* unknown type: keep the bytes */
    }
}

/* Array of UTF-16 strings, python-evtx's rendering: each NUL-terminated
 * element as "<string>s</string>\n"; a final unterminated element counts. */
static ws_status render_wstring_array(struct ws_buf *out, const uint8_t *p, size_t n)
{
    n &= ~(size_t)1;
    ws_status st = WS_OK;
    size_t start = 0;
    for (size_t i = 0; i <= n && st == WS_OK; i += 2) {
        int end = i == n || (p[i] == 0 && p[i + 1] == 0);
        if (!end)
            continue;
        if (i == n && i == start)
            break; /* nothing after the last terminator */
        st = ws_buf_adds(out, "<string>");
        if (st == WS_OK)
            st = ws_utf16le_to_utf8(out, p + start, i - start);
        if (st == WS_OK)
            st = ws_buf_adds(out, "</string>\n");
        start = i + 2;
    }
    return st;
}

static ws_status render_array(struct ws_buf *out, uint8_t base, const uint8_t *p, size_t n)
{
    if (base == WS_BX_WSTRING)
        return render_wstring_array(out, p, n);
    ws_status st = WS_OK;
    size_t off = 0, count = 0;
    while (off < n && st == WS_OK) {
        size_t len = fixed_size(base);
        if (base == WS_BX_SID) {
            len = sid_len(p + off, n - off);
        } else if (base == WS_BX_STRING) {
            len = 0;
            while (off + len < n && p[off + len] != 0)
                len++;
        } else if (len == 0 || len > n - off) {
            break; /* variable or unknown element type, or a short tail */
        }
        if (count++ > 0)
            st = ws_buf_adds(out, ", ");
        if (st == WS_OK)
            st = render_scalar(out, base, p + off, len);
        off += len + (base == WS_BX_STRING); /* skip the NUL */
        if (len == 0 && base != WS_BX_STRING)
            break;
    }
    return st;
}

ws_status ws_bx_render(struct ws_buf *out, const struct ws_bx_value *v)
{
    if (v->type != WS_BX_UTF8 && (v->type & WS_BX_ARRAY))
        return render_array(out, (uint8_t)(v->type & 0x7F), v->p, v->n);
    return render_scalar(out, v->type, v->p, v->n);
}

/* ---- public time helpers (wormsign/evtx.h) ---- */

/* 100 ns intervals from 1601-01-01 to 1970-01-01 */
#define EPOCH_DIFF_100NS 116444736000000000ull

int64_t ws_evtx_filetime_unix(uint64_t ft)
{
    uint64_t secs = ft / 10000000u; /* < 2^64 / 1e7: fits int64 */
    return (int64_t)secs - (int64_t)(EPOCH_DIFF_100NS / 10000000u);
}

size_t ws_evtx_filetime_iso(uint64_t ft, char *out, size_t n)
{
    int64_t secs = ws_evtx_filetime_unix(ft);
    unsigned frac = (unsigned)(ft % 10000000u);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    ws_civil_from_days(days, &y, &mo, &d);
    /* FILETIME spans 1601..60056: the year always has 4 or 5 digits */
    char t[40];
    size_t w = 0;
    if (y > 9999) {
        t[w++] = (char)('0' + y / 10000);
        y %= 10000;
    }
    w += put_date(t + w, y, mo, d, 'T', rem);
    t[w++] = '.';
    w += put_digits(t + w, frac, 7);
    t[w++] = 'Z';
    if (n == 0)
        return 0;
    if (w >= n)
        w = n - 1;
    memcpy(out, t, w);
    out[w] = '\0';
    return w;
}

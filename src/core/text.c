/*
 * text.c - escaping of evidence text for each sink, hex, and number parsing.
 *
 * UTF-8 validation follows RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF.
 */
#include "core/compat.h"

#include <string.h>

#include "core/text.h"

size_t ws_utf8_seq_len(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t min, cp;
    if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int ws_text_is_utf8(const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i = 0;
    while (i < n) {
        size_t l = ws_utf8_seq_len(s + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

static const char hexdig[] = "0123456789abcdef";

ws_status ws_text_json(struct ws_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    ws_status st = WS_OK;
    size_t i = 0;
    while (i < n && st == WS_OK) {
        /* copy the longest run that needs no escaping in one append */
        size_t run = i;
        while (run < n && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            st = ws_buf_add(b, s + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = s[i];
        if (c >= 0x80) {
            size_t l = ws_utf8_seq_len(s + i, n - i);
            if (l) {
                st = ws_buf_add(b, s + i, l);
                i += l;
            } else {
                st = ws_buf_adds(b, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            }
            continue;
        }
        char esc[7];
        switch (c) {
        case '"':
            st = ws_buf_adds(b, "\\\"");
            break;
        case '\\':
            st = ws_buf_adds(b, "\\\\");
            break;
        case '\n':
            st = ws_buf_adds(b, "\\n");
            break;
        case '\r':
            st = ws_buf_adds(b, "\\r");
            break;
        case '\t':
            st = ws_buf_adds(b, "\\t");
            break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hexdig[c >> 4];
            esc[5] = hexdig[c & 15];
            st = ws_buf_add(b, esc, 6);
        }
        i++;
    }
    return st;
}

ws_status ws_text_human(struct ws_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    ws_status st = WS_OK;
    size_t i = 0;
    while (i < n && st == WS_OK) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7F) {
            st = ws_buf_addc(b, (char)c);
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = ws_utf8_seq_len(s + i, n - i);
            /* C1 controls (U+0080..U+009F) are escaped too: some terminals obey them */
            if (l && !(l == 2 && c == 0xC2 && s[i + 1] < 0xA0)) {
                st = ws_buf_add(b, s + i, l);
                i += l;
                continue;
            }
        }
        char esc[4] = {'\\', 'x', hexdig[c >> 4], hexdig[c & 15]};
        st = ws_buf_add(b, esc, 4);
        i++;
    }
    return st;
}

ws_status ws_text_csv(struct ws_buf *b, const void *p, size_t n)
{
    ws_status st = ws_buf_addc(b, '"');
    size_t start = b->len;
    if (st == WS_OK)
        st = ws_text_human(b, p, n);
    if (st != WS_OK)
        return st;
    /* double every quote written by the human form */
    size_t quotes = 0;
    for (size_t i = start; i < b->len; i++)
        quotes += b->data[i] == '"';
    if (quotes) {
        char *dst;
        size_t oldlen = b->len;
        st = ws_buf_reserve(b, quotes, &dst);
        if (st != WS_OK)
            return st;
        size_t w = oldlen + quotes;
        for (size_t r = oldlen; r-- > start;) {
            b->data[--w] = b->data[r];
            if (b->data[r] == '"')
                b->data[--w] = '"';
        }
        b->len = oldlen + quotes;
        b->data[b->len] = '\0';
    }
    return ws_buf_addc(b, '"');
}

void ws_hex_encode(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdig[p[i] >> 4];
        out[2 * i + 1] = hexdig[p[i] & 15];
    }
    out[2 * n] = '\0';
}

ws_status ws_text_hex(struct ws_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    ws_status st = WS_OK;
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        char h[2] = {hexdig[s[i] >> 4], hexdig[s[i] & 15]};
        st = ws_buf_add(b, h, 2);
    }
    return st;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ws_status ws_hex_decode(const char *hex, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return WS_E_SYNTAX;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return WS_OK;
}

ws_status ws_parse_u64(const char **pp, const char *end, uint64_t max, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    if (p >= end || *p < '0' || *p > '9')
        return WS_E_SYNTAX;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10)
            return WS_E_OVERFLOW;
        v = v * 10 + d;
        p++;
    }
    *out = v;
    *pp = p;
    return WS_OK;
}

size_t ws_path_base_off(const char *path, size_t len)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/' && path[i - 1] != '\\')
        i--;
    return i;
}

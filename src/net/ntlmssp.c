/*
 * ntlmssp.c - the account of an NTLM logon, and wire strings to UTF-8.
 *
 * SMB session setup and authenticated DCE/RPC binds carry an NTLMSSP
 * AUTHENTICATE message, raw or inside SPNEGO (GSS-API DER). Rather than
 * decoding the DER, we look for the NTLMSSP signature with message type 3
 * and decode from there: the message's own offsets are relative to its
 * signature (MS-NLMP 2.2.1.3), and a cursor window over [signature, end of
 * the security blob) keeps every field inside the blob.
 *
 *   off  size  field (MS-NLMP 2.2.1.3 AUTHENTICATE_MESSAGE)
 *     0     8  Signature "NTLMSSP\0"
 *     8     4  MessageType = 3
 *    12     8  LmChallengeResponseFields (Len 2, MaxLen 2, Offset 4)
 *    20     8  NtChallengeResponseFields
 *    28     8  DomainNameFields
 *    36     8  UserNameFields
 *    44     8  WorkstationFields
 *    52     8  EncryptedRandomSessionKeyFields
 *    60     4  NegotiateFlags (bit 0: NTLMSSP_NEGOTIATE_UNICODE)
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/cur.h"
#include "net/net_int.h"

/* Occurrences of the signature examined in one blob before giving up. */
#define MAX_SIG_TRIES 8

ws_status net_utf16_to_utf8(const uint8_t *p, size_t n, char **out)
{
    n &= ~(size_t)1;
    while (n >= 2 && p[n - 2] == 0 && p[n - 1] == 0)
        n -= 2;
    if (n / 2 > WS_NET_MAX_NAME / 3)
        return WS_E_TOO_LARGE;
    char *s = ws_malloc(n / 2 * 3 + 1);
    if (!s)
        return WS_E_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t u = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8);
        if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
            uint32_t lo = (uint32_t)p[i + 2] | ((uint32_t)p[i + 3] << 8);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            } else {
                u = 0xfffd;
            }
        } else if (u >= 0xd800 && u <= 0xdfff) {
            u = 0xfffd;
        }
        /* 3 bytes of output per 2 bytes of input always suffice: a 4-byte
         * sequence consumes a 4-byte surrogate pair. */
        if (u < 0x80) {
            s[o++] = (char)u;
        } else if (u < 0x800) {
            s[o++] = (char)(0xc0 | (u >> 6));
            s[o++] = (char)(0x80 | (u & 0x3f));
        } else if (u < 0x10000) {
            s[o++] = (char)(0xe0 | (u >> 12));
            s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
            s[o++] = (char)(0x80 | (u & 0x3f));
        } else {
            s[o++] = (char)(0xf0 | (u >> 18));
            s[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
            s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
            s[o++] = (char)(0x80 | (u & 0x3f));
        }
    }
    s[o] = '\0';
    *out = s;
    return WS_OK;
}

ws_status net_bytes_dup(const uint8_t *p, size_t n, char **out)
{
    while (n > 0 && p[n - 1] == 0)
        n--;
    if (n > WS_NET_MAX_NAME)
        return WS_E_TOO_LARGE;
    char *s = ws_memdup0(p, n);
    if (!s)
        return WS_E_NOMEM;
    *out = s;
    return WS_OK;
}

/* One (Len, MaxLen, Offset) field, decoded from the window w (whole message). */
static ws_status field_str(const struct ws_cur *w, struct ws_cur *hdr, int unicode, char **out)
{
    uint16_t len, maxlen;
    uint32_t off;
    ws_status st;
    if ((st = ws_cur_le16(hdr, &len)) || (st = ws_cur_le16(hdr, &maxlen)) ||
        (st = ws_cur_le32(hdr, &off)))
        return st;
    if (len == 0) {
        *out = NULL;
        return WS_OK;
    }
    if (len > WS_NET_MAX_ACCOUNT_NAME)
        return WS_E_TOO_LARGE;
    struct ws_cur f;
    if ((st = ws_cur_window(w, off, len, &f)))
        return st;
    return unicode ? net_utf16_to_utf8(ws_cur_ptr(&f), len, out)
                   : net_bytes_dup(ws_cur_ptr(&f), len, out);
}

static ws_status decode_auth(const uint8_t *p, size_t n, struct net_account *out)
{
    struct ws_cur w, h;
    ws_cur_init(&w, p, n);
    uint32_t type, flags;
    ws_status st;
    struct net_account a = {0};
    if ((st = ws_cur_window(&w, 8, 56, &h)) || (st = ws_cur_le32(&h, &type)))
        return st;
    if (type != 3)
        return WS_E_NOT_FOUND;
    struct ws_cur fl;
    if ((st = ws_cur_window(&w, 60, 4, &fl)) || (st = ws_cur_le32(&fl, &flags)))
        return st;
    int uni = flags & 1;
    if ((st = ws_cur_skip(&h, 16)) || (st = field_str(&w, &h, uni, &a.domain)) ||
        (st = field_str(&w, &h, uni, &a.user)) || (st = field_str(&w, &h, uni, &a.workstation))) {
        net_account_release(&a);
        return st;
    }
    *out = a;
    return WS_OK;
}

ws_status ntlmssp_find_auth(const uint8_t *p, size_t n, struct net_account *out)
{
    static const uint8_t sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    size_t off = 0;
    ws_status last = WS_E_NOT_FOUND;
    for (int i = 0; i < MAX_SIG_TRIES && off < n; i++) {
        const uint8_t *hit = memmem(p + off, n - off, sig, sizeof sig);
        if (!hit)
            break;
        size_t at = (size_t)(hit - p);
        ws_status st = decode_auth(hit, n - at, out);
        if (st == WS_OK)
            return WS_OK;
        if (st != WS_E_NOT_FOUND)
            last = st;
        off = at + 1;
    }
    return last;
}

/*
 * ref.c - digest lines: computing one from a file, and parsing one.
 *
 * Parsing is strict: every field is checked for its exact syntax (hex
 * lengths, ssdeep shape, TLSH hex, insertion digest structure) and the size
 * must equal the insertion digest's length, so that a corrupt pack is
 * reported at load time with the field and line, never matched silently.
 */
#include "core/compat.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "core/text.h"
#include "variant/ref.h"

/* ---- formatting --------------------------------------------------------- */

static ws_status hash_hex(const EVP_MD *md, const void *p, size_t n, char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (EVP_Digest(p, n, d, &dl, md, NULL) != 1)
        return WS_E_NOMEM;
    ws_hex_encode(d, dl, out);
    return WS_OK;
}

static ws_status add_name(struct ws_buf *out, const char *name, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    ws_status st = WS_OK;
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c == 0x7F || c == '%') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            st = ws_buf_add(out, e, 3);
        } else {
            st = ws_buf_addc(out, (char)c);
        }
    }
    return st;
}

ws_status ws_variant_ref_format(const void *buf, size_t len, const char *name, size_t name_len,
                                struct ws_buf *out)
{
    ws_status st;
    char md5[33], sha1[41], sha256[65];
    char ss[WS_SSDEEP_MAX + 1] = "-";
    char tl[WS_TLSH_STRLEN + 1] = "-";
    char ins[2 * WS_INSD_STR_MAX + 2] = "-";
    struct ws_tlsh_digest td;
    struct ws_insdigest id;

    WS_TRY(hash_hex(EVP_md5(), buf, len, md5));
    WS_TRY(hash_hex(EVP_sha1(), buf, len, sha1));
    WS_TRY(hash_hex(EVP_sha256(), buf, len, sha256));
    st = ws_ssdeep_buf(buf, len, ss);
    if (st != WS_OK && st != WS_E_UNSUPPORTED)
        goto out;
    if (st != WS_OK)
        memcpy(ss, "-", 2);
    if (ws_tlsh_buf(buf, len, &td) == WS_OK)
        ws_tlsh_format(&td, tl);
    st = ws_insdigest_compute(buf, len, &id);
    if (st == WS_OK) {
        size_t il = ws_insdigest_format(&id, ins);
        /* a PE also gets the digest of its body, after SizeOfHeaders */
        st = ws_insdigest_compute_body(buf, len, &id);
        if (st == WS_OK) {
            ins[il] = ',';
            ws_insdigest_format(&id, ins + il + 1);
        } else if (st != WS_E_UNSUPPORTED && st != WS_E_TOO_LARGE) {
            goto out;
        }
    } else if (st != WS_E_UNSUPPORTED && st != WS_E_TOO_LARGE) {
        goto out;
    }
    WS_TRY(ws_buf_addf(out, "%zu\t%s\t%s\t%s\t%s\t%s\t%s\t", len, md5, sha1, sha256, ss, tl, ins));
    WS_TRY(add_name(out, name, name_len));
    st = WS_OK;
out:
    return st;
}

/* ---- parsing ---------------------------------------------------------- */

enum { F_SIZE, F_MD5, F_SHA1, F_SHA256, F_SSDEEP, F_TLSH, F_INS, F_NAME, NFIELDS };
static const char *const field_names[NFIELDS] = {"size",   "md5",  "sha1",      "sha256",
                                                 "ssdeep", "tlsh", "insertion", "name"};

static int is_sep(char c)
{
    return c == ' ' || c == '\t';
}

static ws_status fail(struct ws_buf *err, ws_status st, int field, const char *msg)
{
    ws_buf_reset(err);
    if (field >= 0 && ws_buf_addf(err, "field %d (%s): ", field + 1, field_names[field]) != WS_OK)
        return st;
    if (ws_buf_adds(err, msg) != WS_OK)
        return st;
    return st;
}

static ws_status parse_hex(const char *s, size_t n, size_t want, char *out)
{
    if (n != want)
        return WS_E_SYNTAX;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return WS_E_SYNTAX;
        out[i] = c;
    }
    out[n] = '\0';
    return WS_OK;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

ws_status ws_variant_ref_parse(const char *line, size_t len, struct ws_variant_ref *ref,
                               struct ws_buf *err)
{
    const char *f[NFIELDS];
    size_t fl[NFIELDS];
    size_t i = 0;
    int nf = 0;

    if (len > WS_MAX_DIGEST_LINE)
        return fail(err, WS_E_TOO_LARGE, -1, "line longer than 65536 bytes");
    while (i < len && is_sep(line[i]))
        i++;
    if (i == len || line[i] == '#')
        return WS_E_NOT_FOUND;
    if (memchr(line, '\0', len))
        return fail(err, WS_E_SYNTAX, -1, "NUL byte in line");
    /* at most NFIELDS + 1 passes, each consuming a field */
    while (i < len) {
        size_t s = i;
        while (i < len && !is_sep(line[i]))
            i++;
        if (nf == NFIELDS)
            return fail(err, WS_E_SYNTAX, -1, "more than 8 fields");
        f[nf] = line + s;
        fl[nf] = i - s;
        nf++;
        while (i < len && is_sep(line[i]))
            i++;
    }
    if (nf < NFIELDS)
        return fail(err, WS_E_SYNTAX, nf, "missing (a line has 8 fields)");

    struct ws_variant_ref r;
    memset(&r, 0, sizeof r);
    const char *p = f[F_SIZE];
    uint64_t size;
    if (ws_parse_u64(&p, f[F_SIZE] + fl[F_SIZE], UINT64_MAX, &size) != WS_OK ||
        p != f[F_SIZE] + fl[F_SIZE])
        return fail(err, WS_E_SYNTAX, F_SIZE, "not a decimal number");
    r.size = size;
    if (parse_hex(f[F_MD5], fl[F_MD5], 32, r.md5) != WS_OK)
        return fail(err, WS_E_SYNTAX, F_MD5, "want 32 hex digits");
    if (parse_hex(f[F_SHA1], fl[F_SHA1], 40, r.sha1) != WS_OK)
        return fail(err, WS_E_SYNTAX, F_SHA1, "want 40 hex digits");
    if (parse_hex(f[F_SHA256], fl[F_SHA256], 64, r.sha256) != WS_OK)
        return fail(err, WS_E_SYNTAX, F_SHA256, "want 64 hex digits");
    if (!(fl[F_SSDEEP] == 1 && f[F_SSDEEP][0] == '-')) {
        if (fl[F_SSDEEP] > WS_SSDEEP_MAX ||
            ws_ssdeep_check(f[F_SSDEEP], fl[F_SSDEEP], &r.ssdeep_bs) != WS_OK)
            return fail(err, WS_E_SYNTAX, F_SSDEEP,
                        "want blocksize:hash:hash (blocksize 3*2^n, base64 hashes) or -");
        memcpy(r.ssdeep, f[F_SSDEEP], fl[F_SSDEEP]);
        r.ssdeep[fl[F_SSDEEP]] = '\0';
    }
    if (!(fl[F_TLSH] == 1 && f[F_TLSH][0] == '-')) {
        if (ws_tlsh_parse(f[F_TLSH], fl[F_TLSH], &r.tlsh) != WS_OK)
            return fail(err, WS_E_SYNTAX, F_TLSH, "want T1 and 70 hex digits, or -");
        r.has_tlsh = 1;
    }
    if (!(fl[F_INS] == 1 && f[F_INS][0] == '-')) {
        /* "W1:<whole>" or "W1:<whole>,W1:<body>" */
        const char *ip = f[F_INS];
        const char *comma = memchr(ip, ',', fl[F_INS]);
        size_t l1 = comma ? (size_t)(comma - ip) : fl[F_INS];
        for (int part = 0; part < (comma ? 2 : 1); part++) {
            const char *ps = part ? comma + 1 : ip;
            size_t pl = part ? fl[F_INS] - l1 - 1 : l1;
            struct ws_insdigest *dst = part ? &r.body : &r.ins;
            ws_status st = ws_insdigest_parse(ps, pl, dst);
            if (st != WS_OK)
                return fail(err, st == WS_E_TOO_LARGE ? WS_E_SYNTAX : st, F_INS,
                            st == WS_E_CORRUPT || st == WS_E_TRUNCATED
                                ? "W1 digest has impossible values or wrong length"
                                : "want W1:<base64>[,W1:<base64>] or -");
            if ((dst->skip != 0) != (part == 1))
                return fail(err, WS_E_CORRUPT, F_INS,
                            "the first W1 digest must cover the whole file, the second the body");
            if (dst->len + dst->skip != size)
                return fail(err, WS_E_CORRUPT, F_INS, "digest length differs from the size field");
        }
        r.has_ins = 1;
        r.has_body = comma != NULL;
    }
    /* name: percent-decoded */
    char *name = ws_malloc(fl[F_NAME] + 1);
    if (!name)
        return WS_E_NOMEM;
    size_t o = 0;
    for (size_t j = 0; j < fl[F_NAME]; j++) {
        char c = f[F_NAME][j];
        if (c == '%') {
            if (j + 2 >= fl[F_NAME]) {
                ws_free(name);
                return fail(err, WS_E_SYNTAX, F_NAME, "truncated %XX escape");
            }
            int a = hexv(f[F_NAME][j + 1]), b = hexv(f[F_NAME][j + 2]);
            if (a < 0 || b < 0) {
                ws_free(name);
                return fail(err, WS_E_SYNTAX, F_NAME, "bad %XX escape");
            }
            name[o++] = (char)(a << 4 | b);
            j += 2;
        } else {
            name[o++] = c;
        }
    }
    name[o] = '\0';
    r.name = name;
    r.name_len = o;
    *ref = r;
    return WS_OK;
}

void ws_variant_ref_release(struct ws_variant_ref *ref)
{
    if (ref)
        WS_FREE_AND_NULL(ref->name);
}

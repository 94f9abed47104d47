/*
 * binxml.c - compile BinXML templates once per chunk, then walk records.
 *
 * Token layout ([MS-EVEN6] 2.2.12, libyal EVTX notes section 4; offsets are
 * chunk-relative; every multi-byte field little-endian):
 *
 *   0x0F FragmentHeader   u8 token, u8 major (1), u8 minor (1), u8 flags
 *   0x0C TemplateInstance u8 token, u8 unknown, u32 template id, u32 definition
 *                         offset; when the definition offset is the offset
 *                         right after this field, the definition follows inline:
 *                         u32 next, 16-byte GUID, u32 data size, data
 *                         then u32 value count, count x {u16 size, u8 type,
 *                         u8 0}, then the values back to back
 *   0x01/0x41 OpenStartElement  u8 token (0x40: has attributes), u16
 *                         dependency id, u32 data size, u32 name offset
 *                         [inline name], [u32 attribute list size, attributes]
 *                         then 0x02 (content follows, up to 0x04) or 0x03
 *   0x06/0x46 Attribute   u8 token, u32 name offset [inline name], one value
 *   0x05/0x45 Value       u8 token, u8 type, value (type 1: u16 chars, UTF-16)
 *   0x0D/0x0E Substitution  u8 token, u16 index, u8 type (0x0E: optional)
 *   0x07 CDATA            u8 token, u16 chars, UTF-16
 *   0x08 CharRef          u8 token, u16 code point
 *   0x09 EntityRef        u8 token, u32 name offset [inline name]
 *   0x0A PITarget         u8 token, u32 name offset [inline name]
 *   0x0B PIData           u8 token, u16 chars, UTF-16
 *   0x00 EndOfStream
 *   Name string           u32 next, u16 hash, u16 chars, UTF-16, u16 NUL;
 *                         "inline" when its offset is where the reader stands
 *
 * Invariants:
 *   - the arena (names, literal text) never moves during a chunk, so name
 *     pointers given to the sink stay valid for the whole chunk;
 *   - operations are addressed by index (the array may grow while a nested
 *     template compiles), never by pointer across a call;
 *   - substitution arrays are a stack in one pool, also addressed by index;
 *   - recursion (elements in compile, nested BinXML in run) is bounded by
 *     WS_EVTX_MAX_DEPTH; total work per record by WS_EVTX_MAX_RECORD_STEPS.
 * Caches are reset per chunk by bumping a generation number, not by clearing.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "core/limits.h"
#include "evtx/binxml.h"

/* Decoded names and literal text of one chunk: UTF-8 from at most 64 KiB of
 * UTF-16 (x1.5) plus terminators; 4x the chunk leaves room for templates
 * whose definitions overlap (hostile input), which then hit this cap. */
#define ARENA_SIZE (4u * 65536u)
#define NAME_SLOTS 8192u /* > 64 KiB / 10 bytes per smallest name string */
#define TMPL_SLOTS (2u * WS_EVTX_MAX_TEMPLATES)

enum op_kind { OP_OPEN = 1, OP_ATTR, OP_VALUE, OP_SUBST, OP_CLOSE };

struct op {
    uint8_t kind;
    uint8_t vtype;    /* VALUE: type (WS_BX_UTF8: text in the arena) */
    uint8_t optional; /* SUBST: token 0x0E */
    uint16_t index;   /* SUBST: value index */
    uint32_t off;     /* OPEN/ATTR: arena offset of the name; VALUE: arena or chunk offset */
    uint32_t len;
};

struct name_slot {
    uint32_t gen;
    uint32_t key; /* chunk offset of the name string */
    uint32_t off; /* arena offset of its UTF-8 */
    uint32_t len;
};

struct tmpl_slot {
    uint32_t gen;
    uint32_t key; /* chunk offset of the definition */
    uint32_t start, count;
    ws_status st; /* WS_OK, or why it could not be compiled */
};

struct ws_bx_ctx {
    const uint8_t *chunk;
    size_t chunk_len;
    uint32_t gen;
    struct ws_buf arena;
    struct name_slot *names;
    struct tmpl_slot *tmpls;
    size_t n_tmpls;
    struct op *ops;
    size_t n_ops, cap_ops;
    struct ws_bx_value *subs;
    size_t n_subs, cap_subs;
    const struct ws_bx_sink *sink;
    uint32_t steps;
    size_t err_where;
    const char *err_what;
    size_t compiled;
    size_t work; /* operations emitted in this chunk, never rolled back */
    int raw;     /* compiling plain BinXML of a record, not a template definition */
};

/* ---- lifecycle ---- */

ws_status ws_bx_ctx_new(struct ws_bx_ctx **out)
{
    ws_status st = WS_OK;
    char *p;
    struct ws_bx_ctx *x = ws_calloc(1, sizeof *x);
    if (!x)
        return WS_E_NOMEM;
    ws_buf_init(&x->arena, ARENA_SIZE);
    WS_TRY(ws_buf_reserve(&x->arena, ARENA_SIZE - 1, &p));
    x->names = ws_calloc(NAME_SLOTS, sizeof *x->names);
    x->tmpls = ws_calloc(TMPL_SLOTS, sizeof *x->tmpls);
    if (!x->names || !x->tmpls) {
        st = WS_E_NOMEM;
        goto out;
    }
    x->gen = 1;
    *out = x;
    x = NULL;
out:
    ws_bx_ctx_free(x);
    return st;
}

void ws_bx_ctx_free(struct ws_bx_ctx *x)
{
    if (!x)
        return;
    ws_buf_release(&x->arena);
    ws_free(x->names);
    ws_free(x->tmpls);
    ws_free(x->ops);
    ws_free(x->subs);
    ws_free(x);
}

void ws_bx_begin_chunk(struct ws_bx_ctx *x, const uint8_t *chunk, size_t len)
{
    x->chunk = chunk;
    x->chunk_len = len;
    ws_buf_reset(&x->arena);
    x->n_ops = 0;
    x->n_subs = 0;
    x->n_tmpls = 0;
    x->compiled = 0;
    x->work = 0;
    if (++x->gen == 0) { /* wrapped: stale slots could match again */
        memset(x->names, 0, NAME_SLOTS * sizeof *x->names);
        memset(x->tmpls, 0, TMPL_SLOTS * sizeof *x->tmpls);
        x->gen = 1;
    }
}

size_t ws_bx_templates_compiled(const struct ws_bx_ctx *x)
{
    return x->compiled;
}

static ws_status fail(struct ws_bx_ctx *x, ws_status st, size_t where, const char *what)
{
    if (!x->err_what) {
        x->err_where = where;
        x->err_what = what;
    }
    return st;
}

/* A cursor over chunk bytes [off, end): offsets stay chunk-relative. */
static void cur_at(const struct ws_bx_ctx *x, size_t off, size_t end, struct ws_cur *c)
{
    c->base = x->chunk;
    c->len = end;
    c->off = off;
}

/* Narrow: the next n bytes as a cursor that keeps chunk-relative offsets. */
static ws_status narrow(struct ws_cur *c, size_t n, struct ws_cur *sub)
{
    if (n > ws_cur_left(c))
        return WS_E_TRUNCATED;
    sub->base = c->base;
    sub->off = c->off;
    sub->len = c->off + n;
    c->off += n;
    return WS_OK;
}

/* ---- names and literal text ---- */

static ws_status arena_utf16(struct ws_bx_ctx *x, const uint8_t *p, size_t nbytes, uint32_t *off,
                             uint32_t *len)
{
    size_t start = x->arena.len;
    ws_status st = ws_utf16le_to_utf8(&x->arena, p, nbytes);
    if (st == WS_OK)
        st = ws_buf_addc(&x->arena, '\0');
    if (st != WS_OK) {
        ws_buf_truncate(&x->arena, start);
        return st;
    }
    *off = (uint32_t)start; /* < ARENA_SIZE */
    *len = (uint32_t)(x->arena.len - start - 1);
    return WS_OK;
}

static ws_status arena_text(struct ws_bx_ctx *x, const char *s, size_t n, uint32_t *off,
                            uint32_t *len)
{
    size_t start = x->arena.len;
    ws_status st = ws_buf_add(&x->arena, s, n);
    if (st == WS_OK)
        st = ws_buf_addc(&x->arena, '\0');
    if (st != WS_OK) {
        ws_buf_truncate(&x->arena, start);
        return st;
    }
    *off = (uint32_t)start;
    *len = (uint32_t)n;
    return WS_OK;
}

/* Decode the name string at chunk offset noff (u32 next, u16 hash, u16
 * chars, UTF-16, u16 NUL) into the arena; *size gets its byte size. */
static ws_status decode_name(struct ws_bx_ctx *x, size_t noff, uint32_t *off, uint32_t *len,
                             size_t *size)
{
    struct ws_cur c;
    uint32_t next;
    uint16_t hash, nchars;
    const uint8_t *chars;
    ws_status st;
    if (noff > x->chunk_len)
        return fail(x, WS_E_CORRUPT, noff, "name offset outside the chunk");
    cur_at(x, noff, x->chunk_len, &c);
    if ((st = ws_cur_le32(&c, &next)) != WS_OK || (st = ws_cur_le16(&c, &hash)) != WS_OK ||
        (st = ws_cur_le16(&c, &nchars)) != WS_OK ||
        (st = ws_cur_bytes(&c, 2u * nchars, &chars)) != WS_OK || (st = ws_cur_skip(&c, 2)) != WS_OK)
        return fail(x, st, noff, "truncated name string");
    (void)next;
    (void)hash;
    *size = c.off - noff;
    return arena_utf16(x, chars, 2u * nchars, off, len);
}

/* Resolve the name whose offset was just read at the cursor: inline (its
 * offset is the cursor's position: skip it) or defined earlier. */
static ws_status get_name(struct ws_bx_ctx *x, struct ws_cur *c, uint32_t noff, uint32_t *off,
                          uint32_t *len)
{
    ws_status st;
    size_t size;
    if (noff > c->off)
        return fail(x, WS_E_CORRUPT, c->off, "name defined after its use");
    uint32_t h = (noff * 2654435761u) & (NAME_SLOTS - 1);
    for (uint32_t probe = 0; probe < 16; probe++) {
        struct name_slot *s = &x->names[(h + probe) & (NAME_SLOTS - 1)];
        if (s->gen == x->gen && s->key == noff) {
            *off = s->off;
            *len = s->len;
            if (noff == c->off) { /* inline name compiled again: skip its bytes */
                struct ws_cur n = *c;
                uint16_t nchars;
                if ((st = ws_cur_skip(&n, 6)) != WS_OK ||
                    (st = ws_cur_le16(&n, &nchars)) != WS_OK ||
                    (st = ws_cur_skip(c, 10u + 2u * (size_t)nchars)) != WS_OK)
                    return fail(x, st, c->off, "truncated inline name");
            }
            return WS_OK;
        }
        if (s->gen != x->gen) {
            if ((st = decode_name(x, noff, off, len, &size)) != WS_OK)
                return st;
            s->gen = x->gen;
            s->key = noff;
            s->off = *off;
            s->len = *len;
            if (noff == c->off && (st = ws_cur_skip(c, size)) != WS_OK)
                return fail(x, st, c->off, "truncated inline name");
            return WS_OK;
        }
    }
    /* cache crowded, or an inline name met twice: decode without caching */
    if ((st = decode_name(x, noff, off, len, &size)) != WS_OK)
        return st;
    if (noff == c->off && (st = ws_cur_skip(c, size)) != WS_OK)
        return fail(x, st, c->off, "truncated inline name");
    return WS_OK;
}

/* ---- compiling ---- */

static ws_status emit(struct ws_bx_ctx *x, const struct op *o)
{
    if (++x->work > WS_EVTX_MAX_CHUNK_WORK)
        return fail(x, WS_E_TOO_LARGE, 0, "too much template compilation in chunk");
    if (x->n_ops >= WS_EVTX_MAX_CHUNK_OPS)
        return fail(x, WS_E_TOO_LARGE, 0, "too many template operations in chunk");
    if (WS_GROW(x->ops, x->cap_ops, x->n_ops + 1) != 0)
        return WS_E_NOMEM;
    x->ops[x->n_ops++] = *o;
    return WS_OK;
}

static ws_status emit_text(struct ws_bx_ctx *x, const char *s, size_t n)
{
    struct op o = {.kind = OP_VALUE, .vtype = WS_BX_UTF8};
    ws_status st = arena_text(x, s, n, &o.off, &o.len);
    return st == WS_OK ? emit(x, &o) : st;
}

/* A value token (0x05) at the cursor, after its token byte. */
static ws_status compile_value(struct ws_bx_ctx *x, struct ws_cur *c)
{
    uint8_t type;
    uint16_t n;
    const uint8_t *p;
    ws_status st;
    size_t at = c->off;
    if ((st = ws_cur_u8(c, &type)) != WS_OK)
        return fail(x, st, at, "truncated value");
    struct op o = {.kind = OP_VALUE, .vtype = type};
    if (type == WS_BX_WSTRING || type == WS_BX_STRING) {
        size_t bytes;
        if ((st = ws_cur_le16(c, &n)) != WS_OK)
            return fail(x, st, at, "truncated value");
        bytes = type == WS_BX_WSTRING ? 2u * n : n;
        if ((st = ws_cur_bytes(c, bytes, &p)) != WS_OK)
            return fail(x, st, at, "truncated value");
        if (type == WS_BX_WSTRING) {
            o.vtype = WS_BX_UTF8;
            if ((st = arena_utf16(x, p, bytes, &o.off, &o.len)) != WS_OK)
                return fail(x, st, at, "name/text arena full");
            return emit(x, &o);
        }
        o.off = (uint32_t)(p - x->chunk);
        o.len = n;
        return emit(x, &o);
    }
    /* other literal types carry their fixed size */
    static const uint8_t sizes[0x16] = {0, 0, 0, 1, 1,  2, 2, 4,  4, 8, 8,
                                        4, 8, 4, 0, 16, 8, 8, 16, 0, 4, 8};
    size_t sz = type < sizeof sizes ? sizes[type] : 0;
    if (sz == 0)
        return fail(x, WS_E_CORRUPT, at, "value token of unsupported type");
    if ((st = ws_cur_bytes(c, sz, &p)) != WS_OK)
        return fail(x, st, at, "truncated value");
    o.off = (uint32_t)(p - x->chunk);
    o.len = (uint32_t)sz;
    return emit(x, &o);
}

static ws_status compile_subst(struct ws_bx_ctx *x, struct ws_cur *c, uint8_t token)
{
    uint16_t index;
    uint8_t type;
    ws_status st;
    size_t at = c->off;
    if ((st = ws_cur_le16(c, &index)) != WS_OK || (st = ws_cur_u8(c, &type)) != WS_OK)
        return fail(x, st, at, "truncated substitution");
    struct op o = {
        .kind = OP_SUBST, .vtype = type, .optional = (token & 0x0F) == 0x0E, .index = index};
    return emit(x, &o);
}

/* CharRef and EntityRef as literal UTF-8. */
static ws_status compile_charref(struct ws_bx_ctx *x, struct ws_cur *c)
{
    uint16_t v;
    ws_status st;
    if ((st = ws_cur_le16(c, &v)) != WS_OK)
        return fail(x, st, c->off, "truncated character reference");
    uint8_t u16[2] = {(uint8_t)(v & 0xFF), (uint8_t)(v >> 8)};
    struct op o = {.kind = OP_VALUE, .vtype = WS_BX_UTF8};
    if ((st = arena_utf16(x, u16, 2, &o.off, &o.len)) != WS_OK)
        return fail(x, st, c->off, "name/text arena full");
    return emit(x, &o);
}

static ws_status compile_entity(struct ws_bx_ctx *x, struct ws_cur *c)
{
    static const struct {
        const char *name, *text;
    } ents[] = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    uint32_t noff, off, len;
    ws_status st;
    if ((st = ws_cur_le32(c, &noff)) != WS_OK)
        return fail(x, st, c->off, "truncated entity reference");
    if ((st = get_name(x, c, noff, &off, &len)) != WS_OK)
        return st;
    const char *name = x->arena.data + off;
    for (size_t i = 0; i < WS_ARRAY_LEN(ents); i++)
        if (strcmp(name, ents[i].name) == 0)
            return emit_text(x, ents[i].text, strlen(ents[i].text));
    char tmp[80];
    size_t n = len < 70 ? len : 70;
    tmp[0] = '&';
    memcpy(tmp + 1, name, n);
    tmp[n + 1] = ';';
    return emit_text(x, tmp, n + 2);
}

static ws_status compile_content(struct ws_bx_ctx *x, struct ws_cur *c, int depth, int top);

/* Does the element header at c (after its token) carry the u16 dependency
 * id? Template definitions always do. Plain BinXML in a record sometimes
 * does not; then the layout without it is the one whose data size fits and
 * whose name offset is plausible (inline right after, or earlier in the
 * chunk), while the layout with it is not. */
static int plausible_header(const struct ws_cur *c, size_t at)
{
    struct ws_cur t = *c;
    uint32_t size, noff;
    if (ws_cur_skip(&t, at) != WS_OK || ws_cur_le32(&t, &size) != WS_OK ||
        ws_cur_le32(&t, &noff) != WS_OK)
        return 0;
    if (size > ws_cur_left(&t))
        return 0;
    return noff == t.off || (noff >= 0x200 && noff < t.off);
}

static int has_dependency_id(const struct ws_cur *c)
{
    return plausible_header(c, 2) || !plausible_header(c, 0);
}

static ws_status compile_element(struct ws_bx_ctx *x, struct ws_cur *c, uint8_t token, int depth)
{
    uint16_t dep;
    uint32_t size, noff;
    uint8_t t;
    ws_status st;
    size_t at = c->off - 1;
    if (depth > WS_EVTX_MAX_DEPTH)
        return fail(x, WS_E_TOO_LARGE, at, "elements nested too deep");
    if (x->raw && !has_dependency_id(c)) {
        dep = 0xFFFF; /* plain BinXML written without it (issue_201 sample) */
    } else if ((st = ws_cur_le16(c, &dep)) != WS_OK) {
        return fail(x, st, at, "truncated element");
    }
    if ((st = ws_cur_le32(c, &size)) != WS_OK || (st = ws_cur_le32(c, &noff)) != WS_OK)
        return fail(x, st, at, "truncated element");
    (void)dep;
    (void)size; /* not trusted for bounds: tokens are */
    struct op o = {.kind = OP_OPEN};
    if ((st = get_name(x, c, noff, &o.off, &o.len)) != WS_OK)
        return st;
    if ((st = emit(x, &o)) != WS_OK)
        return st;
    if (token & 0x40) {
        uint32_t alen;
        struct ws_cur a;
        if ((st = ws_cur_le32(c, &alen)) != WS_OK || (st = narrow(c, alen, &a)) != WS_OK)
            return fail(x, st, at, "truncated attribute list");
        /* each pass consumes at least the 5-byte attribute header */
        while (ws_cur_left(&a) > 0) {
            size_t aat = a.off;
            if ((st = ws_cur_u8(&a, &t)) != WS_OK)
                return fail(x, st, aat, "truncated attribute");
            if ((t & 0x0F) != 0x06)
                return fail(x, WS_E_CORRUPT, aat, "unexpected token in attribute list");
            struct op ao = {.kind = OP_ATTR};
            if ((st = ws_cur_le32(&a, &noff)) != WS_OK)
                return fail(x, st, aat, "truncated attribute");
            if ((st = get_name(x, &a, noff, &ao.off, &ao.len)) != WS_OK)
                return st;
            if ((st = emit(x, &ao)) != WS_OK)
                return st;
            /* the value: python-evtx and we keep the first piece only */
            int pieces = 0;
            while (ws_cur_left(&a) > 0) {
                uint8_t vt = ws_cur_ptr(&a)[0];
                size_t before = x->n_ops;
                if ((vt & 0x0F) == 0x06)
                    break;
                a.off++;
                switch (vt & 0x0F) {
                case 0x05:
                    st = compile_value(x, &a);
                    break;
                case 0x0D:
                case 0x0E:
                    st = compile_subst(x, &a, vt);
                    break;
                case 0x08:
                    st = compile_charref(x, &a);
                    break;
                case 0x09:
                    st = compile_entity(x, &a);
                    break;
                default:
                    return fail(x, WS_E_CORRUPT, a.off - 1, "unexpected token in attribute value");
                }
                if (st != WS_OK)
                    return st;
                if (pieces++ > 0)
                    x->n_ops = before; /* drop later pieces */
            }
            if (pieces == 0 && (st = emit_text(x, "", 0)) != WS_OK)
                return st;
        }
    }
    size_t cat = c->off;
    if ((st = ws_cur_u8(c, &t)) != WS_OK)
        return fail(x, st, cat, "truncated element");
    if ((t & 0x0F) == 0x02) {
        if ((st = compile_content(x, c, depth + 1, 0)) != WS_OK)
            return st;
    } else if ((t & 0x0F) != 0x03) {
        return fail(x, WS_E_CORRUPT, cat, "element without close-start token");
    }
    struct op co = {.kind = OP_CLOSE};
    return emit(x, &co);
}

/* Element content (top = 0: up to 0x04) or a fragment (top = 1: up to 0x00
 * or the end). Each pass consumes at least one byte. */
static ws_status compile_content(struct ws_bx_ctx *x, struct ws_cur *c, int depth, int top)
{
    ws_status st;
    uint8_t t;
    while (ws_cur_left(c) > 0) {
        size_t at = c->off;
        st = ws_cur_u8(c, &t);
        if (WS_NEVER(st != WS_OK))
            return st;
        switch (t & 0x0F) {
        case 0x00:
            if (!top)
                return fail(x, WS_E_CORRUPT, at, "end of stream inside an element");
            return WS_OK;
        case 0x04:
            if (top)
                return fail(x, WS_E_CORRUPT, at, "close element at top level");
            return WS_OK;
        case 0x01:
            st = compile_element(x, c, t, depth);
            break;
        case 0x05:
            st = compile_value(x, c);
            break;
        case 0x0D:
        case 0x0E:
            st = compile_subst(x, c, t);
            break;
        case 0x07: {
            uint16_t n;
            const uint8_t *p;
            struct op o = {.kind = OP_VALUE, .vtype = WS_BX_UTF8};
            if ((st = ws_cur_le16(c, &n)) != WS_OK || (st = ws_cur_bytes(c, 2u * n, &p)) != WS_OK)
                return fail(x, st, at, "truncated CDATA");
            if ((st = arena_utf16(x, p, 2u * n, &o.off, &o.len)) != WS_OK)
                return fail(x, st, at, "name/text arena full");
            st = emit(x, &o);
            break;
        }
        case 0x08:
            st = compile_charref(x, c);
            break;
        case 0x09:
            st = compile_entity(x, c);
            break;
        case 0x0A: { /* processing instruction target: not rendered */
            uint32_t noff, off, len;
            if ((st = ws_cur_le32(c, &noff)) != WS_OK)
                return fail(x, st, at, "truncated PI target");
            st = get_name(x, c, noff, &off, &len);
            break;
        }
        case 0x0B: {
            uint16_t n;
            if ((st = ws_cur_le16(c, &n)) != WS_OK || (st = ws_cur_skip(c, 2u * n)) != WS_OK)
                return fail(x, st, at, "truncated PI data");
            break;
        }
        case 0x0F:
            if (!top)
                return fail(x, WS_E_CORRUPT, at, "fragment header inside an element");
            if ((st = ws_cur_skip(c, 3)) != WS_OK)
                return fail(x, st, at, "truncated fragment header");
            break;
        default:
            return fail(x, WS_E_CORRUPT, at, "unexpected BinXML token");
        }
        if (st != WS_OK)
            return st;
    }
    if (!top)
        return fail(x, WS_E_TRUNCATED, c->off, "element not closed");
    return WS_OK;
}

/* The compiled operations of the template defined at chunk offset def. */
static ws_status get_template(struct ws_bx_ctx *x, uint32_t def, uint32_t *start, uint32_t *count)
{
    uint32_t h = (def * 2654435761u) & (TMPL_SLOTS - 1);
    struct tmpl_slot *slot = NULL;
    for (uint32_t probe = 0; probe < TMPL_SLOTS; probe++) {
        struct tmpl_slot *s = &x->tmpls[(h + probe) & (TMPL_SLOTS - 1)];
        if (s->gen == x->gen && s->key == def) {
            if (s->st != WS_OK)
                return fail(x, s->st, def, "bad template definition");
            *start = s->start;
            *count = s->count;
            return WS_OK;
        }
        if (s->gen != x->gen) {
            slot = s;
            break;
        }
    }
    if (!slot || x->n_tmpls >= WS_EVTX_MAX_TEMPLATES)
        return fail(x, WS_E_TOO_LARGE, def, "too many templates in chunk");
    /* definition: u32 next, GUID (16), u32 data size, data */
    struct ws_cur c, body;
    uint32_t next, size;
    ws_status st;
    size_t mark = x->n_ops;
    if (def < 0x200 || def > x->chunk_len) {
        st = fail(x, WS_E_CORRUPT, def, "template reference out of range");
        goto done;
    }
    cur_at(x, def, x->chunk_len, &c);
    if ((st = ws_cur_le32(&c, &next)) != WS_OK || (st = ws_cur_skip(&c, 16)) != WS_OK ||
        (st = ws_cur_le32(&c, &size)) != WS_OK || (st = narrow(&c, size, &body)) != WS_OK) {
        st = fail(x, st, def, "template definition out of range");
        goto done;
    }
    (void)next;
    st = compile_content(x, &body, 1, 1);
done:
    slot->gen = x->gen;
    slot->key = def;
    slot->st = st;
    x->n_tmpls++;
    if (st != WS_OK) {
        x->n_ops = mark;
        return st;
    }
    slot->start = (uint32_t)mark;
    slot->count = (uint32_t)(x->n_ops - mark);
    x->compiled++;
    *start = slot->start;
    *count = slot->count;
    return WS_OK;
}

/* ---- running ---- */

static ws_status run_fragment(struct ws_bx_ctx *x, size_t off, size_t len, int depth);

static void op_value(const struct ws_bx_ctx *x, const struct op *o, struct ws_bx_value *v)
{
    v->type = o->vtype;
    v->p =
        (const uint8_t *)(o->vtype == WS_BX_UTF8 ? x->arena.data : (const char *)x->chunk) + o->off;
    v->n = o->len;
}

static ws_status run_ops(struct ws_bx_ctx *x, size_t start, size_t count, size_t sub_base,
                         size_t n_subs, int depth)
{
    const struct ws_bx_sink *k = x->sink;
    ws_status st = WS_OK;
    for (size_t i = 0; i < count && st == WS_OK; i++) {
        if (++x->steps > WS_EVTX_MAX_RECORD_STEPS)
            return fail(x, WS_E_TOO_LARGE, 0, "record needs too many steps");
        struct op o = x->ops[start + i];
        struct ws_bx_value v;
        switch (o.kind) {
        case OP_OPEN:
            st = k->open(k->user, x->arena.data + o.off, o.len);
            break;
        case OP_CLOSE:
            st = k->close(k->user);
            break;
        case OP_ATTR: {
            if (WS_NEVER(i + 1 >= count))
                return WS_E_CORRUPT;
            struct op vo = x->ops[start + ++i];
            if (vo.kind == OP_SUBST) {
                if (vo.index >= n_subs)
                    return fail(x, WS_E_CORRUPT, 0, "substitution index out of range");
                v = x->subs[sub_base + vo.index];
                if (v.type == WS_BX_NULL && vo.optional)
                    break;
                if (v.type == WS_BX_BINXML)
                    v.n = 0; /* nested XML in an attribute renders as "" */
            } else {
                op_value(x, &vo, &v);
            }
            st = k->attr(k->user, x->arena.data + o.off, o.len, &v);
            break;
        }
        case OP_VALUE:
            op_value(x, &o, &v);
            st = k->text(k->user, &v);
            break;
        case OP_SUBST:
            if (o.index >= n_subs)
                return fail(x, WS_E_CORRUPT, 0, "substitution index out of range");
            v = x->subs[sub_base + o.index];
            if (v.type == WS_BX_BINXML) {
                if (v.n > 0)
                    st = run_fragment(x, (size_t)(v.p - x->chunk), v.n, depth + 1);
            } else if (!(v.type == WS_BX_NULL && o.optional)) {
                st = k->text(k->user, &v);
            }
            break;
        default:
            return WS_E_CORRUPT;
        }
    }
    return st;
}

/* A template instance at the cursor (after its 0x0C token). */
static ws_status run_instance(struct ws_bx_ctx *x, struct ws_cur *c, int depth)
{
    uint8_t unk;
    uint32_t id, def, count, start, nops;
    ws_status st;
    size_t at = c->off - 1;
    if ((st = ws_cur_u8(c, &unk)) != WS_OK || (st = ws_cur_le32(c, &id)) != WS_OK ||
        (st = ws_cur_le32(c, &def)) != WS_OK)
        return fail(x, st, at, "truncated template instance");
    (void)unk;
    (void)id;
    if (def == c->off) { /* the definition follows inline: skip it */
        uint32_t size;
        if ((st = ws_cur_skip(c, 20)) != WS_OK || (st = ws_cur_le32(c, &size)) != WS_OK ||
            (st = ws_cur_skip(c, size)) != WS_OK)
            return fail(x, st, at, "truncated inline template definition");
    } else if (def > c->off) {
        return fail(x, WS_E_CORRUPT, at, "template reference out of range");
    }
    if ((st = get_template(x, def, &start, &nops)) != WS_OK)
        return st;
    /* the values: count, descriptors, then the bytes */
    size_t vat = c->off;
    if ((st = ws_cur_le32(c, &count)) != WS_OK)
        return fail(x, st, vat, "truncated substitution array");
    if (count > WS_EVTX_MAX_SUBSTITUTIONS)
        return fail(x, WS_E_TOO_LARGE, vat, "too many substitution values");
    size_t base = x->n_subs;
    if (WS_GROW(x->subs, x->cap_subs, base + count) != 0)
        return WS_E_NOMEM;
    struct ws_cur desc;
    if ((st = narrow(c, 4u * (size_t)count, &desc)) != WS_OK)
        return fail(x, st, vat, "truncated substitution descriptors");
    for (uint32_t i = 0; i < count; i++) {
        uint16_t size;
        uint8_t type, pad;
        const uint8_t *p;
        if ((st = ws_cur_le16(&desc, &size)) != WS_OK || (st = ws_cur_u8(&desc, &type)) != WS_OK ||
            (st = ws_cur_u8(&desc, &pad)) != WS_OK)
            return fail(x, st, vat, "truncated substitution descriptors");
        if ((st = ws_cur_bytes(c, size, &p)) != WS_OK)
            return fail(x, st, c->off, "substitution value past the end of the record");
        x->subs[base + i].type = type;
        x->subs[base + i].p = p;
        x->subs[base + i].n = size;
    }
    x->n_subs = base + count;
    st = run_ops(x, start, nops, base, count, depth);
    x->n_subs = base;
    return st;
}

static ws_status run_fragment(struct ws_bx_ctx *x, size_t off, size_t len, int depth)
{
    struct ws_cur c;
    ws_status st;
    if (depth > WS_EVTX_MAX_DEPTH)
        return fail(x, WS_E_TOO_LARGE, off, "BinXML nested too deep");
    if (off > x->chunk_len || len > x->chunk_len - off)
        return fail(x, WS_E_CORRUPT, off, "fragment outside the chunk");
    cur_at(x, off, off + len, &c);
    if (ws_cur_left(&c) >= 4 && ws_cur_ptr(&c)[0] == 0x0F)
        c.off += 4;
    if (ws_cur_left(&c) > 0 && (ws_cur_ptr(&c)[0] & 0x0F) == 0x0C) {
        c.off++;
        return run_instance(x, &c, depth);
    }
    /* plain BinXML without a template: compile into scratch space after the
     * chunk's templates, run, and drop it (it has no substitutions, so no
     * template is compiled while it runs) */
    size_t mark = x->n_ops;
    x->raw = 1;
    st = compile_content(x, &c, depth, 1);
    x->raw = 0;
    if (st == WS_OK)
        st = run_ops(x, mark, x->n_ops - mark, x->n_subs, 0, depth);
    x->n_ops = mark;
    return st;
}

ws_status ws_bx_run(struct ws_bx_ctx *x, size_t off, size_t len, const struct ws_bx_sink *sink,
                    size_t *where, const char **what)
{
    x->sink = sink;
    x->steps = 0;
    x->err_what = NULL;
    x->err_where = off;
    x->n_subs = 0;
    ws_status st = run_fragment(x, off, len, 0);
    if (st != WS_OK) {
        if (where)
            *where = x->err_what ? x->err_where : off;
        if (what)
            *what = x->err_what ? x->err_what : "BinXML error";
    }
    return st;
}

/*
 * evtx_synth.h - build small EVTX chunks and files by hand, for the unit
 * tests (test-evtx.c) and the fuzz seed generator (fuzz/gen-evtx-seeds.c).
 * Layouts follow src/evtx/chunk.c and binxml.c's comments (libyal notes,
 * MS-EVEN6); everything is written byte by byte, little-endian.
 */
#ifndef WS_EVTX_SYNTH_H
#define WS_EVTX_SYNTH_H

#include <stdint.h>
#include <string.h>

#include "core/compat.h"
#include "evtx/crc32.h"

#define SYN_CHUNK 65536u

struct syn {
    uint8_t *p; /* SYN_CHUNK bytes */
    size_t n;   /* write position (chunk-relative) */
};

static void s_u8(struct syn *s, uint8_t v)
{
    if (s->n < SYN_CHUNK)
        s->p[s->n] = v;
    s->n++;
}

static void s_u16(struct syn *s, uint16_t v)
{
    s_u8(s, (uint8_t)v);
    s_u8(s, (uint8_t)(v >> 8));
}

static void s_u32(struct syn *s, uint32_t v)
{
    s_u16(s, (uint16_t)v);
    s_u16(s, (uint16_t)(v >> 16));
}

static void s_u64(struct syn *s, uint64_t v)
{
    s_u32(s, (uint32_t)v);
    s_u32(s, (uint32_t)(v >> 32));
}

static void s_put32(struct syn *s, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        if (at + (size_t)i < SYN_CHUNK)
            s->p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* ASCII as UTF-16LE, no terminator */
static void s_wchars(struct syn *s, const char *a)
{
    for (; *a; a++)
        s_u16(s, (uint8_t)*a);
}

/* a name string defined here (inline) */
static void s_name_inline(struct syn *s, const char *a)
{
    s_u32(s, 0);
    s_u16(s, 0);
    s_u16(s, (uint16_t)strlen(a));
    s_wchars(s, a);
    s_u16(s, 0);
}

/* Open an element with an inline name; returns where the attribute list
 * size goes (0 when attrs is 0). */
static size_t s_elem(struct syn *s, const char *name, int attrs)
{
    s_u8(s, attrs ? 0x41 : 0x01);
    s_u16(s, 0xFFFF);
    s_u32(s, 0); /* data size: not used by the reader for bounds */
    s_u32(s, (uint32_t)(s->n + 4));
    s_name_inline(s, name);
    if (!attrs)
        return 0;
    size_t at = s->n;
    s_u32(s, 0);
    return at;
}

static void s_attrs_done(struct syn *s, size_t at)
{
    s_put32(s, at, (uint32_t)(s->n - at - 4));
}

static void s_attr(struct syn *s, const char *name)
{
    s_u8(s, 0x06);
    s_u32(s, (uint32_t)(s->n + 4));
    s_name_inline(s, name);
}

static void s_text(struct syn *s, const char *a)
{
    s_u8(s, 0x05);
    s_u8(s, 0x01);
    s_u16(s, (uint16_t)strlen(a));
    s_wchars(s, a);
}

static void s_subst(struct syn *s, uint16_t index, uint8_t type, int optional)
{
    s_u8(s, optional ? 0x0E : 0x0D);
    s_u16(s, index);
    s_u8(s, type);
}

/* One substitution value. */
struct syn_val {
    uint8_t type;
    const uint8_t *p;
    uint16_t n;
};

static void s_values(struct syn *s, const struct syn_val *v, size_t count)
{
    s_u32(s, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        s_u16(s, v[i].n);
        s_u8(s, v[i].type);
        s_u8(s, 0);
    }
    for (size_t i = 0; i < count; i++)
        for (uint16_t k = 0; k < v[i].n; k++)
            s_u8(s, v[i].p[k]);
}

/* Template 1, written as an inline definition at the current position:
 *   <Event><System><Provider Name=%0/><EventID>%1</EventID>
 *   <TimeCreated SystemTime=%2/><Computer>HOST</Computer>
 *   <Security UserID=%3?/></System>
 *   <EventData><Data Name="Cmd">%4</Data><Data>%5</Data></EventData></Event>
 * Returns the definition's offset. */
static size_t s_template1(struct syn *s)
{
    size_t def = s->n, at;
    s_u32(s, 0);                 /* next */
    for (int i = 0; i < 16; i++) /* GUID */
        s_u8(s, (uint8_t)(0x10 + i));
    size_t size_at = s->n;
    s_u32(s, 0);
    size_t body = s->n;
    s_u8(s, 0x0F);
    s_u8(s, 1);
    s_u8(s, 1);
    s_u8(s, 0);
    s_elem(s, "Event", 0);
    s_u8(s, 0x02);
    s_elem(s, "System", 0);
    s_u8(s, 0x02);
    at = s_elem(s, "Provider", 1);
    s_attr(s, "Name");
    s_subst(s, 0, 0x01, 0);
    s_attrs_done(s, at);
    s_u8(s, 0x03);
    s_elem(s, "EventID", 0);
    s_u8(s, 0x02);
    s_subst(s, 1, 0x06, 0);
    s_u8(s, 0x04);
    at = s_elem(s, "TimeCreated", 1);
    s_attr(s, "SystemTime");
    s_subst(s, 2, 0x11, 0);
    s_attrs_done(s, at);
    s_u8(s, 0x03);
    s_elem(s, "Computer", 0);
    s_u8(s, 0x02);
    s_text(s, "HOST");
    s_u8(s, 0x04);
    at = s_elem(s, "Security", 1);
    s_attr(s, "UserID");
    s_subst(s, 3, 0x13, 1);
    s_attrs_done(s, at);
    s_u8(s, 0x03);
    s_u8(s, 0x04); /* </System> */
    s_elem(s, "EventData", 0);
    s_u8(s, 0x02);
    at = s_elem(s, "Data", 1);
    s_attr(s, "Name");
    s_text(s, "Cmd");
    s_attrs_done(s, at);
    s_u8(s, 0x02);
    s_subst(s, 4, 0x01, 0);
    s_u8(s, 0x04);
    s_elem(s, "Data", 0);
    s_u8(s, 0x02);
    s_subst(s, 5, 0x08, 0);
    s_u8(s, 0x04);
    s_u8(s, 0x04); /* </EventData> */
    s_u8(s, 0x04); /* </Event> */
    s_u8(s, 0x00);
    s_put32(s, size_at, (uint32_t)(s->n - body));
    return def;
}

static void s_utf16(uint8_t *out, const char *a, uint16_t *n)
{
    size_t i = 0;
    for (; a[i]; i++) {
        out[2 * i] = (uint8_t)a[i];
        out[2 * i + 1] = 0;
    }
    *n = (uint16_t)(2 * i);
}

/* A record of template 1 at the current position: the template is defined
 * inline when *def is 0 (and *def is set), else referenced. Returns the
 * record's offset. */
static size_t s_record1(struct syn *s, uint64_t id, uint64_t ft, size_t *def, const char *provider,
                        uint16_t eid, const char *cmd, uint32_t num, int with_sid)
{
    size_t rec = s->n;
    s_u32(s, 0x2a2a);
    s_u32(s, 0); /* size, patched */
    s_u64(s, id);
    s_u64(s, ft);
    s_u8(s, 0x0F);
    s_u8(s, 1);
    s_u8(s, 1);
    s_u8(s, 0);
    s_u8(s, 0x0C);
    s_u8(s, 0x01);
    s_u32(s, 0x12345678);
    if (*def == 0) {
        s_u32(s, (uint32_t)(s->n + 4));
        *def = s_template1(s);
    } else {
        s_u32(s, (uint32_t)*def);
    }
    uint8_t prov[128], c[256], e[2] = {(uint8_t)eid, (uint8_t)(eid >> 8)}, t[8], n4[4];
    static const uint8_t sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}; /* S-1-5-18 */
    struct syn_val v[6];
    v[0].type = 0x01;
    s_utf16(prov, provider, &v[0].n);
    v[0].p = prov;
    v[1] = (struct syn_val){0x06, e, 2};
    for (int i = 0; i < 8; i++)
        t[i] = (uint8_t)(ft >> (8 * i));
    v[2] = (struct syn_val){0x11, t, 8};
    v[3] = with_sid ? (struct syn_val){0x13, sid, sizeof sid} : (struct syn_val){0x00, NULL, 0};
    v[4].type = 0x01;
    s_utf16(c, cmd, &v[4].n);
    v[4].p = c;
    for (int i = 0; i < 4; i++)
        n4[i] = (uint8_t)(num >> (8 * i));
    v[5] = (struct syn_val){0x08, n4, 4};
    s_values(s, v, 6);
    /* pad to 8 like Windows, then the size copy */
    while ((s->n - rec + 4) % 8)
        s_u8(s, 0);
    s_u32(s, (uint32_t)(s->n - rec + 4));
    s_put32(s, rec + 4, (uint32_t)(s->n - rec));
    return rec;
}

/* Header and checksums of a chunk whose records end at s->n. */
static void s_chunk_finish(struct syn *s, uint64_t first, uint64_t last, size_t last_rec)
{
    uint8_t *p = s->p;
    memcpy(p, "ElfChnk", 8);
    size_t end = s->n;
    struct syn h = {p, 8};
    s_u64(&h, first);
    s_u64(&h, last);
    s_u64(&h, first);
    s_u64(&h, last);
    s_u32(&h, 0x80);
    s_u32(&h, (uint32_t)last_rec);
    s_u32(&h, (uint32_t)end);
    s_u32(&h, ws_crc32(0, p + 0x200, end - 0x200));
    uint32_t crc = ws_crc32(0, p, 0x78);
    crc = ws_crc32(crc, p + 0x80, 0x180);
    s_put32(&h, 0x7C, crc);
}

/* A 4096-byte file header at p. */
WS_UNUSED static void s_file_header(uint8_t *p, uint16_t chunks, uint32_t flags)
{
    memset(p, 0, 4096);
    memcpy(p, "ElfFile", 8);
    struct syn h = {p, 8};
    s_u64(&h, 0);
    s_u64(&h, chunks ? chunks - 1u : 0);
    s_u64(&h, 1000);
    s_u32(&h, 0x80);
    s_u16(&h, 1);
    s_u16(&h, 3);
    s_u16(&h, 0x1000);
    s_u16(&h, chunks);
    s_put32(&h, 0x78, flags);
    s_put32(&h, 0x7C, ws_crc32(0, p, 0x78));
}

#endif

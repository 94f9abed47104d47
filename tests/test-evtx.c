/*
 * test-evtx.c - unit tests of the EVTX reader on hand-made chunks
 * (tests/evtx_synth.h): framing, CRCs, templates compiled once per chunk,
 * substitutions, caps, corrupt input, and value rendering against values
 * printed by CPython 3.11 (datetime, repr, base64) as noted beside each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "evtx/binxml.h"
#include "evtx/crc32.h"
#include "evtx/event.h"
#include "evtx/value.h"
#include "evtx_synth.h"
#include "wormsign/evtx.h"

#define FT1 131976543210987654ull /* python-evtx: 2019-03-21 15:05:21.098764 */

/* ---- helpers ---- */

struct items {
    int events, errors;
    uint64_t ids[64];
    ws_status codes[64];
    const char *msgs[64];
    uint64_t err_offsets[64];
    int n_err;
};

/* Run a chunk buffer through the public chunk API and collect items. The
 * last event is copied into *last_* for inspection by the caller via cb. */
typedef void (*event_cb)(const struct ws_evtx_event *ev, void *u);

static void run_chunk(const uint8_t *p, size_t n, unsigned flags, struct items *it, event_cb cb,
                      void *u)
{
    ws_evtx_chunk *c;
    memset(it, 0, sizeof *it);
    assert_int_equal(ws_evtx_chunk_new(&c), WS_OK);
    ws_evtx_chunk_load(c, p, n, 0, 4096, flags);
    for (int pass = 0; pass < 100000; pass++) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev;
        const struct ws_evtx_error *err;
        assert_int_equal(ws_evtx_chunk_next(c, &kind, &ev, &err), WS_OK);
        if (kind == WS_EVTX_END)
            break;
        if (kind == WS_EVTX_EVENT) {
            if (it->events < 64)
                it->ids[it->events] = ev->record_id;
            it->events++;
            if (cb)
                cb(ev, u);
        } else {
            if (it->n_err < 64) {
                it->codes[it->n_err] = err->code;
                it->msgs[it->n_err] = err->message;
                it->err_offsets[it->n_err] = err->offset;
                it->n_err++;
            }
            it->errors++;
        }
    }
    ws_evtx_chunk_free(c);
}

/* A valid chunk with three records of template 1: the first defines it, the
 * others reference it. Returns the offset of each record in recs. */
static uint8_t *make_chunk(size_t recs[3])
{
    uint8_t *p = calloc(1, SYN_CHUNK);
    assert_non_null(p);
    struct syn s = {p, 0x200};
    size_t def = 0;
    recs[0] = s_record1(&s, 7, FT1, &def, "Service Control Manager", 7045, "cmd.exe /c x", 42, 1);
    recs[1] = s_record1(&s, 8, FT1 + 10000000, &def, "Prov2", 4624, "", 0, 0);
    recs[2] = s_record1(&s, 9, FT1 + 20000000, &def, "Prov3", 1, "third", 4294967295u, 1);
    s_chunk_finish(&s, 7, 9, recs[2]);
    return p;
}

static const char *sys_str(const struct ws_evtx_event *ev, int k)
{
    return ev->sys[k].s;
}

/* ---- tests ---- */

static void test_crc32_check_value(void **state)
{
    (void)state;
    /* the standard CRC-32 check value (zlib crc32 of "123456789") */
    assert_int_equal(ws_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(ws_crc32(ws_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void check_first(const struct ws_evtx_event *ev, void *u)
{
    int *seen = u;
    if ((*seen)++ > 0)
        return;
    assert_int_equal(ev->record_id, 7);
    assert_int_equal(ev->filetime, FT1);
    assert_true(ev->has_event_id);
    assert_int_equal(ev->event_id, 7045);
    assert_string_equal(sys_str(ev, WS_EVTX_SYS_PROVIDER), "Service Control Manager");
    assert_string_equal(sys_str(ev, WS_EVTX_SYS_COMPUTER), "HOST");
    assert_string_equal(sys_str(ev, WS_EVTX_SYS_USER_ID), "S-1-5-18");
    assert_string_equal(sys_str(ev, WS_EVTX_SYS_TIME_CREATED), "2019-03-21 15:05:21.098764");
    assert_null(sys_str(ev, WS_EVTX_SYS_CHANNEL));
    assert_int_equal(ev->n_fields, 2);
    assert_string_equal(ev->fields[0].name.s, "Cmd");
    assert_string_equal(ev->fields[0].value.s, "cmd.exe /c x");
    assert_string_equal(ev->fields[1].name.s, "param1");
    assert_string_equal(ev->fields[1].value.s, "42");
    const struct ws_evtx_field *f = ws_evtx_event_field(ev, "Cmd");
    assert_non_null(f);
    assert_int_equal(f->value.len, 12);
    assert_null(ws_evtx_event_field(ev, "cmd"));
}

static void test_chunk_valid(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct items it;
    int seen = 0;
    run_chunk(p, SYN_CHUNK, 0, &it, check_first, &seen);
    assert_int_equal(it.errors, 0);
    assert_int_equal(it.events, 3);
    assert_int_equal(it.ids[0], 7);
    assert_int_equal(it.ids[2], 9);
    free(p);
}

static void check_optional_null(const struct ws_evtx_event *ev, void *u)
{
    (void)u;
    if (ev->record_id != 8)
        return;
    /* optional substitution with a NULL value: attribute left out */
    assert_null(sys_str(ev, WS_EVTX_SYS_USER_ID));
    assert_string_equal(ev->fields[0].value.s, "");
    assert_int_equal(ev->fields[0].value.len, 0);
}

static void test_optional_substitution(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct items it;
    run_chunk(p, SYN_CHUNK, 0, &it, check_optional_null, NULL);
    assert_int_equal(it.events, 3);
    free(p);
}

/* Templates are compiled once per chunk, however many records use them. */

static void test_template_compiled_once(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct ws_bx_ctx *x;
    struct ws_evtx_builder b;
    ws_evb_init(&b);
    assert_int_equal(ws_bx_ctx_new(&x), WS_OK);
    ws_bx_begin_chunk(x, p, SYN_CHUNK);
    for (int r = 0; r < 3; r++) {
        uint32_t size = (uint32_t)p[recs[r] + 4] | ((uint32_t)p[recs[r] + 5] << 8);
        ws_evb_reset(&b);
        assert_int_equal(ws_bx_run(x, recs[r] + 24, size - 28, &b.sink, NULL, NULL), WS_OK);
    }
    assert_int_equal(ws_bx_templates_compiled(x), 1);
    ws_bx_begin_chunk(x, p, SYN_CHUNK); /* new chunk: cache forgotten */
    assert_int_equal(ws_bx_templates_compiled(x), 0);
    ws_bx_ctx_free(x);
    ws_evb_release(&b);
    free(p);
}

static void test_bad_header_crc(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    p[0x10] ^= 1; /* a header field covered by the header CRC */
    struct items it;
    run_chunk(p, SYN_CHUNK, 0, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "chunk header crc32 mismatch");
    assert_int_equal(it.events, 3); /* records are still read */
    /* with the "no CRC" file flag, nothing to report */
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.errors, 0);
    free(p);
}

static void test_bad_data_crc(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    p[recs[1] + 8] ^= 0x40; /* record 2's id: covered by the data CRC only */
    struct items it;
    run_chunk(p, SYN_CHUNK, 0, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "chunk records crc32 mismatch");
    assert_int_equal(it.events, 3);
    assert_int_equal(it.ids[1], 8 ^ 0x40);
    free(p);
}

static void test_bad_chunk_magic(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    p[3] = 'X';
    struct items it;
    run_chunk(p, SYN_CHUNK, 0, &it, NULL, NULL);
    assert_int_equal(it.events, 0);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "bad chunk magic");
    /* the same slot beyond the header's chunk count is unallocated space */
    run_chunk(p, SYN_CHUNK, WS_EVTX_UNALLOCATED, &it, NULL, NULL);
    assert_int_equal(it.errors, 0);
    /* an all-zero slot is never an error */
    memset(p, 0, SYN_CHUNK);
    run_chunk(p, SYN_CHUNK, 0, &it, NULL, NULL);
    assert_int_equal(it.errors + it.events, 0);
    free(p);
}

static void test_bad_record_magic_resyncs(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    p[recs[1]] = 0x2b; /* record 8: bad magic */
    struct items it;
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "bad record magic");
    assert_int_equal(it.err_offsets[0], 4096 + recs[1]);
    assert_int_equal(it.events, 2); /* 7, then resync finds 9 */
    assert_int_equal(it.ids[1], 9);
    free(p);
}

static void test_bad_record_size(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct items it;
    /* size past the end of the records */
    uint8_t save[4];
    memcpy(save, p + recs[1] + 4, 4);
    p[recs[1] + 6] = 0x7F;
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "bad record size");
    assert_int_equal(it.events, 2);
    memcpy(p + recs[1] + 4, save, 4);
    /* trailing size copy zeroed: reported, then decoded anyway */
    uint32_t size = (uint32_t)p[recs[1] + 4] | ((uint32_t)p[recs[1] + 5] << 8);
    memset(p + recs[1] + size - 4, 0, 4);
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_string_equal(it.msgs[0], "record size copy mismatch");
    assert_int_equal(it.events, 3);
    /* size 0 (the zero-data-size sample): reported, the rest still read */
    memset(p + recs[1] + 4, 0, 4);
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.errors, 1);
    assert_int_equal(it.events, 2);
    free(p);
}

/* Every truncation of a valid chunk: no crash, bounded output, and a
 * truncated chunk is reported. */
static void test_truncated(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    size_t end = recs[2] + 0x400;
    for (size_t n = 0; n < end; n += (n < 0x220 ? 1 : 7)) {
        uint8_t *q = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        memcpy(q, p, n);
        struct items it;
        run_chunk(q, n, 0, &it, NULL, NULL);
        if (n >= 8)
            assert_true(it.errors >= 1);
        assert_true(it.events <= 3);
        free(q);
    }
    free(p);
}

static void test_template_reference_out_of_range(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct items it;
    /* record 8's template reference: header 24 + fragment header 4 + 0x0C 0x01 + id 4 */
    size_t ref = recs[1] + 24 + 4 + 6;
    uint8_t save[4];
    memcpy(save, p + ref, 4);
    static const uint32_t bad[] = {0, 0x1FF, 0xFFF0, 0xFFFFFFF0u};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int k = 0; k < 4; k++)
            p[ref + (size_t)k] = (uint8_t)(bad[i] >> (8 * k));
        run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
        assert_int_equal(it.events, 2);
        assert_int_equal(it.errors, 1);
        assert_true(it.codes[0] == WS_E_CORRUPT || it.codes[0] == WS_E_TRUNCATED);
    }
    memcpy(p + ref, save, 4);
    /* a substitution index beyond the values: record 8 says it has 2 values */
    size_t count_at = ref + 4;
    p[count_at] = 2;
    run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
    assert_int_equal(it.events, 2);
    assert_int_equal(it.errors, 1);
    /* the substitution count cap: limit + 1 is refused as too large, a count
     * within the cap whose descriptors do not fit is truncated */
    static const struct {
        uint32_t count;
        ws_status want;
    } caps[] = {{WS_EVTX_MAX_SUBSTITUTIONS + 1u, WS_E_TOO_LARGE},
                {0xFFFFFFFFu, WS_E_TOO_LARGE},
                {WS_EVTX_MAX_SUBSTITUTIONS, WS_E_TRUNCATED},
                {WS_EVTX_MAX_SUBSTITUTIONS - 1u, WS_E_TRUNCATED}};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        for (int k = 0; k < 4; k++)
            p[count_at + (size_t)k] = (uint8_t)(caps[i].count >> (8 * k));
        run_chunk(p, SYN_CHUNK, WS_EVTX_NO_CRC, &it, NULL, NULL);
        assert_int_equal(it.events, 2);
        assert_int_equal(it.errors, 1);
        assert_int_equal(it.codes[0], caps[i].want);
    }
    free(p);
}

/* A template nested deeper than the cap is an error for its record only. */
static void write_deep_record(struct syn *s, int depth)
{
    size_t rec = s->n;
    s_u32(s, 0x2a2a);
    s_u32(s, 0);
    s_u64(s, 1);
    s_u64(s, FT1);
    s_u8(s, 0x0F);
    s_u8(s, 1);
    s_u8(s, 1);
    s_u8(s, 0);
    s_u8(s, 0x0C);
    s_u8(s, 1);
    s_u32(s, 1);
    s_u32(s, (uint32_t)(s->n + 4));
    s_u32(s, 0);
    for (int i = 0; i < 16; i++)
        s_u8(s, 0);
    size_t size_at = s->n;
    s_u32(s, 0);
    size_t body = s->n;
    for (int d = 0; d < depth; d++) {
        s_elem(s, "E", 0);
        s_u8(s, 0x02);
    }
    s_text(s, "x");
    for (int d = 0; d < depth; d++)
        s_u8(s, 0x04);
    s_u8(s, 0x00);
    s_put32(s, size_at, (uint32_t)(s->n - body));
    s_u32(s, 0); /* no values */
    s_u32(s, (uint32_t)(s->n - rec + 4));
    s_put32(s, rec + 4, (uint32_t)(s->n - rec));
}

static void test_depth_cap(void **state)
{
    (void)state;
    static const int depths[] = {WS_EVTX_MAX_DEPTH - 2, WS_EVTX_MAX_DEPTH - 1, WS_EVTX_MAX_DEPTH,
                                 WS_EVTX_MAX_DEPTH + 1, 2000};
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        uint8_t *p = calloc(1, SYN_CHUNK);
        struct syn s = {p, 0x200};
        write_deep_record(&s, depths[i]);
        assert_true(s.n < SYN_CHUNK);
        s_chunk_finish(&s, 1, 1, 0x200);
        struct items it;
        run_chunk(p, SYN_CHUNK, 0, &it, NULL, NULL);
        if (depths[i] <= WS_EVTX_MAX_DEPTH - 1) {
            assert_int_equal(it.events, 1);
            assert_int_equal(it.errors, 0);
        } else if (depths[i] > WS_EVTX_MAX_DEPTH) {
            assert_int_equal(it.events, 0);
            assert_int_equal(it.errors, 1);
            assert_int_equal(it.codes[0], WS_E_TOO_LARGE);
        }
        free(p);
    }
}

/* UserData through a BinXML substitution (type 0x21) holding plain BinXML:
 * leaf elements become fields by local name; a parent's text is dropped. */
static void check_userdata(const struct ws_evtx_event *ev, void *u)
{
    (void)u;
    assert_int_equal(ev->n_fields, 2);
    assert_string_equal(ev->fields[0].name.s, "SubjectUserName");
    assert_string_equal(ev->fields[0].value.s, "bob");
    assert_string_equal(ev->fields[1].name.s, "Domain"); /* "ns:Domain" */
    assert_string_equal(ev->fields[1].value.s, "CORP");
    assert_string_equal(ev->sys[WS_EVTX_SYS_EVENT_ID].s, "1102");
    assert_int_equal(ev->event_id, 1102);
}

static void test_userdata_nested_binxml(void **state)
{
    (void)state;
    uint8_t *p = calloc(1, SYN_CHUNK);
    struct syn s = {p, 0x200};
    size_t rec = s.n;
    s_u32(&s, 0x2a2a);
    s_u32(&s, 0);
    s_u64(&s, 1);
    s_u64(&s, FT1);
    s_u8(&s, 0x0F);
    s_u8(&s, 1);
    s_u8(&s, 1);
    s_u8(&s, 0);
    s_u8(&s, 0x0C);
    s_u8(&s, 1);
    s_u32(&s, 2);
    s_u32(&s, (uint32_t)(s.n + 4));
    /* template: <Event><System><EventID>1102</EventID></System>
     *           <UserData>%0</UserData></Event> */
    s_u32(&s, 0);
    for (int i = 0; i < 16; i++)
        s_u8(&s, 0);
    size_t size_at = s.n;
    s_u32(&s, 0);
    size_t body = s.n;
    s_elem(&s, "Event", 0);
    s_u8(&s, 0x02);
    s_elem(&s, "System", 0);
    s_u8(&s, 0x02);
    s_elem(&s, "EventID", 0);
    s_u8(&s, 0x02);
    s_text(&s, "1102");
    s_u8(&s, 0x04);
    s_u8(&s, 0x04);
    s_elem(&s, "UserData", 0);
    s_u8(&s, 0x02);
    s_subst(&s, 0, 0x21, 1);
    s_u8(&s, 0x04);
    s_u8(&s, 0x04);
    s_u8(&s, 0x00);
    s_put32(&s, size_at, (uint32_t)(s.n - body));
    /* one value: the nested fragment, written in place */
    s_u32(&s, 1);
    size_t desc = s.n;
    s_u16(&s, 0);
    s_u8(&s, 0x21);
    s_u8(&s, 0);
    size_t val = s.n;
    s_u8(&s, 0x0F);
    s_u8(&s, 1);
    s_u8(&s, 1);
    s_u8(&s, 0);
    s_elem(&s, "LogFileCleared", 0);
    s_u8(&s, 0x02);
    s_text(&s, "parent text");
    s_elem(&s, "SubjectUserName", 0);
    s_u8(&s, 0x02);
    s_text(&s, "bob");
    s_u8(&s, 0x04);
    s_elem(&s, "ns:Domain", 0);
    s_u8(&s, 0x02);
    s_text(&s, "CORP");
    s_u8(&s, 0x04);
    s_u8(&s, 0x04);
    s_u8(&s, 0x00);
    p[desc] = (uint8_t)(s.n - val);
    p[desc + 1] = (uint8_t)((s.n - val) >> 8);
    s_u32(&s, (uint32_t)(s.n - rec + 4));
    s_put32(&s, rec + 4, (uint32_t)(s.n - rec));
    s_chunk_finish(&s, 1, 1, rec);
    struct items it;
    run_chunk(p, SYN_CHUNK, 0, &it, check_userdata, NULL);
    assert_int_equal(it.errors, 0);
    assert_int_equal(it.events, 1);
    free(p);
}

/* Slack carving: the third record left after the free space offset. */
static void check_carved(const struct ws_evtx_event *ev, void *u)
{
    int *carved = u;
    if (!ev->recovered) {
        assert_true(ev->record_id == 7 || ev->record_id == 8);
        return;
    }
    (*carved)++;
    assert_int_equal(ev->record_id, 9);
    assert_int_equal(ev->event_id, 1);
    assert_string_equal(ev->sys[WS_EVTX_SYS_PROVIDER].s, "Prov3");
    assert_string_equal(ev->fields[0].value.s, "third");
    assert_string_equal(ev->fields[1].value.s, "4294967295");
}

static void test_slack_recovery(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *p = make_chunk(recs);
    struct syn s = {p, recs[2]}; /* the chunk now ends before record 9 */
    s_chunk_finish(&s, 7, 8, recs[1]);
    struct items it;
    int carved = 0;
    run_chunk(p, SYN_CHUNK, 0, &it, check_carved, &carved);
    assert_int_equal(it.events, 2);
    assert_int_equal(carved, 0);
    run_chunk(p, SYN_CHUNK, WS_EVTX_CHUNK_RECOVER, &it, check_carved, &carved);
    assert_int_equal(it.errors, 0);
    assert_int_equal(it.events, 3);
    assert_int_equal(carved, 1);
    /* overwritten leftovers: garbage after the free space never errors */
    for (size_t i = recs[2] + 100; i < SYN_CHUNK; i += 3)
        p[i] = (uint8_t)(i * 7);
    run_chunk(p, SYN_CHUNK, WS_EVTX_CHUNK_RECOVER, &it, NULL, NULL);
    assert_int_equal(it.errors, 0);
    assert_true(it.events >= 2);
    free(p);
}

/* Dirty file: the header counts 1 chunk, the file holds 2 (+ a zero slot). */
static void test_file_dirty_header(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *c = make_chunk(recs);
    size_t n = 4096 + 3 * (size_t)SYN_CHUNK;
    uint8_t *f = calloc(1, n);
    s_file_header(f, 1, 1);
    memcpy(f + 4096, c, SYN_CHUNK);
    memcpy(f + 4096 + SYN_CHUNK, c, SYN_CHUNK);
    ws_evtx *r;
    assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
    int events = 0, errors = 0;
    for (int pass = 0; pass < 1000; pass++) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev;
        const struct ws_evtx_error *err;
        assert_int_equal(ws_evtx_next(r, &kind, &ev, &err), WS_OK);
        if (kind == WS_EVTX_END)
            break;
        if (kind == WS_EVTX_EVENT)
            events++;
        else
            errors++;
    }
    assert_int_equal(events, 6);
    assert_int_equal(errors, 0);
    assert_int_equal(ws_evtx_chunk_slots(r), 3);
    assert_int_equal(ws_evtx_header_chunk_count(r), 1);
    ws_evtx_free(r);
    /* bad file header magic: reported, chunks still read */
    f[0] = 'X';
    assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
    events = errors = 0;
    for (int pass = 0; pass < 1000; pass++) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev;
        const struct ws_evtx_error *err;
        assert_int_equal(ws_evtx_next(r, &kind, &ev, &err), WS_OK);
        if (kind == WS_EVTX_END)
            break;
        events += kind == WS_EVTX_EVENT;
        errors += kind == WS_EVTX_ERROR;
    }
    assert_int_equal(errors, 1);
    assert_int_equal(events, 6);
    ws_evtx_free(r);
    free(f);
    free(c);
}

/* ---- ws_evtx_parallel: many chunks, output in file order ---- */

#define PAR_CHUNKS 37u

/* A file of PAR_CHUNKS slots: slot k holds 1 + k % 4 records with ids
 * 10k+1.., slot 13 has a bad magic (an error), slot 20 is all zeros (quiet). */
static uint8_t *make_par_file(size_t *n)
{
    *n = 4096 + PAR_CHUNKS * (size_t)SYN_CHUNK;
    uint8_t *f = calloc(1, *n);
    assert_non_null(f);
    s_file_header(f, (uint16_t)PAR_CHUNKS, 0);
    for (unsigned k = 0; k < PAR_CHUNKS; k++) {
        if (k == 20)
            continue;
        struct syn s = {f + 4096 + (size_t)k * SYN_CHUNK, 0x200};
        size_t def = 0, last = 0;
        unsigned nrec = 1 + k % 4;
        for (unsigned i = 0; i < nrec; i++)
            last = s_record1(&s, 10u * k + 1 + i, FT1 + i, &def, "P", (uint16_t)(k + i), "c", k, 1);
        s_chunk_finish(&s, 10u * k + 1, 10u * k + nrec, last);
        if (k == 13)
            s.p[0] = 'X';
    }
    return f;
}

static ws_status par_line(struct ws_buf *out, enum ws_evtx_item kind,
                          const struct ws_evtx_event *ev, const struct ws_evtx_error *err)
{
    if (kind == WS_EVTX_EVENT)
        return ws_buf_addf(out, "E %llu %llu %u\n", (unsigned long long)ev->record_id,
                           (unsigned long long)ev->chunk, (unsigned)ev->event_id);
    return ws_buf_addf(out, "X %llu %llu %s\n", (unsigned long long)err->chunk,
                       (unsigned long long)err->offset, err->message);
}

static ws_status par_render(void *ctx, struct ws_buf *out, enum ws_evtx_item kind,
                            const struct ws_evtx_event *ev, const struct ws_evtx_error *err,
                            size_t *errors)
{
    (void)ctx;
    *errors += kind == WS_EVTX_ERROR;
    return par_line(out, kind, ev, err);
}

struct par_got {
    struct ws_buf all;
    uint64_t last; /* last chunk delivered, UINT64_MAX before any */
    size_t errors, delivers;
    uint64_t stop_at; /* deliver fails on this chunk */
};

static ws_status par_deliver(void *ctx, uint64_t chunk, const char *data, size_t len, size_t errors)
{
    struct par_got *g = ctx;
    if (chunk != UINT64_MAX) {
        /* file order: every slot once, increasing */
        assert_true(g->last == UINT64_MAX ? chunk == 0 : chunk == g->last + 1);
        g->last = chunk;
    }
    g->errors += errors;
    g->delivers++;
    assert_int_equal(ws_buf_add(&g->all, data, len), WS_OK);
    return chunk == g->stop_at ? WS_E_IO : WS_OK;
}

static ws_status par_item(void *ctx, enum ws_evtx_item kind, const struct ws_evtx_event *ev,
                          const struct ws_evtx_error *err)
{
    return par_line(ctx, kind, ev, err);
}

static void test_parallel_order(void **state)
{
    (void)state;
    size_t n;
    uint8_t *f = make_par_file(&n);
    for (int badhdr = 0; badhdr < 2; badhdr++) {
        f[0x18] ^= (uint8_t)badhdr; /* header crc32 mismatch: an error item first */
        /* reference: the sequential reader */
        struct ws_buf want;
        ws_buf_init(&want, 1u << 24);
        size_t want_errors = 0;
        ws_evtx *r;
        assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
        for (int pass = 0; pass < 10000; pass++) {
            enum ws_evtx_item kind;
            const struct ws_evtx_event *ev;
            const struct ws_evtx_error *err;
            assert_int_equal(ws_evtx_next(r, &kind, &ev, &err), WS_OK);
            if (kind == WS_EVTX_END)
                break;
            want_errors += kind == WS_EVTX_ERROR;
            assert_int_equal(par_line(&want, kind, ev, err), WS_OK);
        }
        ws_evtx_free(r);
        assert_int_equal(want_errors, 1u + (unsigned)badhdr); /* a zero slot is quiet */
        assert_true(badhdr ? want.data[0] == 'X' : want.data[0] == 'E');
        assert_non_null(strstr(want.data, "E 361 36 "));
        static const unsigned threads[] = {0, 1, 2, 3, 4, 8, 16, 99};
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            struct par_got g;
            memset(&g, 0, sizeof g);
            ws_buf_init(&g.all, 1u << 24);
            g.last = UINT64_MAX;
            g.stop_at = UINT64_MAX - 1;
            struct ws_evtx_par par = {threads[t], 1u << 20, par_render, par_deliver, &g};
            assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
            assert_int_equal(ws_evtx_parallel(r, &par), WS_OK);
            ws_evtx_free(r);
            assert_int_equal(g.last, PAR_CHUNKS - 1);
            assert_int_equal(g.errors, want_errors);
            assert_int_equal(g.all.len, want.len);
            assert_memory_equal(g.all.data, want.data, want.len);
            ws_buf_release(&g.all);
            /* a failing deliver stops everything after it */
            memset(&g, 0, sizeof g);
            ws_buf_init(&g.all, 1u << 24);
            g.last = UINT64_MAX;
            g.stop_at = 5;
            assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
            assert_int_equal(ws_evtx_parallel(r, &par), WS_E_IO);
            ws_evtx_free(r);
            assert_int_equal(g.last, 5);
            assert_int_equal(g.delivers, 6u + (unsigned)badhdr);
            ws_buf_release(&g.all);
            /* items one by one on this thread, as ws_evtx_next gives them */
            struct ws_buf items;
            ws_buf_init(&items, 1u << 24);
            assert_int_equal(ws_evtx_open_buffer(f, n, &r), WS_OK);
            assert_int_equal(ws_evtx_parallel_items(r, threads[t], par_item, &items), WS_OK);
            ws_evtx_free(r);
            assert_int_equal(items.len, want.len);
            assert_memory_equal(items.data, want.data, want.len);
            ws_buf_release(&items);
        }
        ws_buf_release(&want);
    }
    free(f);
}

/* Allocation failures at every point: a clean status, no leak, no crash. */
static void test_alloc_failures(void **state)
{
    (void)state;
    size_t recs[3];
    uint8_t *c = make_chunk(recs);
    size_t n = 4096 + SYN_CHUNK;
    uint8_t *f = calloc(1, n);
    s_file_header(f, 1, 0);
    memcpy(f + 4096, c, SYN_CHUNK);
    int completed = 0;
    for (unsigned long k = 1; k < 200 && !completed; k++) {
        ws_alloc_fail_at(k);
        ws_evtx *r = NULL;
        ws_status st = ws_evtx_open_buffer(f, n, &r);
        if (st != WS_OK) {
            assert_int_equal(st, WS_E_NOMEM);
            continue;
        }
        int events = 0;
        for (int pass = 0; pass < 100; pass++) {
            enum ws_evtx_item kind;
            const struct ws_evtx_event *ev;
            const struct ws_evtx_error *err;
            st = ws_evtx_next(r, &kind, &ev, &err);
            if (st != WS_OK || kind == WS_EVTX_END)
                break;
            events += kind == WS_EVTX_EVENT;
        }
        if (st == WS_OK && events == 3)
            completed = 1;
        ws_evtx_free(r);
    }
    ws_alloc_fail_at(0);
    assert_true(completed);
    free(f);
    free(c);
}

/* ---- values (expected strings printed by CPython 3.11) ---- */

static const char *render(struct ws_buf *b, uint8_t type, const void *p, size_t n)
{
    struct ws_bx_value v = {type, p, n};
    ws_buf_reset(b);
    assert_int_equal(ws_bx_render(b, &v), WS_OK);
    return b->data;
}

static void test_values(void **state)
{
    (void)state;
    struct ws_buf b;
    ws_buf_init(&b, 1 << 20);
    uint8_t le[16];
    /* filetime: datetime.utcfromtimestamp(float(q)*1e-7-11644473600).isoformat(' ') */
    static const struct {
        uint64_t q;
        const char *s;
    } ft[] = {{0, "1601-01-01 00:00:00"},
              {131976543210987654ull, "2019-03-21 15:05:21.098764"},
              {132000000000000000ull, "2019-04-17 18:40:00"},
              {116444736000000005ull, "1970-01-01 00:00:00"},
              {130000000000000001ull, "2012-12-14 23:06:40"},
              {9223372036854775808ull, "0001-01-01 00:00:00"}};
    for (size_t i = 0; i < sizeof ft / sizeof ft[0]; i++) {
        for (int k = 0; k < 8; k++)
            le[k] = (uint8_t)(ft[i].q >> (8 * k));
        assert_string_equal(render(&b, WS_BX_FILETIME, le, 8), ft[i].s);
    }
    /* repr(float) */
    static const struct {
        double d;
        const char *s;
    } dbl[] = {{0.1, "0.1"},
               {1.5, "1.5"},
               {100.0, "100.0"},
               {1e16, "1e+16"},
               {1e-5, "1e-05"},
               {0.0001, "0.0001"},
               {123456789.125, "123456789.125"},
               {-2.5e-300, "-2.5e-300"}};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        uint64_t bits;
        memcpy(&bits, &dbl[i].d, 8);
        for (int k = 0; k < 8; k++)
            le[k] = (uint8_t)(bits >> (8 * k));
        assert_string_equal(render(&b, WS_BX_DOUBLE, le, 8), dbl[i].s);
    }
    float f01 = 0.1f;
    uint32_t fb;
    memcpy(&fb, &f01, 4);
    for (int k = 0; k < 4; k++)
        le[k] = (uint8_t)(fb >> (8 * k));
    assert_string_equal(render(&b, WS_BX_FLOAT, le, 4), "0.10000000149011612");
    /* base64.b64encode(b'\x00\xff\x10\x20\x30') */
    assert_string_equal(render(&b, WS_BX_BINARY, "\x00\xff\x10\x20\x30", 5), "AP8QIDA=");
    assert_string_equal(render(&b, WS_BX_BOOL, "\x01\x00\x00\x00", 4), "True");
    assert_string_equal(render(&b, WS_BX_BOOL, "\xff\xff\xff\xff", 4), "False");
    assert_string_equal(render(&b, WS_BX_INT8, "\xff", 1), "-1");
    assert_string_equal(render(&b, WS_BX_UINT64, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
                        "18446744073709551615");
    assert_string_equal(render(&b, WS_BX_HEX32, "\x10\x00\x00\x00", 4), "0x00000010");
    assert_string_equal(render(&b, WS_BX_HEX64, "\x00\x00\x00\x00\x00\x00\x80\x80", 8),
                        "0x8080000000000000");
    assert_string_equal(render(&b, WS_BX_GUID,
                               "\xd1\x08\x59\x55\xd7\xa6\x95\x46\x8e\x1e\x26\x93\x1d\x20\x12\xf4",
                               16),
                        "{555908d1-a6d7-4695-8e1e-26931d2012f4}");
    assert_string_equal(render(&b, WS_BX_SID,
                               "\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00"
                               "\x82\x31\x98\x5e\xa2\xb3\xc1\x58\x73\x49\xc1\x3d\x54\x04\x00\x00",
                               28),
                        "S-1-5-21-1587032450-1489089442-1036077427-1108");
    /* a SID claiming more sub-authorities than its bytes: what fits */
    assert_string_equal(
        render(&b, WS_BX_SID, "\x01\x09\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12), "S-1-5-18");
    assert_string_equal(render(&b, WS_BX_WSTRING, "a\0b\0\0\0", 6), "ab");
    assert_string_equal(render(&b, WS_BX_WSTRING, "\x3d\xd8\x00\xde", 4), "\xf0\x9f\x98\x80");
    assert_string_equal(render(&b, WS_BX_WSTRING, "\x3d\xd8x\0", 4), "\xef\xbf\xbdx");
    assert_string_equal(render(&b, WS_BX_WSTRING | WS_BX_ARRAY, "a\0\0\0\0\0b\0\0\0", 10),
                        "<string>a</string>\n<string></string>\n<string>b</string>\n");
    assert_string_equal(render(&b, WS_BX_UINT16 | WS_BX_ARRAY, "\x01\x00\x02\x00", 4), "1, 2");
    assert_string_equal(render(&b, WS_BX_SYSTEMTIME,
                               "\xe3\x07\x03\x00\x00\x00\x15\x00\x0f\x00\x05\x00\x15\x00\x7b\x00",
                               16),
                        "2019-03-21 15:05:21.123000");
    /* short values render as "" */
    assert_string_equal(render(&b, WS_BX_UINT32, "\x01\x02", 2), "");
    assert_string_equal(render(&b, WS_BX_GUID, "\x01\x02", 2), "");
    assert_string_equal(render(&b, WS_BX_SIZE, "\x01\x00\x00\x00", 4), "1");
    assert_string_equal(render(&b, WS_BX_SIZE, "\x01\x00\x00\x00\x00", 5), "");
    ws_buf_release(&b);
    char iso[40];
    assert_int_equal(ws_evtx_filetime_iso(FT1, iso, sizeof iso), 28);
    assert_string_equal(iso, "2019-03-21T15:05:21.0987654Z");
    ws_evtx_filetime_iso(0, iso, sizeof iso);
    assert_string_equal(iso, "1601-01-01T00:00:00.0000000Z");
    assert_int_equal(ws_evtx_filetime_unix(116444736000000000ull), 0);
}

static void test_error_finding(void **state)
{
    (void)state;
    struct ws_evtx_error e = {WS_E_CORRUPT, "bad record magic", 3, 200000, 1, 42};
    struct ws_kv kv[3];
    struct ws_finding f;
    ws_evtx_error_finding(&e, "/x/System.evtx", kv, &f);
    assert_int_equal(f.kind, WS_FINDING_ERROR);
    assert_int_equal(f.error_code, WS_E_CORRUPT);
    assert_string_equal(f.message, "bad record magic");
    assert_int_equal(f.path_len, 14);
    assert_int_equal(f.n_fields, 2);
    assert_string_equal(f.fields[1].key, "winlog.record_id");
    assert_int_equal(f.fields[1].num, 42);
    assert_int_equal(f.n_evidence, 1);
    assert_int_equal(f.evidence[0].num, 3);
    e.has_record_id = 0;
    e.chunk = UINT64_MAX;
    ws_evtx_error_finding(&e, "/x/System.evtx", kv, &f);
    assert_int_equal(f.n_fields, 1);
    assert_int_equal(f.n_evidence, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_chunk_valid),
        cmocka_unit_test(test_optional_substitution),
        cmocka_unit_test(test_template_compiled_once),
        cmocka_unit_test(test_bad_header_crc),
        cmocka_unit_test(test_bad_data_crc),
        cmocka_unit_test(test_bad_chunk_magic),
        cmocka_unit_test(test_bad_record_magic_resyncs),
        cmocka_unit_test(test_bad_record_size),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_template_reference_out_of_range),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_userdata_nested_binxml),
        cmocka_unit_test(test_slack_recovery),
        cmocka_unit_test(test_file_dirty_header),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_parallel_order),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_error_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * evt.c - legacy EVT logs through libevt (see evt.h for the mapping).
 *
 * libevt parses the file (header, records, the wrap-around of the circular
 * buffer); we iterate its allocated records by index and copy what we keep
 * into one per-record text buffer, as the EVTX builder does. A record libevt
 * cannot read becomes an error item and iteration goes on.
 *
 * libevt says nothing when a log stops early (a cut copy: the records after
 * the cut and the end-of-file record are missing), so we read the header's
 * record numbers from the first bytes the caller read (file.c): records
 * oldest..current-1 were written. The header of a dirty log (every log
 * copied from a live XP system) is stale, but only ever behind the records,
 * so ending before current-1 still means records were lost: one error item
 * after the last record says so.
 */
#include "core/compat.h"

#include <string.h>

#include "core/cur.h"
#include "evtx/evt.h"

int ws_evt_sniff(const uint8_t *p, size_t n)
{
    return n >= 8 && p[0] == 0x30 && p[1] == 0 && p[2] == 0 && p[3] == 0 &&
           memcmp(p + 4, "LfLe", 4) == 0;
}

#ifndef HAVE_LIBEVT

ws_status ws_evt_open(const char *path, const uint8_t *head, size_t head_len, struct ws_evt **out)
{
    (void)path;
    (void)head;
    (void)head_len;
    (void)out;
    return WS_E_UNSUPPORTED;
}

void ws_evt_free(struct ws_evt *e)
{
    (void)e;
}

void ws_evt_set_recover(struct ws_evt *e, int on)
{
    (void)e;
    (void)on;
}

ws_status ws_evt_next(struct ws_evt *e, enum ws_evtx_item *kind, const struct ws_evtx_event **ev,
                      const struct ws_evtx_error **err)
{
    (void)e;
    (void)ev;
    (void)err;
    *kind = WS_EVTX_END;
    return WS_E_UNSUPPORTED;
}

#else

#include <libevt.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"

/* Insertion strings kept per record: the EVT format stores their count in a
 * 16-bit field; ReportEvent takes at most a few hundred. */
#define EVT_MAX_STRINGS 1024

struct ws_evt {
    libevt_file_t *file;
    int count, next;
    int recover, n_recovered, next_recovered;
    int has_header, end_checked, any_read;
    uint32_t hdr_current, hdr_oldest, max_read; /* header record numbers; highest read */
    struct ws_buf text;
    struct ws_evtx_field fields[EVT_MAX_STRINGS];
    size_t name_off[EVT_MAX_STRINGS], val_off[EVT_MAX_STRINGS];
    size_t sys_off[WS_EVTX_SYS_COUNT];
    int sys_set[WS_EVTX_SYS_COUNT];
    struct ws_evtx_event ev;
    struct ws_evtx_error err;
};

/* The header's current (next to be written) and oldest record numbers
 * (ELF_LOGFILE_HEADER; libyal "Windows Event Log (EVT) format" section 2):
 *   0 size 0x30 | 4 "LfLe" | 8 major | 12 minor | 16 first record offset |
 *   20 end-of-file record offset | 24 current record number | 28 oldest
 *   record number | 32 max size | 36 flags | 40 retention | 44 size copy */
static void read_header(struct ws_evt *e, const uint8_t *h, size_t n)
{
    struct ws_cur c;
    uint32_t current, oldest;
    ws_cur_init(&c, h, n < WS_EVT_HEADER_SIZE ? n : WS_EVT_HEADER_SIZE);
    if (n >= WS_EVT_HEADER_SIZE && ws_evt_sniff(h, n) && ws_cur_seek(&c, 24) == WS_OK &&
        ws_cur_le32(&c, &current) == WS_OK && ws_cur_le32(&c, &oldest) == WS_OK) {
        e->hdr_current = current;
        e->hdr_oldest = oldest;
        e->has_header = 1;
    }
}

ws_status ws_evt_open(const char *path, const uint8_t *head, size_t head_len, struct ws_evt **out)
{
    libevt_error_t *error = NULL;
    struct ws_evt *e = ws_calloc(1, sizeof *e);
    if (!e)
        return WS_E_NOMEM;
    ws_buf_init(&e->text, WS_EVTX_MAX_RECORD_TEXT);
    if (libevt_file_initialize(&e->file, &error) != 1)
        goto fail;
    if (libevt_file_open(e->file, path, LIBEVT_OPEN_READ, &error) != 1)
        goto fail;
    if (libevt_file_get_number_of_records(e->file, &e->count, &error) != 1)
        goto fail;
    if (libevt_file_get_number_of_recovered_records(e->file, &e->n_recovered, &error) != 1) {
        libevt_error_free(&error);
        e->n_recovered = 0;
    }
    if (head)
        read_header(e, head, head_len);
    *out = e;
    return WS_OK;
fail:
    libevt_error_free(&error);
    ws_evt_free(e);
    return WS_E_CORRUPT;
}

void ws_evt_free(struct ws_evt *e)
{
    if (!e)
        return;
    if (e->file) {
        libevt_error_t *error = NULL;
        libevt_file_close(e->file, &error);
        libevt_error_free(&error);
        libevt_file_free(&e->file, NULL);
    }
    ws_buf_release(&e->text);
    ws_free(e);
}

void ws_evt_set_recover(struct ws_evt *e, int on)
{
    e->recover = on;
}

typedef int (*size_fn)(libevt_record_t *, size_t *, libevt_error_t **);
typedef int (*get_fn)(libevt_record_t *, uint8_t *, size_t, libevt_error_t **);

/* Append a libevt UTF-8 string (with its NUL) to the text; *off is where
 * it starts. Returns WS_E_NOT_FOUND when the record has none. */
static ws_status add_string(struct ws_evt *e, libevt_record_t *rec, size_fn sz, get_fn get,
                            size_t *off)
{
    libevt_error_t *error = NULL;
    size_t n = 0;
    char *dst;
    ws_status st;
    int r = sz(rec, &n, &error);
    if (r != 1 || n == 0) {
        libevt_error_free(&error);
        return r == 0 || n == 0 ? WS_E_NOT_FOUND : WS_E_CORRUPT;
    }
    if ((st = ws_buf_reserve(&e->text, n, &dst)) != WS_OK)
        return st;
    if (get(rec, (uint8_t *)dst, n, &error) != 1) {
        libevt_error_free(&error);
        return WS_E_CORRUPT;
    }
    dst[n - 1] = '\0';
    *off = e->text.len;
    e->text.len += strlen(dst) + 1;
    e->text.data[e->text.len] = '\0';
    return WS_OK;
}

static ws_status add_sys_text(struct ws_evt *e, int k, const char *s)
{
    size_t off = e->text.len;
    ws_status st = ws_buf_add(&e->text, s, strlen(s) + 1);
    if (st == WS_OK) {
        e->sys_off[k] = off;
        e->sys_set[k] = 1;
    }
    return st;
}

static ws_status add_sys_num(struct ws_evt *e, int k, uint64_t v)
{
    char t[24];
    size_t i = sizeof t;
    t[--i] = '\0';
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return add_sys_text(e, k, t + i);
}

static ws_status read_record(struct ws_evt *e, libevt_record_t *rec)
{
    libevt_error_t *error = NULL;
    uint32_t id, created, eid;
    uint16_t type, category;
    off64_t offset = 0;
    int nstr = 0;
    ws_status st;
    if (libevt_record_get_identifier(rec, &id, &error) != 1 ||
        libevt_record_get_creation_time(rec, &created, &error) != 1 ||
        libevt_record_get_event_identifier(rec, &eid, &error) != 1 ||
        libevt_record_get_event_type(rec, &type, &error) != 1 ||
        libevt_record_get_event_category(rec, &category, &error) != 1 ||
        libevt_record_get_number_of_strings(rec, &nstr, &error) != 1) {
        libevt_error_free(&error);
        return WS_E_CORRUPT;
    }
    (void)libevt_record_get_offset(rec, &offset, &error);
    libevt_error_free(&error);
    ws_buf_reset(&e->text);
    memset(e->sys_set, 0, sizeof e->sys_set);
    memset(&e->ev, 0, sizeof e->ev);
    e->ev.record_id = id;
    /* creation time is a signed 32-bit POSIX time */
    e->ev.filetime = (uint64_t)((int64_t)(int32_t)created + 11644473600ll) * 10000000u;
    e->ev.offset = offset > 0 ? (uint64_t)offset : 0;
    e->ev.has_event_id = 1;
    e->ev.event_id = eid & 0xFFFFu;
    e->ev.has_qualifiers = 1;
    e->ev.qualifiers = eid >> 16;
    size_t off;
    st = add_string(e, rec, libevt_record_get_utf8_source_name_size,
                    libevt_record_get_utf8_source_name, &off);
    if (st == WS_OK) {
        e->sys_off[WS_EVTX_SYS_PROVIDER] = off;
        e->sys_set[WS_EVTX_SYS_PROVIDER] = 1;
    }
    if (st == WS_OK || st == WS_E_NOT_FOUND)
        st = add_string(e, rec, libevt_record_get_utf8_computer_name_size,
                        libevt_record_get_utf8_computer_name, &off);
    if (st == WS_OK) {
        e->sys_off[WS_EVTX_SYS_COMPUTER] = off;
        e->sys_set[WS_EVTX_SYS_COMPUTER] = 1;
    }
    if (st == WS_OK || st == WS_E_NOT_FOUND)
        st = add_string(e, rec, libevt_record_get_utf8_user_security_identifier_size,
                        libevt_record_get_utf8_user_security_identifier, &off);
    if (st == WS_OK) {
        e->sys_off[WS_EVTX_SYS_USER_ID] = off;
        e->sys_set[WS_EVTX_SYS_USER_ID] = 1;
    }
    if (st != WS_OK && st != WS_E_NOT_FOUND)
        return st;
    int level = type == 1 ? 2 : type == 2 ? 3 : type == 4 ? 4 : 0;
    if ((st = add_sys_num(e, WS_EVTX_SYS_EVENT_ID, e->ev.event_id)) != WS_OK ||
        (st = add_sys_num(e, WS_EVTX_SYS_QUALIFIERS, e->ev.qualifiers)) != WS_OK ||
        (st = add_sys_num(e, WS_EVTX_SYS_LEVEL, (uint64_t)level)) != WS_OK ||
        (st = add_sys_num(e, WS_EVTX_SYS_TASK, category)) != WS_OK ||
        (st = add_sys_num(e, WS_EVTX_SYS_EVENT_RECORD_ID, id)) != WS_OK)
        return st;
    if (type == 8 || type == 16)
        st = add_sys_text(e, WS_EVTX_SYS_KEYWORDS,
                          type == 8 ? "0x8020000000000000" : "0x8010000000000000");
    if (st != WS_OK)
        return st;
    if (nstr < 0 || nstr > EVT_MAX_STRINGS)
        return WS_E_TOO_LARGE;
    size_t n = 0;
    for (int i = 0; i < nstr; i++) {
        size_t noff = e->text.len;
        if ((st = ws_buf_addf(&e->text, "param%d", i + 1)) != WS_OK ||
            (st = ws_buf_addc(&e->text, '\0')) != WS_OK)
            return st;
        libevt_error_t *er = NULL;
        size_t sz = 0;
        char *dst;
        if (libevt_record_get_utf8_string_size(rec, i, &sz, &er) != 1) {
            libevt_error_free(&er);
            return WS_E_CORRUPT;
        }
        size_t voff = e->text.len;
        if (sz == 0) {
            st = ws_buf_addc(&e->text, '\0');
        } else if ((st = ws_buf_reserve(&e->text, sz, &dst)) == WS_OK) {
            if (libevt_record_get_utf8_string(rec, i, (uint8_t *)dst, sz, &er) != 1) {
                libevt_error_free(&er);
                return WS_E_CORRUPT;
            }
            dst[sz - 1] = '\0';
            e->text.len += strlen(dst) + 1;
            e->text.data[e->text.len] = '\0';
        }
        if (st != WS_OK)
            return st;
        e->name_off[n] = noff;
        e->val_off[n] = voff;
        n++;
    }
    /* offsets to pointers, now that the text no longer moves */
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++) {
        if (e->sys_set[k]) {
            e->ev.sys[k].s = e->text.data + e->sys_off[k];
            e->ev.sys[k].len = strlen(e->ev.sys[k].s);
        }
    }
    for (size_t i = 0; i < n; i++) {
        e->fields[i].name.s = e->text.data + e->name_off[i];
        e->fields[i].name.len = strlen(e->fields[i].name.s);
        e->fields[i].value.s = e->text.data + e->val_off[i];
        e->fields[i].value.len = strlen(e->fields[i].value.s);
    }
    e->ev.fields = e->fields;
    e->ev.n_fields = n;
    return WS_OK;
}

ws_status ws_evt_next(struct ws_evt *e, enum ws_evtx_item *kind, const struct ws_evtx_event **ev,
                      const struct ws_evtx_error **err)
{
    int recovered = 0, index;
    if (e->next >= e->count && !e->end_checked) {
        /* the header names records up to current-1 (oldest 0: an empty log) */
        e->end_checked = 1;
        if (e->has_header && e->hdr_oldest > 0 && e->hdr_current > e->hdr_oldest &&
            (!e->any_read || e->max_read < e->hdr_current - 1)) {
            memset(&e->err, 0, sizeof e->err);
            e->err.code = WS_E_TRUNCATED;
            e->err.message = "EVT log ends before the last record its header names (cut copy?)";
            e->err.chunk = UINT64_MAX;
            e->err.offset = 0;
            e->err.has_record_id = 1;
            e->err.record_id = e->hdr_current - 1;
            *kind = WS_EVTX_ERROR;
            *err = &e->err;
            return WS_OK;
        }
    }
    if (e->next < e->count) {
        index = e->next++; /* < count <= INT_MAX */
    } else if (e->recover && e->next_recovered < e->n_recovered) {
        index = e->next_recovered++;
        recovered = 1;
    } else {
        *kind = WS_EVTX_END;
        return WS_OK;
    }
    libevt_record_t *rec = NULL;
    libevt_error_t *error = NULL;
    ws_status st = WS_E_CORRUPT;
    int got = recovered ? libevt_file_get_recovered_record_by_index(e->file, index, &rec, &error)
                        : libevt_file_get_record_by_index(e->file, index, &rec, &error);
    if (got == 1)
        st = read_record(e, rec);
    e->ev.recovered = recovered;
    if (st == WS_OK && !recovered) {
        if (!e->any_read || e->ev.record_id > e->max_read)
            e->max_read = (uint32_t)e->ev.record_id;
        e->any_read = 1;
    }
    libevt_error_free(&error);
    if (rec)
        libevt_record_free(&rec, NULL);
    if (st == WS_E_NOMEM)
        return st;
    if (st != WS_OK) {
        memset(&e->err, 0, sizeof e->err);
        e->err.code = st;
        e->err.message = "EVT record cannot be read";
        e->err.chunk = UINT64_MAX;
        e->err.offset = 0; /* libevt gives no offset for a record it cannot read */
        *kind = WS_EVTX_ERROR;
        *err = &e->err;
        return WS_OK;
    }
    *kind = WS_EVTX_EVENT;
    *ev = &e->ev;
    return WS_OK;
}

#endif

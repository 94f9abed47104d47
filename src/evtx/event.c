/*
 * event.c - the BinXML sink that builds a struct ws_evtx_event.
 *
 * Paths (depth 1 is the root <Event>):
 *   Event/System/X            System fields: X's text or attributes (table)
 *   Event/EventData/Data      field: Name attribute (or paramN) -> text
 *   Event/EventData/X         field: X -> text (e.g. <Binary>)
 *   Event/UserData/.../Leaf   field: local name of each leaf element -> text
 * Text of an element is what python-evtx's XML gives as the element's .text
 * after parsing: the pieces before its first child element. Each element
 * that is kept appends its text to the record buffer; a frame remembers
 * where its text starts and, if a child interrupts it, where it stops, so
 * every kept value is one contiguous run of the buffer.
 *
 * Fields are recorded as offsets while the buffer may still grow, and turned
 * into pointers in ws_evb_finish().
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/text.h"
#include "evtx/event.h"

enum section { SEC_NONE = 0, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA, SEC_OTHER };

static const char empty[1] = "";

/* System children: element, the field its text goes to (-1: none), and its
 * attributes. */
struct sys_attr {
    const char *name;
    int field;
};
struct sys_elem {
    const char *name;
    int text;
    struct sys_attr attrs[3];
};
static const struct sys_elem sys_elems[] = {
    {"Provider",
     -1,
     {{"Name", WS_EVTX_SYS_PROVIDER},
      {"Guid", WS_EVTX_SYS_PROVIDER_GUID},
      {"EventSourceName", WS_EVTX_SYS_EVENT_SOURCE}}},
    {"EventID", WS_EVTX_SYS_EVENT_ID, {{"Qualifiers", WS_EVTX_SYS_QUALIFIERS}}},
    {"Version", WS_EVTX_SYS_VERSION, {{NULL, 0}}},
    {"Level", WS_EVTX_SYS_LEVEL, {{NULL, 0}}},
    {"Task", WS_EVTX_SYS_TASK, {{NULL, 0}}},
    {"Opcode", WS_EVTX_SYS_OPCODE, {{NULL, 0}}},
    {"Keywords", WS_EVTX_SYS_KEYWORDS, {{NULL, 0}}},
    {"TimeCreated", -1, {{"SystemTime", WS_EVTX_SYS_TIME_CREATED}}},
    {"EventRecordID", WS_EVTX_SYS_EVENT_RECORD_ID, {{NULL, 0}}},
    {"Correlation",
     -1,
     {{"ActivityID", WS_EVTX_SYS_ACTIVITY_ID},
      {"RelatedActivityID", WS_EVTX_SYS_RELATED_ACTIVITY}}},
    {"Execution", -1, {{"ProcessID", WS_EVTX_SYS_PROCESS_ID}, {"ThreadID", WS_EVTX_SYS_THREAD_ID}}},
    {"Channel", WS_EVTX_SYS_CHANNEL, {{NULL, 0}}},
    {"Computer", WS_EVTX_SYS_COMPUTER, {{NULL, 0}}},
    {"Security", -1, {{"UserID", WS_EVTX_SYS_USER_ID}}},
};

static int name_is(const char *name, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(name, lit, n) == 0;
}

static const struct sys_elem *find_sys(const char *name, size_t len)
{
    for (size_t i = 0; i < WS_ARRAY_LEN(sys_elems); i++)
        if (name_is(name, len, sys_elems[i].name))
            return &sys_elems[i];
    return NULL;
}

/* ---- the sink ---- */

static ws_status add_ref(struct ws_evtx_builder *b, const char *name, size_t name_off,
                         size_t name_len, size_t val_off, size_t val_len)
{
    if (b->n_refs >= WS_EVTX_MAX_FIELDS)
        return WS_E_TOO_LARGE;
    if (WS_GROW(b->refs, b->cap_refs, b->n_refs + 1) != 0)
        return WS_E_NOMEM;
    struct evb_ref *r = &b->refs[b->n_refs++];
    r->name = name;
    r->name_off = name_off;
    r->name_len = name_len;
    r->val_off = val_off;
    r->val_len = val_len;
    return WS_OK;
}

static ws_status on_open(void *user, const char *name, size_t len)
{
    struct ws_evtx_builder *b = user;
    if (b->depth >= WS_EVTX_MAX_DEPTH)
        return WS_E_TOO_LARGE;
    struct evb_frame *parent = b->depth > 0 ? &b->stack[b->depth] : NULL;
    struct evb_frame *f = &b->stack[++b->depth];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->len = len;
    f->sys = -1;
    f->text_start = SIZE_MAX;
    if (parent) {
        parent->has_child = 1;
        if (parent->capture && !parent->frozen) {
            parent->frozen = 1;
            parent->text_end = b->text.len;
        }
    }
    if (b->depth == 2) {
        if (name_is(name, len, "System"))
            f->section = SEC_SYSTEM;
        else if (name_is(name, len, "EventData"))
            f->section = SEC_EVENTDATA;
        else if (name_is(name, len, "UserData"))
            f->section = SEC_USERDATA;
        else
            f->section = SEC_OTHER;
        return WS_OK;
    }
    if (b->depth < 2) {
        f->section = SEC_NONE;
        return WS_OK;
    }
    f->section = parent->section;
    switch (f->section) {
    case SEC_SYSTEM:
        if (b->depth == 3) {
            const struct sys_elem *se = find_sys(name, len);
            if (se && se->text >= 0) {
                f->sys = (int8_t)se->text;
                f->capture = 1;
            }
        }
        break;
    case SEC_EVENTDATA:
        f->capture = b->depth == 3;
        break;
    case SEC_USERDATA:
        f->capture = 1;
        break;
    default:
        break;
    }
    return WS_OK;
}

static ws_status render_nul(struct ws_evtx_builder *b, const struct ws_bx_value *v, size_t *off,
                            size_t *len)
{
    size_t start = b->text.len;
    ws_status st = ws_bx_render(&b->text, v);
    if (st == WS_OK)
        st = ws_buf_addc(&b->text, '\0');
    if (st != WS_OK)
        return st;
    *off = start;
    *len = b->text.len - start - 1;
    return WS_OK;
}

static ws_status on_attr(void *user, const char *name, size_t len, const struct ws_bx_value *v)
{
    struct ws_evtx_builder *b = user;
    struct evb_frame *f = &b->stack[b->depth];
    if (b->depth != 3)
        return WS_OK;
    if (f->section == SEC_SYSTEM) {
        const struct sys_elem *se = find_sys(f->name, f->len);
        if (!se)
            return WS_OK;
        for (size_t i = 0; i < WS_ARRAY_LEN(se->attrs) && se->attrs[i].name; i++) {
            if (!name_is(name, len, se->attrs[i].name))
                continue;
            int k = se->attrs[i].field;
            if (b->sys_set[k])
                return WS_OK; /* first one wins */
            ws_status st = render_nul(b, v, &b->sys_off[k], &b->sys_len[k]);
            if (st == WS_OK)
                b->sys_set[k] = 1;
            return st;
        }
    } else if (f->section == SEC_EVENTDATA && name_is(f->name, f->len, "Data") &&
               name_is(name, len, "Name") && !f->has_dname) {
        ws_status st = render_nul(b, v, &f->dname_off, &f->dname_len);
        if (st == WS_OK)
            f->has_dname = 1;
        return st;
    }
    return WS_OK;
}

static ws_status on_text(void *user, const struct ws_bx_value *v)
{
    struct ws_evtx_builder *b = user;
    struct evb_frame *f = &b->stack[b->depth];
    if (b->depth == 0 || !f->capture || f->frozen)
        return WS_OK;
    if (f->text_start == SIZE_MAX)
        f->text_start = b->text.len;
    return ws_bx_render(&b->text, v);
}

/* The frame's text as (off, len), NUL-terminated in the buffer. */
static ws_status frame_text(struct ws_evtx_builder *b, struct evb_frame *f, size_t *off,
                            size_t *len)
{
    ws_status st;
    if (f->text_start == SIZE_MAX) {
        *off = SIZE_MAX; /* empty */
        *len = 0;
        return WS_OK;
    }
    if (!f->frozen) {
        *off = f->text_start;
        *len = b->text.len - f->text_start;
        return ws_buf_addc(&b->text, '\0');
    }
    /* interrupted by a child: copy the run to the end and terminate it */
    size_t n = f->text_end - f->text_start;
    char *dst;
    if ((st = ws_buf_reserve(&b->text, n + 1, &dst)) != WS_OK)
        return st;
    memcpy(dst, b->text.data + f->text_start, n);
    dst[n] = '\0';
    *off = b->text.len;
    *len = n;
    b->text.len += n + 1;
    b->text.data[b->text.len] = '\0';
    return WS_OK;
}

static ws_status on_close(void *user)
{
    struct ws_evtx_builder *b = user;
    ws_status st = WS_OK;
    if (b->depth == 0)
        return WS_E_CORRUPT;
    struct evb_frame *f = &b->stack[b->depth];
    if (f->capture) {
        size_t off, len;
        if ((st = frame_text(b, f, &off, &len)) != WS_OK)
            return st;
        if (f->section == SEC_SYSTEM && f->sys >= 0) {
            if (!b->sys_set[f->sys]) {
                b->sys_set[f->sys] = 1;
                b->sys_off[f->sys] = off;
                b->sys_len[f->sys] = len;
            }
        } else if (f->section == SEC_EVENTDATA) {
            if (name_is(f->name, f->len, "Data")) {
                if (f->has_dname) {
                    st = add_ref(b, NULL, f->dname_off, f->dname_len, off, len);
                } else {
                    size_t noff = b->text.len;
                    st = ws_buf_addf(&b->text, "param%u", ++b->n_params);
                    if (st == WS_OK)
                        st = ws_buf_addc(&b->text, '\0');
                    if (st == WS_OK)
                        st = add_ref(b, NULL, noff, b->text.len - noff - 1, off, len);
                }
            } else {
                st = add_ref(b, f->name, 0, f->len, off, len);
            }
        } else if (f->section == SEC_USERDATA && !f->has_child) {
            const char *name = f->name;
            size_t nlen = f->len;
            const char *colon = memchr(name, ':', nlen);
            if (colon) {
                nlen -= (size_t)(colon + 1 - name);
                name = colon + 1;
            }
            st = add_ref(b, name, 0, nlen, off, len);
        }
    }
    b->depth--;
    return st;
}

/* ---- lifecycle ---- */

void ws_evb_init(struct ws_evtx_builder *b)
{
    memset(b, 0, sizeof *b);
    ws_buf_init(&b->text, WS_EVTX_MAX_RECORD_TEXT);
    b->sink.user = b;
    b->sink.open = on_open;
    b->sink.attr = on_attr;
    b->sink.text = on_text;
    b->sink.close = on_close;
}

void ws_evb_release(struct ws_evtx_builder *b)
{
    ws_buf_release(&b->text);
    WS_FREE_AND_NULL(b->refs);
    WS_FREE_AND_NULL(b->fields);
    b->cap_refs = b->cap_fields = 0;
}

void ws_evb_reset(struct ws_evtx_builder *b)
{
    ws_buf_reset(&b->text);
    b->depth = 0;
    b->n_params = 0;
    b->n_refs = 0;
    memset(b->sys_set, 0, sizeof b->sys_set);
}

static struct ws_evtx_str text_at(const struct ws_evtx_builder *b, size_t off, size_t len)
{
    struct ws_evtx_str s;
    if (off == SIZE_MAX) {
        s.s = empty;
        s.len = 0;
    } else {
        s.s = b->text.data + off;
        s.len = len;
    }
    return s;
}

/* Decimal text to a number no larger than max; 0 if it is not one. */
static int parse_num(struct ws_evtx_str s, uint64_t max, uint64_t *out)
{
    const char *p = s.s;
    if (!p || s.len == 0)
        return 0;
    if (ws_parse_u64(&p, s.s + s.len, max, out) != WS_OK || p != s.s + s.len)
        return 0;
    return 1;
}

ws_status ws_evb_finish(struct ws_evtx_builder *b, struct ws_evtx_event *ev)
{
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++) {
        if (b->sys_set[k]) {
            ev->sys[k] = text_at(b, b->sys_off[k], b->sys_len[k]);
        } else {
            ev->sys[k].s = NULL;
            ev->sys[k].len = 0;
        }
    }
    uint64_t v;
    ev->has_event_id = parse_num(ev->sys[WS_EVTX_SYS_EVENT_ID], UINT32_MAX, &v);
    ev->event_id = ev->has_event_id ? (uint32_t)v : 0;
    ev->has_qualifiers = parse_num(ev->sys[WS_EVTX_SYS_QUALIFIERS], UINT32_MAX, &v);
    ev->qualifiers = ev->has_qualifiers ? (uint32_t)v : 0;
    if (WS_GROW(b->fields, b->cap_fields, b->n_refs) != 0)
        return WS_E_NOMEM;
    for (size_t i = 0; i < b->n_refs; i++) {
        const struct evb_ref *r = &b->refs[i];
        struct ws_evtx_field *f = &b->fields[i];
        f->name.s = r->name ? r->name : b->text.data + r->name_off;
        f->name.len = r->name_len;
        f->value = text_at(b, r->val_off, r->val_len);
    }
    ev->fields = b->fields;
    ev->n_fields = b->n_refs;
    return WS_OK;
}

/* ---------------------------------------------------------------------------
 * System field names (the element or attribute each enum ws_evtx_sys holds)
 * ------------------------------------------------------------------------- */

static const char *const sys_names[WS_EVTX_SYS_COUNT] = {
    [WS_EVTX_SYS_PROVIDER] = "Provider",
    [WS_EVTX_SYS_PROVIDER_GUID] = "ProviderGuid",
    [WS_EVTX_SYS_EVENT_SOURCE] = "EventSourceName",
    [WS_EVTX_SYS_EVENT_ID] = "EventID",
    [WS_EVTX_SYS_QUALIFIERS] = "Qualifiers",
    [WS_EVTX_SYS_VERSION] = "Version",
    [WS_EVTX_SYS_LEVEL] = "Level",
    [WS_EVTX_SYS_TASK] = "Task",
    [WS_EVTX_SYS_OPCODE] = "Opcode",
    [WS_EVTX_SYS_KEYWORDS] = "Keywords",
    [WS_EVTX_SYS_TIME_CREATED] = "TimeCreated",
    [WS_EVTX_SYS_EVENT_RECORD_ID] = "EventRecordID",
    [WS_EVTX_SYS_ACTIVITY_ID] = "ActivityID",
    [WS_EVTX_SYS_RELATED_ACTIVITY] = "RelatedActivityID",
    [WS_EVTX_SYS_PROCESS_ID] = "ProcessID",
    [WS_EVTX_SYS_THREAD_ID] = "ThreadID",
    [WS_EVTX_SYS_CHANNEL] = "Channel",
    [WS_EVTX_SYS_COMPUTER] = "Computer",
    [WS_EVTX_SYS_USER_ID] = "UserID",
};

const char *ws_evtx_sys_name(enum ws_evtx_sys k)
{
    return (unsigned)k < WS_EVTX_SYS_COUNT ? sys_names[k] : "";
}

/*
 * event.h - building a struct ws_evtx_event from the BinXML event stream.
 *
 * The builder is the sink of the BinXML walk (binxml.h). It tracks the
 * element path and renders to text only what it keeps: the System fields
 * (by element and attribute name), each EventData child (Data Name="X", or
 * paramN for unnamed Data, or the element name) and each UserData leaf
 * element. Everything it renders goes into one per-record text buffer with
 * a hard cap (WS_EVTX_MAX_RECORD_TEXT), reset (not freed) between records.
 *
 * Thread rule: one thread at a time per builder.
 */
#ifndef WS_EVTX_EVENT_H
#define WS_EVTX_EVENT_H

#include "core/buf.h"
#include "core/limits.h"
#include "evtx/binxml.h"
#include "wormsign/evtx.h"

struct evb_frame {
    const char *name; /* borrowed from the chunk arena */
    size_t len;
    uint8_t section; /* enum in event.c */
    uint8_t capture; /* this element's text is kept */
    uint8_t frozen;  /* a child element opened: text stops at text_end */
    uint8_t has_child;
    int8_t sys;        /* System field its text goes to, or -1 */
    uint8_t has_dname; /* EventData Data@Name seen */
    size_t text_start; /* SIZE_MAX until the first text */
    size_t text_end;
    size_t dname_off, dname_len;
};

struct evb_ref {
    const char *name; /* stable name, or NULL: name_off in text */
    size_t name_off, name_len;
    size_t val_off, val_len;
};

struct ws_evtx_builder {
    struct ws_buf text;
    struct evb_frame stack[WS_EVTX_MAX_DEPTH + 1];
    int depth;
    unsigned n_params;
    struct evb_ref *refs;
    size_t n_refs, cap_refs;
    struct ws_evtx_field *fields;
    size_t cap_fields;
    uint8_t sys_set[WS_EVTX_SYS_COUNT];
    size_t sys_off[WS_EVTX_SYS_COUNT], sys_len[WS_EVTX_SYS_COUNT];
    struct ws_bx_sink sink;
};

void ws_evb_init(struct ws_evtx_builder *b);
void ws_evb_release(struct ws_evtx_builder *b);
/* Forget the previous record (keeps memory). */
void ws_evb_reset(struct ws_evtx_builder *b);
/* Fill ev's System strings, numbers and fields; pointers borrowed until the
 * next reset. */
WS_MUST_CHECK ws_status ws_evb_finish(struct ws_evtx_builder *b, struct ws_evtx_event *ev);

#endif

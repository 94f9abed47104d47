/*
 * binxml.h - the BinXML engine of the EVTX reader ([MS-EVEN6] 2.2.12).
 *
 * A BinXML fragment is a token stream: elements with attributes, text values,
 * and substitutions that refer to the values array of a template instance.
 * Records are almost always one template instance: a reference to a template
 * definition stored once in the chunk, plus the record's own values.
 *
 * The engine compiles each template definition once per chunk into a flat
 * array of operations (open element, attribute, text, substitution, close),
 * with element names and literal text already decoded to UTF-8, and caches
 * it by its chunk offset. Running a record is then a walk over those
 * operations that sends SAX-like events to a sink: no tree is built.
 * Substitution values of type BinXML (nested fragments, e.g. UserData) are
 * walked in place, so the sink sees one flat event stream.
 *
 * All offsets are chunk-relative, as in the format; every read goes through
 * a cursor bounded by the fragment, the template or the chunk. Caps
 * (src/core/limits.h): nesting depth, substitutions per instance, templates
 * and operations per chunk, steps per record. Memory: fixed tables plus the
 * operations array, allocated once per ws_bx_ctx and reused for every chunk.
 *
 * Thread rule: one thread at a time per ws_bx_ctx.
 */
#ifndef WS_EVTX_BINXML_H
#define WS_EVTX_BINXML_H

#include "core/compat.h"
#include "evtx/value.h"

/* Where the walk sends its events. Each returns WS_OK to go on. Name
 * pointers stay valid until the next ws_bx_begin_chunk(); value bytes point
 * into the chunk or the context's arena, same lifetime. */
struct ws_bx_sink {
    void *user;
    ws_status (*open)(void *user, const char *name, size_t len);
    ws_status (*attr)(void *user, const char *name, size_t len, const struct ws_bx_value *v);
    ws_status (*text)(void *user, const struct ws_bx_value *v);
    ws_status (*close)(void *user);
};

struct ws_bx_ctx;

WS_MUST_CHECK ws_status ws_bx_ctx_new(struct ws_bx_ctx **out);
void ws_bx_ctx_free(struct ws_bx_ctx *x);

/* Forget all templates and names: a new chunk (borrowed, len bytes). */
void ws_bx_begin_chunk(struct ws_bx_ctx *x, const uint8_t *chunk, size_t len);

/* Walk the fragment at chunk offset off, len bytes (a record's payload),
 * sending events to sink. On failure, *where (if not NULL) gets the chunk
 * offset of the problem and *what a static description. */
WS_MUST_CHECK ws_status ws_bx_run(struct ws_bx_ctx *x, size_t off, size_t len,
                                  const struct ws_bx_sink *sink, size_t *where, const char **what);

/* Templates compiled since ws_bx_begin_chunk (for tests: once per chunk). */
size_t ws_bx_templates_compiled(const struct ws_bx_ctx *x);

#endif

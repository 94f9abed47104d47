/*
 * evtx.h - reading Windows XML Event Log (EVTX) files.
 *
 * Our own reader of the EVTX format ([MS-EVEN6] BinXml, the libyal "Windows
 * XML Event Log (EVTX) format" notes): a 4096-byte file header ("ElfFile"),
 * then 64 KiB chunks ("ElfChnk") holding event records (magic 0x2a2a) whose
 * payload is binary XML built from templates. The reader
 *   - reads one chunk at a time: memory is bounded whatever the file size;
 *   - reads every chunk slot up to the end of the file, so a dirty log whose
 *     header undercounts its chunks is read in full;
 *   - checks the CRC32 of each chunk header and of its record data, and
 *     reports a mismatch, a bad magic, a truncated or malformed record as an
 *     error item (chunk index, file offset), then goes on with the rest;
 *   - compiles each template once per chunk, not once per record.
 *
 * Each record yields a struct ws_evtx_event: record id, timestamp, the
 * System fields and the named EventData / UserData fields. Values are UTF-8
 * text rendered as python-evtx renders them in its XML (see
 * docs/internals/evtx.md for each type), so results can be compared.
 *
 * Chunks are independent: a ws_evtx_chunk parses one 64 KiB chunk with no
 * other state, so a caller may hand chunks of one file to several threads,
 * one ws_evtx_chunk per thread.
 *
 * Thread rule: a ws_evtx and a ws_evtx_chunk are used by one thread at a
 * time; distinct handles are independent.
 */
#ifndef WORMSIGN_EVTX_H
#define WORMSIGN_EVTX_H

#include <stddef.h>
#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes fixed by the format. */
#define WS_EVTX_FILE_HEADER_SIZE 4096u
#define WS_EVTX_CHUNK_SIZE 65536u

/* The System fields we keep; index into ws_evtx_event.sys. */
enum ws_evtx_sys {
    WS_EVTX_SYS_PROVIDER = 0,     /* Provider@Name */
    WS_EVTX_SYS_PROVIDER_GUID,    /* Provider@Guid */
    WS_EVTX_SYS_EVENT_SOURCE,     /* Provider@EventSourceName */
    WS_EVTX_SYS_EVENT_ID,         /* EventID text */
    WS_EVTX_SYS_QUALIFIERS,       /* EventID@Qualifiers */
    WS_EVTX_SYS_VERSION,          /* Version */
    WS_EVTX_SYS_LEVEL,            /* Level */
    WS_EVTX_SYS_TASK,             /* Task */
    WS_EVTX_SYS_OPCODE,           /* Opcode */
    WS_EVTX_SYS_KEYWORDS,         /* Keywords */
    WS_EVTX_SYS_TIME_CREATED,     /* TimeCreated@SystemTime */
    WS_EVTX_SYS_EVENT_RECORD_ID,  /* EventRecordID */
    WS_EVTX_SYS_ACTIVITY_ID,      /* Correlation@ActivityID */
    WS_EVTX_SYS_RELATED_ACTIVITY, /* Correlation@RelatedActivityID */
    WS_EVTX_SYS_PROCESS_ID,       /* Execution@ProcessID */
    WS_EVTX_SYS_THREAD_ID,        /* Execution@ThreadID */
    WS_EVTX_SYS_CHANNEL,          /* Channel */
    WS_EVTX_SYS_COMPUTER,         /* Computer */
    WS_EVTX_SYS_USER_ID,          /* Security@UserID */
    WS_EVTX_SYS_COUNT
};

/* A UTF-8 string borrowed from the event; s is NULL when the field is absent.
 * s is NUL-terminated (len excludes the NUL) but may hold NULs before len. */
struct ws_evtx_str {
    const char *s;
    size_t len;
};

/* One named EventData / UserData value. EventData: <Data Name="X"> gives X,
 * an unnamed <Data> gives "param1", "param2", ... (winlogbeat's names), any
 * other child element (e.g. <Binary>) its element name. UserData: every leaf
 * element gives its local name (namespace prefix dropped). Order is document
 * order; a name may repeat. */
struct ws_evtx_field {
    struct ws_evtx_str name;
    struct ws_evtx_str value;
};

struct ws_evtx_event {
    uint64_t record_id; /* from the record header */
    uint64_t filetime;  /* record header timestamp, 100 ns since 1601-01-01 UTC */
    uint64_t chunk;     /* index of the chunk slot in the file (0 = first after the header) */
    uint64_t offset;    /* file offset of the record */
    int has_event_id;   /* EventID parsed as a number */
    uint32_t event_id;
    int has_qualifiers;
    uint32_t qualifiers;
    struct ws_evtx_str sys[WS_EVTX_SYS_COUNT];
    const struct ws_evtx_field *fields;
    size_t n_fields;
    int recovered; /* carved from chunk slack (WS_EVTX_RECOVER_SLACK), not a live record */
};

/* A corrupt chunk or record: reading goes on after it. */
struct ws_evtx_error {
    ws_status code;      /* WS_E_CORRUPT, WS_E_TRUNCATED, WS_E_TOO_LARGE ... */
    const char *message; /* static text, e.g. "chunk header crc32 mismatch" */
    uint64_t chunk;      /* chunk slot index; UINT64_MAX for the file header */
    uint64_t offset;     /* file offset of the bad structure */
    int has_record_id;
    uint64_t record_id;
};

enum ws_evtx_item {
    WS_EVTX_END = 0,   /* no more items */
    WS_EVTX_EVENT = 1, /* *ev is set */
    WS_EVTX_ERROR = 2  /* *err is set */
};

/* ---- Whole files ---- */

typedef struct ws_evtx ws_evtx;

/* Open an EVTX file for reading (one chunk in memory at a time).
 * WS_E_NOT_FOUND, WS_E_PERM or WS_E_IO if it cannot be opened. A legacy EVT
 * log ("LfLe" header) is read through libevt instead (WS_E_UNSUPPORTED when
 * built without it; WS_E_CORRUPT when libevt refuses it). Any other file
 * opens: its problems come out as error items. *out is owned:
 * ws_evtx_free(). */
WS_API WS_MUST_CHECK ws_status ws_evtx_open_file(const char *path, ws_evtx **out);

/* Read from a caller's buffer, which is borrowed and must outlive *out. */
WS_API WS_MUST_CHECK ws_status ws_evtx_open_buffer(const void *p, size_t n, ws_evtx **out);

/* Next item. Returns WS_OK and sets *kind; *ev / *err are borrowed until
 * the next call or ws_evtx_free(). A status other than WS_OK is fatal for
 * the file (WS_E_NOMEM, WS_E_IO on a read error); the reader is then done. */
WS_API WS_MUST_CHECK ws_status ws_evtx_next(ws_evtx *r, enum ws_evtx_item *kind,
                                            const struct ws_evtx_event **ev,
                                            const struct ws_evtx_error **err);

/* Reading options; set before the first ws_evtx_next(). */
enum ws_evtx_flags {
    WS_EVTX_RECOVER_SLACK = 1u << 0, /* also carve records left in each chunk's unused
                                        space after its last record (deleted by clearing or
                                        overwriting; flagged ev->recovered) */
};
WS_API void ws_evtx_set_flags(ws_evtx *r, unsigned flags);

/* Chunk slots in the file after the header (whether used or not), and what
 * the header said; known once the first ws_evtx_next() has returned. For
 * progress, and for splitting a file across threads: slot i is the
 * WS_EVTX_CHUNK_SIZE bytes at WS_EVTX_FILE_HEADER_SIZE + i * WS_EVTX_CHUNK_SIZE,
 * loaded into a per-thread ws_evtx_chunk with WS_EVTX_UNALLOCATED when
 * i >= the header's count. */
WS_API uint64_t ws_evtx_chunk_slots(const ws_evtx *r);
WS_API uint64_t ws_evtx_header_chunk_count(const ws_evtx *r);

/* Accepts NULL. */
WS_API void ws_evtx_free(ws_evtx *r);

/* ---- One chunk (parallel use: one ws_evtx_chunk per thread) ---- */

typedef struct ws_evtx_chunk ws_evtx_chunk;

WS_API WS_MUST_CHECK ws_status ws_evtx_chunk_new(ws_evtx_chunk **out);
WS_API void ws_evtx_chunk_free(ws_evtx_chunk *c);

/* Start parsing the chunk in p (borrowed until the next load or free; n is
 * normally WS_EVTX_CHUNK_SIZE, less for a truncated file). index and
 * file_offset are only used in results. flags: enum ws_evtx_chunk_flags. */
enum ws_evtx_chunk_flags {
    WS_EVTX_NO_CRC = 1u << 0,        /* file header flag 0x4: checksums are not kept */
    WS_EVTX_UNALLOCATED = 1u << 1,   /* slot beyond the header's chunk count: no error
                                        when it holds no chunk at all */
    WS_EVTX_CHUNK_RECOVER = 1u << 2, /* after the records, carve the slack (see
                                        WS_EVTX_RECOVER_SLACK); carving failures are quiet */
};
WS_API void ws_evtx_chunk_load(ws_evtx_chunk *c, const void *p, size_t n, uint64_t index,
                               uint64_t file_offset, unsigned flags);

/* Same contract as ws_evtx_next, over the loaded chunk. */
WS_API WS_MUST_CHECK ws_status ws_evtx_chunk_next(ws_evtx_chunk *c, enum ws_evtx_item *kind,
                                                  const struct ws_evtx_event **ev,
                                                  const struct ws_evtx_error **err);

/* ---- Parallel reading (one file's chunks on several threads) ---- */

struct ws_buf; /* src/core/buf.h: a growable, capped byte buffer */

/* Render one item into out, the buffer of its chunk. Called on worker
 * threads; the items of one chunk come in order on one thread, chunks run
 * at once: use ctx read-only. Count the items that are errors (or could not
 * be rendered) in *errors. A status other than WS_OK stops the reading. */
typedef ws_status (*ws_evtx_render_fn)(void *ctx, struct ws_buf *out, enum ws_evtx_item kind,
                                       const struct ws_evtx_event *ev,
                                       const struct ws_evtx_error *err, size_t *errors);

/* Take one chunk's rendered output, on the caller's thread, chunk after
 * chunk in file order (chunk is the slot index; UINT64_MAX for the file
 * header's error and for a legacy EVT log). A status other than WS_OK stops
 * the reading. */
typedef ws_status (*ws_evtx_deliver_fn)(void *ctx, uint64_t chunk, const char *data, size_t len,
                                        size_t errors);

struct ws_evtx_par {
    unsigned threads; /* worker threads; 0: all cores up to WS_EVTX_MAX_THREADS; 1: none */
    size_t out_max;   /* cap on one chunk's rendered bytes (ws_buf max) */
    ws_evtx_render_fn render;
    ws_evtx_deliver_fn deliver;
    void *ctx;
};

/* Read every item of a freshly opened r (no ws_evtx_next yet; flags from
 * ws_evtx_set_flags apply) with p->threads workers, each parsing whole
 * chunks with its own ws_evtx_chunk, and deliver each chunk's output in file
 * order, as ws_evtx_next would give the items. At most 2 x threads chunks
 * are in flight (parsed or rendered, not yet delivered), so memory is
 * bounded by threads, not by the file. A legacy EVT log is read on the
 * caller's thread. Returns WS_OK, or the status that stopped the reading
 * (a fatal read error, or one from render / deliver), after everything
 * before it was delivered. */
WS_API WS_MUST_CHECK ws_status ws_evtx_parallel(ws_evtx *r, const struct ws_evtx_par *p);

/* Items one by one, in file order, on the caller's thread (fn sees exactly
 * what ws_evtx_next would give, *ev / *err borrowed until fn returns), while
 * workers parse the chunks: each item is copied into its chunk's buffer and
 * read back. For callers that keep state across records (detection). A
 * status other than WS_OK from fn stops the reading and is returned. */
typedef ws_status (*ws_evtx_item_fn)(void *ctx, enum ws_evtx_item kind,
                                     const struct ws_evtx_event *ev,
                                     const struct ws_evtx_error *err);
WS_API WS_MUST_CHECK ws_status ws_evtx_parallel_items(ws_evtx *r, unsigned threads,
                                                      ws_evtx_item_fn fn, void *ctx);

/* ---- Helpers ---- */

/* The name of a System field ("Provider", "EventID", "Computer", ...), as
 * `logs dump` prints it and event rules name it; "" for an unknown index. */
WS_API const char *ws_evtx_sys_name(enum ws_evtx_sys k);

/* First field named name (exact, case-sensitive), or NULL. Linear over
 * n_fields, which is small (tens); names are compared by length first. */
WS_API const struct ws_evtx_field *ws_evtx_event_field(const struct ws_evtx_event *ev,
                                                       const char *name);

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ" (100 ns, UTC) into out (at least 32 bytes).
 * Returns the length. */
WS_API size_t ws_evtx_filetime_iso(uint64_t filetime, char *out, size_t n);

/* Unix time in seconds (floor) of a FILETIME. */
WS_API int64_t ws_evtx_filetime_unix(uint64_t filetime);

/* Describe a reading error as a finding for a ws_emit_fn: kind
 * WS_FINDING_ERROR, ruleset "evtx", source "evtx", path, error_code, message;
 * fields "log.offset" and (when known) "winlog.record_id"; evidence "chunk".
 * kv (caller's, at least 3 entries) receives the key/values. Everything in *f
 * is borrowed from e, path and kv. */
WS_API void ws_evtx_error_finding(const struct ws_evtx_error *e, const char *path,
                                  struct ws_kv kv[3], struct ws_finding *f);

#ifdef __cplusplus
}
#endif
#endif

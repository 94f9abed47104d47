/*
 * logs.c - `wormsign logs`: Windows event logs.
 *
 *   wormsign logs dump [--json] [--recover] [--threads N] FILE...
 *       every record of each EVTX (or legacy EVT) file, in file order; the
 *       chunks of a file are parsed by N threads (ws_evtx_parallel)
 *
 * --json writes NDJSON, one object per record:
 *   {"record_id":N,"time":"2019-03-03T10:20:30.1234567Z","event_id":N,
 *    "provider":"..","channel":"..","computer":"..","system":{..},
 *    "fields":{"Name":"value",..},"file":".."}
 * and one {"error":{"file":..,"code":..,"message":..,"chunk":N,"offset":N,
 * "record_id":N}} line per corrupt chunk or record (reading goes on).
 * Without --json: one human line per record. Exit 0 when everything was
 * read cleanly, 2 when any error was reported, 64 on a usage error.
 * Detection over logs (`wormsign logs FILE`) is not in this file yet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "wormsign/evtx.h"

#define OUT_MAX (64u * 1024u * 1024u)

static void usage(FILE *f)
{
    fputs("usage: wormsign logs dump [--json] [--recover] [--threads N] FILE...\n"
          "\n"
          "Read Windows XML event logs (EVTX) with wormsign's own parser.\n"
          "\n"
          "  dump      print every record of each FILE, in file order\n"
          "  --json    one JSON object per line (NDJSON): record_id, time (UTC, 100 ns),\n"
          "            event_id, provider, channel, computer, system{...}, fields{...};\n"
          "            corrupt chunks and records as {\"error\":{...}} lines\n"
          "  --recover also carve records left in the unused space of each chunk\n"
          "            (cleared or overwritten events), marked \"recovered\":true\n"
          "  --help    this text\n"
          "\n"
          "Exit status: 0 all records read, 2 some chunk or record was corrupt or a\n"
          "file could not be read, 64 usage error.\n",
          f);
}

static void json_str(struct ws_json *j, const char *key, struct ws_evtx_str s)
{
    if (s.s)
        ws_json_strn(j, key, s.s, s.len);
}

static ws_status write_event_json(struct ws_buf *out, const char *path,
                                  const struct ws_evtx_event *ev)
{
    struct ws_json j;
    char t[40];
    ws_json_init(&j, out);
    ws_json_obj_begin(&j, NULL);
    ws_json_u64(&j, "record_id", ev->record_id);
    ws_evtx_filetime_iso(ev->filetime, t, sizeof t);
    ws_json_str(&j, "time", t);
    if (ev->has_event_id)
        ws_json_u64(&j, "event_id", ev->event_id);
    else
        ws_json_raw(&j, "event_id", "null", 4);
    json_str(&j, "provider", ev->sys[WS_EVTX_SYS_PROVIDER]);
    json_str(&j, "channel", ev->sys[WS_EVTX_SYS_CHANNEL]);
    json_str(&j, "computer", ev->sys[WS_EVTX_SYS_COMPUTER]);
    ws_json_obj_begin(&j, "system");
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++)
        json_str(&j, ws_evtx_sys_name((enum ws_evtx_sys)k), ev->sys[k]);
    ws_json_obj_end(&j);
    ws_json_obj_begin(&j, "fields");
    for (size_t i = 0; i < ev->n_fields; i++) {
        /* keys are NUL-terminated; a NUL inside a name cuts it (names are
         * XML names, which cannot hold NUL) */
        ws_json_strn(&j, ev->fields[i].name.s, ev->fields[i].value.s, ev->fields[i].value.len);
    }
    ws_json_obj_end(&j);
    if (ev->recovered) {
        ws_json_bool(&j, "recovered", 1);
        ws_json_u64(&j, "offset", ev->offset);
    }
    ws_json_str(&j, "file", path);
    ws_json_obj_end(&j);
    if (ws_json_status(&j) != WS_OK)
        return ws_json_status(&j);
    return ws_buf_addc(out, '\n');
}

static ws_status write_event_human(struct ws_buf *out, const char *path,
                                   const struct ws_evtx_event *ev)
{
    char t[40];
    ws_status st;
    (void)path;
    ws_evtx_filetime_iso(ev->filetime, t, sizeof t);
    st = ws_buf_addf(out, "%s record=%" PRIu64 " event=", t, ev->record_id);
    if (st == WS_OK)
        st = ev->has_event_id ? ws_buf_addf(out, "%" PRIu32, ev->event_id) : ws_buf_adds(out, "-");
    if (st == WS_OK && ev->recovered)
        st = ws_buf_adds(out, " recovered");
    static const struct {
        const char *label;
        int k;
    } sys[] = {{"provider", WS_EVTX_SYS_PROVIDER},
               {"channel", WS_EVTX_SYS_CHANNEL},
               {"computer", WS_EVTX_SYS_COMPUTER}};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0] && st == WS_OK; i++) {
        struct ws_evtx_str s = ev->sys[sys[i].k];
        if (!s.s)
            continue;
        st = ws_buf_addf(out, " %s=", sys[i].label);
        if (st == WS_OK)
            st = ws_text_human(out, s.s, s.len);
    }
    for (size_t i = 0; i < ev->n_fields && st == WS_OK; i++) {
        st = ws_buf_addc(out, ' ');
        if (st == WS_OK)
            st = ws_text_human(out, ev->fields[i].name.s, ev->fields[i].name.len);
        if (st == WS_OK)
            st = ws_buf_addc(out, '=');
        if (st == WS_OK)
            st = ws_text_human(out, ev->fields[i].value.s, ev->fields[i].value.len);
    }
    if (st == WS_OK)
        st = ws_buf_addc(out, '\n');
    return st;
}

static ws_status write_error(struct ws_buf *out, int json, const char *path,
                             const struct ws_evtx_error *e, ws_status code, const char *msg)
{
    if (!json) {
        ws_status st = ws_buf_adds(out, "error: ");
        if (st == WS_OK)
            st = ws_text_human(out, path, strlen(path));
        if (st == WS_OK)
            st = ws_buf_addf(out, ": %s (%s)", msg, ws_status_str(code));
        if (st == WS_OK && e && e->chunk != UINT64_MAX)
            st = ws_buf_addf(out, " chunk=%" PRIu64, e->chunk);
        if (st == WS_OK && e)
            st = ws_buf_addf(out, " offset=%" PRIu64, e->offset);
        if (st == WS_OK && e && e->has_record_id)
            st = ws_buf_addf(out, " record=%" PRIu64, e->record_id);
        return st == WS_OK ? ws_buf_addc(out, '\n') : st;
    }
    struct ws_json j;
    ws_json_init(&j, out);
    ws_json_obj_begin(&j, NULL);
    ws_json_obj_begin(&j, "error");
    ws_json_str(&j, "file", path);
    ws_json_str(&j, "code", ws_status_str(code));
    ws_json_str(&j, "message", msg);
    if (e && e->chunk != UINT64_MAX)
        ws_json_u64(&j, "chunk", e->chunk);
    if (e)
        ws_json_u64(&j, "offset", e->offset);
    if (e && e->has_record_id)
        ws_json_u64(&j, "record_id", e->record_id);
    ws_json_obj_end(&j);
    ws_json_obj_end(&j);
    if (ws_json_status(&j) != WS_OK)
        return ws_json_status(&j);
    return ws_buf_addc(out, '\n');
}

static int flush(struct ws_buf *out)
{
    int ok = fwrite(out->data, 1, out->len, stdout) == out->len;
    ws_buf_reset(out);
    return ok;
}

struct dump {
    const char *path;
    int json;
    int errors;    /* any error item or unprintable record */
    int write_bad; /* stdout failed */
};

/* Worker threads: ctx is read only. */
static ws_status render_item(void *ctx, struct ws_buf *out, enum ws_evtx_item kind,
                             const struct ws_evtx_event *ev, const struct ws_evtx_error *e,
                             size_t *errors)
{
    const struct dump *d = ctx;
    size_t mark = out->len;
    ws_status st;
    if (kind == WS_EVTX_ERROR) {
        (*errors)++;
        st = write_error(out, d->json, d->path, e, e->code, e->message);
    } else {
        st = d->json ? write_event_json(out, d->path, ev) : write_event_human(out, d->path, ev);
    }
    if (st != WS_OK) {
        ws_buf_truncate(out, mark);
        (void)write_error(out, d->json, d->path, NULL, st, "record too large to print");
        (*errors)++;
    }
    return WS_OK;
}

/* The caller's thread, chunks in file order. */
static ws_status deliver_chunk(void *ctx, uint64_t chunk, const char *data, size_t len,
                               size_t errors)
{
    struct dump *d = ctx;
    (void)chunk;
    if (errors)
        d->errors = 1;
    if (len && fwrite(data, 1, len, stdout) != len) {
        d->write_bad = 1;
        return WS_E_IO;
    }
    return WS_OK;
}

/* Dump one file; returns 1 if any error was reported. */
static int dump_file(const char *path, int json, int recover, unsigned threads, struct ws_buf *out)
{
    ws_evtx *r = NULL;
    struct dump d = {path, json, 0, 0};
    ws_status st = ws_evtx_open_file(path, &r);
    if (st != WS_OK) {
        if (write_error(out, json, path, NULL, st, "cannot open file") != WS_OK)
            fputs("wormsign logs: output too large\n", stderr);
        flush(out);
        return 1;
    }
    if (recover)
        ws_evtx_set_flags(r, WS_EVTX_RECOVER_SLACK);
    struct ws_evtx_par par = {threads, WS_EVTX_CHUNK_OUT_MAX, render_item, deliver_chunk, &d};
    st = ws_evtx_parallel(r, &par);
    if (st != WS_OK && !d.write_bad) {
        (void)write_error(out, json, path, NULL, st, "reading stopped");
        d.errors = 1;
    }
    flush(out);
    ws_evtx_free(r);
    return d.errors || d.write_bad;
}

int cmd_logs(int argc, char **argv)
{
    int json = 0, recover = 0, errors = 0, nfiles = 0, dashdash = 0;
    unsigned threads = 0;
    if (argc < 2 || strcmp(argv[1], "dump") != 0)
        return cmd_logs_hunt(argc, argv); /* detections: logs_hunt.c */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 64 : 0;
    }
    if (strcmp(argv[1], "dump") != 0) {
        fprintf(stderr, "wormsign logs: only 'dump' is available in this build\n");
        usage(stderr);
        return EXIT_TROUBLE; /* usage error: the house rule has one status for failure */
    }
    /* options first pass; files are every other argument (or all after --) */
    for (int i = 2; i < argc; i++) {
        if (!dashdash && strcmp(argv[i], "--") == 0) {
            dashdash = 1;
        } else if (!dashdash && strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (!dashdash && strcmp(argv[i], "--recover") == 0) {
            recover = 1;
        } else if (!dashdash && strcmp(argv[i], "--threads") == 0) {
            uint64_t v;
            const char *q = i + 1 < argc ? argv[i + 1] : "";
            if (ws_parse_u64(&q, q + strlen(q), WS_EVTX_MAX_THREADS, &v) != WS_OK || *q || v == 0) {
                fprintf(stderr, "wormsign logs dump: bad --threads '%s' (1..%u)\n",
                        i + 1 < argc ? argv[i + 1] : "", WS_EVTX_MAX_THREADS);
                return EXIT_TROUBLE;
            }
            threads = (unsigned)v;
            i++;
        } else if (!dashdash && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            usage(stdout);
            return 0;
        } else if (!dashdash && argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "wormsign logs dump: unknown option '%s'\n", argv[i]);
            return EXIT_TROUBLE; /* usage error: the house rule has one status for failure */
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "wormsign logs dump: no FILE given\n");
        return EXIT_TROUBLE; /* usage error: the house rule has one status for failure */
    }
    struct ws_buf out;
    ws_buf_init(&out, OUT_MAX);
    dashdash = 0;
    for (int i = 2; i < argc; i++) {
        if (!dashdash && strcmp(argv[i], "--") == 0) {
            dashdash = 1;
            continue;
        }
        if (!dashdash && strcmp(argv[i], "--threads") == 0) {
            i++;
            continue;
        }
        if (!dashdash && argv[i][0] == '-' && argv[i][1] != '\0')
            continue;
        errors |= dump_file(argv[i], json, recover, threads, &out);
    }
    ws_buf_release(&out);
    if (fflush(stdout) != 0)
        errors = 1;
    return errors ? 2 : 0;
}

/*
 * sweep_hook.c - where `wormsign sweep` hands the event logs and registry
 * hive copies it collected from a host to the log and hive detectors.
 *
 * Findings get the sweep's view of the host: host.name is the swept name and
 * host.ip its address (an event's own Computer stays in winlog.computer_name),
 * and a log is named by its smb:// path, not by our temporary copy. A host's
 * logs are read together so its Security and System logs correlate.
 * Called from several sweep threads at once; ws_report_emit is thread-safe
 * and each call builds its own detector state.
 */
#include <string.h>

#include "cli/cli.h"
#include "wormsign/hive.h"
#include "wormsign/logs.h"

/* Extra ECS fields a finding may carry before we add host.ip. */
#define HOOK_MAX_FIELDS 63

struct host_emit {
    ws_report *report;
    const char *host, *ip;
    const char *const *logs; /* local copy, remote path, ... */
    size_t n_logs;
};

static int emit_for_host(void *user, const struct ws_finding *f)
{
    struct host_emit *he = user;
    struct ws_finding c = *f;
    struct ws_kv fields[HOOK_MAX_FIELDS + 1];
    size_t n = f->n_fields < HOOK_MAX_FIELDS ? f->n_fields : HOOK_MAX_FIELDS;
    if (n)
        memcpy(fields, f->fields, n * sizeof fields[0]);
    fields[n++] =
        (struct ws_kv){.key = "host.ip", .type = WS_KV_STR, .val = he->ip, .len = strlen(he->ip)};
    c.fields = fields;
    c.n_fields = n;
    /* one stream per swept host: the swept name, whatever the log's Computer
     * says (that stays in winlog.computer_name) */
    c.host = he->host;
    /* name the log by where it came from, not by our temporary copy */
    for (size_t i = 0; c.path && i < he->n_logs; i++)
        if (strlen(he->logs[2 * i]) == c.path_len &&
            memcmp(he->logs[2 * i], c.path, c.path_len) == 0) {
            c.path = he->logs[2 * i + 1];
            c.path_len = strlen(c.path);
            break;
        }
    return ws_report_emit(he->report, &c);
}

void cli_sweep_on_host_logs(ws_report *report, const ws_pack *pack, const char *host,
                            const char *ip, const char *const *logs, size_t n_logs)
{
    struct host_emit he = {report, host, ip, logs, n_logs};
    ws_logs *h;
    if (ws_logs_new(pack, emit_for_host, &he, &h) != WS_OK)
        return;
    for (size_t i = 0; i < n_logs; i++)
        if (ws_logs_add_file(h, logs[2 * i]) == WS_E_NOMEM)
            break;
    if (ws_logs_finish(h) != WS_OK) {
        struct ws_finding f;
        ws_finding_init(&f, WS_FINDING_ERROR);
        f.ruleset = "event";
        f.source = "evtx";
        f.host = host;
        f.error_code = WS_E_NOMEM;
        f.message = "correlating the host's event logs failed";
        emit_for_host(&he, &f);
    }
    ws_logs_free(h);
}

void cli_sweep_on_collected(ws_report *report, const ws_pack *pack,
                            const struct ws_sweep_collected *c)
{
    /* event logs are read per host (cli_sweep_on_host_logs); hives one by one */
    (void)pack;
    if (c->kind != WS_SWEEP_HIVE)
        return;
    const char *pair[2] = {c->local_path, c->remote_path};
    struct host_emit he = {report, c->host, c->ip, pair, 1};
    struct ws_hive_stats stats;
    memset(&stats, 0, sizeof stats);
    if (ws_hive_scan_file(c->local_path, emit_for_host, &he, &stats) != WS_OK) {
        struct ws_finding f;
        ws_finding_init(&f, WS_FINDING_ERROR);
        f.ruleset = "hive";
        f.source = "hive";
        f.path = c->remote_path;
        f.path_len = strlen(c->remote_path);
        f.error_code = WS_E_NOMEM;
        f.message = "scanning the collected hive copy failed";
        emit_for_host(&he, &f);
    }
}

/*
 * common.c - what the subcommands share: the shared options, sinks, pack
 * loading, numbers, priority.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_output_option(struct cli_output *o, const char *verb, int c, const char *arg)
{
    switch (c) {
    case CLI_OPT_JSON:
        o->json = 1;
        return 1;
    case CLI_OPT_CSV:
        o->csv = 1;
        return 1;
    case 'o':
        o->output_path = arg;
        return 1;
    case CLI_OPT_HOST:
        o->host = arg;
        return 1;
    case 'q':
        o->quiet = 1;
        return 1;
    case 'v':
        o->verbose = 1;
        return 1;
    case CLI_OPT_NO_PROGRESS:
        o->no_progress = 1;
        return 1;
    case CLI_OPT_COLOR:
        if (strcmp(arg, "always") == 0)
            o->color_mode = 1;
        else if (strcmp(arg, "never") == 0)
            o->color_mode = 0;
        else if (strcmp(arg, "auto") == 0)
            o->color_mode = -1;
        else {
            fprintf(stderr, "wormsign %s: --color takes auto, always or never\n", verb);
            return -1;
        }
        o->color_set = 1;
        return 1;
    default:
        return 0;
    }
}

int cli_pack_option(struct cli_packs *p, const char *verb, int c, const char *arg)
{
    if (c == CLI_OPT_NO_DEFAULT_PACK) {
        p->no_default = 1;
        return 1;
    }
    if (c == CLI_OPT_PACK)
        return cli_list_add(&p->paths, verb, "pack", arg) == 0 ? 1 : -1;
    return 0;
}

int cli_shared_option(struct cli_output *o, struct cli_packs *p, const char *verb, int c,
                      const char *arg)
{
    int taken = cli_output_option(o, verb, c, arg);
    if (taken == 0 && p)
        taken = cli_pack_option(p, verb, c, arg);
    return taken;
}

int cli_output_ready(struct cli_output *o, const char *verb)
{
    if (o->json && o->csv) {
        fprintf(stderr, "wormsign %s: choose one of --json and --csv\n", verb);
        return -1;
    }
    o->color = (o->color_set && o->color_mode >= 0) ? o->color_mode : isatty(STDOUT_FILENO);
    if (o->json || o->csv)
        setvbuf(stdout, NULL, _IOLBF, 0);
    return 0;
}

int cli_list_add(struct cli_list *l, const char *verb, const char *opt, const char *arg)
{
    if (l->n >= CLI_MAX_LIST) {
        fprintf(stderr, "wormsign %s: too many --%s options (at most %d)\n", verb, opt,
                CLI_MAX_LIST);
        return -1;
    }
    l->v[l->n++] = arg;
    return 0;
}

int cli_number_option(const char *verb, const char *opt, const char *arg, double min, double max,
                      int integral, double *out)
{
    double v;
    if (cli_parse_number(arg, max, &v) != 0 || v < min || (integral && v != (double)(long long)v)) {
        if (min > 0 && min < 1)
            fprintf(stderr, "wormsign %s: bad --%s '%s' (above 0, at most %.0f)\n", verb, opt, arg,
                    max);
        else
            fprintf(stderr, "wormsign %s: bad --%s '%s' (%.0f..%.0f)\n", verb, opt, arg, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_report_open(struct cli_output *o, ws_report **out)
{
    char host[256];
    const char *h = o->host;
    if (!h) {
        if (gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        h = host;
    }
    ws_report *r;
    if (ws_report_new(h, &r) != WS_OK)
        return -1;
    FILE *machine = stdout;
    if (o->output_path) {
        o->out_file = fopen(o->output_path, "w");
        if (!o->out_file) {
            fprintf(stderr, "wormsign: cannot write %s: %s\n", o->output_path, strerror(errno));
            ws_report_free(r);
            return -1;
        }
        setvbuf(o->out_file, NULL, _IOLBF, 0); /* records survive an interrupted run */
        machine = o->out_file;
    }
    ws_sink *s = NULL;
    ws_status st = WS_OK;
    if (o->json)
        st = ws_sink_json_new(machine, 0, &s);
    else if (o->csv)
        st = ws_sink_csv_new(machine, 0, &s);
    if (st == WS_OK && s)
        st = ws_report_add_sink(r, s);
    /* the human summary goes to stdout unless stdout carries machine output */
    if (st == WS_OK && (!(o->json || o->csv) || o->output_path)) {
        unsigned flags = (o->color ? WS_SINK_COLOR : 0) | (o->verbose ? WS_SINK_VERBOSE : 0) |
                         (o->quiet ? WS_SINK_QUIET : 0);
        st = ws_sink_human_new(stdout, flags, &s);
        if (st == WS_OK)
            st = ws_report_add_sink(r, s);
    }
    if (st != WS_OK) {
        ws_report_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void cli_report_close_files(struct cli_output *o)
{
    if (o->out_file) {
        fclose(o->out_file);
        o->out_file = NULL;
    }
}

int cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int cli_size_option(const char *verb, const char *opt, const char *arg, uint64_t *out)
{
    uint64_t v;
    if (cli_parse_size(arg, &v) != 0 || v == 0 || v > ((uint64_t)1 << 40)) {
        fprintf(stderr, "wormsign %s: bad --%s '%s' (e.g. 64M, 1G; at most 1T)\n", verb, opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

void cli_run_start(struct cli_run *r, const char *command)
{
    memset(r, 0, sizeof *r);
    clock_gettime(CLOCK_REALTIME, &r->t0);
    r->sum.command = command;
    r->sum.started = r->t0.tv_sec;
}

int cli_run_finish(struct cli_run *r, ws_report *report, int ok)
{
    struct ws_summary *sum = &r->sum;
    if (sum->seconds == 0) {
        struct timespec t1;
        clock_gettime(CLOCK_REALTIME, &t1);
        sum->seconds =
            (double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
    }
    ws_report_totals(report, sum);
    sum->complete = ok && sum->errors == 0;
    if (ws_report_close(report, sum) != WS_OK) {
        fprintf(stderr, "wormsign %s: writing the results failed\n", sum->command);
        sum->complete = 0;
        sum->errors++;
    }
    return ws_summary_exit_code(sum);
}

int cli_parse_number(const char *s, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 0) || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_load_packs(ws_pack **out, const struct cli_packs *packs, ws_report *report)
{
    int no_default = packs->no_default;
    size_t n_packs = packs->paths.n;
    ws_pack *p;
    if (ws_pack_new(&p) != WS_OK)
        return -1;
    ws_status st = WS_OK;
    if (!no_default)
        st = ws_pack_add_builtin(p, ws_report_emit, report);
    for (size_t i = 0; i < n_packs && st == WS_OK; i++) {
        ws_status ps = ws_pack_add_path(p, packs->paths.v[i], ws_report_emit, report);
        if (ps == WS_E_NOMEM)
            st = ps;
        else if (ps != WS_OK)
            fprintf(stderr, "wormsign: nothing loaded from pack %s (%s)\n", packs->paths.v[i],
                    ws_status_str(ps));
    }
    if (st == WS_OK)
        st = ws_pack_compile(p, ws_report_emit, report);
    if (st != WS_OK) {
        fprintf(stderr, "wormsign: cannot load packs: %s\n", ws_status_str(st));
        ws_pack_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void cli_low_priority(void)
{
    /* before the workers start: threads inherit both settings */
    if (setpriority(PRIO_PROCESS, 0, 19) != 0)
        fprintf(stderr, "wormsign: cannot lower CPU priority: %s\n", strerror(errno));
#ifdef SYS_ioprio_set
    /* ioprio_set(IOPRIO_WHO_PROCESS, self, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) */
    if (syscall(SYS_ioprio_set, 1, 0, 3 << 13) != 0)
        fprintf(stderr, "wormsign: cannot set idle I/O class: %s\n", strerror(errno));
#endif
}

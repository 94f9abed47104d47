/*
 * correlate.c - the correlation detectors, run once over the facts of all
 * files (docs/event-rules.md, "Detectors"). Both group by computer name
 * (case-insensitive), so the Security and System logs of one host meet.
 *
 * recon-burst: recon command lines (cmd.exe /c "<cmd>" 2>nul, or the plain
 *   command) from one parent process (else one logon session) are chained
 *   while each is within `window` seconds of the first; a chain holding at
 *   least `threshold` DISTINCT published commands is one finding listing
 *   the commands and record ids. XP/2003 592 logs no command line: there a
 *   recon program (net.exe, ipconfig.exe, ...: the first word of a listed
 *   command) started by a cmd.exe that started no other such program, the
 *   cmd.exe started by process P, counts as one command of P (the
 *   one-cmd.exe-per-command shape of cmd.exe /c "<cmd>" 2>nul), and the
 *   distinct PROGRAMS are counted; an interactive or batch cmd.exe that ran
 *   several of them is left out.
 * lateral-movement: every executable written to ADMIN$ (or C$\Windows) from
 *   one remote address (5145 with WriteData/AppendData), grouped by host,
 *   address and file name, is looked up among the service installs of the
 *   host (7045, 4697, XP 601) whose image path runs a file of that name,
 *   within `window` seconds either side. Found: one finding (severity) with
 *   address, account, file, service, times and the record ids, including
 *   the network logons (4624 type 3) and share connections (5140) from that
 *   address in the window. Not found: one finding per group at
 *   severity_low (id + ".write-only"): the drop alone.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "logs/hunt_impl.h"
#include "logs/rules.h"
#include "wormsign/logs.h"

#define TICKS 10000000LL /* FILETIME units per second */

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int host_eq(const struct ws_fact *a, const struct ws_fact *b)
{
    return strcasecmp(a->s[WS_FACT_STRS - 1], b->s[WS_FACT_STRS - 1]) == 0;
}

/* "file#record(event)" into b, at most WS_MAX_FACT_RECORDS entries. */
static ws_status add_record(struct ws_buf *b, const struct ws_logs *h, const struct ws_fact *f,
                            unsigned *count)
{
    if (*count >= WS_MAX_FACT_RECORDS) {
        if (*count == WS_MAX_FACT_RECORDS) {
            (*count)++;
            return ws_buf_adds(b, " ...");
        }
        return WS_OK;
    }
    (*count)++;
    ws_status st = WS_OK;
    if (b->len)
        st = ws_buf_adds(b, " ");
    if (st == WS_OK && f->kind != WS_FACT_RECON)
        st = ws_buf_addf(b, "%s#%llu(%lld)", base(h->files[f->file].path),
                         (unsigned long long)f->record, (long long)f->num);
    else if (st == WS_OK)
        st = ws_buf_addf(b, "%s#%llu", base(h->files[f->file].path), (unsigned long long)f->record);
    return st;
}

static void time_iso(uint64_t t, char *out, size_t n)
{
    ws_evtx_filetime_iso(t, out, n);
}

/* ---------------------------------------------------------------------------
 * lateral movement
 *
 * Three sorted index arrays keep it O(n log n) whatever the log holds: the
 * writes by (host, address, name, time), the service installs by (host,
 * program name, time), the logons and share connections by (host, address,
 * time); each write group then binary-searches the other two.
 * ------------------------------------------------------------------------- */

#define HOST(f) ((f)->s[WS_FACT_STRS - 1])

static int cmp_t(const struct ws_fact *a, const struct ws_fact *b)
{
    return a->t < b->t ? -1 : a->t > b->t;
}

static int cmp_write(const void *x, const void *y, void *ctx)
{
    const struct ws_fact *a = (const struct ws_fact *)ctx + *(const size_t *)x;
    const struct ws_fact *b = (const struct ws_fact *)ctx + *(const size_t *)y;
    int c = strcasecmp(HOST(a), HOST(b));
    if (!c)
        c = strcasecmp(a->s[0], b->s[0]);
    if (!c)
        c = strcasecmp(a->s[3], b->s[3]);
    return c ? c : cmp_t(a, b);
}

static int cmp_svc(const void *x, const void *y, void *ctx)
{
    const struct ws_fact *a = (const struct ws_fact *)ctx + *(const size_t *)x;
    const struct ws_fact *b = (const struct ws_fact *)ctx + *(const size_t *)y;
    int c = strcasecmp(HOST(a), HOST(b));
    if (!c)
        c = strcasecmp(a->s[3], b->s[3]);
    return c ? c : cmp_t(a, b);
}

static int cmp_peer(const void *x, const void *y, void *ctx)
{
    const struct ws_fact *a = (const struct ws_fact *)ctx + *(const size_t *)x;
    const struct ws_fact *b = (const struct ws_fact *)ctx + *(const size_t *)y;
    int c = strcasecmp(HOST(a), HOST(b));
    if (!c)
        c = strcasecmp(a->s[0], b->s[0]);
    return c ? c : cmp_t(a, b);
}

/* First position in ix[0..n) whose fact is not below (host, key, t) under
 * the ordering (host, s[k], t). */
static size_t lower(const struct ws_fact *facts, const size_t *ix, size_t n, const char *host,
                    int k, const char *key, uint64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ws_fact *f = &facts[ix[mid]];
        int c = strcasecmp(HOST(f), host);
        if (!c)
            c = strcasecmp(f->s[k], key);
        if (!c)
            c = f->t < t ? -1 : 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static ws_status index_of(const struct ws_logs *h, enum ws_fact_kind k1, enum ws_fact_kind k2,
                          size_t **out, size_t *n)
{
    size_t m = 0;
    for (size_t i = 0; i < h->n_facts; i++)
        m += h->facts[i].kind == k1 || h->facts[i].kind == k2;
    size_t *ix = ws_calloc(m ? m : 1, sizeof *ix);
    if (!ix)
        return WS_E_NOMEM;
    m = 0;
    for (size_t i = 0; i < h->n_facts; i++)
        if (h->facts[i].kind == k1 || h->facts[i].kind == k2)
            ix[m++] = i;
    *out = ix;
    *n = m;
    return WS_OK;
}

static ws_status lateral(struct ws_logs *h, const struct ws_event_detector *d)
{
    ws_status st = WS_OK;
    const struct ws_fact *facts = h->facts;
    size_t *wi = NULL, *si = NULL, *pi = NULL;
    size_t nw_all = 0, ns = 0, np = 0;
    struct ws_buf rec, msg, idlow;
    ws_buf_init(&rec, 64 * 1024);
    ws_buf_init(&msg, 8 * 1024);
    ws_buf_init(&idlow, 512);
    WS_TRY(index_of(h, WS_FACT_WRITE, WS_FACT_WRITE, &wi, &nw_all));
    WS_TRY(index_of(h, WS_FACT_SERVICE, WS_FACT_SERVICE, &si, &ns));
    WS_TRY(index_of(h, WS_FACT_LOGON, WS_FACT_SHARE, &pi, &np));
    qsort_r(wi, nw_all, sizeof *wi, cmp_write, h->facts);
    qsort_r(si, ns, sizeof *si, cmp_svc, h->facts);
    qsort_r(pi, np, sizeof *pi, cmp_peer, h->facts);
    uint64_t wticks = (uint64_t)d->window * (uint64_t)TICKS;
    for (size_t i = 0; i < nw_all;) {
        /* the group: same host, address, file name (sorted together) */
        const struct ws_fact *w = &facts[wi[i]];
        size_t j = i + 1;
        while (j < nw_all && host_eq(w, &facts[wi[j]]) &&
               strcasecmp(facts[wi[j]].s[0], w->s[0]) == 0 &&
               strcasecmp(facts[wi[j]].s[3], w->s[3]) == 0)
            j++;
        size_t nw = j - i;
        uint64_t t0 = w->t, t1 = facts[wi[j - 1]].t;
        /* the service install that runs it: first by time in the window */
        const struct ws_fact *svc = NULL;
        if (w->s[3][0]) {
            uint64_t lo = t0 > wticks ? t0 - wticks : 0;
            for (size_t k = lower(facts, si, ns, HOST(w), 3, w->s[3], lo); k < ns && !svc; k++) {
                const struct ws_fact *x = &facts[si[k]];
                if (!host_eq(w, x) || strcasecmp(x->s[3], w->s[3]) != 0 || x->t > t1 + wticks)
                    break;
                svc = x;
            }
        }
        uint64_t e0 = t0, e1 = svc && svc->t > t1 ? svc->t : t1;
        if (svc && svc->t < e0)
            e0 = svc->t;
        ws_buf_reset(&rec);
        unsigned count = 0;
        size_t nlogon = 0, nshare = 0;
        const char *user = w->s[1];
        if (svc)
            WS_TRY(add_record(&rec, h, svc, &count));
        for (size_t k = i; k < j; k++)
            WS_TRY(add_record(&rec, h, &facts[wi[k]], &count));
        uint64_t plo = e0 > wticks ? e0 - wticks : 0;
        for (size_t k = lower(facts, pi, np, HOST(w), 0, w->s[0], plo); k < np; k++) {
            const struct ws_fact *x = &facts[pi[k]];
            if (!host_eq(w, x) || strcasecmp(x->s[0], w->s[0]) != 0 || x->t > e1 + wticks)
                break;
            WS_TRY(add_record(&rec, h, x, &count));
            if (x->kind == WS_FACT_LOGON) {
                nlogon++;
                if (!user[0])
                    user = x->s[1];
            } else {
                nshare++;
            }
        }
        i = j;
        char ta[40], tb[40];
        time_iso(e0, ta, sizeof ta);
        time_iso(e1, tb, sizeof tb);
        ws_buf_reset(&msg);
        if (svc)
            WS_TRY(ws_buf_addf(&msg,
                               "%s written to an admin share from %s (account %s), then service "
                               "%s installed running %s; %zu network logon(s) from that address",
                               w->s[2], w->s[0], user[0] ? user : "?", svc->s[0], svc->s[1],
                               nlogon));
        else
            WS_TRY(ws_buf_addf(&msg,
                               "%s written to an admin share from %s (account %s); no service "
                               "install of it seen in the logs given",
                               w->s[2], w->s[0], user[0] ? user : "?"));
        ws_buf_reset(&idlow);
        WS_TRY(ws_buf_addf(&idlow, "%s.write-only", d->id));
        struct ws_kv kv[12], ev[6];
        size_t k = 0, ne = 0;
        kv[k++] = (struct ws_kv){.key = "source.ip", .val = w->s[0], .len = strlen(w->s[0])};
        if (user[0])
            kv[k++] = (struct ws_kv){.key = "user.name", .val = user, .len = strlen(user)};
        kv[k++] = (struct ws_kv){.key = "file.path", .val = w->s[2], .len = strlen(w->s[2])};
        kv[k++] = (struct ws_kv){.key = "winlog.computer_name",
                                 .val = w->s[WS_FACT_STRS - 1],
                                 .len = strlen(w->s[WS_FACT_STRS - 1])};
        kv[k++] = (struct ws_kv){.key = "event.start", .val = ta, .len = strlen(ta)};
        kv[k++] = (struct ws_kv){.key = "event.end", .val = tb, .len = strlen(tb)};
        const struct ws_fact *key = svc ? svc : w;
        kv[k++] = (struct ws_kv){.key = "winlog.record_id",
                                 .type = WS_KV_INT,
                                 .num = (int64_t)(key->record & INT64_MAX)};
        if (svc) {
            kv[k++] =
                (struct ws_kv){.key = "service.name", .val = svc->s[0], .len = strlen(svc->s[0])};
            ev[ne++] = (struct ws_kv){
                .key = "service.image_path", .val = svc->s[1], .len = strlen(svc->s[1])};
        }
        ev[ne++] =
            (struct ws_kv){.key = "records", .val = rec.data ? rec.data : "", .len = rec.len};
        ev[ne++] = (struct ws_kv){.key = "share_writes", .type = WS_KV_INT, .num = (int64_t)nw};
        ev[ne++] =
            (struct ws_kv){.key = "network_logons", .type = WS_KV_INT, .num = (int64_t)nlogon};
        ev[ne++] =
            (struct ws_kv){.key = "share_connections", .type = WS_KV_INT, .num = (int64_t)nshare};
        struct ws_finding f;
        ws_finding_init(&f, WS_FINDING_ALERT);
        f.ruleset = "event";
        f.rule_id = svc ? d->id : idlow.data;
        f.rule_name = svc ? d->name : "Executable written to an admin share from a remote address";
        f.description = d->description;
        f.reference = d->reference;
        f.pack = d->pack;
        f.severity = svc ? d->severity : d->severity_low;
        f.host = w->s[WS_FACT_STRS - 1];
        f.source = h->files[key->file].source;
        f.path = h->files[key->file].path;
        f.path_len = strlen(f.path);
        f.mtime = ws_evtx_filetime_unix(e0);
        f.message = msg.data;
        f.fields = kv;
        f.n_fields = k;
        f.evidence = ev;
        f.n_evidence = ne;
        h->emit(h->user, &f);
    }
out:
    ws_buf_release(&rec);
    ws_buf_release(&msg);
    ws_buf_release(&idlow);
    ws_free(wi);
    ws_free(si);
    ws_free(pi);
    return st;
}

/* ---------------------------------------------------------------------------
 * recon burst
 * ------------------------------------------------------------------------- */

/* Facts of one computer (s[4], case-insensitive) and one group key (s[0]:
 * recon group, or an XP process id) together. */
static int cmp_host_key(const struct ws_fact *fa, const struct ws_fact *fb)
{
    int c = strcasecmp(fa->s[WS_FACT_STRS - 1], fb->s[WS_FACT_STRS - 1]);
    return c ? c : strcmp(fa->s[0], fb->s[0]);
}

/* qsort_r order over fact indexes: (computer, key, time, record) */
static int cmp_host_key_time(const void *a, const void *b, void *ctx)
{
    const struct ws_fact *fa = (const struct ws_fact *)ctx + *(const size_t *)a;
    const struct ws_fact *fb = (const struct ws_fact *)ctx + *(const size_t *)b;
    int c = cmp_host_key(fa, fb);
    if (!c)
        c = fa->t < fb->t ? -1 : fa->t > fb->t;
    if (!c)
        c = fa->record < fb->record ? -1 : fa->record > fb->record;
    return c;
}

/* The cmd.exe of XP process fact p (kind WS_FACT_XP_PROG): among the cmd.exe
 * facts sorted by cmp_host_key_time (host, pid, time), the last one of p's
 * host whose pid is p's creator pid, started at most XP_CHAIN_GAP before p
 * (pids are reused quickly on XP). Returns its position in cmds or SIZE_MAX. */
#define XP_CHAIN_GAP (60 * TICKS)
static size_t xp_parent(const struct ws_fact *facts, const size_t *cmds, size_t m,
                        const struct ws_fact *p)
{
    size_t lo = 0, hi = m; /* first cmd > (host, pid, p->t) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ws_fact *c = &facts[cmds[mid]];
        int k = cmp_host_key(c, p);
        if (!k)
            k = c->t > p->t;
        if (k > 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == 0)
        return SIZE_MAX;
    const struct ws_fact *c = &facts[cmds[lo - 1]];
    if (cmp_host_key(c, p) != 0 || p->t - c->t > (uint64_t)XP_CHAIN_GAP)
        return SIZE_MAX;
    return lo - 1;
}

/* XP 592 chains (see the top of the file) into WS_FACT_RECON facts: group
 * "process id P (cmd.exe chains)", num -1 - program index, the record of
 * the program's 592. Once per run. */
static ws_status xp_chains(struct ws_logs *h)
{
    ws_status st = WS_OK;
    size_t m = 0, np = 0, *cmds = NULL, *parent = NULL, *kids = NULL, *progs = NULL;
    if (h->xp_chained)
        return WS_OK;
    h->xp_chained = 1;
    for (size_t i = 0; i < h->n_facts; i++) {
        m += h->facts[i].kind == WS_FACT_XP_CMD;
        np += h->facts[i].kind == WS_FACT_XP_PROG;
    }
    if (!m || !np)
        return WS_OK;
    cmds = ws_calloc(m, sizeof *cmds);
    kids = ws_calloc(m, sizeof *kids);
    progs = ws_calloc(np, sizeof *progs);
    parent = ws_calloc(np, sizeof *parent);
    if (!cmds || !kids || !progs || !parent) {
        st = WS_E_NOMEM;
        goto out;
    }
    m = np = 0;
    for (size_t i = 0; i < h->n_facts; i++) {
        if (h->facts[i].kind == WS_FACT_XP_CMD)
            cmds[m++] = i;
        else if (h->facts[i].kind == WS_FACT_XP_PROG)
            progs[np++] = i;
    }
    qsort_r(cmds, m, sizeof *cmds, cmp_host_key_time, h->facts);
    for (size_t i = 0; i < np; i++) {
        parent[i] = xp_parent(h->facts, cmds, m, &h->facts[progs[i]]);
        if (parent[i] != SIZE_MAX)
            kids[parent[i]]++;
    }
    for (size_t i = 0; i < np; i++) {
        if (parent[i] == SIZE_MAX || kids[parent[i]] != 1)
            continue;
        /* copy what we need: add_recon may move h->facts */
        const struct ws_fact *c = &h->facts[cmds[parent[i]]];
        const struct ws_fact *p = &h->facts[progs[i]];
        char key[WS_MAX_FACT_STR];
        snprintf(key, sizeof key, "process id %.200s (cmd.exe chains)", c->s[1]);
        struct ws_fact f = {.kind = WS_FACT_RECON,
                            .file = p->file,
                            .record = p->record,
                            .t = p->t,
                            .num = -1 - p->num};
        const char *src[WS_FACT_STRS] = {key, p->s[1], p->s[2], "", p->s[WS_FACT_STRS - 1]};
        if (h->n_facts >= WS_MAX_LOG_FACTS)
            break; /* the cap's error finding was given when facts were dropped */
        if (WS_GROW(h->facts, h->cap_facts, h->n_facts + 1) != 0) {
            st = WS_E_NOMEM;
            goto out;
        }
        int ok = 1;
        for (int k = 0; k < WS_FACT_STRS && ok; k++)
            ok = (f.s[k] = ws_strdup(src[k])) != NULL;
        if (!ok) {
            for (int k = 0; k < WS_FACT_STRS; k++)
                ws_free(f.s[k]);
            st = WS_E_NOMEM;
            goto out;
        }
        h->facts[h->n_facts++] = f;
    }
out:
    ws_free(cmds);
    ws_free(kids);
    ws_free(progs);
    ws_free(parent);
    return st;
}

/* The name a recon fact shows: the published command, or for an XP program
 * (num < 0) the program's file name. */
static const char *recon_name(const struct ws_logs *h, const struct ws_fact *x)
{
    if (x->num >= 0)
        return ws_recon_command(h->p, (size_t)x->num);
    const char *b = strrchr(x->s[1], '\\');
    return b ? b + 1 : x->s[1];
}

static ws_status recon(struct ws_logs *h, const struct ws_event_detector *d)
{
    ws_status st = WS_OK;
    size_t m = 0;
    size_t *ix = NULL;
    struct ws_buf rec, cmds, msg;
    ws_buf_init(&rec, 64 * 1024);
    ws_buf_init(&cmds, 64 * 1024);
    ws_buf_init(&msg, 8 * 1024);
    WS_TRY(xp_chains(h));
    for (size_t i = 0; i < h->n_facts; i++)
        m += h->facts[i].kind == WS_FACT_RECON;
    if (!m)
        goto out;
    ix = ws_calloc(m, sizeof *ix);
    if (!ix) {
        st = WS_E_NOMEM;
        goto out;
    }
    m = 0;
    for (size_t i = 0; i < h->n_facts; i++)
        if (h->facts[i].kind == WS_FACT_RECON)
            ix[m++] = i;
    qsort_r(ix, m, sizeof *ix, cmp_host_key_time, h->facts);
    uint64_t w = (uint64_t)d->window * (uint64_t)TICKS;
    for (size_t i = 0; i < m;) {
        const struct ws_fact *a = &h->facts[ix[i]];
        size_t j = i + 1;
        while (j < m) {
            const struct ws_fact *x = &h->facts[ix[j]];
            if (!host_eq(a, x) || strcmp(a->s[0], x->s[0]) != 0 || x->t - a->t > w)
                break;
            j++;
        }
        /* distinct commands in [i, j) */
        size_t distinct = 0;
        unsigned count = 0;
        ws_buf_reset(&rec);
        ws_buf_reset(&cmds);
        for (size_t k = i; k < j; k++) {
            const struct ws_fact *x = &h->facts[ix[k]];
            int seen = 0;
            for (size_t q = i; q < k && !seen; q++)
                seen = h->facts[ix[q]].num == x->num;
            WS_TRY(add_record(&rec, h, x, &count));
            if (seen)
                continue;
            distinct++;
            if (cmds.len)
                WS_TRY(ws_buf_adds(&cmds, " | "));
            WS_TRY(ws_buf_adds(&cmds, recon_name(h, x)));
        }
        if (distinct >= d->threshold) {
            const struct ws_fact *z = &h->facts[ix[j - 1]];
            char ta[40], tb[40];
            time_iso(a->t, ta, sizeof ta);
            time_iso(z->t, tb, sizeof tb);
            ws_buf_reset(&msg);
            WS_TRY(ws_buf_addf(&msg,
                               a->num >= 0
                                   ? "%zu distinct published recon commands from %s within %lld s"
                                   : "%zu distinct recon programs, each run by its own cmd.exe, "
                                     "from %s within %lld s",
                               distinct, a->s[0], (long long)((z->t - a->t) / TICKS)));
            struct ws_kv kv[8], ev[4];
            size_t k = 0, ne = 0;
            kv[k++] = (struct ws_kv){.key = "winlog.computer_name",
                                     .val = a->s[WS_FACT_STRS - 1],
                                     .len = strlen(a->s[WS_FACT_STRS - 1])};
            kv[k++] = (struct ws_kv){.key = "winlog.record_id",
                                     .type = WS_KV_INT,
                                     .num = (int64_t)(a->record & INT64_MAX)};
            kv[k++] = (struct ws_kv){.key = "event.start", .val = ta, .len = strlen(ta)};
            kv[k++] = (struct ws_kv){.key = "event.end", .val = tb, .len = strlen(tb)};
            if (a->s[2][0])
                kv[k++] =
                    (struct ws_kv){.key = "user.name", .val = a->s[2], .len = strlen(a->s[2])};
            if (a->s[3][0])
                kv[k++] = (struct ws_kv){
                    .key = "process.parent.executable", .val = a->s[3], .len = strlen(a->s[3])};
            ev[ne++] = (struct ws_kv){.key = "commands", .val = cmds.data, .len = cmds.len};
            ev[ne++] = (struct ws_kv){
                .key = "distinct_commands", .type = WS_KV_INT, .num = (int64_t)distinct};
            ev[ne++] = (struct ws_kv){.key = "records", .val = rec.data, .len = rec.len};
            ev[ne++] = (struct ws_kv){.key = "group", .val = a->s[0], .len = strlen(a->s[0])};
            struct ws_finding f;
            ws_finding_init(&f, WS_FINDING_ALERT);
            f.ruleset = "event";
            f.rule_id = d->id;
            f.rule_name = d->name;
            f.description = d->description;
            f.reference = d->reference;
            f.pack = d->pack;
            f.severity = d->severity;
            f.host = a->s[WS_FACT_STRS - 1];
            f.source = h->files[a->file].source;
            f.path = h->files[a->file].path;
            f.path_len = strlen(f.path);
            f.mtime = ws_evtx_filetime_unix(a->t);
            f.message = msg.data;
            f.fields = kv;
            f.n_fields = k;
            f.evidence = ev;
            f.n_evidence = ne;
            h->emit(h->user, &f);
        }
        i = j;
    }
out:
    ws_buf_release(&rec);
    ws_buf_release(&cmds);
    ws_buf_release(&msg);
    ws_free(ix);
    return st;
}

ws_status ws_logs_finish(ws_logs *h)
{
    if (h->finished)
        return WS_E_INVALID;
    h->finished = 1;
    ws_status st = WS_OK;
    for (size_t i = 0; i < ws_event_detectors_count(h->p); i++) {
        const struct ws_event_detector *d = ws_event_detector_at(h->p, i);
        if (d->kind == WS_DET_LATERAL)
            WS_TRY(lateral(h, d));
        else if (d->kind == WS_DET_RECON_BURST)
            WS_TRY(recon(h, d));
    }
out:
    return st;
}

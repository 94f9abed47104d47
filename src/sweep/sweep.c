/*
 * sweep.c - agentless SMB checks of many hosts (see include/wormsign/sweep.h).
 *
 * A fixed pool of `parallel` threads takes hosts from the list in order.
 * Per host, in this order, each step bounded by the SMB timeout and the
 * whole host by host_timeout_s:
 *   1. resolve the name (IPv4);
 *   2. probe the dialects (smbneg.c: one TCP connection per dialect, no
 *      login), retried `retries` times if nothing answers;
 *   3. list the shares through libsmbclient (a refused account stops here);
 *   4. admin shares (disk shares whose name ends in '$'): can we list the
 *      root (read), can we create and delete a uniquely named empty file in
 *      it (write; never with WS_SWEEP_NO_WRITE_TEST);
 *   5. scan: a ws_scanner with `conns` threads over the Kwampirs places
 *      (or every readable admin share with WS_SWEEP_FULL); its findings pass
 *      through host_emit, which stamps host.name and host.ip;
 *   6. collect event logs and registry hive copies into collect_dir;
 *   7. one INFO finding "smb.exposure", and one line in the state file.
 * Memory per host is that of one scanner; the sweep never holds more than
 * `parallel` hosts' state.
 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/throttle.h"
#include "source/source_smb.h"
#include "sweep/smbneg.h"
#include "wormsign/sweep.h"

/* Admin shares we record per host (C$..Z$, ADMIN$, and a few more). */
#define MAX_ADMIN 40

struct sweep {
    const struct ws_pack *pack;
    const struct ws_sweep_opts *o;
    pthread_mutex_t lock;
    size_t next;
    FILE *state;
    char **done; /* hosts the state file says are finished */
    size_t n_done;
    struct ws_sweep_stats st;
};

struct admin {
    char name[81];
    int readable, writable;
};

struct host {
    struct sweep *sw;
    const char *name;
    int from_range;
    char host[256]; /* name without the port */
    char ip[INET6_ADDRSTRLEN];
    uint16_t port;
    char prefix[300]; /* smb://ip[:port] */
    unsigned dialects;
    const char *outcome;
    struct ws_buf shares;
    struct admin admin[MAX_ADMIN];
    size_t n_admin;
    struct ws_smb_opts smb;
    struct ws_smb *pool;
    double deadline;
    ws_scanner *sc;
    atomic_int timed_out;
    uint64_t files, bytes, collected;
    struct ws_throttle io;
    unsigned seq;
    char **logs; /* event logs collected from this host: local copy, remote path, ... */
    size_t n_logs, cap_logs;
};

/* Append to a summary text; a full buffer only shortens the text (capped). */
static void cat(struct ws_buf *b, const char *a, const char *c)
{
    ws_status st = ws_buf_adds(b, a);
    if (st == WS_OK && c)
        st = ws_buf_adds(b, c);
    (void)st;
}

/* Queue a path; the scanner reports problems with it as findings itself. */
static void add_path(ws_scanner *sc, const char *p)
{
    ws_status st = ws_scanner_add_path(sc, p);
    (void)st;
}

/* ---------------------------------------------------------------------------
 * Findings
 * ------------------------------------------------------------------------- */

/* Every finding of a host passes here: stamp host.name and host.ip. */
static int host_emit(void *user, const struct ws_finding *f)
{
    struct host *h = user;
    struct ws_finding g = *f;
    struct ws_kv kv[WS_MAX_EVIDENCE + 1];
    size_t n = f->n_fields < WS_MAX_EVIDENCE ? f->n_fields : WS_MAX_EVIDENCE;
    if (n)
        memcpy(kv, f->fields, n * sizeof *kv);
    if (h->ip[0])
        kv[n++] =
            (struct ws_kv){.key = "host.ip", .type = WS_KV_STR, .val = h->ip, .len = strlen(h->ip)};
    g.fields = kv;
    g.n_fields = n;
    g.host = h->host;
    return h->sw->o->scan.emit(h->sw->o->scan.emit_user, &g);
}

static void note(struct host *h, enum ws_finding_kind k, ws_status code, const char *path,
                 const char *msg)
{
    struct ws_finding f;
    ws_finding_init(&f, k);
    f.ruleset = "smb";
    f.source = "smb";
    f.path = path;
    f.path_len = path ? strlen(path) : 0;
    f.error_code = code;
    f.message = msg;
    host_emit(h, &f);
}

static int timed_out(struct host *h)
{
    if (atomic_load(&h->timed_out))
        return 1;
    if (h->deadline > 0 && ws_now_monotonic() > h->deadline) {
        atomic_store(&h->timed_out, 1);
        return 1;
    }
    return 0;
}

static void scan_progress(void *user, const struct ws_scan_progress *p)
{
    (void)p;
    struct host *h = user;
    if (timed_out(h) && h->sc)
        ws_scanner_cancel(h->sc);
}

/* ---------------------------------------------------------------------------
 * Steps
 * ------------------------------------------------------------------------- */

static ws_status resolve(struct host *h)
{
    const char *n = h->name;
    const char *colon = strrchr(n, ':');
    size_t hl = strlen(n);
    if (colon && !strchr(n, ']') && colon == strchr(n, ':')) {
        uint64_t v = 0;
        const char *q = colon + 1;
        if (!*q)
            return WS_E_INVALID;
        for (; *q; q++) {
            if (*q < '0' || *q > '9' || (v = v * 10 + (uint64_t)(*q - '0')) > 65535)
                return WS_E_INVALID;
        }
        h->port = (uint16_t)v;
        hl = (size_t)(colon - n);
    }
    if (hl == 0 || hl >= sizeof h->host)
        return WS_E_INVALID;
    memcpy(h->host, n, hl);
    h->host[hl] = '\0';
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(h->host, NULL, &hints, &res) != 0 || !res)
        return WS_E_NOT_FOUND;
    const struct sockaddr_in *sa = (const struct sockaddr_in *)res->ai_addr;
    inet_ntop(AF_INET, &sa->sin_addr, h->ip, sizeof h->ip);
    freeaddrinfo(res);
    if (h->port)
        snprintf(h->prefix, sizeof h->prefix, "smb://%s:%u", h->ip, (unsigned)h->port);
    else
        snprintf(h->prefix, sizeof h->prefix, "smb://%s", h->ip);
    return WS_OK;
}

static void backoff(unsigned attempt)
{
    unsigned s = attempt < 4 ? 1u << attempt : 8u;
    struct timespec ts = {(time_t)s, 0};
    nanosleep(&ts, NULL);
}

static void on_share(void *user, const char *name, enum ws_smb_share_type t)
{
    struct host *h = user;
    cat(&h->shares, h->shares.len ? "," : "", name);
    size_t n = strlen(name);
    if (t != WS_SMB_SHARE_DISK || n < 2 || name[n - 1] != '$' || n >= sizeof h->admin[0].name)
        return;
    if (strcasecmp(name, "print$") == 0 || h->n_admin == MAX_ADMIN)
        return;
    struct admin *a = &h->admin[h->n_admin++];
    memcpy(a->name, name, n + 1);
}

static void path_of(struct host *h, char *out, size_t cap, const char *share, const char *rest)
{
    snprintf(out, cap, "%s/%s%s%s", h->prefix, share, rest && rest[0] ? "/" : "", rest ? rest : "");
}

static void test_admin(struct host *h)
{
    const struct ws_sweep_opts *o = h->sw->o;
    char p[1024];
    for (size_t i = 0; i < h->n_admin && !timed_out(h); i++) {
        struct admin *a = &h->admin[i];
        path_of(h, p, sizeof p, a->name, NULL);
        a->readable = ws_smb_can_read(h->pool, p) == WS_OK;
        if (o->flags & WS_SWEEP_NO_WRITE_TEST)
            continue;
        char name[128];
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(name, sizeof name, "wormsign-write-test-%ld-%lld-%ld-%u.tmp", (long)getpid(),
                 (long long)ts.tv_sec, ts.tv_nsec, h->seq++);
        path_of(h, p, sizeof p, a->name, name);
        int left = 0;
        a->writable = ws_smb_write_test(h->pool, p, &left) == WS_OK;
        if (left)
            note(h, WS_FINDING_ERROR, WS_E_IO, p,
                 "the write-test file was created but could not be deleted: remove it");
    }
}

static struct admin *find_admin(struct host *h, const char *name)
{
    for (size_t i = 0; i < h->n_admin; i++)
        if (strcasecmp(h->admin[i].name, name) == 0)
            return &h->admin[i];
    return NULL;
}

/* The Windows folder: C$\Windows if C$ is readable, else ADMIN$. */
static int windows_dir(struct host *h, char *out, size_t cap)
{
    struct admin *c = find_admin(h, "C$");
    struct ws_stat st;
    if (c && c->readable) {
        path_of(h, out, cap, c->name, "Windows");
        if (ws_source_smb.stat(h->pool, out, 1, &st) == WS_OK && st.type == WS_FT_DIR)
            return 1;
    }
    struct admin *a = find_admin(h, "ADMIN$");
    if (a && a->readable) {
        path_of(h, out, cap, a->name, NULL);
        return 1;
    }
    return 0;
}

static int is_dir(struct host *h, const char *path)
{
    struct ws_stat st;
    return ws_source_smb.stat(h->pool, path, 1, &st) == WS_OK && st.type == WS_FT_DIR;
}

/* Names in a remote folder (owned array of owned strings). */
static ws_status list_dir(struct host *h, const char *path, char ***names, size_t *n)
{
    void *d;
    ws_status st = ws_source_smb.opendir(h->pool, path, 1, &d);
    if (st != WS_OK)
        return st;
    char **v = NULL;
    size_t k = 0, cap = 0;
    const char *name;
    while ((st = ws_source_smb.readdir(h->pool, d, &name)) == WS_OK) {
        char *c = ws_strdup(name);
        if (!c || WS_GROW(v, cap, k + 1) != 0) {
            ws_free(c);
            st = WS_E_NOMEM;
            break;
        }
        v[k++] = c;
    }
    ws_source_smb.closedir(h->pool, d);
    if (st == WS_E_NOT_FOUND)
        st = WS_OK;
    *names = v;
    *n = k;
    return st;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ws_free(v[i]);
    ws_free(v);
}

static void scan_host(struct host *h, const char *win)
{
    const struct ws_sweep_opts *o = h->sw->o;
    struct ws_scan_opts so = o->scan;
    so.threads = o->conns ? o->conns : 2;
    so.smb = &h->smb;
    so.emit = host_emit;
    so.emit_user = h;
    so.progress = scan_progress;
    so.progress_user = h;
    if (ws_scanner_new(h->sw->pack, &so, &h->sc) != WS_OK) {
        note(h, WS_FINDING_ERROR, WS_E_NOMEM, NULL, "cannot start the scanner");
        return;
    }
    char p[2048];
    struct admin *c = find_admin(h, "C$");
    for (size_t i = 0; i < h->n_admin && !timed_out(h); i++) {
        struct admin *a = &h->admin[i];
        if (!a->readable)
            continue;
        path_of(h, p, sizeof p, a->name, NULL);
        if (o->flags & WS_SWEEP_FULL) {
            /* ADMIN$ is C$\Windows: not twice */
            if (strcasecmp(a->name, "ADMIN$") == 0 && c && c->readable)
                continue;
            add_path(h->sc, p);
            continue;
        }
        /* the files at the root of the share (not its folders) */
        char **names = NULL;
        size_t n = 0;
        if (list_dir(h, p, &names, &n) == WS_OK)
            for (size_t k = 0; k < n && !timed_out(h); k++) {
                char fp[1024];
                struct ws_stat st;
                path_of(h, fp, sizeof fp, a->name, names[k]);
                if (ws_source_smb.stat(h->pool, fp, 1, &st) == WS_OK && st.type == WS_FT_REG)
                    add_path(h->sc, fp);
            }
        free_list(names, n);
    }
    if (!(o->flags & WS_SWEEP_FULL) && win) {
        static const char *const places[] = {"System32", "SysWOW64", "inf", "Temp"};
        for (size_t i = 0; i < sizeof places / sizeof places[0] && !timed_out(h); i++) {
            snprintf(p, sizeof p, "%s/%s", win, places[i]);
            if (is_dir(h, p))
                add_path(h->sc, p);
        }
    }
    struct ws_scan_stats ss;
    memset(&ss, 0, sizeof ss);
    if (ws_scanner_finish(h->sc, &ss) == WS_E_CANCELLED)
        atomic_store(&h->timed_out, 1);
    h->files += ss.files;
    h->bytes += ss.bytes;
    ws_scanner_free(h->sc);
    h->sc = NULL;
}

/* ---------------------------------------------------------------------------
 * Collection of event logs and hive copies
 * ------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static const char *kind_dir(enum ws_sweep_kind k)
{
    return k == WS_SWEEP_EVTX ? "evtx" : k == WS_SWEEP_EVT ? "evt" : "hive";
}

static void collect_one(struct host *h, const char *remote, const char *leaf,
                        enum ws_sweep_kind kind, const char *dir)
{
    const struct ws_sweep_opts *o = h->sw->o;
    if (h->collected >= WS_SWEEP_MAX_COLLECT_FILES || timed_out(h))
        return;
    char local[4096], safe[200];
    size_t k = 0;
    for (const char *q = leaf; *q && k + 1 < sizeof safe; q++) {
        char ch = *q;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '-' || ch == '_';
        safe[k++] = ok ? ch : '_';
    }
    safe[k] = '\0';
    uint64_t bytes = 0;
    ws_status st = WS_E_IO;
    /* a --collect-dir reused by a resumed sweep may hold the name: take the next */
    for (int pass = 0; pass < 1000; pass++) {
        snprintf(local, sizeof local, "%s/%s/%04u-%s", dir, kind_dir(kind), h->seq++, safe);
        if (access(local, F_OK) == 0)
            continue;
        st = ws_smb_fetch(h->pool, remote, local, WS_SWEEP_MAX_COLLECT,
                          o->scan.io_rate > 0 ? &h->io : NULL, &bytes);
        break;
    }
    if (st != WS_OK) {
        note(h, WS_FINDING_ERROR, st, remote,
             st == WS_E_TOO_LARGE ? "not collected: larger than the collection cap"
                                  : "not collected: cannot copy (locked or denied)");
        return;
    }
    h->collected++;
    struct ws_kv ev[1] = {
        {.key = "local_path", .type = WS_KV_STR, .val = local, .len = strlen(local)}};
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_INFO);
    f.ruleset = "smb";
    f.rule_id = "smb.collected";
    f.rule_name = "smb.collected";
    f.source = kind == WS_SWEEP_EVTX ? "evtx" : kind == WS_SWEEP_EVT ? "evt" : "hive";
    f.path = remote;
    f.path_len = strlen(remote);
    f.has_size = 1;
    f.size = bytes;
    f.message = "copied for the log and hive detectors";
    f.evidence = ev;
    f.n_evidence = 1;
    host_emit(h, &f);
    if (o->on_collected) {
        struct ws_sweep_collected c = {h->host, h->ip, remote, local, kind, bytes};
        o->on_collected(o->collected_user, &c);
    }
    if ((kind == WS_SWEEP_EVTX || kind == WS_SWEEP_EVT) && o->on_host_logs &&
        WS_GROW(h->logs, h->cap_logs, h->n_logs + 2) == 0) {
        char *l = ws_strdup(local), *r = ws_strdup(remote);
        if (l && r) {
            h->logs[h->n_logs++] = l;
            h->logs[h->n_logs++] = r;
        } else {
            ws_free(l);
            ws_free(r);
        }
    }
}

/* Collect files of folder that match (suffix, or any of names). */
static void collect_dir(struct host *h, const char *folder, const char *suffix,
                        const char *const *names, enum ws_sweep_kind kind, const char *dir)
{
    char **v = NULL;
    size_t n = 0;
    if (!is_dir(h, folder) || list_dir(h, folder, &v, &n) != WS_OK) {
        free_list(v, n);
        return;
    }
    for (size_t i = 0; i < n && !timed_out(h); i++) {
        int want = suffix && ends_with(v[i], suffix);
        for (size_t k = 0; names && names[k] && !want; k++)
            want = strcasecmp(v[i], names[k]) == 0;
        if (!want)
            continue;
        char p[2048];
        struct ws_stat st;
        snprintf(p, sizeof p, "%s/%s", folder, v[i]);
        if (ws_source_smb.stat(h->pool, p, 1, &st) == WS_OK && st.type == WS_FT_REG)
            collect_one(h, p, v[i], kind, dir);
    }
    free_list(v, n);
}

/* Windows XP System Restore: System Volume Information\_restore{GUID}\RP<n>\
 * snapshot\_REGISTRY_MACHINE_SYSTEM and friends. Usually denied even to
 * administrators; tried, silently. */
static void collect_restore(struct host *h, const char *dir)
{
    struct admin *c = find_admin(h, "C$");
    if (!c || !c->readable)
        return;
    char svi[1024];
    path_of(h, svi, sizeof svi, c->name, "System Volume Information");
    char **r = NULL, **rp = NULL;
    size_t nr = 0, nrp = 0;
    if (list_dir(h, svi, &r, &nr) != WS_OK)
        goto out;
    for (size_t i = 0; i < nr && !timed_out(h); i++) {
        if (strncasecmp(r[i], "_restore", 8) != 0)
            continue;
        char rd[1536];
        snprintf(rd, sizeof rd, "%s/%s", svi, r[i]);
        if (list_dir(h, rd, &rp, &nrp) != WS_OK) {
            free_list(rp, nrp);
            rp = NULL, nrp = 0;
            continue;
        }
        for (size_t k = 0; k < nrp && !timed_out(h); k++) {
            if (strncasecmp(rp[k], "RP", 2) != 0)
                continue;
            char snap[2048];
            snprintf(snap, sizeof snap, "%s/%s/snapshot", rd, rp[k]);
            char **s = NULL;
            size_t ns = 0;
            if (list_dir(h, snap, &s, &ns) == WS_OK)
                for (size_t j = 0; j < ns; j++)
                    if (strncasecmp(s[j], "_REGISTRY_", 10) == 0) {
                        char f[3072];
                        snprintf(f, sizeof f, "%s/%s", snap, s[j]);
                        char leaf[256];
                        snprintf(leaf, sizeof leaf, "%s-%s", rp[k], s[j]);
                        collect_one(h, f, leaf, WS_SWEEP_HIVE, dir);
                    }
            free_list(s, ns);
        }
        free_list(rp, nrp);
        rp = NULL, nrp = 0;
    }
out:
    free_list(r, nr);
    free_list(rp, nrp);
}

static void collect(struct host *h, const char *win)
{
    const struct ws_sweep_opts *o = h->sw->o;
    char dir[4096], p[2048];
    char safe[256];
    size_t k = 0;
    for (const char *q = h->host; *q && k + 1 < sizeof safe; q++)
        safe[k++] = (*q == '/' || *q == '\\' || *q == '.' ? (*q == '.' ? '.' : '_') : *q);
    safe[k] = '\0';
    if (strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
        safe[0] = '_';
    snprintf(dir, sizeof dir, "%s/%s", o->collect_dir, safe);
    if (h->port) {
        size_t l = strlen(dir);
        snprintf(dir + l, sizeof dir - l, "_%u", (unsigned)h->port);
    }
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST)) {
        note(h, WS_FINDING_ERROR, WS_E_IO, NULL, "cannot create the collection folder");
        return;
    }
    for (int i = 1; i <= 3; i++) {
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%s", dir, kind_dir((enum ws_sweep_kind)i));
        if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
            note(h, WS_FINDING_ERROR, WS_E_IO, NULL, "cannot create the collection folder");
            return;
        }
    }
    static const char *const repair[] = {"sam",     "security",   "software", "system",
                                         "default", "ntuser.dat", NULL};
    snprintf(p, sizeof p, "%s/System32/winevt/Logs", win);
    collect_dir(h, p, ".evtx", NULL, WS_SWEEP_EVTX, dir);
    snprintf(p, sizeof p, "%s/System32/config", win);
    collect_dir(h, p, ".evt", NULL, WS_SWEEP_EVT, dir);
    snprintf(p, sizeof p, "%s/repair", win);
    collect_dir(h, p, NULL, repair, WS_SWEEP_HIVE, dir);
    snprintf(p, sizeof p, "%s/System32/config/RegBack", win);
    collect_dir(h, p, "", NULL, WS_SWEEP_HIVE, dir);
    collect_restore(h, dir);
    /* the logs of one host go to the log detectors together, so the
     * correlation detectors see its Security and System logs as one */
    if (o->on_host_logs && h->n_logs)
        o->on_host_logs(o->collected_user, h->host, h->ip, (const char *const *)h->logs,
                        h->n_logs / 2);
    for (size_t i = 0; i < h->n_logs; i++)
        ws_free(h->logs[i]);
    WS_FREE_AND_NULL(h->logs);
    h->n_logs = h->cap_logs = 0;
}

/* ---------------------------------------------------------------------------
 * The exposure summary and the state file
 * ------------------------------------------------------------------------- */

static void summary(struct host *h)
{
    struct ws_buf d, rd, wr, msg;
    ws_buf_init(&d, 256);
    ws_buf_init(&rd, 4096);
    ws_buf_init(&wr, 4096);
    ws_buf_init(&msg, 16384);
    for (unsigned i = 0; i < WS_SMB_N_DIALECTS; i++)
        if (h->dialects & (1u << i))
            cat(&d, d.len ? "," : "", ws_smb_dialect_name(i));
    for (size_t i = 0; i < h->n_admin; i++) {
        if (h->admin[i].readable)
            cat(&rd, rd.len ? "," : "", h->admin[i].name);
        if (h->admin[i].writable)
            cat(&wr, wr.len ? "," : "", h->admin[i].name);
    }
    int smb1 = (h->dialects & WS_SMB_NT1) != 0;
    int smb1_only = h->dialects == WS_SMB_NT1;
    int wt = !(h->sw->o->flags & WS_SWEEP_NO_WRITE_TEST);
    cat(&msg, "SMB exposure (", h->outcome);
    cat(&msg, "): dialects ", d.len ? d.data : "none");
    cat(&msg, "; shares ", h->shares.len ? h->shares.data : "none");
    cat(&msg, "; admin shares readable: ", rd.len ? rd.data : "none");
    cat(&msg, "; writable: ", wt ? (wr.len ? wr.data : "none") : "not tested");
    if (smb1_only)
        cat(&msg, "; speaks only SMB1 (Windows XP/2003 era?)", NULL);
    struct ws_kv ev[] = {
        {.key = "outcome", .type = WS_KV_STR, .val = h->outcome, .len = strlen(h->outcome)},
        {.key = "dialects", .type = WS_KV_STR, .val = d.data, .len = d.len},
        {.key = "smb1", .type = WS_KV_BOOL, .num = smb1},
        {.key = "smb1_only", .type = WS_KV_BOOL, .num = smb1_only},
        {.key = "shares", .type = WS_KV_STR, .val = h->shares.data, .len = h->shares.len},
        {.key = "admin_readable", .type = WS_KV_STR, .val = rd.data, .len = rd.len},
        {.key = "admin_writable", .type = WS_KV_STR, .val = wr.data, .len = wr.len},
        {.key = "write_tested", .type = WS_KV_BOOL, .num = wt},
        {.key = "files", .type = WS_KV_INT, .num = (int64_t)h->files},
        {.key = "bytes", .type = WS_KV_INT, .num = (int64_t)h->bytes},
        {.key = "collected", .type = WS_KV_INT, .num = (int64_t)h->collected},
    };
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_INFO);
    f.ruleset = "smb";
    f.rule_id = "smb.exposure";
    f.rule_name = "smb.exposure";
    f.source = "smb";
    f.path = h->prefix[0] ? h->prefix : NULL;
    f.path_len = h->prefix[0] ? strlen(h->prefix) : 0;
    f.message = msg.data;
    f.evidence = ev;
    f.n_evidence = sizeof ev / sizeof ev[0];
    host_emit(h, &f);
    ws_buf_release(&d);
    ws_buf_release(&rd);
    ws_buf_release(&wr);
    ws_buf_release(&msg);
}

static void record_state(struct sweep *sw, struct host *h)
{
    if (!sw->state)
        return;
    pthread_mutex_lock(&sw->lock);
    fprintf(sw->state, "%s\t%s\n", h->name, h->outcome);
    fflush(sw->state);
    fsync(fileno(sw->state));
    pthread_mutex_unlock(&sw->lock);
}

static int is_done(struct sweep *sw, const char *name)
{
    for (size_t i = 0; i < sw->n_done; i++)
        if (strcmp(sw->done[i], name) == 0)
            return 1;
    return 0;
}

static ws_status load_state(struct sweep *sw, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? WS_OK : WS_E_IO;
    char line[1024];
    size_t cap = 0;
    ws_status st = WS_OK;
    for (size_t pass = 0; pass < 4 * WS_SWEEP_MAX_HOSTS && fgets(line, sizeof line, f); pass++) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *oc = tab + 1;
        oc[strcspn(oc, "\r\n")] = '\0';
        if (strcmp(oc, "ok") != 0 && strcmp(oc, "refused") != 0)
            continue; /* unreachable, timeout, error: try again */
        char *c = ws_strdup(line);
        if (!c || WS_GROW(sw->done, cap, sw->n_done + 1) != 0) {
            ws_free(c);
            st = WS_E_NOMEM;
            break;
        }
        sw->done[sw->n_done++] = c;
    }
    fclose(f);
    return st;
}

/* ---------------------------------------------------------------------------
 * One host, the workers, the entry points
 * ------------------------------------------------------------------------- */

static void sweep_host(struct sweep *sw, const struct ws_sweep_host *sh)
{
    const struct ws_sweep_opts *o = sw->o;
    struct host *h = ws_calloc(1, sizeof *h);
    if (!h)
        return;
    h->sw = sw;
    h->name = sh->name;
    h->from_range = sh->from_range;
    h->outcome = "ok";
    ws_buf_init(&h->shares, 16384);
    ws_throttle_init(&h->io, o->scan.io_rate * 1e6);
    if (o->smb)
        h->smb = *o->smb;
    h->smb.max_conns = o->conns ? o->conns : 2;
    if (o->host_timeout_s)
        h->deadline = ws_now_monotonic() + o->host_timeout_s;
    unsigned tmo = h->smb.timeout_ms ? h->smb.timeout_ms : 20000;
    char win[1024];
    int have_win = 0;

    ws_status st = resolve(h);
    if (st != WS_OK) {
        snprintf(h->host, sizeof h->host, "%s", sh->name);
        h->outcome = "unresolved";
        note(h, WS_FINDING_ERROR, st, NULL,
             st == WS_E_INVALID ? "not a host name, address or host:port"
                                : "cannot resolve the host name");
        goto summary;
    }
    for (unsigned a = 0; a <= o->retries; a++) {
        if (a)
            backoff(a - 1);
        st = ws_smb_probe_dialects(h->ip, h->port, tmo < 10000 ? tmo : 10000, &h->dialects);
        if (st != WS_E_IO || timed_out(h))
            break;
    }
    if (st == WS_E_CANCELLED || (st == WS_OK && h->dialects == 0)) {
        h->outcome = "unreachable";
        note(h, WS_FINDING_ERROR, st == WS_OK ? WS_E_UNSUPPORTED : WS_E_IO, h->prefix,
             st == WS_OK ? "accepts connections but refuses every SMB dialect"
                         : "accepts connections but does not answer SMB (timed out)");
        goto summary;
    }
    if (st != WS_OK) {
        h->outcome = "unreachable";
        if (h->from_range)
            goto done; /* an empty address in a range: counted, not reported */
        note(h, WS_FINDING_ERROR, st, h->prefix, "no SMB service answers");
        goto summary;
    }
    /* SMB1 only where the host offers nothing newer (XP era): never a downgrade */
    h->smb.allow_smb1 = (h->dialects & ~(unsigned)WS_SMB_NT1) == 0;
    st = ws_smb_new(&h->smb, h->prefix, &h->pool);
    if (st != WS_OK) {
        h->outcome = "error";
        note(h, WS_FINDING_ERROR, st, h->prefix, "cannot set up the SMB connection");
        goto summary;
    }
    for (unsigned a = 0; a <= o->retries; a++) {
        if (a)
            backoff(a - 1);
        ws_buf_reset(&h->shares);
        h->n_admin = 0;
        st = ws_smb_list_shares(h->pool, on_share, h);
        if (st != WS_E_IO || timed_out(h))
            break;
    }
    if (st == WS_E_PERM) {
        h->outcome = "refused";
        note(h, WS_FINDING_ERROR, st, h->prefix,
             "the server refused the account (logon or share listing denied)");
        goto summary;
    }
    if (st != WS_OK) {
        h->outcome = "error";
        note(h, WS_FINDING_ERROR, st, h->prefix, "cannot list the shares");
        goto summary;
    }
    test_admin(h);
    have_win = windows_dir(h, win, sizeof win);
    if (!(o->flags & WS_SWEEP_NO_SCAN) && !timed_out(h))
        scan_host(h, have_win ? win : NULL);
    if (!(o->flags & WS_SWEEP_NO_COLLECT) && o->collect_dir && have_win && !timed_out(h))
        collect(h, win);
    if (timed_out(h)) {
        h->outcome = "timeout";
        note(h, WS_FINDING_ERROR, WS_E_CANCELLED, h->prefix,
             "host time budget (--host-timeout) used up: sweep of this host incomplete");
    }
summary:
    summary(h);
done:
    record_state(sw, h);
    pthread_mutex_lock(&sw->lock);
    sw->st.swept++;
    sw->st.files += h->files;
    sw->st.bytes += h->bytes;
    sw->st.collected += h->collected;
    if (strcmp(h->outcome, "unreachable") == 0 || strcmp(h->outcome, "unresolved") == 0)
        sw->st.unreachable++;
    else if (strcmp(h->outcome, "refused") == 0)
        sw->st.refused++;
    else if (strcmp(h->outcome, "timeout") == 0)
        sw->st.timed_out++;
    pthread_mutex_unlock(&sw->lock);
    ws_smb_free(h->pool);
    ws_throttle_release(&h->io);
    ws_buf_release(&h->shares);
    ws_free(h);
}

static void *sweep_worker(void *arg)
{
    struct sweep *sw = arg;
    for (size_t pass = 0; pass <= sw->o->n_hosts; pass++) {
        pthread_mutex_lock(&sw->lock);
        size_t i = sw->next++;
        pthread_mutex_unlock(&sw->lock);
        if (i >= sw->o->n_hosts)
            break;
        const struct ws_sweep_host *sh = &sw->o->hosts[i];
        if (is_done(sw, sh->name)) {
            pthread_mutex_lock(&sw->lock);
            sw->st.resumed++;
            pthread_mutex_unlock(&sw->lock);
            continue;
        }
        sweep_host(sw, sh);
    }
    return NULL;
}

ws_status ws_sweep_run(const ws_pack *pack, const struct ws_sweep_opts *o,
                       struct ws_sweep_stats *stats)
{
    if (!pack || !o || !o->scan.emit || (o->n_hosts && !o->hosts) ||
        o->n_hosts > WS_SWEEP_MAX_HOSTS)
        return WS_E_INVALID;
    struct sweep sw;
    memset(&sw, 0, sizeof sw);
    sw.pack = pack;
    sw.o = o;
    pthread_mutex_init(&sw.lock, NULL);
    double t0 = ws_now_monotonic();
    ws_status st = WS_OK;
    pthread_t th[64];
    size_t n_th = 0;
    if (o->state_path) {
        WS_TRY(load_state(&sw, o->state_path));
        sw.state = fopen(o->state_path, "a");
        if (!sw.state) {
            st = WS_E_IO;
            goto out;
        }
    }
    unsigned par = o->parallel ? o->parallel : 4;
    if (par > 64)
        par = 64;
    if (par > o->n_hosts)
        par = (unsigned)o->n_hosts;
    for (unsigned i = 0; i < par; i++) {
        if (pthread_create(&th[n_th], NULL, sweep_worker, &sw) != 0)
            break;
        n_th++;
    }
    if (n_th == 0 && par > 0)
        sweep_worker(&sw); /* no thread to spare: do it here */
    for (size_t i = 0; i < n_th; i++)
        pthread_join(th[i], NULL);
    sw.st.hosts = o->n_hosts;
    sw.st.seconds = ws_now_monotonic() - t0;
    if (stats)
        *stats = sw.st;
out:
    if (sw.state)
        fclose(sw.state);
    free_list(sw.done, sw.n_done);
    pthread_mutex_destroy(&sw.lock);
    return st;
}

ws_status ws_sweep_expand(const char *spec, int (*fn)(void *user, const char *host, int from_range),
                          void *user)
{
    const char *slash = strchr(spec, '/');
    if (!slash) {
        if (!spec[0])
            return WS_E_SYNTAX;
        return fn(user, spec, 0) ? WS_E_CANCELLED : WS_OK;
    }
    char addr[64];
    size_t al = (size_t)(slash - spec);
    if (al == 0 || al >= sizeof addr)
        return WS_E_SYNTAX;
    memcpy(addr, spec, al);
    addr[al] = '\0';
    struct in_addr in;
    if (inet_pton(AF_INET, addr, &in) != 1)
        return WS_E_SYNTAX;
    unsigned len = 0;
    const char *q = slash + 1;
    if (!*q)
        return WS_E_SYNTAX;
    for (; *q; q++) {
        if (*q < '0' || *q > '9' || (len = len * 10 + (unsigned)(*q - '0')) > 32)
            return WS_E_SYNTAX;
    }
    if (len < 16)
        return WS_E_TOO_LARGE; /* more than a /16 in one spec: split it */
    uint32_t base = ntohl(in.s_addr);
    uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
    base &= mask;
    uint64_t count = (uint64_t)1 << (32 - len);
    uint64_t first = 0, last = count - 1;
    if (len <= 30) {
        first = 1;
        last = count - 2;
    }
    for (uint64_t i = first; i <= last; i++) {
        struct in_addr a;
        a.s_addr = htonl(base + (uint32_t)i);
        char s[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a, s, sizeof s);
        if (fn(user, s, 1))
            return WS_E_CANCELLED;
    }
    return WS_OK;
}

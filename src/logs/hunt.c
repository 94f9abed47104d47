/*
 * hunt.c - the log hunter: every record of every file through the event
 * rules, and the facts the correlation detectors (correlate.c) need.
 *
 * One pass per file, one record in memory at a time (the EVTX reader holds
 * one chunk). A rule match is emitted at once; facts are copied (strings
 * capped at WS_MAX_FACT_STR) into one array capped at WS_MAX_LOG_FACTS,
 * which ws_logs_finish() sorts and correlates.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "logs/hunt_impl.h"
#include "logs/rules.h"
#include "pack/pack_impl.h"
#include "source/source.h"
#include "wormsign/evtx.h"
#include "wormsign/logs.h"

ws_status ws_logs_new(const ws_pack *pack, ws_emit_fn emit, void *user, ws_logs **out)
{
    struct ws_logs *h = ws_calloc(1, sizeof *h);
    if (!h)
        return WS_E_NOMEM;
    h->p = pack;
    h->emit = emit;
    h->threads = 1;
    h->user = user;
    h->md = pcre2_match_data_create(4, NULL);
    if (!h->md) {
        ws_free(h);
        return WS_E_NOMEM;
    }
    for (size_t i = 0; i < ws_event_detectors_count(pack); i++) {
        const struct ws_event_detector *d = ws_event_detector_at(pack, i);
        if (d->kind == WS_DET_RECON_BURST)
            h->want_recon = 1;
        if (d->kind == WS_DET_LATERAL)
            h->want_lateral = 1;
    }
    *out = h;
    return WS_OK;
}

void ws_logs_free(ws_logs *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_facts; i++)
        for (int k = 0; k < WS_FACT_STRS; k++)
            ws_free(h->facts[i].s[k]);
    ws_free(h->facts);
    for (size_t i = 0; i < h->n_files; i++)
        ws_free(h->files[i].path);
    ws_free(h->files);
    pcre2_match_data_free((pcre2_match_data *)h->md);
    ws_free(h);
}

void ws_logs_get_stats(const ws_logs *h, struct ws_logs_stats *s)
{
    s->files = h->n_files;
    s->records = h->records;
    s->bytes = h->bytes;
    s->facts = h->n_facts;
}

/* ---------------------------------------------------------------------------
 * ECS fields of one event
 * ------------------------------------------------------------------------- */

static int get(const struct ws_evtx_event *ev, const char *names, const char **s, size_t *n)
{
    /* names: "A|B|C", first present and meaningful wins */
    char one[64], num[24];
    const char *p = names;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l < sizeof one) {
            memcpy(one, p, l);
            one[l] = '\0';
            if (ws_event_get(ev, one, s, n, num, sizeof num) && *n &&
                !(*n == 1 && (*s)[0] == '-') && *s != num)
                return 1;
        }
        p += l + (bar ? 1 : 0);
    }
    return 0;
}

size_t ws_logs_ecs(const struct ws_logs_file *file, const struct ws_evtx_event *ev,
                   struct ws_kv *kv, size_t cap, char *tbuf, size_t tcap, char *idbuf, size_t idcap)
{
    size_t k = 0;
    const char *s;
    size_t n;
#define PUT(key_, s_, n_)                                                                          \
    do {                                                                                           \
        if (k < cap) {                                                                             \
            kv[k] = (struct ws_kv){.key = (key_), .type = WS_KV_STR, .val = (s_), .len = (n_)};    \
            k++;                                                                                   \
        }                                                                                          \
    } while (0)
    (void)file;
    if (k < cap)
        kv[k++] = (struct ws_kv){.key = "winlog.record_id",
                                 .type = WS_KV_INT,
                                 .num = (int64_t)(ev->record_id & INT64_MAX)};
    if (ev->has_event_id) {
        int w = snprintf(idbuf, idcap, "%u", (unsigned)ev->event_id);
        if (w > 0 && (size_t)w < idcap) {
            PUT("winlog.event_id", idbuf, (size_t)w);
            PUT("event.code", idbuf, (size_t)w);
        }
    }
    if (ev->sys[WS_EVTX_SYS_CHANNEL].s)
        PUT("winlog.channel", ev->sys[WS_EVTX_SYS_CHANNEL].s, ev->sys[WS_EVTX_SYS_CHANNEL].len);
    if (ev->sys[WS_EVTX_SYS_PROVIDER].s)
        PUT("winlog.provider_name", ev->sys[WS_EVTX_SYS_PROVIDER].s,
            ev->sys[WS_EVTX_SYS_PROVIDER].len);
    if (ev->sys[WS_EVTX_SYS_COMPUTER].s)
        PUT("winlog.computer_name", ev->sys[WS_EVTX_SYS_COMPUTER].s,
            ev->sys[WS_EVTX_SYS_COMPUTER].len);
    size_t tl = ws_evtx_filetime_iso(ev->filetime, tbuf, tcap);
    PUT("event.start", tbuf, tl);
    if (get(ev, "IpAddress|SourceAddress|SourceIp|ClientAddress", &s, &n))
        PUT("source.ip", s, n);
    if (get(ev, "TargetUserName|User|SubjectUserName|AccountName", &s, &n))
        PUT("user.name", s, n);
    uint32_t id = ev->has_event_id ? ev->event_id : 0;
    if (get(ev, "ServiceName", &s, &n) ||
        ((id == 601 || id == 7035 || id == 7036) && get(ev, "param1", &s, &n)))
        PUT("service.name", s, n);
    if (get(ev, "TargetFilename", &s, &n))
        PUT("file.path", s, n);
    if (get(ev, "NewProcessName|Image", &s, &n))
        PUT("process.executable", s, n);
    if (get(ev, "CommandLine", &s, &n))
        PUT("process.command_line", s, n);
    if (get(ev, "ParentProcessName|ParentImage", &s, &n))
        PUT("process.parent.executable", s, n);
#undef PUT
    return k;
}

/* ---------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------- */

static void run_rules(struct ws_logs *h, const struct ws_logs_file *file,
                      const struct ws_evtx_event *ev)
{
    size_t nr = ws_event_rules_count(h->p);
    for (size_t i = 0; i < nr; i++) {
        const struct ws_event_rule *r = ws_event_rule_at(h->p, i);
        struct ws_kv evd[WS_MAX_RULE_CONDS];
        size_t ne = 0;
        if (!ws_event_rule_match(h->p, r, ev, h->md, evd, WS_ARRAY_LEN(evd), &ne))
            continue;
        struct ws_kv kv[24];
        char t[40], id[16];
        size_t nk = ws_logs_ecs(file, ev, kv, WS_ARRAY_LEN(kv), t, sizeof t, id, sizeof id);
        struct ws_finding f;
        ws_finding_init(&f, r->info ? WS_FINDING_INFO : WS_FINDING_ALERT);
        f.ruleset = "event";
        f.rule_id = r->id;
        f.rule_name = r->name;
        f.description = r->description;
        f.reference = r->reference;
        f.pack = r->pack;
        f.severity = r->severity;
        f.host = ev->sys[WS_EVTX_SYS_COMPUTER].s;
        f.source = file->source;
        f.path = file->path;
        f.path_len = strlen(file->path);
        f.mtime = ws_evtx_filetime_unix(ev->filetime);
        f.message = r->name;
        /* where the rule is written, as evidence (the ioc.* fields describe
         * file IOCs); info records carry no rule.* of the sink's: add them */
        char where[300];
        int wl = snprintf(where, sizeof where, "%s:%llu", r->file, (unsigned long long)r->line);
        if (ne < WS_ARRAY_LEN(evd) && wl > 0)
            evd[ne++] =
                (struct ws_kv){.key = "rule_source",
                               .val = where,
                               .len = (size_t)wl < sizeof where ? (size_t)wl : sizeof where - 1};
        if (r->info && nk + 2 <= WS_ARRAY_LEN(kv)) {
            kv[nk++] = (struct ws_kv){.key = "rule.id", .val = r->id, .len = strlen(r->id)};
            kv[nk++] = (struct ws_kv){.key = "rule.name", .val = r->name, .len = strlen(r->name)};
        }
        f.fields = kv;
        f.n_fields = nk;
        f.evidence = evd;
        f.n_evidence = ne;
        h->emit(h->user, &f);
    }
}

/* ---------------------------------------------------------------------------
 * Facts for the correlation detectors
 * ------------------------------------------------------------------------- */

static char *cap_dup(const char *s, size_t n)
{
    return ws_memdup0(s, n > WS_MAX_FACT_STR ? WS_MAX_FACT_STR : n);
}

static ws_status add_fact(struct ws_logs *h, const struct ws_evtx_event *ev, enum ws_fact_kind kind,
                          const char *const *s, const size_t *n, int64_t num)
{
    if (h->n_facts >= WS_MAX_LOG_FACTS) {
        if (!h->facts_dropped++) {
            struct ws_finding f;
            ws_finding_init(&f, WS_FINDING_ERROR);
            f.ruleset = "event";
            f.source = h->files[h->n_files - 1].source;
            f.path = h->files[h->n_files - 1].path;
            f.path_len = strlen(f.path);
            f.error_code = WS_E_TOO_LARGE;
            f.message = "too many events kept for correlation; later ones are not correlated";
            h->emit(h->user, &f);
        }
        return WS_OK;
    }
    if (WS_GROW(h->facts, h->cap_facts, h->n_facts + 1) != 0)
        return WS_E_NOMEM;
    struct ws_fact *f = &h->facts[h->n_facts];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->file = (uint32_t)(h->n_files - 1);
    f->record = ev->record_id;
    f->t = ev->filetime;
    f->num = num;
    const struct ws_evtx_str c = ev->sys[WS_EVTX_SYS_COMPUTER];
    f->s[WS_FACT_STRS - 1] = cap_dup(c.s ? c.s : "", c.s ? c.len : 0);
    int ok = f->s[WS_FACT_STRS - 1] != NULL;
    for (int k = 0; k < WS_FACT_STRS - 1 && ok; k++) {
        f->s[k] = cap_dup(s[k] ? s[k] : "", s[k] ? n[k] : 0);
        ok = f->s[k] != NULL;
    }
    if (!ok) {
        for (int k = 0; k < WS_FACT_STRS; k++)
            ws_free(f->s[k]);
        return WS_E_NOMEM;
    }
    h->n_facts++;
    return WS_OK;
}

static int loopback(const char *s, size_t n)
{
    return (n >= 4 && memcmp(s, "127.", 4) == 0) || (n == 3 && memcmp(s, "::1", 3) == 0) ||
           (n >= 7 && strncasecmp(s, "::ffff:127.", n < 11 ? n : 11) == 0);
}

static int iends(const char *s, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return n >= l && strncasecmp(s + n - l, suf, l) == 0;
}

/* An executable-looking file name (what a remote service would run). */
static int exe_ext(const char *s, size_t n)
{
    static const char *const ext[] = {".exe", ".dll", ".sys", ".bat", ".cmd",
                                      ".ps1", ".scr", ".com", ".vbs"};
    for (size_t i = 0; i < WS_ARRAY_LEN(ext); i++)
        if (iends(s, n, ext[i]))
            return 1;
    return 0;
}

static ws_status collect(struct ws_logs *h, const struct ws_evtx_event *ev)
{
    if (!ev->has_event_id)
        return WS_OK;
    const char *s[WS_FACT_STRS - 1] = {0};
    size_t n[WS_FACT_STRS - 1] = {0};
    const char *prov = ev->sys[WS_EVTX_SYS_PROVIDER].s ? ev->sys[WS_EVTX_SYS_PROVIDER].s : "";
    int sysmon = strcasestr(prov, "Sysmon") != NULL;
    uint32_t id = ev->event_id;
    if (h->want_lateral && !sysmon) {
        if (id == 4624) {
            const char *lt;
            size_t ln;
            if (!get(ev, "LogonType", &lt, &ln) || ln != 1 || lt[0] != '3')
                return WS_OK;
            if (!get(ev, "IpAddress", &s[0], &n[0]) || loopback(s[0], n[0]))
                return WS_OK;
            get(ev, "TargetUserName", &s[1], &n[1]);
            get(ev, "TargetLogonId", &s[2], &n[2]);
            return add_fact(h, ev, WS_FACT_LOGON, s, n, id);
        }
        if (id == 5140 || id == 5145) {
            const char *share;
            size_t sn;
            if (!get(ev, "ShareName", &share, &sn))
                return WS_OK;
            int admin = iends(share, sn, "\\ADMIN$");
            int cdrive = sn >= 3 && share[sn - 1] == '$' && share[sn - 3] == '\\' &&
                         ((share[sn - 2] | 0x20) >= 'a' && (share[sn - 2] | 0x20) <= 'z');
            if (!admin && !cdrive)
                return WS_OK;
            if (!get(ev, "IpAddress", &s[0], &n[0]) || loopback(s[0], n[0]))
                return WS_OK;
            get(ev, "SubjectUserName", &s[1], &n[1]);
            if (id == 5140) {
                s[2] = share;
                n[2] = sn;
                return add_fact(h, ev, WS_FACT_SHARE, s, n, id);
            }
            const char *rel, *mask = NULL, *al = NULL;
            size_t rn, mn = 0, aln = 0;
            if (!get(ev, "RelativeTargetName", &rel, &rn) || !exe_ext(rel, rn))
                return WS_OK;
            if (!admin && !(rn > 8 && strncasecmp(rel, "Windows\\", 8) == 0))
                return WS_OK; /* C$: only C$\Windows\... */
            get(ev, "AccessMask", &mask, &mn);
            get(ev, "AccessList", &al, &aln);
            uint64_t m = 0;
            if (mask && mn > 2 && mask[0] == '0' && (mask[1] | 0x20) == 'x') {
                for (size_t i = 2; i < mn && i < 18; i++) {
                    char c = (char)(mask[i] | 0x20);
                    m = m * 16 + (uint64_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
                }
            }
            int write = (m & 0x6) != 0 ||
                        (al && (memmem(al, aln, "%%4417", 6) || memmem(al, aln, "%%4418", 6)));
            if (!write)
                return WS_OK;
            /* full path: ShareLocalPath (\??\C:\Windows) + \ + relative name */
            char full[WS_MAX_FACT_STR];
            const char *lp;
            size_t ln;
            int w;
            if (get(ev, "ShareLocalPath", &lp, &ln)) {
                if (ln >= 4 && memcmp(lp, "\\??\\", 4) == 0) {
                    lp += 4;
                    ln -= 4;
                }
                if (ln && (lp[ln - 1] == '\\' || lp[ln - 1] == '/'))
                    ln--; /* "C:\" + "\" + name */
                w = snprintf(full, sizeof full, "%.*s\\%.*s", (int)(ln > 400 ? 400 : ln), lp,
                             (int)(rn > 500 ? 500 : rn), rel);
            } else {
                w = snprintf(full, sizeof full, "%.*s\\%.*s", (int)(sn > 400 ? 400 : sn), share,
                             (int)(rn > 500 ? 500 : rn), rel);
            }
            s[2] = full;
            n[2] = w > 0 ? (size_t)w : 0;
            size_t b = rn;
            while (b > 0 && rel[b - 1] != '\\' && rel[b - 1] != '/')
                b--;
            s[3] = rel + b;
            n[3] = rn - b;
            return add_fact(h, ev, WS_FACT_WRITE, s, n, id);
        }
        if (id == 7045 || id == 4697 || id == 601) {
            const char *img;
            size_t in;
            if (!get(ev, id == 601 ? "ServiceName|param1" : "ServiceName", &s[0], &n[0]))
                return WS_OK;
            if (!get(ev, id == 601 ? "ServiceFileName|param2" : "ImagePath|ServiceFileName", &img,
                     &in))
                return WS_OK;
            s[1] = img;
            n[1] = in;
            get(ev, id == 7045 ? "AccountName" : "SubjectUserName|param5", &s[2], &n[2]);
            /* the program of the image path: quoted, or up to .exe, or to a blank */
            const char *p = img, *e;
            size_t pn = in;
            while (pn && (*p == ' ' || *p == '\t')) {
                p++;
                pn--;
            }
            if (pn && *p == '"') {
                p++;
                pn--;
                e = memchr(p, '"', pn);
                pn = e ? (size_t)(e - p) : pn;
            } else {
                size_t k = 0;
                while (k < pn && p[k] != ' ')
                    k++;
                for (size_t j = 0; j + 4 <= pn; j++)
                    if (strncasecmp(p + j, ".exe", 4) == 0 && (j + 4 == pn || p[j + 4] == ' ')) {
                        k = j + 4;
                        break;
                    }
                pn = k;
            }
            size_t b = pn;
            while (b > 0 && p[b - 1] != '\\' && p[b - 1] != '/')
                b--;
            s[3] = p + b;
            n[3] = pn - b;
            return add_fact(h, ev, WS_FACT_SERVICE, s, n, id);
        }
    }
    if (h->want_recon && id == 592 && !sysmon && !get(ev, "CommandLine", &s[1], &n[1])) {
        /* XP/2003: New Process ID, Image File Name, Creator Process ID, User
         * Name, Domain, Logon ID (KB 221212); no command line */
        if (!get(ev, "param1", &s[0], &n[0]) || !get(ev, "param2", &s[1], &n[1]) ||
            !get(ev, "param3", &s[2], &n[2]))
            return WS_OK;
        const char *img = s[1], *pid = s[0];
        size_t imn = n[1], pn = n[0];
        get(ev, "param4", &s[3], &n[3]);
        if (iends(img, imn, "\\cmd.exe") || (imn == 7 && strncasecmp(img, "cmd.exe", 7) == 0)) {
            const char *cs[WS_FACT_STRS - 1] = {pid, s[2], s[3], img};
            size_t cn[WS_FACT_STRS - 1] = {pn, n[2], n[3], imn};
            return add_fact(h, ev, WS_FACT_XP_CMD, cs, cn, 0);
        }
        long ri = ws_recon_program(h->p, img, imn);
        if (ri < 0)
            return WS_OK;
        const char *ps[WS_FACT_STRS - 1] = {s[2], img, s[3], NULL};
        size_t pl[WS_FACT_STRS - 1] = {n[2], imn, n[3], 0};
        return add_fact(h, ev, WS_FACT_XP_PROG, ps, pl, ri);
    }
    if (h->want_recon && ((id == 4688 && !sysmon) || (id == 1 && sysmon))) {
        const char *cl;
        size_t cn;
        if (!get(ev, "CommandLine", &cl, &cn))
            return WS_OK;
        int wrapped = 0;
        long ri = ws_recon_match(h->p, cl, cn, &wrapped);
        if (ri < 0)
            return WS_OK;
        char key[WS_MAX_FACT_STR];
        const char *a, *b;
        size_t an, bn;
        int w;
        if (sysmon && get(ev, "ParentProcessGuid", &a, &an))
            w = snprintf(key, sizeof key, "parent process %.*s", (int)(an > 200 ? 200 : an), a);
        else if (get(ev, sysmon ? "ParentProcessId" : "ProcessId", &a, &an))
            w = snprintf(key, sizeof key, "parent process id %.*s", (int)(an > 200 ? 200 : an), a);
        else if (get(ev, sysmon ? "LogonId" : "SubjectLogonId", &b, &bn))
            w = snprintf(key, sizeof key, "logon session %.*s", (int)(bn > 200 ? 200 : bn), b);
        else
            w = snprintf(key, sizeof key, "unknown parent");
        s[0] = key;
        n[0] = w > 0 ? (size_t)w : 0;
        s[1] = cl;
        n[1] = cn;
        get(ev, sysmon ? "User" : "SubjectUserName", &s[2], &n[2]);
        get(ev, sysmon ? "ParentImage" : "ParentProcessName", &s[3], &n[3]);
        return add_fact(h, ev, WS_FACT_RECON, s, n, ri);
    }
    return WS_OK;
}

/* ---------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------- */

static void emit_file_error(struct ws_logs *h, const struct ws_logs_file *file,
                            const struct ws_evtx_error *e, ws_status code, const char *msg)
{
    struct ws_finding f;
    struct ws_kv ev[3];
    size_t ne = 0;
    ws_finding_init(&f, WS_FINDING_ERROR);
    f.ruleset = "event";
    f.source = file->source;
    f.path = file->path;
    f.path_len = strlen(file->path);
    f.error_code = code;
    f.message = msg;
    if (e) {
        if (e->chunk != UINT64_MAX)
            ev[ne++] = (struct ws_kv){
                .key = "evtx.chunk", .type = WS_KV_INT, .num = (int64_t)(e->chunk & INT64_MAX)};
        ev[ne++] = (struct ws_kv){
            .key = "offset", .type = WS_KV_INT, .num = (int64_t)(e->offset & INT64_MAX)};
        if (e->has_record_id)
            ev[ne++] = (struct ws_kv){.key = "winlog.record_id",
                                      .type = WS_KV_INT,
                                      .num = (int64_t)(e->record_id & INT64_MAX)};
    }
    f.evidence = ev;
    f.n_evidence = ne;
    h->emit(h->user, &f);
}

struct file_run {
    struct ws_logs *h;
    const struct ws_logs_file *file;
    int failed; /* collect() failed: its status is returned as is */
};

static ws_status hunt_item(void *ctx, enum ws_evtx_item kind, const struct ws_evtx_event *ev,
                           const struct ws_evtx_error *e)
{
    struct file_run *fr = ctx;
    if (kind == WS_EVTX_ERROR) {
        emit_file_error(fr->h, fr->file, e, e->code, e->message);
        return WS_OK;
    }
    fr->h->records++;
    run_rules(fr->h, fr->file, ev);
    ws_status st = collect(fr->h, ev);
    if (st != WS_OK)
        fr->failed = 1;
    return st;
}

void ws_logs_set_threads(ws_logs *h, unsigned threads)
{
    h->threads = threads;
}

ws_status ws_logs_add_file(ws_logs *h, const char *path)
{
    if (h->n_files >= UINT32_MAX - 1)
        return WS_E_TOO_LARGE;
    if (WS_GROW(h->files, h->cap_files, h->n_files + 1) != 0)
        return WS_E_NOMEM;
    struct ws_logs_file *file = &h->files[h->n_files];
    file->path = ws_strdup(path);
    if (!file->path)
        return WS_E_NOMEM;
    h->n_files++;
    /* "evt" when it starts like a legacy log (header size 0x30, "LfLe"), also
     * for the error record when libevt cannot open it; the open refuses what
     * is not a regular file (a FIFO would block), which the reader reports */
    file->source = "evtx";
    int fd = -1;
    struct stat sb;
    if (ws_open_regular(path, 1, &fd, &sb) == WS_OK) {
        uint8_t magic[8];
        if (pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
            memcmp(magic + 4, "LfLe", 4) == 0)
            file->source = "evt";
        close(fd);
        h->bytes += (uint64_t)sb.st_size;
    }
    ws_evtx *r = NULL;
    ws_status st = ws_evtx_open_file(path, &r);
    if (st != WS_OK) {
        emit_file_error(h, file, NULL, st, "cannot open event log");
        return st;
    }
    /* chunks parsed on h->threads workers, records handled here in file order */
    struct file_run fr = {h, file, 0};
    st = ws_evtx_parallel_items(r, h->threads, hunt_item, &fr);
    if (st != WS_OK && !fr.failed) {
        emit_file_error(h, file, NULL, st, "reading stopped");
        st = st == WS_E_NOMEM ? st : WS_OK;
    }
    ws_evtx_free(r);
    return st;
}

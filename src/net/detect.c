/*
 * detect.c - from what was seen on the wire to findings.
 *
 * During the capture, dcerpc.c records each service creation (net_svc_add),
 * its result and a later start; files.c records each written file. At the
 * end of the capture (net_ctx_finish), after every flow is flushed, this
 * file emits, in order of service creation:
 *
 *   net.svcctl.create_service   ALERT 40  every remote service creation
 *   net.kwampirs.service        ALERT 95  WmiApSrvEx (exact, any case), display
 *                                         name "WMI Performance Adapter
 *                                         Extension", or "ControlTrace
 *                                         -Embedding -k" in the binary path
 *   net.lateral.admin_share_service
 *                               ALERT 75  a file written to ADMIN$ or
 *                                         X$\Windows (or X$\path named in full),
 *                                         then a service created on that host
 *                                         by the same client whose binary
 *                                         path names the file - one per service
 *
 * and, at once when seen (they need no correlation):
 *   net.atsvc.job_add           ALERT 40  a remote AT job (NetrJobAdd)
 *   net.tsch.register_task      ALERT 40  a remote scheduled task (MS-TSCH
 *                                         SchRpcRegisterTask): task path,
 *                                         Exec command and arguments, run-as
 *
 * At the end of the capture also one INFO per file written to an admin share
 * (net.smb.admin_share_write), per SMB1-only server (net.smb1.only) and per notable host of the
 * inventory (net.inventory.host, inventory.c). Every ALERT between hosts the inventory describes
 * carries wormsign.server.* / wormsign.client.* fields and a phrase such as "(server 10.1.2.3:
 * imaging workstation, XP-era)". Errors are emitted at once (net_report), at most WS_NET_MAX_ERRORS
 * per capture, then summarised.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "net/net_int.h"

#define SEV_CREATE 40
#define SEV_KWAMPIRS 95
#define SEV_LATERAL 75
#define SEV_INFO 20

struct net_svc {
    struct net_ends e;
    const char *proto; /* static string */
    struct net_account acct;
    uint16_t opnum;
    struct svc_create sc;
    uint64_t frames[WS_NET_MAX_FRAMES];
    size_t nframes;
    uint64_t frame;
    int64_t sec;
    int32_t usec;
    int has_rc;
    uint32_t rc;
    int started;
};

/* ---- findings plumbing ---- */

struct kvs {
    struct ws_kv kv[WS_MAX_EVIDENCE];
    size_t n;
};

static void kv_str(struct kvs *k, const char *key, const char *v)
{
    if (!v || k->n >= WS_MAX_EVIDENCE)
        return;
    k->kv[k->n++] = (struct ws_kv){.key = key, .type = WS_KV_STR, .val = v, .len = strlen(v)};
}

static void kv_int(struct kvs *k, const char *key, int64_t v)
{
    if (k->n >= WS_MAX_EVIDENCE)
        return;
    k->kv[k->n++] = (struct ws_kv){.key = key, .type = WS_KV_INT, .num = v};
}

static void kv_bool(struct kvs *k, const char *key, int v)
{
    if (k->n >= WS_MAX_EVIDENCE)
        return;
    k->kv[k->n++] = (struct ws_kv){.key = key, .type = WS_KV_BOOL, .num = v != 0};
}

void net_finding_init(const struct net_ctx *c, struct ws_finding *f, enum ws_finding_kind kind)
{
    ws_finding_init(f, kind);
    f->ruleset = "net";
    f->source = "pcap";
    f->path = c->path;
    f->path_len = strlen(c->path);
}

static const char *field_str(const struct ws_finding *f, const char *key)
{
    for (size_t i = 0; i < f->n_fields; i++)
        if (f->fields[i].type == WS_KV_STR && !strcmp(f->fields[i].key, key))
            return f->fields[i].val;
    return NULL;
}

/* An alert between hosts the inventory knows (imaging, old Windows) says so:
 * wormsign.server.* / wormsign.client.* fields and a phrase in the message. */
static void emit_annotated(struct net_ctx *c, const struct ws_finding *f)
{
    struct ws_kv kv[WS_MAX_EVIDENCE + 8];
    char msg[2048];
    size_t n = f->n_fields < WS_MAX_EVIDENCE ? f->n_fields : WS_MAX_EVIDENCE;
    if (n)
        memcpy(kv, f->fields, n * sizeof kv[0]);
    snprintf(msg, sizeof msg, "%s", f->message ? f->message : "");
    if (!net_inv_annotate(c, field_str(f, "source.ip"), field_str(f, "destination.ip"), kv, &n,
                          sizeof kv / sizeof kv[0], msg, sizeof msg)) {
        if (c->opts->emit(c->opts->emit_user, f) != 0)
            c->stop = 1;
        return;
    }
    struct ws_finding g = *f;
    g.fields = kv;
    g.n_fields = n;
    g.message = msg;
    if (c->opts->emit(c->opts->emit_user, &g) != 0)
        c->stop = 1;
}

static void emit(struct net_ctx *c, const struct ws_finding *f)
{
    if (c->stop)
        return;
    if (f->kind == WS_FINDING_ALERT && c->inv) {
        c->stats->alerts++;
        emit_annotated(c, f);
        return;
    }
    if (f->kind == WS_FINDING_ALERT)
        c->stats->alerts++;
    if (f->kind == WS_FINDING_ERROR)
        c->stats->errors++;
    if (c->opts->emit(c->opts->emit_user, f) != 0)
        c->stop = 1;
}

static void ends_fields(struct kvs *k, const struct net_ends *e, char *ports, size_t cap)
{
    kv_str(k, "source.ip", e->cli_ip);
    kv_int(k, "source.port", e->cli_port);
    kv_str(k, "destination.ip", e->srv_ip);
    kv_int(k, "destination.port", e->srv_port);
    kv_str(k, "network.transport", "tcp");
    (void)ports;
    (void)cap;
}

void net_report(struct net_ctx *c, int info, const char *rule_id, ws_status st,
                const struct net_ends *e, const char *fmt, ...)
{
    if (!info) {
        if (c->errors >= WS_NET_MAX_ERRORS) {
            c->errors_suppressed++;
            return;
        }
        c->errors++;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct ws_finding f;
    net_finding_init(c, &f, info ? WS_FINDING_INFO : WS_FINDING_ERROR);
    f.rule_id = rule_id;
    f.rule_name = info ? "Network capture note" : "Network capture error";
    f.error_code = st;
    f.message = msg;
    f.severity = 0;
    struct kvs fields = {0}, ev = {0};
    if (e)
        ends_fields(&fields, e, NULL, 0);
    if (c->pk.frame)
        kv_int(&ev, "frame", (int64_t)c->pk.frame);
    f.fields = fields.kv;
    f.n_fields = fields.n;
    f.evidence = ev.kv;
    f.n_evidence = ev.n;
    if (c->pk.frame)
        f.mtime = c->pk.sec;
    emit(c, &f);
}

static void time_text(int64_t sec, int32_t usec, char *out, size_t cap);

/* ---- records ---- */

static void add_frame(uint64_t *frames, size_t *n, uint64_t fr)
{
    if (*n < WS_NET_MAX_FRAMES && (*n == 0 || frames[*n - 1] != fr))
        frames[(*n)++] = fr;
}

long net_svc_add(struct net_ctx *c, const struct net_ends *e, const char *proto,
                 const struct net_account *acct, uint16_t opnum, struct svc_create *sc)
{
    if (c->nsvcs >= WS_NET_MAX_SERVICES)
        return -1;
    if (net_table_room(c, (void **)&c->svcs, &c->svc_cap, c->nsvcs, sizeof *c->svcs,
                       WS_NET_MAX_SERVICES) != WS_OK ||
        !net_charge(c, net_str_cost(sc->name) + net_str_cost(sc->display) +
                           net_str_cost(sc->binpath) + net_str_cost(sc->account)))
        return -1;
    struct net_svc *s = &c->svcs[c->nsvcs];
    memset(s, 0, sizeof *s);
    s->e = *e;
    s->proto = proto;
    if (acct && net_account_copy(&s->acct, acct) != WS_OK)
        return -1;
    s->opnum = opnum;
    s->sc = *sc;
    memset(sc, 0, sizeof *sc); /* moved */
    s->frame = c->pk.frame;
    s->sec = c->pk.sec;
    s->usec = c->pk.usec;
    add_frame(s->frames, &s->nframes, c->pk.frame);
    return (long)c->nsvcs++;
}

void net_svc_result(struct net_ctx *c, long idx, uint32_t rc)
{
    if (idx < 0 || (size_t)idx >= c->nsvcs)
        return;
    struct net_svc *s = &c->svcs[idx];
    s->has_rc = 1;
    s->rc = rc;
    add_frame(s->frames, &s->nframes, c->pk.frame);
}

void net_svc_started(struct net_ctx *c, long idx)
{
    if (idx < 0 || (size_t)idx >= c->nsvcs)
        return;
    c->svcs[idx].started = 1;
    add_frame(c->svcs[idx].frames, &c->svcs[idx].nframes, c->pk.frame);
}

long net_svc_find(struct net_ctx *c, const struct net_ends *e, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = c->nsvcs; i-- > 0;) {
        const struct net_svc *s = &c->svcs[i];
        if (s->sc.name && strcasecmp(s->sc.name, name) == 0 && !strcmp(s->e.cli_ip, e->cli_ip) &&
            !strcmp(s->e.srv_ip, e->srv_ip))
            return (long)i;
    }
    return -1;
}

/* A remote scheduled job or task: one finding, emitted at once. */
struct job_rule {
    const char *id, *name, *description, *action, *noun;
};

static void emit_job(struct net_ctx *c, const struct net_ends *e, const char *proto,
                     const struct net_account *acct, const struct job_rule *r, struct kvs *ev,
                     const char *what)
{
    char msg[512], when[64], frame[24];
    struct kvs fields = {0};
    ends_fields(&fields, e, NULL, 0);
    kv_str(&fields, "network.protocol", proto);
    kv_str(&fields, "event.action", r->action);
    if (acct) {
        kv_str(&fields, "user.name", acct->user);
        kv_str(&fields, "user.domain", acct->domain);
    }
    snprintf(frame, sizeof frame, "%llu", (unsigned long long)c->pk.frame);
    kv_str(ev, "frames", frame);
    time_text(c->pk.sec, c->pk.usec, when, sizeof when);
    kv_str(ev, "time", when);
    snprintf(msg, sizeof msg, "%s scheduled %s on %s: %.300s", e->cli_ip, r->noun, e->srv_ip,
             what ? what : "");
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_ALERT);
    f.rule_id = r->id;
    f.rule_name = r->name;
    f.description = r->description;
    f.reference = "https://attack.mitre.org/techniques/T1053/";
    f.severity = SEV_CREATE;
    f.mtime = c->pk.sec;
    f.message = msg;
    f.fields = fields.kv;
    f.n_fields = fields.n;
    f.evidence = ev->kv;
    f.n_evidence = ev->n;
    emit(c, &f);
}

void net_job_add(struct net_ctx *c, const struct net_ends *e, const char *proto,
                 const struct net_account *acct, const char *server, const char *command)
{
    static const struct job_rule r = {
        "net.atsvc.job_add", "Remote scheduled job (atsvc NetrJobAdd)",
        "A client scheduled a command on another host through the AT service (MS-TSCH ATSvc), "
        "a lateral-movement technique of at.exe and atexec.",
        "scheduled-job-created", "a job"};
    struct kvs ev = {0};
    kv_str(&ev, "command", command);
    kv_str(&ev, "server_name", server);
    emit_job(c, e, proto, acct, &r, &ev, command);
}

void net_task_register(struct net_ctx *c, const struct net_ends *e, const char *proto,
                       const struct net_account *acct, const struct tsch_task *t)
{
    static const struct job_rule r = {
        "net.tsch.register_task", "Remote scheduled task (ITaskSchedulerService)",
        "A client registered a scheduled task on another host through the Task Scheduler "
        "service (MS-TSCH SchRpcRegisterTask), as schtasks /create /s and atexec do to run a "
        "command there.",
        "scheduled-task-created", "a task"};
    struct kvs ev = {0};
    char what[512], flags[16], logon[16];
    kv_str(&ev, "task_path", t->path);
    kv_str(&ev, "command", t->command);
    kv_str(&ev, "arguments", t->arguments);
    kv_str(&ev, "run_as", t->user);
    if (!t->sealed) {
        snprintf(flags, sizeof flags, "0x%x", t->flags);
        kv_str(&ev, "flags", flags);
    }
    if (t->has_logon_type) {
        snprintf(logon, sizeof logon, "%u", t->logon_type);
        kv_str(&ev, "logon_type", logon);
    }
    if (t->sealed)
        kv_bool(&ev, "sealed", 1);
    if (t->sealed)
        snprintf(what, sizeof what, "(arguments sealed by RPC packet privacy)");
    else
        snprintf(what, sizeof what, "%.100s %.300s%s%.100s", t->path ? t->path : "",
                 t->command ? t->command : "", t->arguments ? " " : "",
                 t->arguments ? t->arguments : "");
    emit_job(c, e, proto, acct, &r, &ev, what);
}

void net_smb1_only(struct net_ctx *c, const struct net_ends *e, int client)
{
    /* entries are the role ('C' client, 'S' server) followed by the address */
    char key[50];
    snprintf(key, sizeof key, "%c%s", client ? 'C' : 'S', client ? e->cli_ip : e->srv_ip);
    net_inv_smb1_only(c, key + 1, client);
    for (size_t i = 0; i < c->n_smb1_only; i++)
        if (!strcmp(c->smb1_only[i], key))
            return;
    if (c->n_smb1_only >= WS_NET_MAX_FLOWS)
        return;
    if (net_table_room(c, (void **)&c->smb1_only, &c->smb1_cap, c->n_smb1_only,
                       sizeof *c->smb1_only, WS_NET_MAX_FLOWS) != WS_OK)
        return;
    char *ip = ws_strdup(key);
    if (ip)
        c->smb1_only[c->n_smb1_only++] = ip;
}

/* ---- matching ---- */

static int ci_contains(const char *hay, const char *needle)
{
    if (!hay || !needle)
        return 0;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* Does the binary path name the file `base` as a path component? */
static int path_names(const char *bin, const char *base)
{
    size_t n = strlen(base);
    if (!bin || n == 0)
        return 0;
    for (const char *p = bin; *p; p++) {
        if (strncasecmp(p, base, n) != 0)
            continue;
        char before = p == bin ? '\\' : p[-1];
        char after = p[n];
        if ((before == '\\' || before == '/' || before == '"' || before == ' ') &&
            (after == '\0' || after == '"' || after == ' '))
            return 1;
    }
    return 0;
}

static const char *skip_bs(const char *name)
{
    while (*name == '\\')
        name++;
    return name;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '\\');
    return b ? b + 1 : path;
}

/* "Windows\..." under a drive share, with or without a leading backslash. */
static int under_windows(const char *name)
{
    while (*name == '\\')
        name++;
    return strncasecmp(name, "windows\\", 8) == 0;
}

/* X:\path of a file on share X$, for matching a full binary path. */
static void drive_path(const char *share, const char *name, char *out, size_t cap)
{
    const char *last = strrchr(share, '\\');
    last = last ? last + 1 : share;
    while (*name == '\\')
        name++;
    snprintf(out, cap, "%c:\\%s", last[0], name);
}

static int lateral_match(const struct net_svc *s, const struct net_file_info *fi)
{
    if (!fi->name || !fi->share || !s->sc.binpath)
        return 0;
    if (strcmp(s->e.cli_ip, fi->cli_ip) != 0 || strcmp(s->e.srv_ip, fi->srv_ip) != 0)
        return 0;
    int kind = net_share_kind(fi->share);
    if (kind == 1 || (kind == 2 && under_windows(fi->name)))
        if (path_names(s->sc.binpath, base_name(fi->name)))
            return 1;
    if (kind == 2) {
        char full[1024];
        drive_path(fi->share, fi->name, full, sizeof full);
        if (ci_contains(s->sc.binpath, full))
            return 1;
    }
    return 0;
}

static const char *start_type_name(uint32_t t)
{
    static const char *const names[] = {"boot", "system", "auto", "demand", "disabled"};
    return t < 5 ? names[t] : "unknown";
}

static void frames_text(const uint64_t *fr, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%llu", i ? "," : "", (unsigned long long)fr[i]);
}

static void time_text(int64_t sec, int32_t usec, char *out, size_t cap)
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, cap, "%lld", (long long)sec);
        return;
    }
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)usec);
}

/* Fields common to every service finding. */
static void svc_kvs(const struct net_svc *s, struct kvs *fields, struct kvs *ev, char *frames,
                    size_t fcap, char *when, size_t wcap, char *rc, size_t rccap)
{
    ends_fields(fields, &s->e, NULL, 0);
    kv_str(fields, "network.protocol", s->proto);
    kv_str(fields, "user.name", s->acct.user);
    kv_str(fields, "user.domain", s->acct.domain);
    kv_str(fields, "service.name", s->sc.name);
    kv_str(fields, "event.action", "service-created");
    frames_text(s->frames, s->nframes, frames, fcap);
    time_text(s->sec, s->usec, when, wcap);
    kv_str(ev, "frames", frames);
    kv_str(ev, "time", when);
    kv_str(ev, "display_name", s->sc.display);
    kv_str(ev, "binary_path", s->sc.binpath);
    if (!s->sc.sealed) {
        kv_str(ev, "start_type", start_type_name(s->sc.start_type));
        kv_int(ev, "service_type", s->sc.service_type);
    }
    kv_str(ev, "service_account", s->sc.account);
    kv_int(ev, "opnum", s->opnum);
    kv_str(ev, "client_workstation", s->acct.workstation);
    if (s->has_rc) {
        snprintf(rc, rccap, "0x%08x", s->rc);
        kv_str(ev, "result", rc);
    }
    kv_bool(ev, "started", s->started);
    if (s->sc.sealed)
        kv_bool(ev, "sealed", 1);
}

static void emit_service(struct net_ctx *c, const struct net_svc *s)
{
    char frames[WS_NET_MAX_FRAMES * 21 + 1], when[64], rc[16], msg[512];
    struct kvs fields = {0}, ev = {0};
    svc_kvs(s, &fields, &ev, frames, sizeof frames, when, sizeof when, rc, sizeof rc);
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_ALERT);
    f.rule_id = "net.svcctl.create_service";
    f.rule_name = "Remote service creation (svcctl)";
    f.description = "A client created a Windows service on another host over DCE/RPC "
                    "(MS-SCMR RCreateService*), the way PsExec and many worms spread.";
    f.reference = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-scmr";
    f.severity = SEV_CREATE;
    f.mtime = s->sec;
    f.host = NULL;
    if (s->sc.sealed)
        snprintf(msg, sizeof msg,
                 "%s created a service on %s (svcctl opnum %u; arguments sealed by RPC packet "
                 "privacy)",
                 s->e.cli_ip, s->e.srv_ip, s->opnum);
    else
        snprintf(msg, sizeof msg, "%s created service \"%.300s\" on %s", s->e.cli_ip,
                 s->sc.name ? s->sc.name : "", s->e.srv_ip);
    f.message = msg;
    f.fields = fields.kv;
    f.n_fields = fields.n;
    f.evidence = ev.kv;
    f.n_evidence = ev.n;
    emit(c, &f);

    /* Kwampirs (FACTS.md 1.1): exact name, display name, or path fragment. */
    const char *why = NULL;
    if (s->sc.name && strcasecmp(s->sc.name, "WmiApSrvEx") == 0)
        why = "service.name";
    else if (s->sc.display && strcasecmp(s->sc.display, "WMI Performance Adapter Extension") == 0)
        why = "display_name";
    else if (ci_contains(s->sc.binpath, "ControlTrace -Embedding -k"))
        why = "binary_path";
    if (!why)
        return;
    kv_str(&ev, "matched", why);
    f.evidence = ev.kv;
    f.n_evidence = ev.n;
    f.rule_id = "net.kwampirs.service";
    f.rule_name = "Kwampirs service created remotely";
    f.description = "A service with the Kwampirs (Orangeworm) service name WmiApSrvEx, its "
                    "display name \"WMI Performance Adapter Extension\" or its "
                    "\"ControlTrace -Embedding -k\" command line was created over the network.";
    f.reference = "https://attack.mitre.org/software/S0236/";
    f.severity = SEV_KWAMPIRS;
    snprintf(msg, sizeof msg, "Kwampirs service \"%.300s\" created on %s by %s",
             s->sc.name ? s->sc.name : "", s->e.srv_ip, s->e.cli_ip);
    emit(c, &f);
}

static void emit_lateral(struct net_ctx *c, const struct net_svc *s)
{
    const struct net_file *best = NULL;
    struct net_file_info bi;
    for (size_t i = 0; i < c->nfiles; i++) {
        struct net_file_info fi;
        net_file_get_info(c->files[i], &fi);
        if (!lateral_match(s, &fi))
            continue;
        /* prefer the last write before the service was created */
        if (!best || (fi.first_frame <= s->frame &&
                      (bi.first_frame > s->frame || fi.last_frame >= bi.last_frame))) {
            best = c->files[i];
            bi = fi;
        }
    }
    if (!best)
        return;
    char frames[WS_NET_MAX_FRAMES * 21 + 1], when[64], rc[16], msg[1600];
    char fframes[WS_NET_MAX_FRAMES * 21 + 1], fwhen[64], full[1024];
    struct kvs fields = {0}, ev = {0};
    svc_kvs(s, &fields, &ev, frames, sizeof frames, when, sizeof when, rc, sizeof rc);
    kv_str(&fields, "file.name", base_name(bi.name));
    if (bi.complete)
        kv_int(&fields, "file.size", (int64_t)bi.size);
    snprintf(full, sizeof full, "%s\\%s", bi.share, skip_bs(bi.name));
    kv_str(&ev, "file_share_path", full);
    frames_text(bi.frames, bi.nframes, fframes, sizeof fframes);
    kv_str(&ev, "file_frames", fframes);
    time_text(bi.first_sec, bi.first_usec, fwhen, sizeof fwhen);
    kv_str(&ev, "file_written", fwhen);
    kv_bool(&ev, "file_complete", bi.complete);
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_ALERT);
    f.rule_id = "net.lateral.admin_share_service";
    f.rule_name = "Lateral movement: file copied to admin share, then run as a service";
    f.description = "A client wrote a file to ADMIN$ or C$\\Windows on a host, then created a "
                    "service there whose binary path names that file (PsExec-style spreading, "
                    "as Kwampirs does over admin shares).";
    f.reference = "https://attack.mitre.org/techniques/T1021/002/";
    f.severity = SEV_LATERAL;
    f.mtime = s->sec;
    f.sha256 = bi.sha256;
    if (bi.complete) {
        f.has_size = 1;
        f.size = bi.size;
    }
    snprintf(msg, sizeof msg, "%s copied %s to %s and created service \"%.300s\" running it",
             s->e.cli_ip, full, s->e.srv_ip, s->sc.name ? s->sc.name : "");
    f.message = msg;
    f.fields = fields.kv;
    f.n_fields = fields.n;
    f.evidence = ev.kv;
    f.n_evidence = ev.n;
    emit(c, &f);
}

static void emit_admin_file(struct net_ctx *c, const struct net_file *nf)
{
    struct net_file_info fi;
    net_file_get_info(nf, &fi);
    if (!fi.admin)
        return;
    char full[1024], fframes[WS_NET_MAX_FRAMES * 21 + 1], msg[1600];
    struct kvs fields = {0}, ev = {0};
    kv_str(&fields, "source.ip", fi.cli_ip);
    kv_str(&fields, "destination.ip", fi.srv_ip);
    kv_str(&fields, "user.name", fi.user);
    kv_str(&fields, "user.domain", fi.domain);
    kv_str(&fields, "file.name", fi.name ? base_name(fi.name) : NULL);
    kv_str(&fields, "event.action", "file-written");
    snprintf(full, sizeof full, "%s\\%s", fi.share ? fi.share : "",
             fi.name ? skip_bs(fi.name) : "");
    kv_str(&ev, "file_share_path", full);
    frames_text(fi.frames, fi.nframes, fframes, sizeof fframes);
    kv_str(&ev, "frames", fframes);
    kv_bool(&ev, "complete", fi.complete);
    kv_int(&ev, "bytes_written_to", (int64_t)fi.size);
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_INFO);
    f.rule_id = "net.smb.admin_share_write";
    f.rule_name = "File written to an administrative share";
    f.severity = SEV_INFO;
    f.mtime = fi.first_sec;
    f.sha256 = fi.sha256;
    if (fi.complete) {
        f.has_size = 1;
        f.size = fi.size;
    }
    snprintf(msg, sizeof msg, "%s wrote %s on %s%s", fi.cli_ip, full, fi.srv_ip,
             fi.complete ? "" : " (not all of it is in the capture)");
    f.message = msg;
    f.fields = fields.kv;
    f.n_fields = fields.n;
    f.evidence = ev.kv;
    f.n_evidence = ev.n;
    emit(c, &f);
}

static void emit_smb1_only(struct net_ctx *c, const char *key)
{
    int client = key[0] == 'C';
    const char *ip = key + 1;
    struct kvs fields = {0};
    kv_str(&fields, client ? "source.ip" : "destination.ip", ip);
    kv_str(&fields, "network.protocol", "smb");
    char msg[256];
    if (client)
        snprintf(msg, sizeof msg,
                 "%s offered only SMB1 dialects: Windows XP / Server 2003 or an old SMB "
                 "client (Kwampirs favours such hosts)",
                 ip);
    else
        snprintf(msg, sizeof msg,
                 "%s answered an SMB2-capable negotiate with SMB1 only: likely Windows XP / "
                 "Server 2003 (Kwampirs' favoured targets)",
                 ip);
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_INFO);
    f.rule_id = "net.smb1.only";
    f.rule_name = "Host speaks only SMB1";
    f.severity = SEV_INFO;
    f.message = msg;
    f.fields = fields.kv;
    f.n_fields = fields.n;
    emit(c, &f);
}

/* ---- the capture ---- */

ws_status net_ctx_init(struct net_ctx *c, struct ws_net *n, const struct ws_net_opts *o,
                       struct ws_net_stats *st, const char *path)
{
    memset(c, 0, sizeof *c);
    c->net = n;
    c->opts = o;
    c->stats = st;
    c->path = path;
    c->c2 = net_c2_of(n);
    return net_flows_init(c);
}

void net_ctx_finish(struct net_ctx *c)
{
    tcp_finish_all(c);
    /* files still open at the end of the capture: their end is unknown, so
     * they are never called complete (nor hashed) */
    for (size_t i = 0; i < c->nfiles; i++)
        net_file_close(c, c->files[i], 0);
    for (size_t i = 0; i < c->nsvcs; i++) {
        emit_service(c, &c->svcs[i]);
        emit_lateral(c, &c->svcs[i]);
    }
    for (size_t i = 0; i < c->nfiles; i++)
        emit_admin_file(c, c->files[i]);
    for (size_t i = 0; i < c->n_smb1_only; i++)
        emit_smb1_only(c, c->smb1_only[i]);
    net_inv_emit(c);
    if (c->errors_suppressed) {
        uint64_t n = c->errors_suppressed;
        c->errors_suppressed = 0;
        c->errors = 0;
        net_report(c, 0, "net.error.suppressed", WS_E_CORRUPT, NULL,
                   "%llu further error(s) in this capture not listed", (unsigned long long)n);
    }
    for (size_t i = 0; i < c->nsvcs; i++) {
        net_account_release(&c->svcs[i].acct);
        svc_create_release(&c->svcs[i].sc);
    }
    ws_free(c->svcs);
    for (size_t i = 0; i < c->nfiles; i++)
        net_file_free(c, c->files[i]);
    ws_free(c->files);
    for (size_t i = 0; i < c->n_smb1_only; i++)
        ws_free(c->smb1_only[i]);
    ws_free(c->smb1_only);
    ws_free(c->buckets);
    ws_free(c->c2_seen);
    net_inv_free(c);
    memset(c, 0, sizeof *c);
}

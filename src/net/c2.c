/*
 * c2.c - Kwampirs command and control in DNS and HTTP, against a pack's C2
 * data (c2_domains, c2_ips, c2_urls, net_patterns; see docs/packs.md).
 *
 * net_c2_new() turns the pack's lists into lowercase sorted tables (binary
 * search) and compiles the net-patterns regexes (KIND;REGEX;SCORE;DESC). It
 * belongs to one ws_net (one thread: the pcre2 match data is shared).
 *
 * DNS (c2_dns_message): one message from UDP port 53 or a TCP port 53 stream
 * (2-byte length framing, dns_stream_data). Header, questions and answers are
 * read through a ws_cur; names follow compression pointers (at most
 * WS_NET_DNS_MAX_POINTERS) and are at most 255 wire bytes. Findings:
 *   net.c2.dns.domain    ALERT 80  a question or CNAME names a C2 domain or a
 *                                  subdomain of one (case-insensitive)
 *   net.c2.dns.sinkhole  ALERT pack  an answer matches a dns-answer pattern
 *   net.c2.dns.answer    ALERT 75  else, an A/AAAA answer is a C2 address
 *   net.c2.dns.grammar   ALERT pack  a name matches a domain pattern (hunting)
 * HTTP (http_stream): client-to-server bytes of a flow whose first bytes
 * are a request line; request line and headers (at most
 * WS_NET_HTTP_MAX_HEADER), then Content-Length body bytes skipped, then the
 * next request; a chunked body is skipped chunk by chunk (RFC 9112 7.1).
 *   net.c2.http.url        ALERT 90  host+path equals a published C2 URL
 *   net.c2.http.host       ALERT 75  Host (or, without one, the server
 *                                    address) is a C2 domain or address
 *   net.c2.http.grammar    ALERT pack  the path matches a url-path pattern and
 *                                    the query a query pattern (hunting)
 *   net.c2.http.user_agent ALERT pack  the User-Agent matches a pattern
 * url, host and grammar are exclusive (the strongest fires).
 * Responses (http_resp_stream): the server-to-client bytes are read as
 * status line and headers, bodies skipped by Content-Length or chunk by chunk
 * (none after HEAD, 1xx, 204, 304; to the end of the connection without
 * either; 101 ends the reading). A request that would give a finding waits in
 * the flow's queue (at most WS_NET_HTTP_MAX_PENDING, in request order, as
 * HTTP/1.1 answers in order) for its response; its findings then carry the
 * status code, body length, Content-Type and Server, and say whether the C2
 * channel worked (200 with a body). They are emitted when the response is
 * read, or without it when the queue overflows, the server direction has a
 * gap or is unreadable, or the flow ends. The finding keeps the request's
 * frame and time.
 * TLS (c2_tls_hello, from tls.c): the client's ClientHello on any port.
 *   net.c2.tls.sni         ALERT 80  the server name (SNI) is a C2 domain or
 *                                    a subdomain of one (as net.c2.dns.domain)
 *   net.c2.tls.ip          ALERT 75  else, the server address is a C2 address
 *   net.c2.tls.grammar     ALERT pack  else, the SNI matches a domain
 *                                    pattern (hunting)
 * with tls.client.server_name, tls.client.ja3 (MD5), and the JA3 string and
 * ALPN list as evidence. An SSL 2.0-compatible hello (XP-era clients) has
 * neither: evidence hello_format "sslv2", and only net.c2.tls.ip applies.
 * Each finding is emitted once per (rule, client, indicator) per capture.
 * A message that is not DNS on port 53 gives one INFO note per capture.
 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "core/text.h"
#include "net/net_int.h"
#include "pack/pack_impl.h"

#define SEV_DOMAIN 80
#define SEV_IP 75
#define SEV_URL 90
#define SEV_HOST 75
#define SEV_SNI SEV_DOMAIN

enum pat_kind { PK_URL_PATH, PK_DOMAIN, PK_QUERY, PK_UA, PK_DNS_ANSWER, PK_KINDS };
static const char *const pat_kind_names[PK_KINDS] = {"url-path", "domain", "query", "user-agent",
                                                     "dns-answer"};

struct c2_entry {
    char *s; /* lowercase */
    uint32_t origin;
};

struct c2_table {
    struct c2_entry *v;
    size_t n;
};

struct c2_pat {
    enum pat_kind kind;
    pcre2_code *re;
    int score;
    uint32_t origin;
    char *desc;
};

struct net_c2 {
    const struct ws_pack *pack;
    struct c2_table domains, ips, urls;
    struct c2_pat *pats;
    size_t npats;
    pcre2_match_data *md;
};

/* ---- tables ---- */

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct c2_entry *)a)->s, ((const struct c2_entry *)b)->s);
}

static ws_status table_build(struct c2_table *t, const struct ws_line_list *l)
{
    if (l->n == 0)
        return WS_OK;
    t->v = ws_calloc(l->n, sizeof *t->v);
    if (!t->v)
        return WS_E_NOMEM;
    for (size_t i = 0; i < l->n; i++) {
        char *s = ws_strdup(l->v[i]);
        if (!s)
            return WS_E_NOMEM;
        for (char *q = s; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        size_t len = strlen(s);
        if (len && s[len - 1] == '.')
            s[len - 1] = '\0';
        t->v[t->n++] = (struct c2_entry){s, l->origin[i]};
    }
    qsort(t->v, t->n, sizeof *t->v, entry_cmp);
    return WS_OK;
}

static void table_release(struct c2_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        ws_free(t->v[i].s);
    ws_free(t->v);
    memset(t, 0, sizeof *t);
}

/* s must be lowercase. */
static const struct c2_entry *table_find(const struct c2_table *t, const char *s)
{
    if (!t->n)
        return NULL;
    struct c2_entry key = {(char *)(uintptr_t)s, 0};
    return bsearch(&key, t->v, t->n, sizeof *t->v, entry_cmp);
}

/* The name or its nearest listed parent domain. */
static const struct c2_entry *domain_find(const struct c2_table *t, const char *name)
{
    for (const char *p = name; p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        const struct c2_entry *e = table_find(t, p);
        if (e)
            return e;
    }
    return NULL;
}

/* ---- patterns ---- */

static ws_status pattern_add(struct net_c2 *x, const char *line, uint32_t origin)
{
    const char *s1 = strchr(line, ';');
    const char *s3 = strrchr(line, ';');
    if (!s1 || s3 == s1)
        return WS_OK;
    const char *s2 = s3 - 1;
    while (s2 > s1 && *s2 != ';')
        s2--;
    if (s2 == s1)
        return WS_OK; /* KIND;REGEX;SCORE needs three fields */
    size_t klen = (size_t)(s1 - line);
    int kind = -1;
    for (int k = 0; k < PK_KINDS; k++)
        if (strlen(pat_kind_names[k]) == klen && strncmp(line, pat_kind_names[k], klen) == 0)
            kind = k;
    uint64_t score;
    const char *sp = s2 + 1;
    if (kind < 0 || ws_parse_u64(&sp, s3, 100, &score) != WS_OK || sp != s3)
        return WS_OK;
    if (x->npats >= WS_NET_C2_MAX_PATTERNS)
        return WS_OK;
    int err;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(s1 + 1), (PCRE2_SIZE)(s2 - s1 - 1), PCRE2_CASELESS,
                                   &err, &eoff, NULL);
    if (!re)
        return WS_OK; /* the pack loader validates its own lines; skip a bad one */
    char *desc = ws_strdup(s3 + 1);
    if (!desc) {
        pcre2_code_free(re);
        return WS_E_NOMEM;
    }
    x->pats[x->npats++] = (struct c2_pat){(enum pat_kind)kind, re, (int)score, origin, desc};
    return WS_OK;
}

static const struct c2_pat *pattern_match(const struct net_c2 *x, enum pat_kind k, const char *s)
{
    if (!x || !s)
        return NULL;
    for (size_t i = 0; i < x->npats; i++) {
        if (x->pats[i].kind != k)
            continue;
        if (pcre2_match(x->pats[i].re, (PCRE2_SPTR)s, strlen(s), 0, 0, x->md, NULL) >= 0)
            return &x->pats[i];
    }
    return NULL;
}

void net_c2_free(struct net_c2 *x)
{
    if (!x)
        return;
    table_release(&x->domains);
    table_release(&x->ips);
    table_release(&x->urls);
    for (size_t i = 0; i < x->npats; i++) {
        pcre2_code_free(x->pats[i].re);
        ws_free(x->pats[i].desc);
    }
    ws_free(x->pats);
    pcre2_match_data_free(x->md);
    ws_free(x);
}

ws_status net_c2_new(const struct ws_pack *p, struct net_c2 **out)
{
    struct net_c2 *x = ws_calloc(1, sizeof *x);
    if (!x)
        return WS_E_NOMEM;
    x->pack = p;
    ws_status st = WS_E_NOMEM;
    x->pats = ws_calloc(WS_NET_C2_MAX_PATTERNS, sizeof *x->pats);
    x->md = pcre2_match_data_create(4, NULL);
    if (!x->pats || !x->md)
        goto out;
    WS_TRY(table_build(&x->domains, &p->c2_domains));
    WS_TRY(table_build(&x->ips, &p->c2_ips));
    WS_TRY(table_build(&x->urls, &p->c2_urls));
    for (size_t i = 0; i < p->net_patterns.n; i++)
        WS_TRY(pattern_add(x, p->net_patterns.v[i], p->net_patterns.origin[i]));
    st = WS_OK;
out:
    if (st != WS_OK) {
        net_c2_free(x);
        return st;
    }
    *out = x;
    return WS_OK;
}

/* ---- findings ---- */

struct c2_hit {
    const char *rule_id;
    const char *rule_name;
    int severity;
    uint32_t origin; /* UINT32_MAX: none */
    const char *desc;
    const char *indicator; /* what matched: a domain, address, URL, pattern */
    const char *key;       /* the observed value de-duplicated on */
};

struct c2_obs {
    const struct net_ends *e; /* source = client/querier */
    const char *transport;    /* "udp", "tcp" */
    const char *protocol;     /* "dns", "http", "tls" */
    const char *qname;
    const char *answers;
    const char *method, *domain, *path, *query, *ua;
    uint64_t frame; /* 0: the current frame (and time) */
    int64_t sec;
    /* HTTP: the response (resp NULL: none was read) */
    const struct http_resp *resp;
    uint64_t resp_frame;
    int64_t body_bytes; /* -1: unknown */
    /* TLS */
    const char *sni, *ja3, *ja3_full, *alpn, *hello_format;
};

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0xff) * 1099511628211u;
}

/* 1 the first time (rule, client, key) is seen in this capture: an
 * open-addressing set of 64-bit hashes (0 = empty), at most half full,
 * doubled up to twice WS_NET_C2_MAX_SEEN slots. */
static uint64_t seen_key(const struct c2_hit *h, const struct net_ends *e)
{
    uint64_t k = fnv(fnv(fnv(14695981039346656037u, h->rule_id), e->cli_ip), h->key);
    return k ? k : 1;
}

/* 1 when (rule, client, key) was already emitted in this capture. */
static int seen_has(const struct net_ctx *c, uint64_t k)
{
    if (!c->c2_seen_cap)
        return 0;
    size_t mask = c->c2_seen_cap - 1;
    /* at most half full: the probe meets an empty slot */
    for (size_t i = (size_t)k & mask, pass = 0; pass < c->c2_seen_cap; i = (i + 1) & mask, pass++) {
        if (c->c2_seen[i] == k)
            return 1;
        if (c->c2_seen[i] == 0)
            break;
    }
    return 0;
}

static int first_sight(struct net_ctx *c, const struct c2_hit *h, const struct net_ends *e)
{
    uint64_t k = seen_key(h, e);
    if (seen_has(c, k))
        return 0;
    if (c->n_c2_seen >= WS_NET_C2_MAX_SEEN)
        return 1; /* full: emit without remembering */
    if ((c->n_c2_seen + 1) * 2 > c->c2_seen_cap) {
        size_t ncap = c->c2_seen_cap ? c->c2_seen_cap * 2 : 64;
        if (!net_charge(c, ncap * sizeof(uint64_t)))
            return 1;
        uint64_t *t = ws_calloc(ncap, sizeof *t);
        if (!t) {
            net_uncharge(c, ncap * sizeof(uint64_t));
            return 1;
        }
        for (size_t j = 0; j < c->c2_seen_cap; j++) {
            uint64_t v = c->c2_seen[j];
            if (!v)
                continue;
            size_t i = (size_t)v & (ncap - 1);
            while (t[i])
                i = (i + 1) & (ncap - 1);
            t[i] = v;
        }
        net_uncharge(c, c->c2_seen_cap * sizeof(uint64_t));
        ws_free(c->c2_seen);
        c->c2_seen = t;
        c->c2_seen_cap = ncap;
    }
    size_t i = (size_t)k & (c->c2_seen_cap - 1);
    while (c->c2_seen[i])
        i = (i + 1) & (c->c2_seen_cap - 1);
    c->c2_seen[i] = k;
    c->n_c2_seen++;
    return 1;
}

#define MAX_KV 32 /* connection, DNS, HTTP request and response, TLS, host notes */

static void kv_s(struct ws_kv *kv, size_t *n, const char *key, const char *v)
{
    if (v && *v && *n < MAX_KV)
        kv[(*n)++] = (struct ws_kv){.key = key, .type = WS_KV_STR, .val = v, .len = strlen(v)};
}

static void kv_i(struct ws_kv *kv, size_t *n, const char *key, int64_t v)
{
    if (*n < MAX_KV)
        kv[(*n)++] = (struct ws_kv){.key = key, .type = WS_KV_INT, .num = v};
}

/* What became of an HTTP request, appended to a finding's message. */
static void http_outcome(char *out, size_t cap, const struct c2_obs *o)
{
    const struct http_resp *r = o->resp;
    if (!r) {
        snprintf(out, cap, "; no response read in the capture");
        return;
    }
    int l = snprintf(out, cap, "; the server answered %d", r->status);
    if (l > 0 && (size_t)l < cap && o->body_bytes >= 0)
        l += snprintf(out + l, cap - (size_t)l, " with %lld body bytes", (long long)o->body_bytes);
    if (l > 0 && (size_t)l < cap && r->mime[0])
        l += snprintf(out + l, cap - (size_t)l, " (%s)", r->mime);
    if (l > 0 && (size_t)l < cap && r->server[0])
        l += snprintf(out + l, cap - (size_t)l, ", Server: %s", r->server);
    if (l > 0 && (size_t)l < cap && r->status == 200 && (o->body_bytes > 0 || r->chunked))
        snprintf(out + l, cap - (size_t)l, ": the C2 channel worked");
}

static void c2_emit(struct net_ctx *c, const struct c2_hit *h, const struct c2_obs *o)
{
    if (c->stop || !first_sight(c, h, o->e))
        return;
    struct ws_finding f;
    net_finding_init(c, &f, WS_FINDING_ALERT);
    f.mtime = o->frame ? o->sec : c->pk.sec;
    f.rule_id = h->rule_id;
    f.rule_name = h->rule_name;
    f.severity = h->severity;
    f.description = h->desc;
    const struct ws_pack *p = c->c2 ? c->c2->pack : NULL;
    if (p && h->origin < p->n_origins) {
        const struct ws_ioc_origin *og = &p->origins[h->origin];
        f.ioc_file = og->file;
        f.ioc_line = og->line;
        f.ioc_text = og->text;
        f.pack = og->pack;
        if (!f.description)
            f.description = og->text;
    }
    char msg[2048];
    int ml = snprintf(msg, sizeof msg, "%s: %s", h->rule_name, h->indicator);
    if (ml > 0 && (size_t)ml < sizeof msg && o->protocol && strcmp(o->protocol, "http") == 0)
        http_outcome(msg + ml, sizeof msg - (size_t)ml, o);
    f.message = msg;
    struct ws_kv fields[MAX_KV], ev[MAX_KV];
    size_t nf = 0, ne = 0;
    kv_s(fields, &nf, "source.ip", o->e->cli_ip);
    kv_i(fields, &nf, "source.port", o->e->cli_port);
    kv_s(fields, &nf, "destination.ip", o->e->srv_ip);
    kv_i(fields, &nf, "destination.port", o->e->srv_port);
    kv_s(fields, &nf, "network.transport", o->transport);
    kv_s(fields, &nf, "network.protocol", o->protocol);
    kv_s(fields, &nf, "dns.question.name", o->qname);
    kv_s(fields, &nf, "dns.answers", o->answers);
    kv_s(fields, &nf, "http.request.method", o->method);
    kv_s(fields, &nf, "url.domain", o->domain);
    kv_s(fields, &nf, "url.path", o->path);
    kv_s(fields, &nf, "url.query", o->query);
    kv_s(fields, &nf, "user_agent.original", o->ua);
    if (o->resp) {
        kv_i(fields, &nf, "http.response.status_code", o->resp->status);
        if (o->body_bytes >= 0)
            kv_i(fields, &nf, "http.response.body.bytes", o->body_bytes);
        kv_s(fields, &nf, "http.response.mime_type", o->resp->mime);
    }
    kv_s(fields, &nf, "tls.client.server_name", o->sni);
    kv_s(fields, &nf, "tls.client.ja3", o->ja3);
    /* what the inventory knows so far of either end ("imaging workstation") */
    net_inv_annotate(c, o->e->cli_ip, o->e->srv_ip, fields, &nf, MAX_KV, msg, sizeof msg);
    kv_i(ev, &ne, "frame", (int64_t)(o->frame ? o->frame : c->pk.frame));
    kv_s(ev, &ne, "indicator", h->indicator);
    if (o->resp) {
        kv_i(ev, &ne, "response_frame", (int64_t)o->resp_frame);
        kv_s(ev, &ne, "response_server", o->resp->server);
    }
    kv_s(ev, &ne, "ja3_full", o->ja3_full);
    kv_s(ev, &ne, "alpn", o->alpn);
    kv_s(ev, &ne, "hello_format", o->hello_format);
    f.fields = fields;
    f.n_fields = nf;
    f.evidence = ev;
    f.n_evidence = ne;
    c->stats->alerts++;
    if (c->opts->emit(c->opts->emit_user, &f) != 0)
        c->stop = 1;
}

/* ---- DNS ---- */

/* Read a name at cur (advanced past its in-place part) from the message msg;
 * text in out (presentation form, lowercase, no trailing dot; "." for the
 * root). */
static ws_status dns_name(const struct ws_cur *msg, struct ws_cur *cur, char *out, size_t cap)
{
    struct ws_cur r = *cur;
    int jumped = 0, hops = 0;
    size_t o = 0, wire = 0;
    out[0] = '\0';
    for (int pass = 0; pass < 256 + WS_NET_DNS_MAX_POINTERS; pass++) {
        uint8_t l;
        if (ws_cur_u8(&r, &l))
            return WS_E_TRUNCATED;
        if (l == 0) {
            if (!jumped)
                *cur = r;
            if (o == 0)
                snprintf(out, cap, ".");
            return WS_OK;
        }
        if ((l & 0xc0) == 0xc0) {
            uint8_t lo;
            if (ws_cur_u8(&r, &lo))
                return WS_E_TRUNCATED;
            if (!jumped)
                *cur = r;
            jumped = 1;
            if (++hops > WS_NET_DNS_MAX_POINTERS)
                return WS_E_CORRUPT;
            r = *msg;
            if (ws_cur_seek(&r, ((size_t)(l & 0x3f) << 8) | lo))
                return WS_E_CORRUPT;
            continue;
        }
        if (l & 0xc0)
            return WS_E_CORRUPT; /* extended label types (RFC 6891 obsoleted them) */
        const uint8_t *lab;
        if (ws_cur_bytes(&r, l, &lab))
            return WS_E_TRUNCATED;
        wire += (size_t)l + 1;
        if (wire > 254) /* with the root's zero octet, at most 255 (RFC 1035 2.3.4) */
            return WS_E_CORRUPT;
        if (o && o + 1 < cap)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t ch = lab[i];
            if (o + 5 >= cap)
                return WS_E_CORRUPT;
            if (ch > 0x20 && ch < 0x7f && ch != '.' && ch != '\\')
                out[o++] = (char)tolower(ch);
            else
                o += (size_t)snprintf(out + o, cap - o, "\\%03u", ch);
        }
        out[o] = '\0';
    }
    return WS_E_CORRUPT;
}

struct dns_names {
    char v[WS_NET_DNS_MAX_QUESTIONS + WS_NET_DNS_MAX_ANSWERS][WS_NET_DNS_MAX_NAME_TEXT];
    size_t n;
};

static void join(char *dst, size_t cap, const char *s)
{
    size_t l = strlen(dst);
    if (l + strlen(s) + 2 < cap)
        snprintf(dst + l, cap - l, "%s%s", l ? "," : "", s);
}

static void check_dns_name(struct net_ctx *c, const struct c2_obs *o, const char *name)
{
    const struct net_c2 *x = c->c2;
    const struct c2_entry *d = domain_find(&x->domains, name);
    if (d) {
        struct c2_hit h = {"net.c2.dns.domain",
                           "Kwampirs C2 domain in DNS",
                           SEV_DOMAIN,
                           d->origin,
                           NULL,
                           d->s,
                           name};
        c2_emit(c, &h, o);
        return;
    }
    const struct c2_pat *pt = pattern_match(x, PK_DOMAIN, name);
    if (pt) {
        struct c2_hit h = {"net.c2.dns.grammar",
                           "Name follows the Kwampirs C2 domain grammar",
                           pt->score,
                           pt->origin,
                           pt->desc,
                           name,
                           name};
        c2_emit(c, &h, o);
    }
}

static void check_dns_addr(struct net_ctx *c, const struct c2_obs *o, const char *ip)
{
    const struct net_c2 *x = c->c2;
    /* the sinkhole is also on the C2 address list: name it for what it is */
    const struct c2_pat *pt = pattern_match(x, PK_DNS_ANSWER, ip);
    if (pt) {
        struct c2_hit h = {"net.c2.dns.sinkhole",
                           "DNS answer is a Kwampirs C2 sinkhole",
                           pt->score,
                           pt->origin,
                           pt->desc,
                           ip,
                           ip};
        c2_emit(c, &h, o);
        return;
    }
    const struct c2_entry *d = table_find(&x->ips, ip);
    if (d) {
        struct c2_hit h = {"net.c2.dns.answer",
                           "DNS answer is a Kwampirs C2 address",
                           SEV_IP,
                           d->origin,
                           NULL,
                           d->s,
                           ip};
        c2_emit(c, &h, o);
    }
}

static void dns_malformed(struct net_ctx *c, const struct net_ends *e, const char *why)
{
    if (c->dns_malformed_reported)
        return;
    c->dns_malformed_reported = 1;
    net_report(c, 1, "net.dns.malformed", WS_E_CORRUPT, e,
               "port 53 traffic that is not readable DNS (%s) at frame %llu; further ones in "
               "this capture are not listed",
               why, (unsigned long long)c->pk.frame);
}

void c2_dns_message(struct net_ctx *c, const struct net_ends *pkt, const char *transport,
                    const uint8_t *p, size_t n)
{
    struct ws_cur msg, cur;
    ws_cur_init(&msg, p, n);
    cur = msg;
    uint16_t id, flags, qd, an, ns, ar;
    if (ws_cur_be16(&cur, &id) || ws_cur_be16(&cur, &flags) || ws_cur_be16(&cur, &qd) ||
        ws_cur_be16(&cur, &an) || ws_cur_be16(&cur, &ns) || ws_cur_be16(&cur, &ar)) {
        dns_malformed(c, pkt, "shorter than a DNS header");
        return;
    }
    if (((flags >> 11) & 0xf) != 0)
        return; /* not a standard query (NOTIFY, UPDATE, ...) */
    int response = (flags & 0x8000) != 0;
    struct net_ends e = *pkt;
    if (response) { /* source = the querier */
        memcpy(e.cli_ip, pkt->srv_ip, sizeof e.cli_ip);
        memcpy(e.srv_ip, pkt->cli_ip, sizeof e.srv_ip);
        e.cli_port = pkt->srv_port;
        e.srv_port = pkt->cli_port;
    }
    struct dns_names *names = ws_malloc(sizeof *names);
    if (!names)
        return;
    names->n = 0;
    char answers[WS_NET_DNS_MAX_NAME_TEXT];
    char addrs[WS_NET_DNS_MAX_ANSWERS][48];
    size_t naddrs = 0;
    answers[0] = '\0';
    const char *bad = NULL;
    for (size_t i = 0; i < qd && i < WS_NET_DNS_MAX_QUESTIONS; i++) {
        uint16_t type, klass;
        if (dns_name(&msg, &cur, names->v[names->n], sizeof names->v[0]) ||
            ws_cur_be16(&cur, &type) || ws_cur_be16(&cur, &klass)) {
            bad = "question";
            break;
        }
        names->n++;
    }
    size_t nq = names->n;
    for (size_t i = 0;
         !bad && response && qd <= WS_NET_DNS_MAX_QUESTIONS && i < an && i < WS_NET_DNS_MAX_ANSWERS;
         i++) {
        char owner[WS_NET_DNS_MAX_NAME_TEXT];
        uint16_t type, klass, rdlen;
        uint32_t ttl;
        struct ws_cur rd;
        if (dns_name(&msg, &cur, owner, sizeof owner) || ws_cur_be16(&cur, &type) ||
            ws_cur_be16(&cur, &klass) || ws_cur_be32(&cur, &ttl) || ws_cur_be16(&cur, &rdlen) ||
            ws_cur_sub(&cur, rdlen, &rd)) {
            bad = "answer record";
            break;
        }
        char *a = addrs[naddrs];
        if (type == 1 && rdlen == 4) {
            inet_ntop(AF_INET, ws_cur_ptr(&rd), a, sizeof addrs[0]);
            join(answers, sizeof answers, a);
            naddrs++;
        } else if (type == 28 && rdlen == 16) {
            inet_ntop(AF_INET6, ws_cur_ptr(&rd), a, sizeof addrs[0]);
            join(answers, sizeof answers, a);
            naddrs++;
        } else if (type == 5) {
            /* CNAME: the target, read with pointers into the whole message */
            struct ws_cur t = msg;
            if (ws_cur_seek(&t, (size_t)(ws_cur_ptr(&rd) - p)) ||
                dns_name(&msg, &t, names->v[names->n], sizeof names->v[0])) {
                bad = "CNAME";
                break;
            }
            join(answers, sizeof answers, names->v[names->n]);
            names->n++;
        }
    }
    if (bad)
        dns_malformed(c, pkt, bad);
    if (c->c2) {
        struct c2_obs o = {.e = &e,
                           .transport = transport,
                           .protocol = "dns",
                           .answers = answers[0] ? answers : NULL};
        o.qname = nq ? names->v[0] : NULL;
        for (size_t i = 0; i < names->n && !c->stop; i++)
            check_dns_name(c, &o, names->v[i]);
        for (size_t i = 0; i < naddrs && !c->stop; i++)
            check_dns_addr(c, &o, addrs[i]);
    }
    ws_free(names);
}

/* ---- streams: DNS over TCP, HTTP and TLS ---- */

struct http_req;

/* A request that gives a finding, waiting for its response. */
struct http_pend {
    struct http_req *r;
    uint64_t frame; /* the request's last frame */
    int64_t sec;
    int have_resp;
    struct http_resp resp;
    uint64_t resp_frame;
    int64_t body_bytes; /* -1 unknown */
};

/* One request in order of the flow: p NULL when it gives no finding. */
struct http_slot {
    struct http_pend *p;
    int head; /* a HEAD request: its response has no body */
};

/* Where a chunked body (RFC 9112 7.1) is: chunk-size [; ext] CRLF, data,
 * CRLF, ..., last-chunk "0" CRLF, trailer lines, CRLF. */
enum { CH_OFF = 0, CH_SIZE, CH_EXT, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER };

struct chunked {
    int st;
    int digits;     /* hex digits of the current chunk-size */
    size_t line;    /* bytes of the current extension or trailer line */
    uint64_t left;  /* data bytes left in the current chunk */
    uint64_t total; /* data bytes of the body so far */
};

/* A chunk-size needs at most 16 hex digits (64 bits); extensions and trailer
 * lines are skipped up to the header cap. */
#define CH_MAX_LINE WS_NET_HTTP_MAX_HEADER

struct c2_stream {
    int kind; /* NET_APP_HTTP, NET_APP_DNS, NET_APP_TLS */
    int dead[2];
    struct net_sbuf buf[2]; /* [1] client->server */
    uint64_t body_left;     /* of the current request */
    struct chunked ch[2];   /* a chunked body in this direction */
    struct tls_conn *tls;
    struct net_ends e; /* the flow, for findings emitted when it ends */
    /* HTTP responses */
    struct http_slot q[WS_NET_HTTP_MAX_PENDING];
    size_t nq;
    uint64_t resp_skip;      /* responses of requests dropped from the queue */
    uint64_t resp_body_left; /* of the current response */
    int resp_to_close;       /* the body runs to the end of the connection */
    struct http_pend *cur;   /* the request of a body being counted (to the
                                end of the connection or of the chunks) */
};

static void pend_emit(struct net_ctx *c, struct c2_stream *s, struct http_pend *pd);
static void resp_flush(struct net_ctx *c, struct c2_stream *s);

struct c2_stream *c2_stream_new(struct net_ctx *c, int kind)
{
    if (!net_charge(c, sizeof(struct c2_stream)))
        return NULL;
    struct c2_stream *s = ws_calloc(1, sizeof *s);
    if (!s) {
        net_uncharge(c, sizeof *s);
        return NULL;
    }
    s->kind = kind;
    for (int i = 0; i < 2; i++)
        net_sbuf_init(&s->buf[i], kind == NET_APP_HTTP ? WS_NET_HTTP_MAX_HEADER : 65537u);
    if (kind == NET_APP_TLS && !(s->tls = tls_conn_new(c))) {
        c2_stream_free(c, s);
        return NULL;
    }
    return s;
}

void c2_stream_free(struct net_ctx *c, struct c2_stream *s)
{
    if (!s)
        return;
    resp_flush(c, s);
    tls_conn_free(c, s->tls);
    for (int i = 0; i < 2; i++)
        net_sbuf_release(c, &s->buf[i]);
    net_uncharge(c, sizeof *s);
    ws_free(s);
}

void c2_stream_gap(struct net_ctx *c, struct c2_stream *s, int to_server)
{
    net_sbuf_reset(c, &s->buf[to_server != 0]);
    if (s->kind == NET_APP_TLS)
        tls_conn_gap(c, s->tls, to_server);
    if (s->kind != NET_APP_HTTP)
        return;
    if (to_server) {
        s->dead[1] = 1; /* cannot find the next request line reliably */
    } else {
        /* responses can no longer be matched to requests */
        if (s->cur)
            s->cur->body_bytes = -1;
        resp_flush(c, s);
        s->dead[0] = 1;
    }
}

static void dns_stream(struct net_ctx *c, struct c2_stream *s, const struct net_ends *e,
                       int to_server, const uint8_t *p, size_t n)
{
    int d = to_server != 0;
    struct net_sbuf *b = &s->buf[d];
    if (net_sbuf_add(c, b, p, n) != WS_OK) {
        s->dead[d] = 1;
        net_sbuf_reset(c, b);
        return;
    }
    struct net_ends pk = *e;
    if (!to_server) {
        memcpy(pk.cli_ip, e->srv_ip, sizeof pk.cli_ip);
        memcpy(pk.srv_ip, e->cli_ip, sizeof pk.srv_ip);
        pk.cli_port = e->srv_port;
        pk.srv_port = e->cli_port;
    }
    /* each pass consumes at least the 2-byte length */
    for (int pass = 0; pass < 65536 && b->b.len >= 2 && !c->stop; pass++) {
        const uint8_t *m = (const uint8_t *)b->b.data;
        size_t len = ((size_t)m[0] << 8) | m[1];
        if (b->b.len - 2 < len)
            break;
        c2_dns_message(c, &pk, "tcp", (const uint8_t *)b->b.data + 2, len);
        net_sbuf_consume(c, b, len + 2);
    }
}

/* Find "\r\n\r\n" or "\n\n": the length of the header block, or 0. */
static size_t header_end(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n')
            return i + 2;
        if (i + 3 < n && p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

int c2_looks_http(const uint8_t *p, size_t n)
{
    static const char *const methods[] = {"GET ",    "POST ",    "HEAD ",  "PUT ",
                                          "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t l = strlen(methods[i]);
        if (n > l && memcmp(p, methods[i], l) == 0)
            return p[l] == '/' || p[l] == 'h' || p[l] == 'H' || methods[i][0] == 'C';
    }
    return 0;
}

/* Copy [p, p+n) as a NUL-terminated string, bytes < 0x20 as '?'. */
static void text_copy(char *out, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)p[i] < 0x20 ? '?' : p[i];
    out[n] = '\0';
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

struct http_req {
    char method[16];
    char uri[2048];
    char host[256];
    char ua[512];
    char path[2048];
    char query[2048];
    uint64_t content_length;
    int chunked;
};

/* Parse one header block; 0 when it is not an HTTP request. */
/* One "Name: value" line of an HTTP header block, value trimmed. */
struct http_field {
    const char *key;
    size_t kl;
    const char *val;
    size_t vl;
};

/* The next header field from *line (lines before end; those without a colon
 * are passed over), advancing *line past it. 0 at the end of the block. */
static int http_next_field(const char **line, const char *end, struct http_field *f)
{
    while (*line < end) {
        const char *l = *line, *le = memchr(l, '\n', (size_t)(end - l));
        if (!le)
            le = end;
        *line = le < end ? le + 1 : end;
        size_t ll = (size_t)(le - l);
        if (ll && l[ll - 1] == '\r')
            ll--;
        const char *colon = memchr(l, ':', ll);
        if (!colon)
            continue;
        f->key = l;
        f->kl = (size_t)(colon - l);
        f->val = colon + 1;
        f->vl = ll - f->kl - 1;
        while (f->vl && (*f->val == ' ' || *f->val == '\t')) {
            f->val++;
            f->vl--;
        }
        while (f->vl && (f->val[f->vl - 1] == ' ' || f->val[f->vl - 1] == '\t'))
            f->vl--;
        return 1;
    }
    return 0;
}

static int field_is(const struct http_field *f, const char *name)
{
    return f->kl == strlen(name) && strncasecmp(f->key, name, f->kl) == 0;
}

static int http_parse(const char *p, size_t n, struct http_req *r)
{
    memset(r, 0, sizeof *r);
    const char *end = p + n, *eol = memchr(p, '\n', n);
    if (!eol)
        return 0;
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    if (!sp1 || sp1 == p || (size_t)(sp1 - p) >= sizeof r->method)
        return 0;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
    if (!sp2)
        return 0;
    text_copy(r->method, sizeof r->method, p, (size_t)(sp1 - p));
    text_copy(r->uri, sizeof r->uri, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    const char *line = eol + 1;
    struct http_field hf;
    for (int pass = 0; pass < 1024 && http_next_field(&line, end, &hf); pass++) {
        const char *v = hf.val;
        size_t vl = hf.vl;
        if (field_is(&hf, "host"))
            text_copy(r->host, sizeof r->host, v, vl);
        else if (field_is(&hf, "user-agent"))
            text_copy(r->ua, sizeof r->ua, v, vl);
        else if (field_is(&hf, "content-length")) {
            const char *vp = v;
            if (ws_parse_u64(&vp, v + vl, UINT64_MAX, &r->content_length) != WS_OK)
                r->content_length = 0;
        } else if (field_is(&hf, "transfer-encoding") && vl >= 7 &&
                   strncasecmp(v + vl - 7, "chunked", 7) == 0)
            r->chunked = 1;
    }
    /* absolute form (proxy requests): http://host[:port]/path */
    const char *u = r->uri;
    if (strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0) {
        u = strstr(u, "://") + 3;
        size_t hl = strcspn(u, "/?");
        if (!r->host[0])
            text_copy(r->host, sizeof r->host, u, hl);
        u += hl;
    }
    size_t pl = strcspn(u, "?#");
    text_copy(r->path, sizeof r->path, u, pl);
    if (u[pl] == '?')
        text_copy(r->query, sizeof r->query, u + pl + 1, strcspn(u + pl + 1, "#"));
    /* Host without the port (IPv6 literals keep their brackets off) */
    char *h = r->host;
    if (h[0] == '[') {
        char *rb = strchr(h, ']');
        if (rb) {
            *rb = '\0';
            memmove(h, h + 1, strlen(h));
        }
    } else {
        char *col = strchr(h, ':');
        if (col && !strchr(col + 1, ':'))
            *col = '\0';
    }
    size_t hl = strlen(h);
    if (hl && h[hl - 1] == '.')
        h[hl - 1] = '\0';
    lower(h);
    return 1;
}

/* Hand a hit to c2_emit, or with dry set only count it when it would be new. */
static void http_hit(struct net_ctx *c, const struct c2_hit *h, const struct c2_obs *o, int dry,
                     int *hits)
{
    if (!dry)
        c2_emit(c, h, o);
    else if (!seen_has(c, seen_key(h, o->e)))
        (*hits)++;
}

/* The findings of one request (with pd: its response); returns, with dry
 * set, how many new findings it would give without emitting them. */
static int http_check(struct net_ctx *c, const struct net_ends *e, const struct http_req *r,
                      const struct http_pend *pd, int dry)
{
    const struct net_c2 *x = c->c2;
    int hits = 0;
    if (!x)
        return 0;
    struct c2_obs o = {.e = e,
                       .transport = "tcp",
                       .protocol = "http",
                       .method = r->method,
                       .domain = r->host[0] ? r->host : NULL,
                       .path = r->path,
                       .query = r->query[0] ? r->query : NULL,
                       .ua = r->ua[0] ? r->ua : NULL};
    if (pd) {
        o.frame = pd->frame;
        o.sec = pd->sec;
        o.resp = pd->have_resp ? &pd->resp : NULL;
        o.resp_frame = pd->resp_frame;
        o.body_bytes = pd->body_bytes;
    }
    const char *host = r->host[0] ? r->host : e->srv_ip;
    char url[2400], lpath[2048];
    snprintf(lpath, sizeof lpath, "%s", r->path);
    lower(lpath);
    snprintf(url, sizeof url, "%s%s", host, lpath);
    const struct c2_entry *d = table_find(&x->urls, url);
    if (!d && r->host[0]) { /* the address the request went to, with the same path */
        snprintf(url, sizeof url, "%s%s", e->srv_ip, lpath);
        d = table_find(&x->urls, url);
    }
    if (d) {
        struct c2_hit h = {"net.c2.http.url",
                           "HTTP request to a Kwampirs C2 URL",
                           SEV_URL,
                           d->origin,
                           NULL,
                           d->s,
                           url};
        http_hit(c, &h, &o, dry, &hits);
    } else if ((d = domain_find(&x->domains, host)) || (d = table_find(&x->ips, host)) ||
               (d = table_find(&x->ips, e->srv_ip))) {
        struct c2_hit h = {"net.c2.http.host",
                           "HTTP request to a Kwampirs C2 host",
                           SEV_HOST,
                           d->origin,
                           NULL,
                           d->s,
                           d->s};
        http_hit(c, &h, &o, dry, &hits);
    } else {
        const struct c2_pat *pp = pattern_match(x, PK_URL_PATH, r->path);
        const struct c2_pat *pq = pp ? pattern_match(x, PK_QUERY, r->query) : NULL;
        if (pp && pq) {
            char ind[4200];
            snprintf(ind, sizeof ind, "%s?%s", r->path, r->query);
            struct c2_hit h = {"net.c2.http.grammar",
                               "HTTP request follows the Kwampirs C2 URL grammar",
                               pp->score,
                               pp->origin,
                               pp->desc,
                               ind,
                               r->path};
            http_hit(c, &h, &o, dry, &hits);
        }
    }
    const struct c2_pat *pu = pattern_match(x, PK_UA, r->ua);
    if (pu) {
        struct c2_hit h = {"net.c2.http.user_agent",
                           "HTTP User-Agent used by Kwampirs",
                           pu->score,
                           pu->origin,
                           pu->desc,
                           r->ua,
                           r->ua};
        http_hit(c, &h, &o, dry, &hits);
    }
    return hits;
}

/* ---- HTTP responses ---- */

static void pend_free(struct net_ctx *c, struct http_pend *pd)
{
    ws_free(pd->r);
    ws_free(pd);
    net_uncharge(c, sizeof(struct http_pend) + sizeof(struct http_req));
}

static void pend_emit(struct net_ctx *c, struct c2_stream *s, struct http_pend *pd)
{
    http_check(c, &s->e, pd->r, pd, 0);
    pend_free(c, pd);
}

/* Emit what waits, without (more of) its response. */
static void resp_flush(struct net_ctx *c, struct c2_stream *s)
{
    if (s->cur && s->ch[0].st)
        s->cur->body_bytes = -1; /* the chunks did not end */
    if (s->cur) {
        pend_emit(c, s, s->cur);
        s->cur = NULL;
    }
    for (size_t i = 0; i < s->nq; i++)
        if (s->q[i].p)
            pend_emit(c, s, s->q[i].p);
    s->nq = 0;
}

/* A request was read (r consumed): report it now, or queue it for its
 * response. Every request takes a slot, so responses pair up in order. */
static void http_request(struct net_ctx *c, struct c2_stream *s, const struct net_ends *e,
                         struct http_req *r)
{
    s->e = *e;
    int head = strcmp(r->method, "HEAD") == 0;
    struct http_pend *pd = NULL;
    if (http_check(c, e, r, NULL, 1) > 0) {
        if (!s->dead[0] && net_charge(c, sizeof *pd + sizeof *r)) {
            pd = ws_calloc(1, sizeof *pd);
            if (!pd)
                net_uncharge(c, sizeof *pd + sizeof *r);
        }
        if (!pd)
            http_check(c, e, r, NULL, 0); /* no response to wait for, or no room */
    }
    if (pd) {
        pd->r = r;
        pd->frame = c->pk.frame;
        pd->sec = c->pk.sec;
        pd->body_bytes = -1;
    } else {
        ws_free(r);
    }
    if (s->dead[0])
        return;
    if (s->nq == WS_NET_HTTP_MAX_PENDING) {
        struct http_pend *old = s->q[0].p;
        memmove(s->q, s->q + 1, (s->nq - 1) * sizeof s->q[0]);
        s->nq--;
        s->resp_skip++;
        if (old)
            pend_emit(c, s, old);
    }
    s->q[s->nq++] = (struct http_slot){pd, head};
}

ws_status c2_http_parse_response(const char *p, size_t n, struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    const char *end = p + n, *eol = memchr(p, '\n', n);
    /* status-line = HTTP-version SP status-code SP [reason-phrase] (RFC 9112 4) */
    if (!eol || n < 5 || memcmp(p, "HTTP/", 5) != 0)
        return WS_E_CORRUPT;
    const char *sp = memchr(p, ' ', (size_t)(eol - p));
    if (!sp || eol - sp < 4)
        return WS_E_CORRUPT;
    int status = 0;
    for (int i = 1; i <= 3; i++) {
        if (sp[i] < '0' || sp[i] > '9')
            return WS_E_CORRUPT;
        status = status * 10 + (sp[i] - '0');
    }
    if (sp[4] != ' ' && sp[4] != '\r' && sp[4] != '\n')
        return WS_E_CORRUPT;
    r->status = status;
    const char *line = eol + 1;
    struct http_field hf;
    for (int pass = 0; pass < 1024 && http_next_field(&line, end, &hf); pass++) {
        const char *v = hf.val;
        size_t vl = hf.vl;
        if (field_is(&hf, "content-length")) {
            const char *vp = v;
            r->has_length =
                ws_parse_u64(&vp, v + vl, UINT64_MAX, &r->content_length) == WS_OK && vp == v + vl;
            if (!r->has_length)
                r->content_length = 0;
        } else if (field_is(&hf, "transfer-encoding") && vl >= 7 &&
                   strncasecmp(v + vl - 7, "chunked", 7) == 0) {
            r->chunked = 1;
        } else if (field_is(&hf, "content-type")) {
            const char *semi = memchr(v, ';', vl);
            size_t ml = semi ? (size_t)(semi - v) : vl;
            while (ml && (v[ml - 1] == ' ' || v[ml - 1] == '\t'))
                ml--;
            text_copy(r->mime, sizeof r->mime, v, ml);
            lower(r->mime);
        } else if (field_is(&hf, "server")) {
            text_copy(r->server, sizeof r->server, v, vl);
        }
    }
    if (r->chunked) /* RFC 9112 6.3: chunked overrides Content-Length */
        r->has_length = 0;
    return WS_OK;
}

/* Read chunked body bytes from (p, n): returns the bytes used; *res 1 when
 * the body ended, -1 when it breaks the format, else 0 (more needed). Each
 * byte outside chunk data is one step; data is skipped in one step. */
static size_t chunked_feed(struct chunked *k, const uint8_t *p, size_t n, int *res)
{
    size_t i = 0;
    *res = 0;
    while (i < n) {
        uint8_t ch = p[i];
        switch (k->st) {
        case CH_SIZE: {
            int v = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (v >= 0) {
                if (++k->digits > 16) {
                    *res = -1;
                    return i;
                }
                k->left = (k->left << 4) | (uint64_t)v;
                i++;
                continue;
            }
            if (k->digits == 0) {
                *res = -1;
                return i;
            }
            k->st = CH_EXT;
            k->line = 0;
            continue; /* this byte again, as part of the rest of the line */
        }
        case CH_EXT:
            i++;
            if (ch == '\n') {
                k->digits = 0;
                k->line = 0;
                k->st = k->left ? CH_DATA : CH_TRAILER;
            } else if (++k->line > CH_MAX_LINE) {
                *res = -1;
                return i;
            }
            continue;
        case CH_DATA: {
            size_t t = n - i < k->left ? n - i : (size_t)k->left;
            i += t;
            k->left -= t;
            k->total = t > UINT64_MAX - k->total ? UINT64_MAX : k->total + t;
            if (!k->left)
                k->st = CH_DATA_CR;
            continue;
        }
        case CH_DATA_CR:
            if (ch == '\r') {
                i++;
                k->st = CH_DATA_LF;
                continue;
            }
            k->st = CH_DATA_LF; /* a bare LF is tolerated (RFC 9112 2.2) */
            continue;
        case CH_DATA_LF:
            if (ch != '\n') {
                *res = -1;
                return i;
            }
            i++;
            k->st = CH_SIZE;
            continue;
        case CH_TRAILER:
            i++;
            if (ch == '\n') {
                if (k->line == 0) {
                    k->st = CH_OFF;
                    *res = 1;
                    return i;
                }
                k->line = 0;
            } else if (ch != '\r' && ++k->line > CH_MAX_LINE) {
                *res = -1;
                return i;
            }
            continue;
        default:
            *res = 1;
            return i;
        }
    }
    return i;
}

/* Feed the buffered bytes of b, then (p, n), to the chunked body of
 * direction d: returns *res as chunked_feed, bytes used are dropped. */
static int chunked_step(struct net_ctx *c, struct c2_stream *s, int d, const uint8_t **p, size_t *n)
{
    struct net_sbuf *b = &s->buf[d];
    int res;
    if (b->b.len) {
        size_t u = chunked_feed(&s->ch[d], (const uint8_t *)b->b.data, b->b.len, &res);
        net_sbuf_consume(c, b, u);
    } else {
        size_t u = chunked_feed(&s->ch[d], *p, *n, &res);
        *p += u;
        *n -= u;
    }
    return res;
}

/* One response header block was read. */
static void http_response(struct net_ctx *c, struct c2_stream *s, const struct http_resp *r)
{
    if (r->status >= 100 && r->status < 200 && r->status != 101)
        return; /* interim (100 Continue): the final response follows */
    struct http_slot slot = {NULL, 0};
    if (s->resp_skip) {
        s->resp_skip--;
    } else if (s->nq) {
        slot = s->q[0];
        memmove(s->q, s->q + 1, (s->nq - 1) * sizeof s->q[0]);
        s->nq--;
    }
    /* message body length: RFC 9112 6.3 */
    int64_t body = -1;
    if (slot.head || r->status == 204 || r->status == 304 || r->status < 200) {
        body = 0;
    } else if (r->chunked) {
        s->ch[0] = (struct chunked){.st = CH_SIZE};
    } else if (r->has_length) {
        body = r->content_length > INT64_MAX ? INT64_MAX : (int64_t)r->content_length;
        s->resp_body_left = r->content_length;
    } else {
        s->resp_to_close = 1;
        body = 0;
    }
    if (r->status == 101)
        s->dead[0] = 1; /* another protocol follows */
    if (slot.p) {
        slot.p->have_resp = 1;
        slot.p->resp = *r;
        slot.p->resp_frame = c->pk.frame;
        slot.p->body_bytes = body;
        if ((s->resp_to_close || s->ch[0].st) && !s->dead[0])
            s->cur = slot.p; /* counted to the end of the flow or of the chunks */
        else
            pend_emit(c, s, slot.p);
    }
    if (s->dead[0])
        resp_flush(c, s);
}

/* Skip body bytes (at most *left): the buffered ones first, else from the
 * delivery (p, n). */
static void skip_body(struct net_ctx *c, struct net_sbuf *b, uint64_t *left, const uint8_t **p,
                      size_t *n)
{
    if (b->b.len) {
        size_t t = b->b.len < *left ? b->b.len : (size_t)*left;
        net_sbuf_consume(c, b, t);
        *left -= t;
    } else {
        size_t t = *n < *left ? *n : (size_t)*left;
        *p += t;
        *n -= t;
        *left -= t;
    }
}
static void http_resp_stream(struct net_ctx *c, struct c2_stream *s, const uint8_t *p, size_t n)
{
    struct net_sbuf *b = &s->buf[0];
    /* each pass consumes body bytes or one header block, or stops */
    for (int pass = 0; pass < 65536 && (n > 0 || b->b.len > 0) && !c->stop && !s->dead[0]; pass++) {
        if (s->resp_to_close) {
            if (s->cur) {
                uint64_t add = (uint64_t)n + b->b.len;
                uint64_t have = (uint64_t)s->cur->body_bytes;
                s->cur->body_bytes =
                    add > (uint64_t)INT64_MAX - have ? INT64_MAX : (int64_t)(have + add);
            }
            net_sbuf_reset(c, b);
            return;
        }
        if (s->ch[0].st) {
            int res = chunked_step(c, s, 0, &p, &n);
            if (res < 0) {
                s->dead[0] = 1; /* lost the framing */
                s->ch[0].st = CH_OFF;
                if (s->cur)
                    s->cur->body_bytes = -1;
                net_sbuf_reset(c, b);
                resp_flush(c, s);
                return;
            }
            if (res > 0 && s->cur) {
                uint64_t t = s->ch[0].total;
                s->cur->body_bytes = t > INT64_MAX ? INT64_MAX : (int64_t)t;
                pend_emit(c, s, s->cur);
                s->cur = NULL;
            }
            continue;
        }
        if (s->resp_body_left) {
            skip_body(c, b, &s->resp_body_left, &p, &n);
            continue;
        }
        if (n) {
            if (net_sbuf_add(c, b, p, n) != WS_OK) {
                s->dead[0] = 1; /* a header block beyond the cap: not HTTP we read */
                net_sbuf_reset(c, b);
                resp_flush(c, s);
                return;
            }
            n = 0;
        }
        size_t hl = header_end(b->b.data, b->b.len);
        if (!hl)
            return; /* wait for more */
        struct http_resp r;
        if (c2_http_parse_response(b->b.data, hl, &r) != WS_OK) {
            s->dead[0] = 1;
            net_sbuf_reset(c, b);
            resp_flush(c, s);
            return;
        }
        net_sbuf_consume(c, b, hl);
        http_response(c, s, &r);
    }
}

/* ---- TLS ---- */

void c2_tls_hello(struct net_ctx *c, const struct net_ends *e, const struct tls_hello *th)
{
    const struct net_c2 *x = c->c2;
    if (!x)
        return;
    const char *sni = th->sni[0] ? th->sni : NULL;
    struct c2_obs o = {.e = e,
                       .transport = "tcp",
                       .protocol = "tls",
                       .sni = sni,
                       .ja3 = th->ja3_md5[0] ? th->ja3_md5 : NULL,
                       .ja3_full = th->ja3.len ? th->ja3.data : NULL,
                       .alpn = th->alpn[0] ? th->alpn : NULL,
                       .hello_format = th->sslv2 ? "sslv2" : NULL};
    const struct c2_entry *d = sni ? domain_find(&x->domains, sni) : NULL;
    const struct c2_pat *pt;
    if (d) {
        struct c2_hit h = {"net.c2.tls.sni",
                           "TLS connection to a Kwampirs C2 domain (SNI)",
                           SEV_SNI,
                           d->origin,
                           NULL,
                           d->s,
                           sni};
        c2_emit(c, &h, &o);
    } else if ((d = table_find(&x->ips, e->srv_ip))) {
        struct c2_hit h = {"net.c2.tls.ip",
                           "TLS connection to a Kwampirs C2 address",
                           SEV_IP,
                           d->origin,
                           NULL,
                           d->s,
                           e->srv_ip};
        c2_emit(c, &h, &o);
    } else if (sni && (pt = pattern_match(x, PK_DOMAIN, sni))) {
        struct c2_hit h = {"net.c2.tls.grammar",
                           "TLS server name follows the Kwampirs C2 domain grammar",
                           pt->score,
                           pt->origin,
                           pt->desc,
                           sni,
                           sni};
        c2_emit(c, &h, &o);
    }
}

static void http_stream(struct net_ctx *c, struct c2_stream *s, const struct net_ends *e,
                        int to_server, const uint8_t *p, size_t n)
{
    if (!to_server || s->dead[1])
        return;
    struct net_sbuf *b = &s->buf[1];
    /* each pass consumes body bytes or one header block, or stops */
    for (int pass = 0; pass < 65536 && (n > 0 || b->b.len > 0) && !c->stop; pass++) {
        if (s->ch[1].st) {
            if (chunked_step(c, s, 1, &p, &n) < 0) {
                s->dead[1] = 1; /* lost the framing */
                net_sbuf_reset(c, b);
                return;
            }
            continue;
        }
        if (s->body_left) {
            skip_body(c, b, &s->body_left, &p, &n);
            continue;
        }
        if (n) {
            if (net_sbuf_add(c, b, p, n) != WS_OK) {
                s->dead[1] = 1; /* a header block beyond the cap: not HTTP we read */
                net_sbuf_reset(c, b);
                return;
            }
            n = 0;
        }
        size_t hl = header_end(b->b.data, b->b.len);
        if (!hl)
            return; /* wait for more */
        struct http_req *r = ws_malloc(sizeof *r);
        if (!r)
            return;
        if (!c2_looks_http((const uint8_t *)b->b.data, b->b.len) || !http_parse(b->b.data, hl, r)) {
            s->dead[1] = 1;
            net_sbuf_reset(c, b);
            ws_free(r);
            return;
        }
        s->body_left = r->chunked ? 0 : r->content_length; /* RFC 9112 6.3 */
        if (r->chunked)
            s->ch[1] = (struct chunked){.st = CH_SIZE};
        http_request(c, s, e, r);
        net_sbuf_consume(c, b, hl);
        if (s->dead[1]) {
            net_sbuf_reset(c, b);
            return;
        }
    }
}

void c2_stream_data(struct net_ctx *c, struct c2_stream *s, const struct net_ends *e, int to_server,
                    const uint8_t *p, size_t n)
{
    if (s->dead[to_server != 0])
        return;
    if (s->kind == NET_APP_HTTP && to_server)
        http_stream(c, s, e, to_server, p, n);
    else if (s->kind == NET_APP_HTTP)
        http_resp_stream(c, s, p, n);
    else if (s->kind == NET_APP_TLS)
        tls_conn_data(c, s->tls, e, to_server, p, n);
    else
        dns_stream(c, s, e, to_server, p, n);
}

/* ---- UDP ---- */

void udp_datagram(struct net_ctx *c, int family, const uint8_t *src, const uint8_t *dst,
                  const uint8_t *udp, size_t have)
{
    struct ws_cur cur;
    ws_cur_init(&cur, udp, have);
    uint16_t sp, dp, len, sum;
    if (ws_cur_be16(&cur, &sp) || ws_cur_be16(&cur, &dp) || ws_cur_be16(&cur, &len) ||
        ws_cur_be16(&cur, &sum))
        return;
    if (sp != 53 && dp != 53)
        return;
    size_t body = ws_cur_left(&cur);
    if (len >= 8 && (size_t)len - 8 < body)
        body = (size_t)len - 8;
    struct net_ends e;
    memset(&e, 0, sizeof e);
    inet_ntop(family == 4 ? AF_INET : AF_INET6, src, e.cli_ip, sizeof e.cli_ip);
    inet_ntop(family == 4 ? AF_INET : AF_INET6, dst, e.srv_ip, sizeof e.srv_ip);
    e.cli_port = sp;
    e.srv_port = dp;
    c2_dns_message(c, &e, "udp", ws_cur_ptr(&cur), body);
}

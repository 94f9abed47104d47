/*
 * inventory.c - what one capture shows about each host, so that a finding
 * can say "imaging workstation, XP-era" (issue 5, Kwampirs' hospital targets).
 *
 * Facts come from the dissectors as they read:
 *   smb1.c / smb.c  SMB dialects a host offered (as client) or chose (as
 *                   server), SMB1 NativeOS / NativeLanMan of session setups;
 *   detect.c        SMB1-only hosts (net_smb1_only);
 *   dicom.c         DICOM roles: SCU (the calling side of an A-ASSOCIATE-RQ)
 *                   and SCP (the called side, once it answered AC or RJ), with
 *                   AE titles, SOP classes and the words of their modalities,
 *                   implementation class UID and version name.
 * At the end of the capture (net_ctx_finish) net_inv_emit() writes one INFO
 * finding, net.inventory.host, per notable host: a DICOM role, SMB1-only, an
 * SMB1 dialect chosen as server, or an old Windows (era) from NativeOS.
 * Before that, detect.c's emit() calls net_inv_annotate() on every ALERT, so
 * a lateral-movement finding against an MRI console says so.
 *
 * Era, from the NativeOS string (MS-CIFS 2.2.4.53.2; Windows fills in its
 * "Windows <major>.<minor>" or product name) or else from SMB1-only:
 *   "Windows 4.0" / "NT 4.0"          nt4
 *   "Windows 5.0" / "Windows 2000"    2000
 *   "Windows 5.1" / "Windows XP"      xp
 *   "Windows 5.2" / "Server 2003"     2003
 *   SMB1 only, no NativeOS            xp  (XP / Server 2003 class: they are
 *                                          the hosts with no SMB2)
 *
 * Memory: hosts live in one array (at most WS_NET_MAX_HOSTS, charged to the
 * capture's state budget) with an open-addressing index of twice that size;
 * per host the AE titles, SOP class UIDs and strings are capped
 * (WS_NET_INV_MAX_*). Past the host cap, new hosts are dropped and one note
 * says so.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

#define NSLOTS (2u * WS_NET_MAX_HOSTS) /* power of two, load <= 1/2 */

struct inv_host {
    char ip[48];
    unsigned smb_offered;           /* NET_SMB_D_* offered as client */
    unsigned smb_accepted;          /* NET_SMB_D_* chosen as server */
    int smb1_only;                  /* bit 0 as client, bit 1 as server */
    char *os, *lanman;              /* SMB1 NativeOS / NativeLanMan (first seen) */
    int dicom;                      /* bit 0 SCU, bit 1 SCP */
    char *ae[2][WS_NET_INV_MAX_AE]; /* [0] as SCU (calling), [1] as SCP (called) */
    size_t n_ae[2];
    char *sop[WS_NET_INV_MAX_SOP];
    size_t n_sop;
    uint32_t mods;
    char *impl_uid, *impl_ver;
    uint32_t assoc_requested, assoc_accepted, assoc_rejected;
};

struct net_inv {
    struct inv_host *hosts;
    size_t n, cap;
    uint32_t slot[NSLOTS]; /* index + 1, 0 empty */
    int full_reported;
};

static uint32_t ip_hash(const char *ip)
{
    uint32_t h = 2166136261u;
    for (const char *p = ip; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return h;
}

static struct inv_host *lookup(const struct net_inv *v, const char *ip)
{
    if (!v || !ip)
        return NULL;
    uint32_t i = ip_hash(ip) & (NSLOTS - 1);
    for (size_t probe = 0; probe < NSLOTS; probe++, i = (i + 1) & (NSLOTS - 1)) {
        uint32_t s = v->slot[i];
        if (s == 0)
            return NULL;
        if (!strcmp(v->hosts[s - 1].ip, ip))
            return &v->hosts[s - 1];
    }
    return NULL;
}

static struct inv_host *host_get(struct net_ctx *c, const char *ip)
{
    if (!ip || !ip[0] || strlen(ip) >= sizeof c->inv->hosts[0].ip)
        return NULL;
    if (!c->inv) {
        if (!net_charge(c, sizeof *c->inv))
            return NULL;
        c->inv = ws_calloc(1, sizeof *c->inv);
        if (!c->inv) {
            net_uncharge(c, sizeof *c->inv);
            return NULL;
        }
    }
    struct net_inv *v = c->inv;
    struct inv_host *h = lookup(v, ip);
    if (h)
        return h;
    if (v->n >= WS_NET_MAX_HOSTS) {
        if (!v->full_reported) {
            v->full_reported = 1;
            net_report(c, 1, "net.inventory.full", WS_E_TOO_LARGE, NULL,
                       "host inventory holds %u hosts; further hosts are not listed",
                       (unsigned)WS_NET_MAX_HOSTS);
        }
        return NULL;
    }
    if (net_table_room(c, (void **)&v->hosts, &v->cap, v->n, sizeof *v->hosts, WS_NET_MAX_HOSTS) !=
        WS_OK)
        return NULL;
    h = &v->hosts[v->n];
    memset(h, 0, sizeof *h);
    memcpy(h->ip, ip, strlen(ip) + 1);
    uint32_t i = ip_hash(ip) & (NSLOTS - 1);
    for (size_t probe = 0; probe < NSLOTS && v->slot[i]; probe++)
        i = (i + 1) & (NSLOTS - 1);
    if (WS_NEVER(v->slot[i] != 0))
        return NULL;
    v->slot[i] = (uint32_t)(++v->n);
    return h;
}

/* A copy of at most WS_NET_INV_MAX_TEXT bytes of s, charged. */
static char *text_dup(struct net_ctx *c, const char *s)
{
    if (!s || !s[0])
        return NULL;
    size_t n = strlen(s);
    if (n > WS_NET_INV_MAX_TEXT)
        n = WS_NET_INV_MAX_TEXT;
    if (!net_charge(c, n + 1))
        return NULL;
    char *d = ws_malloc(n + 1);
    if (!d) {
        net_uncharge(c, n + 1);
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void set_once(struct net_ctx *c, char **dst, const char *s)
{
    if (!*dst)
        *dst = text_dup(c, s);
}

/* Add s to a capped set of strings. */
static void set_add(struct net_ctx *c, char **set, size_t *n, size_t max, const char *s)
{
    if (!s || !s[0])
        return;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(set[i], s))
            return;
    if (*n >= max)
        return;
    char *d = text_dup(c, s);
    if (d)
        set[(*n)++] = d;
}

/* ---- facts ---- */

unsigned net_smb2_dialect_bit(uint16_t d)
{
    switch (d) {
    case 0x0202:
        return NET_SMB_D_2002;
    case 0x02ff:
        return NET_SMB_D_2WILD;
    case 0x0210:
        return NET_SMB_D_210;
    case 0x0300:
        return NET_SMB_D_300;
    case 0x0302:
        return NET_SMB_D_302;
    case 0x0311:
        return NET_SMB_D_311;
    default:
        return NET_SMB_D_OTHER;
    }
}

void net_inv_smb_dialects(struct net_ctx *c, const char *ip, int server, unsigned bits)
{
    struct inv_host *h = bits ? host_get(c, ip) : NULL;
    if (!h)
        return;
    if (server)
        h->smb_accepted |= bits;
    else
        h->smb_offered |= bits;
}

void net_inv_smb1_only(struct net_ctx *c, const char *ip, int client)
{
    struct inv_host *h = host_get(c, ip);
    if (h)
        h->smb1_only |= client ? 1 : 2;
}

void net_inv_smb_os(struct net_ctx *c, const char *ip, const char *os, const char *lanman)
{
    if ((!os || !os[0]) && (!lanman || !lanman[0]))
        return;
    struct inv_host *h = host_get(c, ip);
    if (!h)
        return;
    set_once(c, &h->os, os);
    set_once(c, &h->lanman, lanman);
}

/*
 * MS-SMB2 2.2.3 NEGOTIATE request: StructureSize 2 (36) | DialectCount 2 |
 *   SecurityMode 2 | Reserved 2 | Capabilities 4 | ClientGuid 16 |
 *   NegotiateContextOffset/ClientStartTime 8 | Dialects 2 x DialectCount
 * MS-SMB2 2.2.4 NEGOTIATE response: StructureSize 2 (65) | SecurityMode 2 |
 *   DialectRevision 2 ...
 * The body follows the 64-byte header.
 */
void net_inv_smb2_negotiate(struct net_ctx *c, const struct net_ends *e, int resp, const uint8_t *p,
                            size_t n)
{
    struct ws_cur m, b;
    ws_cur_init(&m, p, n);
    uint16_t size, count, d;
    if (ws_cur_window(&m, 64, n < 64 ? 0 : n - 64, &b) || ws_cur_le16(&b, &size))
        return;
    if (resp) {
        if (ws_cur_skip(&b, 2) || ws_cur_le16(&b, &d))
            return;
        net_inv_smb_dialects(c, e->srv_ip, 1, net_smb2_dialect_bit(d));
        return;
    }
    if (ws_cur_le16(&b, &count) || ws_cur_skip(&b, 32))
        return;
    unsigned bits = 0;
    /* DialectCount is 16 bits; each pass consumes two bytes */
    for (unsigned i = 0; i < count && ws_cur_le16(&b, &d) == WS_OK; i++)
        bits |= net_smb2_dialect_bit(d);
    net_inv_smb_dialects(c, e->cli_ip, 0, bits);
}

void net_inv_dicom(struct net_ctx *c, const char *ip, int scp, int accepted, const char *ae,
                   uint32_t mods, const char *const *sops, size_t nsops, const char *impl_uid,
                   const char *impl_ver)
{
    struct inv_host *h = host_get(c, ip);
    if (!h)
        return;
    int r = scp ? 1 : 0;
    h->dicom |= 1 << r;
    set_add(c, h->ae[r], &h->n_ae[r], WS_NET_INV_MAX_AE, ae);
    h->mods |= mods;
    for (size_t i = 0; i < nsops; i++)
        set_add(c, h->sop, &h->n_sop, WS_NET_INV_MAX_SOP, sops[i]);
    set_once(c, &h->impl_uid, impl_uid);
    set_once(c, &h->impl_ver, impl_ver);
    if (!scp)
        h->assoc_requested++;
    else if (accepted)
        h->assoc_accepted++;
    else
        h->assoc_rejected++;
}

/* ---- reading the facts ---- */

static int has(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* "xp", "2003", ... or NULL (see the table at the top). */
static const char *host_era(const struct inv_host *h)
{
    if (h->os) {
        if (has(h->os, "Windows 5.1") || has(h->os, "Windows XP"))
            return "xp";
        if (has(h->os, "Windows 5.2") || has(h->os, "Server 2003") || has(h->os, "Windows .NET"))
            return "2003";
        if (has(h->os, "Windows 5.0") || has(h->os, "Windows 2000"))
            return "2000";
        if (has(h->os, "Windows 4.0") || has(h->os, "NT 4.0"))
            return "nt4";
    }
    return h->smb1_only ? "xp" : NULL;
}

static const char *era_words(const char *era)
{
    if (!strcmp(era, "xp"))
        return "XP-era";
    if (!strcmp(era, "2003"))
        return "Server 2003-era";
    if (!strcmp(era, "2000"))
        return "Windows 2000-era";
    return "NT4-era";
}

static const char *dicom_role(int d)
{
    return d == 3 ? "scp,scu" : d == 2 ? "scp" : d == 1 ? "scu" : NULL;
}

/* "imaging workstation, XP-era", "XP-era host", ... into out; 0 if nothing. */
static int phrase(const struct inv_host *h, char *out, size_t cap)
{
    const char *era = host_era(h);
    if (h->dicom && era)
        snprintf(out, cap, "imaging workstation, %s", era_words(era));
    else if (h->dicom)
        snprintf(out, cap, "imaging workstation");
    else if (era)
        snprintf(out, cap, "%s host", era_words(era));
    else
        return 0;
    return 1;
}

static void join(char *const *set, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "", set[i]);
}

static void dialect_text(unsigned bits, char *out, size_t cap)
{
    static const char *const names[] = {"SMB1", "2.0.2", "2.???", "2.1",
                                        "3.0",  "3.0.2", "3.1.1", "other"};
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < 8 && o < cap; i++)
        if (bits & (1u << i))
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", names[i]);
}

static void push_s(struct ws_kv *kv, size_t *n, size_t cap, const char *key, const char *v)
{
    if (v && v[0] && *n < cap)
        kv[(*n)++] = (struct ws_kv){.key = key, .type = WS_KV_STR, .val = v, .len = strlen(v)};
}

static void push_i(struct ws_kv *kv, size_t *n, size_t cap, const char *key, int64_t v)
{
    if (*n < cap)
        kv[(*n)++] = (struct ws_kv){.key = key, .type = WS_KV_INT, .num = v};
}

static int notable(const struct inv_host *h)
{
    return h->dicom || h->smb1_only || (h->smb_accepted & NET_SMB_D_SMB1) || host_era(h);
}

int net_inv_annotate(const struct net_ctx *c, const char *cli, const char *srv, struct ws_kv *kv,
                     size_t *n, size_t cap, char *msg, size_t msgcap)
{
    static const char *const keys[2][4] = {{"wormsign.client.role", "wormsign.client.era",
                                            "wormsign.client.os", "wormsign.client.dicom.ae_title"},
                                           {"wormsign.server.role", "wormsign.server.era",
                                            "wormsign.server.os",
                                            "wormsign.server.dicom.ae_title"}};
    const char *ips[2] = {cli, srv};
    int added = 0;
    for (int side = 1; side >= 0; side--) {
        if (side == 0 && cli && srv && !strcmp(cli, srv))
            continue;
        const struct inv_host *h = lookup(c->inv, ips[side]);
        char words[96];
        if (!h || !phrase(h, words, sizeof words))
            continue;
        push_s(kv, n, cap, keys[side][0], h->dicom ? "imaging" : "host");
        push_s(kv, n, cap, keys[side][1], host_era(h));
        push_s(kv, n, cap, keys[side][2], h->os);
        if (h->n_ae[1] || h->n_ae[0])
            push_s(kv, n, cap, keys[side][3], h->n_ae[1] ? h->ae[1][0] : h->ae[0][0]);
        size_t o = strlen(msg);
        if (o + 1 < msgcap)
            snprintf(msg + o, msgcap - o, " (%s %s: %s)", side ? "server" : "client", h->ip, words);
        added = 1;
    }
    return added;
}

void net_inv_emit(struct net_ctx *c)
{
    const struct net_inv *v = c->inv;
    if (!v)
        return;
    for (size_t i = 0; i < v->n && !c->stop; i++) {
        const struct inv_host *h = &v->hosts[i];
        if (!notable(h))
            continue;
        char offered[64], accepted[64], scp[WS_NET_INV_MAX_AE * 18], scu[WS_NET_INV_MAX_AE * 18];
        char mods[160], sops[WS_NET_INV_MAX_SOP * 66], words[96], msg[1024];
        struct ws_kv kv[32];
        size_t n = 0;
        dialect_text(h->smb_offered, offered, sizeof offered);
        dialect_text(h->smb_accepted, accepted, sizeof accepted);
        join(h->ae[1], h->n_ae[1], scp, sizeof scp);
        join(h->ae[0], h->n_ae[0], scu, sizeof scu);
        join(h->sop, h->n_sop, sops, sizeof sops);
        dicom_modality_text(h->mods, mods, sizeof mods);
        const char *era = host_era(h);
        const char *s1 = h->smb1_only == 3   ? "client,server"
                         : h->smb1_only == 2 ? "server"
                         : h->smb1_only == 1 ? "client"
                                             : NULL;
        push_s(kv, &n, 32, "host.ip", h->ip);
        push_s(kv, &n, 32, "event.action", "host-inventory");
        push_s(kv, &n, 32, "wormsign.host.role", h->dicom ? "imaging" : NULL);
        push_s(kv, &n, 32, "wormsign.host.era", era);
        push_s(kv, &n, 32, "wormsign.host.os", h->os);
        push_s(kv, &n, 32, "wormsign.host.lanman", h->lanman);
        push_s(kv, &n, 32, "wormsign.host.smb.dialects_offered", offered);
        push_s(kv, &n, 32, "wormsign.host.smb.dialects_accepted", accepted);
        push_s(kv, &n, 32, "wormsign.host.smb.smb1_only", s1);
        push_s(kv, &n, 32, "wormsign.host.dicom.role", dicom_role(h->dicom));
        push_s(kv, &n, 32, "wormsign.host.dicom.scp_ae_titles", scp);
        push_s(kv, &n, 32, "wormsign.host.dicom.scu_ae_titles", scu);
        push_s(kv, &n, 32, "wormsign.host.dicom.modalities", mods);
        push_s(kv, &n, 32, "wormsign.host.dicom.sop_classes", sops);
        push_s(kv, &n, 32, "wormsign.host.dicom.implementation_class_uid", h->impl_uid);
        push_s(kv, &n, 32, "wormsign.host.dicom.implementation_version", h->impl_ver);
        if (h->dicom & 1)
            push_i(kv, &n, 32, "wormsign.host.dicom.associations_requested", h->assoc_requested);
        if (h->dicom & 2) {
            push_i(kv, &n, 32, "wormsign.host.dicom.associations_accepted", h->assoc_accepted);
            push_i(kv, &n, 32, "wormsign.host.dicom.associations_rejected", h->assoc_rejected);
        }
        if (!phrase(h, words, sizeof words))
            snprintf(words, sizeof words, "%s", "SMB1 server");
        size_t o = (size_t)snprintf(msg, sizeof msg, "%s: %s", h->ip, words);
        if (h->dicom & 2 && o < sizeof msg)
            o += (size_t)snprintf(msg + o, sizeof msg - o, "; DICOM SCP %s", scp);
        if (h->dicom & 1 && o < sizeof msg)
            o += (size_t)snprintf(msg + o, sizeof msg - o, "; DICOM SCU %s", scu);
        if (mods[0] && o < sizeof msg)
            o += (size_t)snprintf(msg + o, sizeof msg - o, " (%s)", mods);
        if (s1 && o < sizeof msg)
            o += (size_t)snprintf(msg + o, sizeof msg - o, "; speaks only SMB1 (%s)", s1);
        if (h->os && o < sizeof msg)
            snprintf(msg + o, sizeof msg - o, "; NativeOS \"%s\"", h->os);
        struct ws_finding f;
        net_finding_init(c, &f, WS_FINDING_INFO);
        f.host = h->ip; /* host.name: the host described, not the analysing one */
        f.rule_id = "net.inventory.host";
        f.rule_name = "Host inventory";
        f.description = "What the capture shows about a host: SMB dialects and OS strings, "
                        "DICOM roles, AE titles and modalities (Kwampirs targets imaging "
                        "equipment and the old Windows beside it).";
        f.severity = 20;
        f.message = msg;
        f.fields = kv;
        f.n_fields = n;
        if (c->opts->emit(c->opts->emit_user, &f) != 0)
            c->stop = 1;
    }
}

void net_inv_free(struct net_ctx *c)
{
    struct net_inv *v = c->inv;
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        struct inv_host *h = &v->hosts[i];
        ws_free(h->os);
        ws_free(h->lanman);
        ws_free(h->impl_uid);
        ws_free(h->impl_ver);
        for (int r = 0; r < 2; r++)
            for (size_t j = 0; j < h->n_ae[r]; j++)
                ws_free(h->ae[r][j]);
        for (size_t j = 0; j < h->n_sop; j++)
            ws_free(h->sop[j]);
    }
    ws_free(v->hosts);
    ws_free(v);
    c->inv = NULL;
}

/*
 * hive.c - walk the few keys of an offline registry hive that carry
 * Kwampirs and lateral-movement traces, through libregf, and turn what
 * hive_rules.c says into findings.
 *
 * Walk (no recursion; the depth is fixed by the key paths below):
 *
 *   root -> every subkey named ControlSetNNN or CurrentControlSet
 *        -> its Services subkey -> every service key
 *           -> values Type, Start, ImagePath, DisplayName, ObjectName
 *           -> Parameters\ServiceDll
 *   root -> [Software\][Wow6432Node\]Microsoft\Windows\CurrentVersion
 *        -> Run, RunOnce, RunServices, RunServicesOnce, Policies\Explorer\Run
 *           -> every value
 *
 * Names are compared ASCII-case-insensitively by enumerating subkeys (the
 * regipy SYSTEM hive spells "services" in lower case). Every enumeration is
 * bounded by a cap of src/core/limits.h. libregf reads the file lazily, so
 * memory does not grow with the hive; only the values we look at are copied,
 * each bounded by WS_MAX_HIVE_STRING.
 *
 * Errors: the base block is checked here first (signature, declared size
 * against the file size) so that a truncated hive is told apart from a
 * corrupt one; then every libregf failure becomes an ERROR finding with
 * libregf's backtrace text, and the walk goes on with the next key. Only
 * an allocation failure or the consumer's request to stop ends the scan
 * early.
 */
#include "core/compat.h"

#include "core/lsan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libregf.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/cur.h"
#include "core/limits.h"
#include "hive/hive_internal.h"
#include "source/source.h"
#include "hive/hive_rules.h"
#include "hive/regf_check.h"
#include "wormsign/hive.h"

#define REGF_BASE_BLOCK 4096u

static const char ruleset[] = "hive";
static const char pack_name[] = "kwampirs (built-in)";

/* ---- scan state (one per call; nothing global) ---- */

struct scan {
    const char *path; /* hive label for findings (borrowed) */
    ws_emit_fn emit;
    void *user;
    struct ws_hive_stats st;  /* this call's counts */
    int stop;                 /* consumer asked to stop */
    ws_status fatal;          /* NOMEM: abandon the walk */
    int abandoned;            /* over the time budget: stop walking, report what was found */
    struct timespec deadline; /* WS_MAX_HIVE_SECONDS after the scan began */
    unsigned control_sets, run_keys;
    uint32_t current; /* Select\Current: the control set in use */
    int has_current;
    struct ws_buf host; /* ComputerName of a SYSTEM hive: host.name */
    struct ws_buf bin;  /* pre-pass bin and staging chunk */
    struct ws_buf tmp, name, data, raw, key, reg, reasons, errtext;
    struct ws_buf svc_image, svc_display, svc_account, svc_dll;
};

static void scan_init(struct scan *sc, const char *path, ws_emit_fn emit, void *user,
                      unsigned seconds)
{
    memset(sc, 0, sizeof *sc);
    clock_gettime(CLOCK_MONOTONIC, &sc->deadline);
    sc->deadline.tv_sec += (time_t)seconds;
    sc->path = path;
    sc->emit = emit;
    sc->user = user;
    ws_buf_init(&sc->host, 2 * WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->bin, WS_MAX_HIVE_BIN + 1);
    ws_buf_init(&sc->tmp, WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->name, WS_MAX_HIVE_NAME + 1);
    ws_buf_init(&sc->data, 2 * WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->raw, WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->key, WS_MAX_PATH);
    ws_buf_init(&sc->reg, WS_MAX_PATH + WS_MAX_HIVE_NAME);
    ws_buf_init(&sc->reasons, 256);
    ws_buf_init(&sc->errtext, WS_MAX_HIVE_ERROR_TEXT + 256);
    ws_buf_init(&sc->svc_image, 2 * WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->svc_display, 2 * WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->svc_account, 2 * WS_MAX_HIVE_STRING + 1);
    ws_buf_init(&sc->svc_dll, 2 * WS_MAX_HIVE_STRING + 1);
}

static void scan_release(struct scan *sc)
{
    struct ws_buf *all[] = {&sc->host,        &sc->bin,     &sc->tmp,       &sc->name,
                            &sc->data,        &sc->raw,     &sc->key,       &sc->reg,
                            &sc->reasons,     &sc->errtext, &sc->svc_image, &sc->svc_display,
                            &sc->svc_account, &sc->svc_dll};
    for (size_t i = 0; i < WS_ARRAY_LEN(all); i++)
        ws_buf_release(all[i]);
}

/* Keep the first fatal status; tell the caller whether to go on. */
static int failed(struct scan *sc, ws_status st)
{
    if (st == WS_E_NOMEM && sc->fatal == WS_OK)
        sc->fatal = st;
    return sc->fatal != WS_OK || sc->stop;
}

static void send(struct scan *sc, struct ws_finding *f)
{
    if (sc->stop)
        return;
    f->ruleset = ruleset;
    f->source = "hive";
    if (sc->host.len)
        f->host = sc->host.data;
    f->path = sc->path;
    f->path_len = strlen(sc->path);
    if (f->kind == WS_FINDING_ALERT)
        sc->st.alerts++;
    else if (f->kind == WS_FINDING_ERROR)
        sc->st.errors++;
    if (sc->emit(sc->user, f) != 0)
        sc->stop = 1;
}

/* Go on walking? No once the consumer stopped us, memory ran out, or the
 * time budget is spent (libregf can take seconds per crafted key; the
 * budget bounds a hostile hive's cost whatever the cause). */
static int going(struct scan *sc)
{
    if (sc->stop || sc->fatal != WS_OK || sc->abandoned)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < sc->deadline.tv_sec ||
        (now.tv_sec == sc->deadline.tv_sec && now.tv_nsec < sc->deadline.tv_nsec))
        return 1;
    sc->abandoned = 1;
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_ERROR);
    f.rule_id = "hive.error";
    f.rule_name = "Registry hive unreadable or damaged";
    f.error_code = WS_E_TOO_LARGE;
    f.message = "the hive took longer than WS_MAX_HIVE_SECONDS to read (crafted or badly damaged); "
                "the rest was not examined";
    send(sc, &f);
    return 0;
}

static struct ws_kv kv_str(const char *key, const char *val, size_t len)
{
    struct ws_kv kv = {key, WS_KV_STR, val, len, 0};
    return kv;
}

static struct ws_kv kv_bool(const char *key, int b)
{
    struct ws_kv kv = {key, WS_KV_BOOL, NULL, 0, b != 0};
    return kv;
}

static struct ws_kv kv_int(const char *key, int64_t num)
{
    struct ws_kv kv = {key, WS_KV_INT, NULL, 0, num};
    return kv;
}

/* libregf's error backtrace, one line per frame joined by "; ", into errtext
 * after what (our words). Frees *e. */
static void take_error(struct scan *sc, libregf_error_t **e, const char *what)
{
    char text[WS_MAX_HIVE_ERROR_TEXT];
    text[0] = '\0';
    if (e && *e) {
        if (libregf_error_backtrace_sprint(*e, text, sizeof text) < 0)
            text[0] = '\0';
        libregf_error_free(e);
    }
    text[sizeof text - 1] = '\0';
    ws_buf_reset(&sc->errtext);
    ws_status st = ws_buf_adds(&sc->errtext, what);
    if (st == WS_OK && text[0])
        st = ws_buf_adds(&sc->errtext, ": libregf: ");
    for (size_t i = 0; st == WS_OK && text[i]; i++) {
        if (text[i] == '\n') {
            if (text[i + 1])
                st = ws_buf_adds(&sc->errtext, "; ");
        } else {
            st = ws_buf_addc(&sc->errtext, text[i]);
        }
    }
    (void)failed(sc, st);
}

/* Send an ERROR finding: code, message in errtext, optional registry.key. */
static void send_error(struct scan *sc, ws_status code, const char *key, size_t key_len)
{
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_ERROR);
    f.rule_id = "hive.error";
    f.rule_name = "Registry hive unreadable or damaged";
    f.error_code = code;
    f.message = sc->errtext.data;
    struct ws_kv fields[1];
    if (key && key_len) {
        fields[0] = kv_str("registry.key", key, key_len);
        f.fields = fields;
        f.n_fields = 1;
    }
    send(sc, &f);
}

static void lib_error(struct scan *sc, libregf_error_t **e, const char *what, const char *key,
                      size_t key_len)
{
    take_error(sc, e, what);
    send_error(sc, WS_E_CORRUPT, key, key_len);
}

/* Clamp an input-supplied count to its cap; past the cap, report what is
 * left unexamined (a too_large error at key) instead of dropping it. */
static int capped(struct scan *sc, int n, int cap, const char *what, const char *key,
                  size_t key_len)
{
    if (n <= cap)
        return n;
    char msg[160];
    snprintf(msg, sizeof msg, "%d %s, more than the cap of %d; the rest not examined", n, what,
             cap);
    take_error(sc, NULL, msg);
    send_error(sc, WS_E_TOO_LARGE, key, key_len);
    return cap;
}

/* ---- reading names and values ---- */

/* Key name as UTF-8 into out (reset first). -1 on a libregf error (taken into
 * errtext), -2 if out of memory or over the cap. */
static int key_name(struct scan *sc, libregf_key_t *k, struct ws_buf *out)
{
    libregf_error_t *e = NULL;
    size_t n = 0;
    char *p;
    ws_buf_reset(out);
    if (libregf_key_get_utf8_name_size(k, &n, &e) != 1 || n == 0 || n > WS_MAX_HIVE_NAME) {
        take_error(sc, &e, "cannot read a key name");
        return -1;
    }
    ws_status st = ws_buf_reserve(out, n, &p);
    if (st != WS_OK) {
        (void)failed(sc, st);
        return -2;
    }
    if (libregf_key_get_utf8_name(k, (uint8_t *)p, n, &e) != 1) {
        take_error(sc, &e, "cannot read a key name");
        return -1;
    }
    out->len = strnlen(p, n);
    out->data[out->len] = '\0';
    return 0;
}

static int value_name(struct scan *sc, libregf_value_t *v, struct ws_buf *out)
{
    libregf_error_t *e = NULL;
    size_t n = 0;
    char *p;
    ws_buf_reset(out);
    if (libregf_value_get_utf8_name_size(v, &n, &e) != 1 || n > WS_MAX_HIVE_NAME) {
        take_error(sc, &e, "cannot read a value name");
        return -1;
    }
    if (n == 0)
        return 0; /* the default value */
    ws_status st = ws_buf_reserve(out, n, &p);
    if (st != WS_OK) {
        (void)failed(sc, st);
        return -2;
    }
    if (libregf_value_get_utf8_name(v, (uint8_t *)p, n, &e) != 1) {
        take_error(sc, &e, "cannot read a value name");
        return -1;
    }
    out->len = strnlen(p, n);
    out->data[out->len] = '\0';
    return 0;
}

/* A string value (REG_SZ, REG_EXPAND_SZ, first string of REG_MULTI_SZ)
 * decoded from UTF-16LE into out. 1 done, 0 not a string, -1 libregf error
 * (in errtext), -2 out of memory, -3 over WS_MAX_HIVE_STRING (in errtext). */
static int value_string(struct scan *sc, libregf_value_t *v, struct ws_buf *out)
{
    libregf_error_t *e = NULL;
    uint32_t type = 0;
    size_t n = 0;
    char *p;
    ws_buf_reset(out);
    if (libregf_value_get_value_type(v, &type, &e) != 1) {
        take_error(sc, &e, "cannot read a value type");
        return -1;
    }
    if (type != LIBREGF_VALUE_TYPE_STRING && type != LIBREGF_VALUE_TYPE_EXPANDABLE_STRING &&
        type != LIBREGF_VALUE_TYPE_MULTI_VALUE_STRING)
        return 0;
    if (libregf_value_get_value_data_size(v, &n, &e) != 1) {
        take_error(sc, &e, "cannot read value data");
        return -1;
    }
    if (n > WS_MAX_HIVE_STRING) {
        take_error(sc, NULL, "string value larger than WS_MAX_HIVE_STRING, not examined");
        return -3;
    }
    if (n == 0)
        return 1;
    ws_buf_reset(&sc->raw);
    ws_status st = ws_buf_reserve(&sc->raw, n, &p);
    if (st != WS_OK) {
        (void)failed(sc, st);
        return -2;
    }
    if (libregf_value_get_value_data(v, (uint8_t *)p, n, &e) != 1) {
        take_error(sc, &e, "cannot read value data");
        return -1;
    }
    st = ws_hive_utf16_to_utf8((const uint8_t *)p, n, out);
    if (st != WS_OK) {
        (void)failed(sc, st);
        return -2;
    }
    return 1;
}

/* Open the subkey of k named name (case-insensitive). 1 found (*out owned:
 * libregf_key_free), 0 absent, -1 error (already reported). The found name,
 * as the hive spells it, is appended to path after a backslash. */
static int open_child(struct scan *sc, libregf_key_t *k, const char *name, struct ws_buf *path,
                      libregf_key_t **out)
{
    libregf_error_t *e = NULL;
    int n = 0;
    if (libregf_key_get_number_of_sub_keys(k, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count subkeys", path->data, path->len);
        return -1;
    }
    n = capped(sc, n, WS_MAX_HIVE_SUBKEYS, "subkeys", path->data, path->len);
    size_t want = strlen(name);
    for (int i = 0; i < n && going(sc); i++) {
        libregf_key_t *c = NULL;
        if (libregf_key_get_sub_key(k, i, &c, &e) != 1) {
            lib_error(sc, &e, "cannot read a subkey", path->data, path->len);
            continue;
        }
        int r = key_name(sc, c, &sc->name);
        if (r == -1)
            send_error(sc, WS_E_CORRUPT, path->data, path->len);
        if (r == 0 && sc->name.len == want && strncasecmp(sc->name.data, name, want) == 0) {
            ws_status st = path->len ? ws_buf_addc(path, '\\') : WS_OK;
            if (st == WS_OK)
                st = ws_buf_add(path, sc->name.data, sc->name.len);
            if (st != WS_OK) {
                libregf_key_free(&c, NULL);
                (void)failed(sc, st);
                return -1;
            }
            *out = c;
            return 1;
        }
        libregf_key_free(&c, NULL);
    }
    return 0;
}

/* ISO 8601 UTC of a Unix time into buf (>= 21 bytes). */
static void iso_time(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t == WS_TIME_UNKNOWN || !gmtime_r(&tt, &tm) ||
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "unknown");
}

/* ---- services ---- */

/* registry.path = hive\key\value into sc->reg. */
static ws_status reg_path(struct scan *sc, const char *hive, const char *value)
{
    ws_buf_reset(&sc->reg);
    ws_status st = ws_buf_adds(&sc->reg, hive);
    if (st == WS_OK)
        st = ws_buf_addc(&sc->reg, '\\');
    if (st == WS_OK)
        st = ws_buf_add(&sc->reg, sc->key.data, sc->key.len);
    if (st == WS_OK && value) {
        st = ws_buf_addc(&sc->reg, '\\');
        if (st == WS_OK)
            st = ws_buf_adds(&sc->reg, value);
    }
    return st;
}

struct svc {
    const char *name; /* key name */
    size_t name_len;
    const char *control_set;
    uint32_t type, start;
    int has_type, has_start;
    int64_t written;
};

/* N of "ControlSetNNN" (is_control_set() checked the digits); 0 otherwise. */
static uint32_t cs_number(const char *name)
{
    if (strlen(name) != 13)
        return 0;
    return (uint32_t)((name[10] - '0') * 100 + (name[11] - '0') * 10 + (name[12] - '0'));
}

static void send_service(struct scan *sc, const struct svc *s, unsigned kw, unsigned lm)
{
    char when[32];
    iso_time(s->written, when, sizeof when);
    ws_status st = reg_path(sc, "HKLM", sc->svc_image.len ? "ImagePath" : NULL);
    if (failed(sc, st))
        return;
    ws_buf_reset(&sc->reasons);
    st = kw ? ws_hive_kw_names(kw, &sc->reasons) : ws_hive_lm_names(lm, &sc->reasons);
    if (failed(sc, st))
        return;

    struct ws_kv fields[5];
    size_t nf = 0;
    fields[nf++] = kv_str("registry.hive", "HKLM", 4);
    fields[nf++] = kv_str("registry.key", sc->key.data, sc->key.len);
    fields[nf++] = kv_str("registry.path", sc->reg.data, sc->reg.len);
    if (sc->svc_image.len) {
        fields[nf++] = kv_str("registry.value", "ImagePath", 9);
        fields[nf++] = kv_str("registry.data.strings", sc->svc_image.data, sc->svc_image.len);
    }
    struct ws_kv ev[13];
    size_t ne = 0;
    ev[ne++] = kv_str(kw ? "indicators" : "reasons", sc->reasons.data, sc->reasons.len);
    ev[ne++] = kv_str("service_name", s->name, s->name_len);
    ev[ne++] = kv_str("display_name", sc->svc_display.data, sc->svc_display.len);
    ev[ne++] = kv_str("image_path", sc->svc_image.data, sc->svc_image.len);
    if (sc->svc_dll.len)
        ev[ne++] = kv_str("service_dll", sc->svc_dll.data, sc->svc_dll.len);
    if (s->has_start) {
        const char *sn = ws_hive_start_name(s->start);
        ev[ne++] = kv_str("start_type", sn, strlen(sn));
        ev[ne++] = kv_int("start", s->start);
    }
    if (s->has_type)
        ev[ne++] = kv_int("service_type", s->type);
    ev[ne++] = kv_str("account", sc->svc_account.data, sc->svc_account.len);
    ev[ne++] = kv_str("key_last_written", when, strlen(when));
    ev[ne++] = kv_str("control_set", s->control_set, strlen(s->control_set));
    if (sc->has_current)
        ev[ne++] = kv_bool("current_control_set", cs_number(s->control_set) == sc->current);

    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_ALERT);
    if (kw) {
        f.rule_id = "hive.kwampirs.service";
        f.rule_name = "Kwampirs service WmiApSrvEx";
        f.description = "A service carries the Kwampirs persistence indicators: the name "
                        "WmiApSrvEx, the display name 'WMI Performance Adapter Extension', an "
                        "image path with 'ControlTrace -Embedding -k', or a Kwampirs file name";
        f.reference = "https://attack.mitre.org/software/S0236/ ; Greenbone "
                      "gb_orangeworm_kwampirs_trojan_detect.nasl";
        f.severity = ws_hive_kwampirs_severity(kw);
        f.message = "Kwampirs service indicators in a control set";
    } else {
        f.rule_id = "hive.service.lateral_image";
        f.rule_name = "Service image typical of remote service creation";
        f.description = "A service runs a binary dropped directly in the Windows folder, in a "
                        "Temp folder or on a share, or runs cmd /c, PowerShell or rundll32 "
                        "with a DLL from such a place, as PsExec's PSEXESVC and other "
                        "lateral-movement tools leave behind";
        f.reference = "https://attack.mitre.org/techniques/T1569/002/ ; "
                      "https://attack.mitre.org/techniques/T1021/002/";
        f.severity = 50;
        f.message = "service image path points where remote-execution tools drop binaries";
    }
    f.pack = pack_name;
    f.mtime = s->written;
    f.fields = fields;
    f.n_fields = nf;
    f.evidence = ev;
    f.n_evidence = ne;
    send(sc, &f);
}

/* Read the values of one service key that the rules need. */
static void read_service_values(struct scan *sc, libregf_key_t *k, struct svc *s)
{
    libregf_error_t *e = NULL;
    int n = 0;
    if (libregf_key_get_number_of_values(k, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count the values of a service key", sc->key.data, sc->key.len);
        return;
    }
    n = capped(sc, n, WS_MAX_HIVE_VALUES, "values", sc->key.data, sc->key.len);
    for (int i = 0; i < n && going(sc); i++) {
        libregf_value_t *v = NULL;
        if (libregf_key_get_value(k, i, &v, &e) != 1) {
            lib_error(sc, &e, "cannot read a value of a service key", sc->key.data, sc->key.len);
            continue;
        }
        int r = value_name(sc, v, &sc->name);
        struct ws_buf *dst = NULL;
        uint32_t *num = NULL;
        int *has = NULL;
        if (r == 0) {
            const char *nm = sc->name.data;
            if (strcasecmp(nm, "ImagePath") == 0)
                dst = &sc->svc_image;
            else if (strcasecmp(nm, "DisplayName") == 0)
                dst = &sc->svc_display;
            else if (strcasecmp(nm, "ObjectName") == 0)
                dst = &sc->svc_account;
            else if (strcasecmp(nm, "Start") == 0)
                num = &s->start, has = &s->has_start;
            else if (strcasecmp(nm, "Type") == 0)
                num = &s->type, has = &s->has_type;
        }
        if (r == -1)
            send_error(sc, WS_E_CORRUPT, sc->key.data, sc->key.len);
        int vr = dst ? value_string(sc, v, dst) : 0;
        if (vr == -1 || vr == -3)
            send_error(sc, vr == -3 ? WS_E_TOO_LARGE : WS_E_CORRUPT, sc->key.data, sc->key.len);
        if (num) {
            uint32_t type = 0;
            if (libregf_value_get_value_type(v, &type, &e) == 1 &&
                type == LIBREGF_VALUE_TYPE_INTEGER_32BIT_LITTLE_ENDIAN &&
                libregf_value_get_value_32bit(v, num, &e) == 1)
                *has = 1;
            libregf_error_free(&e);
        }
        libregf_value_free(&v, NULL);
    }
}

/* Parameters\ServiceDll of a svchost-hosted service, into svc_dll. */
static void read_service_dll(struct scan *sc, libregf_key_t *k)
{
    libregf_key_t *p = NULL;
    size_t keep = sc->key.len;
    if (open_child(sc, k, "Parameters", &sc->key, &p) != 1)
        goto out;
    libregf_error_t *e = NULL;
    int n = 0;
    if (libregf_key_get_number_of_values(p, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count values", sc->key.data, sc->key.len);
        goto out;
    }
    n = capped(sc, n, WS_MAX_HIVE_VALUES, "values", sc->key.data, sc->key.len);
    for (int i = 0; i < n && going(sc); i++) {
        libregf_value_t *v = NULL;
        if (libregf_key_get_value(p, i, &v, &e) != 1) {
            lib_error(sc, &e, "cannot read a value", sc->key.data, sc->key.len);
            continue;
        }
        int vr = 0;
        if (value_name(sc, v, &sc->name) == 0 && strcasecmp(sc->name.data, "ServiceDll") == 0)
            vr = value_string(sc, v, &sc->svc_dll);
        if (vr == -1 || vr == -3)
            send_error(sc, vr == -3 ? WS_E_TOO_LARGE : WS_E_CORRUPT, sc->key.data, sc->key.len);
        libregf_value_free(&v, NULL);
    }
out:
    libregf_key_free(&p, NULL);
    ws_buf_truncate(&sc->key, keep);
}

static void scan_service(struct scan *sc, libregf_key_t *k, const char *control_set)
{
    struct svc s;
    memset(&s, 0, sizeof s);
    s.control_set = control_set;
    s.written = WS_TIME_UNKNOWN;
    ws_buf_reset(&sc->svc_image);
    ws_buf_reset(&sc->svc_display);
    ws_buf_reset(&sc->svc_account);
    ws_buf_reset(&sc->svc_dll);
    sc->st.services++;

    libregf_error_t *e = NULL;
    uint64_t ft = 0;
    if (libregf_key_get_last_written_time(k, &ft, &e) == 1)
        s.written = ws_hive_filetime_to_unix(ft);
    libregf_error_free(&e);

    read_service_values(sc, k, &s);
    if (!going(sc))
        return;
    read_service_dll(sc, k);
    if (!going(sc))
        return;

    /* the service name is the last component of sc->key */
    size_t i = sc->key.len;
    while (i > 0 && sc->key.data[i - 1] != '\\')
        i--;
    s.name = sc->key.data + i;
    s.name_len = sc->key.len - i;

    unsigned kw =
        ws_hive_kwampirs_service(s.name, s.name_len, sc->svc_display.data, sc->svc_display.len,
                                 sc->svc_image.data, sc->svc_image.len);
    if (sc->svc_dll.len && ws_hive_kwampirs_file(sc->svc_dll.data, sc->svc_dll.len))
        kw |= WS_HIVE_KW_FILE;
    unsigned lm = 0;
    if (sc->svc_image.len) {
        ws_status st = ws_hive_image_classify(sc->svc_image.data, sc->svc_image.len, &sc->tmp, &lm);
        if (failed(sc, st))
            return;
    }
    if (kw)
        send_service(sc, &s, kw, 0);
    if (lm)
        send_service(sc, &s, 0, lm);
}

static int is_control_set(const char *n, size_t len)
{
    if (len == 17 && strncasecmp(n, "CurrentControlSet", 17) == 0)
        return 1;
    if (len != 13 || strncasecmp(n, "ControlSet", 10) != 0)
        return 0;
    for (size_t i = 10; i < 13; i++)
        if (n[i] < '0' || n[i] > '9')
            return 0;
    return 1;
}

/* sc->key holds "SYSTEM\<control set>" on entry and on return. */
static void scan_control_set(struct scan *sc, libregf_key_t *cs, const char *cs_name)
{
    libregf_key_t *services = NULL;
    size_t keep = sc->key.len;
    sc->control_sets++;
    if (open_child(sc, cs, "Services", &sc->key, &services) != 1)
        goto out;
    libregf_error_t *e = NULL;
    int n = 0;
    if (libregf_key_get_number_of_sub_keys(services, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count services", sc->key.data, sc->key.len);
        goto out;
    }
    n = capped(sc, n, WS_MAX_HIVE_SUBKEYS, "services", sc->key.data, sc->key.len);
    size_t base = sc->key.len;
    for (int i = 0; i < n && going(sc); i++) {
        libregf_key_t *svc = NULL;
        if (libregf_key_get_sub_key(services, i, &svc, &e) != 1) {
            lib_error(sc, &e, "cannot read a service key", sc->key.data, sc->key.len);
            continue;
        }
        int r = key_name(sc, svc, &sc->name);
        if (r == -1)
            send_error(sc, WS_E_CORRUPT, sc->key.data, sc->key.len);
        if (r == 0) {
            ws_status st = ws_buf_addc(&sc->key, '\\');
            if (st == WS_OK)
                st = ws_buf_add(&sc->key, sc->name.data, sc->name.len);
            if (!failed(sc, st))
                scan_service(sc, svc, cs_name);
            ws_buf_truncate(&sc->key, base);
        }
        libregf_key_free(&svc, NULL);
    }
out:
    libregf_key_free(&services, NULL);
    ws_buf_truncate(&sc->key, keep);
}

/* ---- Run keys ---- */

/* Where a hive keeps CurrentVersion: a SOFTWARE hive at its root, a user
 * hive under Software; both with a 32-bit view under Wow6432Node. */
static const struct {
    const char *hive;  /* registry.hive */
    const char *mount; /* prefix of registry.key ("" for HKCU) */
    const char *path;  /* from the root of the hive file */
} run_bases[] = {
    {"HKLM", "SOFTWARE", "Microsoft\\Windows\\CurrentVersion"},
    {"HKLM", "SOFTWARE", "Wow6432Node\\Microsoft\\Windows\\CurrentVersion"},
    {"HKCU", "", "Software\\Microsoft\\Windows\\CurrentVersion"},
    {"HKCU", "", "Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion"},
};

static const char *const run_tails[] = {
    "Run", "RunOnce", "RunServices", "RunServicesOnce", "Policies\\Explorer\\Run",
};

/* Walk a backslash-separated path below k. 1 found (*out owned), 0 absent,
 * -1 error. Appends the hive's spelling of each component to sc->key. */
static int walk(struct scan *sc, libregf_key_t *k, const char *path, libregf_key_t **out)
{
    libregf_key_t *cur = NULL;
    char comp[64];
    int r = 1;
    /* each pass consumes one component of the static path */
    while (*path && r == 1) {
        size_t n = strcspn(path, "\\");
        if (WS_NEVER(n >= sizeof comp))
            break;
        memcpy(comp, path, n);
        comp[n] = '\0';
        path += n + (path[n] == '\\');
        libregf_key_t *next = NULL;
        r = open_child(sc, cur ? cur : k, comp, &sc->key, &next);
        libregf_key_free(&cur, NULL);
        cur = next;
    }
    if (r == 1)
        *out = cur;
    else
        libregf_key_free(&cur, NULL);
    return r;
}

static void send_run_value(struct scan *sc, const char *hive, const char *file, int64_t written)
{
    char when[32];
    iso_time(written, when, sizeof when);
    const char *vname = sc->name.len ? sc->name.data : "(default)";
    ws_status st = reg_path(sc, hive, vname);
    if (failed(sc, st))
        return;
    int rundll = strstr(sc->data.data, "rundll32") || strstr(sc->data.data, "RUNDLL32") ||
                 strstr(sc->data.data, "Rundll32");
    struct ws_kv fields[5] = {
        kv_str("registry.hive", hive, strlen(hive)),
        kv_str("registry.key", sc->key.data, sc->key.len),
        kv_str("registry.path", sc->reg.data, sc->reg.len),
        kv_str("registry.value", vname, strlen(vname)),
        kv_str("registry.data.strings", sc->data.data, sc->data.len),
    };
    struct ws_kv ev[3] = {
        kv_str("file_name", file, strlen(file)),
        kv_str("key_last_written", when, strlen(when)),
        {"rundll32", WS_KV_BOOL, NULL, 0, rundll},
    };
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_ALERT);
    f.rule_id = "hive.kwampirs.run_value";
    f.rule_name = "Kwampirs file named in a Run key";
    f.description = "An autostart Run value names a Kwampirs payload DLL or dropper EXE";
    f.reference = "https://attack.mitre.org/software/S0236/";
    f.pack = pack_name;
    f.severity = 80;
    f.mtime = written;
    f.message = "Run-key value names a Kwampirs file";
    f.fields = fields;
    f.n_fields = WS_ARRAY_LEN(fields);
    f.evidence = ev;
    f.n_evidence = WS_ARRAY_LEN(ev);
    send(sc, &f);
}

static void scan_run_key(struct scan *sc, libregf_key_t *k, const char *hive)
{
    libregf_error_t *e = NULL;
    int n = 0;
    uint64_t ft = 0;
    int64_t written = WS_TIME_UNKNOWN;
    sc->run_keys++;
    if (libregf_key_get_last_written_time(k, &ft, &e) == 1)
        written = ws_hive_filetime_to_unix(ft);
    libregf_error_free(&e);
    if (libregf_key_get_number_of_values(k, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count the values of a Run key", sc->key.data, sc->key.len);
        return;
    }
    n = capped(sc, n, WS_MAX_HIVE_VALUES, "Run values", sc->key.data, sc->key.len);
    for (int i = 0; i < n && going(sc); i++) {
        libregf_value_t *v = NULL;
        if (libregf_key_get_value(k, i, &v, &e) != 1) {
            lib_error(sc, &e, "cannot read a Run value", sc->key.data, sc->key.len);
            continue;
        }
        sc->st.run_values++;
        int r = value_name(sc, v, &sc->name);
        if (r == 0)
            r = value_string(sc, v, &sc->data);
        if (r == -1 || r == -3)
            send_error(sc, r == -3 ? WS_E_TOO_LARGE : WS_E_CORRUPT, sc->key.data, sc->key.len);
        const char *file = r == 1 ? ws_hive_kwampirs_file(sc->data.data, sc->data.len) : NULL;
        if (file)
            send_run_value(sc, hive, file, written);
        libregf_value_free(&v, NULL);
    }
}

static void scan_run_keys(struct scan *sc, libregf_key_t *root)
{
    for (size_t b = 0; b < WS_ARRAY_LEN(run_bases) && going(sc); b++) {
        libregf_key_t *cv = NULL;
        ws_buf_reset(&sc->key);
        if (failed(sc, ws_buf_adds(&sc->key, run_bases[b].mount)))
            return;
        if (walk(sc, root, run_bases[b].path, &cv) == 1) {
            size_t keep = sc->key.len;
            for (size_t t = 0; t < WS_ARRAY_LEN(run_tails) && going(sc); t++) {
                libregf_key_t *run = NULL;
                if (walk(sc, cv, run_tails[t], &run) == 1)
                    scan_run_key(sc, run, run_bases[b].hive);
                libregf_key_free(&run, NULL);
                ws_buf_truncate(&sc->key, keep);
            }
        }
        libregf_key_free(&cv, NULL);
    }
}

/* ---- which control set is current, and the host's name ---- */

/* The value of key k named name (case-insensitive): 1 found (*out owned:
 * libregf_value_free), 0 absent, -1 error (reported). */
static int find_value(struct scan *sc, libregf_key_t *k, const char *name, libregf_value_t **out)
{
    libregf_error_t *e = NULL;
    int n = 0;
    if (libregf_key_get_number_of_values(k, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count values", sc->key.data, sc->key.len);
        return -1;
    }
    n = capped(sc, n, WS_MAX_HIVE_VALUES, "values", sc->key.data, sc->key.len);
    for (int i = 0; i < n && going(sc); i++) {
        libregf_value_t *v = NULL;
        if (libregf_key_get_value(k, i, &v, &e) != 1) {
            lib_error(sc, &e, "cannot read a value", sc->key.data, sc->key.len);
            continue;
        }
        if (value_name(sc, v, &sc->name) == 0 && strcasecmp(sc->name.data, name) == 0) {
            *out = v;
            return 1;
        }
        libregf_value_free(&v, NULL);
    }
    return 0;
}

/* Select\Current (the control set in use) and, from that control set,
 * Control\ComputerName\ComputerName\ComputerName: the evidence's host. A
 * hive without them (not a SYSTEM hive) leaves both unset. */
static void read_identity(struct scan *sc, libregf_key_t *root)
{
    libregf_key_t *k = NULL;
    libregf_value_t *v = NULL;
    libregf_error_t *e = NULL;
    uint32_t type = 0, cur = 1;
    char path[80];
    ws_buf_reset(&sc->key);
    if (walk(sc, root, "Select", &k) == 1 && find_value(sc, k, "Current", &v) == 1 &&
        libregf_value_get_value_type(v, &type, &e) == 1 &&
        type == LIBREGF_VALUE_TYPE_INTEGER_32BIT_LITTLE_ENDIAN &&
        libregf_value_get_value_32bit(v, &cur, &e) == 1 && cur >= 1 && cur <= 999) {
        sc->has_current = 1;
        sc->current = cur;
    }
    libregf_error_free(&e);
    libregf_value_free(&v, NULL);
    libregf_key_free(&k, NULL);
    snprintf(path, sizeof path, "ControlSet%03u\\Control\\ComputerName\\ComputerName",
             sc->has_current ? sc->current : 1u);
    ws_buf_reset(&sc->key);
    if (walk(sc, root, path, &k) == 1 && find_value(sc, k, "ComputerName", &v) == 1 &&
        value_string(sc, v, &sc->host) != 1)
        ws_buf_reset(&sc->host);
    libregf_value_free(&v, NULL);
    libregf_key_free(&k, NULL);
    ws_buf_reset(&sc->key);
}

/* ---- the hive ---- */

static void send_summary(struct scan *sc, uint32_t major, uint32_t minor, int dirty)
{
    char msg[320];
    snprintf(msg, sizeof msg,
             "regf %u.%u: %u control set(s), %llu service key(s), %u Run key(s) with %llu "
             "value(s) examined%s",
             major, minor, sc->control_sets, (unsigned long long)sc->st.services, sc->run_keys,
             (unsigned long long)sc->st.run_values,
             dirty ? "; the hive is dirty: its transaction logs (.LOG1/.LOG2) were not applied, "
                     "so the latest changes may be missing"
                   : "");
    struct ws_kv ev[6] = {
        kv_int("current_control_set", sc->has_current ? (int64_t)sc->current : 0),
        kv_int("control_sets", sc->control_sets),
        kv_int("services", (int64_t)sc->st.services),
        kv_int("run_keys", sc->run_keys),
        kv_int("run_values", (int64_t)sc->st.run_values),
        {"dirty", WS_KV_BOOL, NULL, 0, dirty},
    };
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_INFO);
    f.rule_id = "hive.summary";
    f.rule_name = "Registry hive examined";
    f.message = msg;
    f.evidence = ev;
    f.n_evidence = WS_ARRAY_LEN(ev);
    send(sc, &f);
}

static void scan_root(struct scan *sc, libregf_file_t *file, int dirty)
{
    libregf_error_t *e = NULL;
    libregf_key_t *root = NULL;
    uint32_t major = 0, minor = 0;
    if (libregf_file_get_format_version(file, &major, &minor, &e) != 1)
        libregf_error_free(&e);
    int r = libregf_file_get_root_key(file, &root, &e);
    if (r != 1) {
        lib_error(sc, &e, r == 0 ? "the hive has no root key" : "cannot read the root key", NULL,
                  0);
        return;
    }
    int n = 0;
    if (libregf_key_get_number_of_sub_keys(root, &n, &e) != 1) {
        lib_error(sc, &e, "cannot count the subkeys of the root key", NULL, 0);
        n = 0;
    }
    n = capped(sc, n, WS_MAX_HIVE_SUBKEYS, "subkeys of the root key", NULL, 0);
    read_identity(sc, root);
    char cs_name[24];
    int sets_capped = 0;
    for (int i = 0; i < n && going(sc); i++) {
        libregf_key_t *c = NULL;
        if (libregf_key_get_sub_key(root, i, &c, &e) != 1) {
            lib_error(sc, &e, "cannot read a subkey of the root key", NULL, 0);
            continue;
        }
        int kr = key_name(sc, c, &sc->name);
        if (kr == -1)
            send_error(sc, WS_E_CORRUPT, NULL, 0);
        int is_cs = kr == 0 && is_control_set(sc->name.data, sc->name.len);
        if (is_cs && sc->control_sets >= WS_MAX_HIVE_CONTROL_SETS) {
            if (!sets_capped) {
                take_error(sc, NULL,
                           "more control sets than WS_MAX_HIVE_CONTROL_SETS; the rest "
                           "not examined");
                send_error(sc, WS_E_TOO_LARGE, NULL, 0);
                sets_capped = 1;
            }
        } else if (is_cs) {
            memcpy(cs_name, sc->name.data, sc->name.len + 1);
            ws_buf_reset(&sc->key);
            ws_status st = ws_buf_adds(&sc->key, "SYSTEM\\");
            if (st == WS_OK)
                st = ws_buf_adds(&sc->key, cs_name);
            if (!failed(sc, st))
                scan_control_set(sc, c, cs_name);
        }
        libregf_key_free(&c, NULL);
    }
    if (going(sc))
        scan_run_keys(sc, root);
    libregf_key_free(&root, NULL);
    if (going(sc))
        send_summary(sc, major, minor, dirty);
}

/*
 * Base block (regf header), the fields we check ([MS-REGF] is not published;
 * layout per libyal's "Windows NT Registry File (REGF) format" and
 * msuhanov's "Windows registry file format specification"):
 *   0  4  signature "regf"
 *   4  4  primary sequence number
 *   8  4  secondary sequence number (differs: dirty, logs not applied)
 *   40 4  hive bins data size (bytes after the 4096-byte base block)
 * Returns WS_E_TRUNCATED when the file is shorter than it declares,
 * WS_E_CORRUPT when the signature is wrong, else WS_OK.
 */
static ws_status check_base_block(const uint8_t *p, size_t n, uint64_t file_size, int *dirty,
                                  uint64_t *declared)
{
    struct ws_cur c;
    uint32_t seq1, seq2, bins;
    ws_cur_init(&c, p, n);
    if (n < REGF_BASE_BLOCK)
        return n >= 4 && !ws_cur_has_prefix(&c, "regf", 4) ? WS_E_CORRUPT : WS_E_TRUNCATED;
    if (!ws_cur_has_prefix(&c, "regf", 4))
        return WS_E_CORRUPT;
    if (ws_cur_skip(&c, 4) != WS_OK || ws_cur_le32(&c, &seq1) != WS_OK ||
        ws_cur_le32(&c, &seq2) != WS_OK || ws_cur_seek(&c, 40) != WS_OK ||
        ws_cur_le32(&c, &bins) != WS_OK)
        return WS_E_TRUNCATED;
    *dirty = seq1 != seq2;
    *declared = (uint64_t)REGF_BASE_BLOCK + bins;
    if (file_size < *declared)
        return WS_E_TRUNCATED;
    return WS_OK;
}

/* Report what the base block check found; 1 if libregf should still try. */
static int precheck(struct scan *sc, const uint8_t *head, size_t n, uint64_t size, int *dirty)
{
    uint64_t declared = 0;
    char msg[200];
    ws_status st = check_base_block(head, n, size, dirty, &declared);
    if (st == WS_OK)
        return 1;
    if (st == WS_E_CORRUPT)
        snprintf(msg, sizeof msg, "not a registry hive: no regf signature (%llu bytes)",
                 (unsigned long long)size);
    else if (declared)
        snprintf(msg, sizeof msg,
                 "hive file truncated: %llu bytes, its header declares %llu; keys past the "
                 "end are lost",
                 (unsigned long long)size, (unsigned long long)declared);
    else
        snprintf(msg, sizeof msg, "hive file truncated: %llu bytes, shorter than the header",
                 (unsigned long long)size);
    ws_buf_reset(&sc->errtext);
    (void)failed(sc, ws_buf_adds(&sc->errtext, msg));
    send_error(sc, st, NULL, 0);
    /* a truncated hive may still hold readable keys; a wrong signature not */
    return st == WS_E_TRUNCATED && n >= REGF_BASE_BLOCK;
}

static ws_status finish(struct scan *sc, struct ws_hive_stats *stats)
{
    if (stats) {
        stats->hives += sc->st.hives;
        stats->services += sc->st.services;
        stats->run_values += sc->st.run_values;
        stats->alerts += sc->st.alerts;
        stats->errors += sc->st.errors;
    }
    ws_status st = sc->fatal != WS_OK ? sc->fatal : sc->stop ? WS_E_CANCELLED : WS_OK;
    scan_release(sc);
    return st;
}

/* ---- reading the hive: file or memory ---- */

struct mem {
    const uint8_t *p;
    size_t n;
};

static int read_mem(void *ctx, uint64_t off, void *buf, size_t n)
{
    const struct mem *m = ctx;
    if (off > m->n || n > m->n - off)
        return -1;
    memcpy(buf, m->p + off, n);
    return 0;
}

static int read_fd(void *ctx, uint64_t off, void *buf, size_t n)
{
    int fd = *(const int *)ctx;
    size_t done = 0;
    /* each pass reads at least one byte or fails */
    while (done < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* An I/O error: what, then errno's text (none when err is 0). */
static void io_error(struct scan *sc, const char *what, int err)
{
    char eb[128];
    ws_buf_reset(&sc->errtext);
    (void)failed(sc, ws_buf_adds(&sc->errtext, what));
    if (err)
        (void)failed(sc, ws_buf_adds(&sc->errtext, strerror_r(err, eb, sizeof eb)));
    send_error(sc, err == EACCES ? WS_E_PERM : WS_E_IO, NULL, 0);
}

/* Copy the hive into an anonymous memfd and apply the repairs there; the
 * evidence itself is never written. *fd is the memfd, or -1 on failure
 * (reported). */
static void stage(struct scan *sc, ws_regf_read_fn read, void *ctx, uint64_t size,
                  const struct ws_regf_fix *fixes, size_t nfix, int *fd)
{
    char *p;
    *fd = memfd_create("wormsign-hive", MFD_CLOEXEC);
    if (*fd < 0) {
        io_error(sc, "cannot stage the hive in a memfd: ", errno);
        return;
    }
    ws_buf_reset(&sc->bin);
    ws_status st = ws_buf_reserve(&sc->bin, WS_STREAM_CHUNK, &p);
    if (st != WS_OK) {
        (void)failed(sc, st);
        goto fail;
    }
    /* each pass copies one chunk */
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off < WS_STREAM_CHUNK ? (size_t)(size - off) : WS_STREAM_CHUNK;
        if (read(ctx, off, p, n) != 0) {
            io_error(sc, "cannot read the hive file: ", errno ? errno : EIO);
            goto fail;
        }
        for (size_t done = 0; done < n;) {
            ssize_t w = write(*fd, p + done, n - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                io_error(sc, "cannot stage the hive in a memfd: ", errno ? errno : ENOSPC);
                goto fail;
            }
            done += (size_t)w;
        }
        off += n;
    }
    for (size_t i = 0; i < nfix; i++) {
        uint8_t le[4] = {(uint8_t)fixes[i].val, (uint8_t)(fixes[i].val >> 8),
                         (uint8_t)(fixes[i].val >> 16), (uint8_t)(fixes[i].val >> 24)};
        size_t wn = fixes[i].width == 2 ? 2 : 4;
        if (pwrite(*fd, le, wn, (off_t)fixes[i].off) != (ssize_t)wn) {
            io_error(sc, "cannot stage the hive in a memfd: ", errno ? errno : EIO);
            goto fail;
        }
    }
    return;
fail:
    close(*fd);
    *fd = -1;
}

/* Scan a hive readable through read(ctx) of size bytes. path: open it
 * directly when no repair is needed (NULL: always stage a copy). */
static void scan_source(struct scan *sc, ws_regf_read_fn read, void *ctx, uint64_t size,
                        const char *path)
{
    uint8_t head[REGF_BASE_BLOCK];
    size_t hn = size < sizeof head ? (size_t)size : sizeof head;
    struct ws_regf_fix fixes[WS_MAX_HIVE_FIXES];
    size_t found = 0;
    libregf_file_t *file = NULL;
    libregf_error_t *e = NULL;
    int dirty = 0, fd = -1;
    char fdpath[64];

    sc->st.hives++;
    if (hn && read(ctx, 0, head, hn) != 0) {
        io_error(sc, "cannot read the hive file: ", errno ? errno : EIO);
        return;
    }
    if (!precheck(sc, head, hn, size, &dirty))
        return;
    ws_status st =
        ws_regf_check_value_counts(read, ctx, size, &sc->bin, fixes, WS_ARRAY_LEN(fixes), &found);
    if (failed(sc, st))
        return;
    if (found > WS_ARRAY_LEN(fixes)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "%zu key nodes claim more values than their value lists hold, more than "
                 "WS_MAX_HIVE_FIXES: a crafted hive; not scanned",
                 found);
        take_error(sc, NULL, msg);
        send_error(sc, WS_E_TOO_LARGE, NULL, 0);
        return;
    }
    for (size_t i = 0; i < found && !sc->stop; i++) {
        char msg[256];
        if (fixes[i].kind == WS_REGF_FIX_VALUES)
            snprintf(msg, sizeof msg,
                     "key node '%s' at file offset %llu claims %u values, its value list holds "
                     "%u; read as %u",
                     fixes[i].name, (unsigned long long)fixes[i].off - 36, fixes[i].was,
                     fixes[i].val, fixes[i].val);
        else
            snprintf(msg, sizeof msg,
                     "subkey index at file offset %llu lists more than WS_MAX_HIVE_INDEX_ENTRIES "
                     "subkeys; only its first %u of %u leaves read",
                     (unsigned long long)fixes[i].off - 2, fixes[i].val, fixes[i].was);
        take_error(sc, NULL, msg);
        send_error(sc, WS_E_CORRUPT, NULL, 0);
    }
    if (!path || found) {
        stage(sc, read, ctx, size, fixes, found, &fd);
        if (fd < 0)
            return;
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
        path = fdpath;
    }
    if (libregf_file_initialize(&file, &e) != 1) {
        libregf_error_free(&e);
        sc->fatal = WS_E_NOMEM;
        goto out;
    }
    if (libregf_file_open(file, path, LIBREGF_OPEN_READ, &e) != 1) {
        lib_error(sc, &e, "libregf cannot open the hive", NULL, 0);
        goto out;
    }
    scan_root(sc, file, dirty);
    libregf_file_close(file, NULL);
out:
    libregf_file_free(&file, NULL);
    if (fd >= 0)
        close(fd);
}

ws_status ws_hive_scan_file(const char *path, ws_emit_fn emit, void *user,
                            struct ws_hive_stats *stats)
{
    if (!path || !emit)
        return WS_E_INVALID;
    struct scan sc;
    struct stat sb;
    scan_init(&sc, path, emit, user, WS_MAX_HIVE_SECONDS);
    int fd = -1;
    ws_status os = ws_open_regular(path, 1, &fd, &sb);
    if (os == WS_E_SKIPPED)
        io_error(&sc,
                 "cannot open the hive file: not a regular file (a folder, FIFO, socket or "
                 "device)",
                 0);
    else if (os != WS_OK)
        io_error(&sc, "cannot open the hive file: ", errno);
    else
        scan_source(&sc, read_fd, &fd, (uint64_t)sb.st_size, path);
    if (fd >= 0)
        close(fd);
    return finish(&sc, stats);
}

/*
 * Hives in memory are staged in an anonymous memfd and opened by its
 * /proc/self/fd path, not through a libbfio memory range: libbfio 20170123's
 * memory range reads past the end of a truncated hive (found by fuzz-hive;
 * fuzz/corpus/fuzz-hive/crash-libbfio-memory-range-overread). The file
 * path of libbfio handles short reads like any truncated file.
 */
ws_status ws_hive_scan_buffer_budget(const void *data, size_t len, const char *label,
                                     ws_emit_fn emit, void *user, struct ws_hive_stats *stats,
                                     unsigned seconds)
{
    if ((!data && len) || !emit)
        return WS_E_INVALID;
    struct scan sc;
    struct mem m = {data, len};
    scan_init(&sc, label ? label : "memory", emit, user, seconds);
    scan_source(&sc, read_mem, &m, len, NULL);
    return finish(&sc, stats);
}

ws_status ws_hive_scan_buffer(const void *data, size_t len, const char *label, ws_emit_fn emit,
                              void *user, struct ws_hive_stats *stats)
{
    return ws_hive_scan_buffer_budget(data, len, label, emit, user, stats, WS_MAX_HIVE_SECONDS);
}

/* ---- sanitizer hook ---- */

WS_DEFINE_LSAN_SUPPRESSIONS()

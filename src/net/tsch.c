/*
 * tsch.c - ITaskSchedulerService (MS-TSCH 3.2.5.4, interface
 * 86D35949-83C9-4044-B424-DB363231FD0C v1.0): the request that registers a
 * task on a remote host, the way schtasks /create /s and impacket's atexec
 * run a command there.
 *
 * SchRpcRegisterTask (opnum 1, MS-TSCH 3.2.5.4.2):
 *   path       [in, string, unique] wchar_t*   task name, "\\Name"
 *   xml        [in, string] wchar_t*           the task definition
 *   flags      DWORD                           TASK_CREATE 2, TASK_UPDATE 4, ...
 *   sddl       [in, string, unique] wchar_t*
 *   logonType  DWORD                           TASK_LOGON_* (MS-TSCH 2.3.9)
 *   cCreds, pCreds (not read)
 * From the XML (MS-TSCH 2.5, the Task Scheduler schema) we take the first
 * few Exec actions' <Command> and <Arguments> and the first principal's
 * <UserId>, with the five predefined XML entities and numeric character
 * references decoded. The XML is read as text by element name, not parsed:
 * a crafted definition can only make us miss or cut a value (every value is
 * capped), never read outside the string.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "net/net_int.h"

/* Task names are paths; the XML is larger (a real definition is 2-4 KB). */
#define MAX_PATH_CHARS (WS_NET_MAX_NAME / 3)

void tsch_task_release(struct tsch_task *t)
{
    WS_FREE_AND_NULL(t->path);
    WS_FREE_AND_NULL(t->command);
    WS_FREE_AND_NULL(t->arguments);
    WS_FREE_AND_NULL(t->user);
}

/* Decode the XML text between p and end (entities) into b. */
static ws_status xml_text(struct ws_buf *b, const char *p, const char *end)
{
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    ws_status st = WS_OK;
    while (p < end) {
        if (*p != '&') {
            WS_TRY(ws_buf_addc(b, *p++));
            continue;
        }
        size_t left = (size_t)(end - p - 1);
        int done = 0;
        for (size_t i = 0; i < WS_ARRAY_LEN(ents) && !done; i++) {
            size_t k = strlen(ents[i].name);
            if (k <= left && memcmp(p + 1, ents[i].name, k) == 0) {
                WS_TRY(ws_buf_addc(b, ents[i].c));
                p += 1 + k;
                done = 1;
            }
        }
        if (!done && left >= 3 && p[1] == '#') {
            /* &#NNN; or &#xHH; - a code point below 0x80 as itself, others kept as written */
            const char *q = p + 2;
            int hex = *q == 'x' || *q == 'X';
            unsigned long v = 0;
            int digits = 0;
            for (q += hex; q < end && digits < 8; q++, digits++) {
                int d = (*q >= '0' && *q <= '9')                          ? *q - '0'
                        : hex && (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f' ? (*q | 0x20) - 'a' + 10
                                                                          : -1;
                if (d < 0)
                    break;
                v = v * (hex ? 16u : 10u) + (unsigned)d;
            }
            if (digits && q < end && *q == ';' && v > 0 && v < 0x80) {
                WS_TRY(ws_buf_addc(b, (char)v));
                p = q + 1;
                done = 1;
            }
        }
        if (!done)
            WS_TRY(ws_buf_addc(b, *p++));
    }
out:
    return st;
}

/* The text of the first <name>...</name> at or after *from (advanced past
 * it), as owned UTF-8 in *out; *out NULL when there is none. */
static ws_status xml_element(const char **from, const char *name, char **out)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", name);
    snprintf(close, sizeof close, "</%s>", name);
    *out = NULL;
    const char *s = strstr(*from, open);
    if (!s)
        return WS_OK;
    s += strlen(open);
    const char *e = strstr(s, close);
    if (!e)
        return WS_OK;
    *from = e + strlen(close);
    struct ws_buf b;
    ws_buf_init(&b, WS_NET_TSCH_MAX_VALUE);
    ws_status st = xml_text(&b, s, e);
    if (st == WS_E_TOO_LARGE) /* keep what fits: a cut value is still evidence */
        st = WS_OK;
    if (st == WS_OK) {
        *out = ws_buf_detach(&b, NULL);
        if (!*out)
            st = WS_E_NOMEM;
    }
    ws_buf_release(&b);
    return st;
}

/* Append "sep value" for every further <name> element (up to the cap). */
static ws_status more_elements(const char *from, const char *name, char **acc)
{
    for (int i = 1; i < WS_NET_TSCH_MAX_ACTIONS; i++) {
        char *v = NULL;
        ws_status st = xml_element(&from, name, &v);
        if (st != WS_OK)
            return st;
        if (!v)
            break;
        size_t a = strlen(*acc), k = strlen(v);
        char *j = ws_malloc(a + 3 + k + 1);
        if (!j) {
            ws_free(v);
            return WS_E_NOMEM;
        }
        memcpy(j, *acc, a);
        memcpy(j + a, " | ", 3);
        memcpy(j + a + 3, v, k + 1);
        ws_free(v);
        ws_free(*acc);
        *acc = j;
    }
    return WS_OK;
}

ws_status tsch_parse_register(int ndr64, const uint8_t *stub, size_t n, struct tsch_task *out)
{
    struct net_ndr d;
    net_ndr_init(&d, ndr64, stub, n);
    struct tsch_task t = {0};
    char *xml = NULL;
    ws_status st;
    if ((st = net_ndr_unique_string(&d, 1, MAX_PATH_CHARS, &t.path)) ||
        (st = net_ndr_string(&d, 1, WS_NET_TSCH_MAX_XML_CHARS, &xml)) ||
        (st = net_ndr_u32(&d, &t.flags)))
        goto out;
    /* sddl and logon type: best effort, the task is known already */
    char *sddl = NULL;
    if (net_ndr_unique_string(&d, 1, MAX_PATH_CHARS, &sddl) == WS_OK &&
        net_ndr_u32(&d, &t.logon_type) == WS_OK)
        t.has_logon_type = 1;
    ws_free(sddl);
    const char *from = xml;
    if ((st = xml_element(&from, "Command", &t.command)))
        goto out;
    if (t.command && (st = more_elements(from, "Command", &t.command)))
        goto out;
    from = xml;
    if ((st = xml_element(&from, "Arguments", &t.arguments)))
        goto out;
    from = xml;
    if ((st = xml_element(&from, "UserId", &t.user)))
        goto out;
    if (!t.user) {
        from = xml;
        st = xml_element(&from, "GroupId", &t.user);
    }
out:
    ws_free(xml);
    if (st != WS_OK) {
        tsch_task_release(&t);
        return st;
    }
    *out = t;
    return WS_OK;
}

/*
 * fuzz-event-rules.c - the event-rules parser (src/logs/rules.c) on
 * arbitrary bytes, through the pack loader as a user pack file, then every
 * loaded rule is matched against two fixed events (System fields, EventData
 * fields, paramN strings) so the matcher runs on whatever parsed: regexes,
 * value sets, lists, negation, field alternatives.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/compat.h"
#include "logs/rules.h"
#include "wormsign/wormsign.h"

static int ignore(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

#define STR(x)                                                                                     \
    {                                                                                              \
        x, sizeof(x) - 1                                                                           \
    }

static const char services[] = "name;equals;WmiApSrvEx;90;x\n"
                               "display;equals;WMI Performance Adapter Extension;90;x\n"
                               "path;contains;ControlTrace -Embedding -k;85;x\n";
static const char recon[] =
    "AB;hostname\nA;dir /s /a c:\\ >> \"C:\\windows\\TEMP\\[RANDOM].tmp\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_pack *p;
    if (ws_pack_new(&p) != WS_OK)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    if (!md)
        goto out;
    if (ws_pack_add_buffer(p, "services.txt", services, sizeof services - 1, ignore, NULL) !=
            WS_OK ||
        ws_pack_add_buffer(p, "recon-commands.txt", recon, sizeof recon - 1, ignore, NULL) != WS_OK)
        goto out;
    ws_status st = ws_pack_add_buffer(p, "fuzz-event-rules.txt", data, size, ignore, NULL);
    if (st == WS_E_NOMEM)
        goto out;
    if (ws_pack_compile(p, ignore, NULL) != WS_OK)
        goto out;

    struct ws_evtx_field f1[] = {
        {STR("ServiceName"), STR("WmiApSrvEx")},
        {STR("ImagePath"), STR("%SystemRoot%\\X.exe ControlTrace -Embedding -k")},
        {STR("CommandLine"), STR("cmd.exe /c \"hostname\" 2>nul")},
        {STR("param1"), STR("")},
    };
    struct ws_evtx_field f2[] = {
        {STR("Image"), STR("C:\\Windows\\System32\\wbem\\WmiPrvSE.exe")},
        {STR("TargetFilename"), STR("C:\\Windows\\inf\\ie11.pnf")},
    };
    struct ws_evtx_event ev[2];
    memset(ev, 0, sizeof ev);
    ev[0].has_event_id = 1;
    ev[0].event_id = 7045;
    ev[0].sys[WS_EVTX_SYS_PROVIDER] = (struct ws_evtx_str)STR("Service Control Manager");
    ev[0].sys[WS_EVTX_SYS_COMPUTER] = (struct ws_evtx_str)STR("HOST");
    ev[0].fields = f1;
    ev[0].n_fields = sizeof f1 / sizeof f1[0];
    ev[1].sys[WS_EVTX_SYS_EVENT_ID] = (struct ws_evtx_str)STR("11");
    ev[1].fields = f2;
    ev[1].n_fields = sizeof f2 / sizeof f2[0];
    for (size_t i = 0; i < ws_event_rules_count(p); i++) {
        const struct ws_event_rule *r = ws_event_rule_at(p, i);
        if (!r->id || !r->name || r->n_groups == 0)
            __builtin_trap(); /* a loaded rule is complete */
        for (int e = 0; e < 2; e++) {
            struct ws_kv kv[8];
            size_t n = 0;
            if (ws_event_rule_match(p, r, &ev[e], md, kv, 8, &n) && n > 8)
                __builtin_trap();
        }
    }
out:
    pcre2_match_data_free(md);
    ws_pack_free(p);
    return 0;
}

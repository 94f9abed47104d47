/*
 * fuzz_packs.h - the packs the harnesses scan with, built once per process
 * (libFuzzer calls a harness from one thread; this is harness-only state):
 *   fuzz_builtin_pack()  the built-in Kwampirs pack (file pipeline harnesses);
 *   fuzz_c2_pack()       a small in-memory C2 pack whose domains, addresses,
 *                        URLs and net patterns the seeds use, so that the
 *                        DNS/HTTP/TLS matching and findings run too (10.0.0.2
 *                        is the server address of src/net/net_fuzz.c).
 * Both return NULL if the pack cannot be built (the harness then does nothing).
 */
#ifndef WS_FUZZ_PACKS_H
#define WS_FUZZ_PACKS_H

#include <string.h>

#include "wormsign/wormsign.h"

static inline int fuzz_ignore(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

static inline const ws_pack *fuzz_builtin_pack(void)
{
    static ws_pack *p;
    static int tried;
    if (!tried) {
        tried = 1;
        if (ws_library_init() != WS_OK || ws_pack_new(&p) != WS_OK)
            return NULL;
        if (ws_pack_add_builtin(p, fuzz_ignore, NULL) != WS_OK ||
            ws_pack_compile(p, fuzz_ignore, NULL) != WS_OK) {
            ws_pack_free(p);
            p = NULL;
        }
    }
    return p;
}

static inline const ws_pack *fuzz_c2_pack(void)
{
    static const char c2_iocs[] = "dfkcn.tk\ndfkcnyhd.nl\nexample.org\n10.0.0.2\n"
                                  "101.11.98.119\n172.105.123.10\n";
    static const char c2_urls[] = "dfkcn.tk/loginloginlogin.php\n"
                                  "10.0.0.2/groupusers/login.aspx\n"
                                  "101.11.98.119/groupusers/login.aspx\n";
    static const char net_patterns[] =
        "url-path;^/(?:(?:new|group|users|default|index|home|main|login)+/)*(?:new|group|users|"
        "default|index|home|main|login)+\\.(?:php|asp|aspx)$;50;grammar\n"
        "domain;^(?:dswqe|pecdbn|unity|main|srv|news|pog|unt|df|gb){2,5}\\.(?:ch|com|info|nl|tk)$;"
        "40;domains\n"
        "query;(?:^|&)q=[^&]+;40;q\n"
        "user-agent;^ItIsMe$;60;ua\n"
        "dns-answer;^172\\.105\\.123\\.10$;60;sinkhole\n";
    static ws_pack *p;
    static int tried;
    if (!tried) {
        tried = 1;
        if (ws_pack_new(&p) != WS_OK)
            return NULL;
        if (ws_pack_add_buffer(p, "c2-iocs.txt", c2_iocs, strlen(c2_iocs), fuzz_ignore, NULL) !=
                WS_OK ||
            ws_pack_add_buffer(p, "c2-urls.txt", c2_urls, strlen(c2_urls), fuzz_ignore, NULL) !=
                WS_OK ||
            ws_pack_add_buffer(p, "net-patterns.txt", net_patterns, strlen(net_patterns),
                               fuzz_ignore, NULL) != WS_OK ||
            ws_pack_compile(p, fuzz_ignore, NULL) != WS_OK) {
            ws_pack_free(p);
            p = NULL;
        }
    }
    return p;
}

#endif

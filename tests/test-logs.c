/*
 * test-logs.c - event rules (src/logs/rules.c): parsing with error lines,
 * every operator, negation, field alternatives, absent fields, value sets,
 * pack lists, the recon command-line matcher, and allocation failures while
 * loading a rule file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/compat.h"
#include "core/alloc.h"
#include "logs/rules.h"
#include "wormsign/wormsign.h"

struct errs {
    int n;
    uint64_t lines[16];
};

static int count_errors(void *user, const struct ws_finding *f)
{
    struct errs *e = user;
    if (f->kind == WS_FINDING_ERROR) {
        for (size_t i = 0; i < f->n_evidence; i++)
            if (strcmp(f->evidence[i].key, "pack.line") == 0 && e->n < 16)
                e->lines[e->n] = (uint64_t)f->evidence[i].num;
        e->n++;
    }
    return 0;
}

static const char services[] = "name;equals;WmiApSrvEx;90;x\n"
                               "display;equals;WMI Performance Adapter Extension;90;x\n"
                               "path;contains;ControlTrace -Embedding -k;85;x\n";
static const char recon[] = "AB;hostname\n"
                            "A;ipconfig /all\n"
                            "A;net users\n"
                            "B;wmic timezone get  caption\n"
                            "A;dir /s /a c:\\ >> \"C:\\windows\\TEMP\\[RANDOM].tmp\"\n";

static ws_pack *load(const char *rules, struct errs *e)
{
    ws_pack *p = NULL;
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "services.txt", services, strlen(services), NULL, NULL),
                     WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "recon-commands.txt", recon, strlen(recon), NULL, NULL),
                     WS_OK);
    assert_int_equal(
        ws_pack_add_buffer(p, "t-event-rules.txt", rules, strlen(rules), count_errors, e), WS_OK);
    assert_int_equal(ws_pack_compile(p, NULL, NULL), WS_OK);
    return p;
}

#define S(x)                                                                                       \
    {                                                                                              \
        x, sizeof(x) - 1                                                                           \
    }

static struct ws_evtx_field f7045[] = {
    {S("ServiceName"), S("wmiapsrvex")},
    {S("ImagePath"), S("C:\\Windows\\system32\\x.exe ControlTrace -Embedding -k netsvcs")},
    {S("ProcessId"), S("0x1a4")},
};

static void event7045(struct ws_evtx_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->has_event_id = 1;
    ev->event_id = 7045;
    ev->sys[WS_EVTX_SYS_PROVIDER] = (struct ws_evtx_str)S("Service Control Manager");
    ev->sys[WS_EVTX_SYS_PROCESS_ID] = (struct ws_evtx_str)S("4");
    ev->fields = f7045;
    ev->n_fields = 3;
}

static int matches(ws_pack *p, size_t i, const struct ws_evtx_event *ev)
{
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    struct ws_kv kv[8];
    size_t n = 0;
    int m = ws_event_rule_match(p, ws_event_rule_at(p, i), ev, md, kv, 8, &n);
    pcre2_match_data_free(md);
    return m;
}

static void parse_errors(void **state)
{
    (void)state;
    struct errs e = {0};
    ws_pack *p = load("# c\n"
                      "rule = ok.one\n"                      /* 2 */
                      "match EventID equals 7045\n"          /* 3 */
                      "stray = 1\n"                          /* 4: unknown key */
                      "rule = bad id!\n"                     /* 5: bad id */
                      "match X equals y\n"                   /* 6: skipped */
                      "rule = r3\n"                          /* 7 */
                      "match X regex (\n"                    /* 8: regex */
                      "rule = r4\n"                          /* 9 */
                      "or\n"                                 /* 10: or first */
                      "rule = r5\n"                          /* 11: no match (reported at 11) */
                      "rule = r6\n"                          /* 12 */
                      "match X in @nosuch\n"                 /* 13 */
                      "detector = d1\n"                      /* 14 */
                      "kind = recon-burst\n"                 /* 15 */
                      "window = 0\n"                         /* 16: bad window */
                      "detector = d2\n"                      /* 17 */
                      "kind = lateral-movement\n"            /* 18 */
                      "severity_low = 10\n"                  /* 19 */
                      "rule = ok.two\n"                      /* 20 */
                      "match ServiceName|param1 in a|b||c\n" /* 21: empty set entry */
                      "rule = ok.three\n"                    /* 22 */
                      "match X iequals \"\"\n",              /* 23 */
                      &e);
    /* ok.one fails at line 4 (dropped), so only ok.three and d2 survive */
    assert_int_equal(ws_event_rules_count(p), 1);
    assert_string_equal(ws_event_rule_at(p, 0)->id, "ok.three");
    assert_int_equal(ws_event_detectors_count(p), 1);
    assert_string_equal(ws_event_detector_at(p, 0)->id, "d2");
    assert_int_equal(ws_event_detector_at(p, 0)->severity_low, 10);
    uint64_t want[] = {4, 5, 8, 10, 11, 13, 16, 21};
    assert_int_equal(e.n, (int)(sizeof want / sizeof want[0]));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(e.lines[i], want[i]);
    ws_pack_free(p);
}

static void operators(void **state)
{
    (void)state;
    struct errs e = {0};
    ws_pack *p = load("rule = a\nmatch ServiceName equals wmiapsrvex\n"                     /* 0 */
                      "rule = b\nmatch ServiceName equals WmiApSrvEx\n"                     /* 1 */
                      "rule = c\nmatch ServiceName iequals WMIAPSRVEX\n"                    /* 2 */
                      "rule = d\nmatch ImagePath contains ControlTrace\n"                   /* 3 */
                      "rule = e\nmatch ImagePath icontains controltrace -EMBEDDING\n"       /* 4 */
                      "rule = f\nmatch ImagePath istartswith c:\\windows\\\n"               /* 5 */
                      "rule = g\nmatch ImagePath endswith netsvcs\n"                        /* 6 */
                      "rule = h\nmatch ImagePath iendswith NETSVC\n"                        /* 7 */
                      "rule = i\nmatch ImagePath regex (?i)\\\\X\\.EXE\\s\n"                /* 8 */
                      "rule = j\nmatch EventID in 4697|7045\n"                              /* 9 */
                      "rule = k\nmatch Nope|ServiceName in @services.name\n"                /* 10 */
                      "rule = l\nmatch ImagePath in @services.path\n"                       /* 11 */
                      "rule = m\nmatch ServiceName in @services.display\n"                  /* 12 */
                      "rule = n\nmatch Nope equals x\n"                                     /* 13 */
                      "rule = o\nmatch Nope not equals x\n"                                 /* 14 */
                      "rule = p\nmatch ServiceName not iequals wmiapsrv\n"                  /* 15 */
                      "rule = q\nmatch ProcessID equals 4\nmatch ProcessId equals 0x1a4\n"  /* 16 */
                      "rule = r\nmatch Provider startswith Service\nor\nmatch X equals y\n" /* 17 */
                      "rule = s\nmatch EventID equals 1\nor\nmatch EventID equals 2\n",     /* 18 */
                      &e);
    assert_int_equal(e.n, 0);
    assert_int_equal(ws_event_rules_count(p), 19);
    struct ws_evtx_event ev;
    event7045(&ev);
    const int want[] = {1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0};
    for (size_t i = 0; i < 19; i++) {
        if (matches(p, i, &ev) != want[i])
            fail_msg("rule %s: want %d", ws_event_rule_at(p, i)->id, want[i]);
    }
    ws_pack_free(p);
}

static void recon_lines(void **state)
{
    (void)state;
    struct errs e = {0};
    ws_pack *p = load("rule = x\nmatch CommandLine in @recon\n", &e);
    static const struct {
        const char *cmd;
        long idx;
        int wrapped;
    } cases[] = {
        {"cmd.exe /c \"hostname\" 2>nul", 0, 1},
        {"C:\\Windows\\system32\\cmd.exe  /C  \"HOSTNAME\"  2>NUL", 0, 1},
        {"\"C:\\Windows\\system32\\ipconfig.exe\" /all", 1, 0},
        {"ipconfig   /all", 1, 0},
        {"C:\\Windows\\system32\\net1  users", 2, 0},
        {"cmd /c \"wmic timezone get caption\" 2>nul", 3, 1},
        {"cmd.exe /c \"dir /s /a c:\\ >> \"C:\\windows\\TEMP\\a1b2.tmp\"\" 2>nul", 4, 1},
        {"cmd.exe /c \"dir /s /a c:\\ >> \"C:\\windows\\TEMP\\x\\y.tmp\"\" 2>nul", -1, 0},
        {"hostnamex", -1, 0},
        {"ipconfig", -1, 0},
        {"cmd.exe /k \"hostname\"", -1, 0},
        {"notepad.exe hostname", -1, 0},
        {"", -1, 0},
        {"\"unterminated", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int wr = -1;
        long got = ws_recon_match(p, cases[i].cmd, strlen(cases[i].cmd), &wr);
        if (got != cases[i].idx || (got >= 0 && wr != cases[i].wrapped))
            fail_msg("'%s': got %ld (wrapped %d), want %ld (%d)", cases[i].cmd, got, wr,
                     cases[i].idx, cases[i].wrapped);
    }
    ws_pack_free(p);
}

/* XP 592 images (no command line): the program of a recon command, or not. */
static void recon_programs(void **state)
{
    (void)state;
    struct errs e = {0};
    ws_pack *p = load("rule = x\nmatch CommandLine in @recon\n", &e);
    static const struct {
        const char *image;
        long idx;
    } cases[] = {
        {"C:\\WINDOWS\\system32\\hostname.exe", 0},
        {"C:\\WINDOWS\\system32\\IPCONFIG.EXE", 1},
        {"net.exe", 2},
        {"net", 2},
        {"C:\\WINDOWS\\system32\\wbem\\wmic.exe", 3},
        {"C:\\WINDOWS\\system32\\dir.exe", -1},  /* dir is a cmd.exe builtin */
        {"C:\\WINDOWS\\system32\\net1.exe", -1}, /* net.exe's child, not a command */
        {"C:\\WINDOWS\\system32\\cmd.exe", -1},
        {"C:\\WINDOWS\\system32\\", -1},
        {".exe", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = ws_recon_program(p, cases[i].image, strlen(cases[i].image));
        if (got != cases[i].idx)
            fail_msg("'%s': got %ld, want %ld", cases[i].image, got, cases[i].idx);
    }
    ws_pack_free(p);
}

/* The built-in rules on the shapes of legacy EVT records (positional
 * param1..N strings, XP event ids), which the corpus does not hold. */
static void builtin_xp(void **state)
{
    (void)state;
    ws_pack *p = NULL;
    assert_int_equal(ws_library_init(), WS_OK); /* the built-in pack holds YARA rules */
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_builtin(p, NULL, NULL), WS_OK);
    assert_int_equal(ws_pack_compile(p, NULL, NULL), WS_OK);
    static const struct {
        uint32_t id;
        const char *provider, *p1, *p2, *want;
    } cases[] = {
        {601, "Security", "WmiApSrvEx", "C:\\WINDOWS\\system32\\x.exe",
         "kwampirs.service.installed"},
        {601, "Security", "WMI Performance Adapter Extension", "x.exe",
         "kwampirs.service.installed"},
        {601, "Security", "svc", "x.exe ControlTrace -Embedding -k y",
         "kwampirs.service.installed"},
        {601, "Security", "WmiApSrv", "C:\\WINDOWS\\system32\\wbem\\WmiApSrv.exe", NULL},
        {601, "Security", "PSEXESVC", "%SystemRoot%\\PSEXESVC.EXE",
         "generic.service.remote-windir"},
        {7035, "Service Control Manager", "WMI Performance Adapter Extension", "start",
         "kwampirs.service.started"},
        {7035, "Service Control Manager", "WMI Performance Adapter", "start", NULL},
        {592, "Security", "1234", "C:\\WINDOWS\\wmiapsrvce.exe", "kwampirs.process.dropper"},
        {592, "Security", "1234", "C:\\WINDOWS\\system32\\wbem\\wmiprvse.exe", NULL},
        {592, "Security", "1234", "C:\\WINDOWS\\Temp\\wmiprvse.exe", "kwampirs.process.dropper"},
        {517, "Security", "x", "y", "generic.eventlog.cleared"},
        {517, "SomethingElse", "x", "y", NULL},
    };
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct ws_evtx_field f[2] = {
            {{"param1", 6}, {cases[c].p1, strlen(cases[c].p1)}},
            {{"param2", 6}, {cases[c].p2, strlen(cases[c].p2)}},
        };
        struct ws_evtx_event ev;
        memset(&ev, 0, sizeof ev);
        ev.has_event_id = 1;
        ev.event_id = cases[c].id;
        ev.sys[WS_EVTX_SYS_PROVIDER] =
            (struct ws_evtx_str){cases[c].provider, strlen(cases[c].provider)};
        ev.fields = f;
        ev.n_fields = 2;
        const char *got = NULL;
        int hits = 0;
        for (size_t i = 0; i < ws_event_rules_count(p); i++) {
            struct ws_kv kv[8];
            size_t n;
            if (ws_event_rule_match(p, ws_event_rule_at(p, i), &ev, md, kv, 8, &n)) {
                got = ws_event_rule_at(p, i)->id;
                hits++;
            }
        }
        if (hits > 1 || (got == NULL) != (cases[c].want == NULL) ||
            (got && strcmp(got, cases[c].want) != 0))
            fail_msg("case %zu (%u %s): got %s (%d hits), want %s", c, (unsigned)cases[c].id,
                     cases[c].p1, got ? got : "nothing", hits,
                     cases[c].want ? cases[c].want : "nothing");
    }
    pcre2_match_data_free(md);
    ws_pack_free(p);
    ws_library_finish();
}

/* Allocation N fails for N = 1, 2, ...: a clear status, no crash or leak. */
static void alloc_failures(void **state)
{
    (void)state;
    static const char rules[] = "rule = a\nname = n\nmatch A|B|C regex x+\nmatch D in a|b|c\n"
                                "or\nmatch E not in @recon\n"
                                "detector = d\nkind = recon-burst\nname = z\n";
    int completed = 0;
    for (unsigned long n = 1; n < 2000 && !completed; n++) {
        ws_pack *p = NULL;
        ws_alloc_fail_at(n);
        ws_status st = ws_pack_new(&p);
        if (st == WS_OK)
            st = ws_pack_add_buffer(p, "x-event-rules.txt", rules, sizeof rules - 1, NULL, NULL);
        unsigned long used = ws_alloc_count();
        ws_alloc_fail_at(0);
        if (st == WS_OK && used < n) {
            completed = 1;
            assert_int_equal(ws_event_rules_count(p), 1);
            assert_int_equal(ws_event_detectors_count(p), 1);
        } else {
            assert_true(st == WS_OK || st == WS_E_NOMEM);
        }
        ws_pack_free(p);
    }
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_errors), cmocka_unit_test(operators),
        cmocka_unit_test(recon_lines),  cmocka_unit_test(recon_programs),
        cmocka_unit_test(builtin_xp),   cmocka_unit_test(alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

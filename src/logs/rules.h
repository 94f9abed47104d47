/*
 * rules.h - event rules: the data half of the log detectors.
 *
 * An event-rules pack file (docs/event-rules.md) holds two kinds of block:
 *   rule = ID       single-event rules: OR of groups, each an AND of match
 *                   lines `FIELD[|FIELD...] [not] OP VALUE`;
 *   detector = ID   switches on a correlation detector written in code
 *                   (kind = recon-burst | lateral-movement) and gives its
 *                   parameters (window, threshold) and its wording.
 * The pack loader (src/pack/pack.c) hands such files to
 * ws_event_rules_load(); a malformed block is an error finding with file and
 * line and is left out, the rest loads. Rules are immutable after loading
 * and are shared by every thread.
 */
#ifndef WS_LOGS_RULES_H
#define WS_LOGS_RULES_H

#include "core/compat.h"

#include <stddef.h>
#include <stdint.h>

#include "wormsign/evtx.h"
#include "wormsign/finding.h"

struct ws_pack;
struct ws_event_rules;

enum ws_rule_op {
    WS_OP_EQUALS = 0,
    WS_OP_IEQUALS,
    WS_OP_CONTAINS,
    WS_OP_ICONTAINS,
    WS_OP_STARTSWITH,
    WS_OP_ISTARTSWITH,
    WS_OP_ENDSWITH,
    WS_OP_IENDSWITH,
    WS_OP_REGEX,
    WS_OP_IN_SET,  /* in a|b|c: case-insensitive equality with one of them */
    WS_OP_IN_LIST, /* in @list: a pack list (services.*, recon) */
};

enum ws_rule_list {
    WS_LIST_SERVICE_NAME = 0, /* @services.name: services.txt entries of field "name" */
    WS_LIST_SERVICE_DISPLAY,  /* @services.display */
    WS_LIST_SERVICE_PATH,     /* @services.path */
    WS_LIST_RECON,            /* @recon: recon-commands.txt, compared as command lines */
};

struct ws_rule_cond {
    char **fields; /* alternatives: the first one the event has is used */
    size_t n_fields;
    enum ws_rule_op op;
    int negate;
    char *value; /* NUL-terminated; len excludes the NUL */
    size_t len;
    void *re; /* pcre2_code * for WS_OP_REGEX */
    char **set;
    size_t n_set;
    enum ws_rule_list list;
};

struct ws_rule_group {
    struct ws_rule_cond *c;
    size_t n, cap;
};

struct ws_event_rule {
    const char *id, *name, *description, *reference; /* owned by the pack's strings */
    const char *pack, *file;
    uint64_t line;
    int severity;
    int info; /* level = info: an INFO finding (context), not an alert */
    struct ws_rule_group *g;
    size_t n_groups, cap_groups;
};

enum ws_detector_kind { WS_DET_RECON_BURST = 1, WS_DET_LATERAL = 2 };

struct ws_event_detector {
    const char *id, *name, *description, *reference, *pack, *file;
    uint64_t line;
    enum ws_detector_kind kind;
    int severity;
    int severity_low;   /* lateral: an admin-share write with no service to complete it */
    int64_t window;     /* seconds */
    uint64_t threshold; /* recon: distinct commands */
};

/* Parse one event-rules file into the pack's set (created on first use).
 * Problems are emitted with file and line; *added counts rules and
 * detectors loaded. Fails only on WS_E_NOMEM. */
WS_MUST_CHECK ws_status ws_event_rules_load(struct ws_pack *p, const char *file, const char *data,
                                            size_t len, ws_emit_fn emit, void *user, size_t *added);
void ws_event_rules_free(struct ws_event_rules *s);

/* Rules and detectors of a pack (NULL/0 when it has none). */
size_t ws_event_rules_count(const struct ws_pack *p);
const struct ws_event_rule *ws_event_rule_at(const struct ws_pack *p, size_t i);
size_t ws_event_detectors_count(const struct ws_pack *p);
const struct ws_event_detector *ws_event_detector_at(const struct ws_pack *p, size_t i);

/* Does ev satisfy rule r? On a match, fills ev_out (up to cap) with the
 * fields the matching group tested (name, value borrowed from ev) and sets
 * *n_out. match_data: a pcre2_match_data * from the caller (one per thread). */
int ws_event_rule_match(const struct ws_pack *p, const struct ws_event_rule *r,
                        const struct ws_evtx_event *ev, void *match_data, struct ws_kv *ev_out,
                        size_t cap, size_t *n_out);

/* A field of an event by rule name: System names (EventID, Provider,
 * Channel, Computer, Level, Task, Keywords, UserID, EventRecordID, ...)
 * first, then EventData/UserData names (case-insensitive). */
int ws_event_get(const struct ws_evtx_event *ev, const char *name, const char **s, size_t *n,
                 char *num, size_t numcap);

/* Recon command-line matching (shared by `in @recon` and the burst
 * detector): returns the index of the pack's recon command that cmdline
 * runs, or -1. Recognises `cmd.exe /c "<command>" 2>nul` and a plain command
 * line whose program (path and .exe dropped) and arguments equal a command;
 * case-insensitive, runs of blanks compared as one, "[RANDOM]" matches any
 * name. */
long ws_recon_match(const struct ws_pack *p, const char *cmdline, size_t n, int *wrapped);

/* The published recon command text of index i. */
const char *ws_recon_command(const struct ws_pack *p, size_t i);

/* For process creations that log no command line (XP/2003 592): is image
 * (a path; folder and ".exe" dropped, case-insensitive) the program of a
 * recon command (its first word: net, ipconfig, wmic, ...; cmd.exe builtins
 * such as dir, set, ver and date start no process and never match)? Returns
 * the index of the first command it runs, or -1. */
long ws_recon_program(const struct ws_pack *p, const char *image, size_t n);

#endif

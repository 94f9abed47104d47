/*
 * status.h - the status codes every fallible libwormsign function returns.
 *
 * WS_OK is 0; errors are positive. Numbers are only ever added, never reused
 * or renumbered (as YARA keeps its retired codes in error.h), because they
 * appear in NDJSON output (error.code) and scripts compare them.
 */
#ifndef WORMSIGN_STATUS_H
#define WORMSIGN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WS_API __attribute__((visibility("default")))
#define WS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define WS_API
#define WS_MUST_CHECK
#endif

typedef enum ws_status {
    WS_OK = 0,
    WS_E_NOMEM = 1,       /* an allocation failed */
    WS_E_INVALID = 2,     /* a caller passed an impossible argument */
    WS_E_TRUNCATED = 3,   /* hostile input: the bytes stopped early */
    WS_E_CORRUPT = 4,     /* hostile input: values are impossible */
    WS_E_OVERFLOW = 5,    /* size arithmetic on input values overflowed */
    WS_E_TOO_LARGE = 6,   /* a named cap (limits.h) was reached */
    WS_E_IO = 7,          /* read/open/stat failed; errno in the last error */
    WS_E_NOT_FOUND = 8,   /* the named thing does not exist */
    WS_E_UNSUPPORTED = 9, /* feature not built in, or format not handled */
    WS_E_SYNTAX = 10,     /* a text format (IOC line, rule, option) is malformed */
    WS_E_CHANGED = 11,    /* the evidence changed while it was read */
    WS_E_SKIPPED = 12,    /* deliberately not examined (type, size, exclusion) */
    WS_E_YARA = 13,       /* libyara reported an error */
    WS_E_CANCELLED = 14,  /* the caller asked to stop */
    WS_E_PERM = 15,       /* permission denied */
} ws_status;

/* A stable short name for st ("ok", "nomem", "truncated", ...). Never NULL. */
WS_API const char *ws_status_str(ws_status st);

#ifdef __cplusplus
}
#endif
#endif

/*
 * status.c - names for ws_status values. The names are stable: they appear in
 * NDJSON error records as error.code.
 */
#include "core/compat.h"

const char *ws_status_str(ws_status st)
{
    switch (st) {
    case WS_OK:
        return "ok";
    case WS_E_NOMEM:
        return "nomem";
    case WS_E_INVALID:
        return "invalid";
    case WS_E_TRUNCATED:
        return "truncated";
    case WS_E_CORRUPT:
        return "corrupt";
    case WS_E_OVERFLOW:
        return "overflow";
    case WS_E_TOO_LARGE:
        return "too_large";
    case WS_E_IO:
        return "io";
    case WS_E_NOT_FOUND:
        return "not_found";
    case WS_E_UNSUPPORTED:
        return "unsupported";
    case WS_E_SYNTAX:
        return "syntax";
    case WS_E_CHANGED:
        return "changed";
    case WS_E_SKIPPED:
        return "skipped";
    case WS_E_YARA:
        return "yara";
    case WS_E_CANCELLED:
        return "cancelled";
    case WS_E_PERM:
        return "permission";
    }
    return "unknown";
}

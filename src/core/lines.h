/*
 * lines.h - iterate over the lines of a text buffer (IOC files, lists).
 *
 * Handles \n and \r\n, a missing final newline, a UTF-8 BOM on the first
 * line, and NUL bytes inside a line (reported as-is; parsers treat the line
 * as data of that length). Lines longer than the caller's cap are returned
 * with too_long set so the parser can report them with their number.
 */
#ifndef WS_LINES_H
#define WS_LINES_H

#include <string.h>

#include "core/compat.h"

struct ws_lines {
    const char *p, *end;
    uint64_t lineno;
};

static inline void ws_lines_init(struct ws_lines *it, const char *data, size_t len)
{
    it->p = data;
    it->end = data + len;
    it->lineno = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        it->p += 3;
}

/* Next line into (*line, *n) without its terminator; 0 at the end. */
static inline int ws_lines_next(struct ws_lines *it, const char **line, size_t *n)
{
    if (it->p >= it->end)
        return 0;
    const char *s = it->p;
    const char *nl = memchr(s, '\n', (size_t)(it->end - s));
    const char *e = nl ? nl : it->end;
    it->p = nl ? nl + 1 : it->end;
    if (e > s && e[-1] == '\r')
        e--;
    it->lineno++;
    *line = s;
    *n = (size_t)(e - s);
    return 1;
}

/* Trim ASCII spaces and tabs from both ends. */
static inline void ws_trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

#endif

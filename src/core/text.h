/*
 * text.h - making evidence text safe to print.
 *
 * Names and strings from evidence are data: they may hold invalid UTF-8,
 * control characters or newlines crafted to forge output lines. These
 * functions append an escaped form to a ws_buf:
 *   - JSON: valid UTF-8 is kept, every control character becomes \u00XX (or
 *     \n, \t ...), '"' and '\\' are escaped, each invalid byte becomes U+FFFD;
 *   - human: printable ASCII and valid non-control UTF-8 kept, everything
 *     else as \xNN (backslash itself kept: Windows paths are full of them);
 *   - CSV: RFC 4180 quoting over the human form.
 * ws_text_is_clean() says whether JSON escaping is lossless (valid UTF-8, no
 * bytes replaced), so a sink can add a lossless hex form when it is not.
 */
#ifndef WS_TEXT_H
#define WS_TEXT_H

#include "core/buf.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if p starts an invalid one. */
size_t ws_utf8_seq_len(const uint8_t *p, size_t n);
int ws_text_is_utf8(const void *p, size_t n);
WS_MUST_CHECK ws_status ws_text_json(struct ws_buf *b, const void *p, size_t n);
WS_MUST_CHECK ws_status ws_text_human(struct ws_buf *b, const void *p, size_t n);
WS_MUST_CHECK ws_status ws_text_csv(struct ws_buf *b, const void *p, size_t n);
WS_MUST_CHECK ws_status ws_text_hex(struct ws_buf *b, const void *p, size_t n);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void ws_hex_encode(const uint8_t *p, size_t n, char *out);
/* Decode 2n hex digits into n bytes; WS_E_SYNTAX on a non-hex digit. */
WS_MUST_CHECK ws_status ws_hex_decode(const char *hex, size_t n, uint8_t *out);
/* Parse a decimal number in [p, end) no larger than max; advance *p only on success. */
WS_MUST_CHECK ws_status ws_parse_u64(const char **p, const char *end, uint64_t max, uint64_t *out);

/* Offset of the last component of a path that may use '/' or '\\'. */
size_t ws_path_base_off(const char *path, size_t len);

#endif

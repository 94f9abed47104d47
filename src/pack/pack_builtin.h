/*
 * pack_builtin.h - the built-in Kwampirs pack as embedded bytes.
 * The table is generated at build time by cmake/embed.cmake from the files in
 * packs/kwampirs/ and ends with an entry whose name is NULL.
 */
#ifndef WS_PACK_BUILTIN_H
#define WS_PACK_BUILTIN_H

#include <stddef.h>

struct ws_builtin_file {
    const char *name;          /* file name inside packs/kwampirs */
    const unsigned char *data; /* NUL-terminated for convenience; len excludes it */
    size_t len;
};

extern const struct ws_builtin_file ws_builtin_pack_files[];

#endif

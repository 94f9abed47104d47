/*
 * filetype.h - the file type by magic bytes, as Loki's `filetype` YARA
 * external names it ("EXE", "ELF", "ZIP", "MDMP", ...; "" when unknown).
 */
#ifndef WS_FILETYPE_H
#define WS_FILETYPE_H

#include "core/compat.h"

/* Static string, never NULL. data may be NULL when len is 0. */
const char *ws_filetype_of(const uint8_t *data, size_t len);

#endif

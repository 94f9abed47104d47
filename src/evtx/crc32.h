/*
 * crc32.h - CRC-32 as used by EVTX (and zlib). Start with crc = 0; feed
 * consecutive pieces by passing the previous result.
 */
#ifndef WS_EVTX_CRC32_H
#define WS_EVTX_CRC32_H

#include "core/compat.h"

uint32_t ws_crc32(uint32_t crc, const void *p, size_t n);

#endif

/*
 * value.h - BinXML value types ([MS-EVEN6] 2.2.12 BinXmlValueType) and their
 * rendering to UTF-8 text, exactly as python-evtx renders each type in its
 * XML output (the differential oracle), except where docs/internals/evtx.md
 * says we deliberately differ (SYSTEMTIME milliseconds, non-string arrays).
 */
#ifndef WS_EVTX_VALUE_H
#define WS_EVTX_VALUE_H

#include "core/buf.h"

enum ws_bx_type {
    WS_BX_NULL = 0x00,
    WS_BX_WSTRING = 0x01, /* UTF-16LE */
    WS_BX_STRING = 0x02,  /* 8-bit (ANSI) */
    WS_BX_INT8 = 0x03,
    WS_BX_UINT8 = 0x04,
    WS_BX_INT16 = 0x05,
    WS_BX_UINT16 = 0x06,
    WS_BX_INT32 = 0x07,
    WS_BX_UINT32 = 0x08,
    WS_BX_INT64 = 0x09,
    WS_BX_UINT64 = 0x0A,
    WS_BX_FLOAT = 0x0B,
    WS_BX_DOUBLE = 0x0C,
    WS_BX_BOOL = 0x0D, /* 32-bit */
    WS_BX_BINARY = 0x0E,
    WS_BX_GUID = 0x0F,
    WS_BX_SIZE = 0x10, /* 4 or 8 bytes */
    WS_BX_FILETIME = 0x11,
    WS_BX_SYSTEMTIME = 0x12,
    WS_BX_SID = 0x13,
    WS_BX_HEX32 = 0x14,
    WS_BX_HEX64 = 0x15,
    WS_BX_EVTHANDLE = 0x20,
    WS_BX_BINXML = 0x21,
    WS_BX_EVTXML = 0x23,
    WS_BX_ARRAY = 0x80, /* flag: array of the base type */
    WS_BX_UTF8 = 0xFF   /* ours: text already decoded to UTF-8 (template literals) */
};

/* A value: its type and its bytes (borrowed from the chunk or the arena). */
struct ws_bx_value {
    uint8_t type;
    const uint8_t *p;
    size_t n;
};

/* Append the text of v to out. Never fails on odd input (a short value
 * renders as ""); fails only when out reaches its cap (WS_E_TOO_LARGE) or on
 * allocation (WS_E_NOMEM). A BinXML value renders as "" here: the walker
 * descends into it instead. */
WS_MUST_CHECK ws_status ws_bx_render(struct ws_buf *out, const struct ws_bx_value *v);

/* Append UTF-16LE (nbytes; an odd last byte is dropped) as UTF-8; a broken
 * surrogate becomes U+FFFD. */
WS_MUST_CHECK ws_status ws_utf16le_to_utf8(struct ws_buf *out, const uint8_t *p, size_t nbytes);

/* A FILETIME as python-evtx prints it: datetime.utcfromtimestamp(float(ft) *
 * 1e-7 - 11644473600).isoformat(' '), the double arithmetic and the
 * half-even rounding to microseconds included; "0001-01-01 00:00:00" when
 * the year is out of range. Returns the length written to out (>= 32 bytes). */
size_t ws_bx_filetime_py(uint64_t ft, char *out, size_t n);

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
void ws_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif

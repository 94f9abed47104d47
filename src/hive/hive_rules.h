/*
 * hive_rules.h - the registry tests themselves, as pure functions over
 * strings, so unit tests can drive them without a hive file.
 *
 * Every string is (pointer, length), UTF-8 as decoded from the hive, and
 * is compared ASCII-case-insensitively (Windows paths and service names are
 * case-insensitive; every indicator here is ASCII). None of these functions
 * allocates except the ones taking a struct ws_buf.
 */
#ifndef WS_HIVE_RULES_H
#define WS_HIVE_RULES_H

#include "core/buf.h"

/* Kwampirs service indicators (Greenbone gb_orangeworm_kwampirs_trojan_detect
 * counts the first three; FACTS.md 1.1). */
enum ws_hive_kw_flags {
    WS_HIVE_KW_NAME = 1u << 0,    /* service (key) name is exactly WmiApSrvEx */
    WS_HIVE_KW_DISPLAY = 1u << 1, /* DisplayName contains "WMI Performance Adapter Extension" */
    WS_HIVE_KW_IMAGE = 1u << 2,   /* ImagePath contains "ControlTrace -Embedding -k" */
    WS_HIVE_KW_FILE = 1u << 3,    /* ImagePath or ServiceDll names a Kwampirs file */
};

/* Generic traces of remote service creation in a service's ImagePath. */
enum ws_hive_lm_flags {
    WS_HIVE_LM_WINDIR = 1u << 0,     /* binary directly in the Windows folder (PSEXESVC) */
    WS_HIVE_LM_TEMP = 1u << 1,       /* binary in Windows\Temp or another Temp folder */
    WS_HIVE_LM_SHARE = 1u << 2,      /* binary on a UNC path or an admin share */
    WS_HIVE_LM_CMD = 1u << 3,        /* cmd.exe /c or /k (or %COMSPEC%) runs the service */
    WS_HIVE_LM_POWERSHELL = 1u << 4, /* powershell or pwsh anywhere in the command */
    WS_HIVE_LM_RUNDLL32 = 1u << 5,   /* rundll32 with a DLL in Windows\, a Temp folder or a share */
};

/* Kwampirs indicators of one service; 0 if none. The genuine WmiApSrv
 * ("WMI Performance Adapter", wbem\WmiApSrv.exe) gives 0. */
unsigned ws_hive_kwampirs_service(const char *name, size_t name_len, const char *display,
                                  size_t display_len, const char *image, size_t image_len);

/* Severity (0..100) of a Kwampirs service finding: 75 for one indicator, 90
 * for two (Greenbone's 2-of-3 alert threshold), 100 for three or more. */
int ws_hive_kwampirs_severity(unsigned kw_flags);

/* The Kwampirs payload or dropper file named in a command line or path
 * (FACTS.md 1.3), as a static lowercase string, or NULL. A name counts only
 * as a whole file name (after a separator, before a separator or the end);
 * wmiprvse.exe counts only when not in a \wbem\ folder (the genuine WMI
 * Provider Host). */
const char *ws_hive_kwampirs_file(const char *s, size_t len);

/* Lateral-movement traces (enum ws_hive_lm_flags) of a service ImagePath.
 * WS_E_NOMEM only (scratch copy in tmp, which is reset first). */
WS_MUST_CHECK ws_status ws_hive_image_classify(const char *image, size_t len, struct ws_buf *tmp,
                                               unsigned *flags);

/* Append the names of the set flags, comma-separated, to out. */
WS_MUST_CHECK ws_status ws_hive_kw_names(unsigned kw_flags, struct ws_buf *out);
WS_MUST_CHECK ws_status ws_hive_lm_names(unsigned lm_flags, struct ws_buf *out);

/* Name of a service Start value ("boot", "system", "auto", "demand",
 * "disabled") or "unknown". */
const char *ws_hive_start_name(uint32_t start);

/* Append UTF-16LE (p, n) as UTF-8 to out, stopping at the first NUL code
 * unit; a lone surrogate becomes U+FFFD, an odd last byte is ignored. */
WS_MUST_CHECK ws_status ws_hive_utf16_to_utf8(const uint8_t *p, size_t n, struct ws_buf *out);

/* FILETIME (100 ns since 1601) to Unix seconds; WS_TIME_UNKNOWN for 0. */
int64_t ws_hive_filetime_to_unix(uint64_t ft);

#endif

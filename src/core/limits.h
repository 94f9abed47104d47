/*
 * limits.h - every cap on a size, count or depth that comes from input.
 *
 * Each has a reason beside it (YARA limits.h, curl dynbuf.h DYN_*). Tests
 * exercise each at 0, limit-1, limit and limit+1.
 */
#ifndef WS_LIMITS_H
#define WS_LIMITS_H

/* IOC text files: Loki's longest signature-base line is ~1.3 KiB; 64 KiB leaves
 * room for long regexes while bounding a hostile single-line file. */
#define WS_MAX_IOC_LINE 65536

/* A path we will build. PATH_MAX is 4096 on Linux; trees mounted from Windows
 * can be deeper with long names (\\?\ paths reach 32767 UTF-16 units). */
#define WS_MAX_PATH 32768

/* Directory nesting we descend before reporting and stopping (loops via bind
 * mounts, hostile trees). NTFS paths cannot nest deeper than ~16k levels. */
#define WS_MAX_DEPTH 4096

/* Evidence key/values a single finding may carry. */
#define WS_MAX_EVIDENCE 64

/* YARA string matches reported per rule per file (the rest are counted). */
#define WS_MAX_REPORTED_MATCHES 16

/* Bytes of a matched string copied into a finding (hex-encoded later). */
#define WS_MAX_MATCH_BYTES 64

/* Default size above which a file is hashed and name-checked but not given to
 * YARA: 64 MiB covers every PE a dropper writes; bigger files are disk images,
 * archives and databases. Also caps per-thread buffer memory. */
#define WS_DEFAULT_MAX_SCAN_SIZE (64u * 1024u * 1024u)

/* Chunk used to stream files larger than the scan buffer through the digests. */
#define WS_STREAM_CHUNK (1u << 20)

/* Files queued between the walker and the workers (YARA MAX_QUEUED_FILES 64). */
#define WS_WORK_QUEUE 256

/* Pack files: a single YARA source or IOC file larger than this is refused
 * (signature-base's largest .yar is ~3 MiB). */
#define WS_MAX_PACK_FILE (256u * 1024u * 1024u)

/* Files a folder pack may contain before we refuse to walk further. */
#define WS_MAX_PACK_FILES 100000

/* ---- registry hives (src/hive/) ---- */

/* Subkeys of one key we enumerate (root, ControlSet00N, Services). A real
 * Services key holds 400-800 services (1,500 on a busy server); yarp's
 * ManySubkeysHive has 5,000. libregf's cost per subkey index grows with the
 * list (16,384 keys take ~2 s, 65,536 ~30 s), so the cap bounds the time a
 * hostile subkey count can cost. */
#define WS_MAX_HIVE_SUBKEYS 16384

/* Control sets scanned per hive. Windows keeps two to four (current,
 * LastKnownGood, failed); more only come from a crafted hive. */
#define WS_MAX_HIVE_CONTROL_SETS 16

/* Values of one key we enumerate (Run keys). A service key has ~10 values;
 * busy Run keys a few dozen. */
#define WS_MAX_HIVE_VALUES 4096

/* Bytes of one REG_SZ/REG_EXPAND_SZ value we decode. Image paths are bound
 * by the 32,767-character command line limit (64 KiB of UTF-16). */
#define WS_MAX_HIVE_STRING 65536

/* Bytes of a key or value name. Windows caps key names at 255 and value
 * names at 16,383 characters (UTF-8 of those fits easily). */
#define WS_MAX_HIVE_NAME 65536

/* Bytes of one hive bin the pre-pass (src/hive/regf_check.c) reads at once.
 * Windows writes bins of 4-16 KiB; a bin holding one large cell (a big value
 * list) grows to that cell. 16 MiB is far beyond real bins; a larger one is
 * left to libregf unchecked. Also >= WS_STREAM_CHUNK (staging copy). */
#define WS_MAX_HIVE_BIN (16u * 1024u * 1024u)

/* Key nodes with impossible value counts that we clamp in a private copy
 * (regf_check.h). More than this and the hive is crafted: not scanned. */
#define WS_MAX_HIVE_FIXES 64

/* Seconds one hive may take before the walk stops with a too_large error.
 * A 100 MB SOFTWARE or SYSTEM hive takes under 2 s; a crafted one can make
 * a single libregf call take ~12 s (libcdata's array limit) and repeat it per
 * key, so only a time budget bounds every such amplification. */
#define WS_MAX_HIVE_SECONDS 60

/* Subkeys an "ri" index root may list in all before the pre-pass clamps it.
 * The biggest real lists (SOFTWARE\Classes, CLSID) hold tens of thousands;
 * libregf spends ~2 s per 800,000 entries each time such a key is opened. */
#define WS_MAX_HIVE_INDEX_ENTRIES 262144

/* Index leaves the pre-pass reads per hive (one small read each); bounds the
 * pre-pass on a hive made of index roots. */
#define WS_MAX_HIVE_INDEX_READS (4u * 1024u * 1024u)

/* Text of a libregf error backtrace kept in an error finding. */
#define WS_MAX_HIVE_ERROR_TEXT 2048

#endif

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

/* ---- variant (src/variant/) ---- */

/* A digest line: 7 fixed fields take < 700 bytes; the name is a path,
 * percent-encoded (up to 3 x WS_MAX_PATH in theory; 64 KiB is plenty for a
 * reference name and bounds a hostile single-line pack). */
#define WS_MAX_DIGEST_LINE 65536

/* References one database holds: each costs ~1 KiB with its indexes, so
 * 1,000,000 bound memory near 1 GiB; real packs hold thousands. */
#define WS_MAX_VARIANT_REFS 1000000

/* Largest file `wormsign digest` reads as a reference (a payload DLL is
 * under 10 MiB; 256 MiB matches WS_MAX_PACK_FILE). */
#define WS_MAX_DIGEST_INPUT (256u * 1024u * 1024u)

#endif

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

/* ---- disk images (src/source/source_tsk.c) ---- */

/* Partitions of one image that are opened: GPT allows 128 entries by
 * default; an MBR extended chain on a real disk has a few dozen at most. A
 * hostile chain beyond this is cut off with an error finding. */
#define WS_MAX_IMAGE_PARTS 256

/* Entries of one folder inside an image kept in the walker's listing cache:
 * the largest real Windows folders (WinSxS, System32\DriverStore) hold
 * tens of thousands; this bounds one listing at some 30 MiB for a
 * hostile index while leaving real ones whole. */
#define WS_MAX_IMAGE_DIR_ENTRIES 262144

/* NTFS alternate data streams listed per file: Windows writes one or two
 * (Zone.Identifier, SmartScreen); a hostile MFT record can declare hundreds. */
#define WS_MAX_IMAGE_STREAMS 64

#endif

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

/* ---- network captures (src/net) ---- */

/* TCP flows tracked at once per capture. A /16 scan fills 65536 flows; beyond
 * that new flows are counted and ignored (one error finding), never allocated. */
#define WS_NET_MAX_FLOWS 65536

/* Out-of-order TCP bytes held per flow direction while waiting for a hole to
 * fill: 1 MiB is ~16 full 64 KiB windows, more than any capture we replay
 * reorders; past it the hole is declared a gap. */
#define WS_NET_MAX_OOO_FLOW (1u << 20)

/* Out-of-order TCP bytes held over all flows of a capture. */
#define WS_NET_MAX_OOO_TOTAL (64u * 1024u * 1024u)

/* Out-of-order segments held per flow direction (bounds list walking). */
#define WS_NET_MAX_OOO_SEGS 1024

/* One NetBIOS session message (SMB1/SMB2 PDU). Direct-TCP framing has a 24-bit
 * length, so 16 MiB is the largest legal message; SMB2 writes are at most 8 MiB. */
#define WS_NET_MAX_SMB_MSG (16u * 1024u * 1024u)

/* Bytes buffered for partial stream messages over all flows of a capture. */
#define WS_NET_MAX_STREAM_TOTAL (256u * 1024u * 1024u)

/* SMB2 commands chained in one compound message (NextCommand); Windows sends
 * at most a handful, 64 bounds a hostile chain of tiny headers. */
#define WS_NET_MAX_COMPOUND 64

/* Per SMB connection: sessions, tree connects, open files and requests awaiting
 * a response. Windows clients keep a few dozen opens; 1024 covers bulk copies. */
#define WS_NET_MAX_SMB_SESSIONS 64
#define WS_NET_MAX_SMB_TREES 256
#define WS_NET_MAX_SMB_OPENS 1024
#define WS_NET_MAX_SMB_PENDING 1024

/* A name from the wire (share path, file name, user, service name) after UTF-8
 * conversion. NTFS paths are at most 32767 UTF-16 units (x3 in UTF-8). */
#define WS_NET_MAX_NAME (3u * 32768u)

/* An NTLM user, domain or workstation name on the wire: AD account names are
 * at most 256 characters (sAMAccountName 20, UPN 256), NetBIOS names 15. */
#define WS_NET_MAX_ACCOUNT_NAME 1024

/* One DCE/RPC fragment: frag_length is 16 bits (MS-RPCE 2.2.2.1, C706 12.6). */
#define WS_NET_MAX_DCE_FRAG 65535u

/* A reassembled DCE/RPC stub (all fragments of one call). svcctl requests are
 * a few KiB; 1 MiB leaves room for long binary paths and any other interface. */
#define WS_NET_MAX_DCE_STUB (1u << 20)

/* Presentation contexts negotiated on one pipe/connection (bind and
 * alter_context items); Windows binds 1-3, the field allows 255. */
#define WS_NET_MAX_DCE_CTX 32

/* Calls awaiting a response and SCM handles remembered per pipe. */
#define WS_NET_MAX_DCE_CALLS 64
#define WS_NET_MAX_DCE_HANDLES 256

/* Service creations and written files remembered per capture for correlation. */
#define WS_NET_MAX_SERVICES 4096
#define WS_NET_MAX_FILES 65536

/* A file rebuilt from SMB writes: 64 MiB matches the file pipeline's default
 * scan size (WS_DEFAULT_MAX_SCAN_SIZE); larger files are hashed no further. */
#define WS_NET_MAX_FILE_BYTES (64u * 1024u * 1024u)

/* Bytes of rebuilt files held in memory at once over a capture. */
#define WS_NET_MAX_FILE_TOTAL (256u * 1024u * 1024u)

/* Distinct write extents tracked per file before it is declared fragmented. */
#define WS_NET_MAX_FILE_EXTENTS 4096

/* Bytes of dissector state over a capture: flow records, SMB sessions, trees,
 * opens and pending requests with their names, DCE/RPC pipes, file and
 * service records. Every table above has its own cap per connection; this one
 * bounds their sum over thousands of connections (a hostile capture opening
 * 65536 flows with 1024 long-named opens each). 128 MiB holds ~300k opens
 * with typical names. */
#define WS_NET_MAX_STATE_BYTES (128u * 1024u * 1024u)

/* Frame numbers listed as evidence on one finding. */
#define WS_NET_MAX_FRAMES 16

/* Error findings per capture before further ones are only counted: a garbled
 * capture must not bury real alerts under a million identical errors. */
#define WS_NET_MAX_ERRORS 200

#endif

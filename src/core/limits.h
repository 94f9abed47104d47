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

/* ---- EVTX reader (src/evtx/) ---- */

/* Element and nested-BinXML depth inside one record. Real events nest about
 * 6 deep (Event/UserData/X/Y); 64 leaves room for odd providers while keeping
 * the walker's recursion shallow on hostile input. */
#define WS_EVTX_MAX_DEPTH 64

/* Substitution values of one template instance. Each needs a 4-byte
 * descriptor inside a record of at most 64 KiB, so 16384 is the format's own
 * bound; real templates use fewer than 100. */
#define WS_EVTX_MAX_SUBSTITUTIONS 16384

/* Distinct templates compiled in one chunk. A 64 KiB chunk cannot hold more
 * than 64 KiB / 34 bytes (smallest definition) ~ 1927 definitions. */
#define WS_EVTX_MAX_TEMPLATES 2048

/* Compiled operations kept for one chunk (all its templates): at most one per
 * input byte plus one per element, so 2 x chunk size bounds it. */
#define WS_EVTX_MAX_CHUNK_OPS (2u * 65536u)

/* Operations compiled in one chunk, counting failed and repeated attempts
 * (overlapping hostile definitions, plain BinXML compiled per use): 8x what
 * a chunk can hold, so a chunk costs at most a few million cheap steps. */
#define WS_EVTX_MAX_CHUNK_WORK (8u * 65536u)

/* Work done for one record (operations executed, counting each nested
 * template instance again). Nested BinXML values may re-instantiate a large
 * template many times; a real record takes a few hundred steps. */
#define WS_EVTX_MAX_RECORD_STEPS (1u << 20)

/* Rendered text of one record (names and values, UTF-8). A 64 KiB record
 * renders to at most ~2x (UTF-16 to UTF-8 is at most 1.5x, base64 1.34x);
 * template repetition through nested BinXML is what this bounds. */
#define WS_EVTX_MAX_RECORD_TEXT (8u * 1024u * 1024u)

/* Named fields kept per event; the rest are dropped with an error item.
 * Windows caps EventData at a few hundred insertion strings. */
#define WS_EVTX_MAX_FIELDS 4096

/* Bytes scanned forward to find the next record after a corrupt one: the
 * whole chunk (records never cross a chunk). */
#define WS_EVTX_MAX_RESYNC 65536

/* ---- SMB sources and sweeps (branch smb) ---- */

/* Connections (libsmbclient contexts) one pool may open to one server: a
 * sweep must stay gentle on a clinical workstation; 16 is already a lot. */
#define WS_SMB_MAX_CONNS 16

/* SMB servers one scanner may hold pools for at once (one per smb:// root
 * server); more distinct servers in one scan are refused. */
#define WS_SMB_MAX_SERVERS 64

/* Entries we read from one remote folder or share list before giving up
 * (a hostile server can list forever). System32 holds ~20k entries. */
#define WS_SMB_MAX_DIR_ENTRIES 1000000

/* Largest NEGOTIATE response we read while probing dialects (MS-SMB2 caps a
 * negotiate response by MaxTransactSize; real ones are a few hundred bytes
 * plus the SPNEGO blob). */
#define WS_SMB_MAX_NEG_RESPONSE 65536

/* Hosts one sweep may hold (a /16 is 65534 addresses). */
#define WS_SWEEP_MAX_HOSTS 65536

/* Largest file a sweep copies for the log and hive detectors: a Security.evtx
 * can be configured large; 1 GiB bounds the temporary folder per file. */
#define WS_SWEEP_MAX_COLLECT ((uint64_t)1 << 30)

/* Files a sweep collects from one host (logs + hive copies). */
#define WS_SWEEP_MAX_COLLECT_FILES 4096
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
/* ---- Event rules and log hunting (src/logs) ---- */

/* Event rules per pack set: a hand-written pack holds tens; a generated one
 * (Sigma conversion) a few thousand. */
#define WS_MAX_EVENT_RULES 8192

/* OR groups per rule and match lines per group: Sigma rules rarely exceed a
 * dozen of either. */
#define WS_MAX_RULE_GROUPS 64
#define WS_MAX_RULE_CONDS 64

/* Alternative field names in one match line (ServiceName|param1|...) and
 * values in one literal `in a|b|c` set. */
#define WS_MAX_RULE_ALTS 16
#define WS_MAX_RULE_SET 256

/* Bytes of one rule-file line; longer lines are errors (a regex this long is
 * a mistake). */
#define WS_MAX_RULE_LINE 4096

/* Facts kept across files for the correlation detectors (logons, share
 * writes, service installs, recon commands): each costs ~100 bytes plus its
 * strings; 1M facts bound memory near 200 MB for the largest Security logs.
 * Facts beyond are dropped with one error finding per run. */
#define WS_MAX_LOG_FACTS (1u << 20)

/* Bytes of one string kept in a fact (paths, command lines, names). */
#define WS_MAX_FACT_STR 1024

/* Record ids listed in one correlation finding's evidence. */
#define WS_MAX_FACT_RECORDS 64
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
/* ITaskSchedulerService (tsch.c): a task definition's XML in UTF-16 units
 * (real ones are 2-4 KB; the schema allows many actions, not megabytes), a
 * value taken from it, and how many Exec actions' commands are listed. */
#define WS_NET_TSCH_MAX_XML_CHARS (256u * 1024u)
#define WS_NET_TSCH_MAX_VALUE 8192u
#define WS_NET_TSCH_MAX_ACTIONS 8

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

/* ---- net: Kwampirs C2 in DNS, HTTP and TLS (src/net/c2.c, tls.c) ---- */

/* Questions and answer records read from one DNS message: real resolvers send
 * one question and a handful of answers; the counts in the header are
 * attacker-chosen 16-bit numbers. */
#define WS_NET_DNS_MAX_QUESTIONS 16
#define WS_NET_DNS_MAX_ANSWERS 64

/* Compression pointers followed while reading one name: a legal name has at
 * most 127 labels, and a pointer loop must end. */
#define WS_NET_DNS_MAX_POINTERS 64

/* Text of one decoded DNS name: 255 wire bytes, each escaped as \DDD at worst. */
#define WS_NET_DNS_MAX_NAME_TEXT 1024

/* Header block of one HTTP request (request line and headers) buffered per
 * connection: servers commonly refuse more than 8-16 KiB. */
#define WS_NET_HTTP_MAX_HEADER (32u * 1024u)

/* HTTP requests of one connection awaiting their responses (pipelining):
 * browsers pipeline a handful at most; past the cap the oldest is reported
 * without its response and that response is skipped. */
#define WS_NET_HTTP_MAX_PENDING 8

/* One TLS ClientHello (handshake message body) buffered per flow: real ones
 * are 0.2-2 KiB (post-quantum key shares ~1.2 KiB, padding to 512 bytes);
 * the u24 length field allows 16 MiB. */
#define WS_NET_TLS_MAX_HELLO (64u * 1024u)

/* A JA3 string: every cipher, extension and group of a legal ClientHello of
 * WS_NET_TLS_MAX_HELLO bytes could need ~200 KiB; real ones are < 1 KiB.
 * Longer ones give no JA3 rather than a truncated (wrong) one. */
#define WS_NET_TLS_MAX_JA3 (16u * 1024u)

/* ALPN protocol names of one ClientHello as text (evidence only). */
#define WS_NET_TLS_MAX_ALPN_TEXT 512

/* Patterns compiled from a pack's net-patterns lists (all kinds). */
#define WS_NET_C2_MAX_PATTERNS 256

/* Distinct C2 findings (rule, client, indicator) remembered per capture so a
 * beaconing host gives one finding per indicator, not one per request; past
 * the cap, findings are emitted without de-duplication. */
#define WS_NET_C2_MAX_SEEN 65536
/* ---- net: DICOM and the host inventory (src/net/dicom.c, inventory.c) ---- */

/* One A-ASSOCIATE-RQ/AC/RJ, A-RELEASE or A-ABORT PDU, buffered whole before it
 * is parsed (P-DATA is never buffered: its bytes are only counted off). An RQ
 * with all 128 presentation contexts (odd IDs 1..255, PS3.8 9.3.2.2) of a few
 * transfer syntaxes each, plus extended negotiation, stays under 32 KiB. */
#define WS_NET_DICOM_MAX_ASSOC_PDU (64u * 1024u)

/* Items and sub-items walked in one associate PDU: at most 128 presentation
 * contexts plus the application context and user information items. */
#define WS_NET_DICOM_MAX_ITEMS 256
/* Sub-items of one presentation context (1 abstract + transfer syntaxes) or of
 * the user information item; real peers send a handful. */
#define WS_NET_DICOM_MAX_SUBITEMS 64

/* PDUs read per delivery: each pass consumes at least a 6-byte header. */
#define WS_NET_DICOM_MAX_PDUS 65536

/* Hosts in one capture's inventory: a hospital segment holds a few thousand;
 * past the cap new hosts are not recorded (one note says so). */
#define WS_NET_MAX_HOSTS 4096

/* Per host: distinct DICOM AE titles kept per role, and abstract syntax
 * (SOP class) UIDs kept: a modality uses one or two AE titles and a handful
 * of SOP classes; a PACS more, which the counts still show. */
#define WS_NET_INV_MAX_AE 4
#define WS_NET_INV_MAX_SOP 16

/* Text kept from the wire for the inventory (SMB1 NativeOS/NativeLanMan, DICOM
 * implementation class UID (64 by PS3.5 9.1) and version name (16)). */
#define WS_NET_INV_MAX_TEXT 128

/* ---- EVTX parallel reading (evtx/parallel.c) ---- */

/* Worker threads parsing one EVTX file's chunks: past 16, output writing on
 * the caller's thread is the bottleneck, and each thread holds a window of
 * rendered chunks (2 x threads in flight). */
#define WS_EVTX_MAX_THREADS 16u

/* Rendered bytes of one chunk's records (`logs dump`): a 64 KiB chunk of
 * small records referencing a large template expands ~100x at worst. */
#define WS_EVTX_CHUNK_OUT_MAX (32u * 1024u * 1024u)

#endif

/*
 * net_int.h - what the pieces of src/net share.
 *
 * Data flows one way through one capture (struct net_ctx):
 *
 *   capture.c  libpcap frames -> link layer -> IPv4/IPv6 -> TCP segment
 *   tcp.c      flow table, per-direction reassembly -> in-order bytes
 *   app.c      picks the protocol of a flow (SMB or DCE/RPC) and feeds it
 *   smb.c      NetBIOS session framing, SMB1 and SMB2 dissection
 *   ntlmssp.c  AUTHENTICATE message (user, domain, workstation)
 *   dcerpc.c   DCE/RPC PDU framing, fragments, bind contexts, calls
 *   ndr.c      NDR 2.0 / NDR64 stub reading (strings, unique pointers)
 *   svcctl.c   MS-SCMR NDR stubs (RCreateService*, OpenService, StartService)
 *   tsch.c     MS-TSCH ITaskSchedulerService SchRpcRegisterTask (task XML)
 *   files.c    rebuilding files from writes, SHA-256
 *   detect.c   service/file records, correlation, findings
 *   c2.c       Kwampirs C2 in DNS (UDP and TCP port 53), HTTP requests (with
 *              their responses) and TLS ClientHellos
 *   tls.c      TLS records -> ClientHello: SNI, ALPN, JA3
 *   dicom.c    DICOM Upper Layer associations (PS3.8): AE titles, SOP classes
 *   inventory.c  per-host facts (SMB dialects and OS, DICOM roles) for the
 *              net.inventory.host findings and the notes on alerts
 *
 * Every buffer that holds stream bytes is a struct net_sbuf, accounted against
 * the capture-wide cap WS_NET_MAX_STREAM_TOTAL. Nothing here is thread-safe:
 * one net_ctx belongs to one thread.
 */
#ifndef WS_NET_INT_H
#define WS_NET_INT_H

#include "core/compat.h"

#include <stdarg.h>

#include "core/buf.h"
#include "core/cur.h"
#include "core/limits.h"
#include "wormsign/net.h"

struct net_ctx;
struct net_flow;
struct smb_conn;
struct dce_pipe;
struct net_file;

/* The frame being processed. */
struct net_pkt {
    uint64_t frame; /* 1-based, as Wireshark numbers frames */
    int64_t sec;
    int32_t usec;
};

/* Endpoints of a TCP flow as text, client first. */
struct net_ends {
    char cli_ip[48];
    char srv_ip[48];
    uint16_t cli_port;
    uint16_t srv_port;
};

/* The account behind an SMB session or an authenticated RPC binding. */
struct net_account {
    char *user;
    char *domain;
    char *workstation;
};

void net_account_release(struct net_account *a);
/* Copy src into dst (dst released first). */
WS_MUST_CHECK ws_status net_account_copy(struct net_account *dst, const struct net_account *src);

/* ---- stream buffers with capture-wide accounting ---- */

struct net_sbuf {
    struct ws_buf b;
};

void net_sbuf_init(struct net_sbuf *s, size_t max);
void net_sbuf_release(struct net_ctx *c, struct net_sbuf *s);
void net_sbuf_reset(struct net_ctx *c, struct net_sbuf *s);
/* Append; WS_E_TOO_LARGE past the buffer's cap or the capture's total cap. */
WS_MUST_CHECK ws_status net_sbuf_add(struct net_ctx *c, struct net_sbuf *s, const void *p,
                                     size_t n);
/* Drop the first n bytes. */
void net_sbuf_consume(struct net_ctx *c, struct net_sbuf *s, size_t n);

/* ---- state accounting (WS_NET_MAX_STATE_BYTES) ---- */

/* Charge n bytes of dissector state; 0 (and one ERROR finding per capture)
 * when the capture's budget is spent. */
int net_charge(struct net_ctx *c, size_t n);
void net_uncharge(struct net_ctx *c, size_t n);
/* Bytes a string costs (0 for NULL). */
size_t net_str_cost(const char *s);
size_t net_account_cost(const struct net_account *a);
/* Room for element number n (0-based) in a table of *cap elements of sz
 * bytes, growing it geometrically up to max elements and charging the growth.
 * WS_E_TOO_LARGE when n >= max or the budget is spent, WS_E_NOMEM. */
WS_MUST_CHECK ws_status net_table_room(struct net_ctx *c, void **arr, size_t *cap, size_t n,
                                       size_t sz, size_t max);

/* ---- the capture ---- */

struct net_svc;
struct net_c2;
struct c2_stream;
struct net_inv;

struct net_ctx {
    struct ws_net *net;
    const struct ws_net_opts *opts;
    struct ws_net_stats *stats;
    const char *path;
    int stop;          /* a callback asked to stop */
    struct net_pkt pk; /* current frame */

    /* flows (tcp.c) */
    struct net_flow **buckets;
    size_t nbuckets;
    struct net_flow *flows; /* every flow, newest first */
    size_t nflows;
    int flows_full_reported;
    size_t ooo_total;
    size_t stream_total;
    size_t file_total;
    size_t state_bytes;
    int state_full_reported;

    /* detection state (detect.c) */
    struct net_svc *svcs;
    size_t nsvcs, svc_cap;
    struct net_file **files;
    size_t nfiles, files_cap;
    char **smb1_only; /* 'S'+server that answered an SMB2-capable negotiate in SMB1,
                         'C'+client that offered only SMB1 dialects */
    size_t n_smb1_only, smb1_cap;

    uint64_t errors;
    uint64_t errors_suppressed;

    /* C2 detection (c2.c): tables of the ws_net (NULL without a pack) and
     * hashes of the findings already emitted in this capture */
    const struct net_c2 *c2;
    uint64_t *c2_seen;
    size_t n_c2_seen, c2_seen_cap;
    int dns_malformed_reported;

    /* host inventory (inventory.c), NULL until the first fact */
    struct net_inv *inv;
    int tls_malformed_reported;
};

/* ---- findings (detect.c) ---- */

/* Emit an ERROR (or, with info != 0, INFO) finding about the capture: rule_id
 * like "net.error.truncated", a printf-style message, the flow if known. */
/* A finding of this capture: kind, ruleset "net", source "pcap", path the
 * capture's name, time unknown; the caller fills the rest. */
void net_finding_init(const struct net_ctx *c, struct ws_finding *f, enum ws_finding_kind kind);
void net_report(struct net_ctx *c, int info, const char *rule_id, ws_status st,
                const struct net_ends *e, const char *fmt, ...) WS_PRINTF(6, 7);

/* ---- capture.c / tcp.c ---- */

WS_MUST_CHECK ws_status net_ctx_init(struct net_ctx *c, struct ws_net *n,
                                     const struct ws_net_opts *o, struct ws_net_stats *st,
                                     const char *path);
/* Finish every flow, correlate, emit the findings, free everything. */
void net_ctx_finish(struct net_ctx *c);

/* One link-layer frame. */
void net_frame(struct net_ctx *c, int linktype, const uint8_t *p, size_t caplen);

/* One TCP segment (from capture.c). family 4 or 6; addresses in network order.
 * have: bytes captured; wire: the segment's length per the IP header. */
void tcp_segment(struct net_ctx *c, int family, const uint8_t *src, const uint8_t *dst,
                 const uint8_t *tcp, size_t have, size_t wire);
void tcp_finish_all(struct net_ctx *c);
WS_MUST_CHECK ws_status net_flows_init(struct net_ctx *c);

/* ---- app.c: in-order bytes of one direction (to_server 1: client->server) ---- */

struct net_app {
    int proto; /* NET_APP_* */
    int tries; /* deliveries that matched no protocol yet */
    struct smb_conn *smb;
    struct dce_pipe *dce;
    struct c2_stream *c2s; /* HTTP or DNS over TCP */
    struct dicom_conn *dicom;
    struct net_account acct; /* DCE/RPC over TCP: from NTLMSSP in the binding */
};

enum {
    NET_APP_UNKNOWN = 0,
    NET_APP_SMB,
    NET_APP_DCERPC,
    NET_APP_NONE,
    NET_APP_HTTP,
    NET_APP_DNS,
    NET_APP_DICOM,
    NET_APP_TLS
};
/* The protocols c2.c reads through a struct c2_stream. */
#define NET_APP_IS_C2(p) ((p) == NET_APP_HTTP || (p) == NET_APP_DNS || (p) == NET_APP_TLS)

void app_data(struct net_ctx *c, struct net_app *a, const struct net_ends *e, int to_server,
              const uint8_t *p, size_t n);
/* Bytes were lost in this direction: reset framing. */
void app_gap(struct net_ctx *c, struct net_app *a, int to_server);
void app_release(struct net_ctx *c, struct net_app *a);

/* ---- net_fuzz.c: drive one dissector over chunked raw bytes (fuzzers, tests) ---- */

WS_MUST_CHECK ws_status net_fuzz_stream(int proto, const uint8_t *p, size_t n, ws_emit_fn emit,
                                        void *user);
/* The same with a pack (borrowed) for the C2 checks of HTTP, DNS and TLS. */
WS_MUST_CHECK ws_status net_fuzz_stream_pack(int proto, const struct ws_pack *pack,
                                             const uint8_t *p, size_t n, ws_emit_fn emit,
                                             void *user);

/* ---- c2.c ---- */

/* Tables built from a pack (one per ws_net); WS_E_NOMEM. */
WS_MUST_CHECK ws_status net_c2_new(const struct ws_pack *p, struct net_c2 **out);
void net_c2_free(struct net_c2 *x);
/* The ws_net's tables, or NULL (net.c). */
const struct net_c2 *net_c2_of(const struct ws_net *n);
/* One DNS message; pkt: the packet's own endpoints (cli = sender). */
void c2_dns_message(struct net_ctx *c, const struct net_ends *pkt, const char *transport,
                    const uint8_t *p, size_t n);
/* One UDP datagram (from capture.c); have: bytes captured from the UDP header on. */
void udp_datagram(struct net_ctx *c, int family, const uint8_t *src, const uint8_t *dst,
                  const uint8_t *udp, size_t have);
/* Do the first client bytes of a flow start an HTTP request line? */
int c2_looks_http(const uint8_t *p, size_t n);
/* Do the first client bytes of a flow start a TLS handshake record (tls.c)? */
int c2_looks_tls(const uint8_t *p, size_t n);
/* A TCP stream carrying kind NET_APP_HTTP, NET_APP_DNS or NET_APP_TLS. */
struct c2_stream *c2_stream_new(struct net_ctx *c, int kind);
void c2_stream_free(struct net_ctx *c, struct c2_stream *s);
void c2_stream_data(struct net_ctx *c, struct c2_stream *s, const struct net_ends *e, int to_server,
                    const uint8_t *p, size_t n);
void c2_stream_gap(struct net_ctx *c, struct c2_stream *s, int to_server);

/* ---- dicom.c ---- */

struct dicom_conn;
/* Is this the start of a DICOM flow? Any port: the client's first bytes are
 * a well-formed A-ASSOCIATE-RQ; ports 104 and 11112: any plausible PDU header. */
int dicom_looks(const struct net_ends *e, int to_server, const uint8_t *p, size_t n);
struct dicom_conn *dicom_conn_new(struct net_ctx *c);
void dicom_conn_free(struct net_ctx *c, struct dicom_conn *d);
void dicom_data(struct net_ctx *c, struct dicom_conn *d, const struct net_ends *e, int to_server,
                const uint8_t *p, size_t n);
void dicom_gap(struct net_ctx *c, struct dicom_conn *d, int to_server);

/* ---- inventory.c: what the capture shows about each host ---- */

/* SMB dialects, as bits of the inventory's dialect masks. */
enum net_smb_dialect {
    NET_SMB_D_SMB1 = 1u << 0,  /* any SMB1 dialect string ("NT LM 0.12", ...) */
    NET_SMB_D_2002 = 1u << 1,  /* "SMB 2.002" / 0x0202 */
    NET_SMB_D_2WILD = 1u << 2, /* "SMB 2.???" / 0x02FF (multi-protocol negotiate) */
    NET_SMB_D_210 = 1u << 3,   /* 0x0210 */
    NET_SMB_D_300 = 1u << 4,   /* 0x0300 */
    NET_SMB_D_302 = 1u << 5,   /* 0x0302 */
    NET_SMB_D_311 = 1u << 6,   /* 0x0311 */
    NET_SMB_D_OTHER = 1u << 7, /* any other SMB2 dialect number */
};
/* The bit of an SMB2 dialect number. */
unsigned net_smb2_dialect_bit(uint16_t d);

/* A host offered (client) or chose (server) SMB dialects. */
void net_inv_smb_dialects(struct net_ctx *c, const char *ip, int server, unsigned bits);
/* An SMB1-only host (detect.c's net_smb1_only). */
void net_inv_smb1_only(struct net_ctx *c, const char *ip, int client);
/* SMB1 SESSION_SETUP_ANDX NativeOS / NativeLanMan of a host (either may be NULL). */
void net_inv_smb_os(struct net_ctx *c, const char *ip, const char *os, const char *lanman);
/* SMB2 NEGOTIATE request or response (the whole message from its header). */
void net_inv_smb2_negotiate(struct net_ctx *c, const struct net_ends *e, int resp, const uint8_t *p,
                            size_t n);

/* One side of a DICOM association. scp 1: the called side, which answered
 * (accepted 1: A-ASSOCIATE-AC, 0: RJ); scp 0: the calling side (accepted
 * unused). ae: its AE title; mods: modality bits (dicom.c's table); sops:
 * abstract syntax UIDs proposed (nsops); impl_uid/impl_ver: from its user
 * information item (may be NULL). */
void net_inv_dicom(struct net_ctx *c, const char *ip, int scp, int accepted, const char *ae,
                   uint32_t mods, const char *const *sops, size_t nsops, const char *impl_uid,
                   const char *impl_ver);
/* Words for modality bits ("MR,CT"), for the inventory's text. */
void dicom_modality_text(uint32_t mods, char *out, size_t cap);

/* Emit one net.inventory.host INFO finding per notable host. */
void net_inv_emit(struct net_ctx *c);
/* Add wormsign.server.* / wormsign.client.* fields (to kv, *n, at most cap) and
 * a phrase to msg (NUL-terminated, msgcap bytes) for a finding between cli and
 * srv (either NULL). Returns 1 if anything was added. */
int net_inv_annotate(const struct net_ctx *c, const char *cli, const char *srv, struct ws_kv *kv,
                     size_t *n, size_t cap, char *msg, size_t msgcap);
void net_inv_free(struct net_ctx *c);
/* What tls.c read from one ClientHello. */
struct tls_hello {
    uint16_t version; /* legacy_version */
    int sslv2;        /* an SSL 2.0-compatible CLIENT-HELLO: no extensions */
    int has_sni;
    char sni[WS_NET_DNS_MAX_NAME_TEXT];  /* first host_name: lowercase, no trailing dot,
                                            bytes outside 0x21..0x7e as \DDD */
    char alpn[WS_NET_TLS_MAX_ALPN_TEXT]; /* protocol names joined by ',' (cut at the cap) */
    struct ws_buf ja3;                   /* JA3 string; empty when longer than its cap */
    char ja3_md5[33];                    /* "" with it */
};
void tls_hello_init(struct tls_hello *h);
void tls_hello_release(struct tls_hello *h);
/* Decode a ClientHello body (after the 4-byte handshake header) into h
 * (initialised); WS_E_CORRUPT when it breaks the format (h then partial). */
WS_MUST_CHECK ws_status tls_parse_client_hello(const uint8_t *p, size_t n, struct tls_hello *h);
struct tls_conn;
struct tls_conn *tls_conn_new(struct net_ctx *c);
void tls_conn_free(struct net_ctx *c, struct tls_conn *t);
void tls_conn_data(struct net_ctx *c, struct tls_conn *t, const struct net_ends *e, int to_server,
                   const uint8_t *p, size_t n);
void tls_conn_gap(struct net_ctx *c, struct tls_conn *t, int to_server);
/* c2.c: check a ClientHello of flow e against the C2 tables. */
void c2_tls_hello(struct net_ctx *c, const struct net_ends *e, const struct tls_hello *h);
/* c2.c: an HTTP response header block (fuzzing, tests): status code, or -1. */
struct http_resp {
    int status;
    int has_length;
    uint64_t content_length;
    int chunked;
    char mime[128];   /* Content-Type without parameters, lowercase */
    char server[256]; /* Server */
};
WS_MUST_CHECK ws_status c2_http_parse_response(const char *p, size_t n, struct http_resp *r);

/* ---- smb.c ---- */

struct smb_conn *smb_conn_new(struct net_ctx *c);
void smb_conn_free(struct net_ctx *c, struct smb_conn *s);
void smb_data(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, int to_server,
              const uint8_t *p, size_t n);
void smb_gap(struct net_ctx *c, struct smb_conn *s, int to_server);
/* Dissect one SMB2 message (NetBIOS payload) - exposed for the fuzzer. */
void smb2_message(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, const uint8_t *p,
                  size_t n);

/* ---- ntlmssp.c ---- */

/* Find an NTLMSSP AUTHENTICATE message anywhere in p (raw or SPNEGO-wrapped)
 * and decode user, domain and workstation. WS_E_NOT_FOUND if there is none. */
WS_MUST_CHECK ws_status ntlmssp_find_auth(const uint8_t *p, size_t n, struct net_account *out);

/* ---- strings (ntlmssp.c) ---- */

/* UTF-16LE (n bytes) to NUL-terminated UTF-8, U+FFFD for broken pairs; trailing
 * NULs dropped. Owned: ws_free. */
WS_MUST_CHECK ws_status net_utf16_to_utf8(const uint8_t *p, size_t n, char **out);
/* Bytes (ASCII/OEM) to a NUL-terminated copy, trailing NULs dropped. */
WS_MUST_CHECK ws_status net_bytes_dup(const uint8_t *p, size_t n, char **out);

/* ---- dcerpc.c ---- */

struct dce_pipe *dce_pipe_new(struct net_ctx *c);
void dce_pipe_free(struct net_ctx *c, struct dce_pipe *d);
/* proto: "smb2", "smb", "dcerpc"; acct may be NULL. */
void dce_data(struct net_ctx *c, struct dce_pipe *d, const struct net_ends *e, const char *proto,
              const struct net_account *acct, int to_server, const uint8_t *p, size_t n);
void dce_gap(struct net_ctx *c, struct dce_pipe *d, int to_server);
/* The account an authenticated bind carried (TCP), or NULL. */
const struct net_account *dce_account(const struct dce_pipe *d);

/* ---- ndr.c: NDR 2.0 / NDR64 request stubs ---- */

struct net_ndr {
    struct ws_cur c;
    int ndr64; /* NDR64 transfer syntax (8-byte pointers and counts) */
};
void net_ndr_init(struct net_ndr *d, int ndr64, const uint8_t *stub, size_t n);
WS_MUST_CHECK ws_status net_ndr_align(struct net_ndr *d, size_t a);
WS_MUST_CHECK ws_status net_ndr_u32(struct net_ndr *d, uint32_t *v);
/* A referent id, a conformance or variance count, a DWORD_PTR. */
WS_MUST_CHECK ws_status net_ndr_wide(struct net_ndr *d, uint64_t *v);
/* A conformant varying string of at most max_chars elements, as UTF-8
 * (owned: ws_free); WS_E_TOO_LARGE past the cap. */
WS_MUST_CHECK ws_status net_ndr_string(struct net_ndr *d, int wide, size_t max_chars, char **out);
/* The same behind a unique pointer; *out NULL for a null pointer. */
WS_MUST_CHECK ws_status net_ndr_unique_string(struct net_ndr *d, int wide, size_t max_chars,
                                              char **out);

/* ---- svcctl.c ---- */

struct svc_create {
    char *name;
    char *display;
    char *binpath;
    char *account;
    uint32_t service_type;
    uint32_t start_type;
    int wide;
    int sealed; /* the stub was encrypted: only the opnum is known */
};

int svcctl_is_create(uint16_t opnum);
/* Decode an RCreateService* request stub (MS-SCMR 3.1.4.12 and kin); ndr64:
 * the context's transfer syntax is NDR64 rather than NDR 2.0. */
WS_MUST_CHECK ws_status svcctl_parse_create(uint16_t opnum, int ndr64, const uint8_t *stub,
                                            size_t n, struct svc_create *out);
void svc_create_release(struct svc_create *s);
/* ROpenServiceW/A (16/28) request: the service name. Owned: ws_free. */
WS_MUST_CHECK ws_status svcctl_parse_open(uint16_t opnum, int ndr64, const uint8_t *stub, size_t n,
                                          char **name);
/* NetrJobAdd (atsvc opnum 0) request: server name and command (either NULL). */
WS_MUST_CHECK ws_status atsvc_parse_job_add(int ndr64, const uint8_t *stub, size_t n, char **server,
                                            char **command);
/* ---- tsch.c: ITaskSchedulerService SchRpcRegisterTask ---- */

struct tsch_task {
    char *path;      /* task path, "\\Name" (may be NULL: the server picks one) */
    char *command;   /* Exec actions' <Command>s, " | "-joined (NULL: none) */
    char *arguments; /* the first Exec action's <Arguments> */
    char *user;      /* the principal's <UserId> or <GroupId> */
    uint32_t flags;  /* TASK_CREATE 2, TASK_UPDATE 4, ... */
    uint32_t logon_type;
    int has_logon_type;
    int sealed; /* packet privacy: only the opnum is known */
};
/* Decode a SchRpcRegisterTask (opnum 1) request stub. */
WS_MUST_CHECK ws_status tsch_parse_register(int ndr64, const uint8_t *stub, size_t n,
                                            struct tsch_task *out);
void tsch_task_release(struct tsch_task *t);

/* Last 4 bytes of a response stub: the DWORD return value. */
WS_MUST_CHECK ws_status svcctl_return_code(const uint8_t *stub, size_t n, uint32_t *rc);
/* Response of a create/open: the 20-byte handle before the return value. */
WS_MUST_CHECK ws_status svcctl_response_handle(uint16_t opnum, const uint8_t *stub, size_t n,
                                               uint8_t handle[20]);

/* ---- detect.c: records of what was seen ---- */

/* A service creation seen on the wire; returns its index or -1 (cap). Strings
 * in sc are consumed (moved). */
long net_svc_add(struct net_ctx *c, const struct net_ends *e, const char *proto,
                 const struct net_account *acct, uint16_t opnum, struct svc_create *sc);
void net_svc_result(struct net_ctx *c, long idx, uint32_t rc);
void net_svc_started(struct net_ctx *c, long idx);
/* Index of the most recent service by name created on this connection, or -1. */
long net_svc_find(struct net_ctx *c, const struct net_ends *e, const char *name);
/* A remote scheduled job (atsvc NetrJobAdd): emitted at once. */
void net_job_add(struct net_ctx *c, const struct net_ends *e, const char *proto,
                 const struct net_account *acct, const char *server, const char *command);
/* A remote scheduled task (ITaskSchedulerService SchRpcRegisterTask): emitted at once. */
void net_task_register(struct net_ctx *c, const struct net_ends *e, const char *proto,
                       const struct net_account *acct, const struct tsch_task *t);
/* A server answered an SMB2-capable negotiate in SMB1 (likely XP/2003). */
/* client 1: the client offered only SMB1 dialects. */
void net_smb1_only(struct net_ctx *c, const struct net_ends *e, int client);

/* ---- files.c ---- */

struct net_file *net_file_open(struct net_ctx *c, const struct net_ends *e, const char *share,
                               const char *name, const struct net_account *acct);
void net_file_write(struct net_ctx *c, struct net_file *f, uint64_t off, const uint8_t *p,
                    size_t n);
/* The handle was closed (on_wire 1: a close was seen; 0: the capture ended
 * or the open was evicted): if complete, hash and hand out. The record stays
 * in the capture (for correlation); only its bytes are freed. */
void net_file_close(struct net_ctx *c, struct net_file *f, int on_wire);
void net_file_free(struct net_ctx *c, struct net_file *f);

/* What detect.c reads from a file record. */
struct net_file_info {
    const char *cli_ip, *srv_ip, *share, *name, *user, *domain;
    int admin;    /* written to ADMIN$ or X$\Windows */
    int complete; /* every byte from 0 to the end seen, then closed */
    int closed;
    uint64_t size;      /* bytes (complete) or highest end written */
    const char *sha256; /* NULL unless complete */
    uint64_t frames[WS_NET_MAX_FRAMES];
    size_t nframes;
    uint64_t first_frame, last_frame;
    int64_t first_sec, last_sec;
    int32_t first_usec; /* of the first write */
};
void net_file_get_info(const struct net_file *f, struct net_file_info *out);

/* Share classification: 1 for ADMIN$, 2 for a drive share "X$", else 0. */
int net_share_kind(const char *share);

#endif

/*
 * smb_int.h - per-connection SMB state shared by smb.c (framing, SMB2) and
 * smb1.c.
 *
 * The state follows what Windows itself keys on: sessions by SessionId/UID
 * (with the NTLM account of their setup), tree connects by TreeId/TID (with
 * the share path), opens by FileId/FID (with the file name and, for named
 * pipes, the DCE/RPC state; for files, the rebuild record), and requests
 * awaiting their response by MessageId (SMB1: MID and PID). Each table has a
 * cap from limits.h; when full, the oldest entry is dropped, so a hostile
 * peer can cost us lost context but never unbounded memory.
 *
 * Opens are referred to from pending requests by serial number, not pointer,
 * so a close that races its read response cannot leave a dangling pointer.
 */
#ifndef WS_NET_SMB_INT_H
#define WS_NET_SMB_INT_H

#include "net/net_int.h"

struct smb_session {
    uint64_t id;
    struct net_account acct;
};

struct smb_tree {
    uint64_t sid;
    uint32_t tid;
    char *path;
    int pipe; /* IPC$ or share type pipe */
};

struct smb_open {
    uint64_t serial;
    uint8_t fid[16];
    int has_fid;
    uint32_t tid;
    uint64_t sid;
    char *name;
    int pipe;
    struct dce_pipe *dce;
    struct net_file *file;
};

struct smb_pending {
    uint64_t mid;
    uint16_t cmd;
    uint64_t sid;
    uint64_t open;           /* serial, 0 if none */
    char *path;              /* tree connect */
    struct net_account acct; /* session setup */
};

struct smb_dir {
    struct net_sbuf buf;
    int desync_reported;
};

struct smb_conn {
    struct smb_dir dir[2];
    uint16_t dialect;
    int encrypted_reported;
    int compressed_reported;
    int smb1_offered_smb2; /* last SMB1 negotiate request offered an SMB2 dialect */
    uint64_t next_serial;
    uint64_t chain_open; /* serial of the open a compound's related requests use */
    struct smb_session *sess;
    size_t nsess, sess_cap;
    struct smb_tree *trees;
    size_t ntrees, trees_cap;
    struct smb_open **opens;
    size_t nopens, opens_cap;
    struct smb_pending *pend;
    size_t npend, pend_cap;
};

/* Tables (smb.c). Growth and names are charged to the capture's state budget. */
struct smb_session *smb_session_get(struct net_ctx *c, struct smb_conn *s, uint64_t id, int create);
const struct net_account *smb_account(struct smb_conn *s, uint64_t sid);
struct smb_tree *smb_tree_find(struct smb_conn *s, uint32_t tid);
/* path: consumed, already charged (moved from a pending tree connect). */
struct smb_tree *smb_tree_add(struct net_ctx *c, struct smb_conn *s, uint64_t sid, uint32_t tid,
                              char *path);
struct smb_open *smb_open_new(struct net_ctx *c, struct smb_conn *s, uint32_t tid, uint64_t sid,
                              char *name);
struct smb_open *smb_open_by_fid(struct smb_conn *s, const uint8_t *fid, size_t fidlen);
struct smb_open *smb_open_by_serial(struct smb_conn *s, uint64_t serial);
void smb_open_close(struct net_ctx *c, struct smb_conn *s, struct smb_open *o);
struct smb_pending *smb_pending_add(struct net_ctx *c, struct smb_conn *s, uint64_t mid,
                                    uint16_t cmd);
/* Store path (consumed) in p, charging it; 0 if the budget is spent. */
int smb_pending_set_path(struct net_ctx *c, struct smb_pending *p, char *path);
struct smb_pending *smb_pending_find(struct smb_conn *s, uint64_t mid);
void smb_pending_drop(struct net_ctx *c, struct smb_conn *s, struct smb_pending *p);

/* Data written to (to_server) or read from an open: to the pipe's DCE/RPC
 * state or the file's rebuild record. */
void smb_open_data(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                   struct smb_open *o, const char *proto, int to_server, uint64_t offset,
                   const uint8_t *p, size_t n);

int smb_path_is_ipc(const char *path);

/* smb1.c */
void smb1_message(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e, const uint8_t *p,
                  size_t n);

#endif

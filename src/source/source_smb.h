/*
 * source_smb.h - an SMB server as a source (libsmbclient), and the few extra
 * operations a sweep needs on it (list shares, test write access, fetch a
 * file).
 *
 * A struct ws_smb is a pool of libsmbclient contexts for one server
 * ("host" or "host:port"). libsmbclient contexts are not thread-safe, so a
 * context is only ever used by one thread at a time: every operation borrows
 * one from the pool and gives it back; an open file keeps its context from
 * its first read until it is closed. The pool grows up to max_conns contexts
 * (each its own connection to the server); a thread that finds none free
 * waits. Opening a file in the walker only stats it: the SMB open happens at
 * the first read, on the worker's thread, so queued files hold no connection.
 *
 * Paths are what the user sees: smb://host[:port]/share/dir/name with names
 * as the server sends them (UTF-8). They are percent-encoded into the URL
 * libsmbclient parses, so a name with '%', '?' or ';' means itself.
 *
 * Thread rule: any thread; the pool locks itself.
 */
#ifndef WS_SOURCE_SMB_H
#define WS_SOURCE_SMB_H

#include "core/compat.h"

#include "source/source.h"
#include "wormsign/smb.h"

struct ws_smb;
struct ws_throttle;

extern const struct ws_source_ops ws_source_smb;

/* A pool for the server named in url (smb://server[:port]/...). */
WS_MUST_CHECK ws_status ws_smb_new(const struct ws_smb_opts *o, const char *url,
                                   struct ws_smb **out);
void ws_smb_free(struct ws_smb *p);
/* "smb://server[:port]" as paths of this pool begin (borrowed, pool lifetime). */
const char *ws_smb_prefix(const struct ws_smb *p);

enum ws_smb_share_type {
    WS_SMB_SHARE_DISK,
    WS_SMB_SHARE_IPC,
    WS_SMB_SHARE_PRINTER,
    WS_SMB_SHARE_OTHER
};
/* Call fn for each share the server lists (name borrowed for the call).
 * WS_E_PERM: the server refused the account. */
WS_MUST_CHECK ws_status ws_smb_list_shares(struct ws_smb *p,
                                           void (*fn)(void *user, const char *name,
                                                      enum ws_smb_share_type t),
                                           void *user);
/* Can we list the folder at path (at least open it and read one entry)? */
WS_MUST_CHECK ws_status ws_smb_can_read(struct ws_smb *p, const char *path);
/* Create the empty file path with O_CREAT|O_EXCL, close it, delete it.
 * WS_OK: writable; WS_E_PERM: not writable. *left is set to 1 if the file
 * was created but could not be deleted again. */
WS_MUST_CHECK ws_status ws_smb_write_test(struct ws_smb *p, const char *path, int *left);
/* Copy the remote file path to the local file dest (created 0600, must not
 * exist), at most max bytes, paced by throttle (may be NULL). */
WS_MUST_CHECK ws_status ws_smb_fetch(struct ws_smb *p, const char *path, const char *dest,
                                     uint64_t max, struct ws_throttle *throttle, uint64_t *bytes);

#endif

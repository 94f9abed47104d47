/*
 * smb.h - credentials and connection settings for SMB sources.
 *
 * A path that starts with smb:// (smb://host[:port]/share/folder) is read
 * over SMB through libsmbclient with these settings. The library never reads
 * the environment or a file for credentials: the caller (the CLI) does, and
 * passes them here. The password is copied into the connection pool, handed
 * only to libsmbclient's authentication callback, wiped when the pool is
 * freed, and never put in a finding, a message or a log.
 *
 * Ownership: every pointer is borrowed for the call that takes the struct.
 */
#ifndef WORMSIGN_SMB_H
#define WORMSIGN_SMB_H

#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ws_smb_opts {
    const char *user;     /* NULL or "": anonymous (unless kerberos) */
    const char *password; /* may be NULL */
    const char *domain;   /* domain or workgroup; may be NULL */
    int kerberos;         /* use the Kerberos ticket cache (KRB5CCNAME) */
    unsigned timeout_ms;  /* per SMB operation; 0: 20000 */
    unsigned max_conns;   /* connections to one server at a time; 0: 4 */
    int allow_smb1;       /* also speak SMB1 (Windows XP/2003); default: SMB2 and later only */
};

/* Is path an SMB URL (smb://...)? */
WS_API int ws_smb_is_url(const char *path);

#ifdef __cplusplus
}
#endif
#endif

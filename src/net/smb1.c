/*
 * smb1.c - SMB1 (CIFS) dissection: negotiate only for now.
 */
#include "core/compat.h"

#include "net/smb_int.h"

void smb1_message(struct net_ctx *c, struct smb_conn *s, const struct net_ends *e,
                  const uint8_t *p, size_t n)
{
    (void)c;
    (void)s;
    (void)e;
    (void)p;
    (void)n;
}

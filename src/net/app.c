/*
 * app.c - which protocol a TCP flow carries, decided once from its first
 * bytes (either direction), then every in-order byte goes to that dissector.
 *
 *   SMB:     a NetBIOS session header (type 0x00) followed by 0xFF/0xFE/0xFD
 *            'S' 'M' 'B', or any NetBIOS traffic on ports 445/139;
 *   DCE/RPC: connection-oriented PDU header rpc_vers 5, minor 0/1, a known
 *            PTYPE and little- or big-endian data representation - on any
 *            port, since svcctl over TCP uses a dynamic port from the
 *            endpoint mapper (MS-RPCE 2.1.1.1, ncacn_ip_tcp);
 *   DICOM:   the client's first bytes are a well-formed A-ASSOCIATE-RQ (any
 *            port), or a plausible DICOM PDU header on TCP 104 or 11112
 *            (dicom.c: the host inventory's imaging roles); tested before
 *            DCE/RPC, whose version byte 5 is also A-RELEASE-RQ's type;
 *   DNS:     server port 53 (RFC 1035 4.2.2 length-prefixed messages);
 *   HTTP:    the client's first bytes are a request line ("GET /", ...) -
 *            on any port (c2.c looks for Kwampirs C2 requests);
 *   TLS:     the client's first bytes are a TLS handshake record - on any
 *            port (tls.c reads the ClientHello, c2.c checks it);
 *   else:    ignored for the rest of the flow.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "net/net_int.h"

/* Deliveries examined before a flow is declared to carry nothing we read. */
#define MAX_TRIES 8

static int looks_smb(const uint8_t *p, size_t n)
{
    if (n < 8 || p[0] != 0x00)
        return 0;
    return (p[4] == 0xff || p[4] == 0xfe || p[4] == 0xfd) && p[5] == 'S' && p[6] == 'M' &&
           p[7] == 'B';
}

static int looks_dcerpc(const uint8_t *p, size_t n)
{
    if (n < 16 || p[0] != 5 || p[1] > 1)
        return 0;
    /* request 0, response 2, fault 3, bind 11, bind_ack 12, bind_nak 13,
     * alter_context 14, alter_context_resp 15, auth3 16 (C706 12.6.4) */
    uint8_t t = p[2];
    if (!(t == 0 || t == 2 || t == 3 || (t >= 11 && t <= 16)))
        return 0;
    return (p[4] & 0xe0) == 0 && ((p[4] >> 4) <= 1);
}

static int decide(const struct net_ends *e, int to_server, const uint8_t *p, size_t n)
{
    if (e->srv_port == 53)
        return NET_APP_DNS;
    if (looks_smb(p, n))
        return NET_APP_SMB;
    if (dicom_looks(e, to_server, p, n))
        return NET_APP_DICOM;
    if (looks_dcerpc(p, n))
        return NET_APP_DCERPC;
    if (e->srv_port == 445 || e->srv_port == 139)
        return NET_APP_SMB;
    if (to_server && c2_looks_http(p, n))
        return NET_APP_HTTP;
    if (to_server && c2_looks_tls(p, n))
        return NET_APP_TLS;
    return NET_APP_NONE;
}

void app_data(struct net_ctx *c, struct net_app *a, const struct net_ends *e, int to_server,
              const uint8_t *p, size_t n)
{
    if (a->proto == NET_APP_UNKNOWN) {
        a->proto = decide(e, to_server, p, n);
        /* picked up mid-stream, a flow may start inside a PDU: look again at
         * the next few deliveries before giving up on it */
        if (a->proto == NET_APP_NONE && ++a->tries < MAX_TRIES)
            a->proto = NET_APP_UNKNOWN;
        if (a->proto == NET_APP_SMB && !(a->smb = smb_conn_new(c)))
            a->proto = NET_APP_NONE;
        if (a->proto == NET_APP_DCERPC && !(a->dce = dce_pipe_new(c)))
            a->proto = NET_APP_NONE;
        if (NET_APP_IS_C2(a->proto) && !(a->c2s = c2_stream_new(c, a->proto)))
            a->proto = NET_APP_NONE;
        if (a->proto == NET_APP_DICOM && !(a->dicom = dicom_conn_new(c)))
            a->proto = NET_APP_NONE;
    }
    if (a->proto == NET_APP_SMB)
        smb_data(c, a->smb, e, to_server, p, n);
    else if (a->proto == NET_APP_DCERPC)
        dce_data(c, a->dce, e, "dcerpc", NULL, to_server, p, n);
    else if (NET_APP_IS_C2(a->proto))
        c2_stream_data(c, a->c2s, e, to_server, p, n);
    else if (a->proto == NET_APP_DICOM)
        dicom_data(c, a->dicom, e, to_server, p, n);
}

void app_gap(struct net_ctx *c, struct net_app *a, int to_server)
{
    if (a->proto == NET_APP_SMB)
        smb_gap(c, a->smb, to_server);
    else if (a->proto == NET_APP_DCERPC)
        dce_gap(c, a->dce, to_server);
    else if (NET_APP_IS_C2(a->proto))
        c2_stream_gap(c, a->c2s, to_server);
    else if (a->proto == NET_APP_DICOM)
        dicom_gap(c, a->dicom, to_server);
}

void app_release(struct net_ctx *c, struct net_app *a)
{
    smb_conn_free(c, a->smb);
    dce_pipe_free(c, a->dce);
    c2_stream_free(c, a->c2s);
    dicom_conn_free(c, a->dicom);
    net_account_release(&a->acct);
    memset(a, 0, sizeof *a);
}

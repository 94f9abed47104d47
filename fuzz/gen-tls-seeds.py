#!/usr/bin/env python3
"""gen-tls-seeds.py - write seeds for fuzz-tls (format: fuzz/fuzz-tls.c): ClientHello
bodies made by OpenSSL (Python's ssl module) and one with GREASE values, HTTP
response header blocks, and TLS and HTTP streams in the chunk format of
src/net/net_fuzz.c. No corpus bytes.

Run from the repository root:  python3 fuzz/gen-tls-seeds.py
"""
import importlib.util
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz-tls")
spec = importlib.util.spec_from_file_location(
    "gen_c2_pcap", os.path.join(HERE, "..", "tests", "gen_c2_pcap.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


def chunks(*parts):
    """(direction, bytes) pairs as net_fuzz.c chunks (direction 1: client)."""
    return b"".join(bytes([d]) + struct.pack("<H", len(b)) + b for d, b in parts)


def write(name, mode, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([mode]) + data)


def main():
    os.makedirs(OUT, exist_ok=True)
    hellos = {
        "openssl-sni-alpn": gen.openssl_hello("dfkcn.tk", ["h2", "http/1.1"]),
        "openssl-nosni": gen.openssl_hello(None),
        "openssl-grammar": gen.openssl_hello("unitysrvnews.info"),
        "grease": gen.built_hello("www.dfkcnyhd.nl", ["http/1.1"]),
    }
    for name, rec in hellos.items():
        write("hello-" + name, 0, rec[9:])  # the handshake body
        write("stream-" + name, 2, chunks((1, rec[:3]), (1, rec[3:]), (0, b"\x16\x03\x03\x00\x00")))
    write("stream-sslv2", 2, chunks((1, gen.sslv2_hello())))
    write("stream-two-records", 2, chunks((1, gen.two_records(hellos["grease"]))))
    write("stream-bad-hello", 2, chunks((1, b"\x16\x03\x01\x00\x2b\x01\x00\x00\x27\x03\x03"
                                        + bytes(32) + b"\x00\x00\x40\x13\x01")))
    resps = [
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: 5\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.0 404 Not Found\nContent-Type: text/plain\n\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n",
    ]
    for i, r in enumerate(resps):
        write("resp-%d" % i, 1, r)
    req = b"GET /loginloginlogin.php?q=zz HTTP/1.1\r\nHost: dfkcn.tk\r\nUser-Agent: ItIsMe\r\n\r\n"
    head = b"HEAD / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    write("http-pipeline", 3, chunks(
        (1, req), (1, head), (1, b"GET / HTTP/1.1\r\nHost: a.b\r\n\r\n"),
        (0, resps[1]), (0, resps[0] + b"hello"), (0, b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"),
        (0, b"HTTP/1.1 304 Not Modified\r\n\r\n")))
    write("http-close", 3, chunks((1, req), (0, resps[2] + b"body"), (0, b"more"), (2, b"x")))
    write("http-chunked", 3, chunks((1, req), (1, head), (0, resps[3] + b"5\r\nhello\r\n0\r\n\r\n")))


if __name__ == "__main__":
    main()

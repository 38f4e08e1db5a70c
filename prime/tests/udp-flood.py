#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udp-flood.py ADDR SECS - send 64-byte frames (18-byte UDP payloads) to
ADDR port 9 as fast as the socket takes them for SECS seconds; print how
many were sent.  The flood of check-prime (PRIME_RATE_SECS) and of
bench-prime-host: frames/s into the simulator."""
import socket
import sys
import time


def main():
    addr, secs = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    end = time.monotonic() + secs
    n = 0
    payload = bytes(18)  # 14 + 20 + 8 + 18 = 60 bytes on the wire (64 with the FCS)
    while time.monotonic() < end:
        for _ in range(64):
            try:
                s.sendto(payload, (addr, 9))
                n += 1
            except BlockingIOError:
                pass
    print(n)


if __name__ == "__main__":
    main()

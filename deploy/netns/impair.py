#!/usr/bin/env python3
"""A userspace stand-in for `tc qdisc ... netem delay D loss L%`, for kernels built without netem.

  impair.py --tun NAME --delay-ms 200 --loss-percent 5 [--seed N] [--ready-file F] [--stats F]

Creates a TUN device NAME in the current network namespace. The router (separate-hosts.sh) sends
the packets to impair into it with policy routing; this process reads each one, drops it with
probability L, and writes the others back into the TUN after D milliseconds. A packet written to a
TUN is received on it, so the router's main routing table then forwards it on. Runs until SIGTERM
or SIGINT, then writes its counters as JSON to the stats file.

A TUN without IFF_VNET_HDR has no offloads, so the kernel hands it ordinary MTU-sized packets,
each dropped or delayed on its own, as netem would.
"""

import argparse
import collections
import fcntl
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tun", required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--loss-percent", type=float, required=True)
    parser.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "big"))
    parser.add_argument("--ready-file")
    parser.add_argument("--stats")
    args = parser.parse_args(argv)
    if not 0 <= args.loss_percent < 100 or args.delay_ms < 0:
        print("impair.py: --loss-percent must be in [0, 100) and --delay-ms at least 0",
              file=sys.stderr)
        return 2

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", args.tun.encode(), IFF_TUN | IFF_NO_PI))
    if args.ready_file:
        with open(args.ready_file, "w") as ready:
            ready.write("impairing\n")

    rng = random.Random(args.seed)
    delay = args.delay_ms / 1000
    loss = args.loss_percent / 100
    # One fixed delay for every packet keeps the queue in release order: a deque is enough.
    held = collections.deque()
    counts = {"received": 0, "dropped": 0, "forwarded": 0, "write_errors": 0}
    while not stopping:
        now = time.monotonic()
        wait = 0.25 if not held else max(0.0, min(0.25, held[0][0] - now))
        readable, _, _ = select.select([tun], [], [], wait)
        if readable:
            while True:
                try:
                    packet = os.read(tun, 65536)
                except BlockingIOError:
                    break
                counts["received"] += 1
                if rng.random() < loss:
                    counts["dropped"] += 1
                else:
                    held.append((time.monotonic() + delay, packet))
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet = held.popleft()
            try:
                os.write(tun, packet)
                counts["forwarded"] += 1
            except OSError:
                counts["write_errors"] += 1
    os.close(tun)
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump({"mechanism": "tun", "delay_ms": args.delay_ms,
                       "loss_percent": args.loss_percent, "seed": args.seed,
                       "still_held_at_stop": len(held), **counts}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

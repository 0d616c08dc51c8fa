#!/usr/bin/python3
"""Measures one-way TCP goodput between node 0 and node 1 of an emulated cluster.

Run under validate/cluster/emulate with 2 nodes x 1 rank: rank 0 receives, rank 1 sends
BYTES and rank 0 prints {"bytes": ..., "seconds": ..., "goodput_Mbps": ...}. Used by the
cluster test to check that tbf shapes the inter-node rate as configured.
"""
import json
import os
import socket
import sys
import time

PORT = 47000
CHUNK_BYTES = 1 << 16


def main() -> int:
    total = int(sys.argv[1])
    rank = int(os.environ["RANK"])
    if rank == 0:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((os.environ["SHARDSIM_GLOO_HOSTNAME"], PORT))
        server.listen(1)
        connection, _ = server.accept()
        received = 0
        start = None
        while received < total:
            data = connection.recv(CHUNK_BYTES)
            if not data:
                break
            if start is None:
                start = time.monotonic()
            received += len(data)
        seconds = time.monotonic() - start
        connection.sendall(b"k")
        print(json.dumps({"bytes": received, "seconds": seconds, "goodput_Mbps": received * 8 / seconds / 1e6}))
        return 0 if received == total else 1
    peer = "198.18.0.1"
    for _ in range(200):
        try:
            connection = socket.create_connection((peer, PORT))
            break
        except OSError:
            time.sleep(0.02)
    else:
        print("goodput_probe: could not reach rank 0", file=sys.stderr)
        return 1
    payload = b"\0" * CHUNK_BYTES
    sent = 0
    while sent < total:
        n = min(CHUNK_BYTES, total - sent)
        connection.sendall(payload[:n])
        sent += n
    connection.recv(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

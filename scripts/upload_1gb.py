#!/usr/bin/env python3
"""Fault test: really stream 1 GB at a running server and watch its temporary disk.

    make run                                   # or any gunicorn serving keyprojects on 127.0.0.1:8000
    .venv/bin/python scripts/upload_1gb.py     # Content-Length: 1 GiB, sent in full
    .venv/bin/python scripts/upload_1gb.py --chunked   # the same without Content-Length

It sends a multipart upload to the import page over a plain socket, 1 MiB at a time, while a thread
samples the temporary directory the server writes uploads to (TMPDIR, or FILE_UPLOAD_TEMP_DIR if set
there) and the free space of its file system. It prints when the answer came, how many bytes had gone
by then, and the most temporary disk it saw in use. With the cap (KP_MAX_REQUEST_BYTES, see
keyprojects/lib/middleware.py) the answer is 413 after the first block and the temporary disk does not
move; start the server with KP_MAX_REQUEST_BYTES=2000000000 to see what the cap saves.
Only the standard library: it runs with any Python 3.
"""

import argparse
import os
import select
import shutil
import socket
import tempfile
import threading
import time
from urllib.parse import urlsplit

MIB = 1024 * 1024
BOUNDARY = "kp1gb"


def dir_bytes(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass  # removed between listing and looking
    return total


class DiskWatch(threading.Thread):
    """Peak growth of the directory's files and of the file system's used space (which also counts files
    already unlinked but still open, as Python's temporary files are)."""

    def __init__(self, path: str, every: float = 0.05):
        super().__init__(daemon=True)
        self.path, self.every = path, every
        self.base_dir = dir_bytes(path)
        self.base_fs = shutil.disk_usage(path).used
        self.peak_dir = self.peak_fs = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.peak_dir = max(self.peak_dir, dir_bytes(self.path) - self.base_dir)
            self.peak_fs = max(self.peak_fs, shutil.disk_usage(self.path).used - self.base_fs)
            time.sleep(self.every)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/plans/import/")
    parser.add_argument("--size", type=int, default=1024 * MIB, help="bytes to send (default 1 GiB)")
    parser.add_argument("--chunked", action="store_true", help="Transfer-Encoding: chunked, no length")
    parser.add_argument("--keep-alive", action="store_true", help="no Connection: close from the client")
    parser.add_argument(
        "--tmp-dir",
        default=os.environ.get("FILE_UPLOAD_TEMP_DIR") or tempfile.gettempdir(),
        help="the server's temporary directory (default: this machine's)",
    )
    args = parser.parse_args()

    url = urlsplit(args.url)
    host, port = url.hostname, url.port or 80
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    headers = [
        f"POST {url.path or '/'} HTTP/1.1",
        f"Host: {url.netloc}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
    ]
    if not args.keep_alive:
        headers.append("Connection: close")
    headers.append("Transfer-Encoding: chunked" if args.chunked else f"Content-Length: {args.size}")
    block = b"\0" * MIB

    watch = DiskWatch(args.tmp_dir)
    watch.start()
    sock = socket.create_connection((host, port), timeout=30)
    sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())

    sent, answer, answered_at, error = 0, b"", None, None
    started = time.monotonic()

    def send(data):
        sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if args.chunked else data)

    def pieces():
        yield head
        filler = args.size - len(head) - len(tail)
        while filler > 0:
            yield block[: min(MIB, filler)]
            filler -= MIB
        yield tail

    try:
        for data in pieces():
            send(data)
            sent += len(data)
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                got = sock.recv(65536)
                if got and answered_at is None:
                    answered_at = sent
                answer += got
        if args.chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError as exc:  # the server hung up on the rest: what a cap may do
        error = exc
    sock.settimeout(10)
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            if answered_at is None:
                answered_at = sent
            answer += got
    except OSError as exc:
        error = error or exc
    elapsed = time.monotonic() - started
    sock.close()
    time.sleep(0.5)  # a last sample after the server has let go of the request
    watch.stopped.set()
    watch.join()

    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") if answer else "(no answer)"
    print(f"target          {args.url} ({'chunked' if args.chunked else 'Content-Length'})")
    print(f"answer          {status}")
    if answered_at is not None:
        print(f"answered after  {answered_at / MIB:.1f} MiB sent")
    print(f"sent in all     {sent / MIB:.1f} MiB of {args.size / MIB:.0f} MiB in {elapsed:.1f} s")
    if error:
        print(f"connection      {type(error).__name__}: {error}")
    print(f"temp dir        {args.tmp_dir}")
    print(f"temp files peak {watch.peak_dir / MIB:.2f} MiB (files in the directory)")
    print(f"temp disk peak  {watch.peak_fs / MIB:.2f} MiB (file system used, all writers on it)")


if __name__ == "__main__":
    main()

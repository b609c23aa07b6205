"""Real local servers for the outbox tests: an SMTP server (aiosmtpd) and a group-robot webhook
(http.server) that can be told to fail, hang or answer with a platform error code."""

import json
import socket
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailBox:
    """aiosmtpd handler: keeps every accepted message."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "message": message_from_bytes(envelope.content, policy=policy.default),
                }
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped (connection refused) and started again on
    the same port."""

    def __init__(self):
        self.port = free_port()
        self.box = MailBox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.box.messages


class RobotServer:
    """A group robot on 127.0.0.1. SCRIPT is consumed one behaviour per request, then "ok" forever:
    "ok" (200 {"errcode": 0}), "500", "hang" (no answer for HANG seconds), "errcode" (200 with
    {"errcode": 310000}), "feishu-error" (200 with {"code": 19021}). Only requests answered "ok" are
    kept in `accepted`; every request is in `requests`."""

    def __init__(self, script=(), hang=2.0):
        self.script = list(script)
        self.hang = hang
        self.requests = []
        self.accepted = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                record = {
                    "path": parts.path,
                    "query": dict(urllib.parse.parse_qsl(parts.query)),
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(raw.decode("utf-8")),
                    "received_at": time.time(),
                }
                with server.lock:
                    behaviour = server.script.pop(0) if server.script else "ok"
                    server.requests.append(record)
                if behaviour == "hang":
                    time.sleep(server.hang)
                    return
                if behaviour == "500":
                    self._answer(500, {"errcode": -1, "errmsg": "system busy"})
                elif behaviour == "errcode":
                    self._answer(200, {"errcode": 310000, "errmsg": "keywords not in content"})
                elif behaviour == "feishu-error":
                    self._answer(200, {"code": 19021, "msg": "sign match fail"})
                else:
                    with server.lock:
                        server.accepted.append(record)
                    self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status, data):
                body = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path="/send", query="key=robot-key"):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}" + (f"?{query}" if query else "")

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

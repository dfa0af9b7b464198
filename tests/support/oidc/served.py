"""A WSGI app served from a thread on a free loopback port, for as long as a test needs it."""

from __future__ import annotations

import logging
import threading
from typing import Any

import werkzeug.serving

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output


class ServedInThread:
    def __init__(self, app: Any):
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name=f"provider {self.url}"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

"""A graphql-transport-ws client that subscribes and then stops reading: a frozen tab, a phone
whose app was suspended. Its socket is real and stays open; its receive buffer is small, so the
server's sends back up at once."""

from __future__ import annotations

import json
import socket
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto import events as ws

PROTOCOL = "graphql-transport-ws"
TCP_ESTABLISHED, TCP_CLOSE = 1, 7  # Linux's tcp_states.h


class StalledClient:
    def __init__(self, port: int, *, receive_buffer: int = 4096):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # before connect: the window
        self.sock.settimeout(15)
        self.sock.connect(("127.0.0.1", port))
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock.sendall(self.ws.send(ws.Request(host="127.0.0.1", target="/graphql", subprotocols=[PROTOCOL])))
        self._next_event()

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(self.ws.send(ws.TextMessage(json.dumps(message))))

    def receive(self) -> dict[str, Any]:
        while True:
            event = self._next_event()
            if isinstance(event, ws.TextMessage):
                return json.loads(event.data)

    def poll(self) -> list[dict[str, Any]]:
        """The messages that have arrived, without waiting for more."""
        self.sock.setblocking(False)
        try:
            while True:
                self.ws.receive_data(self.sock.recv(65536))
        except BlockingIOError:
            pass
        finally:
            self.sock.settimeout(15)
        return [json.loads(e.data) for e in self.ws.events() if isinstance(e, ws.TextMessage)]

    def tcp_state(self) -> int:
        return self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]

    def close(self) -> None:
        self.sock.close()

    def _next_event(self) -> ws.Event:
        while True:
            for event in self.ws.events():
                return event
            self.ws.receive_data(self.sock.recv(65536))

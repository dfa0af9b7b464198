"""The websocket sender: writes at once when it can, queues behind a stalled client, drops a
client that falls too far behind (it resumes from its cursor), and never blocks its caller."""

from __future__ import annotations

import asyncio

from api.ws_sender import TRY_AGAIN_LATER, Sender, text_frame


class Socket:
    """Behaves as uvicorn's websocket send: waits while the transport is paused."""

    def __init__(self):
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[dict] = []

    async def send(self, message: dict) -> None:
        await self.writable.wait()
        self.sent.append(message)


def texts(socket: Socket) -> list[str]:
    return [m["text"] for m in socket.sent if m["type"] == "websocket.send"]


async def test_a_writable_socket_is_written_at_once_without_a_task():
    socket = Socket()
    sender = Sender(socket.send)
    before = len(asyncio.all_tasks())
    sender.send_text("one")
    sender.send_text("two")
    assert texts(socket) == ["one", "two"]
    assert len(asyncio.all_tasks()) == before


async def test_messages_wait_in_order_behind_a_stalled_client_and_go_out_when_it_reads():
    socket = Socket()
    sender = Sender(socket.send)
    socket.writable.clear()
    for text in ("a", "b", "c"):
        sender.send_text(text)  # returns at once although nothing can be written
    await asyncio.sleep(0.01)  # the send waits in its task: the socket has no room yet
    assert texts(socket) == []
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert texts(socket) == ["a", "b", "c"]
    sender.send_text("d")
    assert texts(socket) == ["a", "b", "c", "d"]


async def test_a_client_too_far_behind_is_closed_with_try_again_later():
    socket = Socket()
    closed = []
    sender = Sender(socket.send, max_backlog=3, on_close=lambda: closed.append(True))
    socket.writable.clear()
    for n in range(5):
        sender.send_text(str(n))
    assert sender.closed and closed == [True]
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert socket.sent[-1] == {
        "type": "websocket.close",
        "code": TRY_AGAIN_LATER,
        "reason": "Too slow: reconnect and resume from your last cursor",
    }
    sender.send_text("after")
    assert "after" not in texts(socket)


def test_ready_made_frames_decode_as_the_text_for_every_length_encoding():
    from wsproto.frame_protocol import FrameProtocol, Opcode

    for size in (0, 125, 126, 65535, 65536):
        text = "é" * (size // 2) + "x" * (size % 2)  # multi-byte characters: lengths count bytes
        reader = FrameProtocol(client=True, extensions=[])
        reader.receive_bytes(text_frame(text))
        (frame,) = list(reader.received_frames())
        assert frame.opcode is Opcode.TEXT and frame.message_finished
        assert frame.payload == text


async def test_without_uvicorns_wsproto_connection_frames_take_the_ordinary_path():
    socket = Socket()
    sender = Sender(socket.send)
    assert sender.write_frame(text_frame("x")) is False


async def test_a_subscriber_that_missed_an_event_is_closed_to_resume_from_its_cursor():
    from api.ws_operations import NextMessages

    socket = Socket()
    messages = NextMessages(Sender(socket.send), "1")
    messages.missed()
    await asyncio.sleep(0.01)
    assert socket.sent == [
        {
            "type": "websocket.close",
            "code": TRY_AGAIN_LATER,
            "reason": "An event could not be sent: reconnect and resume from your last cursor",
        }
    ]


async def test_a_message_that_waits_the_send_timeout_gives_its_client_up():
    # given a client whose socket takes nothing (a quiet feed: the backlog never fills)
    socket = Socket()
    closed = []
    sender = Sender(socket.send, send_timeout=0.05, on_close=lambda: closed.append(True))
    socket.writable.clear()
    # when a message has waited the send timeout
    sender.send_text("held up")
    for _ in range(500):
        if sender.closed:
            break
        await asyncio.sleep(0.01)
    # then the client is given up on: its subscriptions end, and the message is not sent later
    assert sender.closed and closed == [True]
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert "held up" not in texts(socket)

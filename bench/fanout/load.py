"""The load generator (run pinned to its own core): N subscribers, then E events, timed.

Prints one JSON object: the server's resident memory before and after the subscribers
joined, and each event's delivery latencies (from just before the publishing call to each
subscriber's receipt of its `next` frame).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request
from urllib.parse import urlparse

from bench.fanout.client import Subscriber

TANDEM_FEED = (
    "subscription { events { cursor type summary occurredAt request { number title status } actor { name } } }"
)
BASELINE_FEED = TANDEM_FEED
COMMENT = "mutation($input: CommentAddInput!) { commentAdd(input: $input) { userErrors { code } } }"


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def post(url: str, body: dict, token: str | None) -> None:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        reply = json.loads(answer.read())
    if "errors" in reply or reply.get("data", {}).get("commentAdd", {}).get("userErrors"):
        raise RuntimeError(f"publishing failed: {reply}")


class Run:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        url = urlparse(args.url)
        self.host, self.port = url.hostname, url.port
        self.arrivals: list[float] = []

    async def connect_all(self) -> list[Subscriber]:
        loop = asyncio.get_running_loop()
        subscribers = []
        tokens = self.args.tokens
        for start in range(0, self.args.subscribers, 250):
            batch = []
            for i in range(start, min(start + 250, self.args.subscribers)):
                ready = loop.create_future()
                init = {"authorization": f"Bearer {tokens[i % len(tokens)]}"} if tokens else {}
                batch.append(
                    (
                        ready,
                        loop.create_connection(
                            lambda ready=ready, init=init: Subscriber(
                                host=self.host,
                                port=self.port,
                                init=init,
                                subscribe={"query": TANDEM_FEED},
                                on_next=self.arrivals.append,
                                ready=ready,
                            ),
                            self.host,
                            self.port,
                        ),
                    )
                )
            for _ready, connecting in batch:
                _transport, protocol = await connecting
                subscribers.append(protocol)
            await asyncio.wait_for(asyncio.gather(*(ready for ready, _ in batch)), 60)
        return subscribers

    async def publish(self, n: int) -> float:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        if self.args.publish == "tandem":
            body = {
                "query": COMMENT,
                "variables": {"input": {"requestId": self.args.request_id, "body": f"benchmark event {n}"}},
            }
            await loop.run_in_executor(None, post, self.args.url + "/graphql", body, self.args.publisher_token)
        else:
            await loop.run_in_executor(None, post, self.args.url + "/publish", {}, None)
        return started

    async def main(self) -> dict:
        before = rss_kb(self.args.server_pid)
        subscribers = await self.connect_all()
        await asyncio.sleep(self.args.settle)  # let every subscribe message be processed
        after = rss_kb(self.args.server_pid)
        events = []
        for n in range(self.args.events):
            self.arrivals.clear()
            started = await self.publish(n)
            deadline = time.perf_counter() + 30
            while len(self.arrivals) < len(subscribers) and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            events.append(
                {"delivered": len(self.arrivals), "latencies_ms": sorted((t - started) * 1000 for t in self.arrivals)}
            )
            await asyncio.sleep(0.5)
        for s in subscribers:
            s.transport.close()
        return {"subscribers": len(subscribers), "rss_before_kb": before, "rss_after_kb": after, "events": events}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--subscribers", type=int, required=True)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--publish", choices=("tandem", "baseline"), required=True)
    parser.add_argument("--tokens", type=lambda s: s.split(","), default=[])
    parser.add_argument("--publisher-token")
    parser.add_argument("--request-id")
    parser.add_argument("--settle", type=float, default=3.0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(Run(args).main())))


if __name__ == "__main__":
    main()

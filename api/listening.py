"""The address `tandem serve` listens on: checked free before anything starts, and announced with
the URL to open once the server accepts connections."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

from api.operator_errors import OperatorError

log = logging.getLogger("tandem.serve")
# Where a client on this machine reaches a server bound to every address.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses


def check_free(host: str, port: int) -> None:
    """An OperatorError when uvicorn could not bind there: it would log the failure only after the
    migrations and the demo load, and a busy port would make the announcement below greet another
    process. (A port taken between this check and uvicorn's bind still fails, in uvicorn's words.)"""
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except socket.gaierror as error:
        raise OperatorError(f"cannot resolve --host {host!r} ({error.strerror})", hint="pass an address") from None
    except OSError as error:
        hints = {
            errno.EADDRINUSE: "another process (another `tandem serve`?) listens there: stop it or pass --port",
            errno.EACCES: "ports below 1024 need privileges: pass --port 8000 (or put a proxy in front)",
            errno.EADDRNOTAVAIL: "--host must be an address of this machine (0.0.0.0 for all of them)",
        }
        raise OperatorError(
            f"cannot listen on {host}:{port} ({error.strerror})", hint=hints.get(error.errno or 0, "")
        ) from None


def base_url(host: str, port: int) -> str:
    shown = _LOOPBACK.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def announce_when_listening(host: str, port: int, *, graphiql: bool, then: str = "") -> threading.Thread:
    """Say where to go (and `then`, a second line of advice) once a connection to the server
    succeeds. A plain TCP connection, not an HTTP request: it leaves no access line. With one worker
    uvicorn opens its socket after the app has started; with several, the supervisor opens it first
    and connections wait for a worker."""
    url = base_url(host, port)
    target = (_LOOPBACK.get(host, host), port)

    def wait_then_say() -> None:
        while True:
            try:
                socket.create_connection(target, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        where = f"open {url}/graphql in a browser (GraphiQL)" if graphiql else f"GraphQL at {url}/graphql"
        log.info(f"Tandem is ready: {where}; {url}/ lists the endpoints")
        if then:
            log.info(then)

    thread = threading.Thread(target=wait_then_say, name="announce", daemon=True)
    thread.start()
    return thread

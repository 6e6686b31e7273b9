"""A total deadline for network reads: sockets shut down when the time is up (see Deadline)."""

from __future__ import annotations

import socket
import threading
from typing import Any


class Deadline:
    """Shuts down every socket of one fetch when its total time is up.

    Per-read timeouts cannot bound a fetch: a server trickling 15 bytes every 5 s answers
    each read in time (and urllib3 reads a chunk until it is full), so a 30 s fetch ran 500 s.
    A timer thread shuts the sockets down at the deadline, which ends any blocked read at once,
    in headers, body or TLS handshake, on every redirect hop.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: nothing left to stop
        pass


def watched_connection(base: Any, deadline: Deadline) -> Any:
    """A urllib3 connection class whose new sockets are handed to ``deadline``."""

    class WatchedConnection(base):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            deadline.watch(sock)
            return sock

    return WatchedConnection

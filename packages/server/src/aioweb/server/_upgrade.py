"""The bytes of a connection after an upgrade or CONNECT, until they have an owner.

After a request that asks for an upgrade, or a CONNECT, the parser hands on every
later byte raw. They belong to whoever takes the connection over (after a ``101``, or a
``2xx`` to CONNECT: the receiver the handler sets) or, when the server answers
otherwise, to HTTP again: they are then the connection's next requests. Until one or
the other, they are held, and no more than a bound: past it the connection stops
reading, so that a client cannot fill the server's memory meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["UpgradeChannel"]

Receiver = Callable[[bytes], None]


class UpgradeChannel:
    """Routes the bytes after an upgrade to a receiver; holds them until one is set."""

    __slots__ = ("_held", "_held_size", "_limit", "_receiver")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._receiver: Receiver | None = None
        self._held: list[bytes] = []
        self._held_size = 0

    @property
    def held_size(self) -> int:
        """How many bytes wait for a receiver."""
        return self._held_size

    @property
    def full(self) -> bool:
        """Whether more than the bound is held (the connection should stop reading)."""
        return self._held_size > self._limit

    def deliver(self, data: bytes) -> bool:
        """Pass ``data`` on, or hold it; True if holding it made the channel full."""
        receiver = self._receiver
        if receiver is not None:
            receiver(data)
            return False
        self._held.append(data)
        self._held_size += len(data)
        return self._held_size > self._limit

    def set_receiver(self, receiver: Receiver | None) -> bool:
        """Route later bytes to ``receiver``, the held ones first; True if it was full."""
        self._receiver = receiver
        if receiver is None or not self._held:
            return False
        was_full = self.full
        held = self.take_held()
        receiver(held)
        return was_full

    def take_held(self) -> bytes:
        """Empty the channel: the bytes held, in order (those of a declined upgrade)."""
        held, self._held = self._held, []
        self._held_size = 0
        return b"".join(held)

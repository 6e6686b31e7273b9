"""Ray for one batch job: a connection to a cluster, or a throw-away local instance.

A local instance listens on the loopback interface only, has no dashboard and a small object
store; a cluster's address is checked in seconds before Ray's own minutes of retries. The
driver's ``TARJAMA_*``, ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` go to every worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from ..errors import BatchUsageError

__all__ = ["LOCAL_OBJECT_STORE_BYTES", "check_reachable", "ray_session", "runtime_env"]

LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2  # the shards' Arabic text: small next to the models
FORWARDED_ENV_PREFIXES = ("TARJAMA_",)
FORWARDED_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
LOOPBACK = "127.0.0.1"


def runtime_env() -> dict[str, Any]:
    """The driver's tarjama and offline settings, for every worker of the job."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(FORWARDED_ENV_PREFIXES) or name in FORWARDED_ENV
    }
    return {"env_vars": env} if env else {}


@contextlib.contextmanager
def ray_session(address: str | None) -> Iterator[Any]:
    """Ray, connected: to ``address``, to the session already open, or to a local instance.

    A local instance is sized for this machine (all its CPUs, a small object store, no
    dashboard) and shut down at the end; so is a connection this function made.
    """
    import ray

    if ray.is_initialized():  # the caller's session (a notebook, tests): leave it open
        yield ray
        return
    options: dict[str, Any] = {"log_to_driver": False, "ignore_reinit_error": True}
    if address:
        check_reachable(address)
        try:
            ray.init(address=address, logging_level=logging.WARNING, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BatchUsageError(f"Cannot connect to the Ray cluster at {address}: {exc}") from exc
    else:
        with loopback_node():
            ray.init(
                num_cpus=os.cpu_count() or 2,
                object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                include_dashboard=False,
                _node_ip_address=LOOPBACK,
                logging_level=logging.ERROR,  # a throw-away instance: its start-up notes are noise
                **options,
            )
    try:
        yield ray
    finally:
        ray.shutdown()


@contextlib.contextmanager
def loopback_node() -> Iterator[None]:
    """Start a local Ray node on 127.0.0.1, so that none of its servers listens on a network.

    Ray binds its GCS, raylet, object manager and worker servers to the node's IP, and on
    purpose turns "localhost" into the machine's network address (``resolve_ip_for_localhost``),
    so ``_node_ip_address="127.0.0.1"`` is not enough. A throw-away single-machine instance has
    no other nodes to talk to: while it starts, its node IP is the loopback address.
    """
    from ray._private import services

    saved = services.get_node_ip_address, services.resolve_ip_for_localhost
    services.get_node_ip_address = lambda address=None: LOOPBACK
    services.resolve_ip_for_localhost = lambda host: (
        LOOPBACK if services.is_localhost(host) else host
    )
    try:
        yield
    finally:
        services.get_node_ip_address, services.resolve_ip_for_localhost = saved


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not after Ray's minutes of connection retries, when the head node of
    ``host:port`` or ``ray://host:port`` does not answer. ``auto`` and others are Ray's."""
    import socket
    from urllib.parse import urlsplit

    target = address if "://" in address else f"tcp://{address}"
    try:
        parts = urlsplit(target)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise BatchUsageError(
            f"--address {address!r} is not host:port or ray://host:port."
        ) from exc
    if not host or port is None:
        return  # e.g. "auto": Ray finds the running cluster itself
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        raise BatchUsageError(
            f"Cannot reach the Ray cluster at {address} ({exc}). Is `ray start --head` running "
            "there, and is the port open? Without --address, tarjama starts a local Ray instance."
        ) from None

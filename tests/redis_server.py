"""A Redis server of the test's own, on a free port, that the test can stop and start again.

Failure tests stop the real thing (CONVENTIONS.md): never the shared Redis other tests use.
"""

import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, *, persist: bool = False):
        self.persist = persist
        self.port = _free_port()
        self.directory = tempfile.mkdtemp(prefix="ideaportal-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # No persistence by default: a restart starts empty, as the compose file's cache does. With
        # persist, an append-only file brings the keys back (a server that was only unreachable).
        appendonly = "yes" if self.persist else "no"
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", appendonly],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=0.5)


def _running(*, persist: bool):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(persist=persist)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def redis_server():
    """A started Redis server of this test's own; stopped at the end whatever happened."""
    yield from _running(persist=False)


@pytest.fixture
def persistent_redis_server():
    """The same with an append-only file: restarted, it has its keys again (as after a network cut)."""
    yield from _running(persist=True)


def fail_open_cache_settings(url: str, retry_after: float = 0.2) -> dict:
    """CACHES for the portal's fail-open Redis cache at ``url`` (a short breaker, for tests)."""
    return {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_AFTER": retry_after},
        }
    }

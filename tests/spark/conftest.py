"""A real llama.cpp server with SmolLM2 on a free loopback port, one per test session.

Without the model (tools/install_model.sh not run) the `model` tests skip, unless
CRM_REQUIRE_MODEL=1 (as `make test` sets it): then they fail."""
import os
import time

import pytest

from tests.spark.model_server import SMALL_N_CTX, LlamaServer, gguf


def pytest_configure(config):
    config.addinivalue_line("markers", "model: runs against a real local model server")


def model_file() -> str:
    found = gguf()
    if found is None:
        message = ("the local model is not installed: run `sh tools/install_model.sh` "
                   "(make test does)")
        if os.environ.get("CRM_REQUIRE_MODEL") == "1":
            pytest.fail(message + " [CRM_REQUIRE_MODEL=1]", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def llama_server():
    """{"base_url", "proc", "port", "start_seconds"} of the session's server."""
    server = LlamaServer(model_file())
    yield {"base_url": server.base_url, "proc": server.proc, "port": server.port,
           "start_seconds": server.start_seconds}
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 15


@pytest.fixture(scope="session")
def small_llama_server():
    """The same server with a 512-token window: a thread "too long for the window" and a
    real 400 in a few hundred tokens, which a CPU reads in seconds (not the minute 2,048
    take on a busy core)."""
    server = LlamaServer(model_file(), n_ctx=SMALL_N_CTX)
    yield {"base_url": server.base_url, "proc": server.proc, "port": server.port,
           "n_ctx": SMALL_N_CTX}
    server.stop()


@pytest.fixture
def own_llama_server():
    """A server of the test's own, for a test that stops it."""
    server = LlamaServer(model_file())
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_windows():
    """Each test looks its endpoints' windows up anew (ports are reused across tests)."""
    from plugins.spark import window
    window._cache.clear()
    yield

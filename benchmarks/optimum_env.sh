#!/usr/bin/env bash
# Build .venv-optimum: Optimum's ONNX Runtime models for benchmarks/inference_speed.py.
# optimum-onnx 0.1.0 pins transformers < 4.58, so it cannot share .venv (transformers 5).
# torch is installed first and pinned to the CPU build, so pip never pulls a CUDA build.
# Safe to run again: a stamp skips the installs while this file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-optimum
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
want="$(sha256sum benchmarks/optimum_env.sh | cut -d' ' -f1)"
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
  pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" "torch==2.13.0"
  "${pip[@]}" "torch==2.13.0" "optimum-onnx[onnxruntime]==0.1.0"
  echo "$want" > "$venv/.stamp"
fi

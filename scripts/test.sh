#!/usr/bin/env bash
# Run the test suite (slow tests excluded; add "-m slow" for them). Sets up first if needed.
# The tests never need the Hugging Face hub: offline mode makes an accidental hub call fail
# at once instead of waiting on retries.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"

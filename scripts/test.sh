#!/usr/bin/env bash
# Run the test suite (slow tests excluded; add "-m slow" for them). Sets up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"

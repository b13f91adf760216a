#!/usr/bin/env bash
# Set up, then run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/newsdesk data show bbc-news

#!/usr/bin/env bash
# Set up, then the main job: train the CPU topic recipe on the built-in BBC News set,
# evaluate it on the test split, and analyse an example article. Arguments go to
# newsdesk-train (e.g. --set training.epochs=1, or --max-steps 20 for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ND=.venv/bin
MODEL=models/topic-bbc-minilm
$ND/newsdesk data show bbc-news
if [ -d "$MODEL" ] && [ -z "${RETRAIN:-}" ]; then
  echo "$MODEL exists: skipping training (RETRAIN=1 to train again)"
else
  $ND/newsdesk-train training/configs/topic-bbc-minilm.yaml "$@"
fi
$ND/newsdesk evaluate "$MODEL" --data bbc-news --split test --out reports/topic-bbc-minilm
echo "--- analysing datasets/samples/article.txt"
$ND/newsdesk analyze datasets/samples/article.txt --topic "$MODEL" --summary lead

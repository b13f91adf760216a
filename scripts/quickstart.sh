#!/usr/bin/env bash
# Set up, then the main job: train the CPU topic recipe on the built-in BBC News set
# (all-mpnet-base-v2 kept frozen + a linear head over its embeddings and TF-IDF: the best
# recipe in 5-fold CV, benchmarks/results/topic_bbc_cv.md), evaluate it on the test split,
# and analyse an example article. Arguments go to newsdesk-train (e.g. --set
# data.max_train_examples=100 for a smoke run).
# NEWSDESK_MODEL_DIR and NEWSDESK_REPORT_DIR move the model and the report (the slow smoke
# test trains into a temporary folder so a real model in models/ is left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ND=.venv/bin
MODEL=${NEWSDESK_MODEL_DIR:-models/topic-bbc-mpnet-frozen}
REPORT=${NEWSDESK_REPORT_DIR:-reports/topic-bbc-mpnet-frozen}
$ND/newsdesk data show bbc-news
if [ -d "$MODEL" ] && [ -z "${RETRAIN:-}" ]; then
  echo "$MODEL exists: skipping training (RETRAIN=1 to train again)"
else
  $ND/newsdesk-train training/configs/topic-bbc-mpnet-frozen.yaml --output-dir "$MODEL" "$@"
fi
$ND/newsdesk evaluate "$MODEL" --data bbc-news --split test --out "$REPORT"
# The analysis uses the general news model (seven topics with world news, docs/topics.md)
# when it has been trained (newsdesk-train training/configs/topic-news-mpnet-frozen-xpub.yaml),
# else the BBC model just trained.
GENERAL=${NEWSDESK_GENERAL_MODEL:-models/topic-news-mpnet-frozen-xpub}
TOPIC=$MODEL
[ -f "$GENERAL/newsdesk.json" ] && TOPIC=$GENERAL
echo "--- analysing datasets/samples/article.txt (topic model: $TOPIC)"
$ND/newsdesk analyze datasets/samples/article.txt --topic "$TOPIC" --summary lead

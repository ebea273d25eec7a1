#!/usr/bin/env bash
# Set up, then analyse the bundled example article: a summary on the terminal and report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1
# A fact-check knowledge base from our own example ClaimReview records (kept apart from your default one).
rm -f .presslens-example.sqlite
presslens factchecks import examples/factchecks.json --kb .presslens-example.sqlite
presslens analyze examples/kremlin-interview.txt --kb .presslens-example.sqlite
presslens analyze examples/kremlin-interview.txt --kb .presslens-example.sqlite --format html -o report.html
echo "HTML report written to report.html"

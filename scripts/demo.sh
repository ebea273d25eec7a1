#!/usr/bin/env bash
# Set up, then analyse the bundled example article: a summary on the terminal and report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
presslens analyze examples/kremlin-interview.txt
presslens analyze examples/kremlin-interview.txt --format html -o report.html
echo "HTML report written to report.html"

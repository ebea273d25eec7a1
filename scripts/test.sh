#!/usr/bin/env bash
# Set up, then lint and run the test suite (tests needing ../shared/data skip when it is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
ruff check src tests benchmarks
python -m pytest -q "$@"

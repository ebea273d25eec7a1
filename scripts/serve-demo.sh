#!/usr/bin/env bash
# Set up, build the example corpus (the bundled article, the two feed articles in examples/feed and the test articles
# in tests/articles, their claims matched against examples/factchecks.json) into corpus-demo.db, and serve it with
# presslens serve on http://127.0.0.1:8000/ (PORT=8001 for another port; further arguments go to presslens serve,
# e.g. --write-token "$(openssl rand -hex 16)" to allow saving analyses and importing fact-checks). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1
DB=corpus-demo.db
KB=corpus-demo.db.factchecks.sqlite  # beside the store (ignored by git with it)
rm -f "$DB" "$DB-wal" "$DB-shm" "$KB"
presslens factchecks import examples/factchecks.json --kb "$KB"
presslens ingest examples/kremlin-interview.txt examples/feed/*.html tests/articles/*.txt --db "$DB" --kb "$KB"
exec presslens serve --db "$DB" --kb "$KB" --port "${PORT:-8000}" "$@"

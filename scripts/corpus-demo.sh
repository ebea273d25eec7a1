#!/usr/bin/env bash
# Set up, then build a small corpus: the bundled example article plus a news feed served from this machine
# (examples/feed), stored in a fresh SQLite store (corpus-demo.db; pass a postgresql:// URL as $1 to use PostgreSQL),
# and ask it who said what across the articles and which claims spread.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1
DB=${1:-corpus-demo.db}
[ "$DB" = corpus-demo.db ] && rm -f corpus-demo.db corpus-demo.db-wal corpus-demo.db-shm
SERVE=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$SERVE"' EXIT
cp examples/feed/*.html "$SERVE"/
PORT=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s#BASE#http://127.0.0.1:$PORT#g" examples/feed/feed.xml.in > "$SERVE/feed.xml"
python -m http.server "$PORT" --bind 127.0.0.1 --directory "$SERVE" >/dev/null 2>&1 &
SERVER=$!
sleep 1
presslens ingest examples/kremlin-interview.txt "http://127.0.0.1:$PORT/feed.xml" --db "$DB" --no-kb
echo; echo "== presslens corpus speaker Peskov"
presslens corpus speaker Peskov --db "$DB"
echo; echo "== presslens corpus claims"
presslens corpus claims --db "$DB" --top 8

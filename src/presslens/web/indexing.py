"""Fact-checks imported through the web app are embedded for semantic matching in the background.

The encoder would add hundreds of MB to every server process and a large file takes minutes to embed, longer than
a request should wait; so each import starts ``presslens factchecks index`` as its own process, which embeds the
records that have no embedding yet and exits. Runs at the same time split the work (the knowledge base's claims,
``KnowledgeBase.build_index``), so an import during a run needs no coordination.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from presslens.factchecks.encoder import encoder_available, encoder_name
from presslens.factchecks.store import KnowledgeBase


def missing(kb: KnowledgeBase) -> int | None:
    """Records without an embedding; None when no encoder is installed (BM25 matching only)."""
    return kb.missing_embeddings(encoder_name()) if encoder_available() else None


def index_in_background(kb: Path) -> subprocess.Popen[bytes]:
    """Start embedding ``kb``'s new records; the process is reaped by a thread when it ends."""
    cmd = [sys.executable, "-m", "presslens", "factchecks", "index", "--kb", str(kb)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=proc.wait, name="presslens-index", daemon=True).start()
    return proc

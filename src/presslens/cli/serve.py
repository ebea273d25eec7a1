"""``presslens serve``: the newsroom web app over the corpus store and the fact-check knowledge base."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from presslens.cli.common import kb_option, log
from presslens.cli.ingest import db_option
from presslens.errors import PressLensError
from presslens.terminal import safe_for_terminal

TOKEN_ENV = "PRESSLENS_WRITE_TOKEN"
_WORKER_ENV = "PRESSLENS_SERVE_WORKER"  # --workers: how each worker process builds the app (uvicorn imports it)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="the newsroom web app: browse the corpus, follow speakers and claims, read reports",
        description=(
            "Serve the corpus store as web pages (each with its data as JSON under /api/). Binds 127.0.0.1 unless "
            "--host says otherwise; read-only unless a write token is set, and then only requests carrying it may "
            "save analyses or import fact-checks."
        ),
    )
    db_option(p)
    kb_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="default: 8000")
    p.add_argument(
        "--write-token",
        metavar="T",
        help=f"allow writes to requests carrying this token (default: ${TOKEN_ENV}; none: read-only)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes (default 1; a process uses about one core: up to the cores the machine has)",
    )
    p.add_argument("--fast", action="store_true", help="analyse with the lexical technique model (about twice as fast)")
    p.add_argument(
        "--analysis-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="stop an analysis after S seconds (default 60)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        import presslens.web  # noqa: F401  (fastapi, jinja2: the web extra)
    except ImportError as exc:
        raise PressLensError(
            f"the web app needs the web extra ({exc.name} is missing): pip install 'presslens[web]'"
        ) from None
    from presslens.web.security import is_loopback

    if not 0 < args.port < 65536:
        raise PressLensError(f"--port {args.port}: expected 1 to 65535")
    if not 0 < args.workers <= 64:
        raise PressLensError(f"--workers {args.workers}: expected 1 to 64")
    if args.analysis_timeout <= 0:
        raise PressLensError("--analysis-timeout must be positive")
    token = args.write_token or os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < 12:
        raise PressLensError(
            "the write token is too short (use at least 12 characters, e.g. from: openssl rand -hex 16)"
        )
    from presslens.factchecks.store import default_kb_path

    kb = args.kb or str(default_kb_path())
    settings = {"db": args.db, "kb": kb, "token": token, "fast": args.fast, "timeout": args.analysis_timeout}
    app = worker_app(settings)  # built here too when there are workers: a bad store fails before they start
    if not is_loopback(args.host):
        if token is None:
            log(
                f"presslens: WARNING: serving on {safe_for_terminal(args.host)}, reachable from other machines, "
                "without a write token: anyone who can reach it can read the whole store (it stays read-only)"
            )
        else:
            log(
                f"presslens: warning: serving on {safe_for_terminal(args.host)}, reachable from other machines; "
                "the write token travels in clear text without TLS (put a TLS proxy in front)"
            )
    mode = "writes need the token" if token else "read-only"
    shown = f"[{args.host}]" if ":" in args.host else args.host
    log(f"presslens: serving on http://{shown}:{args.port}/ ({mode}); Ctrl-C stops it")
    common = {"host": args.host, "port": args.port, "log_level": "warning", "server_header": False}
    if args.workers == 1:
        uvicorn.run(app, **common)
    else:  # the workers build their own (a process cannot share the parent's connections)
        app.state.analyser.close()
        app.state.engine.dispose()
        os.environ[_WORKER_ENV] = json.dumps(settings)
        uvicorn.run("presslens.cli.serve:worker_app", factory=True, workers=args.workers, **common)
    return 0


def worker_app(settings: dict[str, Any] | None = None) -> Any:
    """The app from ``run``'s settings; uvicorn's worker processes call it with none (they are in the environment)."""
    from presslens.options import Options
    from presslens.web import create_app

    if settings is None:
        settings = json.loads(os.environ[_WORKER_ENV])
    kb = settings["kb"]
    options = Options(kb=kb if os.path.exists(kb) else None, fast=settings["fast"])
    return create_app(
        settings["db"], kb, write_token=settings["token"], options=options, analysis_timeout=settings["timeout"]
    )

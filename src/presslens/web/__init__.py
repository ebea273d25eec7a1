"""The newsroom web app (``presslens serve``): the corpus store and the fact-check knowledge base as pages.

Every page is rendered on the server (a link that can be shared, readable without JavaScript) and has the same
data as JSON under ``/api/`` (OpenAPI at ``/openapi.json``, listed at ``/docs``). Charts use Chart.js, vendored
in ``static/`` (no CDN: it works offline). Needs the ``web`` extra: ``pip install 'presslens[web]'``.
"""

from presslens.web.app import create_app

__all__ = ["create_app"]

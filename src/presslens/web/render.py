"""Pages from Jinja2 templates (autoescape always on) and the stored report embedded in the article page."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from presslens.labels import DEFINITIONS, TECHNIQUES
from presslens.model import Analysis
from presslens.web.security import safe_url

# As ``presslens analyze --format html`` writes it: controls and lone surrogates, which HTML does not allow, as
# U+FFFD; bidi overrides as character references (a browser shows them the same, but no raw override in markup).
_HTML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def qs(params: dict[str, Any], **changes: Any) -> str:
    """A query string: ``params`` with ``changes`` (a None value drops the parameter)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v is not None and v != ""})


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def label(name: str | None) -> str:
    return (name or "").replace("_", " ")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("presslens.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["label"] = label
    env.filters["plural"] = plural
    env.globals.update(qs=qs, TECHNIQUES=TECHNIQUES, DEFINITIONS=DEFINITIONS)
    return env


def page(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def report_section(analysis: Analysis, speaker_ids: dict[str, int] | None = None) -> Markup:
    """The article and its panel as ``presslens analyze --format html`` draws them (which escapes every piece of
    the article), without that page's inline style and script: the app serves those as /static files.

    ``speaker_ids`` (quote id → stored speaker id) turns each speaker's name in the panel into a link to their page.
    """
    from html import escape

    from presslens.report import article_section

    html = article_section(analysis, 0)
    linked: set[str] = set()
    for q in analysis.quotes:
        sid = (speaker_ids or {}).get(q.id)
        if sid is None or q.speaker is None or q.speaker_label in linked:
            continue
        linked.add(q.speaker_label)
        heading = f'<h3><span class="sw"></span>{escape(q.speaker_label)} <span'  # the whole name: then its type
        link = f'<h3><span class="sw"></span><a href="/speaker/{int(sid)}">{escape(q.speaker_label)}</a> <span'
        html = html.replace(heading, link, 1)
    return Markup(_BIDI.sub(lambda m: f"&#x{ord(m.group()):x};", _HTML_CONTROL.sub("\ufffd", html)))


def report_assets() -> tuple[str, str]:
    """The report's stylesheet and script, served as /static/report.css and /static/report.js."""
    from presslens.report import REPORT_CSS, REPORT_JS

    return REPORT_CSS, REPORT_JS

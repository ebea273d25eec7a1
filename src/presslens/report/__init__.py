"""Human-readable views of an analysis: a terminal summary and a self-contained HTML page."""

from presslens.report.html import render_html
from presslens.report.text import render_text

__all__ = ["render_html", "render_text"]

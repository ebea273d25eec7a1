"""Human-readable views of an analysis: a terminal summary and a self-contained HTML page."""

from presslens.report.html import REPORT_CSS, REPORT_JS, article_section, render_html
from presslens.report.text import render_text

__all__ = ["REPORT_CSS", "REPORT_JS", "article_section", "render_html", "render_text"]

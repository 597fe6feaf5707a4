"""Post-incident reviews rendered from a drill's report.json."""

from __future__ import annotations

from harness.review.model import DrillReport, load_report
from harness.review.render import render, render_review, write_review

__all__ = ["DrillReport", "load_report", "render", "render_review", "write_review"]

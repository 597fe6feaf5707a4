"""Drill reports: report.json (the contract), HTML, Markdown, JUnit, and aborted reports."""

from harness.report.build import build_report
from harness.report.model import Report, Status
from harness.report.recover import finalize_aborted, recover_reports
from harness.report.render import render_html, render_junit, render_md, write_all, write_json

__all__ = [
    "Report",
    "Status",
    "build_report",
    "finalize_aborted",
    "recover_reports",
    "render_html",
    "render_junit",
    "render_md",
    "write_all",
    "write_json",
]

"""`drill review DRILL_DIR`: a post-incident review prefilled from a drill's report.json.

The facts the harness measured — timeline, metrics against targets, the runbook's outcome,
who was paged — are filled in; the judgment sections (root cause, what went well or badly,
action items) stay blank for the people in the review. The template is
ops/incident-review-template.md; rendered with no report it is the blank form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from harness import settings
from harness.errors import ConfigError
from harness.review.model import (
    METRICS,
    DrillReport,
    Notification,
    TimelineEntry,
    load_report,
)

TEMPLATE = "incident-review-template.md"
DEFAULT_TARGETS = {"respond_s": 900.0, "resolve_s": 1800.0}  # DESIGN.md defaults


@dataclass(frozen=True)
class MetricRow:
    label: str
    value_s: float | None
    target_s: float | None
    met: bool | None  # None when the stage has no target


@dataclass(frozen=True)
class TimelineRow:
    offset: str
    at: str
    event: str
    source: str
    detail: str


def render_review(drill_dir: Path, *, ops_dir: Path | None = None) -> str:
    report = load_report(drill_dir / "report.json")
    return render(report, ops_dir=ops_dir)


def write_review(drill_dir: Path, *, ops_dir: Path | None = None, out: Path | None = None) -> Path:
    target = out or drill_dir / "review.md"
    target.write_text(render_review(drill_dir, ops_dir=ops_dir), encoding="utf-8")
    return target


def render(report: DrillReport | None, *, ops_dir: Path | None = None) -> str:
    """The review for one drill, or the blank form when report is None."""
    template = _environment(ops_dir or settings.root() / "ops").get_template(TEMPLATE)
    try:
        return template.render(**context(report))
    except jinja2.TemplateError as exc:
        raise ConfigError(f"ops/{TEMPLATE}: {exc}") from exc


def context(report: DrillReport | None) -> dict[str, Any]:
    return {
        "drill": report,
        "metrics": metric_rows(report),
        "timeline": [timeline_row(e) for e in report.timeline] if report else [],
        "runbook": report.runbook if report else None,
        "incident": report.incident if report else None,
        "alerts_received": alerts_received(report),
        "pages": pages(report),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def metric_rows(report: DrillReport | None) -> list[MetricRow]:
    rows = []
    for key, label, target_key in METRICS:
        value = report.metrics.get(key) if report else None
        target = None
        if target_key is not None:
            target = (report.targets.get(target_key) if report else None) or DEFAULT_TARGETS[
                target_key
            ]
        met = None if target is None or report is None else (value is not None and value <= target)
        rows.append(MetricRow(label, value, target, met))
    return rows


def pages(report: DrillReport | None) -> list[Notification]:
    """Notifications that paged someone (other kinds are war-room and customer messages)."""
    notes = report.incident.notifications if report and report.incident else []
    return [n for n in notes if n.kind in (None, "page", "escalation")]


def alerts_received(report: DrillReport | None) -> list[str]:
    """Alert names in the order the incident service received them, each once."""
    names: list[str] = []
    for entry in report.timeline if report else []:
        name = entry.detail.get("alertname")
        if entry.event == "alert_received" and name and str(name) not in names:
            names.append(str(name))
    return names


def timeline_row(entry: TimelineEntry) -> TimelineRow:
    # Scalars only: nested records (a step's full result, the applied fault) belong in
    # report.json, not in a table cell.
    detail = ", ".join(
        f"{k}={v}"
        for k, v in entry.detail.items()
        if isinstance(v, str | int | float | bool) and v != ""
    )
    return TimelineRow(
        offset="" if entry.offset_s is None else f"{entry.offset_s:+.1f} s",
        at=entry.at,
        event=entry.event,
        source=entry.source,
        detail=detail[:160],
    )


def duration(value: float | None) -> str:
    """12.3 s, 4 min 05 s; an em dash for a stage that never happened."""
    if value is None:
        return "— (never)"
    if value < 120:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds:02d} s"


def cell(value: object) -> str:
    """Safe inside a Markdown table cell."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _environment(ops_dir: Path) -> jinja2.Environment:
    if not (ops_dir / TEMPLATE).is_file():
        raise ConfigError(f"{ops_dir / TEMPLATE} is missing")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ops_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["duration"] = duration
    env.filters["cell"] = cell
    return env

"""`drill review`: a review prefilled from a drill's real report.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import DrillError
from harness.review import load_report, render, render_review, write_review
from tests.unit.runbooks.conftest import DATA


@pytest.fixture
def drill_dir(tmp_path: Path) -> Path:
    shutil.copy(DATA / "report.json", tmp_path / "report.json")
    return tmp_path


def section(text: str, title: str) -> str:
    """The body of one `## N. title` section."""
    start = text.index(title)
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_review_carries_the_drills_timeline_metrics_and_runbook(drill_dir: Path):
    report = json.loads((drill_dir / "report.json").read_text())
    text = render_review(drill_dir)
    assert text.startswith(f"# Incident review: {report['incident']['title']}")
    assert report["drill_id"] in text and report["incident"]["id"] in text
    timeline = section(text, "Timeline")
    for event in report["timeline"]:
        assert f"| {event['offset_s']:+.1f} s | {event['at']} | {event['event']} |" in timeline
    assert "status 502 \\| bad gateway" in timeline  # a pipe cannot break the table
    assert "number=3, title=Start the API, kind=remediate, ok=True |" in timeline
    assert "Container drill-api-1 Started" not in timeline  # nested records stay out
    metrics = section(text, "Metrics against targets")
    assert "| Acknowledged (response time) | 5.0 s | 15 min 00 s | yes |" in metrics
    assert "| Resolved | — (never) | 30 min 00 s | **no** |" in metrics
    assert "resolution target **missed**" in metrics
    response = section(text, "Response")
    assert "**inaccurate**" in response and report["runbook"]["reason"] in response
    assert (
        "| 3. Start the API | verify | **FAILED** | 30.2 s | exit status 7, expected 0 |"
        in response
    )
    assert "alerts received: ApiDown" in section(text, "Detection")
    assert "56 failed of 1234 requests" in section(text, "Impact")


def test_judgment_sections_are_left_for_people(drill_dir: Path):
    text = render_review(drill_dir)
    for title in (
        "What went well",
        "What went badly",
        "Where we got lucky",
        "Root cause and contributing factors",
    ):
        body = section(text, title)
        assert "________" in body
    assert "| 1 | | | | ____-__-__ | |" in section(text, "Action items")


def test_blank_form_renders_without_a_report():
    text = render(None)
    assert text.startswith("# Incident review: ____")
    assert "INC-____" in text and "{{" not in text and "{%" not in text
    assert "| Acknowledged (response time) | ____ | 15 min 00 s |  |" in text


def test_rendered_review_is_markdown_with_tables(drill_dir: Path):
    tokens = MarkdownIt("commonmark").enable("table").parse(render_review(drill_dir))
    assert sum(1 for t in tokens if t.type == "table_open") >= 4
    titles = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert titles[:4] == [
        "Incident review: ApiDown: Shop API is down",
        "1. Summary",
        "2. Impact",
        "3. Timeline",
    ]


def test_write_review_and_cli(drill_dir: Path):
    path = write_review(drill_dir)
    assert path == drill_dir / "review.md" and "INC-12" in path.read_text()
    path.unlink()
    result = CliRunner().invoke(app, ["review", str(drill_dir)])
    assert result.exit_code == 0, result.output
    assert (drill_dir / "review.md").read_text() == render_review(drill_dir)


def test_missing_or_bad_report_is_a_drill_error(tmp_path: Path):
    with pytest.raises(DrillError, match="does not exist"):
        render_review(tmp_path)
    (tmp_path / "report.json").write_text('{"scenario": "x"}')
    with pytest.raises(DrillError, match="drill_id"):
        load_report(tmp_path / "report.json")

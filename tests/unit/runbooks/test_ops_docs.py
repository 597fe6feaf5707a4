"""Every Markdown document under ops/ parses with markdown-it-py and holds together:
one title, closed code fences, local links that resolve, and the sections each needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from harness import settings

OPS = settings.root() / "ops"
DOCS = sorted(OPS.rglob("*.md"))
LINK = re.compile(r"^(?![a-z]+:|#)([^#?]+)")


def tokens(path: Path) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))


def headings(toks: list[Token], level: str | None = None) -> list[str]:
    return [
        toks[i + 1].content
        for i, t in enumerate(toks)
        if t.type == "heading_open" and (level is None or t.tag == level)
    ]


def links(toks: list[Token]) -> list[str]:
    found = []
    for tok in toks:
        for child in tok.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href")))
    return found


def test_the_documents_exist():
    names = {str(p.relative_to(OPS)) for p in DOCS}
    assert {
        "war-room-procedure.md",
        "incident-review-template.md",
        "severity.md",
        "training/README.md",
        "training/facilitator-guide.md",
        "training/quiz.md",
        "training/quiz-answers.md",
        "training/training-log.md",
    } <= names
    modules = {p.name for p in (OPS / "training").glob("0*.md")}
    assert modules == {
        "01-roles.md",
        "02-severity.md",
        "03-tooling.md",
        "04-runbooks.md",
        "05-communication.md",
    }
    scenarios = {p.stem for p in (settings.root() / "scenarios").glob("*.yaml")}
    exercises = {p.stem for p in (OPS / "training" / "exercises").glob("*.md")}
    assert scenarios <= exercises


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(OPS)))
def test_parses_with_one_title_and_closed_fences(path: Path):
    toks = tokens(path)
    assert len(headings(toks, "h1")) == 1, f"{path}: exactly one H1"
    lines = path.read_text(encoding="utf-8").splitlines()
    for tok in toks:
        if tok.type == "fence" and tok.map:
            closing = lines[tok.map[1] - 1].strip() if tok.map[1] <= len(lines) else ""
            assert closing.startswith(tok.markup) and tok.map[1] - tok.map[0] >= 2, (
                f"{path}:{tok.map[0] + 1}: code fence is never closed"
            )


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(OPS)))
def test_local_links_resolve(path: Path):
    for href in links(tokens(path)):
        match = LINK.match(href)
        if match:
            target = (path.parent / match[1]).resolve()
            assert target.exists(), f"{path}: link {href!r} points at nothing"


def test_review_template_has_every_section_as_a_blank_form():
    titles = headings(tokens(OPS / "incident-review-template.md"), "h2")
    for wanted in (
        "Summary",
        "Impact",
        "Timeline",
        "Metrics against targets",
        "Detection",
        "Response",
        "Root cause and contributing factors",
        "What went well",
        "What went badly",
        "Where we got lucky",
        "Action items",
    ):
        assert any(wanted in t for t in titles), wanted


def test_war_room_procedure_covers_what_the_issue_asks():
    text = (OPS / "war-room-procedure.md").read_text()
    titles = " ".join(headings(tokens(OPS / "war-room-procedure.md"), "h2")).lower()
    for topic in (
        "when a war room opens",
        "channel naming",
        "roles",
        "hand-over",
        "cadence",
        "stakeholder matrix",
        "first 15 minutes",
        "closing",
    ):
        assert topic in titles, topic
    for role in (
        "Incident Commander",
        "Communications Lead",
        "Operations Lead",
        "Scribe",
        "Subject-matter experts",
    ):
        assert role in text


def test_war_room_procedure_matches_the_roster():
    """The cadence table repeats ops/oncall.yaml: a change there must show here."""
    import yaml

    roster = yaml.safe_load((OPS / "oncall.yaml").read_text())
    text = (OPS / "war-room-procedure.md").read_text()
    for sev, cadence in roster["war_room"]["cadence"].items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {sev} |"))
        cells = [c.strip() for c in row.split("|")[2:5]]
        assert cells == [
            f"{cadence['first_customer_post']} min",
            f"{cadence['external_update']} min",
            f"{cadence['internal_summary']} min",
        ], row
    assert set(roster["war_room"]["severities"]) == {"SEV1", "SEV2"}
    assert "#inc-<n>-<slug>" in text
    assert f"{roster['escalation']['ack_timeout_minutes']} minutes" in text
    assert f"{roster['escalation']['drill_ack_timeout_seconds']} s" in text


def test_channel_name_example_is_what_the_incident_service_computes():
    from harness.incidents.warroom import channel_name

    text = (OPS / "war-room-procedure.md").read_text()
    assert f"`{channel_name(12, 'ApiDown: Shop API is down')}`" in text

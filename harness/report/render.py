"""Write a drill's report files: report.json, report.html, report.md and junit.xml."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from harness.report.charts import LABELS, load_chart, timeline_chart
from harness.scenario.durations import format_duration

_env = Environment(
    loader=PackageLoader("harness.report", "templates"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_md_env = Environment(
    loader=PackageLoader("harness.report", "templates"),
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _dur(value: float | None) -> str:
    return "—" if value is None else format_duration(value)


for env in (_env, _md_env):
    env.filters["dur"] = _dur
    env.globals["LABELS"] = LABELS


def write_atomic(path: Path, text: str) -> None:
    """A reader (or a crash) never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(out_dir: Path, report: dict[str, Any]) -> Path:
    path = out_dir / "report.json"
    write_atomic(path, json.dumps(report, indent=2, default=str) + "\n")
    return path


def _rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    targets = {
        "time_to_acknowledge_s": report["targets"]["respond_s"],
        "time_to_resolve_s": report["targets"]["resolve_s"],
    }
    rows = []
    for name, value in report["metrics"].items():
        target = targets.get(name)
        state = (
            "" if target is None else ("met" if value is not None and value <= target else "missed")
        )
        rows.append(
            {
                "name": name,
                "label": LABELS.get(name, name),
                "value": value,
                "target": target,
                "state": state,
            }
        )
    return rows


def _fault_unix(report: dict[str, Any]) -> float | None:
    hit = next((t for t in report["timeline"] if t["event"] == "fault_injected"), None)
    return datetime.fromisoformat(hit["at"].replace("Z", "+00:00")).timestamp() if hit else None


def render_html(report: dict[str, Any]) -> str:
    return _env.get_template("report.html.j2").render(
        r=report,
        rows=_rows(report),
        chart=timeline_chart(report),
        load=load_chart(report, _fault_unix(report)),
    )


def render_md(report: dict[str, Any]) -> str:
    return _md_env.get_template("report.md.j2").render(r=report, rows=_rows(report))


def render_junit(report: dict[str, Any]) -> str:
    """One test case per target, so a CI system shows a drill as tests."""
    cases = [
        ("respond", "time_to_acknowledge_s", report["targets"]["respond_s"]),
        ("resolve", "time_to_resolve_s", report["targets"]["resolve_s"]),
    ]
    failures = 0
    suite = ET.Element("testsuite", name=f"drill.{report['scenario']}", tests=str(len(cases)))
    for name, metric, target in cases:
        value = report["metrics"].get(metric)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"drill.{report['scenario']}",
            name=f"{name} within {format_duration(target)}",
            time=f"{value or 0:.3f}",
        )
        if report["status"] != "completed":
            failures += 1
            ET.SubElement(
                case, "error", message=f"drill {report['status']}: {report.get('end_reason') or ''}"
            ).text = report["drill_id"]
        elif value is None or value > target:
            failures += 1
            shown = "never" if value is None else format_duration(value)
            ET.SubElement(
                case, "failure", message=f"{metric} = {shown}, target {format_duration(target)}"
            )
    suite.set("failures", str(failures))
    props = ET.SubElement(suite, "properties")
    for key, value in report["metrics"].items():
        ET.SubElement(props, "property", name=key, value="null" if value is None else str(value))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_all(out_dir: Path, report: dict[str, Any]) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": write_json(out_dir, report)}
    for key, name, text in (
        ("html", "report.html", render_html(report)),
        ("md", "report.md", render_md(report)),
        ("junit", "junit.xml", render_junit(report)),
    ):
        write_atomic(out_dir / name, text)
        paths[key] = out_dir / name
    return paths

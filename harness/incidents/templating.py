"""Stakeholder messages rendered from the jinja2 templates in ops/notifications/.

Each template defines three blocks: `subject` (one line), `body` (the message) and
`context` (a short facts line); `_macros.j2` is available to all of them as `m`.
Python only fills in data; every word comes from a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from harness.errors import ConfigError


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    context: str


class Templates:
    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ConfigError(f"{folder}: notification template folder is missing")
        self.folder = folder
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain text and Slack mrkdwn, never HTML
            trim_blocks=False,
            keep_trailing_newline=False,
        )
        # Blocks are rendered one by one, which skips top-level imports: the shared
        # macros are a global instead (`m.prefix(incident)` in every template).
        try:
            self.env.globals["m"] = self.env.get_template("_macros.j2").module
        except jinja2.TemplateError as exc:
            raise ConfigError(f"{folder / '_macros.j2'}: {exc}") from exc

    def _block(self, template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
        render = template.blocks.get(name)
        if render is None:
            return ""
        return "".join(render(template.new_context(context))).strip()

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        try:
            template = self.env.get_template(name)
            subject = " ".join(self._block(template, "subject", context).split())
            return Rendered(
                subject=subject,
                text=self._block(template, "body", context),
                context=self._block(template, "context", context),
            )
        except jinja2.TemplateError as exc:
            raise ConfigError(f"{self.folder / name}: {exc}") from exc

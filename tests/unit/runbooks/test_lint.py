from __future__ import annotations

from pathlib import Path

import pytest

from harness.runbooks import RepoFacts, lint_file
from tests.unit.runbooks.conftest import DATA, HEADER, line_of, write

DEFECTIVE = DATA / "defective.md"


@pytest.fixture
def defects(facts: RepoFacts) -> list[tuple[str, int, str]]:
    return [(d.rule, d.line, d.reason) for d in lint_file(DEFECTIVE, facts)]


def find(defects: list[tuple[str, int, str]], rule: str, line: int) -> str:
    hits = [reason for r, ln, reason in defects if r == rule and ln == line]
    assert hits, f"no {rule} defect at line {line}; got {defects}"
    return hits[0]


@pytest.mark.parametrize(
    ("rule", "needle", "nth", "words"),
    [
        ("front-matter", "---", 1, "last_validated"),
        ("unknown-alert", "alerts:", 1, "NoSuchAlert"),
        ("unknown-service", "services:", 1, "'cache'"),
        ("outside-step", "```verify", 1, "not inside a numbered step"),
        ("command-service", "logs --tail 5 redis", 1, "'redis'"),
        ("no-verify", "## 1. Look around", 1, "no verify block"),
        ("command-container", "docker restart api", 1, "that is a service"),
        ("command-project", "-p other", 1, "'other'"),
        ("command-proxy", "/proxies/redis/", 1, "'redis'"),
        ("fence-options", "retries=often", 1, "retries"),
        ("unknown-kind", "```remediation", 1, "'remediation'"),
        ("fence-options", "bogus=1", 1, "unknown fence option"),
        ("numbering", "## 4. Skipped", 1, "numbered 4 where 3"),
        ("no-verify", "## 4. Skipped", 1, "no verify block"),
        ("ends-unverified", "echo done", 1, "not verify"),
    ],
)
def test_each_planted_defect_is_caught_with_its_line(defects, rule, needle, nth, words):
    line = line_of(DEFECTIVE, needle, nth)
    if rule == "ends-unverified":
        line -= 1  # blamed on the fence, one line above the command
    if rule in ("front-matter",):
        line = 1
    reason = find(defects, rule, line)
    assert words in reason


def test_container_naming_a_real_compose_container_is_fine(defects):
    assert not [d for d in defects if "drill-db-1" in d[2]]


def test_defects_print_as_file_line_reason(facts: RepoFacts):
    first = lint_file(DEFECTIVE, facts)[0]
    assert str(first).startswith(f"{DEFECTIVE}:{first.line}: [{first.rule}] ")


def test_clean_runbook_has_no_defects(tmp_path: Path, facts: RepoFacts):
    path = write(
        tmp_path,
        HEADER
        + """
## 1. Fix it

```remediate
docker compose -p drill start api
docker update --cpus "$(nproc)" "$(docker compose -p drill ps -q api)"
curl -fsS -X DELETE http://127.0.0.1:${DRILL_PROXY_PORT:-8474}/proxies/db/toxics/$name
docker compose -p drill exec -T db psql -U shop shop -c "SELECT 1; SELECT 2"
$DRILL_BIN fault clear --target db
```

```verify retries=3 interval=0.1 expect-exit=0
curl -fsS http://127.0.0.1:8080/health
```
""",
    )
    assert lint_file(path, facts) == []


def test_missing_front_matter_and_steps(tmp_path: Path, facts: RepoFacts):
    path = write(tmp_path, "# Just a title\n\nNo steps at all.\n")
    rules = {d.rule for d in lint_file(path, facts)}
    assert rules == {"front-matter", "no-steps"}


def test_invalid_yaml_front_matter_names_its_line(tmp_path: Path, facts: RepoFacts):
    path = write(tmp_path, "---\nid: x\ntitle: [unclosed\n---\n## 1. A\n")
    found = [d for d in lint_file(path, facts) if d.rule == "front-matter"]
    assert found and found[0].line in (3, 4, 5)
    assert "not valid YAML" in found[0].reason


def test_bad_severity_value_points_at_its_field(tmp_path: Path, facts: RepoFacts):
    path = write(
        tmp_path,
        HEADER.replace("SEV2", "urgent") + "\n## 1. A\n\n```verify\ntrue\n```\n"
        "\n```remediate\ntrue\n```\n",
    )
    found = [d for d in lint_file(path, facts) if d.rule == "front-matter"]
    assert len(found) == 1
    assert found[0].line == line_of(path, "severity:")


def test_runbook_without_remediation(tmp_path: Path, facts: RepoFacts):
    path = write(tmp_path, HEADER + "\n## 1. Look\n\n```verify\ntrue\n```\n")
    assert [d.rule for d in lint_file(path, facts)] == ["no-remediate"]


def test_commands_in_continuation_lines_get_their_own_line(tmp_path: Path, facts: RepoFacts):
    path = write(
        tmp_path,
        HEADER
        + """
## 1. Fix

```remediate
echo first
docker compose -p drill \\
  restart nosuch
```

```verify
true
```
""",
    )
    found = [d for d in lint_file(path, facts) if d.rule == "command-service"]
    assert [d.line for d in found] == [line_of(path, "docker compose -p drill \\")]

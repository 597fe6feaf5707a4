from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import RunbookError
from harness.runbooks import RepoFacts
from harness.runbooks.commands import references


def make_repo(root: Path) -> Path:
    (root / "targets/prometheus/rules").mkdir(parents=True)
    (root / "targets/faultproxy").mkdir(parents=True)
    (root / "docker-compose.yml").write_text(
        "name: shop\nservices:\n  web: {image: x}\n  cache: {image: y, container_name: the-cache}\n"
    )
    (root / "targets/prometheus/rules/a.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: WebDown\n        expr: up == 0\n"
        "      - record: job:up\n        expr: up\n"
    )
    (root / "targets/prometheus/rules/b.yaml").write_text(
        "groups:\n  - name: h\n    rules:\n      - alert: CacheDown\n        expr: up == 0\n"
    )
    (root / "targets/faultproxy/proxies.json").write_text(json.dumps([{"name": "web"}]))
    return root


def test_facts_come_from_the_files(tmp_path: Path):
    facts = RepoFacts.load(make_repo(tmp_path))
    assert facts.project == "shop"
    assert facts.services == {"web", "cache"}
    assert facts.alerts == {"WebDown", "CacheDown"}
    assert facts.proxies == {"web"}
    assert facts.service_of_container("the-cache") == "cache"
    assert facts.service_of_container("shop-web-1") == "web"
    assert facts.service_of_container("shop_web_2") == "web"
    assert facts.service_of_container("shop-db-1") is None
    assert facts.service_of_container("web") is None


def test_missing_compose_file_is_a_runbook_error(tmp_path: Path):
    with pytest.raises(RunbookError, match="docker-compose.yml"):
        RepoFacts.load(tmp_path)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "docker compose -p drill start api db",
            {("project", "drill"), ("service", "api"), ("service", "db")},
        ),
        (
            "docker compose --project-name=x exec -T -u postgres db psql -c 'a; b'",
            {("project", "x"), ("service", "db")},
        ),
        ("docker-compose logs --tail 5 -f api", {("service", "api")}),
        ("docker update --cpus 2 drill-api-1", {("container", "drill-api-1")}),
        ("docker container pause drill-db-1", {("container", "drill-db-1")}),
        (
            'docker inspect -f "{{.State.Status}}" "$(docker compose ps -q api)"',
            {("service", "api")},
        ),
        ("sudo docker kill -s KILL drill-db-1 && echo ok", {("container", "drill-db-1")}),
        ("X=1 timeout 5 drill fault inject net.latency --target db", {("service", "db")}),
        ("curl -X DELETE http://127.0.0.1:8474/proxies/db/toxics/$name", {("proxy", "db")}),
        ("docker cp drill-db-1:/tmp/x . # docker restart ignored", {("container", "drill-db-1")}),
        ("# docker restart nothing", set()),
        ("docker ps -a; docker images", set()),
    ],
)
def test_references_found_in_commands(script: str, expected: set[tuple[str, str]]):
    assert {(r.kind, r.name) for r in references(script)} == expected

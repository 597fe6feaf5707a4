"""Images rebuild only when what they are built from changes."""

from __future__ import annotations

from pathlib import Path

from harness.stack.images import package_list, tree_hash

ROOT = Path(__file__).resolve().parents[3]


def test_package_list_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "targets/base").mkdir(parents=True)
    (tmp_path / "targets/base/packages.txt").write_text("# comment\npython3\n\n  curl \n")
    assert package_list(tmp_path) == ["python3", "curl"]


def test_shipped_package_list_has_what_the_services_run_on() -> None:
    packages = set(package_list(ROOT))
    assert {"python3", "postgresql-15", "prometheus", "prometheus-alertmanager", "curl"} <= packages


def test_tree_hash_changes_with_content_and_names_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/x.txt").write_text("one")
    first = tree_hash(tmp_path, ["a"])
    assert tree_hash(tmp_path, ["a"]) == first
    (tmp_path / "a/__pycache__").mkdir()
    (tmp_path / "a/__pycache__/x.pyc").write_bytes(b"junk")
    assert tree_hash(tmp_path, ["a"]) == first, "bytecode must not force a rebuild"
    (tmp_path / "a/x.txt").write_text("two")
    assert tree_hash(tmp_path, ["a"]) != first
    (tmp_path / "a/x.txt").write_text("one")
    (tmp_path / "a/x.txt").rename(tmp_path / "a/y.txt")
    assert tree_hash(tmp_path, ["a"]) != first

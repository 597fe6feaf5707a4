"""Locust's CSV read back; the locust command is bounded in users, rate and time."""

from __future__ import annotations

from pathlib import Path

from harness.load.runner import LoadRunner
from harness.load.stats import read_stats
from harness.scenario.model import LoadSpec

STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,/products,90,2,4,5.1,1,40,100,9.0,0.2,4,5,6,7,9,12,20,30,40,40,40
,Aggregated,120,7,4,6.0,1,60,100,12.0,0.7,4,5,6,7,10,14,25,35,60,60,60
"""
HISTORY = """Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,\
99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,\
Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average \
Content Size
1700000000,4,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0
1700000001,4,,Aggregated,11.5,2.0,4,5,6,7,10,14,25,35,60,60,60,12,2,4,6.0,1,60,100
"""


def test_read_stats(tmp_path: Path) -> None:
    (tmp_path / "load_stats.csv").write_text(STATS)
    (tmp_path / "load_stats_history.csv").write_text(HISTORY)
    stats = read_stats(tmp_path / "load")
    assert (stats.requests, stats.failures, stats.p95_ms, stats.rps) == (120, 7, 14.0, 12.0)
    assert [s.rps for s in stats.history] == [0.0, 11.5]
    assert stats.history[1].failures_per_s == 2.0 and stats.history[1].users == 4
    assert stats.as_report()["history"][1]["at"] == 1700000001


def test_missing_files_give_zeros(tmp_path: Path) -> None:
    stats = read_stats(tmp_path / "none")
    assert stats.requests == 0 and stats.history == ()


def test_command_is_bounded_and_local(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios/locustfile.py").write_text("")
    runner = LoadRunner(
        LoadSpec(users=3, spawn_rate=2),
        out_dir=tmp_path / "out",
        run_time_s=42.7,
        host="http://127.0.0.1:8080",
        root=tmp_path,
    )
    cmd = runner.command()
    assert cmd[cmd.index("--users") + 1] == "3" and cmd[cmd.index("--spawn-rate") + 1] == "2.0"
    assert cmd[cmd.index("--run-time") + 1] == "42s" and "--headless" in cmd
    assert cmd[cmd.index("--host") + 1] == "http://127.0.0.1:8080"

"""Find what a shell script names: compose services, containers, proxies, projects.

A heuristic reader, not a shell: it splits each line at pipes, `;`, `&&`, `||` and
command substitution, then reads the first words of every `docker compose`, `docker`,
`drill` and `curl` command it finds. Anything built from a variable is skipped.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

SEPARATORS = re.compile(r"\$\(|`|\)|&&|\|\||[|;]")
# Options (of compose, its subcommands, docker and drill) that consume the next word.
VALUE_OPTIONS = frozenset(
    {
        "-p",
        "--project-name",
        "-f",
        "--file",
        "--env-file",
        "--profile",
        "--project-directory",
        "--ansi",
        "--progress",
        "--parallel",
        "-u",
        "--user",
        "-e",
        "--env",
        "-w",
        "--workdir",
        "--index",
        "-t",
        "--time",
        "--timeout",
        "-s",
        "--signal",
        "--tail",
        "-n",
        "--since",
        "--until",
        "--format",
        "--filter",
        "--scale",
        "--wait-timeout",
        "--cpus",
        "-m",
        "--memory",
        "--cpu-quota",
        "--cpu-period",
        "--cpuset-cpus",
        "--cpu-shares",
        "-c",
        "--memory-swap",
        "--pids-limit",
        "--restart",
        "--memory-reservation",
        "--type",
        "--param",
        "--duration",
        "--mode",
        "--target",
        "--status",
    }
)
COMPOSE_ALL_POSITIONALS = frozenset(
    {
        "start",
        "stop",
        "restart",
        "pause",
        "unpause",
        "kill",
        "logs",
        "ps",
        "up",
        "rm",
        "top",
        "create",
        "pull",
        "build",
        "events",
        "images",
    }
)
COMPOSE_FIRST_POSITIONAL = frozenset({"exec", "run", "port"})
DOCKER_CONTAINER_VERBS = frozenset(
    {
        "start",
        "stop",
        "restart",
        "pause",
        "unpause",
        "kill",
        "update",
        "logs",
        "inspect",
        "top",
        "rm",
        "wait",
        "port",
        "stats",
        "exec",
        "cp",
    }
)
# ...except where a verb uses the same letter for a flag (`logs -f` follows, `rm -f` forces).
BOOLEAN_BY_VERB = {
    "logs": frozenset({"-f"}),
    "rm": frozenset({"-f"}),
}
PROXY_URL = re.compile(r"/proxies/([^/\s\"']+)")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # skips $VAR, quotes and other debris


@dataclass(frozen=True)
class Reference:
    kind: str  # "service", "container", "proxy", "project"
    name: str
    line: int  # 0-based line within the script
    command: str  # the command segment, for the message


def references(script: str) -> Iterator[Reference]:
    for line_no, line in _logical_lines(script):
        for match in PROXY_URL.finditer(line):
            if NAME.fullmatch(match[1]):
                yield Reference("proxy", match[1], line_no, line.strip())
        for segment in SEPARATORS.split(line):
            words = _words(segment)
            for kind, name in _segment_refs(words):
                if NAME.fullmatch(name):
                    yield Reference(kind, name, line_no, segment.strip())


def _logical_lines(script: str) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined, numbered by where they start."""
    start, parts = 0, list[str]()
    for number, raw in enumerate(script.splitlines()):
        if not parts:
            start = number
        if raw.rstrip().endswith("\\"):
            parts.append(raw.rstrip()[:-1])
            continue
        parts.append(raw)
        text = " ".join(parts)
        parts = []
        if not text.lstrip().startswith("#"):
            yield start, text
    if parts:
        yield start, " ".join(parts)


def _words(segment: str) -> list[str]:
    try:
        words = shlex.split(segment, comments=True)
    except ValueError:  # an unbalanced quote cut by our splitting: plain words are enough
        words = segment.split()
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words = words[1:]  # VAR=value prefixes
    for prefix in ("sudo", "timeout", "exec", "command"):
        if words and words[0] == prefix:
            words = words[1:]
            if prefix == "timeout" and words:
                words = words[1:]
    return words


def _segment_refs(words: list[str]) -> Iterator[tuple[str, str]]:
    if len(words) >= 2 and words[0] == "docker" and words[1] == "compose":
        yield from _compose_refs(words[2:])
    elif words[:1] == ["docker-compose"]:
        yield from _compose_refs(words[1:])
    elif words[:1] == ["docker"] and len(words) > 1:
        rest = words[2:] if words[1] == "container" else words[1:]
        yield from _docker_refs(rest)
    elif words and (words[0].endswith("drill") or words[0] in ("$DRILL_BIN", "${DRILL_BIN}")):
        yield from _drill_refs(words[1:])


def _positionals(words: list[str], verb: str = "") -> list[str]:
    found: list[str] = []
    skip = False
    flags = BOOLEAN_BY_VERB.get(verb, frozenset())
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = "=" not in word and word in VALUE_OPTIONS and word not in flags
        else:
            found.append(word)
    return found


def _compose_refs(words: list[str]) -> Iterator[tuple[str, str]]:
    index = 0
    while index < len(words) and words[index].startswith("-"):
        word = words[index]
        if word in ("-p", "--project-name") and index + 1 < len(words):
            yield "project", words[index + 1]
        elif word.startswith("--project-name="):
            yield "project", word.split("=", 1)[1]
        index += 2 if word in VALUE_OPTIONS else 1
    if index >= len(words):
        return
    verb = words[index]
    positionals = _positionals(words[index + 1 :], verb)
    if verb in COMPOSE_ALL_POSITIONALS:
        yield from (("service", p) for p in positionals)
    elif verb in COMPOSE_FIRST_POSITIONAL and positionals:
        yield "service", positionals[0]
    elif verb == "cp":
        yield from (("service", p.split(":", 1)[0]) for p in positionals if ":" in p)


def _docker_refs(words: list[str]) -> Iterator[tuple[str, str]]:
    verb = words[0]
    positionals = _positionals(words[1:], verb)
    if verb not in DOCKER_CONTAINER_VERBS:
        return
    if verb == "cp":
        yield from (("container", p.split(":", 1)[0]) for p in positionals if ":" in p)
    elif verb in ("exec", "port"):
        yield from (("container", p) for p in positionals[:1])
    else:
        yield from (("container", p) for p in positionals)


def _drill_refs(words: list[str]) -> Iterator[tuple[str, str]]:
    for index, word in enumerate(words[:-1]):
        if word == "--target":
            yield "service", words[index + 1]
    for word in words:
        if word.startswith("--target="):
            yield "service", word.split("=", 1)[1]

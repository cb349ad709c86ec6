"""Where a trained model's folder lies: stored relative to the service's models folder (``TEXTMINE_MODELS_DIR``),
so that moving that folder, or restoring a store on another machine, keeps every trained model. Rows stored
before (absolute paths) still load, from where they were or, when that is gone, from the models folder by their
folder name. A stored relative path never leads outside the models folder (``..``, a symbolic link):
:class:`ModelPathError`."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from textmine.classify.artefact import ArtefactError

MODELS_DIR_ENV = "TEXTMINE_MODELS_DIR"


class ModelPathError(ArtefactError):
    """A stored model path that leads outside the models folder (refused, never loaded or removed)."""


def default_models_dir() -> Path:
    """The models folder as the service's settings give it (``TEXTMINE_MODELS_DIR``, else
    ``<cache>/service-models``), for callers without settings."""
    if os.environ.get(MODELS_DIR_ENV):
        return Path(os.environ[MODELS_DIR_ENV])
    from textmine.paths import cache_dir

    return cache_dir() / "service-models"


def stored_model_path(folder: str | Path, models_dir: str | Path) -> str:
    """What the ``models.path`` column stores for ``folder``: its path relative to ``models_dir`` (POSIX
    separators) when it lies inside, else its absolute path (a folder elsewhere, as before)."""
    folder, root = Path(folder).absolute(), Path(models_dir).absolute()
    try:
        return folder.relative_to(root).as_posix()
    except ValueError:
        return str(folder)


def model_folder(stored: str, models_dir: str | Path) -> Path:
    """The folder of a model row whose ``path`` is ``stored``. Relative: under ``models_dir``, refused
    (:class:`ModelPathError`) where it leads outside it, by ``..`` or a symbolic link. Absolute (rows stored before
    relative paths): the path when it exists, else ``<models_dir>/<its folder name>`` when that exists (a moved
    models folder), else the path as stored (loading it then says what is missing)."""
    root = Path(models_dir)
    path = Path(stored)
    if path.is_absolute():
        if path.exists():
            return path
        moved = root / path.name  # (never «..» or «.»: the fallback stays a folder inside the models folder)
        return moved if path.name not in ("", ".", "..") and moved.is_dir() else path
    parts = PurePosixPath(stored.replace("\\", "/")).parts
    if not parts or ".." in parts:
        raise _outside(stored)
    folder = root.joinpath(*parts)
    real_root, real = root.resolve(), folder.resolve()
    if real == real_root or real_root not in real.parents:
        raise _outside(stored)
    return folder


def _outside(stored: str) -> ModelPathError:
    return ModelPathError(f"the stored model folder {stored!r} lies outside the models folder ({MODELS_DIR_ENV}); "
                          "refused: a model's path is relative to the models folder and stays inside it")

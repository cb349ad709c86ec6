"""Well-known locations: bundled data, shipped models and the user cache (no I/O at import)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = REPO_DIR / "data"
MODELS_DIR = REPO_DIR / "models"
SAMPLE_DIR = DATA_DIR / "sample"
EVAL_DIR = DATA_DIR / "eval"
TRAIN_DIR = DATA_DIR / "train"  # hand-written, hand-labelled training comments (never the eval set)
CODEBOOK_DIR = DATA_DIR / "codebooks"
WORDLIST_DIR = DATA_DIR / "wordlists"
DEFAULT_CODEBOOK = CODEBOOK_DIR / "arbeidsgiver.yaml"
DEFAULT_SURVEY = SAMPLE_DIR / "survey.yaml"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"
FAST_MODEL_DIR = MODELS_DIR / "fast"  # the same coder on e5-static vectors: no encoder at run time


class CacheDirError(OSError):
    """The cache folder cannot be created or used (a file in the way, no permission): a setting to fix."""


def cache_dir() -> Path:
    """User cache for rebuilt models and embedding caches (``TEXTMINE_CACHE_DIR`` overrides)."""
    base = os.environ.get("TEXTMINE_CACHE_DIR")
    path = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "textmine"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # private when textmine creates it (embedding cache)
    except OSError as e:  # a file in the way, no permission, read-only disk
        setting = "TEXTMINE_CACHE_DIR" if base else "TEXTMINE_CACHE_DIR (or XDG_CACHE_HOME)"
        raise CacheDirError(e.errno, f"the cache folder {path} cannot be created ({e.strerror or type(e).__name__}); "
                               f"set {setting} to a writable folder") from None
    return path


DISCLOSURE_KEY_ENV = "TEXTMINE_DISCLOSURE_KEY"


DISCLOSURE_KEY_MIN = 16  # characters of a key given in TEXTMINE_DISCLOSURE_KEY


def disclosure_key() -> bytes:
    """The installation's private key for orders a reader must not recompute (the numbering of «Liten gruppe N»):
    ``TEXTMINE_DISCLOSURE_KEY`` when set (at least 16 characters; give every server and CLI of one deployment the
    same value), otherwise a random key made once in the cache folder (``disclosure.key``, the owner's only) and kept
    there, so the same input gives the same report on this installation. A key file that is a link, a folder, or
    readable or owned by another user is refused (:class:`CacheDirError`, with the fix), as a key anyone can set or
    read is no key."""
    env = os.environ.get(DISCLOSURE_KEY_ENV, "")
    if env.strip():
        if len(env.strip()) < DISCLOSURE_KEY_MIN:
            raise CacheDirError(0, f"{DISCLOSURE_KEY_ENV} is too short ({len(env.strip())} characters): use at least "
                                   f"{DISCLOSURE_KEY_MIN} random characters, e.g. the output of "
                                   "python -c 'import secrets; print(secrets.token_hex(32))'")
        return env.strip().encode("utf-8")
    path = cache_dir() / "disclosure.key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    import secrets

    tmp = path.with_name(f".disclosure.key.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # the first process to make a key wins; the others read it
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as e:  # a read-only cache folder, no permission
        raise CacheDirError(e.errno, f"the key file {path} cannot be made ({e.strerror or type(e).__name__}); make the "
                                     f"cache folder writable or set {DISCLOSURE_KEY_ENV}") from None
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    """The key in ``path`` (FileNotFoundError when there is none); refused unless a plain file of this user's that
    no one else may read."""
    fix = f"delete it to make a new one, or set {DISCLOSURE_KEY_ENV}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as e:  # a symbolic link (ELOOP), a folder, no permission
        kind = "a link" if path.is_symlink() else "not a readable file"
        raise CacheDirError(e.errno, f"{path} is {kind}; {fix}") from None
    import stat

    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise CacheDirError(0, f"{path} is not a plain file; {fix}")
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        os.close(fd)
        raise CacheDirError(0, f"{path} is owned by another user or readable by others (mode "
                               f"{stat.S_IMODE(st.st_mode):o}); {fix}")
    with os.fdopen(fd, "rb") as f:
        key = f.read().decode("ascii", "replace").strip()
    if len(key) < 32:
        raise CacheDirError(0, f"{path} holds no usable key (expected 64 hex digits); {fix}")
    return key.encode("ascii")


def default_training_files(*, handwritten: bool = True) -> list[Path]:
    """Labelled files the shipped model trains on: both generated sample waves, plus the hand-written comments."""
    files = [SAMPLE_DIR / f"labels_{w}.csv" for w in (2022, 2023)]
    return files + (sorted(TRAIN_DIR.glob("handwritten*.csv")) if handwritten else [])


def read_training_frame(files: list[Path]):
    """``text``, ``themes``, ``type``, ``question`` of the given labelled files, concatenated (all strings;
    ``question`` is "" for files that do not name the survey question)."""
    import pandas as pd

    cols = ["text", "themes", "type", "question"]
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    return pd.concat([d.assign(question=d["question"] if "question" in d else "")[cols] for d in frames],
                     ignore_index=True)

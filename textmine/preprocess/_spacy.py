"""Import spaCy for its tokenizer and lookup tables without letting thinc import torch.

``import spacy`` imports thinc, and thinc imports torch when it is installed (~200 MB resident, measured
with torch 2.x) although preprocessing only uses ``spacy.blank("nb").tokenizer`` and ``spacy.strings``.
:func:`import_spacy` imports spaCy with ``torch`` reported missing *to the importing thread only* (other
threads import normally), so thinc records ``has_torch = False``. Tokenization does not touch thinc's
backends, so results are the same. When torch or thinc is already imported nothing is blocked.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading

_LOCK = threading.Lock()


class _NoTorchForThread(importlib.abc.MetaPathFinder):
    def __init__(self, thread_id: int):
        self.thread_id = thread_id

    def find_spec(self, name, path=None, target=None):
        if (name == "torch" or name.startswith("torch.")) and threading.get_ident() == self.thread_id:
            raise ModuleNotFoundError(f"No module named {name!r} (not loaded for spaCy's tokenizer)", name=name)
        return None


def import_spacy():
    """``import spacy`` without pulling in torch (see the module docstring); returns the module."""
    spacy = sys.modules.get("spacy")
    if spacy is not None and getattr(spacy, "blank", None) is not None:
        return spacy
    with _LOCK:
        if "torch" in sys.modules or "thinc" in sys.modules:
            import spacy

            return spacy
        finder = _NoTorchForThread(threading.get_ident())
        sys.meta_path.insert(0, finder)
        try:
            import spacy
        finally:
            sys.meta_path.remove(finder)
    return spacy


_HASH = None


def hash_string(text: str) -> int:
    """spaCy's string hash (``spacy.strings.hash_string``), imported via :func:`import_spacy`."""
    global _HASH
    if _HASH is None:
        import_spacy()
        from spacy.strings import hash_string as _hash

        _HASH = _hash
    return _HASH(text)

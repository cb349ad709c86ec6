"""Draft codebook (contract format) from discovered topics, for analysts to edit and feed to coding."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

DRAFT_VERSION = "0.1-utkast"  # ``textmine code`` warns about a codebook whose version holds "utkast"
MAX_ID_LEN = 40
NON_ANSWER_LIKE = 0.5  # a topic where at least this share of answers has no content word is no theme
# the fixed words of a draft's descriptions, in the codebook's written standard (nynorsk for an "nn" codebook or,
# without one, for mostly nynorsk answers; bokmål otherwise)
_TEXTS = {
    "nb": {
        "theme": "Utkast fra temaoppdagelse (emne {id}, {size} kommentarer): kommentarer om {words}. Rediger før bruk.",
        "nearest": " Nærmeste eksisterende tema: {theme}.",
        "stability": " Funnet med {found} av {runs} frø (stabilitet {score}).",
        "codebook": "Utkast generert av textmine discover; gå gjennom etiketter, beskrivelser og eksempler, og gi "
                    "versjonen et nytt navn uten «utkast» før bruk.",
    },
    "nn": {
        "theme": "Utkast frå temaoppdaging (emne {id}, {size} kommentarar): kommentarar om {words}. Rediger før bruk.",
        "nearest": " Næraste eksisterande tema: {theme}.",
        "stability": " Funne med {found} av {runs} frø (stabilitet {score}).",
        "codebook": "Utkast laga av textmine discover; gå gjennom etikettar, skildringar og døme, og gi versjonen "
                    "eit nytt namn utan «utkast» før bruk.",
    },
}


def draft_codebook(result, *, name: str = "utkast", base_codebook=None) -> dict[str, Any]:
    """Unguided: one theme per topic that has keywords and answers with content (no catch-all ``annet``: a
    draft ``annet`` without keywords or examples took a fifth of the next wave's answers). Guided: the
    existing themes + candidates ``ny_*``. The descriptions are in the codebook's language (the base codebook's,
    else the answers': :func:`answers_language`), bokmål or nynorsk."""
    themes: list[dict[str, Any]] = []
    used: set[str] = set()
    labels: set[str] = set()
    meta = base_codebook.to_dict() if base_codebook is not None else {}
    if base_codebook is not None:
        themes.extend(meta["themes"])
        used.update(t["id"] for t in meta["themes"])
        labels.update(_label_key(t["label"]) for t in meta["themes"])
    prefix = "ny_" if base_codebook is not None else ""
    language = meta["language"] if meta.get("language") else answers_language(result)
    text = _TEXTS["nn" if language == "nn" else "nb"]
    for tp in result.topics:
        if not is_draft_theme(tp, _member_texts(result, tp.id)):
            continue
        base_id = prefix + theme_id(tp.label, fallback=f"tema_{tp.id}", max_len=MAX_ID_LEN - len(prefix))
        tid, k = base_id, 2
        while tid in used:
            tid, k = f"{base_id}_{k}", k + 1
        used.add(tid)
        desc = text["theme"].format(id=tp.id, size=tp.size, words=", ".join(tp.keywords[:5]))
        if tp.nearest_theme:
            desc += text["nearest"].format(theme=tp.nearest_theme)
        if tp.stability is not None and result.stability is not None:
            st, score = result.stability, f"{tp.stability:.2f}".replace(".", ",")
            desc += text["stability"].format(found=st.topic_found.get(tp.id, 1), runs=st.n_runs, score=score)
        label, k = tp.label, 2
        while _label_key(label) in labels:  # a codebook refuses two themes of one label
            label, k = f"{tp.label} ({k})", k + 1
        labels.add(_label_key(label))
        themes.append({"id": tid, "label": label, "description": desc, "keywords": list(tp.keywords[:8]),
                       "examples": list(tp.examples), "parent": None, "exclusive": False})
    return {
        "name": meta.get("name", name) if base_codebook is None else f"{meta.get('name', name)}_utkast",
        "version": DRAFT_VERSION,
        "language": language,
        "description": text["codebook"],
        "types": list(meta.get("types", ["klage", "ønske", "ros"])),
        "themes": themes,
    }


def _label_key(label: str) -> str:
    """A label as the codebook compares labels (case and spacing ignored)."""
    return " ".join(str(label).casefold().split())


def answers_language(result) -> str:
    """The written standard most answers are in: "nn" when more of the answers (not non-answers) whose marker
    words decide are nynorsk than bokmål, else "nb" (also when none decides)."""
    from collections import Counter

    from .core import marker_languages

    texts = [t for t, na in zip(result.text_clean, result.is_non_answer) if t and not na]
    counts = Counter(x for x in marker_languages(texts) if x in ("nb", "nn"))
    return "nn" if counts["nn"] > counts["nb"] else "nb"


def theme_id(label: str, *, fallback: str, max_len: int = MAX_ID_LEN) -> str:
    """Theme id from the label's words ("telefon · kø · telefonkø" -> "telefon_ko_telefonko"): each word once,
    transliterated as the codebook validator does, cut after a whole word within ``max_len``."""
    from textmine.codebook import ascii_id

    words: list[str] = []
    for w in ascii_id(label).split("_"):
        if w and w not in words:
            words.append(w)
    out = ""
    for w in words:
        nxt = f"{out}_{w}" if out else w
        if len(nxt) > max_len:
            break
        out = nxt
    return out or (words[0][:max_len] if words else fallback)


def left_out_lines(result) -> list[str]:
    """Reader-facing (Norwegian) lines naming the topics the draft codebook leaves out, and why."""
    lines = []
    for tp in result.topics:
        texts = _member_texts(result, tp.id)
        if is_draft_theme(tp, texts):
            continue
        why = (f"{tp.language_note} (svarene er samlet etter språket de er skrevet på, ikke etter hva de handler "
               "om; les dem og kod dem med temaene de handler om)" if getattr(tp, "language_note", None)
               else "ingen nøkkelord" if not tp.keywords else "ingen eksempler som kan vises" if not tp.examples
               else "svarene er mest ikke-svar")
        lines.append(f"Tema {tp.id} ({tp.label}, {tp.size} svar) er ikke tatt med i codebook.yaml: {why}.")
    return lines


def is_draft_theme(topic, texts: list[str]) -> bool:
    """A topic becomes a draft theme when it has keywords and examples, most of its answers hold a content
    word (not "kva", "?", "ok" repeated) and it is not a group of answers in one language (``language_note``)."""
    if not topic.keywords or not topic.examples or getattr(topic, "language_note", None):
        return False
    if not texts:
        return True
    empty = sum(not _content_words(t) for t in texts)
    return empty / len(texts) < NON_ANSWER_LIKE


def _content_words(text: str) -> list[str]:
    from .labels import norwegian_stop_words

    stop = norwegian_stop_words()
    return [w for w in re.findall(r"[^\W\d_]{2,}", text.lower()) if w not in stop]


def _member_texts(result, topic_id: int) -> list[str]:
    idx = np.flatnonzero(np.asarray(result.assignments) == topic_id)
    return [result.text_clean[i] for i in idx]


def draft_warning(path) -> str | None:
    """``textmine code``'s warning when the codebook at ``path`` is still a draft (its version holds "utkast",
    as ``textmine discover`` writes it); None otherwise or when it cannot be read (loading reports that)."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    version = str(raw.get("version", "")) if isinstance(raw, dict) else ""
    if "utkast" not in version.lower():
        return None
    return (f"{path} is a draft codebook (version {version!r}, as textmine discover writes it): its labels are "
            "keyword lists and its themes unchecked - edit labels, descriptions, keywords and examples, merge or "
            "drop themes, add 'annet' if needed, and give it a version without 'utkast' before coding with it")

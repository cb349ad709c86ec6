"""Draft codebook (contract format) from discovered topics, for analysts to edit and feed to coding."""

from __future__ import annotations

from typing import Any


def draft_codebook(result, *, name: str = "utkast", base_codebook=None) -> dict[str, Any]:
    """Unguided: one theme per topic + ``annet``. Guided: the existing themes + candidates ``ny_*``."""
    from .core import slugify

    themes: list[dict[str, Any]] = []
    used: set[str] = set()
    if base_codebook is not None:
        base = base_codebook.to_dict()
        themes.extend(base["themes"])
        used.update(t["id"] for t in base["themes"])
    prefix = "ny_" if base_codebook is not None else ""
    for tp in result.topics:
        base_id = prefix + slugify("_".join(tp.keywords[:2]) if tp.keywords else f"tema_{tp.id}")[:40]
        tid, k = base_id, 2
        while tid in used:
            tid, k = f"{base_id}_{k}", k + 1
        used.add(tid)
        desc = (f"Utkast fra temaoppdagelse (emne {tp.id}, {tp.size} kommentarer): "
                f"kommentarer om {', '.join(tp.keywords[:5]) or 'uklart innhold'}. Rediger før bruk.")
        if tp.nearest_theme:
            desc += f" Nærmeste eksisterende tema: {tp.nearest_theme}."
        if tp.stability is not None and result.stability is not None:
            st, score = result.stability, f"{tp.stability:.2f}".replace(".", ",")
            desc += f" Funnet med {st.topic_found.get(tp.id, 1)} av {st.n_runs} frø (stabilitet {score})."
        themes.append({"id": tid, "label": tp.label, "description": desc, "keywords": list(tp.keywords[:8]),
                       "examples": list(tp.examples), "parent": None, "exclusive": False})
    if "annet" not in used:
        themes.append({"id": "annet", "label": "Annet", "description": "Kommentarer som ikke passer i noe annet tema.",
                       "keywords": [], "examples": [], "parent": None, "exclusive": True})
    meta = base_codebook.to_dict() if base_codebook is not None else {}
    return {
        "name": meta.get("name", name) if base_codebook is None else f"{meta.get('name', name)}_utkast",
        "version": "0.1-utkast",
        "language": meta.get("language", "nb"),
        "description": "Utkast generert av textmine discover; gå gjennom etiketter, beskrivelser og eksempler.",
        "types": list(meta.get("types", ["klage", "ønske", "ros"])),
        "themes": themes,
    }

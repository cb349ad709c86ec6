"""Scan report outputs (HTML, XLSX, SAV, SVG/PNG, JSON) for planted personal data values."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pandas as pd

NUMERIC_TYPES = {"fodselsnummer", "dnummer", "telefon", "kontonummer", "orgnummer"}


def load_pii(sample_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(sample_dir.glob("pii_*.csv"))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pii_type", "value"])


def patterns(pii: pd.DataFrame) -> list[tuple[str, str, re.Pattern]]:
    """One regex per planted value: exact (case-insensitive); numbers also with spaces/dots/dashes between digits."""
    out = []
    for _, r in pii.iterrows():
        value = str(r["value"]).strip()
        if not value:
            continue
        digits = re.sub(r"\D", "", value)
        if r["pii_type"] in NUMERIC_TYPES and len(digits) >= 6:
            pat = re.compile(r"(?<!\d)" + r"[ .\-\u00a0]?".join(digits) + r"(?!\d)")
        elif r["pii_type"] == "navn":
            pat = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")  # whole words, names are capitalised
        else:
            pat = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.I)
        out.append((str(r["pii_type"]), value, pat))
    return out


def output_texts(out_dir: Path) -> dict[str, str]:
    """Every output file as text (XLSX: all XML parts; SAV: all cells and labels; PNG: metadata chunks)."""
    import pyreadstat

    texts: dict[str, str] = {}
    for p in sorted(out_dir.rglob("*")):
        if not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in (".html", ".svg", ".json", ".csv", ".txt"):
            texts[str(p)] = html.unescape(p.read_text(encoding="utf-8"))
        elif suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                texts[str(p)] = html.unescape("\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))
        elif suffix == ".sav":
            df, meta = pyreadstat.read_sav(str(p))
            cells = "\n".join(str(v) for v in df.to_numpy().ravel())
            labels = "\n".join(str(v) for m in meta.variable_value_labels.values() for v in m.values())
            raw = p.read_bytes()
            raw = raw[:92] + b" " * 17 + raw[109:]  # the header's creation date/time ("01 Jan 00"): not data
            texts[str(p)] = cells + "\n" + labels + "\n" + raw.decode("utf-8", "replace")
        elif suffix == ".png":
            texts[str(p)] = p.read_bytes().decode("latin-1")
    return texts


def find_pii(out_dir: Path, pii: pd.DataFrame) -> list[str]:
    hits = []
    pats = patterns(pii)
    for name, text in output_texts(out_dir).items():
        for kind, value, pat in pats:
            if pat.search(text):
                hits.append(f"{kind} {value!r} in {name}")
    return hits

"""Measure redaction and language quality on the hand-labelled sets and the generated sample.

``python -m textmine.preprocess.pii_eval`` prints P/R/F2 per PII type (``data/eval/pii_cases.csv``),
recall on the sample's planted PII (``data/sample/pii_*.csv``) and language accuracy
(``data/eval/eval_set.csv``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from textmine.paths import EVAL_DIR, SAMPLE_DIR

from .cleaner import Cleaner
from .normalize import normalize
from .redact import PII_TYPES, PLACEHOLDERS


def _f_beta(p: float, r: float, beta: float = 2.0) -> float:
    b2 = beta * beta
    return 0.0 if p + r == 0 else (1 + b2) * p * r / (b2 * p + r)


_PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(re.escape(v[1:-1]) for v in PLACEHOLDERS.values()) + r")\]")
_TYPE_OF = {v: k for k, v in PLACEHOLDERS.items()}


def _type_at(value: str, text: str, redacted: str, redactor) -> str | None:
    """Placeholder type that replaced ``value``: the k-th placeholder, k = placeholders before it. A value merged
    into the placeholder before it (a post town into its street's [ADRESSE]) has none of its own: then the last
    placeholder of the text redacted up to the value's end."""
    i = text.find(value)
    if i < 0 or value in redacted:
        return None
    prefix, _ = redactor.redact(normalize(text[:i]))
    k = len(_PLACEHOLDER_RE.findall(prefix))
    found = _PLACEHOLDER_RE.findall(redacted)
    if k < len(found):
        return _TYPE_OF.get(found[k])
    through, _ = redactor.redact(normalize(text[:i + len(value)]))
    m = len(_PLACEHOLDER_RE.findall(through))
    return _TYPE_OF.get(found[m - 1]) if 0 < m <= len(found) else None


def evaluate_pii_cases(path: Path | None = None, cleaner: Cleaner | None = None) -> pd.DataFrame:
    """Per type: tp, fn, fp (hard negatives destroyed), tn, precision, recall, f2, typed_recall."""
    path = Path(path or EVAL_DIR / "pii_cases.csv")
    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    cleaner = (cleaner or Cleaner(detect_language=False, lemmatize=False)).fit()
    redactor = cleaner.resources.redactor
    texts = cases["text"].drop_duplicates().tolist()
    out = cleaner.transform(texts)
    red = dict(zip(texts, out["text_clean"]))
    rows = []
    for t in PII_TYPES:
        sub = cases[cases["pii_type"] == t]
        pos, neg = sub[sub["is_pii"] == "1"], sub[sub["is_pii"] == "0"]
        tp = sum(1 for _, r in pos.iterrows() if r["value"] not in red[r["text"]])
        typed = sum(
            1 for _, r in pos.iterrows() if _type_at(r["value"], r["text"], red[r["text"]], redactor) == t
        )
        fp = sum(1 for _, r in neg.iterrows() if r["value"] not in red[r["text"]])
        fn = len(pos) - tp
        p = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / len(pos) if len(pos) else 1.0
        rows.append({"pii_type": t, "positives": len(pos), "negatives": len(neg), "tp": tp, "fn": fn,
                     "fp": fp, "precision": round(p, 3), "recall": round(rc, 3), "f2": round(_f_beta(p, rc), 3),
                     "typed_recall": round(typed / len(pos), 3) if len(pos) else 1.0})
    df = pd.DataFrame(rows)
    tot = df[["positives", "negatives", "tp", "fn", "fp"]].sum()
    p = tot.tp / (tot.tp + tot.fp) if tot.tp + tot.fp else 1.0
    r = tot.tp / tot.positives if tot.positives else 1.0
    df.loc[len(df)] = {"pii_type": "ALL", **tot.to_dict(), "precision": round(p, 3), "recall": round(r, 3),
                       "f2": round(_f_beta(p, r), 3), "typed_recall": None}
    return df


def missed_pii_cases(path: Path | None = None, cleaner: Cleaner | None = None) -> pd.DataFrame:
    """Rows that were scored wrong (missed positives, destroyed negatives) with the redacted text."""
    path = Path(path or EVAL_DIR / "pii_cases.csv")
    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    cleaner = cleaner or Cleaner(detect_language=False, lemmatize=False)
    texts = cases["text"].drop_duplicates().tolist()
    red = dict(zip(texts, cleaner.transform(texts)["text_clean"]))
    cases["redacted"] = cases["text"].map(red)
    kept = cases.apply(lambda r: r["value"] in r["redacted"], axis=1)
    wrong = ((cases["is_pii"] == "1") & kept) | ((cases["is_pii"] == "0") & ~kept)
    return cases[wrong]


def evaluate_sample_pii(sample_dir: Path | None = None, cleaner: Cleaner | None = None) -> pd.DataFrame:
    """Recall per type on the generator's planted PII (value must be gone from ``text_clean``)."""
    sample_dir = Path(sample_dir or SAMPLE_DIR)
    cleaner = cleaner or Cleaner(detect_language=False, lemmatize=False)
    rows = []
    for pii_path in sorted(sample_dir.glob("pii_*.csv")):
        wave = pii_path.stem.split("_")[-1]
        survey_path = sample_dir / f"arbeidsgiver_{wave}.csv"
        if not survey_path.exists():
            continue
        pii = pd.read_csv(pii_path, dtype=str, keep_default_na=False)
        survey = pd.read_csv(survey_path, dtype=str, keep_default_na=False).set_index("respondent_id")
        for _, r in pii.iterrows():
            text = survey.at[r["respondent_id"], r["question"]]
            rows.append({"wave": wave, "pii_type": r["pii_type"], "value": r["value"], "text": text})
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    red = cleaner.transform(df["text"].tolist())["text_clean"].tolist()
    df["caught"] = [v not in t for v, t in zip(df["value"], red)]
    df["redacted"] = red
    return df


def sample_false_positive_rate(sample_dir: Path | None = None, cleaner: Cleaner | None = None) -> dict:
    """Share of sample comments WITHOUT planted PII that still got a redaction (over-redaction)."""
    sample_dir = Path(sample_dir or SAMPLE_DIR)
    cleaner = cleaner or Cleaner(detect_language=False, lemmatize=False)
    planted, texts = set(), []
    for pii_path in sorted(sample_dir.glob("pii_*.csv")):
        pii = pd.read_csv(pii_path, dtype=str, keep_default_na=False)
        planted |= set(zip(pii["respondent_id"], pii["question"]))
    for survey_path in sorted(sample_dir.glob("arbeidsgiver_*.csv")):
        survey = pd.read_csv(survey_path, dtype=str, keep_default_na=False)
        for q in ("fritekst_sykefravaer", "fritekst_generell"):
            if q not in survey:
                continue
            for rid, t in zip(survey["respondent_id"], survey[q]):
                if t.strip() and (rid, q) not in planted:
                    texts.append(t)
    out = cleaner.transform(texts)
    flagged = out[out["pii_count"] > 0]
    return {"comments": len(texts), "redacted": len(flagged),
            "rate": round(len(flagged) / max(1, len(texts)), 4),
            "examples": flagged["text_clean"].head(20).tolist()}


def language_accuracy(path: Path | None = None, cleaner: Cleaner | None = None) -> dict:
    """Accuracy of ``language`` against ``eval_set.csv``'s ``language`` column, with a confusion table."""
    path = Path(path or EVAL_DIR / "eval_set.csv")
    ev = pd.read_csv(path, dtype=str, keep_default_na=False)
    cleaner = cleaner or Cleaner(lemmatize=False)
    pred = cleaner.transform(ev["text"].tolist())["language"].tolist()
    ev["pred"] = pred
    acc = float((ev["pred"] == ev["language"]).mean())
    confusion = pd.crosstab(ev["language"], ev["pred"])
    return {"n": len(ev), "accuracy": round(acc, 4), "confusion": confusion,
            "errors": ev[ev["pred"] != ev["language"]][["id", "text", "language", "pred"]]}


def main() -> None:  # pragma: no cover - reporting script
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    print("== PII cases (data/eval/pii_cases.csv) ==")
    print(evaluate_pii_cases().to_string(index=False))
    s = evaluate_sample_pii()
    if not s.empty:
        print("\n== Sample planted PII recall ==")
        print(s.groupby("pii_type")["caught"].agg(["count", "sum", "mean"]).to_string())
        print("overall recall:", round(s["caught"].mean(), 4))
        fp = sample_false_positive_rate()
        print("comments without planted PII that got a redaction:", fp["redacted"], "/", fp["comments"], fp["rate"])
    lang = language_accuracy()
    print("\n== Language (data/eval/eval_set.csv) ==")
    print("accuracy", lang["accuracy"], "n", lang["n"])
    print(lang["confusion"].to_string())


if __name__ == "__main__":  # pragma: no cover
    main()


_TEMPLATES = {
    "fodselsnummer": ["Fnr {v} gjelder refusjon.", "Gjelder arbeidstaker {v}, sykmeldt siden mars.",
                      "Vi sendte inn for {v} men fikk ikke svar"],
    "telefon": ["Ring meg på {v} etter kl 15.", "Tlf {v}", "Dere kan nå meg på {v} hele dagen"],
    "epost": ["Send svar til {v}.", "Kontakt {v} for mer informasjon"],
    "kontonummer": ["Pengene skal til konto {v}.", "Kontonummer: {v}"],
    "adresse": ["Vi holder til i {v}.", "Send brevet til {v} takk", "Adresse: {v}"],
    "navn": ["Saksbehandler {v} var flink.", "Jeg snakket med {v} i går.", "Hilsen {v}",
             "{v} ringte oss aldri tilbake.", "Takk til {v} for god hjelp!", "Vi fikk hjelp av {v} på kontoret."],
}


def faker_stress(n_per_type: int = 150, seed: int = 0, cleaner: Cleaner | None = None) -> pd.DataFrame:
    """Recall per type on PII generated by Faker ``no_NO`` in template sentences (not the eval set)."""
    import random

    from faker import Faker

    fake = Faker("no_NO")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    gen = {
        "fodselsnummer": lambda: (lambda s: s if rng.random() < 0.7 else f"{s[:6]} {s[6:]}")(fake.ssn()),
        "telefon": fake.phone_number,
        "epost": fake.email,
        "kontonummer": lambda: (lambda b: rng.choice([b, f"{b[:4]}.{b[4:6]}.{b[6:]}", f"{b[:4]} {b[4:6]} {b[6:]}"]))(fake.bban()),
        "adresse": fake.street_address,
        "navn": fake.name,
    }
    rows = []
    for kind, make in gen.items():
        for _ in range(n_per_type):
            v = make()
            rows.append({"pii_type": kind, "value": v, "text": rng.choice(_TEMPLATES[kind]).format(v=v)})
    df = pd.DataFrame(rows)
    cleaner = cleaner or Cleaner(detect_language=False, lemmatize=False)
    df["redacted"] = cleaner.transform(df["text"].tolist())["text_clean"].tolist()
    # a name is caught when none of its parts (except prefixes like "Prof.") remain
    def caught(r) -> bool:
        if r["pii_type"] == "navn":
            parts = [p for p in re.split(r"[ -]", r["value"]) if p and not p.endswith(".")]
            return not any(re.search(rf"\b{re.escape(p)}\b", r["redacted"]) for p in parts)
        return r["value"] not in r["redacted"]
    df["caught"] = df.apply(caught, axis=1)
    return df

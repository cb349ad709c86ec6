"""The report's data model: plain tables (pandas) that every renderer (HTML, Excel, SPSS, charts) reads.

The tables are views of a :class:`textmine.summary.Summary` (see :mod:`textmine.report.views`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

VERDICTS = ("signifikant", "tendens", "ingen sikker endring", "for få svar",
            "ikke testbar")  # textmine.stats.verdict + suppression (every hidden cell: «for få svar»)

INDICATOR_COLUMNS = ["wave", "indicator", "label", "segment_var", "segment", "share", "ci_low", "ci_high",
                     "n", "base", "mean", "suppressed"]
THEME_COLUMNS = ["wave", "question", "theme", "label", "segment_var", "segment", "count", "base", "share",
                 "ci_low", "ci_high", "asked", "share_asked", "respondents", "share_all", "suppressed"]
CHANGE_COLUMNS = ["kind", "key", "label", "question", "prev_wave", "wave", "prev_share", "share", "diff",
                  "p_value", "verdict", "n_prev", "n"]
IMPACT_COLUMNS = ["question", "theme", "label", "indicator", "indicator_label", "share_with", "share_without",
                  "diff", "ci_low", "ci_high", "n_with", "n_without"]
#: the sheet «Endring»'s table: every comparison pair the summary publishes, overall and by segment
CHANGE_TABLE_COLUMNS = CHANGE_COLUMNS[:4] + ["segment_var", "segment"] + CHANGE_COLUMNS[4:] + ["suppressed"]
QUOTE_COLUMNS = ["wave", "question", "theme", "label", "text", "attribution"]


def _frame(df: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame(columns=columns)
    df = df.copy()
    for col in columns:
        if col not in df.columns:
            df[col] = pd.NA
    return df[columns + [c for c in df.columns if c not in columns]].reset_index(drop=True)


@dataclass
class ReportData:
    """Everything a report shows. All shares are 0–1; ``diff`` is a difference of shares (0.03 = 3 pp).

    Every share row carries its ``n`` (or ``count``) and ``base`` so each number is traceable.
    """

    title: str
    waves: list[str]
    questions: dict[str, str] = field(default_factory=dict)  # free-text column -> question wording
    segments: dict[str, str] = field(default_factory=dict)   # segment column -> label
    indicators: pd.DataFrame | None = None
    themes: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    impact: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    codebook: list[dict] = field(default_factory=list)
    coded: pd.DataFrame | None = None  # one row per coded comment (redacted text only)
    method: dict = field(default_factory=dict)
    # {(segment column, level): neutral label} of the levels renamed «Liten gruppe N» in every table (the row-level
    # exports use the same names)
    small_levels: dict = field(default_factory=dict)
    # the report's language: "nb" (bokmål) or "nn" (nynorsk), for every fixed text (textmine.report.wording)
    language: str = "nb"
    # the reported comparison (previous wave, current wave): the pair ``changes`` holds (textmine report
    # --compare-to WAVE picks the previous one; default: the wave before the current)
    comparison: tuple[str, str] | None = None
    # every comparison pair the summary publishes (meta.comparisons), overall («Alle») and by segment: the sheet
    # «Endring» and the segments' own changes under an indicator's change (same suppression and verdicts)
    change_table: pd.DataFrame | None = None
    # from the survey definition: the overall indicator's column (``overall: true``; «Hovedfunn» leads with it, None:
    # no indicator there) and indicator column → the theme ids its ``themes`` declares («Temaer ved siden av
    # indikatorene»)
    overall_indicator: str | None = None
    indicator_themes: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        from .wording import check_language

        self.language = check_language(self.language)
        self.waves = [str(w) for w in self.waves]
        self.indicators = _frame(self.indicators, INDICATOR_COLUMNS)
        self.themes = _frame(self.themes, THEME_COLUMNS)
        self.changes = _frame(self.changes, CHANGE_COLUMNS)
        self.impact = _frame(self.impact, IMPACT_COLUMNS)
        self.quotes = _frame(self.quotes, QUOTE_COLUMNS)
        self.change_table = _frame(self.change_table, CHANGE_TABLE_COLUMNS)
        if self.comparison is not None:
            self.comparison = (str(self.comparison[0]), str(self.comparison[1]))
        for df in (self.indicators, self.themes, self.changes, self.quotes, self.change_table):
            for col in ("wave", "prev_wave"):
                if col in df.columns:
                    df[col] = df[col].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
        for name in ("changes", "change_table"):
            bad = set(getattr(self, name)["verdict"].dropna()) - set(VERDICTS)
            if bad:
                raise ValueError(f"{name}.verdict: unknown verdict(s) {sorted(bad)}; expected one of {VERDICTS}")
        if self.coded is None:
            self.coded = pd.DataFrame(columns=["respondent_id", "wave", "question", "text_clean", "themes",
                                               "confidence"])

    @property
    def current_wave(self) -> str:
        return self.waves[-1]

    @property
    def previous_wave(self) -> str | None:
        """The wave the current one is compared with: :attr:`comparison`'s first, else the one before it."""
        if self.comparison is not None:
            return self.comparison[0]
        return self.waves[-2] if len(self.waves) > 1 else None

    def theme_label(self, theme_id: str) -> str:
        for t in self.codebook:
            if t.get("id") == theme_id:
                return str(t.get("label") or theme_id)
        return theme_id

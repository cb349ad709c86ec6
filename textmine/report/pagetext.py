"""Passes over the rendered report page's text (never its markup): the user's bokmål text on a nynorsk page marked
``lang="nb"`` (WCAG 3.1.2), and the first use of each statistical term linked to the glossary «Ord og metode».

The page is the report template's own output (well-formed, attribute values escaped), walked as a sequence of tags
and text nodes; text inside ``<style>``, ``<script>``, ``<title>`` and inline SVG (a chart is ``role="img"``: its
accessible name is its ``aria-label``) is left alone."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable

from .wording import looks_bokmal, say

_TOKENS = re.compile(r"(<[^>]*>)")
_TAG = re.compile(r"<\s*(/)?\s*([A-Za-z][\w:-]*)([^>]*?)(/)?\s*>", re.S)
_LANG = re.compile(r"""\slang\s*=\s*["']?([\w-]+)""")
_ID = re.compile(r"""\sid\s*=\s*["']?([\w-]+)""")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: elements whose text is not the page's reading text (styles, the document title, charts' drawn text)
_SKIP = frozenset({"style", "script", "title", "svg", "textarea"})
_WORD = r"[\wÆØÅæøåéèòóôü]"
_QUOTED = re.compile(r"«[^«»]*»")


def walk_text(page: str, fn: Callable[[str, list[tuple[str, str, str]]], str]) -> str:
    """``page`` with each text node outside :data:`_SKIP` elements replaced by ``fn(text, stack)``; ``stack``: the
    open elements as (tag, lang, id), outermost first. ``text`` is as written in the page (escaped)."""
    out: list[str] = []
    stack: list[tuple[str, str, str]] = []
    skip = 0
    for tok in _TOKENS.split(page):
        if not tok:
            continue
        if tok.startswith("<"):
            out.append(tok)
            m = _TAG.match(tok)
            if not m:  # (<!DOCTYPE>, comments)
                continue
            closing, tag, attrs, selfclosing = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
            if closing:
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == tag:
                        skip -= sum(1 for t, _, _ in stack[i:] if t in _SKIP)
                        del stack[i:]
                        break
            elif not selfclosing and tag not in _VOID:
                lang, ident = _LANG.search(attrs), _ID.search(attrs)
                stack.append((tag, lang.group(1) if lang else "", ident.group(1) if ident else ""))
                skip += tag in _SKIP
            continue
        out.append(tok if skip else fn(tok, stack))
    return "".join(out)


def _current_lang(stack) -> str:
    return next((lang for _, lang, _ in reversed(stack) if lang), "")


# --------------------------------------------------------------------------------------------- user text (WCAG 3.1.2)
#: the ways a page writes a character that HTML escapes: Jinja's autoescape (markupsafe: «&#34;», «&#39;») and
#: :func:`html.escape` («&quot;», «&#x27;»), or as it is (a quote in text needs no escaping)
_ESCAPES = {"&": ("&amp;",), "<": ("&lt;",), ">": ("&gt;",), '"': ('"', "&#34;", "&quot;"),
            "'": ("'", "&#39;", "&#x27;")}


def _escaped_pattern(text: str) -> str:
    """A regular expression matching ``text`` as the page writes it, escaped as :data:`_ESCAPES` says."""
    return "".join("(?:" + "|".join(map(re.escape, _ESCAPES[c])) + ")" if c in _ESCAPES else re.escape(c)
                   for c in text)


def mark_bokmal(page: str, strings: Iterable[str], language: str) -> str:
    """On a nynorsk page (``language`` "nn"), every text in bokmål the page takes from the user's files marked
    ``<span lang="nb">``: each of ``strings`` (theme, indicator and segment labels, questions) that reads as bokmål
    (:func:`textmine.report.wording.looks_bokmal`), and any «…» that does (a question or label as the fixed text
    quotes it, guillemets included: a quote stays one piece). Text already in an element with a ``lang`` other than
    the page's is left as it is; a bokmål page is returned unchanged."""
    if language != "nn":
        return page
    wanted = sorted({s for s in (str(x).strip() for x in strings) if len(s) > 1 and looks_bokmal(s)},
                    key=len, reverse=True)
    plain = re.compile(rf"(?<!{_WORD})(?:" + "|".join(_escaped_pattern(s) for s in wanted)
                       + rf")(?!{_WORD})") if wanted else None

    def span(text: str) -> str:
        return f'<span lang="nb">{text}</span>'

    def mark(text: str, stack) -> str:
        if _current_lang(stack) not in ("", "nn") or not text.strip():
            return text
        parts = re.split(r"(«[^«»]*»)", text)
        for i, part in enumerate(parts):
            if i % 2:  # «…»: the user's words as the fixed text quotes them
                if looks_bokmal(html_lib.unescape(part[1:-1])):
                    parts[i] = span(part)
            elif plain is not None:
                parts[i] = plain.sub(lambda m: span(m.group(0)), part)
        return "".join(parts)

    return walk_text(page, mark)


# ---------------------------------------------------------------------------------------------- glossary (WCAG 3.1.3)
#: the glossary's terms: (anchor, pattern of a use in the page's text, term as the glossary names it, explanation);
#: bokmål, nynorsk in :data:`textmine.report.wording.NN`
GLOSSARY: tuple[tuple[str, str, str, str], ...] = (
    ("ki", r"KI|konfidensintervall(?:et)?", "KI (konfidensintervall)",
     "Feilmarginen rundt et tall fra en utvalgsundersøkelse. Et 95\u00a0% KI er laget slik at det i 95 av 100 "
     "undersøkelser vil inneholde den sanne verdien for alle i målgruppen. Jo smalere intervall, jo sikrere tall."),
    ("p-verdi", r"p-verdi(?:en)?", "p-verdi",
     "Hvor sannsynlig det er å få en forskjell minst så stor som den målte hvis det egentlig ikke er noen forskjell. "
     "En liten p-verdi (under 0,05) betyr at forskjellen neppe skyldes tilfeldigheter."),
    ("z-test", r"z-test(?:en)?", "z-test",
     "En vanlig statistisk test av om to andeler er ulike: forskjellen sammenlignes med hvor mye andelene kunne "
     "variert bare fordi ikke alle er spurt."),
    ("bh", r"Benjamini[–-]Hochberg|BH", "BH (Benjamini–Hochberg)",
     "En justering av p-verdiene når mange endringer eller forskjeller testes samtidig. Uten den ville noen av dem se "
     "sikre ut bare ved en tilfeldighet."),
    ("logit", r"[Ll]ogit", "logit (logistisk regresjon)",
     "En statistisk modell for svar som er enten ja eller nei, her positivt svar eller ikke. Den viser sammenhengen "
     "med ett tema når de andre temaene og kontrollvariablene holdes like."),
    ("robust-se", r"robust SE|robuste standardfeil", "robust SE (robuste standardfeil)",
     "Usikkerheten i modellen regnet ut på en måte som tar hensyn til vektene, slik at intervallene ikke blir for "
     "smale."),
    ("designeffekt", r"designeffekt(?:en)?|[Kk]ish effektiv n|effektiv n",
     "designeffekt og effektiv n",
     "Vekting gjør tallene litt mer usikre enn om alle svar telte likt. Designeffekten sier hvor mye: med designeffekt "
     "1,25 er 1\u00a0000 vektede svar like sikre som 800 uvektede. De 800 kalles effektiv n (Kish)."),
)
#: where the glossary goes in the page (the template's placeholder) and its anchor
GLOSSARY_SLOT = "<!--ord-og-metode-->"
GLOSSARY_ID = "ord"
#: elements a link to the glossary is not put in (links, abbreviations, headings and the glossary itself)
#: and table cells: a link there would split a number's cell; the method notes name their terms after the note
_NO_LINK = frozenset({"a", "abbr", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "nav", "button", "label",
                      "caption", "th", "td"})


def link_glossary(page: str, language: str = "nb") -> str:
    """``page`` with the glossary «Ord og metode» at :data:`GLOSSARY_SLOT` (only the terms the page uses, the
    confidence interval always) and the first use of each of its terms in the running text before it linked to its
    entry (``#ord-<anchor>``); a page without the slot is returned unchanged."""
    if GLOSSARY_SLOT not in page:
        return page
    head, _, tail = page.partition(GLOSSARY_SLOT)
    patterns = {key: re.compile(rf"(?<!{_WORD})(?:{rx})(?!{_WORD})") for key, rx, _, _ in GLOSSARY}
    used = {key for key, rx in patterns.items() if rx.search(_page_text(head))} | {"ki"}
    linked: set[str] = set()

    def link(text: str, stack) -> str:
        tags = {tag for tag, _, _ in stack}
        if tags & _NO_LINK or any(ident == GLOSSARY_ID for _, _, ident in stack):
            return text
        after: list[str] = []  # (in the method notes: the terms named after the note, its text left whole)
        for key, rx in patterns.items():
            if key in linked:
                continue
            parts = re.split(r"(«[^«»]*»)", text)  # (never inside the user's words)
            for i in range(0, len(parts), 2):
                m = rx.search(parts[i])
                if m:
                    linked.add(key)
                    if "dd" in tags:
                        after.append(f'<a href="#{GLOSSARY_ID}-{key}">{m.group(0)}</a>')
                    else:
                        parts[i] = (parts[i][:m.start()] + f'<a href="#{GLOSSARY_ID}-{key}">{m.group(0)}</a>'
                                    + parts[i][m.end():])
                    break
            text = "".join(parts)
        if after:
            text += (f' <span class="glossary-ref">({html_lib.escape(say("forklart i «Ord og metode»", language))}: '
                     f'{", ".join(after)})</span>')
        return text

    return walk_text(head, link) + glossary_html(used, language) + tail


def _page_text(page: str) -> str:
    """The page's reading text (outside :data:`_SKIP` elements), for finding which terms it uses."""
    parts: list[str] = []
    walk_text(page, lambda text, stack: parts.append(text) or text)
    return html_lib.unescape(" ".join(parts))


def glossary_html(used: Iterable[str], language: str = "nb") -> str:
    """The section «Ord og metode»: the terms of :data:`GLOSSARY` in ``used``, each ``id="ord-<anchor>"``, in
    ``language``."""
    used = set(used)
    items = "".join(f'<dt id="{GLOSSARY_ID}-{key}">{html_lib.escape(say(term, language))}</dt>'
                    f"<dd>{html_lib.escape(say(text, language))}</dd>"
                    for key, _, term, text in GLOSSARY if key in used)
    title = html_lib.escape(say("Ord og metode", language))
    intro = html_lib.escape(say("Forklaring av fagord som brukes i rapporten.", language))
    return (f'<section aria-labelledby="{GLOSSARY_ID}" class="method glossary"><h2 id="{GLOSSARY_ID}">{title}</h2>\n'
            f'<p class="small">{intro}</p>\n<dl>{items}</dl>\n</section>')

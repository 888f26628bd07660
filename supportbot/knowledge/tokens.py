"""The words retrieval's lexical side matches on.

Error codes stay whole (ERR-4031, E-207, case-insensitive) and their number counts too, since
visitors write "error 4031" as often as the code; English words are lowercased, stop words
dropped and plural/verb endings trimmed; Chinese, which has no spaces, becomes its characters and
character bigrams, a tokeniser that needs no dictionary and finds words of any length.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"(?P<code>[a-z]{1,5}-\d{2,6})\b"  # error codes: err-4031, e-207
    r"|(?P<word>[a-z0-9]+(?:'[a-z]+)?)"
    r"|(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)",
    re.IGNORECASE,
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

STOP_WORDS = frozenset(
    """a about above after again all am an and any are as at be been before being below between
    both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our ours out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours i'm it's
    don't can't what's get got hi hello please thanks thank""".split()
)


def stem(word: str) -> str:
    """A light suffix trim (not a full stemmer): enough that 'charged', 'charges' and 'charge'
    meet, without merging unrelated words."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def tokens(text: str) -> list[str]:
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        if code := match.group("code"):
            code = code.lower()
            found += [code, code.split("-", 1)[1]]
        elif word := match.group("word"):
            word = word.lower()
            if word not in STOP_WORDS:
                found.append(stem(word))
        else:
            run = match.group("cjk")
            found += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    return found


def looks_chinese(text: str) -> bool:
    return bool(CJK.search(text))

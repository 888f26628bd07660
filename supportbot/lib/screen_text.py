"""The lines of a screenshot's OCR text that matter to a visitor's question.

A reply quotes them (labelled as what SupportBot read) because a small text-only model rarely
repeats what a screen says. A line matters more when it holds a code, an amount, a date or a
number; when it says something went wrong or is required; when it shares words with the question;
and when it is the screen's title (its first line). The lines keep their order on the screen.
"""

from __future__ import annotations

import re

# Error codes (ERR-4031, E1207, PAY-1002), amounts, dates, order numbers: anything with a digit.
_DIGIT = re.compile(r"\d")
_CODE = re.compile(r"\b[A-Z]{1,6}-?\d{2,6}\b")
# Words of trouble and obligation, in English and Chinese: what a screen says when it stops you.
_TROUBLE = re.compile(
    r"error|fail|invalid|declin|expire|denied|reject|required|must|unable|cannot|can't|couldn't|"
    r"not |no longer|overdue|due|missing|incorrect|wrong|limit|exceed|locked|blocked|disabled|"
    r"suspend|unpaid|pending|delay|greyed out|错误|失败|无效|过期|拒绝|必填|必须|无法|不能|未|逾期|到期|缺少|"
    r"不正确|超出|超过|锁定|停用|禁用|暂停|待|延迟|异常",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]{3,}|[\u4e00-\u9fff]{2}", re.IGNORECASE)
MAX_LINES = 6


def salient_lines(text: str, question: str = "", limit: int = MAX_LINES) -> list[str]:
    """At most `limit` lines of `text`, the most telling ones, in their original order."""
    lines = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if sum(char.isalnum() for char in line) >= 3 and line not in lines:
            lines.append(line)
    if len(lines) <= limit:
        return lines
    asked = {word.lower() for word in _WORD.findall(question)}
    scores = [_score(line, index, asked) for index, line in enumerate(lines)]
    keep = sorted(sorted(range(len(lines)), key=lambda index: -scores[index])[:limit])
    return [lines[index] for index in keep]


def _score(line: str, index: int, asked: set[str]) -> float:
    score = 0.0
    if _CODE.search(line):
        score += 3
    elif _DIGIT.search(line):
        score += 1.5
    if _TROUBLE.search(line):
        score += 2
    score += sum(1 for word in _WORD.findall(line) if word.lower() in asked)
    if index == 0:
        score += 1  # the title says what the screen is
    return score

"""Public evaluation set for answers about screenshots, used by bench/quality.py.

Each case is a screenshot drawn in code with PIL (deterministic, no image files in the tree), the
question a visitor types with it, and the facts a right answer must repeat from the screen.

How the cases were written
--------------------------
* By hand, one screen at a time, the way generic web apps and shops look: error dialogs with
  codes, bills and invoices, order status pages, settings pages with toggles and disabled buttons,
  and forms with validation errors next to their fields, in English and Simplified Chinese. The
  products and carriers are made up; no real brand appears.
* Layout and difficulty vary on purpose: sizes from 480x320 to 1280x800, light and dark themes,
  white text on coloured buttons and badges, greyed-out buttons, small grey footnotes, several
  panels where only one holds the answer, and distractor numbers (an old invoice next to the amount
  due, a previous price next to the new one, storage use next to an upload limit).
* Questions are mixed: some name what they want ("how much do I owe and when?"), many do not
  ("what does this mean?", "why can't I continue?", "这是什么意思？").
* ``facts`` holds 1-3 groups; each group lists acceptable spellings of one fact a right answer
  must contain (any spelling in the group matches, case-insensitively, as a substring). Every fact
  is visible on the screenshot; none needs knowledge from outside it. Some spellings are the
  paraphrases a model plausibly writes ("refunded" for "Refund issued").
* A few facts are hard to read on purpose (white on colour, small grey text); most are plain dark
  text on a light surface or light text on a dark one, since the point is that the answer repeats
  them.

This set is public. Other cases, written the same way, are kept private and are not seen while
tuning; no case here was written to be matched by a rule, so tune on the set as a whole, never on
single cases.

    python bench/quality_cases.py --check [--save DIR]

renders every case, reads it with Tesseract (inference.ocr.read_text) and prints which fact
groups the OCR text contains, then the share per language: a rough check that the facts are
legible at all. --save writes each screenshot as DIR/<id>.png.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:  # pragma: no cover
    import PIL.Image


@dataclass(frozen=True)
class QualityCase:
    id: str  # "en-err-01", "zh-bill-03", ...
    lang: str  # "en" or "zh"
    kind: str  # "error_dialog" | "bill" | "order_status" | "settings" | "form_errors"
    question: str  # what the visitor types with the screenshot, in the case's language
    facts: tuple[tuple[str, ...], ...]  # groups of acceptable spellings of one fact each
    draw: Callable[[], "PIL.Image.Image"]  # renders the screenshot (RGB), deterministic


KINDS = ("error_dialog", "bill", "order_status", "settings", "form_errors")

# --------------------------------------------------------------------------------------- fonts

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
_PACKAGES = {DEJAVU: "fonts-dejavu-core", DEJAVU_BOLD: "fonts-dejavu-core",
             NOTO_CJK: "fonts-noto-cjk", NOTO_CJK_BOLD: "fonts-noto-cjk"}

_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_NO_LINE_START = set("，。、；：？！）》」』】")


def _need(path: str) -> str:
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"font {path} is missing: install the Debian package {_PACKAGES[path]} "
            f"(apt-get install {_PACKAGES[path]}) to render the quality cases")
    return path


@functools.cache
def _sc_index(path: str) -> int:
    """The face of the Noto CJK collection that holds Simplified Chinese glyph shapes."""
    for index in range(10):
        try:
            face = ImageFont.truetype(path, 12, index=index)
        except OSError:
            break
        if face.getname()[0].endswith(" SC"):
            return index
    return 2


@functools.cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    _need(path)
    index = _sc_index(path) if path.endswith(".ttc") else 0
    return ImageFont.truetype(path, size, index=index)


def font(text: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans for Latin text, Noto Sans CJK SC for any text with Chinese in it."""
    if _CJK.search(text):
        return _font(NOTO_CJK_BOLD if bold else NOTO_CJK, size)
    return _font(DEJAVU_BOLD if bold else DEJAVU, size)


# -------------------------------------------------------------------------------------- themes

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    bg: RGB
    surface: RGB
    text: RGB
    muted: RGB
    border: RGB
    accent: RGB
    danger: RGB
    success: RGB
    warning: RGB
    field: RGB
    disabled_bg: RGB
    disabled_fg: RGB
    header: RGB


LIGHT = Theme(bg=(243, 244, 246), surface=(255, 255, 255), text=(31, 41, 55), muted=(107, 114, 128),
              border=(209, 213, 219), accent=(37, 99, 235), danger=(205, 32, 32), success=(21, 128, 61),
              warning=(180, 95, 6), field=(255, 255, 255), disabled_bg=(229, 231, 235),
              disabled_fg=(160, 166, 176), header=(255, 255, 255))
DARK = Theme(bg=(17, 24, 39), surface=(31, 41, 55), text=(236, 239, 244), muted=(156, 163, 175),
             border=(75, 85, 99), accent=(59, 130, 246), danger=(248, 113, 113), success=(74, 222, 128),
             warning=(251, 191, 36), field=(17, 24, 39), disabled_bg=(55, 65, 81),
             disabled_fg=(110, 118, 131), header=(24, 32, 48))
# A warmer light theme for shop pages, so not every light screen is the same grey.
WARM = Theme(bg=(250, 247, 242), surface=(255, 255, 255), text=(41, 37, 36), muted=(120, 113, 108),
             border=(214, 211, 209), accent=(234, 88, 12), danger=(200, 30, 30), success=(22, 120, 60),
             warning=(180, 83, 9), field=(255, 255, 255), disabled_bg=(231, 229, 228),
             disabled_fg=(168, 162, 158), header=(255, 255, 255))

WHITE = (255, 255, 255)


# ------------------------------------------------------------------------------------- drawing


class Screen:
    """A canvas with the widgets the cases are made of. Coordinates are pixels from top left."""

    def __init__(self, width: int, height: int, theme: Theme = LIGHT):
        self.theme = theme
        self.img = Image.new("RGB", (width, height), theme.bg)
        self.draw = ImageDraw.Draw(self.img)

    @property
    def width(self) -> int:
        return self.img.width

    @property
    def height(self) -> int:
        return self.img.height

    # text ---------------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: int = 15, bold: bool = False,
             color: RGB | None = None, anchor: str = "la") -> int:
        """Draws one line; returns its right edge."""
        f = font(s, size, bold)
        self.draw.text((x, y), s, font=f, fill=color or self.theme.text, anchor=anchor)
        return int(self.draw.textbbox((x, y), s, font=f, anchor=anchor)[2])

    def measure(self, s: str, size: int = 15, bold: bool = False) -> int:
        return int(self.draw.textlength(s, font=font(s, size, bold)))

    def wrap(self, x: float, y: float, s: str, max_width: int, size: int = 15, bold: bool = False,
             color: RGB | None = None, spacing: float = 1.45) -> int:
        """Draws `s` wrapped to `max_width` (by words, or by characters for Chinese); returns the y below."""
        units = list(s) if _CJK.search(s) else s.split(" ")
        joiner = "" if _CJK.search(s) else " "
        line = ""
        for unit in units:
            trial = line + joiner + unit if line else unit
            # Chinese punctuation never starts a line: it stays on the line before, a little over.
            if line and unit not in _NO_LINE_START and self.measure(trial, size, bold) > max_width:
                self.text(x, y, line, size, bold, color)
                y += size * spacing
                line = unit
            else:
                line = trial
        if line:
            self.text(x, y, line, size, bold, color)
            y += size * spacing
        return int(y)

    # shapes -------------------------------------------------------------------------------
    def box(self, x: float, y: float, w: float, h: float, fill: RGB | None = None,
            outline: RGB | None = None, radius: int = 6, width: int = 1) -> None:
        self.draw.rounded_rectangle((x, y, x + w, y + h), radius=radius, fill=fill, outline=outline, width=width)

    def line(self, x1: float, y1: float, x2: float, y2: float, color: RGB | None = None, width: int = 1) -> None:
        self.draw.line((x1, y1, x2, y2), fill=color or self.theme.border, width=width)

    def panel(self, x: int, y: int, w: int, h: int, title: str | None = None, size: int = 17) -> int:
        """A card on the page; returns the y where its content starts."""
        self.box(x, y, w, h, fill=self.theme.surface, outline=self.theme.border, radius=8)
        if title is None:
            return y + 18
        self.text(x + 20, y + 16, title, size, bold=True)
        self.line(x, y + size + 30, x + w, y + size + 30)
        return y + size + 46

    def dim(self, amount: float = 0.5) -> None:
        """Darkens everything drawn so far, as the backdrop of a modal dialog."""
        self.img = Image.blend(self.img, Image.new("RGB", self.img.size, (0, 0, 0)), amount)
        self.draw = ImageDraw.Draw(self.img)

    def icon(self, x: int, y: int, kind: str = "error", d: int = 30) -> None:
        """A round status icon: error (!), warning (!), info (i), ok (✓)."""
        color = {"error": self.theme.danger, "warning": self.theme.warning, "info": self.theme.accent,
                 "ok": self.theme.success}[kind]
        self.draw.ellipse((x, y, x + d, y + d), fill=color)
        if kind == "ok":
            self.draw.line((x + d * .28, y + d * .52, x + d * .45, y + d * .7, x + d * .74, y + d * .32),
                           fill=WHITE, width=max(2, d // 9))
        else:
            mark = "i" if kind == "info" else "!"
            self.text(x + d / 2, y + d / 2, mark, int(d * .62), bold=True, color=WHITE, anchor="mm")

    # widgets ------------------------------------------------------------------------------
    def button(self, x: int, y: int, label: str, style: str = "primary", size: int = 14,
               pad_x: int = 18, height: int | None = None, align: str = "left") -> int:
        """A button; style: primary, danger, success, secondary, disabled, ghost. Returns its right edge
        (or, with align="right", its left edge, x being the right edge)."""
        t = self.theme
        w = self.measure(label, size, style != "ghost") + 2 * pad_x
        h = height or size + 20
        if align == "right":
            x -= w
        # Dark themes keep their pale red and green for text; filled buttons use the saturated ones.
        danger = (220, 38, 38) if t is DARK else t.danger
        success = (22, 128, 61) if t is DARK else t.success
        fills = {"primary": (t.accent, None, WHITE), "danger": (danger, None, WHITE), "success": (success, None, WHITE),
                 "secondary": (t.surface, t.border, t.text), "disabled": (t.disabled_bg, None, t.disabled_fg),
                 "ghost": (None, None, t.accent)}
        fill, outline, fg = fills[style]
        self.box(x, y, w, h, fill=fill, outline=outline, radius=6)
        self.text(x + w / 2, y + h / 2, label, size, bold=style != "ghost", color=fg, anchor="mm")
        return x if align == "right" else x + w

    def badge(self, x: int, y: int, label: str, color: RGB, size: int = 12, solid: bool = True) -> int:
        """A pill: white text on `color`, or `color` text on a pale tint when not solid."""
        w = self.measure(label, size, True) + 18
        h = size + 10
        if solid:
            self.box(x, y, w, h, fill=color, radius=h // 2)
            self.text(x + w / 2, y + h / 2, label, size, bold=True, color=WHITE, anchor="mm")
        else:
            tint = tuple(int(c + (b - c) * .85) for c, b in zip(color, self.theme.surface))
            self.box(x, y, w, h, fill=tint, radius=h // 2)
            self.text(x + w / 2, y + h / 2, label, size, bold=True, color=color, anchor="mm")
        return x + w

    def toggle(self, x: int, y: int, on: bool, disabled: bool = False) -> int:
        t = self.theme
        track = t.accent if on else t.border
        if disabled:
            track = t.disabled_bg
        self.box(x, y, 44, 24, fill=track, radius=12)
        kx = x + 22 if on else x + 2
        self.draw.ellipse((kx, y + 2, kx + 20, y + 22), fill=WHITE if not disabled else t.disabled_fg)
        return x + 44

    def setting(self, x: int, y: int, w: int, label: str, on: bool, caption: str | None = None,
                state: str | None = None, disabled: bool = False, size: int = 15) -> int:
        """A settings row: label (and caption below), toggle on the right with an optional state word
        before it. Returns the y of the next row."""
        t = self.theme
        self.text(x, y, label, size, color=t.disabled_fg if disabled else t.text)
        if caption:
            self.text(x, y + size + 7, caption, size - 3, color=t.muted)
        self.toggle(x + w - 44, y - 2, on, disabled)
        if state:
            self.text(x + w - 56, y + 1, state, size - 2, color=t.muted, anchor="ra")
        bottom = y + size + (size + 12 if caption else 4) + 12
        self.line(x, bottom, x + w, bottom)
        return bottom + 16

    def field(self, x: int, y: int, w: int, label: str, value: str = "", error: str | None = None,
              placeholder: str | None = None, size: int = 15, required: bool = False) -> int:
        """Label, input box and (red) error text under it; returns the y below."""
        t = self.theme
        end = self.text(x, y, label, size - 1, bold=True)
        if required:
            self.text(end + 3, y, "*", size - 1, bold=True, color=t.danger)
        by = y + size + 8
        h = size + 20
        self.box(x, by, w, h, fill=t.field, outline=t.danger if error else t.border, radius=5,
                 width=2 if error else 1)
        if value:
            self.text(x + 11, by + h / 2, value, size, anchor="lm")
        elif placeholder:
            self.text(x + 11, by + h / 2, placeholder, size, color=t.disabled_fg, anchor="lm")
        y = by + h + 6
        if error:
            self.text(x, y, error, size - 2, color=t.danger)
            y += size + 6
        return y + 12

    def table(self, x: int, y: int, columns: list[tuple[str, int]], rows: list[list[str]],
              row_h: int = 36, size: int = 14, colors: dict[tuple[int, int], RGB] | None = None,
              bold_rows: tuple[int, ...] = (), right: tuple[int, ...] = ()) -> int:
        """Header and rows; `colors` maps (row, col) to a text colour, `right` lists right-aligned
        columns. Returns the y below."""
        t = self.theme
        colors = colors or {}
        width = sum(w for _, w in columns)
        cx = x
        for i, (head, w) in enumerate(columns):
            if i in right:
                self.text(cx + w - 12, y + 10, head, size - 1, bold=True, color=t.muted, anchor="ra")
            else:
                self.text(cx + 12, y + 10, head, size - 1, bold=True, color=t.muted)
            cx += w
        y += row_h
        self.line(x, y, x + width, y)
        for r, row in enumerate(rows):
            cx = x
            for c, ((_, w), cell) in enumerate(zip(columns, row)):
                color = colors.get((r, c), t.text)
                if c in right:
                    self.text(cx + w - 12, y + row_h / 2, cell, size, bold=r in bold_rows, color=color, anchor="rm")
                else:
                    self.text(cx + 12, y + row_h / 2, cell, size, bold=r in bold_rows, color=color, anchor="lm")
                cx += w
            y += row_h
            self.line(x, y, x + width, y)
        return y + 10

    def topbar(self, brand: str, items: tuple[str, ...] = (), user: str | None = None, h: int = 56,
               color: RGB | None = None) -> int:
        """The app header; returns its height."""
        t = self.theme
        fill = color or t.header
        self.draw.rectangle((0, 0, self.width, h), fill=fill)
        fg = WHITE if color else t.text
        x = self.text(22, h / 2, brand, 18, bold=True, color=fg, anchor="lm") + 36
        for item in items:
            x = self.text(x, h / 2, item, 14, color=fg if color else t.muted, anchor="lm") + 26
        if user:
            self.text(self.width - 22, h / 2, user, 14, color=fg if color else t.muted, anchor="rm")
        if not color:
            self.line(0, h, self.width, h)
        return h

    def sidebar(self, top: int, w: int, items: tuple[str, ...], active: int, size: int = 14) -> int:
        t = self.theme
        self.draw.rectangle((0, top, w, self.height), fill=t.surface)
        self.line(w, top, w, self.height)
        y = top + 20
        for i, item in enumerate(items):
            if i == active:
                tint = tuple(int(c + (b - c) * .85) for c, b in zip(t.accent, t.surface))
                self.box(10, y - 8, w - 20, size + 18, fill=tint, radius=6)
            self.text(24, y, item, size, bold=i == active, color=t.accent if i == active else t.text)
            y += size + 24
        return w

    def dialog(self, w: int, h: int, title: str, lines: list[str], buttons: list[tuple[str, str]],
               icon: str | None = "error", size: int = 15, dim: float = 0.5, title_size: int = 19,
               footnote: str | None = None) -> tuple[int, int]:
        """A modal dialog centred over a dimmed page. `buttons` are (label, style), right-aligned in
        order given right to left. Returns the dialog's top-left corner."""
        if dim:
            self.dim(dim)
        t = self.theme
        x, y = (self.width - w) // 2, (self.height - h) // 2
        self.box(x, y, w, h, fill=t.surface, outline=t.border, radius=10)
        tx = x + 24
        if icon:
            self.icon(x + 24, y + 22, icon, 30)
            tx = x + 66
        self.text(tx, y + 24, title, title_size, bold=True)
        ty = y + 24 + title_size + 18
        for line in lines:
            ty = self.wrap(tx, ty, line, w - (tx - x) - 24, size, color=t.text) + 4
        if footnote:
            self.text(tx, y + h - 62 - 6, footnote, size - 4, color=t.muted)
        bx = x + w - 20
        for label, style in buttons:
            bx = self.button(bx, y + h - 54, label, style, align="right") - 10
        return x, y

    def toast(self, x: int, y: int, w: int, title: str, body: str, kind: str = "error", size: int = 14) -> int:
        """A notification card with a coloured edge; returns the y below."""
        t = self.theme
        color = {"error": t.danger, "warning": t.warning, "ok": t.success, "info": t.accent}[kind]
        h = 30 + size * 2 + 18
        self.box(x, y, w, h, fill=t.surface, outline=t.border, radius=8)
        self.draw.rectangle((x, y + 1, x + 5, y + h - 1), fill=color)
        self.icon(x + 18, y + 16, kind, 22)
        self.text(x + 52, y + 15, title, size + 1, bold=True)
        self.text(x + 52, y + 20 + size + 6, body, size, color=t.text)
        return y + h + 12

    def steps(self, x: int, y: int, w: int, labels: list[str], current: int, size: int = 13,
              failed: bool = False) -> int:
        """A progress tracker; steps before `current` are done. Returns the y below."""
        t = self.theme
        gap = w / (len(labels) - 1)
        for i in range(len(labels) - 1):
            cx = x + i * gap
            self.line(cx, y + 12, cx + gap, y + 12, t.accent if i < current else t.border, 4)
        for i, label in enumerate(labels):
            cx = x + i * gap
            if i < current:
                self.draw.ellipse((cx - 12, y, cx + 12, y + 24), fill=t.accent)
                self.draw.line((cx - 5, y + 12, cx - 1, y + 16, cx + 6, y + 7), fill=WHITE, width=3)
            elif i == current:
                ring = t.danger if failed else t.accent
                self.draw.ellipse((cx - 12, y, cx + 12, y + 24), fill=t.surface, outline=ring, width=4)
            else:
                self.draw.ellipse((cx - 12, y, cx + 12, y + 24), fill=t.surface, outline=t.border, width=3)
            color = t.text if i <= current else t.muted
            self.text(cx, y + 34, label, size, bold=i == current, color=color, anchor="ma")
        return y + 34 + size + 16

    def kv(self, x: int, y: int, pairs: list[tuple[str, str]], key_w: int = 150, size: int = 15,
           gap: int = 12, bold_values: bool = False, value_colors: dict[int, RGB] | None = None) -> int:
        """Label/value lines; returns the y below."""
        value_colors = value_colors or {}
        for i, (k, v) in enumerate(pairs):
            self.text(x, y, k, size, color=self.theme.muted)
            self.text(x + key_w, y, v, size, bold=bold_values, color=value_colors.get(i))
            y += size + gap
        return y

    def done(self) -> Image.Image:
        return self.img


# --------------------------------------------------------------------------------------- cases

CASES: list[QualityCase] = []


def _case(id: str, lang: str, kind: str, question: str, *facts: tuple[str, ...]):
    """Registers the decorated drawing function as a case."""
    assert kind in KINDS, kind

    def register(draw: Callable[[], Image.Image]) -> Callable[[], Image.Image]:
        CASES.append(QualityCase(id, lang, kind, question, tuple(tuple(group) for group in facts), draw))
        return draw

    return register


def render(case: QualityCase) -> Image.Image:
    img = case.draw()
    return img if img.mode == "RGB" else img.convert("RGB")


# ====================================================================== English: error dialogs


@_case("en-err-01", "en", "error_dialog", "what does this mean?",
       ("ERR-4031",), ("declined",))
def _en_err_01():
    s = Screen(640, 420)
    s.topbar("Fernhill Shop", ("Cart", "Checkout"))
    p = s.panel(30, 80, 580, 300, "Payment")
    s.field(50, p, 300, "Card number", "•••• •••• •••• 1187")
    s.button(50, p + 90, "Pay $73.20")
    s.dialog(480, 230, "Payment failed",
             ["Your card was declined by the issuing bank.", "Error code: ERR-4031"],
             [("Try another card", "primary"), ("Cancel", "secondary")])
    return s.done()


@_case("en-err-02", "en", "error_dialog", "I keep getting this when I try to attach my quarterly report, any idea?",
       ("UPL-413",), ("25 MB", "25MB"))
def _en_err_02():
    s = Screen(1280, 800, DARK)
    top = s.topbar("Quillbox", ("Files", "Shared", "Recent"), "dana.k@example.com")
    s.sidebar(top, 220, ("All files", "Reports", "Invoices", "Trash"), 1)
    p = s.panel(250, top + 24, 1000, 520, "Reports")
    s.table(270, p, [("Name", 460), ("Modified", 220), ("Size", 200)],
            [["Q1 summary.pdf", "Apr 03, 2024", "4.1 MB"], ["Q2 summary.pdf", "Jul 02, 2024", "6.8 MB"],
             ["Board deck.pptx", "Jul 09, 2024", "18.2 MB"]], right=(2,))
    s.text(250, top + 570, "Storage: 12.4 GB of 50 GB used", 13, color=s.theme.muted)
    s.dialog(560, 190, "Upload failed",
             ["\"Q3 report final.pdf\" (31.6 MB) could not be uploaded.",
              "Files larger than 25 MB can't be attached. (UPL-413)"],
             [("OK", "primary")], dim=0.55)
    return s.done()


@_case("en-err-03", "en", "error_dialog", "Why was I logged out?",
       ("AUTH-0419",), ("session expired", "session has expired", "expired"))
def _en_err_03():
    s = Screen(480, 320)
    s.topbar("Northpeak", h=48)
    s.dialog(400, 200, "Session expired", ["Please sign in again to continue.", "(AUTH-0419)"],
             [("Sign in", "primary")], icon="warning", size=14, title_size=17)
    return s.done()


@_case("en-err-04", "en", "error_dialog",
       "The checkout page shows this and nothing happens when I click retry",
       ("E1207",), ("7F3K-92QD",))
def _en_err_04():
    s = Screen(1024, 640, LIGHT)
    s.topbar("Orchard Market", ("Shop", "Deals", "Orders"), "Hi, Sam")
    s.icon(482, 150, "error", 60)
    s.text(512, 240, "Something went wrong", 28, bold=True, anchor="ma")
    s.text(512, 290, "We couldn't load the checkout. Your cart is saved.", 16, anchor="ma")
    s.text(512, 318, "Error code: E1207", 16, anchor="ma")
    s.button(440, 370, "Retry")
    s.button(530, 370, "Back to cart", "secondary")
    s.text(512, 600, "Reference ID: 7F3K-92QD · 2024-08-19 14:02 UTC", 11, color=(160, 160, 160), anchor="ma")
    return s.done()


@_case("en-err-05", "en", "error_dialog", "my discount code isn't working??",
       ("CPN-210",), ("expired",))
def _en_err_05():
    s = Screen(800, 500, WARM)
    s.topbar("Fernhill Shop", ("Home", "Sale", "Cart (2)"))
    p = s.panel(40, 80, 720, 380, "Order summary")
    y = s.kv(60, p, [("Linen shirt ×1", "$48.00"), ("Canvas tote ×1", "$19.00"), ("Shipping", "$5.90")],
             key_w=520)
    s.line(60, y, 740, y)
    s.kv(60, y + 12, [("Total", "$72.90")], key_w=520, bold_values=True)
    s.field(60, y + 56, 300, "Discount code", "SPRING25", error="Code expired on 31 Mar 2024 (CPN-210)")
    s.button(370, y + 79, "Apply", "secondary")
    s.button(740, 408, "Continue to payment", align="right")
    return s.done()


@_case("en-err-06", "en", "error_dialog", "Is something wrong with my account? It's showing a warning.",
       ("S-502",), ("server unavailable", "unavailable"))
def _en_err_06():
    s = Screen(960, 600, DARK)
    top = s.topbar("Kestrel Notes", ("Notebooks", "Tags"), "Sync ●")
    s.sidebar(top, 200, ("Inbox", "Work", "Travel", "Recipes"), 1)
    p = s.panel(220, top + 20, 420, 500, "Work")
    for i, title in enumerate(["Sprint notes", "1:1 agenda", "Vendor list", "Hiring plan"]):
        s.text(240, p + i * 56, title, 15, bold=True)
        s.text(240, p + i * 56 + 22, "Edited 3 days ago", 12, color=s.theme.muted)
    y = s.toast(660, top + 20, 280, "Backup complete", "Last backup 2 days ago", "ok", size=13)
    s.toast(660, y, 280, "Sync error S-502", "Server unavailable.", "error", size=13)
    s.text(712, y + 88, "Retrying in 5 minutes", 12, color=s.theme.muted)
    return s.done()


# ======================================================================= English: bills


@_case("en-bill-01", "en", "bill", "How much do I owe and when is it due?",
       ("$42.50", "42.50"), ("June 14", "14 June", "Jun 14", "14 Jun", "2024-06-14", "06/14"))
def _en_bill_01():
    s = Screen(1024, 700)
    s.topbar("Lumora Cloud", ("Dashboard", "Billing", "Support"), "acct 88-1042")
    p = s.panel(40, 86, 620, 570, "Invoice INV-20931")
    s.kv(60, p, [("Issued", "May 31, 2024"), ("Billing period", "May 1 – May 31, 2024")], key_w=160)
    y = s.table(60, p + 70, [("Item", 330), ("Qty", 80), ("Amount", 170)],
                [["Pro plan (monthly)", "1", "$29.00"], ["Extra seats", "2", "$10.00"],
                 ["Tax (9%)", "", "$3.50"]], right=(1, 2))
    s.kv(60, y + 10, [("Amount due", "$42.50"), ("Due date", "June 14, 2024")], key_w=380, size=17,
         bold_values=True)
    s.button(60, y + 100, "Pay now", "primary")
    q = s.panel(690, 86, 300, 250, "Previous invoice")
    s.kv(710, q, [("Number", "INV-20877"), ("Amount", "$39.00"), ("Status", "Paid")], key_w=90, size=14)
    s.text(60, 620, "Questions about this invoice? billing@lumora.example", 12, color=s.theme.muted)
    return s.done()


@_case("en-bill-02", "en", "bill", "Why is my next payment different from last month?",
       ("18.99",), ("15.99",))
def _en_bill_02():
    s = Screen(800, 560, DARK)
    s.topbar("Tidewell Music", ("Listen", "Library"), "Account")
    p = s.panel(40, 80, 720, 440, "Subscription")
    s.text(60, p, "Plus · monthly", 18, bold=True)
    s.badge(220, p + 1, "Active", s.theme.success, solid=False)
    y = s.kv(60, p + 44, [("Last payment", "€15.99 on 2 Aug 2024"), ("Next payment", "€18.99 on 2 Sep 2024")],
             key_w=170, size=16, gap=16)
    s.box(60, y + 10, 680, 92, fill=(55, 48, 30), outline=s.theme.warning, radius=8)
    s.wrap(80, y + 24, "Price change: the Plus plan goes from €15.99 to €18.99 per month from 1 Sep 2024. "
           "You can cancel any time before then.", 640, 14)
    s.button(60, y + 130, "Change plan", "secondary")
    s.button(210, y + 130, "Cancel subscription", "ghost")
    return s.done()


@_case("en-bill-03", "en", "bill", "what is this?",
       ("128.00", "$128"), ("overdue",))
def _en_bill_03():
    s = Screen(640, 480)
    s.topbar("Brightwater Utilities", h=52, color=(15, 118, 110))
    p = s.panel(30, 78, 580, 370, "Account statement")
    s.text(50, p, "Statement date: 1 Oct 2024", 14, color=s.theme.muted)
    s.badge(470, p - 2, "OVERDUE", s.theme.danger, size=13)
    y = s.kv(50, p + 40, [("Previous balance", "$118.00"), ("Payments received", "$0.00"),
                          ("Late fee", "$10.00")], key_w=330, size=15)
    s.line(50, y, 590, y)
    s.text(50, y + 14, "Balance to pay", 18, bold=True)
    s.text(590, y + 14, "$128.00", 22, bold=True, color=s.theme.danger, anchor="ra")
    s.button(50, y + 70, "Pay now", "success", size=15)
    s.text(50, 420, "Late fees apply to balances unpaid 30 days after the statement date.", 11, color=s.theme.muted)
    return s.done()


@_case("en-bill-04", "en", "bill", "One of my payments didn't go through, which one was it?",
       ("INV-3317",), ("64.20",))
def _en_bill_04():
    s = Screen(1280, 800)
    top = s.topbar("Parcelwing Business", ("Shipments", "Billing", "Team"), "Ops team")
    s.sidebar(top, 230, ("Overview", "Invoices", "Payment methods", "Tax details"), 1)
    p = s.panel(260, top + 24, 980, 600, "Billing history")
    rows = [["INV-3402", "Sep 01, 2024", "$71.80", "Paid"], ["INV-3355", "Aug 01, 2024", "$58.40", "Paid"],
            ["INV-3317", "Jul 01, 2024", "$64.20", "Failed"], ["INV-3290", "Jun 01, 2024", "$64.20", "Paid"],
            ["INV-3248", "May 01, 2024", "$49.90", "Paid"], ["INV-3201", "Apr 01, 2024", "$52.10", "Paid"]]
    colors = {(r, 3): (s.theme.danger if row[3] == "Failed" else s.theme.success) for r, row in enumerate(rows)}
    s.table(280, p + 10, [("Invoice", 240), ("Date", 240), ("Amount", 200), ("Status", 250)], rows,
            row_h=52, size=15, colors=colors, right=(2,))
    s.text(280, top + 650, "Card ending 4242 · expires 09/27", 13, color=s.theme.muted)
    return s.done()


@_case("en-bill-05", "en", "bill",
       "I need the invoice number and the total for my expense claim, can you read them off?",
       ("2024-0815-A",), ("£45.00", "45.00"))
def _en_bill_05():
    s = Screen(720, 480, WARM)
    s.box(40, 24, 640, 432, fill=WHITE, outline=s.theme.border, radius=4)
    s.text(64, 48, "INVOICE", 24, bold=True, color=s.theme.accent)
    s.text(656, 50, "Invoice No. 2024-0815-A", 14, anchor="ra")
    s.text(656, 72, "Date: 15 Aug 2024", 13, color=s.theme.muted, anchor="ra")
    s.text(64, 90, "Rowan & Pike Stationery", 14, bold=True)
    s.text(64, 110, "12 Mill Lane, Leeds", 12, color=s.theme.muted)
    y = s.table(64, 150, [("Description", 340), ("Qty", 70), ("Price", 182)],
                [["A5 notebooks (pack of 3)", "2", "£12.50"], ["Gel pens, black", "1", "£12.50"]],
                right=(1, 2))
    s.kv(380, y, [("Subtotal", "£37.50"), ("VAT (20%)", "£7.50")], key_w=150, size=14)
    s.line(380, y + 60, 656, y + 60)
    s.text(380, y + 72, "Total", 17, bold=True)
    s.text(656, y + 72, "£45.00", 17, bold=True, anchor="ra")
    s.text(64, 420, "Paid by card on 15 Aug 2024. Thank you!", 12, color=s.theme.muted)
    return s.done()


# ================================================================ English: order status


@_case("en-ord-01", "en", "order_status", "where's my order?",
       ("in transit",), ("Parcelwing",))
def _en_ord_01():
    s = Screen(1024, 640)
    s.topbar("Orchard Market", ("Shop", "Orders", "Help"), "Hi, Sam")
    p = s.panel(40, 84, 944, 330, "Order #A1-558203")
    s.text(60, p, "Placed on 12 Sep 2024 · 3 items · $86.40", 14, color=s.theme.muted)
    s.steps(140, p + 50, 700, ["Ordered", "Packed", "In transit", "Out for delivery", "Delivered"], 2)
    s.kv(60, p + 150, [("Carrier", "Parcelwing"), ("Tracking no.", "PW 4481 2290 17"),
                       ("Estimated delivery", "Sep 17 – Sep 19")], key_w=190)
    q = s.panel(40, 436, 944, 170, "Need help?")
    s.text(60, q, "Questions about delivery go to the carrier first; we can help with returns.", 14,
           color=s.theme.muted)
    s.button(60, q + 40, "Track with carrier")
    return s.done()


@_case("en-ord-02", "en", "order_status", "Why was this cancelled? I didn't cancel anything",
       ("payment not received", "payment wasn't received", "not received"), ("48 hours",))
def _en_ord_02():
    s = Screen(800, 600, DARK)
    s.topbar("Quillbox Store", ("Orders",), "m.ortiz")
    p = s.panel(40, 80, 720, 480, "Order 7781-3345")
    s.badge(60, p, "Cancelled", s.theme.danger, size=13, solid=False)
    s.text(60, p + 42, "Reason: payment not received within 48 hours", 16)
    s.text(60, p + 68, "Bank transfer reference: QB-7781-3345", 14, color=s.theme.muted)
    s.table(60, p + 110, [("Item", 420), ("Price", 260)],
            [["Desk lamp, walnut", "$64.00"], ["LED bulb 2-pack", "$11.50"]], right=(1,))
    s.button(60, p + 240, "Order again")
    s.button(200, p + 240, "Contact support", "secondary")
    return s.done()


@_case("en-ord-03", "en", "order_status", "My headphones order says something weird, what's going on?",
       ("delayed",), ("Jul 22", "July 22", "22 July", "22 Jul"))
def _en_ord_03():
    s = Screen(1280, 800)
    top = s.topbar("Fernhill Shop", ("Home", "Orders", "Wishlist"), "Priya")
    p = s.panel(40, top + 30, 1200, 660, "Your orders")
    y = p + 10
    orders = [("Wireless headphones", "#559-0021", "Delayed", "New estimate: Jul 22", s.theme.warning),
              ("Phone case", "#559-0017", "Delivered", "Delivered Jul 9", s.theme.success),
              ("USB-C cable 2m", "#558-9930", "Delivered", "Delivered Jul 2", s.theme.success),
              ("Laptop stand", "#558-9412", "Returned", "Refunded Jun 20", s.theme.muted)]
    for name, number, status, note, color in orders:
        s.box(60, y, 1160, 120, outline=s.theme.border, radius=8)
        s.box(80, y + 20, 80, 80, fill=(229, 231, 235), radius=6)
        s.text(184, y + 24, name, 17, bold=True)
        s.text(184, y + 52, f"Order {number}", 14, color=s.theme.muted)
        s.text(700, y + 24, status, 16, bold=True, color=color)
        s.text(700, y + 52, note, 14)
        s.button(1200, y + 38, "View order", "secondary", align="right")
        y += 140
    return s.done()


@_case("en-ord-04", "en", "order_status", "What happened to my package?",
       ("delivery attempted", "missed you", "attempted"), ("depot",))
def _en_ord_04():
    s = Screen(480, 360)
    s.topbar("Parcelwing", h=48, color=(79, 70, 229))
    s.text(24, 70, "Order #88213", 14, color=s.theme.muted)
    s.icon(24, 100, "warning", 28)
    s.text(62, 102, "Delivery attempted", 20, bold=True)
    s.wrap(24, 148, "We missed you at 14:32 today. Your package was returned to the Eastgate depot.", 430, 15)
    s.text(24, 222, "Next attempt: tomorrow, 9:00-13:00", 14, color=s.theme.muted)
    s.button(24, 262, "Reschedule", height=40)
    s.button(160, 262, "Pick up at depot", "secondary", height=40)
    return s.done()


@_case("en-ord-05", "en", "order_status", "did you refund me yet?",
       ("refund issued", "refunded"), ("89.90",))
def _en_ord_05():
    s = Screen(900, 600, WARM)
    s.topbar("Rowan & Pike", ("Shop", "Returns"), "Account")
    p = s.panel(40, 84, 820, 470, "Return RMA-60417")
    s.steps(120, p + 10, 660, ["Requested", "Received", "Inspected", "Refund issued"], 3)
    s.box(60, p + 110, 780, 70, fill=(236, 253, 243), radius=8)
    s.icon(80, p + 130, "ok", 28)
    s.text(124, p + 124, "Refund issued: $89.90", 17, bold=True, color=s.theme.success)
    s.text(124, p + 150, "To card ending 4242 on 3 Oct 2024", 14)
    s.kv(60, p + 210, [("Item", "Wool scarf, grey"), ("Original price", "$99.90"), ("Return shipping", "-$10.00")],
         key_w=200, size=14)
    s.text(60, p + 330, "Banks usually show refunds within 3-5 business days.", 12, color=s.theme.muted)
    return s.done()


# ==================================================================== English: settings


@_case("en-set-01", "en", "settings", "I'm not getting text messages about my orders anymore",
       ("SMS",), ("disabled", "turned off", "switched off", "is off", "are off"))
def _en_set_01():
    s = Screen(1024, 700)
    top = s.topbar("Orchard Market", ("Shop", "Orders"), "Account")
    s.sidebar(top, 220, ("Profile", "Addresses", "Notifications", "Privacy"), 2)
    p = s.panel(250, top + 24, 730, 560, "Notifications")
    y = s.setting(270, p + 6, 690, "Email notifications", True, "Order updates and receipts", state="On")
    y = s.setting(270, y, 690, "SMS notifications", False, "Delivery updates by text message", state="Disabled")
    y = s.setting(270, y, 690, "Push notifications", True, "On this device", state="On")
    y = s.setting(270, y, 690, "Weekly deals digest", False, "Mondays, by email", state="Off")
    s.button(270, y + 10, "Save changes")
    return s.done()


@_case("en-set-02", "en", "settings", "why can't I click save?",
       ("verify your email", "verify email", "unverified", "not verified", "email verification"))
def _en_set_02():
    s = Screen(1280, 800, DARK)
    top = s.topbar("Kestrel Cloud", ("Projects", "Billing", "Settings"), "alex@example.com")
    s.sidebar(top, 240, ("General", "Security", "API keys", "Audit log"), 1)
    p = s.panel(270, top + 24, 960, 330, "Account")
    s.kv(290, p, [("Email", "alex@example.com (unverified)"), ("Member since", "March 2022")], key_w=180)
    s.button(290, p + 80, "Resend verification email", "secondary")
    q = s.panel(270, top + 380, 960, 320, "Security")
    y = s.setting(290, q + 6, 920, "Two-factor authentication", False, "Not set up", state="Off")
    y = s.setting(290, y, 920, "Sign-in alerts", True, "Email me when a new device signs in", state="On")
    s.button(290, y + 6, "Save changes", "disabled")
    s.text(440, y + 16, "Verify your email address to change security settings.", 12, color=s.theme.muted)
    return s.done()


@_case("en-set-03", "en", "settings", "The download button is grey, how do I get my data?",
       ("23 hours",), ("one export per day", "once per day", "once a day", "one per day", "per day"))
def _en_set_03():
    s = Screen(640, 480)
    s.topbar("Northpeak", ("Settings",), h=50)
    p = s.panel(30, 74, 580, 380, "Privacy & data")
    y = s.setting(50, p + 6, 540, "Private profile", True, state="On")
    y = s.setting(50, y, 540, "Show my reviews publicly", False, state="Off")
    s.text(50, y + 4, "Export your data", 16, bold=True)
    s.wrap(50, y + 32, "A ZIP file with your orders, reviews and messages.", 520, 14, color=s.theme.muted)
    s.button(50, y + 66, "Download my data", "disabled")
    s.text(50, y + 114, "Available again in 23 hours (one export per day).", 13, color=s.theme.muted)
    return s.done()


@_case("en-set-04", "en", "settings", "Will I be charged again after this month?",
       ("auto-renew", "auto renew", "automatic renewal"),
       ("30 Nov", "November 30", "30 November", "Nov 30", "2024-11-30"))
def _en_set_04():
    s = Screen(960, 640)
    s.topbar("Tidewell Music", ("Listen", "Library", "Account"))
    p = s.panel(40, 84, 560, 300, "Membership")
    s.text(60, p, "Premium Family", 20, bold=True)
    s.text(60, p + 32, "6 members · €17.99 / month", 14, color=s.theme.muted)
    s.setting(60, p + 80, 520, "Auto-renew", False, "Your plan ends on 30 Nov 2024", state="Off")
    s.button(60, p + 170, "Turn on auto-renew")
    q = s.panel(630, 84, 290, 300, "Family members")
    for i, name in enumerate(["Ana (you)", "Leo", "Mira", "Tom", "Zoe", "Kai"]):
        s.text(650, q + i * 34, name, 14)
    return s.done()


@_case("en-set-05", "en", "settings", "how do I add a webhook? the button does nothing",
       ("Business plan", "Business"))
def _en_set_05():
    s = Screen(800, 520, DARK)
    s.topbar("Lumora Cloud", ("Developers",), "Starter plan")
    p = s.panel(30, 76, 740, 410, "Webhooks")
    s.badge(150, 91, "Business plan", s.theme.accent, solid=False)
    s.wrap(50, p, "Send events such as order.created and invoice.paid to your own server.", 680, 14,
           color=s.theme.muted)
    s.setting(50, p + 40, 700, "Enable webhooks", False, state="Off", disabled=True)
    s.button(50, p + 100, "Add endpoint", "disabled")
    s.box(50, p + 170, 700, 70, outline=s.theme.border, radius=8)
    s.text(70, p + 186, "Webhooks are available on the Business plan.", 15)
    s.text(70, p + 210, "Upgrade to Business to add endpoints.", 13, color=s.theme.muted)
    s.button(50, p + 270, "Compare plans")
    return s.done()


# ================================================================ English: form errors


@_case("en-form-01", "en", "form_errors", "why can't I continue?",
       ("postcode", "postal code", "post code", "zip"), ("5 digits", "five digits"))
def _en_form_01():
    s = Screen(800, 600, WARM)
    s.topbar("Fernhill Shop", ("Cart", "Shipping", "Payment"))
    p = s.panel(40, 80, 720, 490, "Shipping address")
    y = s.field(60, p, 330, "Full name", "Maria Lopez")
    s.field(410, p, 330, "Phone", "555 0142 88")
    y = s.field(60, y, 680, "Street address", "41 Harbour Road")
    s.field(60, y, 330, "City", "Springfield")
    y = s.field(410, y, 330, "Postcode", "1234", error="Postcode must be 5 digits")
    s.button(740, y + 10, "Continue", align="right")
    s.button(60, y + 10, "Back to cart", "ghost")
    return s.done()


@_case("en-form-02", "en", "form_errors", "It won't let me create an account",
       ("already registered", "already in use", "already exists", "already been registered"),
       ("10 characters", "ten characters"))
def _en_form_02():
    s = Screen(1024, 700, DARK)
    s.text(512, 60, "Create your Quillbox account", 26, bold=True, anchor="ma")
    s.text(512, 102, "Free for 14 days. No card needed.", 14, color=s.theme.muted, anchor="ma")
    p = s.panel(292, 140, 440, 500)
    y = s.field(316, p + 6, 392, "Name", "Chris Doyle")
    y = s.field(316, y, 392, "Email", "chris.doyle@example.com", error="This email is already registered.")
    y = s.field(316, y, 392, "Password", "••••••", error="Use at least 10 characters.")
    s.button(316, y + 6, "Create account", height=42)
    s.text(316, y + 70, "Already have an account? Sign in", 13, color=s.theme.muted)
    return s.done()


@_case("en-form-03", "en", "form_errors", "Payment form says something in red",
       ("card has expired", "expired"), ("04/23",))
def _en_form_03():
    s = Screen(560, 760)
    s.topbar("Rowan & Pike", ("Checkout",), h=52)
    p = s.panel(24, 76, 512, 640, "Pay by card")
    s.text(44, p, "Total to pay: £31.80", 16, bold=True)
    y = s.field(44, p + 40, 472, "Name on card", "J HALE")
    y = s.field(44, y, 472, "Card number", "4000 0012 3456 7899")
    s.field(44, y, 220, "Expiry (MM/YY)", "04/23", error="Card has expired")
    y = s.field(296, y, 220, "Security code", "•••")
    s.button(44, y + 30, "Pay £31.80", "success", height=44, pad_x=150)
    s.text(44, y + 94, "Payments are encrypted and processed securely.", 11, color=s.theme.muted)
    return s.done()


@_case("en-form-04", "en", "form_errors", "What's wrong with the form?",
       ("order number",), ("10 MB", "10MB"))
def _en_form_04():
    s = Screen(1280, 720)
    s.topbar("Orchard Market Help", ("Articles", "Contact us"))
    p = s.panel(60, 84, 760, 600, "Contact support")
    s.box(80, p, 720, 66, fill=(254, 242, 242), outline=s.theme.danger, radius=6)
    s.text(100, p + 12, "2 fields need attention", 15, bold=True, color=s.theme.danger)
    s.text(100, p + 36, "Fix the highlighted fields and send again.", 13)
    y = s.field(80, p + 86, 340, "Order number", "55820", error="Enter an order number like 1234-5678")
    s.field(460, p + 86, 340, "Email", "kim@example.com")
    y = s.field(80, y, 720, "Message", "The blender arrived with a cracked jug.")
    y = s.field(80, y, 720, "Attachment", "jug-photo.heic (14.2 MB)",
                error="Files larger than 10 MB are not accepted")
    s.button(80, y + 4, "Send message")
    q = s.panel(850, 84, 370, 260, "Opening hours")
    s.kv(870, q, [("Mon–Fri", "8:00–20:00"), ("Sat", "9:00–17:00"), ("Sun", "closed")], key_w=120, size=14)
    return s.done()


@_case("en-form-05", "en", "form_errors", "why was my registration rejected? the birthday field is red",
       ("18 or older", "over 18", "18 years", "at least 18", "18+"))
def _en_form_05():
    s = Screen(720, 480)
    s.topbar("Northpeak Wine Club", h=52, color=(127, 29, 29))
    p = s.panel(40, 76, 640, 370, "Join the club")
    s.field(60, p, 290, "First name", "Noah")
    y = s.field(370, p, 290, "Last name", "Berg")
    y = s.field(60, y, 290, "Date of birth", "2008-05-19", error="You must be 18 or older to join.")
    s.button(60, y + 10, "Join now", "danger")
    s.text(60, y + 64, "We check ID on delivery.", 12, color=s.theme.muted)
    return s.done()


# ====================================================================== 中文：错误弹窗


@_case("zh-err-01", "zh", "error_dialog", "这是什么意思？",
       ("PAY-1002",), ("余额不足",))
def _zh_err_01():
    s = Screen(640, 400)
    s.topbar("云帆商城", ("购物车", "结算"))
    p = s.panel(30, 80, 580, 290, "确认付款")
    s.text(50, p, "应付金额：¥268.00", 16)
    s.button(50, p + 50, "立即支付")
    s.dialog(470, 220, "支付失败", ["您的银行卡余额不足，请更换支付方式。", "错误代码：PAY-1002"],
             [("更换支付方式", "primary"), ("取消", "secondary")])
    return s.done()


@_case("zh-err-02", "zh", "error_dialog", "为什么我的视频传不上去",
       ("E2031",), ("2GB", "2 GB"))
def _zh_err_02():
    s = Screen(1280, 800, DARK)
    top = s.topbar("星桥云盘", ("我的文件", "共享", "回收站"), "陈一鸣")
    s.sidebar(top, 220, ("全部文件", "图片", "视频", "文档"), 2)
    p = s.panel(250, top + 24, 1000, 560, "视频")
    s.table(270, p, [("名称", 480), ("修改时间", 260), ("大小", 220)],
            [["毕业典礼.mp4", "2024-06-30", "1.2GB"], ["旅行vlog-01.mp4", "2024-07-15", "860MB"],
             ["家庭聚会.mov", "2024-08-02", "1.7GB"]], right=(2,))
    s.text(270, top + 620, "已用 38.6GB / 100GB", 14, color=s.theme.muted)
    s.toast(860, top + 470, 380, "上传失败", "文件超过 2GB 上限（错误码 E2031）", "error", size=14)
    return s.done()


@_case("zh-err-03", "zh", "error_dialog", "怎么突然让我重新登录了？",
       ("401-07",), ("登录已过期", "过期"))
def _zh_err_03():
    s = Screen(480, 320)
    s.topbar("青木会员", h=48)
    s.dialog(380, 200, "登录已过期", ["为了您的账号安全，请重新登录。", "（代码 401-07）"],
             [("重新登录", "primary")], icon="warning", size=14, title_size=17)
    return s.done()


@_case("zh-err-04", "zh", "error_dialog", "下单的时候弹出这个页面，我的订单成功了吗？",
       ("SRV-503",), ("服务器繁忙", "繁忙"))
def _zh_err_04():
    s = Screen(960, 600)
    s.topbar("云帆商城", ("首页", "分类", "我的订单"), "您好，李女士")
    s.icon(450, 140, "error", 60)
    s.text(480, 230, "服务器繁忙", 28, bold=True, anchor="ma")
    s.text(480, 282, "订单尚未提交，请稍后再试。错误编号 SRV-503", 16, anchor="ma")
    s.button(390, 330, "重新提交")
    s.button(490, 330, "返回购物车", "secondary")
    s.text(480, 560, "请求 ID：9c1f-77ab-20e4", 11, color=(165, 165, 165), anchor="ma")
    return s.done()


@_case("zh-err-05", "zh", "error_dialog", "优惠券为什么用不了",
       ("199元", "199 元", "满199"), ("CPN-033",))
def _zh_err_05():
    s = Screen(800, 500, WARM)
    s.topbar("优品小铺", ("首页", "购物车"))
    p = s.panel(40, 80, 460, 380, "订单结算")
    y = s.kv(60, p, [("商品金额", "¥168.00"), ("运费", "¥0.00"), ("优惠券", "满199元减30元")], key_w=140)
    s.line(60, y, 480, y)
    s.kv(60, y + 12, [("实付", "¥168.00")], key_w=140, bold_values=True, size=17)
    s.button(60, y + 64, "提交订单")
    y = s.toast(520, 90, 260, "地址已保存", "默认地址已更新", "ok", size=13)
    s.toast(520, y, 260, "优惠券不可用", "订单未满 199 元（CPN-033）", "error", size=13)
    return s.done()


# ====================================================================== 中文：账单


@_case("zh-bill-01", "zh", "bill", "这个月要还多少钱，哪天之前还？",
       ("1,286.40", "1286.40"), ("7月10日", "07-10", "7-10"))
def _zh_bill_01():
    s = Screen(1024, 700)
    s.topbar("青木信用", ("账单", "还款", "额度"), "王先生")
    p = s.panel(40, 86, 620, 570, "2024年6月账单")
    s.text(60, p, "账单编号 BL-2024-0612", 14, color=s.theme.muted)
    y = s.table(60, p + 40, [("交易", 330), ("日期", 120), ("金额", 130)],
                [["线上购物", "06-03", "¥520.00"], ["餐饮", "06-11", "¥186.40"], ["交通出行", "06-20", "¥580.00"]],
                right=(2,))
    s.kv(60, y + 10, [("本期应还", "¥1,286.40"), ("最后还款日", "2024年7月10日")], key_w=200, size=18,
         bold_values=True)
    s.button(60, y + 100, "立即还款")
    q = s.panel(690, 86, 300, 220, "上期账单")
    s.kv(710, q, [("金额", "¥980.00"), ("状态", "已还清")], key_w=80, size=14)
    s.text(60, 622, "逾期将产生违约金，详见《用户服务协议》。", 12, color=s.theme.muted)
    return s.done()


@_case("zh-bill-02", "zh", "bill", "下个月会扣我多少钱",
       ("25.00", "25元", "25 元"), ("9月15日", "09-15", "9-15"))
def _zh_bill_02():
    s = Screen(800, 560, DARK)
    s.topbar("青木视频", ("首页", "会员中心"), "账号")
    p = s.panel(40, 80, 720, 440, "我的会员")
    s.text(60, p, "黄金会员 · 连续包月", 18, bold=True)
    s.badge(260, p + 2, "生效中", s.theme.success, solid=False)
    y = s.kv(60, p + 48, [("首月优惠", "¥6.00（已使用）"), ("下次扣费", "¥25.00"), ("扣费日期", "2024-09-15")],
             key_w=150, size=16, gap=16)
    s.text(60, y + 10, "扣费前 24 小时内可在此取消。", 13, color=s.theme.muted)
    s.button(60, y + 50, "管理自动续费", "secondary")
    return s.done()


@_case("zh-bill-03", "zh", "bill", "帮我看下发票号码和金额",
       ("04417789",), ("356.00", "356元"))
def _zh_bill_03():
    s = Screen(640, 480)
    s.topbar("优品小铺", ("我的订单", "发票"), h=52)
    p = s.panel(30, 76, 580, 370, "电子发票")
    s.badge(500, 90, "已开具", s.theme.success, solid=False)
    y = s.kv(50, p, [("发票抬头", "上海青禾文化有限公司"), ("发票号码", "04417789"), ("开票日期", "2024-08-21"),
                     ("开票金额", "¥356.00"), ("其中税额", "¥40.96")], key_w=130, size=15, gap=14)
    s.button(50, y + 14, "下载 PDF")
    s.button(170, y + 14, "发送到邮箱", "secondary")
    return s.done()


@_case("zh-bill-04", "zh", "bill", "为什么提示我有欠费？",
       ("逾期",), ("89.00", "89元"))
def _zh_bill_04():
    s = Screen(1280, 800)
    top = s.topbar("星桥宽带", ("账户", "账单", "服务"), "账号 3309****18")
    s.box(0, top, 1280, 44, fill=(254, 243, 199))
    s.text(40, top + 22, "您有 1 笔账单未支付，请尽快缴费以免影响使用。", 14, color=(120, 60, 0), anchor="lm")
    p = s.panel(40, top + 70, 1200, 580, "账单明细")
    rows = [["2024-08", "¥89.00", "2024-08-25", "已支付"], ["2024-07", "¥89.00", "2024-07-25", "已支付"],
            ["2024-06", "¥89.00", "2024-06-25", "逾期"], ["2024-05", "¥79.00", "2024-05-25", "已支付"],
            ["2024-04", "¥79.00", "2024-04-25", "已支付"]]
    colors = {(r, 3): (s.theme.danger if row[3] == "逾期" else s.theme.success) for r, row in enumerate(rows)}
    y = s.table(60, p + 10, [("账期", 280), ("金额", 280), ("到期日", 300), ("状态", 300)], rows,
                row_h=52, size=15, colors=colors)
    s.text(60, y + 10, "逾期账单每日加收 0.05% 滞纳金。", 12, color=s.theme.muted)
    s.button(1220, y + 40, "立即缴费", align="right")
    return s.done()


@_case("zh-bill-05", "zh", "bill", "最后实际要付多少？",
       ("199.00", "199元"))
def _zh_bill_05():
    s = Screen(720, 480, DARK)
    s.topbar("青木健身", ("课程", "订单"))
    p = s.panel(40, 80, 640, 360, "年卡续费")
    y = s.kv(60, p, [("原价", "¥249.00"), ("老会员优惠", "-¥50.00"), ("应付金额", "¥199.00")], key_w=180, size=16,
             gap=16, value_colors={2: s.theme.warning})
    s.text(60, y + 4, "有效期至 2025-09-30", 13, color=s.theme.muted)
    s.button(60, y + 50, "确认支付 ¥199.00", "primary", height=44)
    return s.done()


# ====================================================================== 中文：订单状态


@_case("zh-ord-01", "zh", "order_status", "我的快递到哪了",
       ("运输中",), ("云鹊物流", "云鹊"))
def _zh_ord_01():
    s = Screen(1024, 640)
    s.topbar("云帆商城", ("首页", "我的订单", "客服"), "李女士")
    p = s.panel(40, 84, 944, 340, "订单号 2024061888213")
    s.text(60, p, "下单时间 2024-06-18 20:14 · 共 2 件 · ¥156.00", 14, color=s.theme.muted)
    s.steps(140, p + 50, 700, ["已下单", "已发货", "运输中", "派送中", "已签收"], 2, size=14)
    s.kv(60, p + 150, [("承运商", "云鹊物流"), ("运单号", "YQ3920018842"), ("最新动态", "已到达【杭州转运中心】")],
         key_w=130)
    q = s.panel(40, 446, 944, 160, "温馨提示")
    s.text(60, q, "物流信息更新可能有延迟，如超过 3 天未更新请联系客服。", 14, color=s.theme.muted)
    return s.done()


@_case("zh-ord-02", "zh", "order_status", "我的订单怎么没了",
       ("已取消", "取消"), ("超时未支付", "未支付"))
def _zh_ord_02():
    s = Screen(800, 600, DARK)
    s.topbar("优品小铺", ("我的订单",), "用户 88213")
    p = s.panel(40, 80, 720, 480, "订单 7781334512")
    s.badge(60, p, "已取消", s.theme.danger, size=13, solid=False)
    s.text(60, p + 44, "取消原因：超时未支付（下单后 30 分钟内未付款）", 16)
    s.table(60, p + 100, [("商品", 420), ("金额", 260)],
            [["陶瓷马克杯 ×2", "¥58.00"], ["杯垫 ×4", "¥16.00"]], right=(1,))
    s.button(60, p + 230, "重新购买")
    s.button(190, p + 230, "联系客服", "secondary")
    return s.done()


@_case("zh-ord-03", "zh", "order_status", "音箱什么时候能发货？",
       ("待发货",), ("6月28日",))
def _zh_ord_03():
    s = Screen(1280, 800)
    top = s.topbar("云帆商城", ("首页", "我的订单", "收藏"), "张同学")
    p = s.panel(40, top + 30, 1200, 660, "我的订单")
    y = p + 10
    orders = [("蓝牙音箱 Mini", "订单号 6620018841", "待发货", "预计 6月28日 发货", s.theme.warning),
              ("机械键盘", "订单号 6620017732", "运输中", "云鹊物流 YQ2210093", s.theme.accent),
              ("鼠标垫", "订单号 6620015590", "已完成", "6月12日 已签收", s.theme.success),
              ("手机支架", "订单号 6620011203", "已完成", "6月3日 已签收", s.theme.success)]
    for name, number, status, note, color in orders:
        s.box(60, y, 1160, 120, outline=s.theme.border, radius=8)
        s.box(80, y + 20, 80, 80, fill=(229, 231, 235), radius=6)
        s.text(184, y + 24, name, 17, bold=True)
        s.text(184, y + 56, number, 14, color=s.theme.muted)
        s.text(700, y + 24, status, 16, bold=True, color=color)
        s.text(700, y + 56, note, 14)
        s.button(1200, y + 38, "查看详情", "secondary", align="right")
        y += 140
    return s.done()


@_case("zh-ord-04", "zh", "order_status", "这是怎么回事",
       ("派送失败",), ("电话无法接通", "无法接通"))
def _zh_ord_04():
    s = Screen(480, 360)
    s.topbar("云鹊物流", h=48, color=(2, 132, 199))
    s.text(24, 66, "运单号 YQ3920018842", 14, color=s.theme.muted)
    s.icon(24, 98, "warning", 28)
    s.text(62, 98, "派送失败", 20, bold=True)
    s.wrap(24, 146, "收件人电话无法接通，包裹已退回东城网点，将于明天再次派送。", 430, 15)
    s.button(24, 250, "修改派送时间", height=40)
    s.button(170, 250, "到网点自取", "secondary", height=40)
    return s.done()


@_case("zh-ord-05", "zh", "order_status", "钱退了吗",
       ("退款成功", "已退款"), ("239.00", "239元"))
def _zh_ord_05():
    s = Screen(900, 600, WARM)
    s.topbar("优品小铺", ("我的订单", "售后"), "账号")
    p = s.panel(40, 84, 820, 470, "退款详情")
    s.steps(140, p + 10, 620, ["提交申请", "商家同意", "退货签收", "退款成功"], 3, size=14)
    s.box(60, p + 110, 780, 74, fill=(236, 253, 243), radius=8)
    s.icon(80, p + 132, "ok", 28)
    s.text(124, p + 122, "退款成功 ¥239.00", 18, bold=True, color=s.theme.success)
    s.text(124, p + 152, "已原路退回至储蓄卡（尾号 6621）", 14)
    s.kv(60, p + 220, [("退款编号", "RF88120734"), ("商品", "羊毛围巾 灰色"), ("实付金额", "¥259.00")],
         key_w=140, size=14)
    s.text(60, p + 340, "退回银行卡一般需要 1-3 个工作日到账。", 12, color=s.theme.muted)
    return s.done()


# ====================================================================== 中文：设置


@_case("zh-set-01", "zh", "settings", "为什么我收不到短信提醒",
       ("短信通知", "短信"), ("关闭", "已关闭", "未开启"))
def _zh_set_01():
    s = Screen(1024, 700)
    top = s.topbar("云帆商城", ("首页", "我的订单"), "账号设置")
    s.sidebar(top, 220, ("个人资料", "收货地址", "消息通知", "隐私"), 2)
    p = s.panel(250, top + 24, 730, 560, "消息通知")
    y = s.setting(270, p + 6, 690, "邮件通知", True, "订单状态和电子发票", state="开启")
    y = s.setting(270, y, 690, "短信通知", False, "发货和派送提醒", state="已关闭")
    y = s.setting(270, y, 690, "App 推送", True, "本设备", state="开启")
    y = s.setting(270, y, 690, "促销活动", False, "每周精选优惠", state="关闭")
    s.button(270, y + 10, "保存设置")
    return s.done()


@_case("zh-set-02", "zh", "settings", "为什么改不了手机号？",
       ("实名认证",))
def _zh_set_02():
    s = Screen(1280, 800, DARK)
    top = s.topbar("星桥云盘", ("文件", "会员", "设置"), "陈一鸣")
    s.sidebar(top, 240, ("基本资料", "账号安全", "设备管理", "登录记录"), 1)
    p = s.panel(270, top + 24, 960, 300, "账号安全")
    s.kv(290, p, [("绑定手机", "138****6672"), ("实名认证", "未认证"), ("登录密码", "已设置")], key_w=160,
         value_colors={1: s.theme.warning})
    s.button(290, p + 130, "修改手机号", "disabled")
    s.text(420, p + 140, "完成实名认证后才能修改绑定手机号", 12, color=s.theme.muted)
    q = s.panel(270, top + 350, 960, 200, "登录保护")
    s.setting(290, q + 6, 920, "异地登录提醒", True, "在新设备登录时短信提醒", state="开启")
    return s.done()


@_case("zh-set-03", "zh", "settings", "导出数据的按钮是灰的，点不了",
       ("18小时", "18 小时"), ("24小时", "24 小时", "一次"))
def _zh_set_03():
    s = Screen(640, 480)
    s.topbar("青木会员", ("设置",), h=50)
    p = s.panel(30, 74, 580, 380, "隐私与数据")
    y = s.setting(50, p + 6, 540, "隐藏我的主页", True, state="开启")
    y = s.setting(50, y, 540, "公开我的评价", False, state="关闭")
    s.text(50, y + 4, "导出我的数据", 16, bold=True)
    s.text(50, y + 34, "包含订单、评价和消息记录的压缩包。", 14, color=s.theme.muted)
    s.button(50, y + 66, "导出数据", "disabled")
    s.text(50, y + 114, "24小时内只能导出一次，请于 18 小时后再试。", 13, color=s.theme.muted)
    return s.done()


@_case("zh-set-04", "zh", "settings", "到期后还会自动扣钱吗？",
       ("自动续费",), ("12月31日", "2024-12-31"))
def _zh_set_04():
    s = Screen(960, 640)
    s.topbar("青木视频", ("首页", "会员中心", "设置"))
    p = s.panel(40, 84, 560, 300, "会员设置")
    s.text(60, p, "超级会员 · 年卡", 20, bold=True)
    s.text(60, p + 34, "¥218.00 / 年", 14, color=s.theme.muted)
    s.setting(60, p + 80, 520, "自动续费", False, "会员将于 2024年12月31日 到期", state="已关闭")
    s.button(60, p + 170, "开启自动续费")
    q = s.panel(630, 84, 290, 300, "会员权益")
    for i, item in enumerate(["免广告", "4K 画质", "多设备登录", "抢先看"]):
        s.text(650, q + i * 36, "· " + item, 14)
    return s.done()


@_case("zh-set-05", "zh", "settings", "怎么创建 API 密钥，按钮点不了",
       ("企业版",))
def _zh_set_05():
    s = Screen(800, 520, DARK)
    s.topbar("星桥开放平台", ("开发者",), "基础版")
    p = s.panel(30, 76, 740, 410, "API 访问")
    s.wrap(50, p, "通过 API 读取订单、商品和库存数据。", 680, 14, color=s.theme.muted)
    s.setting(50, p + 40, 700, "启用 API 访问", False, state="关闭", disabled=True)
    s.button(50, p + 100, "创建密钥", "disabled")
    s.box(50, p + 170, 700, 70, outline=s.theme.border, radius=8)
    s.text(70, p + 184, "API 访问为企业版专属功能。", 15)
    s.text(70, p + 210, "请升级到企业版后再创建密钥。", 13, color=s.theme.muted)
    s.button(50, p + 270, "查看套餐")
    return s.done()


# ====================================================================== 中文：表单错误


@_case("zh-form-01", "zh", "form_errors", "为什么提交不了？",
       ("手机号",), ("11位", "11 位", "十一位"))
def _zh_form_01():
    s = Screen(800, 600, WARM)
    s.topbar("优品小铺", ("购物车", "填写地址", "付款"))
    p = s.panel(40, 80, 720, 490, "新增收货地址")
    y = s.field(60, p, 330, "收货人", "刘晓雨")
    s.field(410, p, 330, "手机号码", "1391234567", error="请输入11位手机号码")
    y = s.field(60, y, 330, "所在地区", "浙江省 杭州市 西湖区")
    y = s.field(60, y, 680, "详细地址", "文三路 90 号 3 幢 502 室")
    s.button(740, y + 10, "保存并使用", align="right")
    return s.done()


@_case("zh-form-02", "zh", "form_errors", "注册不了怎么办",
       ("已被占用", "被占用"), ("8位", "8 位", "至少8"))
def _zh_form_02():
    s = Screen(1024, 700, DARK)
    s.text(512, 60, "注册星桥账号", 26, bold=True, anchor="ma")
    s.text(512, 104, "注册即送 10GB 免费空间", 14, color=s.theme.muted, anchor="ma")
    p = s.panel(292, 140, 440, 500)
    y = s.field(316, p + 6, 392, "用户名", "xiaoyu", error="该用户名已被占用")
    y = s.field(316, y, 392, "密码", "••••••", error="密码至少8位，需包含字母和数字")
    y = s.field(316, y, 392, "确认密码", "••••••")
    s.button(316, y + 6, "注册", height=42, pad_x=40)
    s.text(316, y + 70, "已有账号？立即登录", 13, color=s.theme.muted)
    return s.done()


@_case("zh-form-03", "zh", "form_errors", "开发票这里报错了",
       ("纳税人识别号", "税号"), ("15-20位", "15到20位", "15至20位", "15～20位"))
def _zh_form_03():
    s = Screen(560, 760)
    s.topbar("优品小铺", ("申请开票",), h=52)
    p = s.panel(24, 76, 512, 640, "开具发票")
    s.text(44, p, "开票金额：¥356.00", 16, bold=True)
    y = s.field(44, p + 40, 472, "发票类型", "增值税普通发票")
    y = s.field(44, y, 472, "发票抬头", "上海青禾文化有限公司")
    y = s.field(44, y, 472, "纳税人识别号", "91310115MA1H", error="纳税人识别号应为15-20位")
    y = s.field(44, y, 472, "接收邮箱", "fin@qinghe.example")
    s.button(44, y + 20, "提交申请", height=44, pad_x=180)
    return s.done()


@_case("zh-form-04", "zh", "form_errors", "表单哪里填错了？",
       ("退货原因",), ("5MB", "5 MB"))
def _zh_form_04():
    s = Screen(1280, 720)
    s.topbar("云帆商城", ("我的订单", "售后服务"))
    p = s.panel(60, 84, 760, 600, "申请退货")
    s.box(80, p, 720, 66, fill=(254, 242, 242), outline=s.theme.danger, radius=6)
    s.text(100, p + 10, "有 2 项需要修改", 15, bold=True, color=s.theme.danger)
    s.text(100, p + 36, "请修改标红的内容后重新提交。", 13)
    y = s.field(80, p + 86, 340, "退货原因", placeholder="请选择", error="请选择退货原因")
    s.field(460, p + 86, 340, "退款金额", "¥129.00")
    y = s.field(80, y, 720, "问题描述", "收到的保温杯有划痕")
    y = s.field(80, y, 720, "上传凭证", "IMG_2041.jpg（8.6MB）", error="图片不能超过 5MB")
    s.button(80, y + 4, "提交申请")
    q = s.panel(850, 84, 370, 260, "售后说明")
    s.wrap(870, q, "签收后 7 天内可申请无理由退货，退货运费由买家承担。", 330, 14, color=s.theme.muted)
    return s.done()


# ---------------------------------------------------------------------------------- --check


def _normalise(text: str, lang: str) -> str:
    text = text.lower()
    return re.sub(r"\s+", "", text) if lang == "zh" else re.sub(r"\s+", " ", text)


def found_groups(case: QualityCase, text: str) -> list[bool]:
    """For each fact group of `case`: whether any of its spellings occurs in `text`."""
    haystack = _normalise(text, case.lang)
    return [any(_normalise(spelling, case.lang) in haystack for spelling in group) for group in case.facts]


def _check(save: str | None) -> int:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from inference.ocr import read_text

    if save:
        Path(save).mkdir(parents=True, exist_ok=True)
    totals: dict[str, list[int]] = {}
    for case in CASES:
        img = render(case)
        if save:
            img.save(Path(save) / f"{case.id}.png")
        found = found_groups(case, read_text(img))
        marks = "  ".join(f"{'ok ' if hit else 'MISS'} {group[0]}" for group, hit in zip(case.facts, found))
        print(f"{case.id:<11} {img.width}x{img.height:<4} {marks}")
        tally = totals.setdefault(case.lang, [0, 0])
        tally[0] += sum(found)
        tally[1] += len(found)
    hit = sum(t[0] for t in totals.values())
    total = sum(t[1] for t in totals.values())
    parts = [f"{lang} {t[0]}/{t[1]} ({t[0] / t[1]:.0%})" for lang, t in sorted(totals.items())]
    print(f"OCR reads {hit}/{total} fact groups ({hit / total:.0%}): " + ", ".join(parts))
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="OCR every case and report which facts it reads")
    parser.add_argument("--save", metavar="DIR", help="write each screenshot as DIR/<id>.png")
    args = parser.parse_args(argv)
    if args.check:
        return _check(args.save)
    if args.save:
        from pathlib import Path

        Path(args.save).mkdir(parents=True, exist_ok=True)
        for case in CASES:
            render(case).save(Path(args.save) / f"{case.id}.png")
        return 0
    counts = {}
    for case in CASES:
        counts[(case.lang, case.kind)] = counts.get((case.lang, case.kind), 0) + 1
    print(f"{len(CASES)} cases: " + ", ".join(f"{lang}/{kind} {n}" for (lang, kind), n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

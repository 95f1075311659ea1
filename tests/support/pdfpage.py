"""A ``Disclosure``'s title and one table printed as a ruled PDF page, and that page as a scan.

    text_pdf(doc, table_number, path)   the title block and the table with ruling lines (reportlab,
                                        WenQuanYi Micro Hei embedded): a PDF with a text layer
    scan_pdf(text_pdf_path, path, dpi)  the same page rasterised (poppler's pdftoppm, greyscale)
                                        and wrapped in a PDF that holds only the image: no text layer

Both are deterministic: the same disclosure gives the same page.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from support.docmodel import Disclosure
from support.tables import disclosure_tables

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian's fonts-wqy-microhei (.ci/run)


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not FONT.exists():
        raise AssertionError(f"{FONT} is missing: install Debian's fonts-wqy-microhei (.ci/run does)")
    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", str(FONT), subfontIndex=0))
    return "wqy"


def text_pdf(doc: Disclosure, table_number: int, path: Path, unit: str = "万元") -> Path:
    """The title block and table ``table_number`` of ``doc`` on one A4 landscape page, cells ruled."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    table = next(t for t in disclosure_tables(doc, unit) if t.number == table_number)
    font = _font()
    width, height = landscape(A4)
    c = Canvas(str(path), pagesize=(width, height), invariant=1)  # invariant: no dates or ids, same bytes
    c.setFont(font, 16)
    c.drawCentredString(width / 2, height - 50, f"{doc.unit}{doc.year}年单位预算")
    c.setFont(font, 13)
    c.drawCentredString(width / 2, height - 78, table.title)
    c.setFont(font, 10)
    c.drawString(40, height - 100, f"表{table.number}")
    c.drawRightString(width - 40, height - 100, f"单位：{unit}")
    ncols = len(table.rows[0])
    name_width = 220
    code_width = 70 if table.coded else 0
    rest = (width - 80 - name_width - code_width) / (ncols - (2 if table.coded else 1))
    widths = ([code_width] if table.coded else []) + [name_width] + [rest] * (ncols - (2 if table.coded else 1))
    xs = [40.0]
    for w in widths:
        xs.append(xs[-1] + w)
    row_h = 22
    top = height - 110
    c.setLineWidth(0.8)
    head, body = list(table.head), list(table.rows)
    for r, row in enumerate(head):  # header cells centred over the columns and rows they cover
        for i, cell in enumerate(row):
            if not cell:
                continue
            right = i + 1
            while right < ncols and not row[right] and r + 1 < len(head) and head[r + 1][right]:
                right += 1
            down = r + 1
            while down < len(head) and not head[down][i]:
                down += 1
            x0, x1, y0, y1 = xs[i], xs[right], top - r * row_h, top - down * row_h
            c.drawCentredString((x0 + x1) / 2, (y0 + y1) / 2 - 4, cell)
            c.line(x0, y1, x1, y1)
            for x in (x0, x1):
                c.line(x, y0, x, y1)
    c.line(xs[0], top, xs[-1], top)
    first = top - len(head) * row_h
    for r, row in enumerate(body):
        y = first - r * row_h
        c.line(xs[0], y - row_h, xs[-1], y - row_h)
        for x in xs:
            c.line(x, y, x, y - row_h)
        for i, cell in enumerate(row):
            if not cell:
                continue
            if any(ch.isdigit() for ch in cell) and not (table.coded and i == 0):
                c.drawRightString(xs[i + 1] - 4, y - 15, cell)
            else:
                c.drawString(xs[i] + 4, y - 15, cell)
    c.showPage()
    c.save()
    return path


def scan_pdf(source: Path, path: Path, dpi: int = 300, copies: int = 1) -> Path:
    """``source``'s pages as greyscale images in a PDF with no text layer (what a scanner makes), ``copies`` times."""
    from PIL import Image

    exe = shutil.which("pdftoppm")
    if exe is None:
        raise AssertionError("pdftoppm is missing: install Debian's poppler-utils (.ci/run does)")
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([exe, "-r", str(dpi), "-gray", "-png", str(source), f"{d}/page"], check=True)
        pages = [Image.open(p) for p in sorted(Path(d).glob("page*.png"))] * copies
        pages[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return path

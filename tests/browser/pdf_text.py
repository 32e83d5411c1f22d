"""Reading back the text and page size of a PDF that Chromium printed, with the standard
library only (no PDF library is among the dependencies).

Chromium (Skia) writes each font as a Type0 font with Identity-H encoding and a ToUnicode
map, and its page content as Flate-compressed streams that select a font (`/F4 12 Tf`) and
show two-byte glyph codes (`<0024> Tj`, `[<00240025> -3 <0026>] TJ`). That is all this
reads: enough to check what a printed page says, not a general PDF parser."""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in _OBJ.findall(pdf)}


def _stream(body: bytes) -> bytes:
    found = _STREAM.search(body)
    if not found:
        return b""
    data = found.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[: found.start()] else data


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode map: glyph code -> text (bfchar pairs and bfrange runs)."""
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + k)
    return out


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of every page (A4 is about 595 x 842)."""
    return [
        (float(x1) - float(x0), float(y1) - float(y0))
        for x0, y0, x1, y1 in re.findall(
            rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf
        )
    ]


def text(pdf: bytes) -> str:
    """The text shown on every page, a line per text object, in page order."""
    objs = _objects(pdf)
    maps = {}
    for num, body in objs.items():
        to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if b"/Type /Font" in body and to_unicode:
            maps[num] = _cmap(_stream(objs[int(to_unicode.group(1))]))
    lines: list[str] = []
    for body in objs.values():
        if not re.search(rb"/Type\s*/Page\b(?!s)", body):
            continue
        fonts = {
            name: maps.get(int(ref), {}) for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body)
        }
        contents = re.search(rb"/Contents\s+(\d+) 0 R", body)
        if contents:
            lines += _show(_stream(objs[int(contents.group(1))]), fonts)
    return "\n".join(lines)


def _show(content: bytes, fonts: dict[bytes, dict[int, str]]) -> list[str]:
    lines, current = [], {}
    for block in re.findall(rb"BT(.*?)ET", content, re.S):
        words = []
        for font, shown in re.findall(
            rb"/(F\d+)\s+[\d.]+\s+Tf|(\[.*?\]\s*TJ|<[0-9A-Fa-f]*>\s*Tj)", block, re.S
        ):
            if font:
                current = fonts.get(font, {})
                continue
            for hexed in re.findall(rb"<([0-9A-Fa-f]*)>", shown):
                codes = bytes.fromhex(hexed.decode())
                words.append(
                    "".join(
                        current.get(int.from_bytes(codes[i : i + 2], "big"), "")
                        for i in range(0, len(codes), 2)
                    )
                )
        lines.append("".join(words))
    return lines

"""The map's default view as a picture, offline: SVG written here, PNG drawn with Pillow.

The same picture as the page opens with (frozen server layout, most central actors labelled,
ties between vicinity networks aggregated, proposals dashed), plus the title and a legend.
Pillow rather than headless Chromium: a planner's machine or a server needs no browser, the
output is the same bytes for the same map, and it takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from graphsvc.maps.build import NetworkMap
from graphsvc.maps.page import page_data
from graphsvc.maps.style import EDGE_STYLES, PROPOSED_COLOUR

MARGIN = 60
LEGEND_WIDTH = 260
TITLE_HEIGHT = 70


@dataclass(frozen=True)
class Shape:
    kind: str  # line, circle, square, triangle, text
    points: tuple[float, ...]
    colour: str
    width: float = 1.0
    dashed: bool = False
    text: str = ""
    border: str = ""


def _colour(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return value.get("background", "#888888"), value.get("border", "#555555")
    return str(value), "#555555"


def shapes(network_map: NetworkMap) -> tuple[float, float, list[Shape]]:
    """Width, height and the shapes of the picture, in drawing order."""
    data = page_data(network_map)
    drawn_nodes = data["nodes"] + data["proposedNodes"]
    if drawn_nodes:
        xs = [n["x"] for n in drawn_nodes]
        ys = [n["y"] for n in drawn_nodes]
        min_x, min_y = min(xs) - MARGIN, min(ys) - MARGIN
        width, height = max(xs) + MARGIN - min_x, max(ys) + MARGIN - min_y
    else:
        min_x = min_y = 0.0
        width = height = 400.0
    at = {n["id"]: (n["x"] - min_x, n["y"] - min_y + TITLE_HEIGHT) for n in drawn_nodes}
    out = [Shape("text", (16, 34), "#222222", 26, text=network_map.title)]
    summary = network_map.summary
    figures = (
        f"{summary.get('actors', 0)} actors · {summary.get('ties', 0)} ties · density "
        f"{summary.get('density', 0):.3f} · {summary.get('communities', 0)} communities"
    )
    out.append(Shape("text", (16, 58), "#444444", 15, text=figures))
    for e in data["edges"] + data["aggregates"] + data["proposedEdges"]:
        if e.get("hidden") or e["from"] not in at or e["to"] not in at:
            continue
        (x1, y1), (x2, y2) = at[e["from"]], at[e["to"]]
        colour = e.get("color") or EDGE_STYLES.get(e["kind"], {}).get("color", "#888888")
        out.append(
            Shape(
                "line",
                (x1, y1, x2, y2),
                str(colour),
                float(e.get("width", 1)),
                dashed=bool(e.get("dashes")),
            )
        )
    for n in drawn_nodes:
        x, y = at[n["id"]]
        fill, border = _colour(n["color"])
        kind = {"square": "square", "triangle": "triangle"}.get(n["shape"], "circle")
        r = float(n.get("size", 10))
        out.append(
            Shape(kind, (x, y, r), fill, border=border, dashed=n["kind"] == "proposed_actor")
        )
    for n in drawn_nodes:
        if n.get("label"):
            x, y = at[n["id"]]
            size = float((n.get("font") or {}).get("size", 14))
            out.append(
                Shape(
                    "text",
                    (x, y + float(n.get("size", 10)) + size),
                    "#222222",
                    size,
                    text=n["label"],
                    border="middle",
                )
            )
    legend_x = width + 10
    y = TITLE_HEIGHT + 10
    out.append(Shape("text", (legend_x, y), "#222222", 16, text="Line of care"))
    for line, colour in network_map.legend.get("lines", []):
        y += 22
        out.append(Shape("circle", (legend_x + 8, y - 5, 7), colour, border=colour))
        out.append(Shape("text", (legend_x + 24, y), "#222222", 14, text=line))
    y += 34
    out.append(Shape("text", (legend_x, y), "#222222", 16, text="Ties"))
    for label, colour, dashed in (
        ("collaboration", EDGE_STYLES["collaboration"]["color"], False),
        ("share patients", EDGE_STYLES["patients"]["color"], True),
        ("between vicinity networks", EDGE_STYLES["aggregate"]["color"], False),
        ("proposed at a workshop", PROPOSED_COLOUR, True),
    ):
        y += 22
        out.append(Shape("line", (legend_x, y - 5, legend_x + 26, y - 5), colour, 3, dashed))
        out.append(Shape("text", (legend_x + 34, y), "#222222", 14, text=label))
    return width + LEGEND_WIDTH, max(height + TITLE_HEIGHT, y + 20), out


def to_svg(network_map: NetworkMap) -> str:
    """The picture as SVG text."""
    width, height, drawn = shapes(network_map)
    return "\n".join(_svg(width, height, drawn, network_map.title)) + "\n"


def _svg(width: float, height: float, drawn: list[Shape], title: str) -> Iterator[str]:
    yield (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, sans-serif">'
    )
    yield f"<title>{escape(title)}</title>"
    yield f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>'
    for s in drawn:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        if s.kind == "line":
            x1, y1, x2, y2 = s.points
            yield (
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke={quoteattr(s.colour)} stroke-width="{s.width:g}"{dash}/>'
            )
        elif s.kind == "circle":
            x, y, r = s.points
            yield (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:g}" fill={quoteattr(s.colour)} '
                f"stroke={quoteattr(s.border or s.colour)}{dash}/>"
            )
        elif s.kind == "square":
            x, y, r = s.points
            yield (
                f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:g}" height="{2 * r:g}" '
                f"fill={quoteattr(s.colour)}/>"
            )
        elif s.kind == "triangle":
            x, y, r = s.points
            points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}"
            yield f'<polygon points="{points}" fill={quoteattr(s.colour)}/>'
        else:
            x, y = s.points
            anchor = ' text-anchor="middle"' if s.border == "middle" else ""
            yield (
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="{s.width:g}"{anchor} '
                f'fill={quoteattr(s.colour)} stroke="#ffffff" stroke-width="3" '
                f'paint-order="stroke">{escape(s.text)}</text>'
            )
    yield "</svg>"


def to_png(network_map: NetworkMap) -> bytes:
    """The picture as PNG bytes (Pillow)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    width, height, drawn = shapes(network_map)
    image = Image.new("RGB", (int(width), int(height)), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[int, Any] = {}

    def font(size: float) -> Any:
        key = round(size)
        if key not in fonts:
            try:
                fonts[key] = ImageFont.truetype("DejaVuSans.ttf", key)
            except OSError:
                fonts[key] = ImageFont.load_default(key)
        return fonts[key]

    for s in drawn:
        if s.kind == "line":
            draw.line(s.points, fill=s.colour, width=max(1, round(s.width)))
        elif s.kind in ("circle", "square"):
            x, y, r = s.points
            box = (x - r, y - r, x + r, y + r)
            if s.kind == "circle":
                draw.ellipse(box, fill=s.colour, outline=s.border or s.colour, width=2)
            else:
                draw.rectangle(box, fill=s.colour)
        elif s.kind == "triangle":
            x, y, r = s.points
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=s.colour)
        else:
            x, y = s.points
            anchor = "ms" if s.border == "middle" else "ls"
            draw.text(
                (x, y),
                s.text,
                fill=s.colour,
                font=font(s.width),
                anchor=anchor,
                stroke_width=2,
                stroke_fill="#ffffff",
            )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

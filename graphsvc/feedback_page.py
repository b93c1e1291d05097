"""Team feedback as a printable one-page HTML report (charts drawn here as inline SVG, no
script, no outside resource) and as CSV. Only the figures `TeamFeedback` carries are
rendered: a suppressed cell has no value to show, so it cannot leak (it reads `< k`)."""

from __future__ import annotations

import csv
import io
from html import escape

from graphsvc.core.feedback import Indicator, TeamFeedback
from graphsvc.security.inputs import formula_safe

CSV_COLUMNS = ("indicator", "label", "team", "pilot_average", "teams_averaged", "patient_based")
BAR_WIDTH = 260


def shown(value: float | None, suppressed: bool, k: int) -> str:
    """A figure as text: `< k` when suppressed, `n/a` when unknown."""
    if suppressed:
        return f"< {k}"
    if value is None:
        return "n/a"
    return f"{round(value, 2):g}"


def feedback_csv(feedback: TeamFeedback) -> str:
    """One row per indicator; suppressed cells read `< k`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in feedback.indicators:
        writer.writerow([
            i.code, formula_safe(i.label), shown(i.value, i.suppressed, feedback.k),
            shown(i.pilot_average, i.pilot_suppressed, feedback.k), i.teams_averaged,
            "yes" if i.patient_based else "no",
        ])  # fmt: skip
    return buffer.getvalue()


def _chart(indicator: Indicator, k: int) -> str:
    """Two bars (team, pilot average) on the indicator's own scale."""
    values = [v for v in (indicator.value, indicator.pilot_average) if v is not None]
    top = max(values) if values and max(values) > 0 else 1.0
    rows = []
    for y, (label, value, hidden, colour) in enumerate((
        ("team", indicator.value, indicator.suppressed, "#1f5f8b"),
        ("pilot", indicator.pilot_average, indicator.pilot_suppressed, "#9bb7cc"),
    )):  # fmt: skip
        top_y = 4 + y * 22
        rows.append(f'<text x="0" y="{top_y + 13}" class="l">{label}</text>')
        if value is None:
            text = shown(value, hidden, k)
            rows.append(f'<rect x="48" y="{top_y}" width="{BAR_WIDTH}" height="16" '
                        'class="hidden"/>'
                        f'<text x="{48 + BAR_WIDTH / 2}" y="{top_y + 12}" class="m">'
                        f"{escape(text)}</text>")  # fmt: skip
            continue
        width = max(1.0, BAR_WIDTH * value / top)
        rows.append(f'<rect x="48" y="{top_y}" width="{width:.1f}" height="16" '
                    f'fill="{colour}"/><text x="{52 + width:.1f}" y="{top_y + 12}" class="v">'
                    f"{escape(shown(value, False, k))}</text>")  # fmt: skip
    return (f'<svg width="{BAR_WIDTH + 100}" height="48" role="img" '
            f'aria-label="{escape(indicator.label)}">{"".join(rows)}</svg>')  # fmt: skip


STYLE = """
@page { size: A4; margin: 14mm; }
body { font: 11pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 180mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; } p.meta { margin: 0 0 4mm; color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 1.5mm 2mm; text-align: left;
         vertical-align: middle; }
td.n { text-align: right; white-space: nowrap; }
svg text { font-size: 9pt; } svg text.l { fill: #555; } svg text.m { text-anchor: middle;
  fill: #555; } svg rect.hidden { fill: #eee; stroke: #bbb; stroke-dasharray: 3 2; }
p.note { font-size: 9pt; color: #555; }
"""


def feedback_html(feedback: TeamFeedback) -> str:
    """The printable one-page report of a team's feedback (self-contained HTML)."""
    f, k = feedback, feedback.k
    rows = "".join(
        f'<tr><td>{escape(i.label)}</td><td class="n">{escape(shown(i.value, i.suppressed, k))}'
        f'</td><td class="n">{escape(shown(i.pilot_average, i.pilot_suppressed, k))}</td>'
        f"<td>{_chart(i, k)}</td></tr>"
        for i in f.indicators
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Team feedback: {escape(f.name)}</title><style>{STYLE}</style></head>
<body>
<h1>Team feedback: {escape(f.name)}</h1>
<p class="meta">{escape(f.team)} ({escape(f.kind or "team")}), works in {escape(f.zone)};
pilot {escape(f.pilot)}, {len(f.teams)} teams compared; {f.members} members.
Period {escape(f.start)} to {escape(f.end)}.</p>
<table><thead><tr><th>indicator</th><th>team</th><th>pilot average</th><th></th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="note">Figures resting on 1 to {k - 1} patients are not shown (<b>&lt; {k}</b>), nor
a pilot average that would give one away; the pilot average is the mean over its
{len(f.teams)} teams (for the median, the median of all their acceptances). Referrals count when
made in the period by a member or to a member's service; patients followed are those a member
is case manager of, or who had such a referral; open needs are needs no referral meets
today; collaboration density is the share of member pairs that collaborate.</p>
</body></html>
"""

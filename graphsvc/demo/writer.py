"""Write a seed's CSV files and render seeds/README.md from the same rows (so they never drift)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graphsvc.demo.builder import COLUMNS, Rows, Seed
from graphsvc.demo.check import COVERED, graph_counts
from graphsvc.demo.coplan import PlanResult, plan_section


@dataclass
class Result:
    """A built seed, its rows and its computed coverage."""

    seed: Seed
    rows: Rows
    statuses: dict[tuple[str, str], tuple[float, str]]
    plan: PlanResult | None = None  # co-creation data (issue 10), if the seed has some


def render_csv(table: str, rows: Sequence[dict[str, str]]) -> str:
    """One CSV file's text: header, then rows, `\\n` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS[table])
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS[table]])
    return buffer.getvalue()


def render_files(results: Sequence[Result]) -> dict[str, str]:
    """Every file to write, relative to the seeds folder: CSVs per seed and README.md."""
    files = {
        f"{r.seed.name}/{table}.csv": render_csv(table, rows)
        for r in results
        for table, rows in r.rows.items()
    }
    files["README.md"] = render_readme(results)
    return files


def write_files(out: Path, files: dict[str, str]) -> list[Path]:
    """Write files under out (creating folders); return the paths written."""
    written = []
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        written.append(path)
    return written


def counts_table(result: Result) -> str:
    """The machine-readable counts block of one seed."""
    lines = [f"<!-- counts:{result.seed.name} -->", "| item | count |", "|---|---|"]
    lines += [f"| {item} | {count} |" for item, count in graph_counts(result.rows).items()]
    lines.append("<!-- /counts -->")
    return "\n".join(lines)


def gaps_table(result: Result) -> str:
    """The machine-readable block of every non-COVERED cell, with its computed status."""
    lines = [
        f"<!-- gaps:{result.seed.name} -->",
        "| zone | need | status | why |",
        "|---|---|---|---|",
    ]
    for (zone, need), (ratio, status) in sorted(result.statuses.items()):
        if status == COVERED:
            continue
        why = result.seed.intended[(zone, need)].why
        lines.append(f"| {zone} | {need} | {status} | A = {ratio:.2f}: {why} |")
    lines.append("<!-- /gaps -->")
    return "\n".join(lines)


def special_services(result: Result) -> str:
    """Bullet list of the paused, closed and full services."""
    lines = []
    for row in result.rows["services"]:
        if row["status"] != "active":
            what = row["status"]
        elif row["available"] == "0":
            what = "full (active, available 0)"
        else:
            continue
        lines.append(
            f"- `{row['id']}`: {what}; {row['type']}, capacity {row['capacity']}, "
            f"available {row['available']}, covers {row['covers']}"
        )
    return "\n".join(lines)


def fragmented_table(result: Result) -> str:
    """Machine-readable list of the co-provider groups with no collaboration at all."""
    lines = [f"<!-- fragmented:{result.seed.name} -->", "| zone | service type | providers |",
             "|---|---|---|"]  # fmt: skip
    groups = result.seed.co_provider_groups()
    for zone, service_type in result.seed.fragmented_groups():
        lines.append(f"| {zone} | {service_type} | {len(groups[(zone, service_type)])} |")
    lines.append("<!-- /fragmented -->")
    return "\n".join(lines)


def patients_table(result: Result) -> str:
    """Table of the seed's patients: pseudonym, zone, needs, case manager."""
    needs: dict[str, list[str]] = {}
    for row in result.rows["patient_needs"]:
        needs.setdefault(row["patient"], []).append(f"{row['need']} (since {row['since']})")
    lines = ["| pseudonym | zone | needs | case manager |", "|---|---|---|---|"]
    for row in result.rows["patients"]:
        lines.append(
            f"| `{row['id']}` | {row['zone']} | {'; '.join(needs[row['id']])} "
            f"| {row['case_manager']} |"
        )
    return "\n".join(lines)


def _seed_section(result: Result, title: str, blurb: str) -> str:
    rows = result.rows
    covered = sum(1 for _, s in result.statuses.values() if s == COVERED)
    return f"""## {title}

{blurb}

Counts after loading this seed alone into an empty database (`Zone` etc. are node labels, the
upper-case names relationship types; `HAS_NEED` = {len(rows["zone_needs"])} zone needs +
{len(rows["patient_needs"])} patient needs):

{counts_table(result)}

Coverage (DESIGN §4 catchment ratio, target 1.0, overlap 1.5): {len(result.statuses)} cells
(vicinity network x need), {covered} COVERED; every other cell is deliberate:

{gaps_table(result)}

Overlaps: wherever several actors offer one service type in one vicinity network, at least
two of them collaborate, except in these deliberately fragmented groups (behind the OVER
cells above):

{fragmented_table(result)}

Services that must not be offered or do not count:

{special_services(result)}

Patients (pseudonyms; each has a case manager in their vicinity network):

{patients_table(result)}
{_plan(result)}"""


def _plan(result: Result) -> str:
    if result.plan is None:
        return ""
    return "\n" + plan_section(result.seed.name, result.plan)


TEMPLATE = """# Demo seeds

Two deterministic demo bundles for graphsvc, written by `python -m graphsvc.demo.generate`
(do not edit the files by hand: this README, its tables and every CSV are regenerated
byte-identically from `graphsvc/demo/`).

- `leuven/`: a Dutch-language pilot zone shaped like Zorgzaam Leuven.
- `namur/`: a French-language pilot zone shaped like Résinam (Namur), centred on case management
  for polyfragile patients (mental health and social insecurity).

Zone and neighbourhood names, coordinates and populations are realistic but approximate.
**All organisation and person names are invented** (only public bodies keep their generic
names: OCMW Leuven, CPAS de Namur); capacities and needs are demo estimates, not statistics.
Both seeds share the same service-type and need-type vocabulary and the same country zone
`be`, so they can be loaded into one database; every other id starts with the seed's name.

## Regenerate

```
python -m graphsvc.demo.generate            # rewrites seeds/ (same bytes every run)
python -m graphsvc.demo.generate --check    # exit 1 if seeds/ differs from the generator
python -m graphsvc.demo.generate --out DIR  # write elsewhere
```

The generator uses a fixed `random.Random` seed, sorts every file, writes `\\n` line
endings and no timestamps. Before writing it recomputes coverage with a pure-Python
reference (`graphsvc/demo/check.py`, `coverage_status`) and fails unless every cell has its
intended status.

## Format

A seed is a folder of UTF-8 CSV files, each with a header row, columns in exactly this order.
List-valued fields are separated by `|` (an empty string is an empty list); empty optional
fields are empty strings; numbers are plain (`123`, `50.8798`). Ids are lowercase slugs
(`[a-z0-9-]+`), unique per file; every reference resolves inside the same seed; rows are
sorted by their first columns.

{format_table}

Meanings the generator relies on:

- Capacity is people served at once, `available` free places now; demand (`people`) is people
  in need. A service covering the pilot zone (`leuven`, `namur`) covers all its vicinity
  networks. Services of a narrower type count for a need whose `met_by` names a broader type
  (e.g. `nursing` > `home-nursing` > `palliative-home-care`); never the other way round.
- Service `eligibility` lists who it is for (`chronic`, `65plus`, `low_income`,
  `mental_health`, `homeless`, `disability`, `caregiver`); empty means open to everyone.
  Patients' `eligibility` lists the tags they have.
- A closed service keeps its last capacity with all places given back (available = capacity);
  the paused one keeps some places free. Neither counts for coverage nor may be proposed.
- Patient ids are pseudonyms, never names:
  `hmac.new(b"graphsvc-demo-pseudonym-key", f"{{seed}}-patient-{{n:03d}}".encode(),
  hashlib.sha256).hexdigest()` for n = 1, 2, ... The key is public and for demo data only;
  real deployments use their own secret key.

{sections}"""


FORMAT: tuple[tuple[str, str], ...] = (
    ("zones", "level: country, region, province, arrondissement, primary_care_zone, "
     "pilot_zone, municipality, vicinity_network, statistical_sector, neighbourhood; "
     "`part_of` = parent zone (PART_OF)"),
    ("service_types", "`broader` = parent type (BROADER)"),
    ("need_types", "domain: medical, mental, social, functional; `met_by` = list of service "
     "types (MET_BY)"),
    ("actors", "kind: organisation, professional, team; line: first, second, social, "
     "community, coordination; `languages` a list; `zone` = LOCATED_IN"),
    ("networks", "kind: consortium, vicinity_network_team, multidisciplinary_team, "
     "care_pathway"),
    ("memberships", "MEMBER_OF {role}"),
    ("collaborations", "one directed COLLABORATES_WITH {kind, since} per row, each pair once "
     "with source < target; `since` = year"),
    ("services", "PROVIDES (from `actor`), OF_TYPE, COVERS (list of zones); "
     "0 <= available <= capacity; status: active, paused, closed"),
    ("zone_needs", "Zone HAS_NEED {people, year, source}, on vicinity networks only"),
    ("patients", "LIVES_IN `zone`, CASE_MANAGER_OF from the `case_manager` actor"),
    ("patient_needs", "Patient HAS_NEED {since} (ISO date)"),
    ("objectives", "optional; level: strategic, operational; FOR_ZONE `zone`; `parent` = the "
     "objective it REFINES (strategic ones have none, operational ones need one)"),
    ("actions", "optional; SERVES `objective`; status: idea, planned, running, done, dropped; "
     "ISO dates; TARGETS `needs` in FOR_ZONE `zones`"),
    ("action_commitments", "optional; Actor COMMITS_TO {role} action"),
    ("planned_services", "optional; to-be services an action PLANS: Service {status: planned, "
     "available: 0} with PROVIDES, OF_TYPE, COVERS; counted by the TO_BE gap scenario"),
    ("care_pathways", "optional; FOR_NEED `need` (its people are the demand), FOR_ZONE, RUN_BY "
     "`network`"),
    ("pathway_steps", "optional; HAS_STEP PathwayStep {step, name, day} with STEP_TYPE `type`; "
     "`day` = expected days after enrolment; steps numbered from 1"),
    ("enrolments", "optional; Patient ENROLLED_IN {since, completed} pathway; `completed` = "
     "the last step done (0 none)"),
    ("funding", "optional; Funding {scheme: flat_rate, fee_for_service, bundled, "
     "project_grant; amount in whole euros; period; source} FUNDS a `zone` or a `network`"),
    ("network_zones", "optional; Network WORKS_IN zone: the vicinity network a team works in"),
)  # fmt: skip


def format_table() -> str:
    """The table of files and columns of the bundle format."""
    lines = ["| file | columns | notes |", "|---|---|---|"]
    for table, notes in FORMAT:
        lines.append(f"| `{table}.csv` | `{','.join(COLUMNS[table])}` | {notes} |")
    return "\n".join(lines)


def render_readme(results: Sequence[Result]) -> str:
    """seeds/README.md with every seed's counts, gaps, special services and patients."""
    blurbs = {
        "leuven": (
            "leuven: Zorgzaam Leuven",
            "`be` > `vlaanderen` > `leuven` (pilot zone, 100,000 people) > 9 vicinity networks "
            "`leuven-vn-*`.",
        ),
        "namur": (
            "namur: Résinam Namur",
            "`be` > `wallonie` > `namur` (pilot zone, 110,000 people) > 8 vicinity networks "
            "`namur-vn-*`.",
        ),
    }
    sections = "\n".join(_seed_section(r, *blurbs[r.seed.name]) for r in results)
    return TEMPLATE.format(sections=sections, format_table=format_table())

"""Service-type and need-type vocabulary graphsvc ships with: every demo seed holds these rows
(identical in each), and the Belgian open-data import brings them along (graphsvc.io.belgium)."""

from __future__ import annotations

# code, name, category, broader
SERVICE_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("general-practice", "General practice (GP care)", "medical", ""),
    ("diabetes-education", "Diabetes education", "medical", ""),
    ("nursing", "Nursing care", "nursing", ""),
    ("home-nursing", "Home nursing", "nursing", "nursing"),
    ("wound-care", "Wound care", "nursing", "nursing"),
    ("palliative-home-care", "Palliative home care", "nursing", "home-nursing"),
    ("pharmacy", "Pharmaceutical care", "pharmacy", ""),
    ("medication-review", "Medication review", "pharmacy", "pharmacy"),
    ("physiotherapy", "Physiotherapy", "rehabilitation", ""),
    ("occupational-therapy", "Occupational therapy", "rehabilitation", ""),
    ("hospital-care", "Hospital care", "hospital", ""),
    ("specialist-consultation", "Specialist consultation", "hospital", "hospital-care"),
    ("geriatric-day-hospital", "Geriatric day hospital", "hospital", "hospital-care"),
    ("mental-health-care", "Mental health care", "mental_health", ""),
    (
        "psychology-first-line",
        "First-line psychological care",
        "mental_health",
        "mental-health-care",
    ),
    ("mobile-psychiatric-team", "Mobile psychiatric team", "mental_health", "mental-health-care"),
    (
        "psychiatric-hospital-care",
        "Psychiatric hospital care",
        "mental_health",
        "mental-health-care",
    ),
    ("addiction-care", "Addiction care", "mental_health", "mental-health-care"),
    ("dementia-support", "Dementia support", "mental_health", "mental-health-care"),
    ("social-work", "Social work", "social", ""),
    ("social-assistance", "Social assistance (OCMW/CPAS)", "social", "social-work"),
    ("debt-mediation", "Debt mediation", "social", "social-work"),
    ("housing-support", "Housing support", "housing", ""),
    ("social-housing", "Social housing", "housing", "housing-support"),
    ("humanitarian-aid", "Humanitarian aid (food, basic needs)", "social", ""),
    ("home-help", "Home help (family and household help)", "home_support", ""),
    ("meals-on-wheels", "Meals on wheels", "home_support", "home-help"),
    ("adapted-transport", "Adapted transport", "home_support", ""),
    ("caregiver-support", "Caregiver support", "community", ""),
    ("community-activities", "Community activities (social, cultural, sports)", "community", ""),
    ("case-management", "Case management", "coordination", ""),
    ("care-coordination", "Multidisciplinary care coordination", "coordination", ""),
)

# code, name, domain, met_by (service type codes; narrower types count too)
NEED_TYPES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("chronic-follow-up", "Chronic condition follow-up", "medical", ("general-practice",)),
    ("medication-management", "Medication management", "medical", ("pharmacy",)),
    ("nursing-care", "Nursing care at home", "medical", ("nursing",)),
    (
        "diabetes-self-management",
        "Diabetes self-management",
        "medical",
        ("diabetes-education",),
    ),
    ("specialist-follow-up", "Specialist follow-up", "medical", ("hospital-care",)),
    (
        "mobility-limitation",
        "Mobility limitation",
        "functional",
        ("physiotherapy", "occupational-therapy"),
    ),
    (
        "adl-dependency",
        "Dependency in activities of daily living",
        "functional",
        ("home-help", "home-nursing"),
    ),
    ("transport-need", "Transport to care", "functional", ("adapted-transport",)),
    (
        "complex-care-situation",
        "Complex care situation needing coordination",
        "functional",
        ("case-management", "care-coordination"),
    ),
    ("depression-anxiety", "Depression or anxiety", "mental", ("psychology-first-line",)),
    (
        "severe-mental-illness",
        "Severe mental illness",
        "mental",
        ("mobile-psychiatric-team", "psychiatric-hospital-care"),
    ),
    ("addiction", "Addiction", "mental", ("addiction-care",)),
    (
        "memory-problems",
        "Memory problems and dementia",
        "mental",
        ("dementia-support", "geriatric-day-hospital"),
    ),
    ("financial-insecurity", "Financial insecurity", "social", ("social-work",)),
    ("housing-insecurity", "Housing insecurity", "social", ("housing-support",)),
    (
        "food-insecurity",
        "Food insecurity",
        "social",
        ("humanitarian-aid", "meals-on-wheels"),
    ),
    ("social-isolation", "Social isolation", "social", ("community-activities",)),
    ("caregiver-burden", "Caregiver burden", "social", ("caregiver-support",)),
)

SERVICE_TYPE_CODES = frozenset(code for code, *_ in SERVICE_TYPES)
NEED_CODES = tuple(code for code, *_ in NEED_TYPES)

# Share of the population with each need (demo estimates, not epidemiology).
PREVALENCE: dict[str, float] = {
    "chronic-follow-up": 0.22,
    "medication-management": 0.12,
    "nursing-care": 0.025,
    "diabetes-self-management": 0.06,
    "specialist-follow-up": 0.08,
    "mobility-limitation": 0.05,
    "adl-dependency": 0.065,
    "transport-need": 0.012,
    "complex-care-situation": 0.01,
    "depression-anxiety": 0.03,
    "severe-mental-illness": 0.012,
    "addiction": 0.01,
    "memory-problems": 0.015,
    "financial-insecurity": 0.05,
    "housing-insecurity": 0.015,
    "food-insecurity": 0.015,
    "social-isolation": 0.04,
    "caregiver-burden": 0.03,
}

# Needs whose services also count for another need are sized first (smaller demand first), so
# that their contribution to the second need is known before that need is filled up.
SOLVE_ORDER: tuple[str, ...] = (
    "memory-problems",
    "food-insecurity",
    "nursing-care",
    *(
        code
        for code in NEED_CODES
        if code not in ("memory-problems", "food-insecurity", "nursing-care")
    ),
)


def narrower_closure() -> dict[str, set[str]]:
    """Each service type code mapped to itself and all its narrower types (transitively)."""
    children: dict[str, set[str]] = {code: set() for code in SERVICE_TYPE_CODES}
    for code, _, _, broader in SERVICE_TYPES:
        if broader:
            children[broader].add(code)
    closure: dict[str, set[str]] = {}

    def walk(code: str) -> set[str]:
        if code not in closure:
            found = {code}
            for child in children[code]:
                found |= walk(child)
            closure[code] = found
        return closure[code]

    for code in SERVICE_TYPE_CODES:
        walk(code)
    return closure


def counting_types() -> dict[str, set[str]]:
    """Each need code mapped to the service types that meet it (MET_BY plus narrower)."""
    closure = narrower_closure()
    return {code: set().union(*(closure[t] for t in met_by)) for code, _, _, met_by in NEED_TYPES}

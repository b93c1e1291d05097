"""The fixed graph model of DESIGN §3: labels, their key properties and relationship types.

Labels and relationship types in queries come only from here or from the query files,
never from user input.
"""

NODE_KEYS: dict[str, str] = {
    "Zone": "id",
    "Actor": "id",
    "ServiceType": "code",
    "Service": "id",
    "NeedType": "code",
    "Network": "id",
    "Patient": "id",
    "Referral": "id",
    # co-creation (issue 10): action plans, care pathways, funding
    "Objective": "id",
    "Action": "id",
    "CarePathway": "id",
    "PathwayStep": "id",
    "Funding": "id",
}

RELATIONSHIP_TYPES: tuple[str, ...] = (
    "PART_OF",
    "LOCATED_IN",
    "PROVIDES",
    "OF_TYPE",
    "COVERS",
    "BROADER",
    "MET_BY",
    "HAS_NEED",
    "COLLABORATES_WITH",
    "MEMBER_OF",
    "LIVES_IN",
    "CASE_MANAGER_OF",
    "FOR",
    "TO",
    "BY",
    # co-creation (issue 10)
    "REFINES",  # (:Objective)-[:REFINES]->(:Objective): an operational objective's parent
    "FOR_ZONE",  # (:Objective|:Action|:CarePathway)-[:FOR_ZONE]->(:Zone)
    "SERVES",  # (:Action)-[:SERVES]->(:Objective)
    "TARGETS",  # (:Action)-[:TARGETS]->(:NeedType)
    "COMMITS_TO",  # (:Actor)-[:COMMITS_TO {role}]->(:Action)
    "PLANS",  # (:Action)-[:PLANS]->(:Service {status: 'planned'})
    "FOR_NEED",  # (:CarePathway)-[:FOR_NEED]->(:NeedType)
    "RUN_BY",  # (:CarePathway)-[:RUN_BY]->(:Network)
    "HAS_STEP",  # (:CarePathway)-[:HAS_STEP]->(:PathwayStep)
    "STEP_TYPE",  # (:PathwayStep)-[:STEP_TYPE]->(:ServiceType)
    "ENROLLED_IN",  # (:Patient)-[:ENROLLED_IN {since, completed}]->(:CarePathway)
    "FUNDS",  # (:Funding)-[:FUNDS]->(:Zone|:Network)
    "WORKS_IN",  # (:Network)-[:WORKS_IN]->(:Zone): the vicinity network a team works in
)

ZONE_LEVELS = (
    "country",
    "region",
    "province",
    "arrondissement",
    "primary_care_zone",
    "pilot_zone",
    "municipality",
    "vicinity_network",
    "statistical_sector",
    "neighbourhood",
)
ACTOR_KINDS = ("organisation", "professional", "team")
ACTOR_LINES = ("first", "second", "social", "community", "coordination")
NEED_DOMAINS = ("medical", "mental", "social", "functional")
SERVICE_STATUSES = ("active", "paused", "closed")
# A to-be service an action plans (graphsvc/core/actionplan.py): counted by the TO_BE scenario
# of gap queries only; listings of existing services leave it out.
PLANNED = "planned"
# Action plans, care pathways and funding (graphsvc/core/actionplan.py, pathways.py, funding.py)
OBJECTIVE_LEVELS = ("strategic", "operational")
ACTION_STATUSES = ("idea", "planned", "running", "done", "dropped")
FUNDING_SCHEMES = ("flat_rate", "fee_for_service", "bundled", "project_grant")
# Who a service is for and which of those tags a patient has (an empty service list: anyone).
ELIGIBILITY_TAGS = (
    "chronic",
    "65plus",
    "low_income",
    "mental_health",
    "homeless",
    "disability",
    "caregiver",
)
# Referral lifecycle (graphsvc/core/referrals.py): proposed -> sent -> accepted | declined;
# accepted -> active -> closed; any open state -> cancelled.
REFERRAL_STATUSES = ("proposed", "sent", "accepted", "declined", "active", "closed", "cancelled")

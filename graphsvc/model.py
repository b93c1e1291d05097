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
)

ZONE_LEVELS = (
    "country",
    "region",
    "primary_care_zone",
    "pilot_zone",
    "municipality",
    "vicinity_network",
    "statistical_sector",
)
ACTOR_KINDS = ("organisation", "professional", "team")
ACTOR_LINES = ("first", "second", "social", "community", "coordination")
NEED_DOMAINS = ("medical", "mental", "social", "functional")
SERVICE_STATUSES = ("active", "paused", "closed")
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

"""Roles and who is calling (DESIGN §6): what each role may read and change.

| role         | patients                              | patient counts | writes                |
|--------------|---------------------------------------|----------------|-----------------------|
| planner      | never                                 | suppressed     | action plans          |
| case_manager | those it manages or whose care circle | no             | its patients' records |
|              | it is in                              |                | and their referrals   |
| facilitator  | never (maps, network measures)        | no             | none                  |
| admin        | all                                   | suppressed     | all (imports: CLI)    |

Everything that holds no patient data (zones, actors, services, gaps, overlaps, maps, network
measures, action plans, pathways, funding reports) is open to every role for reading. Every
write is granted explicitly: DESIGN §6 gives writes to admins; action plans (objectives,
actions, commitments, to-be services) are the planners' own work in the pilots, so planners
may write those too; funding lines come from the funders' decisions and stay with admins.
Local mode (loopback, no tokens configured) acts as admin.

A case manager is bound to an actor: its patient queries carry that actor id as a Cypher
parameter (`$actor`) and can only match patients it manages or whose circle it is in
(graphsvc.core.caseload). Admin and local mode read unscoped. `Principal.scope` is that
parameter; it refuses to answer for roles that must never reach patient queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PLANNER = "planner"
    CASE_MANAGER = "case_manager"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class Capability(StrEnum):
    READ_PATIENTS = "read patients"
    WRITE_PATIENTS = "change patients and referrals"
    PATIENT_AGGREGATES = "count patients"
    WRITE_PLANS = "change action plans"
    WRITE_FUNDING = "change funding lines"
    DECIDE_MATCHES = "decide entity matches"


GRANTS: dict[Capability, frozenset[Role]] = {
    Capability.READ_PATIENTS: frozenset({Role.CASE_MANAGER, Role.ADMIN}),
    Capability.WRITE_PATIENTS: frozenset({Role.CASE_MANAGER, Role.ADMIN}),
    Capability.PATIENT_AGGREGATES: frozenset({Role.PLANNER, Role.ADMIN}),
    Capability.WRITE_PLANS: frozenset({Role.PLANNER, Role.ADMIN}),
    Capability.WRITE_FUNDING: frozenset({Role.ADMIN}),
    Capability.DECIDE_MATCHES: frozenset({Role.ADMIN}),
}
NEEDS_ACTOR = frozenset({Role.CASE_MANAGER})  # roles bound to an actor


class ScopeError(PermissionError):
    """A role that must never read patients reached a patient query: a bug, refused."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's role (and actor), or the local mode (no tokens, loopback)."""

    role: Role | None  # None: local mode
    actor: str | None = None
    token_id: str | None = None

    @property
    def local(self) -> bool:
        return self.role is None

    @property
    def name(self) -> str:
        """The role as recorded in the audit log (`local` in local mode)."""
        return "local" if self.role is None else self.role.value

    def can(self, capability: Capability) -> bool:
        return self.role is None or self.role in GRANTS[capability]

    @property
    def scope(self) -> str | None:
        """The actor patient queries are scoped to; None for unscoped (admin, local mode)."""
        if self.role is None or self.role is Role.ADMIN:
            return None
        if self.role is Role.CASE_MANAGER and self.actor:
            return self.actor
        raise ScopeError(f"role {self.name} has no access to patients")


LOCAL = Principal(role=None)

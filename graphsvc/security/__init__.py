"""Security and privacy: roles and tokens, the audit log, small-cell suppression, input checks.

See the README's *Security* section for what each role sees; graphsvc.api applies these to
GraphQL (permissions on every patient-bearing field, limits, error masking).
"""

from graphsvc.security.audit import AuditLog, AuditTrail, AuditUnavailable
from graphsvc.security.roles import LOCAL, Capability, Principal, Role
from graphsvc.security.tokens import TokenFile

__all__ = [
    "LOCAL",
    "AuditLog",
    "AuditTrail",
    "AuditUnavailable",
    "Capability",
    "Principal",
    "Role",
    "TokenFile",
]

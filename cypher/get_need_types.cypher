// Need types by code, for checking arguments: `code`, `name`, `domain`. Unknown codes give no row.
// idempotent: yes
UNWIND $codes AS wanted
MATCH (n:NeedType {code: wanted})
RETURN n.code AS code, n.name AS name, n.domain AS domain

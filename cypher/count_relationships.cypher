// Number of relationships per type: `type`, `count`.
// idempotent: yes
MATCH ()-[r]->()
RETURN type(r) AS type, count(r) AS count
ORDER BY type

// Every (not planned) service's properties for a bundle export of its directory detail:
// `id`, `props`.
// idempotent: yes
MATCH (s:Service)
WHERE s.status <> 'planned'
RETURN s.id AS id, properties(s) AS props
ORDER BY id

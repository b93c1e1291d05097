// Every actor's and service's properties, for survivorship of their directory detail:
// `table` (actors or services), `id`, `props`.
// idempotent: yes
MATCH (n)
WHERE n:Actor OR n:Service
RETURN CASE WHEN n:Actor THEN 'actors' ELSE 'services' END AS table, n.id AS id,
       properties(n) AS props
ORDER BY table, id

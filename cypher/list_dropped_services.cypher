// The services that a dropped action plans (never counted, even in the TO_BE scenario).
// Columns: `services` (ids).
// idempotent: yes
MATCH (:Action {status: 'dropped'})-[:PLANS]->(s:Service)
RETURN collect(DISTINCT s.id) AS services

// How many patients live in each zone (LIVES_IN, that zone itself, not its parts), in all
// (`need` null) and per need: `zone`, `need`, `patients`. Only counts leave the database:
// no pseudonym, no patient property.
// idempotent: yes
MATCH (p:Patient)-[:LIVES_IN]->(z:Zone)
RETURN z.id AS zone, null AS need, count(DISTINCT p) AS patients
UNION ALL
MATCH (p:Patient)-[:LIVES_IN]->(z:Zone)
MATCH (p)-[:HAS_NEED]->(n:NeedType)
RETURN z.id AS zone, n.code AS need, count(DISTINCT p) AS patients

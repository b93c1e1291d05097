// Every WORKS_IN for a bundle export: `network`, `zone`.
// idempotent: yes
MATCH (w:Network)-[:WORKS_IN]->(z:Zone)
RETURN w.id AS network, z.id AS zone
ORDER BY network

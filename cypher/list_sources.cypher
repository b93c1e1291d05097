// Every source: `id`, `kind`, `name`, `digest`, `imported_at`, `licence`, `records`, `gone`.
MATCH (s:Source)
OPTIONAL MATCH (r:SourceRecord)-[:RECORD_OF]->(s)
RETURN s.id AS id, s.kind AS kind, s.name AS name, s.digest AS digest,
       s.imported_at AS imported_at, s.licence AS licence, count(r) AS records,
       sum(CASE WHEN r.gone THEN 1 ELSE 0 END) AS gone
ORDER BY id

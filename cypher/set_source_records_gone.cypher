// Mark the records of source $source whose key is not in $seen as no longer in the source
// (kept, not deleted). Returns `marked`, how many were newly marked.
MATCH (r:SourceRecord {source: $source})
WHERE NOT r.key IN $seen AND r.gone = false
SET r.gone = true
RETURN count(r) AS marked

// Mark the source records with a key in $keys as no longer in the source (a DELETE entry of
// a FHIR transaction; kept, not deleted). Returns `marked`, how many were newly marked.
MATCH (r:SourceRecord)
WHERE r.key IN $keys AND r.gone = false
SET r.gone = true
RETURN count(r) AS marked

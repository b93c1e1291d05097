// Record a workshop (provenance of its proposals): id, date, facilitator, the zone whose map
// it used, when it was imported and from which file. Returns `written`.
MERGE (w:Workshop {id: $id})
SET w.date = $date, w.facilitator = $facilitator, w.zone = $zone,
    w.imported_at = $imported_at, w.source = $source
RETURN count(w) AS written

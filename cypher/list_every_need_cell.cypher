// Every recorded population need of the graph, for the in-memory gap index
// (graphsvc.core.gapindex): one row per need type. Columns: `need`, `zones` (ids of the zones
// recording it), `people` (people in need, in the order of `zones`; 0 where not recorded:
// `collect` drops nulls, and the two lists must stay aligned).
// idempotent: yes
MATCH (n:NeedType)<-[h:HAS_NEED]-(k:Zone)
RETURN n.code AS need, collect(k.id) AS zones, collect(coalesce(h.people, 0)) AS people

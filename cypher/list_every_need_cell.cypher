// Every recorded population need of the graph, for the in-memory gap index
// (graphsvc.core.gapindex): one row per need type. Columns: `need`, `zones` (ids of the zones
// recording it), `people` (people in need, in the order of `zones`).
MATCH (n:NeedType)<-[h:HAS_NEED]-(k:Zone)
RETURN n.code AS need, collect(k.id) AS zones, collect(h.people) AS people

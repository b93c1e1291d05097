// Indexes for FalkorDB, one statement per `;`. Uniqueness constraints on the same keys are
// created with the GRAPH.CONSTRAINT command (graphsvc/store/falkordb.py), which needs these.
CREATE INDEX FOR (n:Zone) ON (n.id);
CREATE INDEX FOR (n:Actor) ON (n.id);
CREATE INDEX FOR (n:ServiceType) ON (n.code);
CREATE INDEX FOR (n:Service) ON (n.id);
CREATE INDEX FOR (n:NeedType) ON (n.code);
CREATE INDEX FOR (n:Network) ON (n.id);
CREATE INDEX FOR (n:Patient) ON (n.id);
CREATE INDEX FOR (n:Referral) ON (n.id);
CREATE INDEX FOR (n:Objective) ON (n.id);
CREATE INDEX FOR (n:Action) ON (n.id);
CREATE INDEX FOR (n:CarePathway) ON (n.id);
CREATE INDEX FOR (n:PathwayStep) ON (n.id);
CREATE INDEX FOR (n:Funding) ON (n.id);
CREATE INDEX FOR (n:Source) ON (n.id);
CREATE INDEX FOR (n:SourceRecord) ON (n.key);
CREATE INDEX FOR (n:SourceRecord) ON (n.source);
CREATE INDEX FOR (n:MatchDecision) ON (n.key);

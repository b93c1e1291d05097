// Uniqueness constraints for Neo4j 5 (each also creates an index), one statement per `;`.
CREATE CONSTRAINT zone_id IF NOT EXISTS FOR (n:Zone) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT service_type_code IF NOT EXISTS FOR (n:ServiceType) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT service_id IF NOT EXISTS FOR (n:Service) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT need_type_code IF NOT EXISTS FOR (n:NeedType) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT network_id IF NOT EXISTS FOR (n:Network) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT patient_id IF NOT EXISTS FOR (n:Patient) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT referral_id IF NOT EXISTS FOR (n:Referral) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT objective_id IF NOT EXISTS FOR (n:Objective) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT action_id IF NOT EXISTS FOR (n:Action) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT care_pathway_id IF NOT EXISTS FOR (n:CarePathway) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT pathway_step_id IF NOT EXISTS FOR (n:PathwayStep) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT funding_id IF NOT EXISTS FOR (n:Funding) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_record_key IF NOT EXISTS FOR (n:SourceRecord) REQUIRE n.key IS UNIQUE;
CREATE INDEX source_record_source IF NOT EXISTS FOR (n:SourceRecord) ON (n.source);
CREATE CONSTRAINT match_decision_key IF NOT EXISTS FOR (n:MatchDecision) REQUIRE n.key IS UNIQUE;

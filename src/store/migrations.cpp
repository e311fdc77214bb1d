// Forward-only schema migrations. A released migration is never edited: a change to the schema is
// a new migration appended here, and migrations_test.cpp upgrades a database of every earlier
// version with data in it to the latest.
#include "store/migrations.hpp"

namespace haven {
namespace {

// Version 1: accounts, sessions, display-code sequences, and one table per entity of
// core/schema.cpp: public fields as a JSON document in `data`, identifying and sensitive fields
// in `sealed` (XChaCha20-Poly1305 under the organisation's data key), indexed fields as f_<name>
// columns. Data keys are stored wrapped by the master key; blind_index holds keyed digests for
// exact look-ups on sealed fields.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE code_sequence (
  org_id INTEGER NOT NULL,
  prefix TEXT NOT NULL,
  year INTEGER NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (org_id, prefix, year)
) WITHOUT ROWID;
CREATE TABLE organisation (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_name TEXT,
  f_type TEXT,
  f_country TEXT,
  f_region TEXT
);
CREATE INDEX organisation_org_id ON organisation(org_id, id);
CREATE INDEX organisation_name ON organisation(org_id, f_name, id);
CREATE INDEX organisation_type ON organisation(org_id, f_type, id);
CREATE INDEX organisation_country ON organisation(org_id, f_country, id);
CREATE INDEX organisation_region ON organisation(org_id, f_region, id);
CREATE TABLE form_definition (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_target_kind TEXT,
  f_form_version INTEGER
);
CREATE INDEX form_definition_org_id ON form_definition(org_id, id);
CREATE INDEX form_definition_target_kind ON form_definition(org_id, f_target_kind, id);
CREATE INDEX form_definition_form_version ON form_definition(org_id, f_form_version, id);
CREATE TABLE "case" (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_exploitation_form TEXT,
  f_status TEXT,
  f_country TEXT,
  f_region TEXT,
  f_sensitivity TEXT,
  f_opened_on TEXT,
  f_incident_date TEXT,
  f_closed_on TEXT
);
CREATE INDEX case_org_id ON "case"(org_id, id);
CREATE INDEX case_exploitation_form ON "case"(org_id, f_exploitation_form, id);
CREATE INDEX case_status ON "case"(org_id, f_status, id);
CREATE INDEX case_country ON "case"(org_id, f_country, id);
CREATE INDEX case_region ON "case"(org_id, f_region, id);
CREATE INDEX case_sensitivity ON "case"(org_id, f_sensitivity, id);
CREATE INDEX case_opened_on ON "case"(org_id, f_opened_on, id);
CREATE INDEX case_incident_date ON "case"(org_id, f_incident_date, id);
CREATE INDEX case_closed_on ON "case"(org_id, f_closed_on, id);
CREATE TABLE report (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_channel TEXT,
  f_received_at TEXT,
  f_priority TEXT,
  f_exploitation_form TEXT,
  f_country TEXT,
  f_region TEXT,
  f_case_id INTEGER REFERENCES "case"(id)
);
CREATE INDEX report_org_id ON report(org_id, id);
CREATE INDEX report_channel ON report(org_id, f_channel, id);
CREATE INDEX report_received_at ON report(org_id, f_received_at, id);
CREATE INDEX report_priority ON report(org_id, f_priority, id);
CREATE INDEX report_exploitation_form ON report(org_id, f_exploitation_form, id);
CREATE INDEX report_country ON report(org_id, f_country, id);
CREATE INDEX report_region ON report(org_id, f_region, id);
CREATE INDEX report_case_id ON report(org_id, f_case_id, id);
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_sex TEXT,
  f_nationality TEXT,
  f_country TEXT,
  f_region TEXT
);
CREATE INDEX person_org_id ON person(org_id, id);
CREATE INDEX person_sex ON person(org_id, f_sex, id);
CREATE INDEX person_nationality ON person(org_id, f_nationality, id);
CREATE INDEX person_country ON person(org_id, f_country, id);
CREATE INDEX person_region ON person(org_id, f_region, id);
CREATE TABLE case_person (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_person_id INTEGER REFERENCES person(id),
  f_role TEXT,
  f_is_minor INTEGER
);
CREATE INDEX case_person_org_id ON case_person(org_id, id);
CREATE INDEX case_person_case_id ON case_person(org_id, f_case_id, id);
CREATE INDEX case_person_person_id ON case_person(org_id, f_person_id, id);
CREATE INDEX case_person_role ON case_person(org_id, f_role, id);
CREATE INDEX case_person_is_minor ON case_person(org_id, f_is_minor, id);
CREATE TABLE case_event (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_occurred_at TEXT,
  f_type TEXT
);
CREATE INDEX case_event_org_id ON case_event(org_id, id);
CREATE INDEX case_event_case_id ON case_event(org_id, f_case_id, id);
CREATE INDEX case_event_occurred_at ON case_event(org_id, f_occurred_at, id);
CREATE INDEX case_event_type ON case_event(org_id, f_type, id);
CREATE TABLE operation (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_type TEXT,
  f_date TEXT
);
CREATE INDEX operation_org_id ON operation(org_id, id);
CREATE INDEX operation_case_id ON operation(org_id, f_case_id, id);
CREATE INDEX operation_type ON operation(org_id, f_type, id);
CREATE INDEX operation_date ON operation(org_id, f_date, id);
CREATE TABLE legal_case (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_court TEXT,
  f_docket_number TEXT,
  f_current_stage TEXT,
  f_verdict TEXT
);
CREATE INDEX legal_case_org_id ON legal_case(org_id, id);
CREATE INDEX legal_case_case_id ON legal_case(org_id, f_case_id, id);
CREATE INDEX legal_case_court ON legal_case(org_id, f_court, id);
CREATE INDEX legal_case_docket_number ON legal_case(org_id, f_docket_number, id);
CREATE INDEX legal_case_current_stage ON legal_case(org_id, f_current_stage, id);
CREATE INDEX legal_case_verdict ON legal_case(org_id, f_verdict, id);
CREATE TABLE hearing (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_legal_case_id INTEGER REFERENCES legal_case(id),
  f_scheduled_at TEXT
);
CREATE INDEX hearing_org_id ON hearing(org_id, id);
CREATE INDEX hearing_legal_case_id ON hearing(org_id, f_legal_case_id, id);
CREATE INDEX hearing_scheduled_at ON hearing(org_id, f_scheduled_at, id);
CREATE TABLE service_plan (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_case_id INTEGER REFERENCES "case"(id),
  f_start_date TEXT,
  f_review_date TEXT
);
CREATE INDEX service_plan_org_id ON service_plan(org_id, id);
CREATE INDEX service_plan_person_id ON service_plan(org_id, f_person_id, id);
CREATE INDEX service_plan_case_id ON service_plan(org_id, f_case_id, id);
CREATE INDEX service_plan_start_date ON service_plan(org_id, f_start_date, id);
CREATE INDEX service_plan_review_date ON service_plan(org_id, f_review_date, id);
CREATE TABLE service (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_service_plan_id INTEGER REFERENCES service_plan(id),
  f_type TEXT,
  f_start_date TEXT
);
CREATE INDEX service_org_id ON service(org_id, id);
CREATE INDEX service_person_id ON service(org_id, f_person_id, id);
CREATE INDEX service_service_plan_id ON service(org_id, f_service_plan_id, id);
CREATE INDEX service_type ON service(org_id, f_type, id);
CREATE INDEX service_start_date ON service(org_id, f_start_date, id);
CREATE TABLE outcome_assessment (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_assessed_on TEXT,
  f_restored INTEGER
);
CREATE INDEX outcome_assessment_org_id ON outcome_assessment(org_id, id);
CREATE INDEX outcome_assessment_person_id ON outcome_assessment(org_id, f_person_id, id);
CREATE INDEX outcome_assessment_assessed_on ON outcome_assessment(org_id, f_assessed_on, id);
CREATE INDEX outcome_assessment_restored ON outcome_assessment(org_id, f_restored, id);
CREATE TABLE training (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_audience_agency TEXT,
  f_held_on TEXT
);
CREATE INDEX training_org_id ON training(org_id, id);
CREATE INDEX training_audience_agency ON training(org_id, f_audience_agency, id);
CREATE INDEX training_held_on ON training(org_id, f_held_on, id);
CREATE TABLE case_audit (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_audited_on TEXT,
  f_compliance_percent INTEGER
);
CREATE INDEX case_audit_org_id ON case_audit(org_id, id);
CREATE INDEX case_audit_case_id ON case_audit(org_id, f_case_id, id);
CREATE INDEX case_audit_audited_on ON case_audit(org_id, f_audited_on, id);
CREATE INDEX case_audit_compliance_percent ON case_audit(org_id, f_compliance_percent, id);
CREATE TABLE evidence_item (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id)
);
CREATE INDEX evidence_item_org_id ON evidence_item(org_id, id);
CREATE INDEX evidence_item_case_id ON evidence_item(org_id, f_case_id, id);
CREATE TABLE consent (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_given_on TEXT,
  f_withdrawn_on TEXT
);
CREATE INDEX consent_org_id ON consent(org_id, id);
CREATE INDEX consent_person_id ON consent(org_id, f_person_id, id);
CREATE INDEX consent_given_on ON consent(org_id, f_given_on, id);
CREATE INDEX consent_withdrawn_on ON consent(org_id, f_withdrawn_on, id);
CREATE TABLE referral (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_case_id INTEGER REFERENCES "case"(id),
  f_consent_id INTEGER REFERENCES consent(id),
  f_to_org_id INTEGER REFERENCES organisation(id),
  f_purpose TEXT,
  f_status TEXT
);
CREATE INDEX referral_org_id ON referral(org_id, id);
CREATE INDEX referral_case_id ON referral(org_id, f_case_id, id);
CREATE INDEX referral_consent_id ON referral(org_id, f_consent_id, id);
CREATE INDEX referral_to_org_id ON referral(org_id, f_to_org_id, id);
CREATE INDEX referral_purpose ON referral(org_id, f_purpose, id);
CREATE INDEX referral_status ON referral(org_id, f_status, id);
CREATE INDEX referral_incoming ON referral(f_to_org_id, f_case_id, f_status);
-- The original file of an evidence item, sealed; written once, never replaced.
CREATE TABLE evidence_file (
  evidence_id INTEGER PRIMARY KEY REFERENCES evidence_item(id),
  org_id INTEGER NOT NULL,
  size INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE app_user (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  roles TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT NOT NULL DEFAULT '',
  totp_sealed BLOB
);
CREATE INDEX app_user_org ON app_user(org_id, id);
CREATE TABLE session (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  expires_at TEXT NOT NULL,
  csrf_token TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX session_user ON session(user_id);
-- A person takes a role in a case once; the timeline reads events by case in time order;
-- display codes are unique per organisation.
CREATE UNIQUE INDEX case_person_unique ON case_person(f_case_id, f_person_id, f_role);
CREATE INDEX case_event_timeline ON case_event(f_case_id, f_occurred_at, id);
CREATE UNIQUE INDEX person_display_code ON person(org_id, display_code);
CREATE UNIQUE INDEX case_display_code ON "case"(org_id, display_code);
-- Who is assigned to which case, kept from case.assigned_user_ids for need-to-know checks.
CREATE TABLE case_assignment (
  case_id INTEGER NOT NULL REFERENCES "case"(id),
  user_id INTEGER NOT NULL,
  PRIMARY KEY (case_id, user_id)
) WITHOUT ROWID;
CREATE INDEX case_assignment_user ON case_assignment(user_id, case_id);
CREATE TABLE data_key (
  org_id INTEGER NOT NULL,
  key_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (org_id, key_version)
) WITHOUT ROWID;
CREATE TABLE blind_index (
  org_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  field TEXT NOT NULL,
  digest TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  PRIMARY KEY (org_id, kind, field, digest, record_id)
) WITHOUT ROWID;
CREATE INDEX blind_index_record ON blind_index(kind, record_id);
)sql";

// Version 2: the audit log. Triggers refuse any UPDATE or DELETE through SQL, so no application
// path can alter it; someone editing the file directly is caught by the keyed hash chain.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  org_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  kind TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
CREATE INDEX audit_log_record ON audit_log(kind, record_id, seq);
CREATE INDEX audit_log_org_at ON audit_log(org_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Fuzzy person search and duplicates: the keyed encodings of each person (no plaintext; see
// src/search), written with the person, numbered so that every server process can catch up with
// the writes of the others; the review queue; merges with what they moved, for undo.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE person ADD COLUMN f_merged_into INTEGER REFERENCES person(id);
CREATE INDEX person_merged_into ON person(org_id, f_merged_into, id);
CREATE TABLE person_search (
  person_id INTEGER PRIMARY KEY REFERENCES person(id),
  org_id INTEGER NOT NULL,
  encodings BLOB,
  written_seq INTEGER NOT NULL
);
CREATE INDEX person_search_written ON person_search(written_seq);
CREATE TABLE duplicate_candidate (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_other_person_id INTEGER REFERENCES person(id),
  f_source TEXT,
  f_status TEXT
);
CREATE INDEX duplicate_candidate_org_id ON duplicate_candidate(org_id, id);
CREATE INDEX duplicate_candidate_person_id ON duplicate_candidate(org_id, f_person_id, id);
CREATE INDEX duplicate_candidate_other_person_id ON duplicate_candidate(org_id, f_other_person_id, id);
CREATE INDEX duplicate_candidate_source ON duplicate_candidate(org_id, f_source, id);
CREATE INDEX duplicate_candidate_status ON duplicate_candidate(org_id, f_status, id);
CREATE TABLE person_merge (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_person_id INTEGER REFERENCES person(id),
  f_merged_person_id INTEGER REFERENCES person(id),
  f_status TEXT
);
CREATE INDEX person_merge_org_id ON person_merge(org_id, id);
CREATE INDEX person_merge_person_id ON person_merge(org_id, f_person_id, id);
CREATE INDEX person_merge_merged_person_id ON person_merge(org_id, f_merged_person_id, id);
CREATE INDEX person_merge_status ON person_merge(org_id, f_status, id);
)sql";

// Version 4: indexes that EXPLAIN on the 1M-person demo showed were missing (docs/benchmarks.md,
// "Indexes"). The need-to-know rule asks, for every person a caseworker might see, whether the
// person has a role in any case: without an index led by f_person_id that question scanned all of
// case_person (1M rows) per person, and a caseworker's first page of persons took 20 s on SQLite.
// A case list filtered by status and sorted by a date sorts by COALESCE(date, '') (so cases
// without the date sort first and page cursors stay exact); only an index on that expression
// gives the page in order without sorting every case of the status. An auditor's look for one
// kind of entry (break_glass, login_failed, export) walked the whole log, which grows with every
// audited read; entries are appended in seq order, so (action, seq) grows at one end per action.
constexpr const char* kVersion4 = R"sql(
CREATE INDEX case_person_person ON case_person(f_person_id, f_case_id);
CREATE INDEX case_status_opened_on ON "case"(org_id, f_status, (COALESCE(f_opened_on, '')), id);
CREATE INDEX audit_log_action ON audit_log(action, seq);
)sql";

// Version 5: the review queue of record linkage's uncertain band (haven link --review-into): one
// row per pair, the compared values sealed with the rest of the explanation. A run's pairs are
// read by run and status, a page sorted by probability.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE link_review (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisation(id),
  display_code TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  sealed BLOB,
  f_run TEXT,
  f_match_probability REAL,
  f_status TEXT,
  f_decided_by INTEGER
);
CREATE INDEX link_review_org_id ON link_review(org_id, id);
CREATE INDEX link_review_run ON link_review(org_id, f_run, id);
CREATE INDEX link_review_match_probability ON link_review(org_id, f_match_probability, id);
CREATE INDEX link_review_status ON link_review(org_id, f_status, id);
CREATE INDEX link_review_decided_by ON link_review(org_id, f_decided_by, id);
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {{1, kVersion1}, {2, kVersion2}, {3, kVersion3}, {4, kVersion4}, {5, kVersion5}};
  return all;
}

}  // namespace haven

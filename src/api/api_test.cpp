// End-to-end over real HTTP: a server on a free loopback port, a real client, and every response
// checked against the OpenAPI document the server itself publishes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <sodium.h>

#include <thread>

#include "api/api.hpp"
#include "api/http.hpp"
#include "audit/audit.hpp"
#include "dedupe/dedupe.hpp"
#include "store/test_backends.hpp"

namespace haven {
namespace {

// Every test runs on both backends (see store/test_backends.hpp), each test on a new database.
class Api : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (const std::string reason = skip_reason(GetParam()); !reason.empty()) GTEST_SKIP() << reason;
    ring_ = KeyRing::from_master_key(Key{5});
    auto store = open_test_store(GetParam(), *ring_, clock_, database_, file_, "api");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    Authenticator auth(*store_, clock_);
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok()) << tx.error().message;
    auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "Mission PH"}, {"type", "ngo"}, {"country", "PH"}}, clock_);
    auto other = create_record(**tx, *find_entity("organisation"), 0, {{"name", "Police GH"}, {"type", "police"}, {"country", "GH"}}, clock_);
    ASSERT_TRUE(org.ok() && other.ok());
    ASSERT_TRUE(auth.create_user(**tx, org->id, "maria", "Maria", {"caseworker", "org_admin"}, "maria's long password").ok());
    ASSERT_TRUE(auth.create_user(**tx, org->id, "ana", "Ana", {"analyst"}, "ana's long password!").ok());
    ASSERT_TRUE(auth.create_user(**tx, other->id, "kwame", "Kwame", {"investigator"}, "kwame's long password").ok());
    worker_id_ = auth.create_user(**tx, org->id, "jose", "Jose", {"caseworker"}, "jose's long password").value().id;
    ASSERT_TRUE(auth.create_user(**tx, org->id, "aud", "Audrey", {"auditor"}, "audrey's long password").ok());
    ASSERT_TRUE((*tx)->commit().ok());
    audit_ = std::make_unique<AuditLog>(*store_, clock_, ring_->audit_chain_key().value());
    ApiOptions options_quiet;
    options_quiet.log_requests = false;
    finder_ = std::move(dedupe::PersonFinder::create(*ring_).value());
    store_->set_person_encoder(finder_->encoder());
    options_quiet.person_finder = finder_.get();
    server_ = std::make_unique<ApiServer>(*store_, clock_, *audit_, options_quiet);
    ASSERT_TRUE(server_->bind("127.0.0.1", 0).ok());
    thread_ = std::thread([this] { (void)server_->listen_bound(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    audit_.reset();
    store_.reset();
    finder_.reset();
    database_.reset();  // after the store: its connections must be closed first
    remove_test_file(file_);
  }

  httplib::Client client() { return httplib::Client("127.0.0.1", server_->port()); }

  std::string login(const std::string& user, const std::string& password) {
    auto res = client().Post("/api/v1/sessions", Json{{"username", user}, {"password", password}}.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201);
    return res ? Json::parse(res->body).value("token", "") : "";
  }
  httplib::Headers auth(const std::string& token, const std::string& break_glass = "") {
    httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    if (!break_glass.empty()) headers.emplace("X-Haven-Break-Glass", break_glass);
    return headers;
  }

  // Sends a request and checks the response body against the OpenAPI schema `schema_name`.
  Json call(const std::string& method, const std::string& path, const std::string& token, const Json* body,
            int expected_status, const std::string& schema_name = "") {
    auto c = client();
    httplib::Result res = method == "GET"    ? c.Get(path, auth(token))
                          : method == "POST" ? c.Post(path, auth(token), body->dump(), "application/json")
                                             : c.Patch(path, auth(token), body->dump(), "application/json");
    EXPECT_TRUE(res) << method << " " << path;
    if (!res) return Json();
    EXPECT_EQ(res->status, expected_status) << method << " " << path << " -> " << res->body;
    if (res->status == 204) return Json();
    const Json parsed = Json::parse(res->body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << res->body;
    if (expected_status >= 400) {
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
      expect_matches(parsed, "Problem");
    } else if (!schema_name.empty()) {
      expect_matches(parsed, schema_name);
    }
    return parsed;
  }

  void expect_matches(const Json& instance, const std::string& schema_name) {
    static const Json document = openapi_document();
    Json root = {{"components", document["components"]}, {"$ref", "#/components/schemas/" + schema_name}};
    valijson::Schema schema;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter schema_adapter(root);
    parser.populateSchema(schema_adapter, schema);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(instance);
    std::string errors;
    if (!validator.validate(schema, target, &results)) {
      valijson::ValidationResults::Error error;
      while (results.popError(error)) {
        for (const auto& c : error.context) errors += c;
        errors += ": " + error.description + "\n";
      }
    }
    EXPECT_TRUE(errors.empty()) << schema_name << " " << instance.dump() << "\n" << errors;
  }

  std::int64_t worker_id_ = 0;
  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_;
  std::unique_ptr<pg_test::Database> database_;  // PostgreSQL: dropped after the store closes
  std::filesystem::path file_;                   // SQLite
  std::unique_ptr<dedupe::PersonFinder> finder_;  // outlives the store, which calls its encoder
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
};

const Json kCase = {{"title", "Scam compound, Sihanoukville"}, {"exploitation_form", "forced_criminality"},
                    {"country", "KH"}, {"opened_on", "2026-03-01"}, {"incident_date", "2025-12-01"}};

TEST_P(Api, CreateReadUpdateListACaseWithOptimisticConcurrency) {
  const std::string token = login("maria", "maria's long password");
  const Json created = call("POST", "/api/v1/cases", token, &kCase, 201, "case");
  const std::string path = "/api/v1/cases/" + std::to_string(created["id"].get<int>());
  EXPECT_EQ(call("GET", path, token, nullptr, 200, "case")["title"], kCase["title"]);
  const Json change = {{"version", 1}, {"status", "investigation"}};
  EXPECT_EQ(call("PATCH", path, token, &change, 200, "case")["version"], 2);
  const Json stale = {{"version", 1}, {"title", "lost update"}};
  EXPECT_EQ(call("PATCH", path, token, &stale, 409)["field"], "/version");
  const Json unversioned = {{"title", "no version"}};
  call("PATCH", path, token, &unversioned, 428);
  const Json page = call("GET", "/api/v1/cases?status=investigation&sort=opened_on&order=desc&limit=5", token, nullptr, 200);
  ASSERT_FALSE(page["items"].empty());
  for (const auto& item : page["items"]) expect_matches(item, "case");
}

TEST_P(Api, EveryEntityCanBeCreatedReadAndListed) {
  const std::string token = login("maria", "maria's long password");
  const int case_id = call("POST", "/api/v1/cases", token, &kCase, 201, "case")["id"];
  const Json person_body = {{"given_name", "Sokha"}, {"family_name", "ចាន់"}, {"birth_date", "2009-04-02"}, {"sex", "female"}};
  const int person_id = call("POST", "/api/v1/persons", token, &person_body, 201, "person")["id"];
  const Json legal_body = {{"case_id", case_id}, {"court", "Phnom Penh Municipal Court"},
                           {"stages", {{{"stage", "complaint"}, {"date", "2026-03-02"}}, {{"stage", "charges_filed"}, {"date", "2026-04-01"}}}}};
  const int legal_id = call("POST", "/api/v1/legal-cases", token, &legal_body, 201, "legal_case")["id"];
  const std::string hash(64, 'c');
  const std::map<std::string, Json> bodies = {
      {"reports", {{"channel", "hotline"}, {"received_at", "2026-02-28T22:10:00+07:00"}, {"priority", "urgent"}, {"case_id", case_id}}},
      {"case-persons", {{"case_id", case_id}, {"person_id", person_id}, {"role", "victim"}}},
      {"case-events", {{"case_id", case_id}, {"occurred_at", "2026-03-05T09:00:00Z"}, {"type", "interview"}, {"summary", "Initial interview"}}},
      {"operations", {{"case_id", case_id}, {"type", "rescue"}, {"date", "2026-03-10"}, {"victims_identified", 14}, {"suspects_arrested", 3}}},
      {"hearings", {{"legal_case_id", legal_id}, {"scheduled_at", "2026-05-01T02:00:00Z"}, {"postponed", true}}},
      {"service-plans", {{"person_id", person_id}, {"case_id", case_id}, {"start_date", "2026-03-11"}}},
      {"services", {{"person_id", person_id}, {"type", "shelter"}, {"start_date", "2026-03-11"}}},
      {"outcome-assessments", {{"person_id", person_id}, {"assessed_on", "2026-06-01"},
                               {"scores", {{"safety", 3}, {"legal_protection", 2}, {"mental_wellbeing", 2}, {"economic_empowerment", 1},
                                           {"social_support", 3}, {"physical_wellbeing", 3}}}}},
      {"trainings", {{"audience_agency", "Anti-Human Trafficking Police"}, {"held_on", "2026-02-01"}, {"participants", 25},
                     {"pre_test_mean", 54.5}, {"post_test_mean", 81}}},
      {"case-audits", {{"case_id", case_id}, {"audited_on", "2026-07-01"},
                       {"checklist", {{{"item", "Victim statement on file"}, {"compliant", true}}, {{"item", "Medical exam"}, {"compliant", false}}}}}},
      {"evidence-items", {{"case_id", case_id}, {"description", "Seized phone"}, {"sha256", hash}}},
      {"consents", {{"person_id", person_id}, {"given_on", "2026-03-11"}, {"purposes", {"case_management", "prosecution"}}}},
      {"form-definitions", {{"target_kind", "case"}, {"fields", {{{"key", "source_ref"}, {"label", "Source reference"}, {"type", "text"}}}}}},
  };
  for (const auto& [collection, body] : bodies) {
    const std::string kind = find_entity(collection)->kind;
    const Json created = call("POST", "/api/v1/" + collection, token, &body, 201, kind);
    call("GET", "/api/v1/" + collection + "/" + std::to_string(created["id"].get<int>()), token, nullptr, 200, kind);
    const Json page = call("GET", "/api/v1/" + collection, token, nullptr, 200);
    EXPECT_FALSE(page["items"].empty()) << collection;
  }
  const Json timeline = call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/timeline", token, nullptr, 200);
  ASSERT_GE(timeline["entries"].size(), 5u);
  for (std::size_t i = 1; i < timeline["entries"].size(); ++i)
    EXPECT_LE(timeline["entries"][i - 1]["at"].get<std::string>(), timeline["entries"][i]["at"].get<std::string>());
}

TEST_P(Api, BadInputGetsAProblemNamingTheField) {
  const std::string token = login("maria", "maria's long password");
  Json bad = kCase;
  bad["opened_on"] = "2026-02-30";
  EXPECT_EQ(call("POST", "/api/v1/cases", token, &bad, 400)["field"], "/opened_on");
  bad = kCase;
  bad["unknown"] = 1;
  EXPECT_EQ(call("POST", "/api/v1/cases", token, &bad, 400)["field"], "/unknown");
  auto c = client();
  auto malformed = c.Post("/api/v1/cases", auth(token), "{\"title\": ", "application/json");
  EXPECT_EQ(malformed->status, 400);
  auto invalid_utf8 = c.Post("/api/v1/cases", auth(token), "{\"title\": \"\xC3\x28\"}", "application/json");
  EXPECT_EQ(invalid_utf8->status, 400);
  auto huge = c.Post("/api/v1/cases", auth(token), std::string(2 << 20, ' '), "application/json");
  EXPECT_EQ(huge->status, 413);
  auto bad_filter = c.Get("/api/v1/cases?colour=red", auth(token));
  EXPECT_EQ(bad_filter->status, 400);
  EXPECT_EQ(c.Get("/api/v1/cases/abc", auth(token))->status, 404);
  EXPECT_EQ(c.Get("/api/v1/nothing", auth(token))->status, 404);
  const int case_id = call("POST", "/api/v1/cases", token, &kCase, 201)["id"];
  const Json stages = {{"case_id", case_id}, {"stages", {{{"stage", "verdict"}, {"date", "2026-01-01"}, {"verdict", "conviction"}}}}};
  EXPECT_EQ(call("POST", "/api/v1/legal-cases", token, &stages, 409)["field"], "/stages/0/stage");
  EXPECT_EQ(c.Get("/healthz")->status, 200);  // still serving
}

TEST_P(Api, NoLeakAcrossOrganisationsAndRolesAreEnforced) {
  const std::string maria = login("maria", "maria's long password");
  const std::string kwame = login("kwame", "kwame's long password");
  const std::string ana = login("ana", "ana's long password!");
  const Json person_body = {{"given_name", "Ama"}, {"family_name", "Mensah"}, {"sex", "female"}};
  const int id = call("POST", "/api/v1/persons", maria, &person_body, 201)["id"];
  const std::string path = "/api/v1/persons/" + std::to_string(id);
  call("GET", path, kwame, nullptr, 404);  // as if it did not exist
  const Json theirs = call("GET", "/api/v1/persons", kwame, nullptr, 200);
  for (const auto& item : theirs["items"]) EXPECT_NE(item["id"], id);
  const Json seen = call("GET", path, ana, nullptr, 200, "person");
  EXPECT_FALSE(seen.contains("given_name"));
  EXPECT_EQ(seen["age_band"], "unknown");
  EXPECT_EQ(seen["sex"], "female");
  call("POST", "/api/v1/persons", ana, &person_body, 403);
  call("GET", "/api/v1/cases", "", nullptr, 401);
  call("GET", "/api/v1/cases", std::string(64, 'a'), nullptr, 401);
  auto wrong = client().Post("/api/v1/sessions", Json{{"username", "maria"}, {"password", "nope nope nope"}}.dump(), "application/json");
  EXPECT_EQ(wrong->status, 401);
}

// Every route but logging in answers 401 to a request without a valid session or token.
TEST_P(Api, EveryRouteNeedsASession) {
  const Json doc = openapi_document();
  auto c = client();
  int routes = 0;
  for (const auto& [path_template, operations] : doc["paths"].items()) {
    std::string path = path_template;
    for (const auto& [name, value] : {std::pair{"{id}", "1"}, std::pair{"{name}", "funnel"}, std::pair{"{index}", "0"}})
      if (const auto at = path.find(name); at != std::string::npos) path.replace(at, std::string(name).size(), value);
    for (const auto& [method, operation] : operations.items()) {
      // Logging in, and monitoring (/healthz, /metrics: "security": [] in the document), need no session.
      if (method == "parameters" || (path == "/api/v1/sessions" && method == "post")) continue;
      if (operation.contains("security") && operation["security"].empty()) continue;
      for (const std::string& token : {std::string(), std::string(64, 'f')}) {
        httplib::Headers headers;
        if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
        httplib::Result res = method == "get"     ? c.Get(path, headers)
                              : method == "post"  ? c.Post(path, headers, "{}", "application/json")
                              : method == "patch" ? c.Patch(path, headers, "{}", "application/json")
                              : method == "put"   ? c.Put(path, headers, "bytes", "application/octet-stream")
                                                  : c.Delete(path, headers);
        ASSERT_TRUE(res) << method << " " << path;
        EXPECT_EQ(res->status, 401) << method << " " << path << " -> " << res->body;
      }
      ++routes;
    }
  }
  EXPECT_GT(routes, 60);
}

TEST_P(Api, OpenApiDocumentIsServedAndCoversEveryCollection) {
  auto res = client().Get("/api/v1/openapi.json");
  ASSERT_EQ(res->status, 200);
  const Json doc = Json::parse(res->body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const auto& spec : entity_specs()) {
    EXPECT_TRUE(doc["paths"].contains("/api/v1/" + spec.collection)) << spec.collection;
    EXPECT_TRUE(doc["components"]["schemas"].contains(spec.kind));
  }
  for (const char* path : {"/api/v1/sessions", "/api/v1/me", "/api/v1/me/password", "/api/v1/me/totp", "/api/v1/me/totp/confirm",
                           "/api/v1/users", "/api/v1/users/{id}", "/api/v1/users/{id}/password", "/api/v1/audit",
                           "/api/v1/cases/{id}/timeline", "/healthz", "/metrics"})
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
}

TEST_P(Api, NeedToKnowBreakGlassAndTheAuditTrail) {
  const std::string maria = login("maria", "maria's long password");  // org_admin: sees the organisation
  const std::string jose = login("jose", "jose's long password");     // caseworker: need to know
  Json assigned = kCase, elsewhere = kCase;
  assigned["assigned_user_ids"] = {worker_id_};
  elsewhere["assigned_user_ids"] = {1};
  const int mine = call("POST", "/api/v1/cases", maria, &assigned, 201)["id"];
  const int theirs = call("POST", "/api/v1/cases", maria, &elsewhere, 201)["id"];
  call("GET", "/api/v1/cases/" + std::to_string(mine), jose, nullptr, 200, "case");
  const Json refused = call("GET", "/api/v1/cases/" + std::to_string(theirs), jose, nullptr, 403);
  EXPECT_NE(refused["detail"].get<std::string>().find("X-Haven-Break-Glass"), std::string::npos);
  const Json visible = call("GET", "/api/v1/cases?limit=1000", jose, nullptr, 200);
  for (const auto& item : visible["items"]) EXPECT_NE(item["id"], theirs);
  const Json event = {{"case_id", theirs}, {"occurred_at", "2026-03-05T09:00:00Z"}, {"type", "note"}};
  call("POST", "/api/v1/case-events", jose, &event, 403);  // cannot write into a case not theirs
  auto c = client();
  auto glass = c.Get("/api/v1/cases/" + std::to_string(theirs), auth(jose, "imminent_danger"));
  ASSERT_TRUE(glass);
  EXPECT_EQ(glass->status, 200);
  EXPECT_EQ(c.Get("/api/v1/cases/" + std::to_string(theirs), auth(jose, "curiosity"))->status, 400);
  ASSERT_TRUE(audit_->flush().ok());
  const std::string auditor = login("aud", "audrey's long password");
  const Json flagged = call("GET", "/api/v1/audit?action=break_glass", auditor, nullptr, 200);
  ASSERT_EQ(flagged["items"].size(), 1u);
  expect_matches(flagged["items"][0], "AuditEntry");
  EXPECT_EQ(flagged["items"][0]["record_id"], theirs);
  EXPECT_EQ(flagged["items"][0]["detail"]["reason"], "imminent_danger");
  const Json reads = call("GET", "/api/v1/audit?kind=case&record_id=" + std::to_string(mine), auditor, nullptr, 200);
  bool read_by_jose = false;
  for (const auto& e : reads["items"]) read_by_jose |= e["actor"] == "jose" && e["action"] == "read";
  EXPECT_TRUE(read_by_jose);
  call("GET", "/api/v1/audit", jose, nullptr, 403);
  auto verified = audit_->verify({});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->problem;
}

TEST_P(Api, ReferralsShareOnlyWhatTheSurvivorConsentedTo) {
  const std::string maria = login("maria", "maria's long password");  // organisation 1
  const std::string kwame = login("kwame", "kwame's long password");   // organisation 2
  const int case_id = call("POST", "/api/v1/cases", maria, &kCase, 201)["id"];
  const Json survivor_body = {{"given_name", "Dara"}, {"family_name", "Sok"}, {"phone", "+855 12 555 010"}, {"sex", "female"}};
  const Json other_body = {{"given_name", "Vanna"}, {"family_name", "Chea"}, {"sex", "male"}};
  const int survivor = call("POST", "/api/v1/persons", maria, &survivor_body, 201)["id"];
  const int other = call("POST", "/api/v1/persons", maria, &other_body, 201)["id"];
  for (const auto& [person, role] : {std::pair{survivor, "victim"}, std::pair{other, "suspect"}}) {
    const Json link = {{"case_id", case_id}, {"person_id", person}, {"role", role}};
    call("POST", "/api/v1/case-persons", maria, &link, 201);
  }
  const Json consent_body = {{"person_id", survivor}, {"given_on", "2026-03-11"},
                             {"purposes", {"referral", "prosecution"}}, {"share_with_org_ids", {2}}};
  const int consent = call("POST", "/api/v1/consents", maria, &consent_body, 201)["id"];
  const Json narrow_body = {{"person_id", survivor}, {"given_on", "2026-03-11"}, {"purposes", {"case_management"}}};
  const int narrow = call("POST", "/api/v1/consents", maria, &narrow_body, 201)["id"];
  Json referral_body = {{"case_id", case_id}, {"consent_id", narrow}, {"to_org_id", 2},
                        {"shared", {"person_names"}}, {"purpose", "prosecution"}};
  EXPECT_EQ(call("POST", "/api/v1/referrals", maria, &referral_body, 409)["field"], "/consent_id");
  referral_body["consent_id"] = consent;
  const Json referral = call("POST", "/api/v1/referrals", maria, &referral_body, 201, "referral");
  EXPECT_EQ(referral["status"], "pending");
  const std::string shared = "/api/v1/shared/cases/" + std::to_string(case_id);
  call("GET", shared, kwame, nullptr, 404);  // not accepted yet
  const Json inbox = call("GET", "/api/v1/referrals/incoming", kwame, nullptr, 200);
  ASSERT_EQ(inbox["items"].size(), 1u);
  const std::string accept = "/api/v1/referrals/" + std::to_string(referral["id"].get<int>()) + "/accept";
  const Json empty = Json::object();
  call("POST", accept, maria, &empty, 404);  // only the receiver accepts
  EXPECT_EQ(call("POST", accept, kwame, &empty, 200)["status"], "accepted");
  const Json seen = call("GET", shared, kwame, nullptr, 200);
  EXPECT_FALSE(seen["case"].contains("title"));  // case_details were not shared
  ASSERT_EQ(seen["people"].size(), 2u);
  for (const auto& person : seen["people"]) {
    EXPECT_FALSE(person.contains("phone"));
    EXPECT_EQ(person.contains("given_name"), person["id"] == survivor) << person.dump();
  }
  call("GET", "/api/v1/cases/" + std::to_string(case_id), kwame, nullptr, 404);  // the case itself stays theirs
  const std::string revoke = "/api/v1/referrals/" + std::to_string(referral["id"].get<int>()) + "/revoke";
  call("POST", revoke, kwame, &empty, 404);
  call("POST", revoke, maria, &empty, 200);
  call("GET", shared, kwame, nullptr, 404);
}

TEST_P(Api, EvidenceFilesAreStoredOnceSealedAndChecked) {
  const std::string maria = login("maria", "maria's long password");
  const std::string file = "scanned statement of the seized phone's contacts";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(file.data()), file.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  const int case_id = call("POST", "/api/v1/cases", maria, &kCase, 201)["id"];
  const Json item = {{"case_id", case_id}, {"description", "Phone"}, {"sha256", hex}};
  const std::string path = "/api/v1/evidence-items/" + std::to_string(call("POST", "/api/v1/evidence-items", maria, &item, 201)["id"].get<int>()) + "/file";
  auto c = client();
  EXPECT_EQ(c.Put(path, auth(maria), "a different file", "application/octet-stream")->status, 400);
  EXPECT_EQ(c.Put(path, auth(maria), file, "application/octet-stream")->status, 201);
  EXPECT_EQ(c.Put(path, auth(maria), file, "application/octet-stream")->status, 409);  // the original never changes
  auto back = c.Get(path, auth(maria));
  ASSERT_EQ(back->status, 200);
  EXPECT_EQ(back->body, file);
  EXPECT_EQ(c.Get(path, auth(login("ana", "ana's long password!")))->status, 403);
}

TEST_P(Api, CookieSessionsNeedTheCsrfTokenForChanges) {
  auto c = client();
  auto res = c.Post("/api/v1/sessions", Json{{"username", "maria"}, {"password", "maria's long password"}}.dump(), "application/json");
  ASSERT_EQ(res->status, 201);
  const std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  const std::string csrf = Json::parse(res->body)["csrf_token"];
  const httplib::Headers with_cookie = {{"Cookie", cookie.substr(0, cookie.find(';'))}};
  EXPECT_EQ(c.Get("/api/v1/me", with_cookie)->status, 200);
  EXPECT_EQ(c.Post("/api/v1/cases", with_cookie, kCase.dump(), "application/json")->status, 403);
  httplib::Headers with_csrf = with_cookie;
  with_csrf.emplace("X-CSRF-Token", csrf);
  EXPECT_EQ(c.Post("/api/v1/cases", with_csrf, kCase.dump(), "application/json")->status, 201);
}

TEST_P(Api, AccountsAndLookUpsBySealedFields) {
  const std::string maria = login("maria", "maria's long password");
  const Json new_user = {{"username", "lena"}, {"display_name", "Lena"}, {"roles", {"social_worker"}}, {"password", "lena's first password"}};
  const Json created = call("POST", "/api/v1/users", maria, &new_user, 201);
  const std::string lena = login("lena", "lena's first password");
  call("POST", "/api/v1/users", lena, &new_user, 403);
  const Json change = {{"current_password", "lena's first password"}, {"new_password", "lena's second password"}};
  call("POST", "/api/v1/me/password", lena, &change, 204);
  call("GET", "/api/v1/me", lena, nullptr, 401);  // the change ended every session
  const std::string lena2 = login("lena", "lena's second password");
  Json current;
  const Json users = call("GET", "/api/v1/users", maria, nullptr, 200);
  expect_matches(created, "User");
  for (const auto& user : users["items"])
    if (user["username"] == "lena") current = user;
  EXPECT_EQ(current["version"], 2);  // the password change counted as a change
  const Json stale = {{"version", created["version"]}, {"disabled", true}};
  call("PATCH", "/api/v1/users/" + std::to_string(created["id"].get<int>()), maria, &stale, 409);
  const Json demote = {{"version", current["version"]}, {"disabled", true}};
  call("PATCH", "/api/v1/users/" + std::to_string(created["id"].get<int>()), maria, &demote, 200);
  call("GET", "/api/v1/me", lena2, nullptr, 401);  // disabled now, not at expiry

  const Json person = {{"given_name", "Ana"}, {"family_name", "Reyes"}, {"phone", "+63 917 555 0101"}};
  const int id = call("POST", "/api/v1/persons", maria, &person, 201)["id"];
  const Json found = call("GET", "/api/v1/persons?phone=%2B639175550101", maria, nullptr, 200);
  ASSERT_EQ(found["items"].size(), 1u);
  EXPECT_EQ(found["items"][0]["id"], id);
  EXPECT_EQ(call("GET", "/api/v1/persons?family_name=REYES", maria, nullptr, 200)["items"].size(), 1u);
  call("GET", "/api/v1/persons?phone=%2B639175550101", login("ana", "ana's long password!"), nullptr, 403);
}

TEST_P(Api, ReportsAreForOverseersAndSuppressSmallCells) {
  clock_.advance(std::chrono::minutes(6));  // past the login throttle's window: the suite logs in often
  const std::string maria = login("maria", "maria's long password");
  const Json one_case = {{"title", "Report test"}, {"exploitation_form", "labour_brick_kiln"}, {"country", "PH"}, {"opened_on", "2025-04-01"}};
  call("POST", "/api/v1/cases", maria, &one_case, 201);
  call("GET", "/api/v1/reports/funnel", login("jose", "jose's long password"), nullptr, 403);
  const Json report = call("GET", "/api/v1/reports/funnel?period=quarter", maria, nullptr, 200, "Report");
  bool suppressed_seen = false;
  for (const auto& row : report["tables"][0]["rows"]) {
    EXPECT_NE(row["investigations opened"], 1) << "a count of one is never shown";
    suppressed_seen = suppressed_seen || row["investigations opened"] == "<5";
  }
  EXPECT_TRUE(suppressed_seen) << report.dump();
  call("GET", "/api/v1/reports/funnel?min_cell=1", maria, nullptr, 200, "Report");  // raised back to 5
  call("GET", "/api/v1/reports/funnel?period=week", maria, nullptr, 400);
  call("GET", "/api/v1/reports/prevalence", maria, nullptr, 400);
  call("GET", "/api/v1/reports/outcomes", login("ana", "ana's long password!"), nullptr, 200, "Report");
  // The same path is the collection of received reports: with list parameters it lists those.
  const Json intake = {{"channel", "hotline"}, {"received_at", "2025-01-05T08:00:00Z"}, {"priority", "high"}};
  call("POST", "/api/v1/reports", maria, &intake, 201);
  EXPECT_TRUE(call("GET", "/api/v1/reports", maria, nullptr, 200)["items"][0].is_string());
  const Json received = call("GET", "/api/v1/reports?sort=received_at&order=desc&limit=5", maria, nullptr, 200);
  ASSERT_FALSE(received["items"].empty());
  EXPECT_EQ(received["items"][0]["channel"], "hotline");
  call("GET", "/api/v1/reports?sort=no_such_field", maria, nullptr, 400);

  auto c = client();
  auto csv = c.Get("/api/v1/reports/funnel?format=csv", auth(maria));
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("period,reports received", 0), 0u) << csv->body;
  auto xlsx = c.Get("/api/v1/reports/strengthening?format=xlsx", auth(maria));
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
  auto svg = c.Get("/api/v1/reports/funnel/charts/0.svg", auth(maria));
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_NE(svg->body.find("<svg"), std::string::npos);
  auto png = c.Get("/api/v1/reports/time-to-justice/charts/1.png", auth(maria));
  ASSERT_TRUE(png);
  EXPECT_EQ(png->body.substr(1, 3), "PNG");
  call("GET", "/api/v1/reports/funnel/charts/9.svg", maria, nullptr, 404);
}

TEST_P(Api, ExportsShowRecordsAsTheCallerMaySeeThem) {
  clock_.advance(std::chrono::minutes(6));
  {
    // More than one page of persons, so the CSV download streams several chunks.
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    const EntitySpec& person = *find_entity("person");
    auto org = (*tx)->find_user("maria");
    ASSERT_TRUE(org.ok());
    ASSERT_TRUE(create_record(**tx, person, org->org_id, {{"given_name", "=HYPERLINK(\"http://x\")"}, {"family_name", "अंसारी"},
                                                          {"birth_date", "2009-04-02"}, {"region", "Tarlac"}}, clock_).ok());
    for (int i = 0; i < 1200; ++i)
      ASSERT_TRUE(create_record(**tx, person, org->org_id, {{"given_name", "Person" + std::to_string(i)}, {"region", "Cebu"}}, clock_).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto c = client();
  const std::string maria = login("maria", "maria's long password");
  auto csv = c.Get("/api/v1/exports/persons.csv?region.gte=Cebu&region.lte=Tarlac", auth(maria));
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBFid,display_code,", 0), 0u);
  EXPECT_NE(csv->body.find("given_name"), std::string::npos);
  EXPECT_NE(csv->body.find("अंसारी"), std::string::npos);
  EXPECT_NE(csv->body.find("'=HYPERLINK"), std::string::npos) << "a formula is guarded";
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 1 + 1201) << "header and every person, across pages";
  auto tarlac = c.Get("/api/v1/exports/persons.csv?region=Tarlac", auth(maria));
  ASSERT_TRUE(tarlac);
  EXPECT_EQ(std::count(tarlac->body.begin(), tarlac->body.end(), '\n'), 2) << tarlac->body;

  // Analysts get the pseudonymised view: no identifying column, an age band instead.
  auto pseudonymised = c.Get("/api/v1/exports/persons.csv?region=Tarlac", auth(login("ana", "ana's long password!")));
  ASSERT_TRUE(pseudonymised);
  ASSERT_EQ(pseudonymised->status, 200);
  const std::string header = pseudonymised->body.substr(0, pseudonymised->body.find('\n'));
  EXPECT_EQ(header.find("given_name"), std::string::npos) << header;
  EXPECT_EQ(header.find("birth_date"), std::string::npos) << header;
  EXPECT_NE(header.find("age_band"), std::string::npos) << header;
  EXPECT_EQ(pseudonymised->body.find("अंसारी"), std::string::npos);
  EXPECT_NE(pseudonymised->body.find("12-17"), std::string::npos) << pseudonymised->body;

  // A caseworker limited to need to know exports only the records of their cases.
  Json open_case = kCase;
  open_case["region"] = "Kampot";
  Json assigned = open_case;
  assigned["assigned_user_ids"] = {worker_id_};
  call("POST", "/api/v1/cases", maria, &open_case, 201);  // nobody's: open to the organisation
  call("POST", "/api/v1/cases", maria, &assigned, 201);
  Json elsewhere = open_case;
  elsewhere["assigned_user_ids"] = {call("GET", "/api/v1/me", maria, nullptr, 200)["id"]};
  call("POST", "/api/v1/cases", maria, &elsewhere, 201);
  auto jose = c.Get("/api/v1/exports/cases.csv?region=Kampot", auth(login("jose", "jose's long password")));
  ASSERT_TRUE(jose);
  EXPECT_EQ(std::count(jose->body.begin(), jose->body.end(), '\n'), 1 + 2) << jose->body;
  auto all = c.Get("/api/v1/exports/cases.csv?region=Kampot", auth(maria));
  EXPECT_EQ(std::count(all->body.begin(), all->body.end(), '\n'), 1 + 3);

  auto xlsx = c.Get("/api/v1/exports/persons.xlsx?region=Tarlac", auth(maria));
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
  EXPECT_NE(xlsx->get_header_value("Content-Disposition").find(".xlsx"), std::string::npos);

  call("GET", "/api/v1/exports/nothing.csv", maria, nullptr, 404);
  EXPECT_EQ(call("GET", "/api/v1/exports/persons.csv?colour=red", maria, nullptr, 400)["field"], "colour");
  call("GET", "/api/v1/exports/persons.csv?family_name=Reyes", login("ana", "ana's long password!"), nullptr, 403);
  EXPECT_EQ(c.Get("/api/v1/exports/persons.csv")->status, 401);
  const Json exports = call("GET", "/api/v1/audit?action=export", login("aud", "audrey's long password"), nullptr, 200);
  EXPECT_GE(exports["items"].size(), 4u) << exports.dump();
  EXPECT_EQ(exports.dump().find("अंसारी"), std::string::npos) << "the audit log names filters, never values of identifying look-ups";
}

TEST_P(Api, EstimatesFromACaptureTable) {
  clock_.advance(std::chrono::minutes(6));
  const std::string ana = login("ana", "ana's long password!");
  // Korea's three lists (Silverman, Chan and Vincent 2024), as rows.
  const Json table = {{"lists", {"b", "c", "d"}},
                      {"rows", {{{"on", {0, 0, 1}}, {"count", 41}}, {{"on", {0, 1, 0}}, {"count", 5}},
                                {{"on", {1, 0, 0}}, {"count", 5}}, {{"on", {1, 1, 0}}, {"count", 54}},
                                {{"on", {0, 1, 1}}, {"count", 4}}, {{"on", {1, 0, 1}}, {"count", 10}},
                                {{"on", {1, 1, 1}}, {"count", 4}}}}};
  const Json estimate = call("POST", "/api/v1/estimates", ana, &table, 200, "Estimate");
  EXPECT_EQ(estimate["observed"], 123);
  EXPECT_GE(estimate["total"].get<double>(), 123);
  EXPECT_FALSE(estimate["report"].get<std::string>().empty());
  auto c = client();
  auto as_csv = c.Post("/api/v1/estimates?select=bic", auth(ana), "b,c,d,count\n0,0,1,41\n0,1,0,5\n1,0,0,5\n1,1,0,54\n0,1,1,4\n1,0,1,10\n1,1,1,4\n",
                       "text/csv");
  ASSERT_TRUE(as_csv);
  EXPECT_EQ(as_csv->status, 200) << as_csv->body;
  EXPECT_EQ(Json::parse(as_csv->body)["observed"], 123);
  const Json csv = {{"csv", "A,B,count\n1,0,10\n0,1,12\n1,1,-3\n"}};
  const Json refused = call("POST", "/api/v1/estimates", ana, &csv, 400);
  EXPECT_NE(refused["detail"].get<std::string>().find("negative"), std::string::npos) << refused.dump();
  const Json malformed = {{"lists", {"A", "B"}}, {"rows", {{{"on", {1, 2}}, {"count", 3}}}}};
  call("POST", "/api/v1/estimates", ana, &malformed, 400);
  call("POST", "/api/v1/estimates?bootstrap=100000", ana, &table, 400);
  // From Haven's own victims: this organisation has too few to estimate, and says so.
  const Json too_few = call("GET", "/api/v1/estimates/haven?from=2020-01-01", ana, nullptr, 409);
  EXPECT_NE(too_few["detail"].get<std::string>().find("victims in scope"), std::string::npos) << too_few.dump();
  call("GET", "/api/v1/estimates/haven?from=last-year", ana, nullptr, 400);
  call("GET", "/api/v1/estimates/haven", login("jose", "jose's long password"), nullptr, 403);
}

TEST_P(Api, PersonSearchMergeAndTheReviewQueue) {
  clock_.advance(std::chrono::minutes(6));  // past the login throttle's window
  const std::string maria = login("maria", "maria's long password");
  const std::string jose = login("jose", "jose's long password");
  const Json first_intake = {{"given_name", "Mohammed"}, {"family_name", "Rahman"}, {"birth_date", "1990-05-04"}, {"sex", "male"}};
  const Json second_intake = {{"given_name", "Rahman"}, {"family_name", "Md."}, {"birth_date", "1990-04-05"}, {"sex", "male"}};
  const std::int64_t kept = call("POST", "/api/v1/persons", maria, &first_intake, 201)["id"];
  const std::int64_t duplicate = call("POST", "/api/v1/persons", maria, &second_intake, 201)["id"];
  auto ids_found = [&](const std::string& token, const Json& query) {
    std::vector<std::int64_t> ids;
    const Json answer = call("POST", "/api/v1/persons/search", token, &query, 200);
    for (const auto& item : answer["items"]) ids.push_back(item["person"]["id"]);
    return ids;
  };
  const Json query = {{"name", "मोहम्मद रहमान"}, {"birth_date", "1990-05-04"}, {"min_score", 0.5}};
  const Json answer = call("POST", "/api/v1/persons/search", maria, &query, 200);
  ASSERT_GE(answer["items"].size(), 2u) << answer.dump();
  EXPECT_EQ(answer["items"][0]["person"]["id"], kept);
  EXPECT_EQ(answer["items"][0]["person"]["given_name"], "Mohammed");
  EXPECT_FALSE(answer["items"][0]["explanation"].get<std::string>().empty());
  EXPECT_EQ(answer["items"][1]["person"]["id"], duplicate);

  call("POST", "/api/v1/persons/search", login("ana", "ana's long password!"), &query, 403);
  EXPECT_TRUE(ids_found(login("kwame", "kwame's long password"), query).empty()) << "another organisation's people are never found";
  const Json bad = {{"name", "x"}, {"top_k", 1000}};
  call("POST", "/api/v1/persons/search", maria, &bad, 400);
  const Json nothing = Json::object();
  call("POST", "/api/v1/persons/search", maria, &nothing, 400);

  // Need to know: once the duplicate is in a case assigned to Maria only, Jose's search leaves it out.
  const std::int64_t maria_id = call("GET", "/api/v1/me", maria, nullptr, 200)["id"];
  const Json assigned = {{"title", "Assigned case"}, {"exploitation_form", "labour_fishing"}, {"country", "PH"},
                         {"opened_on", "2026-03-01"}, {"assigned_user_ids", {maria_id}}};
  const std::int64_t case_id = call("POST", "/api/v1/cases", maria, &assigned, 201)["id"];
  const Json role = {{"case_id", case_id}, {"person_id", duplicate}, {"role", "victim"}};
  call("POST", "/api/v1/case-persons", maria, &role, 201);
  auto seen_by_jose = ids_found(jose, query);
  EXPECT_EQ(std::count(seen_by_jose.begin(), seen_by_jose.end(), duplicate), 0);
  EXPECT_EQ(std::count(seen_by_jose.begin(), seen_by_jose.end(), kept), 1);

  // The review queue, then the merge and its undo.
  const Json pair = {{"person_id", kept}, {"other_person_id", duplicate}};
  const std::int64_t candidate = call("POST", "/api/v1/duplicate-candidates", maria, &pair, 201, "duplicate_candidate")["id"];
  EXPECT_EQ(call("POST", "/api/v1/duplicate-candidates/" + std::to_string(candidate) + "/confirm", maria, &nothing, 200)["status"], "confirmed");
  call("POST", "/api/v1/duplicate-candidates/" + std::to_string(candidate) + "/confirm", maria, &nothing, 409);
  const Json merge_body = {{"duplicate_id", duplicate}, {"reason", "same man, second intake"}};
  call("POST", "/api/v1/persons/" + std::to_string(kept) + "/merge", jose, &merge_body, 403);
  const Json merge = call("POST", "/api/v1/persons/" + std::to_string(kept) + "/merge", maria, &merge_body, 201, "person_merge");
  EXPECT_EQ(merge["moved"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/v1/persons/" + std::to_string(duplicate), maria, nullptr, 200)["merged_into"], kept);
  auto after_merge = ids_found(maria, query);
  EXPECT_EQ(std::count(after_merge.begin(), after_merge.end(), duplicate), 0) << "a merged duplicate is not found";
  call("POST", "/api/v1/persons/" + std::to_string(kept) + "/merge", maria, &merge_body, 409);
  const std::string undo = "/api/v1/person-merges/" + std::to_string(merge["id"].get<std::int64_t>()) + "/undo";
  EXPECT_EQ(call("POST", undo, maria, &nothing, 200, "person_merge")["status"], "undone");
  call("POST", undo, maria, &nothing, 409);
  auto after_undo = ids_found(maria, query);
  EXPECT_EQ(std::count(after_undo.begin(), after_undo.end(), duplicate), 1) << "found again after the undo";
  const Json direct = {{"person_id", kept}, {"merged_person_id", duplicate}};
  call("POST", "/api/v1/person-merges", maria, &direct, 409);  // only the merge route makes merges
}

TEST_P(Api, MetricsCountRequestsByRouteClassAndStatusWithoutIdentifyingData) {
  auto c = client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_FALSE(health->has_header("X-Haven-Started")) << "the timing header never leaves the server";
  ASSERT_TRUE(c.Get("/api/v1/cases"));                         // 401: not logged in
  ASSERT_TRUE(c.Get("/api/v1/no-such-route/Maria-Santos"));    // 404: its path is no label
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  const std::string& body = res->body;
  for (const char* expected :
       {"haven_http_requests_total{route=\"healthz\",status=\"200\"}", "haven_http_requests_total{route=\"cases\",status=\"401\"}",
        "haven_http_requests_total{route=\"other\",status=\"404\"}", "haven_http_request_duration_seconds_bucket{route=\"cases\",le=\"+Inf\"}",
        "# TYPE haven_http_request_duration_seconds histogram", "haven_process_start_time_seconds ", "haven_database_up 1",
        "haven_audit_read_queue_length ", "haven_persons_indexed "})
    EXPECT_NE(body.find(expected), std::string::npos) << expected << " in\n" << body;
  // The PostgreSQL connection pool: this request holds none while the page is rendered.
  const bool pooled = GetParam() == Backend::kPostgres;
  for (const char* gauge : {"haven_database_connections_in_use ", "haven_database_connections_open ",
                            "haven_database_connections_max 16", "haven_database_connections_waiting 0"})
    EXPECT_EQ(body.find(gauge) != std::string::npos, pooled) << gauge << " in\n" << body;
  EXPECT_EQ(body.find("Maria"), std::string::npos);
  EXPECT_EQ(body.find("no-such-route"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Api, kBothBackends, backend_name);

// A store whose database cannot be reached: every transaction fails as PostgreSQL's would.
class UnreachableStore final : public Store {
 public:
  Result<std::unique_ptr<Transaction>> begin(bool) override {
    return Error{ErrorCode::kUnavailable, "the database is unavailable; try again shortly", ""};
  }
  int schema_version() const override { return kLatestSchemaVersion; }
  Status backup_to(const std::filesystem::path&) override { return begin(false).status(); }
  Status rewrap_data_keys(const KeyRing&) override { return begin(false).status(); }
  Result<std::uint64_t> rotate_data_keys(const std::function<void(std::uint64_t, std::uint64_t)>&) override {
    return begin(false).error();
  }
};

TEST(ApiHealth, AServerWhoseDatabaseIsUnreachableAnswers503) {
  UnreachableStore store;
  FixedClock clock(std::chrono::system_clock::now());
  AuditLog audit(store, clock, Key{7});
  ApiOptions options;
  options.log_requests = false;
  ApiServer server(store, clock, audit, options);
  ASSERT_TRUE(server.bind("127.0.0.1", 0).ok());
  std::thread thread([&] { (void)server.listen_bound(); });
  httplib::Client c("127.0.0.1", server.port());
  auto health = c.Get("/healthz");
  auto metrics = c.Get("/metrics");
  server.stop();
  thread.join();
  ASSERT_TRUE(health && metrics);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(metrics->body.find("haven_database_up 0"), std::string::npos) << metrics->body;
  EXPECT_EQ(metrics->body.find("haven_persons_indexed"), std::string::npos) << "no finder, no gauge";
}

TEST(AcceptEncoding, BrotliIsTakenOutTheRestKept) {
  EXPECT_EQ(http::without_brotli("gzip, deflate, br, zstd"), "gzip, deflate, zstd");
  EXPECT_EQ(http::without_brotli("br;q=1.0, gzip;q=0.8"), "gzip;q=0.8");
  EXPECT_EQ(http::without_brotli("br"), "");
  EXPECT_EQ(http::without_brotli("identity"), "identity");
  EXPECT_EQ(http::without_brotli("brotli-ish, gzip"), "brotli-ish, gzip");
}

// An empty embedded file (esbuild writes empty shared chunks) once left the request hanging.
TEST(StaticFiles, EmptyAndNonEmptyBodiesAreSentWhole) {
  static constexpr std::string_view kScript = "export const x = 1;\n";
  httplib::Server server;
  server.Get("/empty.js", [](const httplib::Request&, httplib::Response& res) {
    http::send_static(res, {}, "text/javascript");
  });
  server.Get("/x.js", [](const httplib::Request&, httplib::Response& res) {
    http::send_static(res, kScript, "text/javascript");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(5, 0);
  auto empty = c.Get("/empty.js", {{"Accept-Encoding", "gzip"}});
  auto script = c.Get("/x.js");
  server.stop();
  thread.join();
  ASSERT_TRUE(empty) << "no answer for an empty file: " << httplib::to_string(empty.error());
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(empty->get_header_value("Content-Type"), "text/javascript");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, kScript);
}

}  // namespace
}  // namespace haven

#include <nlohmann/json.hpp>

#include "api/api.hpp"

namespace haven {
namespace {

Json field_schema(const FieldSpec& f) {
  Json s;
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kText:
      s = {{"type", "string"}, {"maxLength", f.max_length}};
      if (f.format == "country") s["pattern"] = "^[A-Z]{2}$";
      if (f.format == "sha256") s["pattern"] = "^[0-9a-f]{64}$";
      break;
    case FieldType::kEnum: s = {{"type", "string"}, {"enum", f.choices}}; break;
    case FieldType::kDate: s = {{"type", "string"}, {"format", "date"}}; break;
    case FieldType::kDateTime: s = {{"type", "string"}, {"format", "date-time"}}; break;
    case FieldType::kInteger: s = {{"type", "integer"}, {"minimum", f.min}, {"maximum", f.max}}; break;
    case FieldType::kNumber: s = {{"type", "number"}, {"minimum", f.min}, {"maximum", f.max}}; break;
    case FieldType::kBoolean: s = {{"type", "boolean"}}; break;
    case FieldType::kRef: s = {{"type", "integer"}, {"minimum", 1}, {"description", "id of a " + f.ref_kind}}; break;
    case FieldType::kStringList:
      s = {{"type", "array"}, {"items", {{"type", "string"}}}, {"maxItems", f.max_length}};
      break;
    case FieldType::kEnumList:
      s = {{"type", "array"}, {"items", {{"type", "string"}, {"enum", f.choices}}}, {"uniqueItems", true}};
      break;
    case FieldType::kRefList:
      s = {{"type", "array"}, {"items", {{"type", "integer"}, {"minimum", 1}}}, {"maxItems", f.max_length}};
      break;
    case FieldType::kObject:
    case FieldType::kObjectList: {
      Json object = {{"type", "object"}, {"additionalProperties", false}, {"properties", Json::object()}};
      Json required = Json::array();
      for (const auto& sub : f.fields) {
        object["properties"][sub.name] = field_schema(sub);
        if (sub.required) required.push_back(sub.name);
      }
      if (!required.empty()) object["required"] = required;
      s = f.type == FieldType::kObject ? object
                                       : Json{{"type", "array"}, {"items", object}, {"maxItems", f.max_length}};
      break;
    }
    case FieldType::kCustom:
      s = {{"type", "object"}, {"description", "Custom fields of the organisation's latest form definition"}};
      break;
  }
  if (!f.description.empty() && !s.contains("description")) s["description"] = f.description;
  if (f.read_only) s["readOnly"] = true;
  // For generic forms and lists (web/src/lib/schema.ts): what a reference points to, and which
  // fields lists filter and sort by.
  if (!f.ref_kind.empty()) s["x-haven-ref"] = f.ref_kind;
  if (f.indexed) s["x-haven-indexed"] = true;
  if (f.sensitivity == Sensitivity::kIdentifying)
    s["x-haven-sensitivity"] = "identifying";
  else if (f.sensitivity == Sensitivity::kSensitive)
    s["x-haven-sensitivity"] = "sensitive";
  return s;
}

Json entity_schema(const EntitySpec& spec, bool for_input) {
  Json schema = {{"type", "object"}, {"description", spec.description}, {"properties", Json::object()}};
  Json required = Json::array();
  for (const auto& f : spec.fields) {
    if (for_input && f.read_only) continue;
    schema["properties"][f.name] = field_schema(f);
    if (f.required && for_input) required.push_back(f.name);
  }
  if (!for_input && spec.kind == "person")
    schema["properties"]["age_band"] = {{"type", "string"}, {"readOnly", true},
                                        {"enum", {"0-11", "12-17", "18-24", "25-34", "35-49", "50+", "unknown"}},
                                        {"description", "Shown to analysts and auditors instead of identifying fields"}};
  if (!for_input) {
    schema["properties"]["id"] = {{"type", "integer"}};
    schema["properties"]["org_id"] = {{"type", "integer"}};
    schema["properties"]["display_code"] = {{"type", "string"}, {"pattern", "^[A-Z]{2}-[0-9]{4}-[0-9]{5,}$"}};
    schema["properties"]["version"] = {{"type", "integer"}, {"minimum", 1}};
    schema["properties"]["created_at"] = {{"type", "string"}, {"format", "date-time"}};
    schema["properties"]["updated_at"] = {{"type", "string"}, {"format", "date-time"}};
    for (const char* name : {"id", "org_id", "display_code", "version", "created_at", "updated_at"})
      required.push_back(name);
  }
  schema["additionalProperties"] = false;
  if (!required.empty()) schema["required"] = required;
  return schema;
}

Json problem_response(const char* description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

Json json_response(const char* description, Json schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", std::move(schema)}}}}}};
}

Json errors() {
  return {{"400", problem_response("The request is malformed or a field is invalid")},
          {"401", problem_response("Not logged in")},
          {"403", problem_response("Not allowed for your role")}};
}

// Monitoring (docs/operations.md): no session needed, outside /api/v1/, plain text.
void operations_paths(Json& paths) {
  auto text_response = [](const char* description) {
    return Json{{"description", description}, {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}};
  };
  paths["/healthz"]["get"] = {
      {"summary", "Is this server up and does its database answer? For load balancers' health checks"},
      {"tags", {"operations"}},
      {"security", Json::array()},
      {"responses", {{"200", text_response("ok: the server is up and its database answered a trivial query")},
                     {"503", text_response("database unreachable: take this server out of rotation")}}}};
  paths["/metrics"]["get"] = {
      {"summary", "Prometheus metrics (text format 0.0.4): requests by route class and status, latency histogram, "
                  "database up, PostgreSQL connection pool in use, audit queue, persons indexed. Labels never hold "
                  "ids, names or query strings. Absent (404) when the server runs with --no-metrics"},
      {"tags", {"operations"}},
      {"security", Json::array()},
      {"responses",
       {{"200", {{"description", "The metrics"},
                 {"content", {{"text/plain; version=0.0.4", {{"schema", {{"type", "string"}}}}}}}}},
        {"404", problem_response("Metrics are turned off on this server (haven serve --no-metrics)")}}}};
}

// Person search, merges and the duplicate review.
void people_paths(Json& paths) {
  const Json id_in_path = {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}};
  Json field = {{"type", "object"}, {"required", {"field", "verdict", "weight"}},
                {"properties", {{"field", {{"type", "string"}}}, {"verdict", {{"type", "string"}}}, {"weight", {{"type", "number"}}}}}};
  Json match = {{"type", "object"}, {"required", {"person", "score", "explanation", "fields"}},
                {"properties", {{"person", {{"$ref", "#/components/schemas/person"}}}, {"score", {{"type", "number"}}},
                                {"explanation", {{"type", "string"}}}, {"fields", {{"type", "array"}, {"items", field}}}}}};
  Json found = errors();
  Json matches = {{"type", "object"}, {"required", {"items"}}};
  matches["properties"]["items"] = {{"type", "array"}, {"items", match}};
  found["200"] = json_response("The best matches you may see, best first", matches);
  found["503"] = problem_response("Person search is not available on this server");
  Json query = {{"type", "object"},
                {"description", "Any of a person's fields (given_name, family_name, aliases, birth_date, age_estimate, sex, phone, "
                                "address), or name (a full name in any order and script), birth_year, age_min and age_max; "
                                "top_k (1-100, default 10), min_score (0-1; 0.5 for the duplicate warning at intake), "
                                "exclude_person_id"}};
  paths["/api/v1/persons/search"]["post"] = {
      {"summary", "Find a person by name in any script and order, birth date, phone or place (duplicate warning at intake)"},
      {"tags", {"person"}},
      {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", query}}}}}}},
      {"responses", found}};
  Json merge_body = {{"type", "object"}, {"required", {"duplicate_id"}}};
  merge_body["properties"] = {{"duplicate_id", {{"type", "integer"}}}, {"reason", {{"type", "string"}}}};
  Json merged = errors();
  merged["201"] = json_response("The merge, naming every record it moved", {{"$ref", "#/components/schemas/person_merge"}});
  merged["409"] = problem_response("Either is merged already, or both hold the same role in one case");
  paths["/api/v1/persons/{id}/merge"]["post"] = {
      {"summary", "Merge a duplicate into this person (undo with /person-merges/{id}/undo)"},
      {"tags", {"person"}},
      {"parameters", {id_in_path}},
      {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", merge_body}}}}}}},
      {"responses", merged}};
  Json undone = errors();
  undone["200"] = json_response("The merge, now undone", {{"$ref", "#/components/schemas/person_merge"}});
  undone["409"] = problem_response("Undone already");
  paths["/api/v1/person-merges/{id}/undo"]["post"] = {{"summary", "Undo a merge"}, {"tags", {"person_merge"}},
                                                      {"parameters", {id_in_path}}, {"responses", undone}};
  for (const char* action : {"confirm", "reject"}) {
    Json reviewed = errors();
    reviewed["200"] = json_response("The pair", {{"$ref", "#/components/schemas/duplicate_candidate"}});
    reviewed["409"] = problem_response("Merged already");
    paths[std::string("/api/v1/duplicate-candidates/{id}/") + action]["post"] = {
        {"summary", std::string(action) + " that the two are the same person"}, {"tags", {"duplicate_candidate"}},
        {"parameters", {id_in_path}}, {"responses", reviewed}};
  }
}

// The review queue of record linkage's uncertain band (haven link --review-into).
void link_review_paths(Json& paths) {
  const Json id_in_path = {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}};
  const Json count = {{"type", "integer"}, {"minimum", 0}};
  Json run = {{"type", "object"}, {"required", {"run", "pending", "match", "non_match", "total"}},
              {"properties", {{"run", {{"type", "string"}}}, {"pending", count}, {"match", count},
                              {"non_match", count}, {"total", count}}}};
  Json listed = errors();
  listed["200"] = json_response("Your organisation's linkage runs, by name, with their pairs counted by status",
                                {{"type", "object"}, {"required", {"items"}},
                                 {"properties", {{"items", {{"type", "array"}, {"items", run}}}}}});
  paths["/api/v1/link-reviews/runs"]["get"] = {
      {"summary", "Linkage runs with pairs to review (supervisors, investigators; analysts and auditors read)"},
      {"tags", {"link_review"}}, {"responses", listed}};
  Json note = {{"type", "object"}, {"additionalProperties", false},
               {"properties", {{"note", {{"type", "string"}, {"maxLength", 2000}, {"description", "Why (the reviewer's note)"}}}}}};
  const std::pair<const char*, const char*> actions[] = {
      {"match", "Decide that the two records are the same person (from pending)"},
      {"non-match", "Decide that the two records are different people (from pending)"},
      {"reopen", "Undo a decision: the pair is pending again, note and reviewer cleared"}};
  for (const auto& [action, summary] : actions) {
    Json decided = errors();
    decided["200"] = json_response("The pair", {{"$ref", "#/components/schemas/link_review"}});
    decided["404"] = problem_response("No such pair in your organisation");
    decided["409"] = problem_response(std::string_view(action) == "reopen" ? "The pair is pending" : "The pair is decided already; reopen it first");
    Json operation = {{"summary", summary}, {"tags", {"link_review"}}, {"parameters", {id_in_path}}, {"responses", decided}};
    if (std::string_view(action) != "reopen")
      operation["requestBody"] = {{"required", false}, {"content", {{"application/json", {{"schema", note}}}}}};
    paths[std::string("/api/v1/link-reviews/{id}/") + action]["post"] = operation;
  }
}

}  // namespace

Json openapi_document() {
  Json doc = {
      {"openapi", "3.1.0"},
      {"info", {{"title", "Haven API"}, {"version", "1"},
                {"description", "Case management and evidence for the fight against human trafficking. "
                                "Log in with POST /api/v1/sessions and send the token as "
                                "Authorization: Bearer <token>. Browsers use the HttpOnly session cookie instead and send "
                                "X-CSRF-Token (from the login answer) with every change. Staff limited to need to know may "
                                "read a record outside their cases in an emergency with X-Haven-Break-Glass: <reason>; "
                                "every such read is audited and flagged."}}},
      {"servers", {{{"url", "/"}}}},
      {"security", {{{"bearer", Json::array()}}}},
      {"paths", Json::object()},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Problem",
           {{"type", "object"},
            {"description", "RFC 9457 problem details"},
            {"required", {"type", "title", "status", "detail"}},
            {"properties",
             {{"type", {{"type", "string"}}}, {"title", {{"type", "string"}}},
              {"status", {{"type", "integer"}}}, {"detail", {{"type", "string"}}},
              {"field", {{"type", "string"}, {"description", "JSON pointer to the offending field"}}}}}}}}}}}};
  Json& paths = doc["paths"];
  Json& schemas = doc["components"]["schemas"];

  paths["/api/v1/sessions"]["post"] = {
      {"summary", "Log in"},
      {"security", Json::array()},
      {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema",
          {{"type", "object"}, {"required", {"username", "password"}},
           {"properties", {{"username", {{"type", "string"}}}, {"password", {{"type", "string"}}}}}}}}}}}}},
      {"responses", {{"201", json_response("Logged in", {{"type", "object"}, {"required", {"token", "expires_at", "user"}},
                                                         {"properties", {{"token", {{"type", "string"}}},
                                                                         {"expires_at", {{"type", "string"}, {"format", "date-time"}}},
                                                                         {"user", {{"type", "object"}}}}}})},
                     {"401", problem_response("Unknown user or wrong password")}}}};
  paths["/api/v1/sessions"]["delete"] = {{"summary", "Log out"}, {"responses", {{"204", {{"description", "Logged out"}}}}}};
  paths["/api/v1/me"]["get"] = {{"summary", "The logged-in user"},
                                {"responses", {{"200", json_response("The user", {{"type", "object"}})}}}};

  for (const auto& spec : entity_specs()) {
    const std::string name = spec.kind;
    schemas[name] = entity_schema(spec, false);
    schemas[name + "_input"] = entity_schema(spec, true);
    Json patch = entity_schema(spec, true);
    patch.erase("required");
    patch["properties"]["version"] = {{"type", "integer"}, {"description", "The version you are updating (or send If-Match)"}};
    schemas[name + "_patch"] = patch;
    const Json ref = {{"$ref", "#/components/schemas/" + name}};
    Json parameters = Json::array({
        {{"name", "limit"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}}},
        {{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
        {{"name", "sort"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
        {{"name", "order"}, {"in", "query"}, {"schema", {{"type", "string"}, {"enum", {"asc", "desc"}}}}}});
    for (const auto& f : spec.fields) {
      if (!f.indexed) continue;
      parameters.push_back({{"name", f.name}, {"in", "query"}, {"schema", field_schema(f)}});
      if (f.type == FieldType::kDate || f.type == FieldType::kDateTime || f.type == FieldType::kInteger) {
        parameters.push_back({{"name", f.name + ".gte"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
        parameters.push_back({{"name", f.name + ".lte"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
      }
    }
    const std::string collection = "/api/v1/" + spec.collection;
    Json list_responses = errors();
    list_responses["200"] = json_response("A page of records", {{"type", "object"}, {"required", {"items"}},
                                                                {"properties", {{"items", {{"type", "array"}, {"items", ref}}},
                                                                                {"next_cursor", {{"type", "string"}}}}}});
    paths[collection]["get"] = {{"summary", "List " + spec.collection}, {"tags", {spec.kind}},
                                {"parameters", parameters}, {"responses", list_responses}};
    Json export_parameters = Json::array();
    for (const auto& parameter : parameters)
      if (parameter["name"] != "limit" && parameter["name"] != "cursor") export_parameters.push_back(parameter);
    for (const auto& [format, media] : {std::pair{"csv", "text/csv"},
                                        std::pair{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}) {
      Json export_responses = errors();
      export_responses["200"] = {{"description", "Every matching record as you may see it (pseudonymised for analysts and auditors); "
                                                 "the export is recorded in the audit log"},
                                 {"content", {{media, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
      if (std::string_view(format) == "xlsx") export_responses["413"] = problem_response("More than 100,000 records match; narrow the filters or use CSV");
      paths["/api/v1/exports/" + spec.collection + "." + format]["get"] = {
          {"summary", "Export " + spec.collection + " as " + format + ", with the list's filters and sort"}, {"tags", {spec.kind}},
          {"parameters", export_parameters}, {"responses", export_responses}};
    }
    Json create_responses = errors();
    create_responses["201"] = json_response("Created", ref);
    paths[collection]["post"] = {
        {"summary", "Create a " + spec.kind}, {"tags", {spec.kind}},
        {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + name + "_input"}}}}}}}}},
        {"responses", create_responses}};
    const Json id_parameter = {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}};
    Json read_responses = errors();
    read_responses["200"] = json_response("The record", ref);
    read_responses["404"] = problem_response("No such record in your organisation");
    Json update_responses = read_responses;
    update_responses["409"] = problem_response("The record changed since you read it, or a workflow rule forbids the change");
    update_responses["428"] = problem_response("Say which version you update");
    paths[collection + "/{id}"] = {
        {"parameters", {id_parameter}},
        {"get", {{"summary", "Read a " + spec.kind}, {"tags", {spec.kind}}, {"responses", read_responses}}},
        {"patch", {{"summary", "Update a " + spec.kind + " (fields given replace, null removes)"}, {"tags", {spec.kind}},
                   {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + name + "_patch"}}}}}}}}},
                   {"responses", update_responses}}}};
    if (spec.workflow_only) {  // made by their own operation (a merge), never written directly
      paths[collection].erase("post");
      paths[collection + "/{id}"].erase("patch");
    }
  }
  Json timeline_responses = errors();
  // Accounts and the audit log.
  schemas["User"] = {{"type", "object"},
                     {"required", {"id", "org_id", "username", "display_name", "roles", "disabled", "totp_enabled", "version"}},
                     {"properties", {{"id", {{"type", "integer"}}}, {"org_id", {{"type", "integer"}}},
                                     {"username", {{"type", "string"}}}, {"display_name", {{"type", "string"}}},
                                     {"roles", {{"type", "array"}, {"items", {{"type", "string"}, {"enum", choices::kRoles}}}}},
                                     {"disabled", {{"type", "boolean"}}}, {"totp_enabled", {{"type", "boolean"}}},
                                     {"version", {{"type", "integer"}}}}}};
  schemas["AuditEntry"] = {{"type", "object"},
                           {"required", {"seq", "at", "user_id", "actor", "action", "kind", "record_id", "detail", "hash"}},
                           {"properties", {{"seq", {{"type", "integer"}}}, {"at", {{"type", "string"}}},
                                           {"user_id", {{"type", "integer"}}}, {"actor", {{"type", "string"}}},
                                           {"action", {{"type", "string"}}}, {"kind", {{"type", "string"}}},
                                           {"record_id", {{"type", "integer"}}}, {"detail", {{"type", "object"}}},
                                           {"hash", {{"type", "string"}}}}}};
  const Json user_ref = {{"$ref", "#/components/schemas/User"}};
  auto body_of = [](Json properties, Json required) {
    return Json{{"required", true},
                {"content", {{"application/json", {{"schema", {{"type", "object"}, {"required", std::move(required)},
                                                                {"properties", std::move(properties)}}}}}}}};
  };
  const Json text = {{"type", "string"}};
  Json no_content = errors();
  no_content["204"] = {{"description", "Done"}};
  paths["/api/v1/me"]["get"]["responses"] = {
      {"200", json_response("Your account; with the session cookie, also the session's csrf_token (send it as X-CSRF-Token "
                            "on changes), for a page reloaded under that cookie",
                            {{"allOf", {user_ref, {{"type", "object"}, {"properties", {{"csrf_token", text}}}}}}})}};
  paths["/api/v1/me/password"]["post"] = {
      {"summary", "Change your password; every session of yours ends"},
      {"requestBody", body_of({{"current_password", text}, {"new_password", text}}, {"current_password", "new_password"})},
      {"responses", no_content}};
  Json totp_responses = errors();
  totp_responses["200"] = json_response("A new secret for an authenticator app",
                                        {{"type", "object"}, {"properties", {{"secret", text}, {"otpauth_uri", text}}}});
  paths["/api/v1/me/totp"]["post"] = {{"summary", "Start turning on a second factor"}, {"responses", totp_responses}};
  paths["/api/v1/me/totp/confirm"]["post"] = {
      {"summary", "Turn the second factor on with a code from the app"},
      {"requestBody", body_of({{"secret", text}, {"code", text}}, {"secret", "code"})},
      {"responses", no_content}};
  Json users_list = errors();
  users_list["200"] = json_response("The organisation's accounts",
                                    {{"type", "object"}, {"properties", {{"items", {{"type", "array"}, {"items", user_ref}}}}}});
  Json user_created = errors();
  user_created["201"] = json_response("Created", user_ref);
  paths["/api/v1/users"]["get"] = {{"summary", "List accounts (administrators, supervisors)"}, {"responses", users_list}};
  paths["/api/v1/users"]["post"] = {
      {"summary", "Create an account (organisation administrators)"},
      {"requestBody", body_of({{"username", text}, {"display_name", text}, {"password", text},
                               {"roles", {{"type", "array"}, {"items", {{"type", "string"}, {"enum", choices::kRoles}}}}}},
                              {"username", "password", "roles"})},
      {"responses", user_created}};
  Json user_changed = errors();
  user_changed["200"] = json_response("Changed; the user's sessions end when roles change or the account is disabled", user_ref);
  user_changed["409"] = problem_response("Changed meanwhile");
  paths["/api/v1/users/{id}"]["patch"] = {
      {"summary", "Change roles, disable, rename (organisation administrators)"},
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}}},
      {"requestBody", body_of({{"version", {{"type", "integer"}}}, {"roles", {{"type", "array"}}},
                               {"disabled", {{"type", "boolean"}}}, {"display_name", text}}, {"version"})},
      {"responses", user_changed}};
  paths["/api/v1/users/{id}/password"]["post"] = {
      {"summary", "Reset a user's password (administrators); their sessions end"},
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}}},
      {"requestBody", body_of({{"new_password", text}}, {"new_password"})},
      {"responses", no_content}};
  Json audit_parameters = Json::array();
  for (const char* name : {"user_id", "kind", "record_id", "action", "from", "to", "after_seq", "limit"})
    audit_parameters.push_back({{"name", name}, {"in", "query"}, {"schema", text}});
  Json audit_responses = errors();
  audit_responses["200"] = json_response(
      "Audit entries in order", {{"type", "object"},
                                 {"properties", {{"items", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/AuditEntry"}}}}},
                                                 {"next_after_seq", {{"type", "integer"}}}}}});
  paths["/api/v1/audit"]["get"] = {{"summary", "The audit log (auditors)"}, {"parameters", audit_parameters},
                                   {"responses", audit_responses}};

  Json file_put = errors();
  file_put["201"] = {{"description", "Stored, sealed"}};
  file_put["409"] = problem_response("The item already has its original file");
  Json file_get = errors();
  file_get["200"] = {{"description", "The original file"}, {"content", {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  paths["/api/v1/evidence-items/{id}/file"] = {
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}}},
      {"put", {{"summary", "Store the original file once; its SHA-256 must be the one the item recorded"},
               {"requestBody", {{"required", true}, {"content", {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}},
               {"responses", file_put}}},
      {"get", {{"summary", "The original file (staff who may read the item)"}, {"responses", file_get}}}};

  const Json referral_ref = {{"$ref", "#/components/schemas/referral"}};
  const Json id_in_path = {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}};
  Json inbox = errors();
  inbox["200"] = json_response("Referrals sent to your organisation",
                               {{"type", "object"}, {"properties", {{"items", {{"type", "array"}, {"items", referral_ref}}}}}});
  paths["/api/v1/referrals/incoming"]["get"] = {{"summary", "Referrals sent to your organisation"}, {"responses", inbox}};
  for (const char* action : {"accept", "decline", "revoke"}) {
    Json changed = errors();
    changed["200"] = json_response("The referral", referral_ref);
    changed["409"] = problem_response("Not possible in the referral's status");
    paths[std::string("/api/v1/referrals/{id}/") + action]["post"] = {
        {"summary", std::string(action) + (std::string(action) == "revoke" ? " (the sender)" : " (the receiver)")},
        {"parameters", {id_in_path}}, {"responses", changed}};
  }
  Json shared_case = errors();
  shared_case["200"] = json_response("The case as shared: public fields, the consenting survivor's granted fields, others pseudonymous",
                                     {{"type", "object"}, {"required", {"referral", "case", "people"}}});
  shared_case["404"] = problem_response("No accepted referral shares this case with you");
  paths["/api/v1/shared/cases/{id}"]["get"] = {{"summary", "Read a case another organisation referred to yours"},
                                               {"parameters", {id_in_path}}, {"responses", shared_case}};

  Json entry = {{"type", "object"}, {"required", {"at", "kind", "id"}}};
  entry["properties"] = {{"at", {{"type", "string"}}}, {"kind", {{"type", "string"}}},
                         {"id", {{"type", "integer"}}}, {"summary", {{"type", "string"}}}};
  Json timeline = {{"type", "object"}, {"required", {"case_id", "entries"}}};
  timeline["properties"] = {{"case_id", {{"type", "integer"}}},
                            {"entries", {{"type", "array"}, {"items", entry}}}};
  timeline_responses["200"] = json_response("Everything that happened in a case, oldest first", timeline);
  paths["/api/v1/cases/{id}/timeline"]["get"] = {
      {"summary", "A case's timeline: events, operations, legal stages and hearings"},
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}}}}}},
      {"responses", timeline_responses}};

  auto query_param = [](const char* name, Json schema, const char* description) {
    return Json{{"name", name}, {"in", "query"}, {"required", false}, {"schema", std::move(schema)}, {"description", description}};
  };
  const Json report_name = {{"name", "name"}, {"in", "path"}, {"required", true},
                            {"schema", {{"type", "string"}, {"enum", {"funnel", "time-to-justice", "outcomes", "strengthening"}}}}};
  const Json report_parameters = {
      report_name,
      query_param("period", {{"type", "string"}, {"enum", {"year", "quarter", "month"}}}, "Rows per year (default), quarter or month"),
      query_param("by", {{"type", "string"}, {"enum", {"region", "exploitation_form"}}}, "Also group by region or form of exploitation"),
      query_param("from", {{"type", "string"}, {"format", "date"}}, "First day counted"),
      query_param("to", {{"type", "string"}, {"format", "date"}}, "Last day counted"),
      query_param("min_cell", {{"type", "integer"}, {"minimum", 5}}, "Counts below this are shown as <N (at least 5)"),
      query_param("format", {{"type", "string"}, {"enum", {"json", "csv", "xlsx"}}}, "json (default), csv (one table) or xlsx"),
      query_param("table", {{"type", "string"}}, "With format=csv: which table (default the first)")};
  Json cell = {{"description", "A count, a number, text, null, or \"<5\" where small-cell suppression hid the value"}};
  Json report_schema = {{"type", "object"}, {"required", {"report", "title", "parameters", "tables", "charts", "notes"}}};
  Json table_schema = {{"type", "object"}, {"required", {"name", "title", "columns", "rows"}}};
  table_schema["properties"]["rows"] = {{"type", "array"}, {"items", {{"type", "object"}, {"additionalProperties", cell}}}};
  report_schema["properties"] = {{"report", {{"type", "string"}}},
                                 {"title", {{"type", "string"}}},
                                 {"parameters", {{"type", "object"}}},
                                 {"notes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                                 {"tables", {{"type", "array"}, {"items", table_schema}}},
                                 {"charts", {{"type", "array"}, {"items", {{"type", "object"}}}}}};
  Json report_responses = errors();
  schemas["Report"] = report_schema;
  report_responses["200"] = json_response("The report; with format=csv or xlsx, a file", {{"$ref", "#/components/schemas/Report"}});
  // The same path is the collection of received (intake) reports: with list parameters it lists
  // those, so the entity list generated above keeps its parameters and item schema.
  Json report_list = paths["/api/v1/reports"]["get"].value("responses", errors());
  report_list["200"] = json_response(
      "Without query parameters: the indicator report names, {\"items\": [names]} (supervisors, analysts, administrators). "
      "With any list parameter (sort, order, limit, cursor, a filter): a page of received reports, as every collection",
      {{"oneOf", {{{"type", "object"}, {"properties", {{"items", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}},
                  report_list["200"]["content"]["application/json"]["schema"]}}});
  paths["/api/v1/reports"]["get"]["summary"] =
      "The indicator reports available; with list parameters, the received reports (intake)";
  paths["/api/v1/reports"]["get"]["responses"] = report_list;
  paths["/api/v1/reports/{name}"]["get"] = {
      {"summary", "An indicator report of your organisation, with small-cell suppression (docs/indicators.md)"},
      {"parameters", report_parameters}, {"responses", report_responses}};
  Json chart_responses = errors();
  chart_responses["200"] = {{"description", "The chart as SVG or PNG"}};
  for (const char* format : {"svg", "png"})
    paths[std::string("/api/v1/reports/{name}/charts/{index}.") + format]["get"] = {
        {"summary", std::string("One of the report's charts as ") + format},
        {"parameters", {report_name, {{"name", "index"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "integer"}, {"minimum", 0}}}}}},
        {"responses", chart_responses}};

  Json estimate_schema = {{"type", "object"}, {"required", {"observed", "hidden", "total", "ci_low", "ci_high", "model", "method"}}};
  estimate_schema["properties"] = {{"observed", {{"type", "integer"}}}, {"hidden", {{"type", "number"}}}, {"total", {{"type", "number"}}},
                                   {"ci_low", {{"type", "number"}}}, {"ci_high", {{"type", Json::array({"number", "null"})}}},
                                   {"model", {{"type", "array"}, {"items", {{"type", "string"}}}}}, {"method", {{"type", "string"}}},
                                   {"report", {{"type", "string"}}}};
  Json estimate_responses = errors();
  schemas["Estimate"] = estimate_schema;
  estimate_responses["200"] = json_response("The estimate, its intervals, the model and a report for people",
                                            {{"$ref", "#/components/schemas/Estimate"}});
  estimate_responses["409"] = problem_response("No model gives a finite, identifiable estimate for this table");
  paths["/api/v1/estimates"]["post"] = {
      {"summary", "Multiple systems estimation from a capture-history table (docs/estimation.md)"},
      {"parameters", {query_param("select", {{"type", "string"}, {"enum", {"stepwise", "aic", "bic"}}}, "Model selection (default stepwise)"),
                      query_param("threshold", {{"type", "number"}}, "Stepwise p-value threshold (default 0.02)"),
                      query_param("bootstrap", {{"type", "integer"}, {"minimum", 0}, {"maximum", 2000}}, "Parametric bootstrap replicates"),
                      query_param("seed", {{"type", "integer"}}, "Bootstrap seed"),
                      query_param("format", {{"type", "string"}, {"enum", {"json", "svg"}}}, "svg: the observed-vs-fitted chart")}},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"text/csv", {{"schema", {{"type", "string"}}}}},
          {"application/json",
           {{"schema", {{"type", "object"}, {"description", "{\"csv\": text} or {\"lists\": [names], \"rows\": [{\"on\": [0|1...], \"count\": n}]}"}}}}}}}}},
      {"responses", estimate_responses}};
  paths["/api/v1/estimates/haven"]["get"] = {
      {"summary", "Multiple systems estimation from your organisation's own victims: report channels and operations as lists"},
      {"parameters", {query_param("from", {{"type", "string"}, {"format", "date"}}, "Cases opened from this day"),
                      query_param("to", {{"type", "string"}, {"format", "date"}}, "Cases opened up to this day"),
                      query_param("region", {{"type", "string"}}, "Cases in this region only"),
                      query_param("select", {{"type", "string"}, {"enum", {"stepwise", "aic", "bic"}}}, "Model selection (default stepwise)"),
                      query_param("bootstrap", {{"type", "integer"}, {"minimum", 0}, {"maximum", 2000}}, "Parametric bootstrap replicates"),
                      query_param("seed", {{"type", "integer"}}, "Bootstrap seed")}},
      {"responses", estimate_responses}};
  people_paths(paths);
  link_review_paths(paths);
  operations_paths(paths);
  return doc;
}

}  // namespace haven

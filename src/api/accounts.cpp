// Account routes: log in and out, the caller's own account (password, second factor), user
// administration for organisation administrators, and the audit log for auditors.
#include <algorithm>

#include "api/http.hpp"

namespace haven {
namespace {

using http::Caller;
using http::send_error;
using http::send_json;
using http::send_problem;

constexpr const char* kSessionCookie = "haven_session";

Json user_json(const User& user) {
  return {{"id", user.id},           {"org_id", user.org_id},     {"username", user.username},
          {"display_name", user.display_name}, {"roles", user.roles}, {"disabled", user.disabled},
          {"totp_enabled", !user.totp_secret.empty()}, {"version", user.version}};
}

Result<std::string> string_field(const Json& body, const char* name) {
  if (!body.is_object() || !body.contains(name) || !body[name].is_string())
    return invalid("is required (a string)", std::string("/") + name);
  return body[name].get<std::string>();
}

Result<std::vector<std::string>> roles_field(const Json& body) {
  if (!body.contains("roles") || !body["roles"].is_array() || body["roles"].empty())
    return invalid("must be a non-empty list of roles", "/roles");
  std::vector<std::string> roles;
  for (const auto& role : body["roles"]) {
    if (!role.is_string() || std::find(choices::kRoles.begin(), choices::kRoles.end(), role.get<std::string>()) == choices::kRoles.end()) {
      std::string accepted;
      for (const auto& r : choices::kRoles) accepted += (accepted.empty() ? "" : ", ") + r;
      return invalid("must name roles among: " + accepted, "/roles");
    }
    roles.push_back(role.get<std::string>());
  }
  return roles;
}

bool is_admin(const Principal& principal) {
  return principal.has_role("org_admin") || principal.has_role("system_admin");
}

}  // namespace

void ApiServer::Impl::account_routes() {
  server.Post("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = http::parse_body(req);
    if (!body.ok()) return send_error(res, body.error());
    auto username = string_field(*body, "username");
    auto password = string_field(*body, "password");
    if (!username.ok() || !password.ok()) return send_problem(res, 400, "send {\"username\": ..., \"password\": ...}", "/username");
    if (!throttle.allow(req.remote_addr, clock.now())) {
      audit_now({0, 0, "address:" + req.remote_addr, "login_throttled", "", 0, Json::object()});
      res.set_header("Retry-After", "300");
      return send_problem(res, 429, "too many login attempts from your address; wait five minutes");
    }
    LoginRequest login{*username, *password, body->value("totp", ""), req.remote_addr};
    auto session = auth.login(login);
    if (!session.ok()) {
      // The user name is recorded, not the password; it identifies staff, not survivors.
      audit_now({0, 0, username->substr(0, 128), "login_failed", "", 0, {{"reason", error_code_name(session.error().code)}}});
      return send_error(res, session.error());
    }
    audit_now({session->principal.org_id, session->principal.user_id, session->principal.username, "login", "", 0, Json::object()});
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session->token +
                                     "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=43200");
    send_json(res, 201, {{"token", session->token},
                         {"csrf_token", session->csrf_token},
                         {"expires_at", session->expires_at},
                         {"user", {{"id", session->principal.user_id}, {"username", session->principal.username},
                                   {"org_id", session->principal.org_id}, {"roles", session->principal.roles}}}});
  });
  server.Delete("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    const std::string header = req.get_header_value("Authorization");
    const std::string token = header.rfind("Bearer ", 0) == 0 ? header.substr(7) : http::cookie_value(req, kSessionCookie);
    if (auto done = auth.logout(token); !done.ok()) return send_error(res, done.error());
    audit_now(event_for(*caller, "logout"));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    res.status = 204;
  });
  server.Get("/api/v1/me", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto user = (*tx)->get_user(caller->principal.user_id);
    if (!user.ok()) return send_error(res, user.error());
    Json body = user_json(*user);
    // A page reloaded under its session cookie has lost the CSRF token it held in memory; only
    // our own origin can read this answer (no CORS), so handing it back here is safe.
    if (caller->via_cookie) body["csrf_token"] = caller->csrf_token;
    send_json(res, 200, body);
  });
  server.Post("/api/v1/me/password", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    auto body = http::parse_body(req);
    if (!body.ok()) return send_error(res, body.error());
    auto current = string_field(*body, "current_password");
    if (!current.ok()) return send_error(res, current.error());
    auto replacement = string_field(*body, "new_password");
    if (!replacement.ok()) return send_error(res, replacement.error());
    if (auto changed = auth.change_password(caller->principal, *current, *replacement); !changed.ok()) {
      Error error = changed.error();
      if (error.field == "/password") error.field = "/new_password";
      return send_error(res, error);
    }
    audit_now(event_for(*caller, "password_change", "user", caller->principal.user_id));
    res.status = 204;  // every session, this one included, has ended: log in again
  });
  server.Post("/api/v1/me/totp", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    const std::string secret = base32_encode(new_totp_secret());
    send_json(res, 200, {{"secret", secret},
                         {"otpauth_uri", "otpauth://totp/Haven:" + caller->principal.username + "?secret=" + secret + "&issuer=Haven"},
                         {"next", "add the secret to an authenticator app, then POST {secret, code} to /api/v1/me/totp/confirm"}});
  });
  server.Post("/api/v1/me/totp/confirm", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    auto body = http::parse_body(req);
    if (!body.ok()) return send_error(res, body.error());
    auto secret_text = string_field(*body, "secret");
    auto code = string_field(*body, "code");
    if (!secret_text.ok()) return send_error(res, secret_text.error());
    if (!code.ok()) return send_error(res, code.error());
    auto secret = base32_decode(*secret_text);
    if (!secret.ok()) return send_error(res, secret.error());
    if (auto enabled = auth.enable_totp(caller->principal, *secret, *code); !enabled.ok()) return send_error(res, enabled.error());
    audit_now(event_for(*caller, "totp_enabled", "user", caller->principal.user_id));
    res.status = 204;
  });

  server.Get("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (!is_admin(caller->principal) && !caller->principal.has_role("supervisor"))
      return send_problem(res, 403, "only administrators and supervisors list the organisation's users");
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto users = (*tx)->list_users(caller->principal.org_id);
    if (!users.ok()) return send_error(res, users.error());
    Json items = Json::array();
    for (const auto& user : *users) items.push_back(user_json(user));
    send_json(res, 200, {{"items", items}});
  });
  server.Post("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (!is_admin(caller->principal)) return send_problem(res, 403, "only an organisation administrator creates accounts");
    auto body = http::parse_body(req);
    if (!body.ok()) return send_error(res, body.error());
    auto username = string_field(*body, "username");
    auto password = string_field(*body, "password");
    auto roles = roles_field(*body);
    if (!username.ok()) return send_error(res, username.error());
    if (!password.ok()) return send_error(res, password.error());
    if (!roles.ok()) return send_error(res, roles.error());
    if (std::find(roles->begin(), roles->end(), "system_admin") != roles->end() && !caller->principal.has_role("system_admin"))
      return send_problem(res, 403, "only a system administrator can make another", "/roles");
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    auto user = auth.create_user(**tx, caller->principal.org_id, *username, body->value("display_name", *username), *roles, *password);
    if (!user.ok()) return send_error(res, user.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "permission_change", "user", user->id, {{"roles", *roles}, {"created", true}}));
        !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    send_json(res, 201, user_json(*user));
  });
  server.Patch(R"(/api/v1/users/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (!is_admin(caller->principal)) return send_problem(res, 403, "only an organisation administrator changes accounts");
    auto id = http::parse_id(req.matches[1].str());
    auto body = http::parse_body(req);
    if (!id.ok()) return send_error(res, id.error());
    if (!body.ok()) return send_error(res, body.error());
    auto version = expected_version(req, *body);
    if (!version.ok()) return send_error(res, version.error());
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    auto user = (*tx)->get_user(*id);
    if (!user.ok() || user->org_id != caller->principal.org_id)
      return send_problem(res, 404, "no user " + req.matches[1].str() + " in your organisation");
    if (user->version != *version) return send_problem(res, 409, "the account was changed meanwhile; reload it", "/version");
    for (const auto& [name, value] : body->items())
      if (name != "roles" && name != "disabled" && name != "display_name" && name != "version")
        return send_problem(res, 400, "is not a field you can change here (roles, disabled, display_name)", "/" + name);
    Json detail = Json::object();
    if (body->contains("roles")) {
      auto roles = roles_field(*body);
      if (!roles.ok()) return send_error(res, roles.error());
      if (std::find(roles->begin(), roles->end(), "system_admin") != roles->end() && !caller->principal.has_role("system_admin"))
        return send_problem(res, 403, "only a system administrator can make another", "/roles");
      detail["roles_before"] = user->roles;
      detail["roles"] = *roles;
      user->roles = *roles;
    }
    if (body->contains("disabled")) {
      if (!(*body)["disabled"].is_boolean()) return send_problem(res, 400, "must be true or false", "/disabled");
      user->disabled = (*body)["disabled"];
      detail["disabled"] = user->disabled;
    }
    if (body->contains("display_name")) {
      if (!(*body)["display_name"].is_string()) return send_problem(res, 400, "must be a string", "/display_name");
      user->display_name = (*body)["display_name"];
    }
    auto updated = (*tx)->update_user(*user);
    if (!updated.ok()) return send_error(res, updated.error());
    // New roles or a disabled account take effect now, not when old sessions expire.
    if (detail.contains("roles") || detail.contains("disabled"))
      if (auto ended = (*tx)->delete_sessions_of(user->id); !ended.ok()) return send_error(res, ended.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "permission_change", "user", user->id, detail)); !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    auth.forget_cached_sessions();
    send_json(res, 200, user_json(*updated));
  });
  server.Post(R"(/api/v1/users/(\d+)/password)", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    auto id = http::parse_id(req.matches[1].str());
    auto body = http::parse_body(req);
    if (!id.ok()) return send_error(res, id.error());
    if (!body.ok()) return send_error(res, body.error());
    auto password = string_field(*body, "new_password");
    if (!password.ok()) return send_error(res, password.error());
    if (auto reset = auth.reset_password(caller->principal, *id, *password); !reset.ok()) {
      Error error = reset.error();
      if (error.field == "/password") error.field = "/new_password";
      return send_error(res, error);
    }
    audit_now(event_for(*caller, "password_reset", "user", *id));
    res.status = 204;
  });

  server.Get("/api/v1/audit", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (!caller->principal.has_role("auditor")) return send_problem(res, 403, "the audit log is open to auditors only");
    AuditQuery query;
    query.org_id = caller->principal.org_id;
    for (const auto& [name, value] : req.params)
      if (name != "user_id" && name != "kind" && name != "record_id" && name != "action" && name != "from" &&
          name != "to" && name != "after_seq" && name != "limit")
        return send_problem(res, 400, "is not a filter of the audit log; accepted: user_id, kind, record_id, action, from, to, after_seq, limit", name);
    for (auto [name, target] : {std::pair{"user_id", &query.user_id}, {"record_id", &query.record_id}, {"after_seq", &query.after_seq}}) {
      auto value = http::integer_param(req, name);
      if (!value.ok()) return send_error(res, value.error());
      *target = *value;
    }
    auto limit = http::integer_param(req, "limit");
    if (!limit.ok()) return send_error(res, limit.error());
    query.limit = *limit == 0 ? 100 : static_cast<std::size_t>(*limit);
    query.kind = req.get_param_value("kind");
    query.action = req.get_param_value("action");
    query.from = req.get_param_value("from");
    query.to = req.get_param_value("to");
    auto entries = audit.show(query);
    if (!entries.ok()) return send_error(res, entries.error());
    audit_now(event_for(*caller, "audit_view", "", 0, {{"count", entries->size()}}));
    Json items = Json::array();
    for (const auto& e : *entries)
      items.push_back({{"seq", e.seq}, {"at", e.at}, {"user_id", e.user_id}, {"actor", e.actor}, {"action", e.action},
                       {"kind", e.kind}, {"record_id", e.record_id}, {"detail", Json::parse(e.detail, nullptr, false)},
                       {"hash", e.hash}});
    Json body = {{"items", items}};
    if (entries->size() == query.limit) body["next_after_seq"] = entries->back().seq;
    send_json(res, 200, body);
  });
}

}  // namespace haven

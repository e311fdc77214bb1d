#include <charconv>
#include <cstdio>

#include "api/http.hpp"

namespace haven::http {
namespace {


int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kPreconditionRequired: return 428;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kStorageFull: return 507;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

const char* http_title(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Not logged in";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Request too large";
    case 428: return "Version required";
    case 429: return "Too many requests";
    case 503: return "Temporarily unavailable";
    case 507: return "Insufficient storage";
    default: return "Internal error";
  }
}

// Messages may quote what the client sent; invalid UTF-8 in it is replaced, never re-sent.
std::string dump(const Json& body) { return body.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A query-string value typed as the field it filters.
Result<Json> typed_value(const FieldSpec* field, const std::string& name, const std::string& text) {
  const FieldType type = field ? field->type : (name == "id" ? FieldType::kInteger : FieldType::kDateTime);
  if (type == FieldType::kInteger || type == FieldType::kRef) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      return invalid("must be a whole number", name);
    return Json(value);
  }
  if (type == FieldType::kBoolean) {
    if (text != "true" && text != "false") return invalid("must be true or false", name);
    return Json(text == "true");
  }
  if (type == FieldType::kNumber) {
    try {
      std::size_t used = 0;
      const double value = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
      return Json(value);
    } catch (const std::exception&) {
      return invalid("must be a number", name);
    }
  }
  if (type == FieldType::kEnum && std::find(field->choices.begin(), field->choices.end(), text) == field->choices.end()) {
    std::string accepted;
    for (const auto& c : field->choices) accepted += (accepted.empty() ? "" : ", ") + c;
    return invalid("must be one of: " + accepted, name);
  }
  if (!is_valid_utf8(text)) return invalid("is not valid UTF-8", name);
  return Json(text);
}

}  // namespace

std::string without_brotli(std::string_view accept_encoding) {
  std::string kept;
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::string_view coding = item.substr(0, item.find(';'));
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding == "br" || coding == "BR" || coding == "Br" || coding.empty()) continue;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    kept += (kept.empty() ? "" : ", ") + std::string(item);
  }
  return kept;
}

void send_problem(httplib::Response& res, int status, const std::string& detail, const std::string& field,
                  const char* code) {
  Json body = {{"type", std::string("https://haven.invalid/problems/") + (code ? code : "error")},
               {"title", http_title(status)},
               {"status", status},
               {"detail", detail}};
  if (!field.empty()) body["field"] = field;
  res.status = status;
  res.set_content(dump(body), "application/problem+json");
}

void send_error(httplib::Response& res, const Error& error) {
  const int status = http_status(error.code);
  // Internal details stay in the log, never in a response.
  const std::string detail = status == 500 ? "an internal error occurred; it has been logged" : error.message;
  if (status == 500) std::fprintf(stderr, "event=internal_error detail=\"%s\"\n", error.message.c_str());
  send_problem(res, status, detail, error.field, error_code_name(error.code));
}

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_static(httplib::Response& res, std::string_view body, const std::string& content_type) {
  // cpp-httplib 0.11 takes a provider of length 0 for one of unknown length and waits for an end
  // the provider never signals: an empty file (esbuild writes empty shared chunks) would hang.
  if (body.empty()) return res.set_content(std::string(), content_type);
  res.set_content_provider(body.size(), content_type,
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body.data() + offset, length);
                           });
}

Result<Json> parse_body(const httplib::Request& req, std::size_t max_bytes) {
  if (req.body.empty()) return invalid("the request needs a JSON body", "");
  if (req.body.size() > max_bytes)
    return Error{ErrorCode::kPayloadTooLarge, "the request body is larger than " + std::to_string(max_bytes) + " bytes; send less at once", ""};
  const auto& type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0)
    return invalid("send the body as Content-Type: application/json", "");
  try {
    return Json::parse(req.body);
  } catch (const Json::parse_error& e) {
    return invalid(std::string("the body is not valid JSON (") + e.what() +
                       "); check quotes, commas and that text is UTF-8",
                   "");
  }
}

Result<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
    return Error{ErrorCode::kNotFound, "no record has id " + text, ""};
  return value;
}

Result<ListQuery> parse_list_query(const EntitySpec& spec, const httplib::Request& req) {
  ListQuery query;
  for (const auto& [name, value] : req.params) {
    if (name == "limit") {
      std::size_t limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > 1000)
        return invalid("must be a whole number from 1 to 1000", "limit");
      query.limit = limit;
    } else if (name == "cursor") {
      query.cursor = value;
    } else if (name == "sort") {
      query.sort = value;
    } else if (name == "order") {
      if (value != "asc" && value != "desc") return invalid("must be asc or desc", "order");
      query.descending = value == "desc";
    } else {
      Filter filter;
      std::string field_name = name;
      if (name.size() > 4 && name.ends_with(".gte")) field_name = name.substr(0, name.size() - 4), filter.op = Filter::Op::kGe;
      if (name.size() > 4 && name.ends_with(".lte")) field_name = name.substr(0, name.size() - 4), filter.op = Filter::Op::kLe;
      const FieldSpec* field = spec.field(field_name);
      if (field && field->blind_indexed && filter.op == Filter::Op::kEq) {
        // A sealed field: matched through its keyed digest, never by decrypting rows.
        if (!is_valid_utf8(value) || value.empty() || value.size() > 500) return invalid("must be 1-500 characters of text", name);
        query.exact.emplace_back(field_name, value);
        continue;
      }
      const bool envelope = field_name == "id" || field_name == "created_at" || field_name == "updated_at";
      if (!envelope && (!field || !field->indexed)) {
        std::string accepted = "limit, cursor, sort, order, id, created_at, updated_at";
        for (const auto& f : spec.fields)
          if (f.indexed || f.blind_indexed) accepted += ", " + f.name;
        return invalid("is not a filter of " + spec.collection + "; accepted: " + accepted, name);
      }
      auto typed = typed_value(field, name, value);
      HAVEN_TRY(typed);
      filter.field = field_name;
      filter.value = std::move(typed.value());
      query.filters.push_back(std::move(filter));
    }
  }
  return query;
}


std::string cookie_value(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    start = end + 1;
  }
  return {};
}

Result<std::int64_t> integer_param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return std::int64_t{0};
  const std::string text = req.get_param_value(name.c_str());
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return invalid("must be a whole number", name);
  return value;
}

}  // namespace haven::http

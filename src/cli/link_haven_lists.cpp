// haven link --data DIR --by organisation: each organisation's victims as one list to link.
//
// Identifying fields are unsealed in memory only, for the persons that are victims in scope (each
// read through the store, never a scan of everyone's sealed data), and the read is written to the
// audit log before anything is linked.
#include "cli/link_haven_lists.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cli/data_dir.hpp"
#include "core/core.hpp"

namespace haven::cli {

namespace {

// The text a specification compares: dates and names as stored, aliases as one string of words.
std::string cell_of(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string joined;
    for (const Json& item : value) {
      const std::string text = cell_of(item);
      if (!text.empty()) joined += (joined.empty() ? "" : " ") + text;
    }
    return joined;
  }
  return value.dump();
}

// A list's name is a column of the capture history: no commas, colons, quotes or line breaks in
// it ("Protection Center, PNP, Central Luzon" -> "Protection Center - PNP - Central Luzon").
std::string list_name_of(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == ',' && i + 1 < name.size() && name[i + 1] == ' ')
      out += " -";
    else
      out += c == ',' || c == ':' || c == '"' || c == '\n' || c == '\r' ? ' ' : c;
  }
  return out;
}

// The first 20 words, and how many more there are: a national deployment has hundreds of
// organisations and regions, and the message is there to show what a valid value looks like.
std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size() && i < 20; ++i)
    out += (out.empty() ? "" : ", ") + words[i];
  if (words.size() > 20) out += " and " + std::to_string(words.size() - 20) + " more";
  return out;
}

Status check_request(const HavenListsRequest& request) {
  if (request.by != "organisation")
    return invalid("--by must be organisation; got \"" + request.by + "\"");
  for (const auto& [option, value] :
       {std::pair{"--from", request.from}, std::pair{"--to", request.to}})
    if (!value.empty() && !parse_date(value))
      return invalid(std::string(option) + " must be a date, YYYY-MM-DD; got \"" + value + "\"");
  if (!request.from.empty() && !request.to.empty() && request.to < request.from)
    return invalid("the period ends (--to " + request.to + ") before it starts (--from " +
                   request.from + ")");
  return {};
}

}  // namespace

const std::vector<std::string>& haven_list_columns() {
  static const std::vector<std::string> columns = {
      "given_name", "family_name", "aliases",     "sex",     "birth_date", "age_estimate",
      "phone",      "address",     "nationality", "country", "region"};
  return columns;
}

void add_haven_list_options(CLI::App& link, HavenListsRequest& request) {
  link.add_option(
      "--data", request.data_dir,
      "Also link lists drawn from Haven's own data in this directory: the victims of each\n"
      "organisation's cases, one list per organisation; columns for the spec:\n" +
          joined(haven_list_columns()) + " (docs/linkage/haven.json)");
  link.add_option("--key-file", request.key_file,
                  "With --data: the master key file (else HAVEN_PASSPHRASE or the terminal)");
  link.add_option("--database", request.database,
                  "With --data: the PostgreSQL database (as for every command; default "
                  "DIR/database or DIR/haven.db)");
  link.add_option("--by", request.by,
                  "With --data: one list per organisation (the only grouping so far)")
      ->check(CLI::IsMember({"organisation"}));
  link.add_option("--from", request.from, "With --data: cases opened from this day (YYYY-MM-DD)");
  link.add_option("--to", request.to, "With --data: cases opened up to this day (YYYY-MM-DD)");
  link.add_option("--region", request.region, "With --data: cases in this region only");
  link.add_option("--org", request.org_ids,
                  "With --data: only these organisations (ids; --org 1 --org 3 or --org 1,3; "
                  "default every one)")
      ->delimiter(',')
      ->allow_extra_args(false);
}

Result<std::vector<link::RecordList>> read_haven_lists(const HavenListsRequest& request,
                                                       const link::LinkSpec& spec) {
  HAVEN_TRY(check_request(request));
  const std::vector<std::string>& columns = haven_list_columns();
  std::vector<std::string> wanted;  // per spec field: the person field it reads
  for (const link::FieldSpec& field : spec.fields) {
    const std::string& column = field.column.empty() ? field.name : field.column;
    if (std::find(columns.begin(), columns.end(), column) == columns.end())
      return invalid("the lists from Haven's data have no column \"" + column + "\" (field \"" +
                     field.name + "\"); they have " + joined(columns));
    wanted.push_back(column);
  }

  SystemClock clock;
  auto data = open_existing(request.data_dir, request.key_file, clock, request.database);
  HAVEN_TRY(data);
  auto tx = data->store->begin(false);
  HAVEN_TRY(tx);
  auto id_of = [](const Json& value) {
    return value.is_number_integer() ? value.get<std::int64_t>() : std::int64_t{0};
  };

  std::map<std::int64_t, std::string> organisations;
  HAVEN_TRY((*tx)->scan(*find_entity("organisation"), 0, {"name"},
                        [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
                          organisations[id] = v[0].is_string()
                                                  ? v[0].get<std::string>()
                                                  : "organisation " + std::to_string(id);
                        }));
  std::vector<std::string> known;
  for (const auto& [id, name] : organisations)
    known.push_back(std::to_string(id) + " (" + name + ")");
  for (std::int64_t id : request.org_ids)
    if (!organisations.count(id))
      return invalid("there is no organisation " + std::to_string(id) + "; the organisations are " +
                     joined(known));
  const std::set<std::int64_t> chosen(request.org_ids.begin(), request.org_ids.end());
  auto in_chosen = [&](std::int64_t org) { return chosen.empty() || chosen.count(org) > 0; };

  // The cases in scope: of the chosen organisations, opened in the period, in the region.
  std::set<std::int64_t> in_scope;
  std::set<std::string> regions;
  HAVEN_TRY((*tx)->scan(*find_entity("case"), 0, {"region", "opened_on"},
                        [&](std::int64_t id, std::int64_t org, const std::vector<Json>& v) {
                          if (!in_chosen(org)) return;
                          const std::string region = cell_of(v[0]), opened = cell_of(v[1]);
                          if (!region.empty()) regions.insert(region);
                          if (!request.from.empty() && opened < request.from) return;
                          if (!request.to.empty() && (opened.empty() || opened > request.to))
                            return;
                          if (!request.region.empty() && region != request.region) return;
                          in_scope.insert(id);
                        }));
  if (!request.region.empty() && !regions.count(request.region))
    return invalid("no case of " +
                   std::string(chosen.empty() ? "any organisation" : "these organisations") +
                   " is in the region \"" + request.region + "\"; the regions are " +
                   joined(std::vector<std::string>(regions.begin(), regions.end())));

  // Duplicates count once: a merged record stands for the person it was merged into.
  std::map<std::int64_t, std::int64_t> merged_into;
  HAVEN_TRY((*tx)->scan(*find_entity("person"), 0, {"merged_into"},
                        [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
                          if (v[0].is_number_integer()) merged_into[id] = v[0].get<std::int64_t>();
                        }));
  auto person_of = [&](std::int64_t id) {
    for (int hops = 0; hops < 16; ++hops) {  // merges may chain; never loop forever
      auto next = merged_into.find(id);
      if (next == merged_into.end()) break;
      id = next->second;
    }
    return id;
  };
  std::map<std::int64_t, std::set<std::int64_t>> victims;  // organisation -> persons
  HAVEN_TRY((*tx)->scan(*find_entity("case_person"), 0, {"case_id", "person_id", "role"},
                        [&](std::int64_t, std::int64_t org, const std::vector<Json>& v) {
                          if (v[2] == "victim" && in_scope.count(id_of(v[0])))
                            victims[org].insert(person_of(id_of(v[1])));
                        }));

  std::vector<link::RecordList> lists;
  Json audited = Json::array();
  std::set<std::string> names;
  const EntitySpec& person_spec = *find_entity("person");
  for (const auto& [org, name] : organisations) {
    if (!in_chosen(org)) continue;
    const auto found = victims.find(org);
    if (found == victims.end()) {
      std::cerr << "haven link: " << name << " (organisation " << org
                << ") has no victim in scope; no list for it\n";
      continue;
    }
    link::RecordList list;
    list.name = list_name_of(name);
    if (!names.insert(list.name).second) list.name += " #" + std::to_string(org);
    for (std::int64_t person : found->second) {
      auto record = (*tx)->get(person_spec, person, org);
      if (!record.ok() && record.error().code == ErrorCode::kNotFound)
        continue;  // merged across organisations
      HAVEN_TRY(record);
      std::vector<std::string> values;
      for (const std::string& column : wanted)
        values.push_back(record->fields.contains(column) ? cell_of(record->fields[column]) : "");
      list.ids.push_back(record->display_code);
      list.values.push_back(std::move(values));
    }
    audited.push_back({{"organisation", org}, {"list", list.name}, {"records", list.ids.size()}});
    if (list.ids.empty()) {  // every victim in scope was merged into another organisation's person
      std::cerr << "haven link: " << name << " (organisation " << org
                << ") has no victim record of its own in scope; no list for it\n";
      continue;
    }
    lists.push_back(std::move(list));
  }
  (*tx).reset();
  HAVEN_TRY(data->record("link", "link_lists", 0,
                         {{"by", request.by},
                          {"from", request.from},
                          {"to", request.to},
                          {"region", request.region},
                          {"fields", wanted},
                          {"lists", audited}}));
  data->close_audit();
  return lists;
}

}  // namespace haven::cli

// haven estimate --pairs FILE --records FILE: the population estimate from a linkage's files (what
// haven link --pairs and --clusters wrote), bootstrapped over the linkage and the counts by the
// same link::estimate_over_linkage that haven link --estimate runs.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "csv/csv.hpp"
#include "link/link.hpp"
#include "stats/stats.hpp"

namespace haven::cli {

namespace {

// Reads a CSV file whose header must hold `needed`; `on_row` gets the cells of those columns in
// that order, and the row's line.
Status read_columns(
    const std::string& path, const std::vector<std::string>& needed,
    const std::function<Status(const std::vector<std::string>&, std::uint64_t)>& on_row,
    const std::function<std::optional<Error>(const std::vector<std::string>&)>& check_header = {}) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open " + path, path};
  std::vector<std::size_t> at;
  std::vector<std::string> cells(needed.size());
  return read_csv(in, [&](const CsvRow& row) -> Status {
    if (at.empty()) {
      if (check_header)
        if (auto refused = check_header(row.cells)) return *refused;
      std::string missing;
      for (const std::string& name : needed) {
        const auto found = std::find(row.cells.begin(), row.cells.end(), name);
        if (found == row.cells.end()) missing += (missing.empty() ? "\"" : ", \"") + name + "\"";
        at.push_back(static_cast<std::size_t>(found - row.cells.begin()));
      }
      if (!missing.empty()) return invalid("the header has no column " + missing, "line 1");
      return {};
    }
    for (std::size_t i = 0; i < needed.size(); ++i) cells[i] = row.cells[at[i]];
    return on_row(cells, row.line);
  });
}

std::string line_of(std::uint64_t line) { return "line " + std::to_string(line); }

// The linkage the two files describe; errors name the file and line.
Result<link::LinkedRecords> read_linkage(const EstimateCommandOptions& options) {
  link::LinkedRecords linkage;
  std::map<std::string, std::size_t> list_index;
  std::map<std::pair<std::size_t, std::string>, std::uint32_t> record_of;
  std::map<std::uint64_t, std::size_t> entity_index;
  Status records = read_columns(
      options.records, {"entity", "list", "id"},
      [&](const std::vector<std::string>& cells, std::uint64_t line) -> Status {
        std::uint64_t entity = 0;
        const auto parsed =
            std::from_chars(cells[0].data(), cells[0].data() + cells[0].size(), entity);
        if (parsed.ec != std::errc() || parsed.ptr != cells[0].data() + cells[0].size() ||
            entity == 0)
          return invalid("entity \"" + cells[0] + "\" is not a whole number from 1", line_of(line));
        const auto list = list_index.emplace(cells[1], list_index.size()).first->second;
        if (list == linkage.lists.size()) linkage.lists.push_back(cells[1]);
        const auto record = static_cast<std::uint32_t>(linkage.record_list.size());
        if (!record_of.emplace(std::pair{list, cells[2]}, record).second)
          return invalid(
              "the record \"" + cells[2] + "\" of list \"" + cells[1] + "\" is given twice",
              line_of(line));
        linkage.record_list.push_back(list);
        linkage.record_ids.push_back(cells[2]);
        const auto slot = entity_index.emplace(entity, linkage.entities.size()).first->second;
        if (slot == linkage.entities.size()) linkage.entities.emplace_back();
        linkage.entities[slot].records.push_back(record);
        return {};
      });
  if (!records.ok()) {
    Error error = records.error();
    error.field = options.records + (error.field.empty() ? "" : ", " + error.field);
    return error;
  }
  if (linkage.record_list.empty())
    return invalid("the records file has no records", options.records);

  auto record = [&](const std::string& list, const std::string& id,
                    std::uint64_t line) -> Result<std::uint32_t> {
    const auto l = list_index.find(list);
    const auto found = l == list_index.end() ? record_of.end() : record_of.find({l->second, id});
    if (found == record_of.end())
      return invalid("the record \"" + id + "\" of list \"" + list +
                         "\" is not in the records file " + options.records +
                         " (both files must come from the same haven link run)",
                     line_of(line));
    return found->second;
  };
  Status pairs = read_columns(
      options.pairs, {"list_l", "id_l", "list_r", "id_r", "match_probability"},
      [&](const std::vector<std::string>& cells, std::uint64_t line) -> Status {
        auto left = record(cells[0], cells[1], line);
        HAVEN_TRY(left);
        auto right = record(cells[2], cells[3], line);
        HAVEN_TRY(right);
        double probability = -1;
        const auto parsed =
            std::from_chars(cells[4].data(), cells[4].data() + cells[4].size(), probability);
        if (parsed.ec != std::errc() || parsed.ptr != cells[4].data() + cells[4].size() ||
            !(probability >= 0) || probability > 1)
          return invalid("match_probability \"" + cells[4] + "\" is not a probability from 0 to 1",
                         line_of(line));
        linkage.pairs.push_back({*left, *right, probability});
        return {};
      },
      [](const std::vector<std::string>& header) -> std::optional<Error> {
        const bool has =
            std::find(header.begin(), header.end(), "match_probability") != header.end();
        if (!has && std::find(header.begin(), header.end(), "dice") != header.end())
          return invalid(
              "these pairs hold Dice coefficients (haven link --encoded), not match probabilities; "
              "the bootstrap over the linkage needs the match_probability of plaintext linkage",
              "line 1");
        return std::nullopt;
      });
  if (!pairs.ok()) {
    Error error = pairs.error();
    error.field = options.pairs + (error.field.empty() ? "" : ", " + error.field);
    return error;
  }
  linkage.link_type = options.link_type == "dedupe_only"       ? link::LinkType::kDedupeOnly
                      : options.link_type == "link_and_dedupe" ? link::LinkType::kLinkAndDedupe
                                                               : link::LinkType::kLinkOnly;
  // A pair within one list under link_only would be clustered by rules that never compare it:
  // the link type given is not the one the linkage was made with.
  for (const auto& p : linkage.pairs)
    if (linkage.link_type != link::LinkType::kLinkAndDedupe &&
        (linkage.record_list[p.left] == linkage.record_list[p.right]) ==
            (linkage.link_type == link::LinkType::kLinkOnly))
      return invalid(
          "the pair of \"" + linkage.record_ids[p.left] + "\" and \"" +
              linkage.record_ids[p.right] + "\" is " +
              (linkage.link_type == link::LinkType::kLinkOnly ? "within list \""
                                                              : "across lists, from \"") +
              linkage.lists[linkage.record_list[p.left]] + "\", which " + options.link_type +
              " never compares; give --link-type as in the linkage's specification",
          options.pairs);
  linkage.cluster_density = options.cluster_density;
  return linkage;
}

}  // namespace

int run_estimate_from_pairs(const EstimateCommandOptions& options) {
  if (options.reselect)
    return std::cerr
               << "haven estimate: --reselect is for the parametric bootstrap; with --pairs every "
                  "replicate selects its model again anyway\n",
           2;
  const auto selection = stats::parse_selection(options.select);
  if (!selection || *selection == stats::Selection::kFixed)
    return std::cerr << "haven estimate: --select must be stepwise, aic, bic or main; got \""
                     << options.select << "\"\n",
           2;
  auto linkage = read_linkage(options);
  if (!linkage.ok()) {
    const Error& error = linkage.error();
    std::cerr << "haven estimate: " << (error.field.empty() ? "" : error.field + ": ")
              << error.message << "\nNothing was estimated.\n";
    return error.code == ErrorCode::kNotFound || error.code == ErrorCode::kUnavailable
               ? kExitFailure
               : kExitBadData;
  }
  stats::EstimateOptions estimate;
  estimate.selection = *selection;
  estimate.threshold = options.threshold;
  estimate.sensitivity = !options.no_sensitivity;
  Result<link::LinkageEstimate> result = invalid("not run");
  {
    ProgressBar bar("Bootstrap over the linkage and the counts");
    result = link::estimate_over_linkage(
        *linkage, estimate, options.bootstrap, options.seed,
        [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    bar.finish();
  }
  if (!result.ok()) {
    std::cerr << "haven estimate: "
              << (result.error().field.empty() ? "" : result.error().field + ": ")
              << result.error().message << "\nNothing was estimated.\n";
    return result.error().code == ErrorCode::kInvalidArgument ? kExitBadData : kExitFailure;
  }
  if (!options.chart.empty()) {
    std::ofstream chart(options.chart, std::ios::binary | std::ios::trunc);
    chart << stats::render_chart_svg(result->point);
    if (!chart.flush()) {
      std::cerr << "haven estimate: cannot write the chart to " << options.chart << "\n";
      return kExitFailure;
    }
  }
  if (options.json) {
    Json json = stats::to_json(result->point);
    Json over = {
        {"replicates", result->replicates}, {"failed", result->failed}, {"seed", result->seed}};
    if (result->interval)
      over["low"] = result->interval->first, over["high"] = result->interval->second;
    json["linkage_bootstrap"] = std::move(over);
    std::cout << json.dump() << "\n";
  } else {
    std::cout << stats::render_report(result->point) << "\n"
              << link::describe_linkage_estimate(*result);
    if (!options.chart.empty())
      std::cout << "\nChart of observed against fitted counts: " << options.chart << "\n";
  }
  return std::cout.flush() ? 0 : kExitFailure;
}

}  // namespace haven::cli

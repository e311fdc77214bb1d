// haven link: two or more lists (CSV) and a linkage specification -> linked pairs with their
// per-field weights, entity clusters and a capture-history table for haven estimate.
#include "link/link.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.hpp"
#include "cli/link_command.hpp"
#include "cli/link_haven_lists.hpp"
#include "cli/link_review.hpp"
#include "cli/progress.hpp"
#include "search/search.hpp"
#include "stats/stats.hpp"

namespace haven::cli {

struct LinkCommands {
  CLI::App* link = nullptr;
  std::string spec, model, save_model, pairs, clusters, capture;
  std::vector<std::string> lists;
  double threshold = -1, review_from = -1;
  int threads = 2;
  bool encoded = false;
  int estimate_replicates = 0;  // linkage-and-counts bootstrap of the population estimate
  std::uint64_t seed = 1;
  std::string link_type = "link_only";
  std::uint64_t max_block_pairs = 5'000'000;
  HavenListsRequest haven;  // --data: lists drawn from Haven's own data
  LinkReviewOptions review;  // --review-into, --decisions-from (link_review.cpp)

  CLI::App* encode = nullptr;
  std::string schema, secret_file, out, list_name, encode_list;
};

void LinkCommandsDeleter::operator()(LinkCommands* commands) const { delete commands; }

namespace {

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A probability as the shortest text that reads back to the same double: haven estimate --pairs
// redraws these links, and must draw exactly what haven link --estimate drew.
std::string round_trip(double value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  return std::string(text, written.ptr);
}

int refused(const std::string& what, const Error& error) {
  std::cerr << "haven link: " << what
            << (error.field.empty() || what.find(error.field) != std::string::npos
                    ? ""
                    : " (at " + error.field + ")")
            << ": " << error.message << "\nNothing was linked.\n";
  return error.code == ErrorCode::kNotFound ? kExitFailure : kExitBadData;
}

bool write_file(const std::string& path, const std::function<void(std::ostream&)>& body) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  body(out);
  out.flush();
  if (!out) std::cerr << "haven link: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

link::Progress bar_for(ProgressBar& bar) {
  return [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
}

// The shared secret: the file's bytes, without a final line break (editors add one).
Result<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open the secret file " + path, path};
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 16)
    return invalid("the secret in " + path + " is " + std::to_string(secret.size()) +
                   " bytes; at least 16 are needed (haven keygen --to FILE makes a good one)");
  return secret;
}

int run_encode(const LinkCommands& o) {
  std::ifstream in(o.schema);
  if (!in)
    return std::cerr << "haven encode: cannot open the schema " << o.schema << "\n", kExitFailure;
  const link::Json json = link::Json::parse(in, nullptr, false);
  if (json.is_discarded())
    return std::cerr << "haven encode: " << o.schema << " is not valid JSON\n", kExitBadData;
  auto schema = link::parse_clk_schema(json);
  if (!schema.ok()) {
    std::cerr << "haven encode: " << o.schema
              << (schema.error().field.empty() ? "" : " at " + schema.error().field) << ": "
              << schema.error().message << "\n";
    return kExitBadData;
  }
  auto secret = read_secret(o.secret_file);
  if (!secret.ok())
    return std::cerr << "haven encode: " << secret.error().message << "\n", kExitBadData;
  const std::string name =
      o.list_name.empty() ? std::filesystem::path(o.encode_list).stem().string() : o.list_name;
  auto list = link::read_list(o.encode_list, name, schema->keys);
  if (!list.ok())
    return std::cerr << "haven encode: " << list.error().message << "\nNothing was encoded.\n",
           kExitBadData;
  std::unique_ptr<search::Normaliser> normaliser;  // schema features are never normalised as names
  auto encoded = link::encode_list(*schema, *list, *secret, normaliser.get());
  if (!encoded.ok())
    return std::cerr << "haven encode: " << encoded.error().message << "\n", kExitBadData;
  // Written beside the target and renamed into place: a half-written file never looks finished.
  const std::string partial = o.out + ".partial";
  if (!write_file(partial, [&](std::ostream& out) {
        out << link::encoded_to_json(*encoded).dump() << "\n";
      }))
    return kExitFailure;
  std::error_code error;
  std::filesystem::rename(partial, o.out, error);
  if (error)
    return std::cerr << "haven encode: cannot write " << o.out << ": " << error.message() << "\n",
           kExitFailure;
  std::cout << "Encoded " << encoded->ids.size() << " records of " << o.encode_list << " into "
            << o.out << " (" << encoded->words * 64 << "-bit CLKs, "
            << (encoded->balanced ? "balanced" : "not hardened") << ", " << encoded->blocks.size()
            << " keyed blocking keys per record; schema " << encoded->fingerprint.substr(0, 12)
            << "...). It holds no plaintext; share it with the linking party, never the secret.\n";
  return 0;
}

int run_link_encoded(const LinkCommands& o) {
  if (!o.spec.empty() || !o.model.empty() || !o.save_model.empty())
    return std::cerr << "haven link --encoded: --spec, --model and --save-model are for plaintext "
                        "lists\n",
           2;
  link::LinkType type = link::LinkType::kLinkOnly;
  if (o.link_type == "dedupe_only")
    type = link::LinkType::kDedupeOnly;
  else if (o.link_type == "link_and_dedupe")
    type = link::LinkType::kLinkAndDedupe;
  else if (o.link_type != "link_only")
    return std::cerr
               << "haven link: --link-type must be link_only, dedupe_only or link_and_dedupe\n",
           2;
  std::vector<link::EncodedList> lists;
  for (const std::string& argument : o.lists) {
    const auto equals = argument.find('=');
    const std::string path = equals == std::string::npos ? argument : argument.substr(equals + 1);
    const std::string name = equals == std::string::npos
                                 ? std::filesystem::path(path).stem().string()
                                 : argument.substr(0, equals);
    std::ifstream in(path);
    if (!in)
      return std::cerr << "haven link: cannot open the encoded list " << path << "\n", kExitFailure;
    const link::Json json = link::Json::parse(in, nullptr, false);
    if (json.is_discarded()) return refused(path, invalid("malformed encoding: not valid JSON"));
    auto list = link::encoded_from_json(json, name);
    if (!list.ok()) return refused(path, list.error());
    lists.push_back(std::move(*list));
  }
  // Balanced CLKs have half their bits set whatever the name, so their Dice runs higher for
  // different people (1 - Hamming/l): 0.75 there (measured on FEBRL, docs/linkage.md), 0.8
  // otherwise (anonlink's default).
  const double threshold = o.threshold >= 0 ? o.threshold : lists.front().balanced ? 0.75 : 0.8;
  std::vector<link::EncodedPair> pairs;
  {
    ProgressBar bar("Comparing encodings (Dice)");
    auto linked =
        link::link_encoded(lists, type, threshold, o.max_block_pairs, o.threads, bar_for(bar));
    if (!linked.ok()) return refused("encoded lists", linked.error());
    pairs = std::move(*linked);
  }
  const auto clusters = link::cluster_encoded(lists, type, pairs, threshold, 0.5);
  std::vector<std::string> names;
  std::vector<std::size_t> list_of;
  std::vector<const std::string*> ids;
  for (std::size_t l = 0; l < lists.size(); ++l) {
    names.push_back(lists[l].name);
    for (const auto& id : lists[l].ids) list_of.push_back(l), ids.push_back(&id);
  }
  std::cout << pairs.size() << " pairs with Dice at or above " << threshold
            << (type == link::LinkType::kLinkOnly ? " (one-to-one)" : "") << "; " << clusters.size()
            << " entities among " << ids.size() << " records\n";
  if (!o.pairs.empty() && !write_file(o.pairs, [&](std::ostream& out) {
        out << "list_l,id_l,list_r,id_r,dice\n" << std::setprecision(6);
        for (const auto& p : pairs)
          out << csv_cell(names[list_of[p.left]]) << "," << csv_cell(*ids[p.left]) << ","
              << csv_cell(names[list_of[p.right]]) << "," << csv_cell(*ids[p.right]) << ","
              << p.dice << "\n";
      }))
    return kExitFailure;
  if (!o.clusters.empty() && !write_file(o.clusters, [&](std::ostream& out) {
        out << "entity,list,id\n";
        for (std::size_t c = 0; c < clusters.size(); ++c)
          for (auto r : clusters[c].records)
            out << c + 1 << "," << csv_cell(names[list_of[r]]) << "," << csv_cell(*ids[r]) << "\n";
      }))
    return kExitFailure;
  const std::string capture = link::capture_history_csv(names, list_of, clusters);
  if (!o.capture.empty() && !write_file(o.capture, [&](std::ostream& out) { out << capture; }))
    return kExitFailure;
  std::cout << "\nCapture history:\n" << capture;
  return std::cout.flush() ? 0 : kExitFailure;
}

// The estimate from the entities, and its bootstrap over the linkage and the counts
// (link::estimate_over_linkage, which haven estimate --pairs runs on this linkage's files).
void estimate_with_linkage_uncertainty(const link::Linker& linker,
                                       const std::vector<link::ScoredPair>& pairs,
                                       const std::vector<link::Cluster>& clusters, int replicates,
                                       std::uint64_t seed) {
  link::LinkedRecords linkage;
  for (std::size_t l = 0; l < linker.list_count(); ++l)
    linkage.lists.push_back(linker.list_name(l));
  for (std::uint32_t r = 0; r < linker.record_count(); ++r) {
    linkage.record_list.push_back(linker.record_list(r));
    linkage.record_ids.push_back(linker.record_id(r));
  }
  for (const auto& p : pairs) linkage.pairs.push_back({p.left, p.right, p.probability});
  linkage.entities = clusters;
  linkage.link_type = linker.spec().link_type;
  linkage.cluster_density = linker.spec().cluster_density;
  stats::EstimateOptions options;
  options.sensitivity = false;
  options.profile = false;
  ProgressBar bar("Bootstrap over the linkage and the counts");
  auto estimate = link::estimate_over_linkage(linkage, options, replicates, seed, bar_for(bar));
  bar.finish();
  if (!estimate.ok()) {
    std::cout << "\nNo population estimate from these lists: " << estimate.error().message << "\n";
    return;
  }
  std::cout << "\n" << link::describe_linkage_estimate(*estimate);
}

int run_link(const LinkCommands& o) {
  if (o.lists.empty() && o.haven.data_dir.empty())
    return std::cerr << "haven link: give the lists to link (CSV files), or --data DIR for lists "
                        "drawn from Haven's own data\n",
           2;
  if (o.encoded && !o.haven.data_dir.empty())
    return std::cerr << "haven link: --data draws plaintext lists; it cannot be linked with "
                        "--encoded lists\n",
           2;
  LinkReviewQueue review_queue;
  if (o.encoded && (!o.review.review_into.empty() || !o.review.decisions_from.empty()))
    return std::cerr << "haven link --encoded: the review queue is for plaintext lists\n", 2;
  if (o.encoded) return run_link_encoded(o);
  if (const int refused_code = review_queue.prepare(o.review, o.haven); refused_code >= 0)
    return refused_code;
  if (o.spec.empty() == o.model.empty()) {
    std::cerr << "haven link: give --spec SPEC.json to train a model on these lists, or --model "
                 "MODEL.json to reuse one\n";
    return 2;
  }
  if (o.pairs.empty() && o.clusters.empty() && o.capture.empty() && o.save_model.empty())
    std::cerr << "haven link: no --pairs, --clusters, --capture or --save-model given: printing "
                 "the summary only\n";

  link::LinkSpec spec;
  std::optional<link::Model> loaded;
  if (!o.model.empty()) {
    std::ifstream in(o.model);
    if (!in)
      return std::cerr << "haven link: cannot open the model " << o.model << "\n", kExitFailure;
    const link::Json json = link::Json::parse(in, nullptr, false);
    if (json.is_discarded()) return refused(o.model, invalid("not valid JSON"));
    auto model = link::model_from_json(json);
    if (!model.ok()) return refused(o.model, model.error());
    loaded = std::move(*model);
    spec = loaded->spec;
  } else {
    auto parsed = link::read_spec(o.spec);
    if (!parsed.ok()) return refused(o.spec, parsed.error());
    spec = std::move(*parsed);
  }
  if (o.threshold >= 0) spec.threshold = o.threshold;
  if (o.review_from >= 0) spec.review_from = o.review_from;
  if (spec.review_from > spec.threshold) spec.review_from = spec.threshold;

  std::vector<link::RecordList> lists;
  for (const std::string& argument : o.lists) {
    // NAME=FILE, or FILE named after its stem (police.csv -> police).
    const auto equals = argument.find('=');
    const std::string path = equals == std::string::npos ? argument : argument.substr(equals + 1);
    const std::string name = equals == std::string::npos
                                 ? std::filesystem::path(path).stem().string()
                                 : argument.substr(0, equals);
    auto list = link::read_list(path, name, spec);
    if (!list.ok()) return refused("list " + name, list.error());
    std::cerr << "list " << name << ": " << list->ids.size() << " records from " << path << "\n";
    lists.push_back(std::move(*list));
  }
  if (!o.haven.data_dir.empty()) {
    auto drawn = read_haven_lists(o.haven, spec);
    if (!drawn.ok()) return refused("--data " + o.haven.data_dir, drawn.error());
    for (auto& list : *drawn) {
      std::cerr << "list " << list.name << ": " << list.ids.size() << " victims from "
                << o.haven.data_dir << "\n";
      lists.push_back(std::move(list));
    }
  }

  std::unique_ptr<search::Normaliser> normaliser;
  for (const auto& field : spec.fields) {
    if (field.normalise != link::Normalise::kName || normaliser) continue;
    auto created = search::Normaliser::create();
    if (!created.ok())
      return std::cerr << "haven link: " << created.error().message << "\n", kExitFailure;
    normaliser = std::move(*created);
  }
  spec.show_block_keys = o.haven.data_dir.empty();
  auto created = link::Linker::create(spec, std::move(lists), normaliser.get(), o.threads);
  if (!created.ok()) return refused("blocking", created.error());
  link::Linker& linker = **created;
  std::cout << "Blocking rules (candidate pairs each would add, before removing those an earlier "
               "rule found):\n";
  for (const auto& rule : linker.blocking_report())
    std::cout << "  " << std::setw(12) << rule.pairs << "  " << rule.rule << "\n";
  {
    ProgressBar bar("Comparing candidate pairs");
    if (auto status = linker.compare(bar_for(bar)); !status.ok())
      return refused("comparing", status.error());
  }
  std::cout << linker.candidate_pairs() << " candidate pairs compared.\n\n";

  link::Model model;
  if (loaded) {
    model = *loaded;
    std::cout << "Model from " << o.model << ":\n";
  } else {
    ProgressBar bar("Training (random pairs, then EM)");
    auto trained = linker.train(bar_for(bar));
    if (!trained.ok()) return refused("training", trained.error());
    model = std::move(*trained);
    bar.finish();
    std::cout << "Trained model:\n";
  }
  model.spec.threshold = spec.threshold, model.spec.review_from = spec.review_from;
  std::cout << link::describe_model(model) << "\n";
  if (!o.save_model.empty() && !write_file(o.save_model, [&](std::ostream& out) {
        out << link::model_to_json(model).dump(2) << "\n";
      }))
    return kExitFailure;

  auto scored = linker.score(model, spec.review_from);
  if (!scored.ok()) return refused("scoring", scored.error());
  std::vector<link::ScoredPair>& pairs = *scored;
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.probability > b.probability; });
  if (const int code = review_queue.apply_decisions(linker, pairs); code != 0) return code;
  if (const int code = review_queue.store_review_band(linker, model, pairs); code != 0) return code;
  std::size_t matches = 0;
  for (const auto& p : pairs) matches += p.probability >= spec.threshold;
  const auto clusters = link::cluster(linker, pairs, spec.threshold, spec.cluster_density);
  std::size_t linked = 0;
  for (const auto& c : clusters) linked += c.records.size() > 1;
  std::cout << matches << " pairs at or above " << spec.threshold << " (matches), "
            << pairs.size() - matches << " from " << spec.review_from << " (to review)\n"
            << clusters.size() << " entities among " << linker.record_count() << " records ("
            << linked << " on more than one record)\n";

  if (!o.pairs.empty() && !write_file(o.pairs, [&](std::ostream& out) {
        out << "list_l,id_l,list_r,id_r,match_probability,match_weight,decision";
        for (const auto& f : spec.fields) out << "," << f.name << "_level," << f.name << "_weight";
        out << "\n" << std::setprecision(6);
        for (const auto& p : pairs) {
          out << csv_cell(linker.list_name(linker.record_list(p.left))) << ","
              << csv_cell(linker.record_id(p.left)) << ","
              << csv_cell(linker.list_name(linker.record_list(p.right))) << ","
              << csv_cell(linker.record_id(p.right)) << "," << round_trip(p.probability) << ","
              << p.weight << "," << (p.probability >= spec.threshold ? "match" : "review");
          const auto weights = linker.field_weights(model, p);
          for (std::size_t f = 0; f < spec.fields.size(); ++f) {
            const std::size_t l = p.levels[f];
            const std::string label = l == 0 ? "null"
                                      : l <= spec.fields[f].levels.size()
                                          ? spec.fields[f].levels[l - 1].label
                                          : "else";
            out << "," << csv_cell(label) << "," << weights[f];
          }
          out << "\n";
        }
      }))
    return kExitFailure;
  if (!o.clusters.empty() && !write_file(o.clusters, [&](std::ostream& out) {
        out << "entity,list,id\n";
        for (std::size_t c = 0; c < clusters.size(); ++c)
          for (auto r : clusters[c].records)
            out << c + 1 << "," << csv_cell(linker.list_name(linker.record_list(r))) << ","
                << csv_cell(linker.record_id(r)) << "\n";
      }))
    return kExitFailure;
  const std::string capture = link::capture_history_csv(linker, clusters);
  if (!o.capture.empty() && !write_file(o.capture, [&](std::ostream& out) { out << capture; }))
    return kExitFailure;
  std::cout << "\nCapture history ("
            << (o.capture.empty() ? "not written: --capture FILE"
                                  : "in " + o.capture + ", for haven estimate")
            << "):\n"
            << capture;
  if (o.estimate_replicates > 0)
    estimate_with_linkage_uncertainty(linker, pairs, clusters, o.estimate_replicates, o.seed);
  return std::cout.flush() ? 0 : kExitFailure;
}

}  // namespace

LinkCommandsHandle add_link_commands(CLI::App& app) {
  LinkCommandsHandle c(new LinkCommands);
  c->link = app.add_subcommand("link",
                               "Link agencies' lists of people (CSV files, or --data: each "
                               "organisation's victims in Haven):\n"
                               "which records are the same person. Trains a Fellegi-Sunter "
                               "model without labels (or reuses one),\n"
                               "prints its parameters, and writes linked pairs with per-field\n"
                               "weights, entities, and the capture-history table haven estimate "
                               "reads. See docs/linkage.md.");
  c->link->add_option("lists", c->lists,
                      "Lists to link: FILE.csv (named after the file) or NAME=FILE.csv");
  add_haven_list_options(*c->link, c->haven);
  c->link->add_option("--spec", c->spec,
                      "Linkage specification (JSON: fields, comparison levels, blocking rules)");
  c->link->add_option("--model", c->model,
                      "Instead of --spec: a model saved by --save-model (no training)");
  c->link->add_option("--save-model", c->save_model,
                      "Write the trained model (Splink-style settings JSON) to this file");
  c->link->add_option("--pairs", c->pairs,
                      "Write pairs from --review-from up, with per-field levels and weights (CSV)");
  c->link->add_option("--clusters", c->clusters,
                      "Write the entity of every record (CSV: entity,list,id)");
  c->link->add_option(
      "--capture", c->capture,
      "Write the capture-history table (one 0/1 column per list, count) for haven estimate");
  c->link
      ->add_option("--threshold", c->threshold,
                   "Match probability from which a pair is a match (default: the spec's)")
      ->check(CLI::Range(1e-9, 1.0));
  c->link
      ->add_option(
          "--review-from", c->review_from,
          "Pairs from this probability up to the threshold are for review (default: the spec's)")
      ->check(CLI::Range(0.0, 1.0));
  c->link->add_option("--threads", c->threads, "Worker threads (default 2)")
      ->check(CLI::Range(1, 64));
  c->link
      ->add_option("--estimate", c->estimate_replicates,
                   "Also estimate the population from the entities (as haven estimate), with a "
                   "bootstrap of N\n"
                   "replicates over the linkage (each pair from --review-from kept with its "
                   "probability) and the counts")
      ->check(CLI::Range(0, 10000));
  c->link->add_option("--seed", c->seed, "Seed of --estimate's bootstrap (default 1)");
  c->link->add_flag("--encoded", c->encoded,
                    "The lists are encodings made by haven encode (JSON): link by Dice similarity "
                    "of the CLKs with\n"
                    "keyed blocking; --threshold is then a Dice coefficient (default 0.75 for "
                    "balanced CLKs, else 0.8)");
  c->link->add_option(
      "--link-type", c->link_type,
      "With --encoded: link_only (default; one-to-one), dedupe_only or link_and_dedupe");
  c->link->add_option("--max-block-pairs", c->max_block_pairs,
                      "With --encoded: refuse blocks with more pairs (default 5,000,000)");
  add_link_review_options(*c->link, c->review);

  c->encode = app.add_subcommand(
      "encode",
      "Encode a list for privacy-preserving linkage: keyed Bloom-filter encodings (CLKs, hardened "
      "by\n"
      "balancing) and keyed blocking keys, made with a secret the agencies share and the linking "
      "party\n"
      "never sees. The schema follows clkhash's linkage schema v3. See docs/linkage.md.");
  c->encode->add_option("list", c->encode_list, "The list (CSV)")->required();
  c->encode
      ->add_option("--schema", c->schema,
                   "Linkage schema (JSON, clkhash v3 plus a \"haven\" object)")
      ->required();
  c->encode
      ->add_option("--secret-file", c->secret_file,
                   "File holding the shared secret (at least 16 bytes; haven keygen makes one)")
      ->required();
  c->encode->add_option("--out", c->out, "Encoded list to write (JSON)")->required();
  c->encode->add_option("--name", c->list_name,
                        "The list's name (default: the file's name without .csv)");
  return c;
}

int run_link_commands(const LinkCommands& commands) {
  if (commands.link->parsed()) return run_link(commands);
  if (commands.encode->parsed()) return run_encode(commands);
  return -1;
}

}  // namespace haven::cli

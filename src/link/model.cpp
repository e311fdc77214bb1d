// The Fellegi-Sunter model, trained as Splink does: u from random pairs (almost all of which are
// different people), m by EM over the candidate pairs of each blocking rule, the prior (the chance
// that two random records match) from the expected number of matches among the candidates.
// Comparison vectors are counted into distinct patterns first, so an EM iteration costs the
// number of patterns (hundreds), not the number of pairs (millions).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "link/linker_impl.hpp"

namespace haven::link {
namespace {

constexpr double kFloor = 1e-6;  // no level is impossible: a 0 would make one field a veto

std::size_t level_count(const FieldSpec& field) {
  return field.levels.size() + 2;
}  // null + levels + else

std::string level_label(const FieldSpec& field, std::size_t level) {
  if (level == 0) return "null";
  if (level <= field.levels.size()) return field.levels[level - 1].label;
  return "else";
}

void normalise(std::vector<double>& p) {
  double sum = 0;
  for (std::size_t l = 1; l < p.size(); ++l) p[l] = std::max(p[l], kFloor), sum += p[l];
  for (std::size_t l = 1; l < p.size(); ++l) p[l] /= sum;
  p[0] = 1;
}

}  // namespace

Result<Model> Linker::train(const Progress& progress) const {
  const Impl& d = *impl_;
  if (!d.compared) return Error{ErrorCode::kFailedPrecondition, "train() before compare()", {}};
  if (d.pairs.empty())
    return invalid(
        "the blocking rules found no candidate pair: nothing to train on (are the lists about the "
        "same people? "
        "are the blocking fields filled?)");
  const std::size_t fields = d.fields.size();
  Model model;
  model.spec = d.spec;
  model.fields.resize(fields);
  model.candidate_pairs = d.pairs.size();

  // u from random comparable pairs, on two threads with independent generators.
  const std::size_t records = d.ids.size();
  const std::uint64_t samples = d.spec.u_sample_pairs;
  std::vector<std::vector<std::vector<std::uint64_t>>> counts(
      d.threads, std::vector<std::vector<std::uint64_t>>(fields));
  for (auto& per_thread : counts)
    for (std::size_t f = 0; f < fields; ++f) per_thread[f].assign(level_count(d.spec.fields[f]), 0);
  std::vector<std::uint64_t> drawn(d.threads, 0);
  parallel_for(samples, d.threads, [&](std::size_t begin, std::size_t end, int thread) {
    std::mt19937_64 random(d.spec.seed * 7919 + thread);
    std::uniform_int_distribution<std::uint32_t> any(0, static_cast<std::uint32_t>(records - 1));
    std::vector<std::uint8_t> levels(fields);
    std::uint64_t tries = 0;
    for (std::size_t i = begin; i < end && tries < 20 * (end - begin) + 1000; ++tries) {
      std::uint32_t a = any(random), b;
      if (d.spec.link_type == LinkType::kDedupeOnly) {
        const std::size_t list = d.record_list_of[a];
        std::uniform_int_distribution<std::uint32_t> same(d.list_start[list],
                                                          d.list_start[list + 1] - 1);
        b = same(random);
      } else {
        b = any(random);
      }
      if (!d.comparable(a, b)) continue;
      d.compare_into(a, b, levels.data());
      for (std::size_t f = 0; f < fields; ++f) ++counts[thread][f][levels[f]];
      ++drawn[thread];
      ++i;
      if (thread == 0 && progress && i % 65536 == 0) progress(i * d.threads, samples);
    }
  });
  for (std::uint64_t n : drawn) model.sampled_pairs += n;
  if (model.sampled_pairs == 0)
    return invalid("no two records of the lists can be compared (each list holds one record?)");
  for (std::size_t f = 0; f < fields; ++f) {
    std::vector<double> u(level_count(d.spec.fields[f]), 0);
    double present = 0;
    for (std::size_t l = 1; l < u.size(); ++l) {
      for (const auto& per_thread : counts) u[l] += static_cast<double>(per_thread[f][l]);
      present += u[l];
    }
    // Half a pair added to every level: a level never seen among random pairs (exact agreement on
    // a near-unique id) is rare, not impossible.
    for (std::size_t l = 1; l < u.size(); ++l)
      u[l] = (u[l] + 0.5) / (present + 0.5 * (u.size() - 1));
    normalise(u);
    model.fields[f].u_random = u;
    model.fields[f].u = u;
  }

  if (d.spec.training == Training::kCandidates) {
    // EM over the candidate pairs for the share of matches among them, m, and the candidates' own
    // u (started from the random-pair u): the candidates agree more often than random pairs, as
    // the blocking chose them for agreeing, and this u says by how much.
    // Distinct comparison vectors and their counts.
    // Keyed by the vector's bytes as a string (GCC 12 warns falsely on maps keyed by byte vectors).
    std::unordered_map<std::string, std::uint64_t> pattern_counts;
    for (std::size_t i = 0; i < d.pairs.size(); ++i)
      ++pattern_counts[std::string(reinterpret_cast<const char*>(&d.levels[i * fields]), fields)];
    std::vector<std::string> patterns;
    std::vector<double> weights;
    for (auto& [pattern, count] : pattern_counts)
      patterns.push_back(pattern), weights.push_back(static_cast<double>(count));
    std::sort(patterns.begin(),
              patterns.end());  // a fixed order: the same sums, bit for bit, every run
    for (std::size_t p = 0; p < patterns.size(); ++p)
      weights[p] = static_cast<double>(pattern_counts[patterns[p]]);

    // Starting m: most matches agree exactly, fewer at each weaker level.
    for (std::size_t f = 0; f < fields; ++f) {
      std::vector<double> m(level_count(d.spec.fields[f]), 0);
      double share = 0.7;
      for (std::size_t l = 1; l < m.size(); ++l) m[l] = share, share /= 3;
      m.back() = 0.05;
      normalise(m);
      model.fields[f].m = m;
    }
    double prior = 0.1;
    const std::size_t P = patterns.size();
    std::vector<double> posterior(P);
    for (int iteration = 1; iteration <= d.spec.em_max_iterations; ++iteration) {
      model.em_iterations = iteration;
      double matched = 0, total = 0;
      for (std::size_t p = 0; p < P; ++p) {
        double log_ratio = std::log(prior) - std::log1p(-prior);
        for (std::size_t f = 0; f < fields; ++f) {
          const auto l = static_cast<std::uint8_t>(patterns[p][f]);
          if (l) log_ratio += std::log(model.fields[f].m[l]) - std::log(model.fields[f].u[l]);
        }
        posterior[p] = 1 / (1 + std::exp(-log_ratio));
        matched += posterior[p] * weights[p];
        total += weights[p];
      }
      double change = std::fabs(matched / total - prior);
      prior = std::clamp(matched / total, 1e-9, 1 - 1e-9);
      for (std::size_t f = 0; f < fields; ++f) {
        std::vector<double> m(level_count(d.spec.fields[f]), 0), u(m.size(), 0);
        for (std::size_t p = 0; p < P; ++p) {
          const auto l = static_cast<std::uint8_t>(patterns[p][f]);
          if (l == 0) continue;
          m[l] += posterior[p] * weights[p];
          u[l] += (1 - posterior[p]) * weights[p];
        }
        normalise(m), normalise(u);
        for (std::size_t l = 1; l < m.size(); ++l)
          change = std::max({change, std::fabs(m[l] - model.fields[f].m[l]),
                             std::fabs(u[l] - model.fields[f].u[l])});
        model.fields[f].m = m, model.fields[f].u = u;
      }
      if (progress) progress(iteration, d.spec.em_max_iterations);
      if (change < d.spec.em_convergence) {
        model.em_converged = true;
        break;
      }
    }
    model.prior = prior;
    return model;
  }

  // m by EM per blocking rule, as Splink trains: the pairs a rule made agree on its own fields by
  // construction, so those fields are left out of that rule's EM and their m comes from the
  // other rules; the other fields of those pairs are as good as random for non-matches, so u
  // stays the random-pair u. A field that every rule uses gets its m from EM over all pairs.
  const std::size_t rules = d.spec.blocking.size();
  std::vector<std::vector<bool>> uses(rules, std::vector<bool>(fields, false));
  for (std::size_t r = 0; r < rules; ++r)
    for (const BlockingKey& k : d.spec.blocking[r].keys) {
      uses[r][k.field] = true;
      if (k.transform == BlockingKey::Transform::kPair) uses[r][k.other] = true;
    }
  auto patterns_of = [&](int rule) {                        // rule -1: every pair
    std::unordered_map<std::string, std::uint64_t> counts;  // keyed by the vector's bytes
    for (std::size_t i = 0; i < d.pairs.size(); ++i)
      // Every candidate the rule makes, also those an earlier rule made first: otherwise a later
      // rule would see only pairs that disagree on the earlier rules' fields.
      if (rule < 0 || (d.keys[rule][d.pairs[i].first] != 0 &&
                       d.keys[rule][d.pairs[i].first] == d.keys[rule][d.pairs[i].second]))
        ++counts[std::string(reinterpret_cast<const char*>(&d.levels[i * fields]), fields)];
    std::vector<std::pair<std::string, double>> out;
    for (auto& [pattern, count] : counts) out.emplace_back(pattern, static_cast<double>(count));
    std::sort(out.begin(), out.end());  // a fixed order: the same sums, bit for bit, every run
    return out;
  };
  std::vector<std::vector<double>> start_m(fields);
  for (std::size_t f = 0; f < fields; ++f) {
    std::vector<double> m(level_count(d.spec.fields[f]), 0);
    double share = 0.7;
    for (std::size_t l = 1; l < m.size(); ++l) m[l] = share, share /= 3;
    m.back() = 0.05;
    normalise(m);
    start_m[f] = m;
  }
  // EM for the share of matches and m of the included fields, u fixed.
  auto em = [&](const std::vector<std::pair<std::string, double>>& patterns,
                const std::vector<bool>& included, std::vector<std::vector<double>>& m,
                int& iterations, bool& converged) {
    double prior = 0.1;
    std::vector<double> posterior(patterns.size());
    converged = false;
    for (iterations = 1; iterations <= d.spec.em_max_iterations; ++iterations) {
      double matched = 0, total = 0;
      for (std::size_t p = 0; p < patterns.size(); ++p) {
        double log_ratio = std::log(prior) - std::log1p(-prior);
        for (std::size_t f = 0; f < fields; ++f) {
          const auto l = static_cast<std::uint8_t>(patterns[p].first[f]);
          if (l && included[f]) log_ratio += std::log(m[f][l]) - std::log(model.fields[f].u[l]);
        }
        posterior[p] = 1 / (1 + std::exp(-log_ratio));
        matched += posterior[p] * patterns[p].second;
        total += patterns[p].second;
      }
      double change = std::fabs(matched / total - prior);
      prior = std::clamp(matched / total, 1e-9, 1 - 1e-9);
      for (std::size_t f = 0; f < fields; ++f) {
        if (!included[f]) continue;
        std::vector<double> next(m[f].size(), 0);
        for (std::size_t p = 0; p < patterns.size(); ++p) {
          const auto l = static_cast<std::uint8_t>(patterns[p].first[f]);
          if (l) next[l] += posterior[p] * patterns[p].second;
        }
        normalise(next);
        for (std::size_t l = 1; l < next.size(); ++l)
          change = std::max(change, std::fabs(next[l] - m[f][l]));
        m[f] = next;
      }
      if (progress) progress(iterations, d.spec.em_max_iterations);
      // Not 1e-7 as before: a rule that fixes most fields (first(given_name,3) &
      // first(surname,3) & first(postcode,2) leaves date of birth and sex) has a nearly flat
      // likelihood, and EM crept along it by a few 1e-6 an iteration, past any iteration cap,
      // while no weight moved by more than 0.001 bits (docs/linkage.md, "The model").
      if (change < d.spec.em_convergence) {
        converged = true;
        break;
      }
    }
    return prior;
  };
  std::vector<std::vector<double>> m_sum(fields);
  std::vector<int> m_rules(fields, 0);
  model.em_converged = true;
  for (std::size_t r = 0; r < rules; ++r) {
    const auto patterns = patterns_of(static_cast<int>(r));
    if (patterns.empty()) continue;
    std::vector<bool> included(fields);
    bool any = false;
    for (std::size_t f = 0; f < fields; ++f) included[f] = !uses[r][f], any = any || included[f];
    if (!any) continue;
    std::vector<std::vector<double>> m = start_m;
    int iterations = 0;
    bool converged = false;
    em(patterns, included, m, iterations, converged);
    model.em_iterations += iterations;
    model.em_converged = model.em_converged && converged;
    for (std::size_t f = 0; f < fields; ++f) {
      if (!included[f]) continue;
      if (m_sum[f].empty()) m_sum[f].assign(m[f].size(), 0);
      for (std::size_t l = 1; l < m[f].size(); ++l) m_sum[f][l] += m[f][l];
      ++m_rules[f];
    }
  }
  const auto all_patterns = patterns_of(-1);
  bool fallback = false;
  for (std::size_t f = 0; f < fields; ++f) fallback = fallback || m_rules[f] == 0;
  if (fallback) {
    std::vector<std::vector<double>> m = start_m;
    int iterations = 0;
    bool converged = false;
    em(all_patterns, std::vector<bool>(fields, true), m, iterations, converged);
    model.em_iterations += iterations;
    model.em_converged = model.em_converged && converged;
    for (std::size_t f = 0; f < fields; ++f)
      if (m_rules[f] == 0) m_sum[f] = m[f], m_rules[f] = 1;
  }
  for (std::size_t f = 0; f < fields; ++f) {
    std::vector<double> m(m_sum[f].size(), 0);
    for (std::size_t l = 1; l < m.size(); ++l) m[l] = m_sum[f][l] / m_rules[f];
    normalise(m);
    model.fields[f].m = m;
  }
  // The prior over every comparable pair (Splink's probability_two_random_records_match), by the
  // fixed point of: expected matches = the candidates' posteriors summed (pairs no rule made are
  // taken as non-matches).
  const double all_pairs = static_cast<double>(std::max<std::uint64_t>(d.all_pairs, 1));
  std::vector<double> bayes(all_patterns.size(), 0);
  for (std::size_t p = 0; p < all_patterns.size(); ++p)
    for (std::size_t f = 0; f < fields; ++f) {
      const auto l = static_cast<std::uint8_t>(all_patterns[p].first[f]);
      if (l) bayes[p] += std::log(model.fields[f].m[l]) - std::log(model.fields[f].u[l]);
    }
  double prior = std::clamp(static_cast<double>(d.pairs.size()) / all_pairs * 0.1, 1e-15, 0.5);
  for (int i = 0; i < 500; ++i) {
    double matches = 0;
    for (std::size_t p = 0; p < all_patterns.size(); ++p)
      matches += all_patterns[p].second /
                 (1 + std::exp(-(std::log(prior) - std::log1p(-prior) + bayes[p])));
    const double next = std::clamp(matches / all_pairs, 1e-15, 0.5);
    if (std::fabs(next - prior) < 1e-12 * std::max(prior, 1e-300) + 1e-18) {
      prior = next;
      break;
    }
    prior = next;
  }
  model.prior = prior;
  return model;
}

std::vector<double> Linker::field_weights(const Model& model, const ScoredPair& pair) const {
  const Impl& d = *impl_;
  std::vector<double> out(d.fields.size(), 0);
  for (std::size_t f = 0; f < d.fields.size(); ++f) {
    const std::uint8_t l = pair.levels[f];
    if (l == 0) continue;
    const FieldParameters& p = model.fields[f];
    out[f] = std::log2(p.m[l] / p.u[l]);
    if (l == 1 && d.spec.fields[f].term_frequency) {
      // Splink's term-frequency adjustment: agreeing on a common value says less than agreeing on
      // a rare one; the exact level's average u is replaced by this value's frequency.
      const FieldData& data = d.fields[f];
      const std::uint32_t v = data.record_value[pair.left];
      const double frequency =
          std::max(1.0, static_cast<double>(data.counts[v])) / static_cast<double>(data.present);
      out[f] += std::log2(p.u_random[1] / frequency);
    }
  }
  return out;
}

Result<std::vector<ScoredPair>> Linker::score(const Model& model, double min_probability,
                                              const Progress& progress) const {
  const Impl& d = *impl_;
  if (!d.compared) return Error{ErrorCode::kFailedPrecondition, "score() before compare()", {}};
  if (model.fields.size() != d.fields.size())
    return invalid("the model has " + std::to_string(model.fields.size()) +
                   " fields but the specification " + std::to_string(d.fields.size()));
  for (std::size_t f = 0; f < d.fields.size(); ++f)
    if (model.fields[f].m.size() != level_count(d.spec.fields[f]) ||
        model.fields[f].u.size() != model.fields[f].m.size() ||
        model.fields[f].u_random.size() != model.fields[f].m.size())
      return invalid("the model's field \"" + d.spec.fields[f].name +
                     "\" has other levels than the specification");
  const std::size_t fields = d.fields.size();
  const double prior = std::log2(model.prior) - std::log2(1 - model.prior);
  std::vector<std::vector<ScoredPair>> kept(d.threads);
  std::atomic<std::uint64_t> done{0};
  const std::size_t n = d.pairs.size();
  parallel_for(n, d.threads, [&](std::size_t begin, std::size_t end, int thread) {
    ScoredPair pair;
    for (std::size_t i = begin; i < end; ++i) {
      if ((i - begin) % 65536 == 65535) {
        const std::uint64_t now = done.fetch_add(65536) + 65536;
        if (thread == 0 && progress) progress(now, n);
      }
      pair.left = d.pairs[i].first, pair.right = d.pairs[i].second;
      pair.levels.assign(d.levels.begin() + i * fields, d.levels.begin() + (i + 1) * fields);
      double weight = prior;
      for (double w : field_weights(model, pair)) weight += w;
      pair.weight = weight;
      pair.probability = 1 / (1 + std::exp2(-weight));
      if (pair.probability >= min_probability) kept[thread].push_back(pair);
    }
  });
  if (progress) progress(n, n);
  std::vector<ScoredPair> out;
  for (auto& part : kept)
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  return out;
}

Json model_to_json(const Model& model) {
  Json comparisons = Json::array();
  for (std::size_t f = 0; f < model.spec.fields.size(); ++f) {
    const FieldSpec& field = model.spec.fields[f];
    const FieldParameters& p = model.fields[f];
    Json levels = Json::array();
    const std::string l_col = "\"" + field.name + "_l\"", r_col = "\"" + field.name + "_r\"";
    levels.push_back({{"sql_condition", l_col + " IS NULL OR " + r_col + " IS NULL"},
                      {"label_for_charts", "null"},
                      {"is_null_level", true}});
    for (std::size_t l = 1; l < p.m.size(); ++l) {
      std::string sql = "ELSE";
      if (l <= field.levels.size()) {
        const Level& level = field.levels[l - 1];
        std::ostringstream s;
        switch (level.kind) {
          case Level::Kind::kExact:
            s << l_col << " = " << r_col;
            break;
          case Level::Kind::kJaroWinkler:
            s << "jaro_winkler_similarity(" << l_col << ", " << r_col << ") >= " << level.threshold;
            break;
          case Level::Kind::kJaro:
            s << "jaro_similarity(" << l_col << ", " << r_col << ") >= " << level.threshold;
            break;
          case Level::Kind::kLevenshtein:
            s << "levenshtein(" << l_col << ", " << r_col << ") <= " << level.threshold;
            break;
          case Level::Kind::kSwappedWith:
            if (level.threshold < 1)
              s << "jaro_winkler_similarity(" << l_col << ", \"" << level.other
                << "_r\") >= " << level.threshold << " AND jaro_winkler_similarity(\""
                << level.other << "_l\", " << r_col << ") >= " << level.threshold;
            else
              s << l_col << " = \"" << level.other << "_r\" AND \"" << level.other
                << "_l\" = " << r_col;
            break;
          case Level::Kind::kDateWithin:
            s << "abs(date_diff('day', " << l_col << ", " << r_col << ")) <= " << level.threshold;
            break;
          case Level::Kind::kNumericAbs:
            s << "abs(" << l_col << " - " << r_col << ") <= " << level.threshold;
            break;
          default:
            s << "/* haven: " << level.label << " */";
            break;  // no Splink SQL equivalent
        }
        sql = s.str();
      }
      Json level = {{"sql_condition", sql},
                    {"label_for_charts", level_label(field, l)},
                    {"m_probability", p.m[l]},
                    {"u_probability", p.u[l]},
                    {"haven_u_random", p.u_random[l]}};
      if (l == 1 && field.term_frequency)
        level["tf_adjustment_column"] = field.column, level["tf_adjustment_weight"] = 1.0;
      levels.push_back(level);
    }
    comparisons.push_back({{"output_column_name", field.name}, {"comparison_levels", levels}});
  }
  Json rules = Json::array();
  for (const BlockingRule& r : model.spec.blocking)
    rules.push_back({{"blocking_rule", r.text}, {"sql_dialect", "haven"}});
  const char* link_type = model.spec.link_type == LinkType::kLinkOnly     ? "link_only"
                          : model.spec.link_type == LinkType::kDedupeOnly ? "dedupe_only"
                                                                          : "link_and_dedupe";
  return {{"link_type", link_type},
          {"probability_two_random_records_match", model.prior},
          {"unique_id_column_name", model.spec.id_column.empty() ? "row" : model.spec.id_column},
          {"comparisons", comparisons},
          {"blocking_rules_to_generate_predictions", rules},
          {"haven_spec", spec_to_json(model.spec)},
          {"haven_training",
           {{"em_iterations", model.em_iterations},
            {"em_converged", model.em_converged},
            {"candidate_pairs", model.candidate_pairs},
            {"sampled_pairs", model.sampled_pairs},
            {"prior_is_among", model.spec.training == Training::kPerRule ? "all comparable pairs"
                                                                         : "candidate pairs"}}}};
}

Result<double> saved_prior(const Json& model_json) {
  const Json& prior = model_json.value("probability_two_random_records_match", Json());
  if (!prior.is_number() || !(prior.get<double>() > 0 && prior.get<double>() < 1))
    return invalid("probability_two_random_records_match must be a number between 0 and 1",
                   "/probability_two_random_records_match");
  return prior.get<double>();
}

Result<Model> model_from_json(const Json& json) {
  if (!json.is_object()) return invalid("a model is a JSON object (Splink-style settings)");
  if (!json.contains("haven_spec")) return model_from_splink_json(json);
  auto spec = parse_spec(json.at("haven_spec"));
  if (!spec.ok())
    return invalid("the model's haven_spec: " + spec.error().message,
                   "/haven_spec" + spec.error().field);
  Model model;
  model.spec = std::move(*spec);
  auto prior = saved_prior(json);
  if (!prior.ok()) return prior.error();
  model.prior = *prior;
  const Json& comparisons = json.value("comparisons", Json());
  if (!comparisons.is_array() || comparisons.size() != model.spec.fields.size())
    return invalid("the model needs one comparison per field of its haven_spec", "/comparisons");
  for (std::size_t f = 0; f < comparisons.size(); ++f) {
    const std::string where = "/comparisons/" + std::to_string(f) + "/comparison_levels";
    const Json& levels = comparisons[f].value("comparison_levels", Json());
    const std::size_t expected = level_count(model.spec.fields[f]);
    if (!levels.is_array() || levels.size() != expected)
      return invalid("field \"" + model.spec.fields[f].name + "\" needs " +
                         std::to_string(expected) + " levels",
                     where);
    FieldParameters p;
    p.m.assign(expected, 1), p.u.assign(expected, 1), p.u_random.assign(expected, 1);
    for (std::size_t l = 1; l < expected; ++l) {
      for (auto [key, target] : {std::pair{"m_probability", &p.m}, std::pair{"u_probability", &p.u},
                                 std::pair{"haven_u_random", &p.u_random}}) {
        const Json& v = levels[l].value(key, Json());
        if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 1))
          return invalid(std::string(key) + " must be a number in (0, 1]",
                         where + "/" + std::to_string(l) + "/" + key);
        (*target)[l] = v.get<double>();
      }
    }
    model.fields.push_back(std::move(p));
  }
  if (json.contains("haven_training") && json.at("haven_training").is_object()) {
    const Json& t = json.at("haven_training");
    model.em_iterations = t.value("em_iterations", 0);
    model.em_converged = t.value("em_converged", false);
    model.candidate_pairs = t.value("candidate_pairs", std::uint64_t{0});
    model.sampled_pairs = t.value("sampled_pairs", std::uint64_t{0});
  }
  return model;
}

std::string describe_model(const Model& model) {
  std::ostringstream out;
  out << std::setprecision(4);
  out << (model.spec.training == Training::kPerRule ? "Chance that two random records match: "
                                                    : "Share of candidate pairs that match: ")
      << model.prior;
  if (model.em_iterations == 0 && model.sampled_pairs == 0)
    out << " (trained elsewhere: m, u and the prior as the model gives them)\n";
  else
    out << " (EM, " << model.em_iterations << " iterations"
        << (model.em_converged ? ", converged" : ", NOT converged: raise em_max_iterations") << "; "
        << model.candidate_pairs << " candidate pairs; u from " << model.sampled_pairs
        << " random pairs)\n";
  out << std::left << std::setw(18) << "field" << std::setw(28) << "level" << std::right
      << std::setw(10) << "m" << std::setw(12) << "u" << std::setw(12) << "u random" << std::setw(9)
      << "weight"
      << "\n";
  for (std::size_t f = 0; f < model.spec.fields.size(); ++f) {
    const FieldSpec& field = model.spec.fields[f];
    for (std::size_t l = 1; l < model.fields[f].m.size(); ++l) {
      const FieldParameters& p = model.fields[f];
      out << std::left << std::setw(18) << (l == 1 ? field.name : "") << std::setw(28)
          << level_label(field, l) << std::right << std::setw(10) << p.m[l] << std::setw(12)
          << p.u[l] << std::setw(12) << p.u_random[l] << std::setw(9) << std::fixed
          << std::setprecision(2) << std::log2(p.m[l] / p.u[l]) << std::defaultfloat
          << std::setprecision(4) << (l == 1 && field.term_frequency ? "  (+ term frequency)" : "")
          << "\n";
    }
  }
  return out.str();
}

}  // namespace haven::link

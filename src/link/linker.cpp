// Preparing lists for linkage: values normalised and interned once per distinct value (names
// repeat, so the costly ICU normalisation runs once per name, not per record), blocks counted
// and refused when they would explode, candidate pairs compared on two threads.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <thread>

#include "link/linker_impl.hpp"
#include "search/search.hpp"

namespace haven::link {
namespace {

std::string trim_collapse(std::string_view text, bool lower) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ', space = false;
    out += lower ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  }
  return out;
}

bool real_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m != 2 || d <= 28 || leap;
}

std::int64_t days_from_civil(int y, int m, int d) {  // Howard Hinnant's algorithm
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// A date as written in lists: YYYYMMDD, YYYY-MM-DD (or YYYY/MM/DD), DD/MM/YYYY (or DD-MM-YYYY,
// DD.MM.YYYY). A date that is not real (a typing error: 19561331) keeps its digits so edit
// distance still finds it, and its year when plausible.
void parse_date(FieldValue& value) {
  const std::string& t = value.text;
  auto digits = [&](std::size_t from, std::size_t n, int& out) {
    if (from + n > t.size()) return false;
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  bool parsed = false;
  if (t.size() == 8 && digits(0, 4, y) && digits(4, 2, m) && digits(6, 2, d))
    parsed = true;
  else if (t.size() == 10 && (t[4] == '-' || t[4] == '/') && t[7] == t[4] && digits(0, 4, y) &&
           digits(5, 2, m) && digits(8, 2, d))
    parsed = true;
  else if (t.size() == 10 && (t[2] == '/' || t[2] == '-' || t[2] == '.') && t[5] == t[2] &&
           digits(0, 2, d) && digits(3, 2, m) && digits(6, 4, y))
    parsed = true;
  if (!parsed) return;
  if (y >= 1800 && y <= 2200) value.year = y;
  if (!real_date(y, m, d)) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", y % 10000, m % 100, d % 100);
    value.text = buffer;
    return;
  }
  value.month = m, value.day = d;
  value.days = days_from_civil(y, m, d);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", y, m, d);
  value.text = buffer;
}

}  // namespace

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {  // splitmix64 finaliser over the combination
  std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string key_text(const BlockingKey& key, const FieldValue& value, const FieldValue* other) {
  switch (key.transform) {
    case BlockingKey::Transform::kPair: {
      if (other == nullptr || value.text.empty() || other->text.empty()) return {};
      const bool in_order = value.text <= other->text;
      return (in_order ? value.text : other->text) + '\x1f' + (in_order ? other->text : value.text);
    }
    case BlockingKey::Transform::kValue:
      return value.text;
    case BlockingKey::Transform::kPhonetic:
      return value.phonetic;
    case BlockingKey::Transform::kFirst:
      return value.text.size() >= static_cast<std::size_t>(key.length)
                 ? value.text.substr(0, key.length)
                 : value.text;
    case BlockingKey::Transform::kLast:
      return value.text.size() >= static_cast<std::size_t>(key.length)
                 ? value.text.substr(value.text.size() - key.length)
                 : value.text;
    case BlockingKey::Transform::kYear:
      return value.year ? std::to_string(value.year) : std::string();
  }
  return {};
}

FieldValue normalise_value(std::string_view raw, Normalise normalise,
                           const search::Normaliser* normaliser) {
  FieldValue value;
  switch (normalise) {
    case Normalise::kNone:
      value.text = trim_collapse(raw, false);
      break;
    case Normalise::kLower:
      value.text = trim_collapse(raw, true);
      break;
    case Normalise::kDate:
      value.text = trim_collapse(raw, false);
      break;
    case Normalise::kDigits:
      for (char c : raw)
        if (std::isdigit(static_cast<unsigned char>(c))) value.text += c;
      break;
    case Normalise::kName: {
      auto tokens = normaliser->name_tokens(raw);
      if (tokens.ok())
        for (const std::string& t : *tokens) value.text += (value.text.empty() ? "" : " ") + t;
      break;  // a cell with no letter is a missing name
    }
  }
  if (normalise == Normalise::kDate && !value.text.empty()) parse_date(value);
  char* end = nullptr;
  const double number = std::strtod(value.text.c_str(), &end);
  if (!value.text.empty() && end && *end == '\0') value.number = number;
  return value;
}

void add_phonetic(FieldValue& value) {
  std::string token;
  for (std::size_t i = 0; i <= value.text.size(); ++i) {
    const char c = i < value.text.size()
                       ? static_cast<char>(std::tolower(static_cast<unsigned char>(value.text[i])))
                       : ' ';
    if (c >= 'a' && c <= 'z') {
      token += c;
    } else if (c == ' ' && !token.empty()) {
      value.phonetic += (value.phonetic.empty() ? "" : " ") + search::phonetic_code(token);
      token.clear();
    }
  }
}

void parallel_for(std::size_t n, int threads,
                  const std::function<void(std::size_t, std::size_t, int)>& fn) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / 1024) + 1));
  if (threads == 1) return fn(0, n, 0);
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back(fn, n * t / threads, n * (t + 1) / threads, t);
  fn(0, n / threads, 0);
  for (auto& w : workers) w.join();
}

std::uint8_t Linker::Impl::level_of(std::size_t f, std::uint32_t a, std::uint32_t b) const {
  const FieldData& data = fields[f];
  const std::uint32_t va = data.record_value[a], vb = data.record_value[b];
  if (va == 0 || vb == 0) return 0;
  const FieldValue& x = data.values[va];
  const FieldValue& y = data.values[vb];
  const std::vector<Level>& levels = spec.fields[f].levels;
  // Computed once per pair even when several levels ask (Jaro-Winkler bands: 0.92, then 0.8).
  double jaro_winkler_value = -1, jaro_value = -1;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const Level& level = levels[l];
    bool holds = false;
    switch (level.kind) {
      case Level::Kind::kExact:
        holds = va == vb;
        break;
      case Level::Kind::kJaroWinkler:
        if (jaro_winkler_value < 0)
          jaro_winkler_value = va == vb ? 1.0 : jaro_winkler(x.text, y.text);
        holds = jaro_winkler_value >= level.threshold;
        break;
      case Level::Kind::kJaro:
        if (jaro_value < 0) jaro_value = va == vb ? 1.0 : jaro(x.text, y.text);
        holds = jaro_value >= level.threshold;
        break;
      case Level::Kind::kLevenshtein: {
        const int limit = static_cast<int>(level.threshold);
        holds = va == vb || levenshtein(x.text, y.text, limit) <= limit;
        break;
      }
      case Level::Kind::kPhonetic:
        holds = !x.phonetic.empty() && x.phonetic == y.phonetic;
        break;
      case Level::Kind::kSwappedWith: {
        const FieldData& other = fields[swapped_field[f * 16 + l]];
        const std::uint32_t oa = other.record_value[a], ob = other.record_value[b];
        if (oa == 0 || ob == 0) break;
        const std::string& ox = other.values[oa].text;
        const std::string& oy = other.values[ob].text;
        holds = level.threshold >= 1 ? x.text == oy && y.text == ox
                                     : jaro_winkler(x.text, oy) >= level.threshold &&
                                           jaro_winkler(y.text, ox) >= level.threshold;
        break;
      }
      case Level::Kind::kDateSwap:
        holds = x.days != INT64_MIN && y.days != INT64_MIN && x.year == y.year &&
                x.month == y.day && x.day == y.month;
        break;
      case Level::Kind::kDateYear:
        holds = x.year != 0 && x.year == y.year;
        break;
      case Level::Kind::kDateWithin:
        holds = x.days != INT64_MIN && y.days != INT64_MIN &&
                std::llabs(x.days - y.days) <= level.threshold;
        break;
      case Level::Kind::kNumericAbs:
        holds = !std::isnan(x.number) && !std::isnan(y.number) &&
                std::fabs(x.number - y.number) <= level.threshold;
        break;
      case Level::Kind::kNumericRel:
        holds = !std::isnan(x.number) && !std::isnan(y.number) &&
                std::fabs(x.number - y.number) <=
                    level.threshold * std::max(std::fabs(x.number), std::fabs(y.number));
        break;
      case Level::Kind::kTokenOverlap: {
        std::size_t i = 0;
        while (i < x.text.size() && !holds) {
          std::size_t end = x.text.find(' ', i);
          if (end == std::string::npos) end = x.text.size();
          const std::string_view token(x.text.data() + i, end - i);
          std::size_t j = 0;
          while (j < y.text.size() && !holds) {
            std::size_t e2 = y.text.find(' ', j);
            if (e2 == std::string::npos) e2 = y.text.size();
            holds = token == std::string_view(y.text.data() + j, e2 - j);
            j = e2 + 1;
          }
          i = end + 1;
        }
        break;
      }
    }
    if (holds) return static_cast<std::uint8_t>(l + 1);
  }
  return static_cast<std::uint8_t>(levels.size() + 1);
}

Linker::Linker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Linker::~Linker() = default;

Result<std::unique_ptr<Linker>> Linker::create(LinkSpec spec, std::vector<RecordList> lists,
                                               const search::Normaliser* normaliser, int threads) {
  if (lists.empty()) return invalid("no list to link");
  if (spec.link_type == LinkType::kLinkOnly && lists.size() < 2)
    return invalid(
        "link_only needs at least two lists; to find duplicates within one list use dedupe_only");
  if (lists.size() > 15)
    return invalid("at most 15 lists can be linked at once (the capture history's limit)");
  auto impl = std::make_unique<Impl>();
  impl->threads = std::max(1, threads);
  std::uint64_t total = 0;
  for (const RecordList& list : lists) {
    if (list.name.empty() || list.name.find_first_of(",:\"\r\n") != std::string::npos)
      return invalid(
          "list name \"" + list.name +
          "\" cannot name a capture-history column: give a name without , : \" or line breaks");
    if (std::find(impl->list_names.begin(), impl->list_names.end(), list.name) !=
        impl->list_names.end())
      return invalid("two lists are both named \"" + list.name + "\"; give each list its own name");
    if (list.ids.empty()) return invalid("the list \"" + list.name + "\" has no records");
    if (list.values.size() != list.ids.size())
      return Error{ErrorCode::kInternal, "a list has ids and values of different lengths", {}};
    for (const auto& values : list.values)
      if (values.size() != spec.fields.size())
        return invalid("a record of the list \"" + list.name + "\" has " +
                       std::to_string(values.size()) + " values but the specification " +
                       std::to_string(spec.fields.size()) + " fields");
    impl->list_names.push_back(list.name);
    total += list.ids.size();
  }
  if (total >= (1ULL << 31)) return invalid("more than 2^31 records in all: link in parts");
  for (FieldSpec& f : spec.fields)
    if (f.normalise == Normalise::kName && normaliser == nullptr)
      return Error{ErrorCode::kInternal,
                   "field " + f.name + " is normalised as a name but no Normaliser was given",
                   {}};

  const std::size_t field_count = spec.fields.size();
  impl->fields.resize(field_count);
  impl->swapped_field.assign(field_count * 16, 0);
  for (std::size_t f = 0; f < field_count; ++f)
    for (std::size_t l = 0; l < spec.fields[f].levels.size(); ++l)
      if (spec.fields[f].levels[l].kind == Level::Kind::kSwappedWith)
        for (std::size_t o = 0; o < field_count; ++o)
          if (spec.fields[o].name == spec.fields[f].levels[l].other)
            impl->swapped_field[f * 16 + l] = o;

  bool phonetic_needed = false;
  for (const FieldSpec& f : spec.fields)
    for (const Level& l : f.levels)
      phonetic_needed = phonetic_needed || l.kind == Level::Kind::kPhonetic;
  for (const BlockingRule& r : spec.blocking)
    for (const BlockingKey& k : r.keys)
      phonetic_needed = phonetic_needed || k.transform == BlockingKey::Transform::kPhonetic;

  for (FieldData& data : impl->fields)
    data.values.emplace_back(), data.counts.push_back(0), data.record_value.reserve(total);
  // Raw cell -> value id, per field: the normalisation (ICU for names) runs once per distinct cell.
  std::vector<std::unordered_map<std::string, std::uint32_t>> raw_ids(field_count);
  for (std::size_t li = 0; li < lists.size(); ++li) {
    RecordList& list = lists[li];
    impl->list_start.push_back(static_cast<std::uint32_t>(impl->ids.size()));
    for (std::size_t r = 0; r < list.ids.size(); ++r) {
      impl->record_list_of.push_back(static_cast<std::uint32_t>(li));
      impl->ids.push_back(std::move(list.ids[r]));
      for (std::size_t f = 0; f < field_count; ++f) {
        FieldData& data = impl->fields[f];
        std::string& raw = list.values[r][f];
        auto cached = raw_ids[f].find(raw);
        std::uint32_t id = 0;
        if (cached != raw_ids[f].end()) {
          id = cached->second;
        } else {
          FieldValue value = normalise_value(raw, spec.fields[f].normalise, normaliser);
          if (!value.text.empty()) {
            auto [it, added] =
                data.ids.try_emplace(value.text, static_cast<std::uint32_t>(data.values.size()));
            if (added) {
              if (phonetic_needed) add_phonetic(value);
              data.values.push_back(std::move(value));
              data.counts.push_back(0);
            }
            id = it->second;
          }
          raw_ids[f].emplace(std::move(raw), id);
        }
        data.record_value.push_back(id);
        if (id) ++data.counts[id], ++data.present;
      }
    }
    list.values.clear();
    list.values.shrink_to_fit();
  }
  impl->list_start.push_back(static_cast<std::uint32_t>(impl->ids.size()));
  {
    std::uint64_t within = 0;
    for (std::size_t l = 0; l + 1 < impl->list_start.size(); ++l) {
      const std::uint64_t n = impl->list_start[l + 1] - impl->list_start[l];
      within += n * (n - 1) / 2;
    }
    const std::uint64_t every = total * (total - 1) / 2;
    impl->all_pairs = spec.link_type == LinkType::kLinkOnly     ? every - within
                      : spec.link_type == LinkType::kDedupeOnly ? within
                                                                : every;
  }
  impl->spec = std::move(spec);

  // Blocking keys and block sizes, before any comparison.
  const LinkSpec& s = impl->spec;
  const std::size_t lists_n = impl->list_names.size();
  impl->keys.assign(s.blocking.size(), std::vector<std::uint64_t>(total, 0));
  std::uint64_t all_pairs = 0;
  for (std::size_t r = 0; r < s.blocking.size(); ++r) {
    std::vector<std::uint64_t>& keys = impl->keys[r];
    for (std::uint32_t rec = 0; rec < total; ++rec) {
      std::uint64_t h = 0x12345678ULL + r;
      bool missing = false;
      for (const BlockingKey& key : s.blocking[r].keys) {
        const std::uint32_t v = impl->fields[key.field].record_value[rec];
        const std::uint32_t w = key.transform == BlockingKey::Transform::kPair
                                    ? impl->fields[key.other].record_value[rec]
                                    : 1;
        if (v == 0 || w == 0) {
          missing = true;
          break;
        }
        const std::string text = key_text(key, impl->fields[key.field].values[v],
                                          key.transform == BlockingKey::Transform::kPair
                                              ? &impl->fields[key.other].values[w]
                                              : nullptr);
        if (text.empty()) {
          missing = true;
          break;
        }
        h = mix(h, std::hash<std::string>{}(text));
      }
      keys[rec] = missing ? 0 : (h == 0 ? 1 : h);
    }
    std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted;
    sorted.reserve(total);
    for (std::uint32_t rec = 0; rec < total; ++rec)
      if (keys[rec]) sorted.emplace_back(keys[rec], rec);
    std::sort(sorted.begin(), sorted.end());
    struct Big {
      std::uint64_t pairs;
      std::uint32_t first;
      std::vector<std::uint64_t> per_list;
    };
    std::vector<Big> too_big;
    std::uint64_t rule_pairs = 0;
    std::vector<std::uint64_t> per_list(lists_n);
    for (std::size_t i = 0; i < sorted.size();) {
      std::size_t j = i;
      std::fill(per_list.begin(), per_list.end(), 0);
      while (j < sorted.size() && sorted[j].first == sorted[i].first)
        ++per_list[impl->record_list_of[sorted[j].second]], ++j;
      const std::uint64_t n = j - i;
      std::uint64_t within = 0;
      for (std::uint64_t c : per_list) within += c * (c - 1) / 2;
      const std::uint64_t every = n * (n - 1) / 2;
      const std::uint64_t pairs = s.link_type == LinkType::kLinkOnly     ? every - within
                                  : s.link_type == LinkType::kDedupeOnly ? within
                                                                         : every;
      rule_pairs += pairs;
      if (pairs > s.max_block_pairs) too_big.push_back({pairs, sorted[i].second, per_list});
      i = j;
    }
    impl->rule_pairs.push_back(rule_pairs);
    all_pairs += rule_pairs;
    if (!too_big.empty()) {
      std::sort(too_big.begin(), too_big.end(),
                [](const Big& a, const Big& b) { return a.pairs > b.pairs; });
      std::string message =
          "blocking rule " + std::to_string(r + 1) + " \"" + s.blocking[r].text + "\" makes " +
          std::to_string(too_big.size()) + (too_big.size() == 1 ? " block" : " blocks") +
          " larger than max_block_pairs (" + with_commas(s.max_block_pairs) + " pairs):";
      for (std::size_t b = 0; b < std::min<std::size_t>(too_big.size(), 5); ++b) {
        std::string key;
        for (const BlockingKey& k : s.blocking[r].keys) {
          const FieldData& data = impl->fields[k.field];
          const FieldData& other = impl->fields[k.other];
          key += (key.empty() ? "" : " & ") +
                 key_text(k, data.values[data.record_value[too_big[b].first]],
                          k.transform == BlockingKey::Transform::kPair
                              ? &other.values[other.record_value[too_big[b].first]]
                              : nullptr);
        }
        std::string sizes;
        for (std::size_t l = 0; l < lists_n; ++l)
          sizes +=
              (l ? " + " : "") + with_commas(too_big[b].per_list[l]) + " in " + impl->list_names[l];
        message +=
            (s.show_block_keys ? " \"" + key + "\"" : std::string(" a block (key withheld)")) +
            " (" + sizes + ": " + with_commas(too_big[b].pairs) + " pairs);";
      }
      message.back() = '.';
      message +=
          " Make the rule more specific (add \"& year(date_of_birth)\" or a longer prefix) or "
          "raise max_block_pairs.";
      return invalid(message, "/blocking/" + std::to_string(r));
    }
  }
  if (all_pairs > s.max_pairs)
    return invalid("the blocking rules make " + with_commas(all_pairs) +
                       " candidate pairs, more than max_pairs (" + with_commas(s.max_pairs) +
                       "); make the rules more specific or raise max_pairs",
                   "/blocking");
  return std::unique_ptr<Linker>(new Linker(std::move(impl)));
}

const LinkSpec& Linker::spec() const { return impl_->spec; }
std::size_t Linker::list_count() const { return impl_->list_names.size(); }
const std::string& Linker::list_name(std::size_t list) const { return impl_->list_names[list]; }
std::size_t Linker::record_count() const { return impl_->ids.size(); }
std::size_t Linker::record_list(std::uint32_t record) const {
  return impl_->record_list_of[record];
}
const std::string& Linker::record_id(std::uint32_t record) const { return impl_->ids[record]; }
const std::string& Linker::compared_value(std::size_t field, std::uint32_t record) const {
  const FieldData& data = impl_->fields[field];
  return data.values[data.record_value[record]].text;
}
std::uint64_t Linker::candidate_pairs() const { return impl_->pairs.size(); }

std::vector<BlockReport> Linker::blocking_report() const {
  std::vector<BlockReport> out;
  for (std::size_t r = 0; r < impl_->spec.blocking.size(); ++r)
    out.push_back({impl_->spec.blocking[r].text, impl_->rule_pairs[r]});
  return out;
}

Status Linker::compare(const Progress& progress) {
  Impl& d = *impl_;
  if (d.compared) return Status::Ok();
  const std::size_t total = d.ids.size();
  // Candidate pairs, each once: under the first rule whose keys agree.
  d.pairs.clear();
  d.pair_rule.clear();
  for (std::size_t r = 0; r < d.keys.size(); ++r) {
    const std::vector<std::uint64_t>& keys = d.keys[r];
    std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted;
    sorted.reserve(total);
    for (std::uint32_t rec = 0; rec < total; ++rec)
      if (keys[rec]) sorted.emplace_back(keys[rec], rec);
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
      std::size_t j = i;
      while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
      for (std::size_t x = i; x < j; ++x)
        for (std::size_t y = x + 1; y < j; ++y) {
          const std::uint32_t a = sorted[x].second, b = sorted[y].second;
          if (!d.comparable(a, b)) continue;
          bool earlier = false;
          for (std::size_t e = 0; e < r && !earlier; ++e)
            earlier = d.keys[e][a] != 0 && d.keys[e][a] == d.keys[e][b];
          if (!earlier)
            d.pairs.emplace_back(a, b), d.pair_rule.push_back(static_cast<std::uint8_t>(r));
        }
      i = j;
    }
  }
  const std::size_t fields = d.fields.size();
  d.levels.assign(d.pairs.size() * fields, 0);
  std::atomic<std::uint64_t> done{0};
  const std::size_t n = d.pairs.size();
  parallel_for(n, d.threads, [&](std::size_t begin, std::size_t end, int thread) {
    for (std::size_t i = begin; i < end; ++i) {
      d.compare_into(d.pairs[i].first, d.pairs[i].second, &d.levels[i * fields]);
      if ((i - begin) % 65536 == 65535) {
        const std::uint64_t now = done.fetch_add(65536) + 65536;
        if (thread == 0 && progress) progress(now, n);
      }
    }
  });
  if (progress) progress(n, n);
  d.compared = true;
  return Status::Ok();
}

}  // namespace haven::link

// Privacy-preserving linkage: keyed Bloom-filter encodings (CLKs) of lists, and linking them.
//
// Encoding (Schnell, Bachteler and Reiher 2009; clkhash's linkage schema v3 for the schema file):
// every feature's normalised value is cut into n-grams (padded with a blank at both ends, as
// clkhash does); each n-gram sets k bits chosen by double hashing of a BLAKE2b digest keyed per
// feature (so the same bigram sets different bits in the given name and in the surname: no
// cross-field frequency table). Keys derive from the agencies' shared secret; the linking party
// never holds it, so it cannot encode a dictionary of names to compare against.
//
// Hardening against frequency attacks (Schnell and Borgs 2016, "balanced Bloom filters"): the
// filter is built at half length, its complement appended and the bits permuted by a keyed
// permutation. Every balanced CLK then has exactly half its bits set, so the number of set bits
// (which betrays long or common names) says nothing, and frequent bit patterns cannot be tied to
// frequent n-grams without the key. Dice over balanced CLKs equals 1 - Hamming/l: it orders pairs
// as the Hamming distance of the half-length filters does.
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "link/linker_impl.hpp"

namespace haven::link {
namespace {

using Key32 = std::array<unsigned char, 32>;

Key32 derive(const Key32& master, std::string_view purpose) {
  Key32 out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(purpose.data()),
                     purpose.size(), master.data(), master.size());
  return out;
}

std::string hex_of(const unsigned char* bytes, std::size_t n) {
  std::vector<char> buffer(n * 2 + 1);
  sodium_bin2hex(buffer.data(), buffer.size(), bytes, n);
  return std::string(buffer.data(), n * 2);
}

}  // namespace

Result<ClkSchema> parse_clk_schema(const Json& json) {
  if (!json.is_object())
    return invalid("a linkage schema is a JSON object (clkhash linkage schema v3)", "");
  if (json.value("version", 0) != 3)
    return invalid("only version 3 linkage schemas are read (clkhash's current format)",
                   "/version");
  ClkSchema schema;
  const Json& config = json.value("clkConfig", Json::object());
  if (config.contains("l")) {
    if (!config.at("l").is_number_integer() || config.at("l").get<long long>() < 512 ||
        config.at("l").get<long long>() % 512 != 0 || config.at("l").get<long long>() > 8192)
      return invalid("l must be a multiple of 512 from 512 to 8192 bits", "/clkConfig/l");
    schema.bits = config.at("l").get<std::size_t>();
  }
  const Json haven = json.value("haven", Json::object());
  if (!haven.is_object()) return invalid("haven must be an object", "/haven");
  for (const auto& [key, value] : haven.items())
    if (key != "hardening" && key != "blocking" && key != "id_column" && key != "max_block_pairs")
      return invalid(
          "unknown key \"" + key + "\"; accepted: hardening, blocking, id_column, max_block_pairs",
          "/haven/" + key);
  const std::string hardening = haven.value("hardening", std::string("balance"));
  if (hardening != "balance" && hardening != "none")
    return invalid("hardening must be balance or none", "/haven/hardening");
  schema.balanced = hardening == "balance";

  Json spec = {{"link_type", "link_only"},
               {"fields", Json::array()},
               {"blocking", haven.value("blocking", Json::array())}};
  if (haven.contains("id_column")) spec["id_column"] = haven.at("id_column");
  if (haven.contains("max_block_pairs")) spec["max_block_pairs"] = haven.at("max_block_pairs");
  const Json& features = json.value("features", Json());
  if (!features.is_array() || features.empty())
    return invalid("features must be a non-empty array", "/features");
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::string where = "/features/" + std::to_string(i);
    const Json& f = features[i];
    if (!f.is_object() || !f.contains("identifier") || !f.at("identifier").is_string())
      return invalid("a feature needs an \"identifier\" (its column)", where);
    if (f.value("ignored", false)) continue;
    ClkFeature feature;
    feature.identifier = f.at("identifier").get<std::string>();
    const Json& format = f.value("format", Json::object());
    const std::string type = format.value("type", std::string("string"));
    if (type == "string")
      feature.normalise = format.value("case", std::string("lower")) == "mixed" ? Normalise::kNone
                                                                                : Normalise::kLower;
    else if (type == "date")
      feature.normalise = Normalise::kDate;
    else if (type == "integer")
      feature.normalise = Normalise::kDigits;
    else if (type == "enum")
      feature.normalise = Normalise::kLower;
    else
      return invalid("format type must be string, date, integer or enum", where + "/format/type");
    const Json& hashing = f.value("hashing", Json::object());
    const Json& comparison = hashing.value("comparison", Json::object());
    if (comparison.value("type", std::string("ngram")) != "ngram")
      return invalid("only ngram comparisons are encoded", where + "/hashing/comparison/type");
    feature.ngram = comparison.value("n", 2);
    if (feature.ngram < 1 || feature.ngram > 4)
      return invalid("n must be 1 to 4", where + "/hashing/comparison/n");
    feature.positional = comparison.value("positional", false);
    const Json& strategy = hashing.value("strategy", Json::object());
    if (strategy.contains("bitsPerFeature") && strategy.at("bitsPerFeature").is_number_integer())
      feature.bits_per_feature = strategy.at("bitsPerFeature").get<int>();
    else if (strategy.contains("bitsPerToken") && strategy.at("bitsPerToken").is_number_integer())
      feature.bits_per_token = strategy.at("bitsPerToken").get<int>();
    else
      return invalid("strategy needs bitsPerFeature or bitsPerToken (a whole number)",
                     where + "/hashing/strategy");
    if (std::max(feature.bits_per_feature, feature.bits_per_token) < 1 ||
        feature.bits_per_feature > 4096 || feature.bits_per_token > 256)
      return invalid("bitsPerFeature must be 1 to 4096, bitsPerToken 1 to 256",
                     where + "/hashing/strategy");
    const Json& hash = hashing.value("hash", Json::object());
    if (hash.value("type", std::string("blakeHash")) != "blakeHash")
      return invalid("only blakeHash is supported (keyed BLAKE2b)", where + "/hashing/hash/type");
    spec["fields"].push_back({{"name", feature.identifier},
                              {"normalise", type == "date"      ? "date"
                                            : type == "integer" ? "digits"
                                                                : "lower"},
                              {"levels", Json::array({{{"type", "exact"}}})}});
    schema.features.push_back(std::move(feature));
  }
  if (schema.features.empty())
    return invalid("every feature is ignored: nothing to encode", "/features");
  if (spec["blocking"].empty())
    return invalid(
        "haven.blocking needs at least one rule (keyed blocking keys), e.g. \"phonetic(surname)\"",
        "/haven/blocking");
  auto keys = parse_spec(spec);
  if (!keys.ok()) {
    std::string field = keys.error().field;
    if (field.rfind("/blocking", 0) == 0) field = "/haven" + field;
    return invalid(keys.error().message, field);
  }
  schema.keys = std::move(*keys);
  const std::string canonical = json.dump();  // object keys sorted: the same schema, the same text
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  schema.fingerprint = hex_of(digest, sizeof digest);
  return schema;
}

Result<EncodedList> encode_list(const ClkSchema& schema, const RecordList& list,
                                std::string_view secret, const search::Normaliser* normaliser) {
  if (sodium_init() < 0) return Error{ErrorCode::kInternal, "libsodium did not start", {}};
  if (secret.size() < 16)
    return invalid("the shared secret must be at least 16 bytes (use haven keygen to make one)");
  if (list.ids.empty()) return invalid("the list \"" + list.name + "\" has no records");
  if (list.values.size() != list.ids.size())
    return invalid("the list \"" + list.name + "\" has ids and values of different lengths");
  for (const auto& values : list.values)
    if (values.size() != schema.features.size())
      return invalid("a record of the list \"" + list.name +
                     "\" has another number of values than the schema has features");
  Key32 master{};
  crypto_generichash(master.data(), master.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr,
                     0);
  EncodedList out;
  out.name = list.name;
  out.ids = list.ids;
  out.words = schema.bits / 64;
  out.balanced = schema.balanced;
  out.fingerprint = schema.fingerprint;
  const Key32 check = derive(master, "haven secret check " + schema.fingerprint);
  out.secret_check = hex_of(check.data(), 16);
  std::vector<Key32> feature_keys;
  for (const ClkFeature& f : schema.features)
    feature_keys.push_back(derive(master, "haven clk feature " + f.identifier));
  const Key32 block_key = derive(master, "haven blocking");
  // The keyed permutation of the balanced CLK's bits.
  std::vector<std::uint32_t> permutation(schema.bits);
  for (std::uint32_t i = 0; i < schema.bits; ++i) permutation[i] = i;
  {
    const Key32 seed = derive(master, "haven clk permutation");
    std::vector<std::uint32_t> stream(schema.bits);
    randombytes_buf_deterministic(stream.data(), stream.size() * sizeof(std::uint32_t),
                                  seed.data());
    for (std::size_t i = schema.bits - 1; i > 0; --i)
      std::swap(permutation[i], permutation[stream[i] % (i + 1)]);
  }
  const std::size_t n = list.ids.size();
  const std::size_t filter_bits = schema.balanced ? schema.bits / 2 : schema.bits;
  out.clks.assign(n * out.words, 0);
  out.popcounts.assign(n, 0);
  out.blocks.assign(schema.keys.blocking.size(), std::vector<std::uint64_t>(n, 0));
  parallel_for(n, 2, [&](std::size_t begin, std::size_t end, int) {
    std::vector<std::uint64_t> filter((filter_bits + 63) / 64);
    std::vector<FieldValue> values(schema.features.size());
    for (std::size_t r = begin; r < end; ++r) {
      std::fill(filter.begin(), filter.end(), 0);
      for (std::size_t f = 0; f < schema.features.size(); ++f) {
        const ClkFeature& feature = schema.features[f];
        values[f] = normalise_value(list.values[r][f], feature.normalise, normaliser);
        add_phonetic(values[f]);
        if (values[f].text.empty()) continue;  // a missing value sets no bit
        const std::string padded = " " + values[f].text + " ";
        std::vector<std::string> tokens;
        for (std::size_t i = 0; i + feature.ngram <= padded.size(); ++i)
          tokens.push_back((feature.positional ? std::to_string(i) + ":" : std::string()) +
                           padded.substr(i, feature.ngram));
        const int k = feature.bits_per_token > 0
                          ? feature.bits_per_token
                          : std::max<int>(1, (feature.bits_per_feature +
                                              static_cast<int>(tokens.size()) - 1) /
                                                 static_cast<int>(tokens.size()));
        for (const std::string& token : tokens) {
          std::uint64_t h[2];
          crypto_generichash(reinterpret_cast<unsigned char*>(h), sizeof h,
                             reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                             feature_keys[f].data(), feature_keys[f].size());
          const std::uint64_t step =
              h[1] | 1;  // double hashing (Kirsch and Mitzenmacher), as clkhash's doubleHash
          for (int j = 0; j < k; ++j) {
            const std::uint64_t bit = (h[0] + static_cast<std::uint64_t>(j) * step) % filter_bits;
            filter[bit / 64] |= 1ULL << (bit % 64);
          }
        }
      }
      std::uint64_t* clk = &out.clks[r * out.words];
      if (schema.balanced) {
        for (std::size_t i = 0; i < filter_bits; ++i) {
          const bool set = (filter[i / 64] >> (i % 64)) & 1;
          const std::uint32_t at = permutation[set ? i : filter_bits + i];
          clk[at / 64] |= 1ULL << (at % 64);
        }
      } else {
        for (std::size_t w = 0; w < out.words; ++w) clk[w] = filter[w];
      }
      for (std::size_t w = 0; w < out.words; ++w)
        out.popcounts[r] += static_cast<std::uint32_t>(__builtin_popcountll(clk[w]));
      for (std::size_t rule = 0; rule < schema.keys.blocking.size(); ++rule) {
        std::string text = std::to_string(rule);
        bool missing = false;
        for (const BlockingKey& key : schema.keys.blocking[rule].keys) {
          const std::string part = key_text(
              key, values[key.field],
              key.transform == BlockingKey::Transform::kPair ? &values[key.other] : nullptr);
          if (part.empty()) missing = true;
          text += "|" + part;
        }
        if (missing) continue;
        std::uint64_t h = 0;
        crypto_generichash(reinterpret_cast<unsigned char*>(&h), sizeof h,
                           reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                           block_key.data(), block_key.size());
        out.blocks[rule][r] = h == 0 ? 1 : h;
      }
    }
  });
  return out;
}

Json encoded_to_json(const EncodedList& list) {
  Json clks = Json::array(), blocks = Json::array();
  std::vector<char> buffer(
      sodium_base64_ENCODED_LEN(list.words * 8, sodium_base64_VARIANT_ORIGINAL));
  for (std::size_t r = 0; r < list.ids.size(); ++r) {
    sodium_bin2base64(buffer.data(), buffer.size(),
                      reinterpret_cast<const unsigned char*>(&list.clks[r * list.words]),
                      list.words * 8, sodium_base64_VARIANT_ORIGINAL);
    clks.push_back(std::string(buffer.data()));
  }
  for (const auto& rule : list.blocks) {
    Json keys = Json::array();
    for (std::uint64_t k : rule)
      keys.push_back(k ? hex_of(reinterpret_cast<const unsigned char*>(&k), 8) : std::string());
    blocks.push_back(keys);
  }
  return {{"haven_encoding", 1},
          {"bits", list.words * 64},
          {"hardening", list.balanced ? "balance" : "none"},
          {"schema_fingerprint", list.fingerprint},
          {"secret_check", list.secret_check},
          {"ids", list.ids},
          {"clks", clks},
          {"blocks", blocks}};
}

Result<EncodedList> encoded_from_json(const Json& json, const std::string& name) {
  auto bad = [&](const std::string& message, const std::string& where) {
    return invalid("malformed encoding: " + message, where);
  };
  if (!json.is_object() || json.value("haven_encoding", 0) != 1)
    return bad("not an encoded list written by haven encode (no \"haven_encoding\": 1)",
               "/haven_encoding");
  EncodedList list;
  list.name = name;
  const Json& bits = json.value("bits", Json());
  if (!bits.is_number_integer() || bits.get<long long>() < 512 ||
      bits.get<long long>() % 512 != 0 || bits.get<long long>() > 8192)
    return bad("bits must be a multiple of 512 up to 8192", "/bits");
  list.words = bits.get<std::size_t>() / 64;
  const std::string hardening = json.value("hardening", std::string());
  if (hardening != "balance" && hardening != "none")
    return bad("hardening must be balance or none", "/hardening");
  list.balanced = hardening == "balance";
  for (auto [key, target] : {std::pair{"schema_fingerprint", &list.fingerprint},
                             std::pair{"secret_check", &list.secret_check}}) {
    if (!json.contains(key) || !json.at(key).is_string() || json.at(key).get<std::string>().empty())
      return bad(std::string(key) + " is missing", std::string("/") + key);
    *target = json.at(key).get<std::string>();
  }
  const Json& ids = json.value("ids", Json());
  const Json& clks = json.value("clks", Json());
  if (!ids.is_array() || !clks.is_array()) return bad("ids and clks must be arrays", "/clks");
  if (ids.size() != clks.size())
    return bad(std::to_string(ids.size()) + " ids but " + std::to_string(clks.size()) + " CLKs",
               "/clks");
  if (clks.empty()) return invalid("the encoded list \"" + name + "\" has no records", "/clks");
  list.clks.assign(clks.size() * list.words, 0);
  std::unordered_set<std::string> seen;
  for (std::size_t r = 0; r < clks.size(); ++r) {
    if (!ids[r].is_string() || !seen.insert(ids[r].get<std::string>()).second)
      return bad("id " + std::to_string(r + 1) + " is not a string or is used twice",
                 "/ids/" + std::to_string(r));
    list.ids.push_back(ids[r].get<std::string>());
    if (!clks[r].is_string()) return bad("a CLK is a base64 string", "/clks/" + std::to_string(r));
    const std::string& text = clks[r].get_ref<const std::string&>();
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(&list.clks[r * list.words]),
                          list.words * 8, text.data(), text.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length != list.words * 8)
      return bad("CLK " + std::to_string(r + 1) + " is not base64 of " +
                     std::to_string(list.words * 64) + " bits",
                 "/clks/" + std::to_string(r));
    std::uint32_t count = 0;
    for (std::size_t w = 0; w < list.words; ++w)
      count += static_cast<std::uint32_t>(__builtin_popcountll(list.clks[r * list.words + w]));
    if (list.balanced && count != list.words * 32)
      return bad("CLK " + std::to_string(r + 1) + " has " + std::to_string(count) +
                     " bits set; a balanced CLK has exactly half (" +
                     std::to_string(list.words * 32) + "): the file was altered or truncated",
                 "/clks/" + std::to_string(r));
    list.popcounts.push_back(count);
  }
  const Json& blocks = json.value("blocks", Json());
  if (!blocks.is_array() || blocks.empty())
    return bad("blocks must be a non-empty array (one array of keys per rule)", "/blocks");
  for (std::size_t rule = 0; rule < blocks.size(); ++rule) {
    if (!blocks[rule].is_array() || blocks[rule].size() != list.ids.size())
      return bad("blocks/" + std::to_string(rule) + " must hold one key per record",
                 "/blocks/" + std::to_string(rule));
    std::vector<std::uint64_t> keys(list.ids.size(), 0);
    for (std::size_t r = 0; r < keys.size(); ++r) {
      const Json& k = blocks[rule][r];
      if (!k.is_string())
        return bad("a block key is a hex string",
                   "/blocks/" + std::to_string(rule) + "/" + std::to_string(r));
      const std::string& text = k.get_ref<const std::string&>();
      if (text.empty()) continue;
      std::size_t length = 0;
      if (sodium_hex2bin(reinterpret_cast<unsigned char*>(&keys[r]), 8, text.data(), text.size(),
                         nullptr, &length, nullptr) != 0 ||
          length != 8)
        return bad("a block key is 16 hex digits",
                   "/blocks/" + std::to_string(rule) + "/" + std::to_string(r));
    }
    list.blocks.push_back(std::move(keys));
  }
  return list;
}

Result<std::vector<EncodedPair>> link_encoded(const std::vector<EncodedList>& lists, LinkType type,
                                              double threshold, std::uint64_t max_block_pairs,
                                              int threads, const Progress& progress) {
  if (lists.empty()) return invalid("no encoded list to link");
  if (type == LinkType::kLinkOnly && lists.size() < 2)
    return invalid("link_only needs at least two lists");
  const EncodedList& first = lists.front();
  std::vector<std::uint32_t> start, list_of;
  for (const EncodedList& l : lists) {
    if (l.ids.empty()) return invalid("the encoded list \"" + l.name + "\" has no records");
    if (l.fingerprint != first.fingerprint)
      return invalid("list \"" + l.name + "\" was encoded with another schema than list \"" +
                     first.name + "\" (schema fingerprint " + l.fingerprint.substr(0, 12) +
                     "... against " + first.fingerprint.substr(0, 12) +
                     "...): every agency must encode with the same schema file");
    if (l.secret_check != first.secret_check)
      return invalid("list \"" + l.name + "\" was encoded with another secret than list \"" +
                     first.name +
                     "\": every agency must encode with the same shared secret; CLKs made with "
                     "different secrets cannot be compared");
    if (l.words != first.words || l.balanced != first.balanced ||
        l.blocks.size() != first.blocks.size())
      return invalid(
          "list \"" + l.name +
          "\" has another CLK length, hardening or number of blocking rules than list \"" +
          first.name + "\"");
    start.push_back(static_cast<std::uint32_t>(list_of.size()));
    list_of.insert(list_of.end(), l.ids.size(), static_cast<std::uint32_t>(start.size() - 1));
  }
  const std::size_t words = first.words, total = list_of.size();
  auto clk = [&](std::uint32_t g) {
    return &lists[list_of[g]].clks[(g - start[list_of[g]]) * words];
  };
  auto popcount = [&](std::uint32_t g) {
    return lists[list_of[g]].popcounts[g - start[list_of[g]]];
  };
  auto key = [&](std::size_t rule, std::uint32_t g) {
    return lists[list_of[g]].blocks[rule][g - start[list_of[g]]];
  };
  auto comparable = [&](std::uint32_t a, std::uint32_t b) {
    return type == LinkType::kLinkOnly     ? list_of[a] != list_of[b]
           : type == LinkType::kDedupeOnly ? list_of[a] == list_of[b]
                                           : true;
  };
  std::vector<std::pair<std::uint32_t, std::uint32_t>> candidates;
  for (std::size_t rule = 0; rule < first.blocks.size(); ++rule) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted;
    for (std::uint32_t g = 0; g < total; ++g)
      if (key(rule, g)) sorted.emplace_back(key(rule, g), g);
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
      std::size_t j = i;
      while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
      const std::uint64_t size = j - i;
      if (size * (size - 1) / 2 > max_block_pairs)
        return invalid("keyed blocking rule " + std::to_string(rule + 1) + " makes a block of " +
                       std::to_string(size) + " records (up to " +
                       std::to_string(size * (size - 1) / 2) +
                       " pairs, more than max_block_pairs " + std::to_string(max_block_pairs) +
                       "); the schema's rule is too coarse for these lists");
      for (std::size_t x = i; x < j; ++x)
        for (std::size_t y = x + 1; y < j; ++y) {
          const std::uint32_t a = sorted[x].second, b = sorted[y].second;
          if (!comparable(a, b)) continue;
          bool earlier = false;
          for (std::size_t e = 0; e < rule && !earlier; ++e)
            earlier = key(e, a) != 0 && key(e, a) == key(e, b);
          if (!earlier) candidates.emplace_back(std::min(a, b), std::max(a, b));
        }
      i = j;
    }
  }
  std::vector<std::vector<EncodedPair>> kept(std::max(1, threads));
  std::atomic<std::uint64_t> done{0};
  parallel_for(candidates.size(), threads, [&](std::size_t begin, std::size_t end, int thread) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto [a, b] = candidates[i];
      const double d = dice(clk(a), clk(b), words, popcount(a), popcount(b));
      if (d >= threshold) kept[thread].push_back({a, b, d});
      if ((i - begin) % 65536 == 65535) {
        const std::uint64_t now = done.fetch_add(65536) + 65536;
        if (thread == 0 && progress) progress(now, candidates.size());
      }
    }
  });
  std::vector<EncodedPair> pairs;
  for (auto& part : kept) pairs.insert(pairs.end(), part.begin(), part.end());
  std::sort(pairs.begin(), pairs.end(), [](const EncodedPair& a, const EncodedPair& b) {
    return a.dice != b.dice ? a.dice > b.dice
                            : std::tie(a.left, a.right) < std::tie(b.left, b.right);
  });
  if (type != LinkType::kLinkOnly) return pairs;
  // Greedy one-to-one per pair of lists, as anonlink's solver: each record keeps its best partner
  // on each other list.
  std::unordered_set<std::uint64_t> taken;  // record * lists + other list
  std::vector<EncodedPair> assigned;
  for (const EncodedPair& p : pairs) {
    const std::uint64_t left = static_cast<std::uint64_t>(p.left) * lists.size() + list_of[p.right];
    const std::uint64_t right =
        static_cast<std::uint64_t>(p.right) * lists.size() + list_of[p.left];
    if (taken.count(left) || taken.count(right)) continue;
    taken.insert(left), taken.insert(right);
    assigned.push_back(p);
  }
  return assigned;
}

}  // namespace haven::link

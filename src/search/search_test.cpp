// Normalisation, phonetic codes and keyed encodings.
#include "search/search.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace haven::search {
namespace {

using Tokens = std::vector<std::string>;

class Names : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto created = Normaliser::create();
    ASSERT_TRUE(created.ok()) << created.error().message;
    normaliser_ = std::move(*created).release();
  }
  static void TearDownTestSuite() { delete normaliser_; }
  static Tokens tokens(std::string_view name) {
    auto result = normaliser_->name_tokens(name);
    EXPECT_TRUE(result.ok()) << name << ": " << (result.ok() ? "" : result.error().message);
    return result.ok() ? *result : Tokens{};
  }
  static Normaliser* normaliser_;
};
Normaliser* Names::normaliser_ = nullptr;

Key key_of(unsigned char fill) {
  Key key;
  key.fill(fill);
  return key;
}

TEST_F(Names, LatinWithDiacriticsFoldsToAscii) {
  EXPECT_EQ(tokens("José Núñez"), (Tokens{"jose", "nunez"}));
  EXPECT_EQ(tokens("Nguyễn Thị Hương"), (Tokens{"nguyen", "thi", "huong"}));
  EXPECT_EQ(tokens("Ştefan Ţurcanu"), (Tokens{"stefan", "turcanu"}));
  EXPECT_EQ(tokens("ÉMILE  O'BRIEN-SMITH"), (Tokens{"emile", "obrien", "smith"}));
}

TEST_F(Names, DevanagariDropsUnspokenVowels) {
  EXPECT_EQ(tokens("मोहम्मद रहमान"), (Tokens{"muhammad", "rahman"}));
  EXPECT_EQ(tokens("राजेश कुमार"), (Tokens{"rajesh", "kumar"}));
  EXPECT_EQ(tokens("सुनीता देवी"), (Tokens{"sunita", "devi"}));
  EXPECT_EQ(tokens("जितेंद्र"), (Tokens{"jitendra"}));
}

TEST_F(Names, OtherScripts) {
  EXPECT_EQ(tokens("Иван Петров"), (Tokens{"ivan", "petrov"}));
  EXPECT_EQ(tokens("செல்வி"), (Tokens{"celvi"}));
  EXPECT_EQ(tokens("محمد رحمن"), (Tokens{"mhmd", "rhmn"}));
  EXPECT_EQ(tokens("王伟"), (Tokens{"wang", "wei"}));
  EXPECT_EQ(tokens("রহমান"), (Tokens{"rahman"}));
}

TEST_F(Names, KhmerThroughHavensOwnTable) {
  EXPECT_EQ(tokens("សុខ"), (Tokens{"sokh"}));
  EXPECT_EQ(tokens("ដារ៉ា"), (Tokens{"dara"}));
  EXPECT_EQ(tokens("សុភា"), (Tokens{"sophea"}));
  EXPECT_EQ(tokens("រតនា"), (Tokens{"ratanea"}));  // ា after an o-series consonant
  EXPECT_EQ(tokens("សំណាង"), (Tokens{"samnang"}));
}

TEST_F(Names, ScriptsMeetTheirRomanisations) {
  // The phonetic codes of both spellings agree, which is what blocking needs.
  auto codes = [](const Tokens& t) {
    Tokens out;
    for (const auto& token : t) out.push_back(phonetic_code(token));
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(codes(tokens("मोहम्मद रहमान")), codes(tokens("Rahman Md.")));
  EXPECT_EQ(codes(tokens("محمد رحمن")), codes(tokens("Mohammed Rahman")));
  EXPECT_EQ(codes(tokens("செல்வி")), codes(tokens("Selvi")));
  EXPECT_EQ(codes(tokens("សុខ ចាន់")), codes(tokens("Sok Chan")));
}

TEST_F(Names, HonorificsAndParticlesGoVariantsAreMapped) {
  EXPECT_EQ(tokens("Md. Rahman"), (Tokens{"muhammad", "rahman"}));
  EXPECT_EQ(tokens("Mr Rajesh Kumar"), (Tokens{"rajesh", "kumar"}));
  EXPECT_EQ(tokens("Sri Lakshmi"), (Tokens{"lakshmi"}));
  EXPECT_EQ(tokens("Ahmad bin Ismail"), (Tokens{"ahmad", "ismail"}));
  EXPECT_EQ(tokens("Sri"), (Tokens{"sri"}));  // nothing else: kept
  EXPECT_EQ(tokens("Bill Smith"), (Tokens{"william", "smith"}));
  EXPECT_EQ(tokens("Tan Mei Ling"), (Tokens{"chen", "mei", "ling"}));
  EXPECT_EQ(tokens("J. R. Kumar"), (Tokens{"kumar"}));
}

TEST_F(Names, SwappedOrderGivesTheSameEncoding) {
  const SearchKey key(key_of(1));
  EXPECT_EQ(key.clk(tokens("Mohammed Rahman")), key.clk(tokens("Rahman Md.")));
  EXPECT_EQ(key.clk(tokens("Mohammed Rahman")), key.clk(tokens("मोहम्मद रहमान")));
  EXPECT_GT(dice(key.clk(tokens("Sunita Devi")), key.clk(tokens("Devi Suneeta"))), 0.75);
  EXPECT_LT(dice(key.clk(tokens("Sunita Devi")), key.clk(tokens("Rajesh Kumar"))), 0.35);
}

TEST_F(Names, BadInputIsRefusedClearly) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("   "), std::string_view("12345"),
        std::string_view("😀😀"), std::string_view("\xff\xfe"), std::string_view("Ana\xc3")}) {
    auto result = normaliser_->name_tokens(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(result.error().message.empty());
  }
  EXPECT_FALSE(normaliser_->name_tokens(std::string(kMaxNameBytes + 1, 'a')).ok());
}

TEST_F(Names, OddButValidInputGivesSensibleTokens) {
  EXPECT_EQ(tokens("A"), (Tokens{"a"}));
  EXPECT_EQ(tokens("😀 Ana 🌸"), (Tokens{"ana"}));
  EXPECT_EQ(tokens("Ana Иванова मीना"), (Tokens{"ana", "ivanova", "mina"}));
  const Tokens long_name = tokens(std::string(500, 'x'));
  ASSERT_EQ(long_name.size(), 1u);
  EXPECT_EQ(long_name[0].size(), kMaxTokenLetters);
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "Name" + std::string(1, static_cast<char>('a' + i % 26)) + " ";
  EXPECT_EQ(tokens(many).size(), kMaxTokens);
  std::string long_devanagari;
  for (int i = 0; i < 150; ++i) long_devanagari += "मोह ";  // 500+ characters
  EXPECT_EQ(tokens(long_devanagari).size(), kMaxTokens);
}

TEST_F(Names, RandomBytesNeverCrashOrStall) {
  std::uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<unsigned>(state >> 33);
  };
  // Pieces of many scripts, combining marks, emoji and invalid bytes, in random order.
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           " ",
                                           "'",
                                           "-",
                                           ".",
                                           "\xcc\x81",
                                           "\xe0\xa4\x95",
                                           "\xe0\xa5\x8d",
                                           "\xe0\xa4\xbe",
                                           "\xe1\x9e\x80",
                                           "\xe1\x9f\x92",
                                           "\xe1\x9f\x89",
                                           "\xd8\xa8",
                                           "\xd0\x96",
                                           "\xe0\xae\x95",
                                           "\xe4\xb8\xad",
                                           "\xf0\x9f\x98\x80",
                                           "\xff",
                                           "\xc3",
                                           "7"};
  const auto start = std::chrono::steady_clock::now();
  const SearchKey key(key_of(9));
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const unsigned length = next() % 40;
    for (unsigned k = 0; k < length; ++k) text += pieces[next() % pieces.size()];
    auto result = normaliser_->name_tokens(text);
    if (result.ok()) {
      EXPECT_FALSE(result->empty());
      for (const auto& token : *result)
        for (char c : token) EXPECT_TRUE(c >= 'a' && c <= 'z') << text;
    }
    (void)encode_person({{"given_name", text}, {"address", text}}, key, *normaliser_);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(Phonetic, CodesForNamesOfManyOrigins) {
  EXPECT_EQ(phonetic_code("muhammad"), "MT");
  EXPECT_EQ(phonetic_code("mhmd"), "MT");
  EXPECT_EQ(phonetic_code("rahman"), "RMN");
  EXPECT_EQ(phonetic_code("rhmn"), "RMN");
  EXPECT_EQ(phonetic_code("lakshmi"), phonetic_code("laxmi"));
  EXPECT_EQ(phonetic_code("chaudhary"), phonetic_code("choudhary"));
  EXPECT_EQ(phonetic_code("shanti"), phonetic_code("shanthi"));
  EXPECT_EQ(phonetic_code("sunita"), phonetic_code("suneeta"));
  EXPECT_EQ(phonetic_code("philip"), phonetic_code("filip"));
  EXPECT_EQ(phonetic_code("vikas"), phonetic_code("wikash"));
  EXPECT_NE(phonetic_code("rajesh"), phonetic_code("suresh"));
  EXPECT_EQ(phonetic_code(""), "");
  EXPECT_EQ(phonetic_code("abdullahabdullahabdullah").size(), 6u);
}

class Encodings : public Names {};

TEST_F(Encodings, DifferBetweenKeysAndHoldNoPlaintext) {
  const Json person = {{"given_name", "Sunita"},     {"family_name", "Devi"},
                       {"birth_date", "1990-04-07"}, {"sex", "female"},
                       {"phone", "+91 98765 43210"}, {"address", "House 4, Gaya, Bihar"}};
  auto a = encode_person(person, SearchKey(key_of(1)), *normaliser_);
  auto b = encode_person(person, SearchKey(key_of(2)), *normaliser_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->names, b->names);
  EXPECT_NE(a->blocking_keys, b->blocking_keys);
  EXPECT_NE(a->birth, b->birth);
  EXPECT_NE(a->phone, b->phone);
  EXPECT_LT(dice(a->names[0], b->names[0]), 0.5);
  const std::string bytes = serialise(*a);
  for (std::string_view plain : {"sunita", "Sunita", "devi", "Devi", "1990", "04-07", "98765",
                                 "43210", "gaya", "Gaya", "bihar", "female", "SNT"})
    EXPECT_EQ(bytes.find(plain), std::string::npos) << plain;
  // Same key, same person: the same encodings.
  EXPECT_EQ(*a, *encode_person(person, SearchKey(key_of(1)), *normaliser_));
}

TEST_F(Encodings, RoundTripThroughBytes) {
  const Json person = {{"given_name", "Kofi"},
                       {"aliases", {"Kwabena", "कोफ़ी"}},
                       {"age_estimate", 17},
                       {"age_estimated_on", "2024-03-01"},
                       {"region", "Volta"}};
  auto e = encode_person(person, SearchKey(key_of(3)), *normaliser_);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->names.size(), 3u);
  EXPECT_EQ(e->birth.year_count, 4);
  auto back = deserialise(serialise(*e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *e);
  const std::string bytes = serialise(*e);
  EXPECT_FALSE(deserialise(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(deserialise(bytes + "x").ok());
  EXPECT_FALSE(deserialise("").ok());
  EXPECT_FALSE(deserialise(std::string("\x02", 1) + bytes.substr(1)).ok());
}

TEST_F(Encodings, BadFieldsAreNamed) {
  const SearchKey key(key_of(1));
  auto field_of = [&](const Json& person) {
    auto e = encode_person(person, key, *normaliser_);
    EXPECT_FALSE(e.ok());
    return e.ok() ? std::string("(ok)") : e.error().field;
  };
  EXPECT_EQ(field_of({{"given_name", "Ana"}, {"birth_date", "2023-02-30"}}), "/birth_date");
  EXPECT_EQ(field_of({{"given_name", "Ana"}, {"birth_date", "30/01/2001"}}), "/birth_date");
  EXPECT_EQ(field_of({{"given_name", "😀"}}), "/given_name");
  EXPECT_EQ(field_of({{"given_name", 42}}), "/given_name");
  EXPECT_EQ(field_of({{"given_name", "Ana"}, {"aliases", "Anita"}}), "/aliases");
  EXPECT_EQ(field_of({{"family_name", "Ana\xc3"}}), "/family_name");
  EXPECT_EQ(
      field_of({{"given_name", "Ana"}, {"age_estimate", -3}, {"age_estimated_on", "2020-01-01"}}),
      "/age_estimate");
  // An emoji alias says nothing and is left out.
  auto e = encode_person({{"given_name", "Ana"}, {"aliases", {"🌸"}}}, key, *normaliser_);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->names.size(), 1u);
}

TEST_F(Encodings, QueriesValidateAgeRanges) {
  const SearchKey key(key_of(1));
  const std::int64_t today = 20000;
  EXPECT_TRUE(
      encode_query({{"name", "Ana"}, {"age_min", 20}, {"age_max", 30}}, key, *normaliser_, today)
          .ok());
  EXPECT_FALSE(encode_query({{"age_min", 30}, {"age_max", 20}}, key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query({{"age_min", 0}, {"age_max", 100}}, key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query({{"age_max", 200}}, key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query({{"birth_year", 3000}}, key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query(Json::object(), key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query({{"name", ""}}, key, *normaliser_, today).ok());
  EXPECT_FALSE(encode_query(Json::array(), key, *normaliser_, today).ok());
}

}  // namespace
}  // namespace haven::search

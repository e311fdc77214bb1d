#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace haven {
namespace {

Key key_of(unsigned char fill) {
  Key key;
  key.fill(fill);
  return key;
}

std::unique_ptr<KeyRing> ring_with_org(std::int64_t org) {
  auto ring = KeyRing::from_master_key(key_of(7));
  auto wrapped = ring->new_wrapped_data_key();
  EXPECT_TRUE(ring->load_data_key(org, 1, *wrapped).ok());
  return ring;
}

TEST(Sealing, RoundTripsAndBindsContext) {
  auto ring = ring_with_org(1);
  auto sealed = ring->seal(1, "{\"given_name\":\"Asha\"}", "person:5");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("Asha"), std::string::npos);
  EXPECT_EQ(*ring->open_sealed(1, *sealed, "person:5"), "{\"given_name\":\"Asha\"}");
  EXPECT_FALSE(ring->open_sealed(1, *sealed, "person:6").ok());  // moved to another record
  std::string tampered = *sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(ring->open_sealed(1, tampered, "person:5").ok());
  EXPECT_NE(*ring->seal(1, "same", "c"), *ring->seal(1, "same", "c"));  // random nonces
  EXPECT_FALSE(ring->seal(2, "x", "c").ok());  // no key for that organisation
}

TEST(Sealing, DataKeysOnlyOpenUnderTheirMasterKey) {
  auto ring = KeyRing::from_master_key(key_of(7));
  auto other = KeyRing::from_master_key(key_of(8));
  auto wrapped = ring->new_wrapped_data_key();
  EXPECT_FALSE(other->load_data_key(1, 1, *wrapped).ok());
  auto rewrapped = ring->rewrap(*wrapped, *other);
  ASSERT_TRUE(rewrapped.ok());
  EXPECT_TRUE(other->load_data_key(1, 1, *rewrapped).ok());
}

TEST(Sealing, RotatedKeysStillOpenOldValues) {
  auto ring = ring_with_org(1);
  auto old_value = ring->seal(1, "old", "c");
  ASSERT_TRUE(ring->load_data_key(1, 2, *ring->new_wrapped_data_key()).ok());
  EXPECT_EQ(ring->current_key_version(1), 2);
  EXPECT_EQ(*ring->open_sealed(1, *old_value, "c"), "old");
  EXPECT_EQ(*ring->open_sealed(1, *ring->seal(1, "new", "c"), "c"), "new");
}

TEST(BlindIndex, StablePerOrganisationAndField) {
  auto ring = ring_with_org(1);
  ASSERT_TRUE(ring->load_data_key(2, 1, *ring->new_wrapped_data_key()).ok());
  EXPECT_EQ(*ring->blind_index(1, "phone", "+639175550101"), *ring->blind_index(1, "phone", "+639175550101"));
  EXPECT_NE(*ring->blind_index(1, "phone", "+639175550101"), *ring->blind_index(2, "phone", "+639175550101"));
  EXPECT_NE(*ring->blind_index(1, "phone", "1"), *ring->blind_index(1, "phon", "e1"));
}

TEST(SearchKey, PerOrganisationStableAcrossRotationAndApartFromOtherKeys) {
  auto ring = ring_with_org(1);
  ASSERT_TRUE(ring->load_data_key(2, 1, *ring->new_wrapped_data_key()).ok());
  const Key first = *ring->search_key(1);
  EXPECT_EQ(first, *ring->search_key(1));
  EXPECT_NE(first, *ring->search_key(2));
  ASSERT_TRUE(ring->load_data_key(1, 2, *ring->new_wrapped_data_key()).ok());
  EXPECT_EQ(first, *ring->search_key(1));
  EXPECT_FALSE(ring->search_key(3).ok());
}

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("haven-keys-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, PassphraseOpensOnlyWithTheRightPassphrase) {
  KeySource source{"correct horse battery staple", {}};
  auto created = KeyRing::create(dir_, source);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto wrapped = (*created)->new_wrapped_data_key();
  EXPECT_FALSE(KeyRing::create(dir_, source).ok());
  auto reopened = KeyRing::open(dir_, source);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->load_data_key(1, 1, *wrapped).ok());
  auto wrong = KeyRing::open(dir_, KeySource{"wrong horse battery staple", {}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  std::ifstream keys(dir_ / "keys.json");
  const std::string content((std::istreambuf_iterator<char>(keys)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content.find("correct horse"), std::string::npos);
}

TEST_F(KeyFiles, KeyFileMode) {
  const auto file = dir_ / "master.key";
  ASSERT_TRUE(write_new_key_file(file).ok());
  EXPECT_FALSE(write_new_key_file(file).ok());  // never overwritten
  KeySource source{{}, file};
  ASSERT_TRUE(KeyRing::create(dir_, source).ok());
  EXPECT_TRUE(KeyRing::open(dir_, source).ok());
  EXPECT_EQ(KeyRing::open(dir_, KeySource{"a passphrase instead", {}}).error().code, ErrorCode::kUnauthenticated);
  const auto other = dir_ / "other.key";
  ASSERT_TRUE(write_new_key_file(other).ok());
  EXPECT_EQ(KeyRing::open(dir_, KeySource{{}, other}).error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace haven

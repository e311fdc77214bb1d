#include "web/web.hpp"

#include <gtest/gtest.h>

namespace haven::web {
namespace {

TEST(AcceptsGzip, ReadsTheHeaderAsBrowsersSendIt) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.8"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("x-gzip2"));
}

TEST(AssetFor, LeavesTheApiAndMissingFilesAlone) {
  EXPECT_EQ(asset_for("/api/v1/cases"), nullptr);
  EXPECT_EQ(asset_for("/api"), nullptr);
  EXPECT_EQ(asset_for("/assets/main-STALE.js"), nullptr);
  EXPECT_EQ(asset_for("/favicon.ico"), nullptr);
}

TEST(AssetFor, PagePathsGetIndexHtmlWhenTheInterfaceIsBuiltIn) {
  if (embedded_assets().empty()) GTEST_SKIP() << "built without node and npm";
  const Asset* index = asset_for("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->path, "/index.html");
  EXPECT_FALSE(index->immutable);
  EXPECT_EQ(asset_for("/cases/42"), index);
  EXPECT_EQ(asset_for("/cases/42/legal"), index);
  for (const Asset& asset : embedded_assets()) {
    EXPECT_EQ(asset_for(asset.path), &asset);
    if (asset.path.starts_with("/assets/")) {
      EXPECT_TRUE(asset.immutable) << asset.path;
    }
    if (!asset.gzip.empty()) {
      EXPECT_LT(asset.gzip.size(), asset.body.size()) << asset.path;
    }
  }
  // The page loads its script and stylesheet from files, never inline (the CSP allows only 'self').
  EXPECT_EQ(index->body.find("<script>"), std::string_view::npos);
  EXPECT_NE(index->body.find("<script type=\"module\" src=\"/assets/"), std::string_view::npos);
}

}  // namespace
}  // namespace haven::web

// The web interface's files, compiled into haven (src/web/CMakeLists.txt bundles them from web/).
#pragma once

#include <span>
#include <string_view>

namespace haven::web {

struct Asset {
  std::string_view path;  // "/index.html", "/assets/main-5XK2Q.js"
  std::string_view content_type;
  std::string_view body;
  std::string_view gzip;   // the body gzipped at build time; empty when that is not smaller
  bool immutable = false;  // the name carries a content hash: cache for a year
};

// Every embedded file; empty when haven was built without node and npm.
std::span<const Asset> embedded_assets();

// What a GET of `path` is answered with: the file itself; index.html for any other path that is
// not the API's or a file's (the page's router shows it: /cases/42 reloaded); nullptr for paths
// under /api/ and for missing files (/assets/..., or a name with a dot), which get a 404.
const Asset* asset_for(std::string_view path);

// True when an Accept-Encoding header value accepts gzip (not "gzip;q=0").
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace haven::web

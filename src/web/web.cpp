#include "web/web.hpp"

#include <algorithm>
#include <cctype>

namespace haven::web {
namespace {

const Asset* find(std::string_view path) {
  for (const Asset& asset : embedded_assets())
    if (asset.path == path) return &asset;
  return nullptr;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const Asset* asset_for(std::string_view path) {
  if (path == "/api" || path.starts_with("/api/")) return nullptr;
  if (path == "/" || path.empty()) return find("/index.html");
  if (const Asset* file = find(path)) return file;
  // A missing file (a stale hashed name, /favicon.ico) must not get the page: a script or image
  // tag would receive HTML. Page paths have no dot in their last segment.
  const std::string_view last = path.substr(path.rfind('/') + 1);
  if (path.starts_with("/assets/") || last.find('.') != std::string_view::npos) return nullptr;
  return find("/index.html");
}

bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::string_view coding = trim(item.substr(0, item.find(';')));
    if (!equals_ignoring_case(coding, "gzip") && coding != "*") continue;
    // "gzip;q=0" (or 0.0, 0.000) refuses it.
    const std::size_t q = item.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view value = trim(item.substr(q + 2));
    return !(value.starts_with("0") && value.find_first_not_of("0.") == std::string_view::npos);
  }
  return false;
}

}  // namespace haven::web

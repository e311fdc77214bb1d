// The web interface at /: its embedded files (src/web), index.html for the page's own paths,
// gzip when the browser accepts it. Hashed files are cached for a year; index.html is revalidated
// on every load so a new haven's page is picked up at once.
#include "web/web.hpp"

#include "api/http.hpp"

namespace haven {

void ApiServer::Impl::web_routes() {
  // Registered after every API route: cpp-httplib takes the first pattern that matches.
  server.Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (web::embedded_assets().empty() && !req.path.starts_with("/api/"))
      return http::send_problem(
          res, 404,
          "this haven was built without its web interface (node and npm were missing); "
          "the API is at /api/v1/ (see /api/v1/openapi.json)");
    const web::Asset* asset = web::asset_for(req.path);
    if (!asset)
      return http::send_problem(res, 404,
                                "no such resource: " + req.path + "; see /api/v1/openapi.json");
    res.set_header("Cache-Control",
                   asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.set_header("Vary", "Accept-Encoding");
    std::string_view body = asset->body;
    if (!asset->gzip.empty() && web::accepts_gzip(req.get_header_value("Accept-Encoding"))) {
      res.set_header("Content-Encoding", "gzip");
      body = asset->gzip;
    }
    http::send_static(res, body, std::string(asset->content_type));
  });
}

}  // namespace haven

#include "web/ui/assets.h"

namespace vigil::web::ui {

const Asset* find_asset(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedAssetCount; ++i)
    if (kEmbeddedAssets[i].name == name) return &kEmbeddedAssets[i];
  return nullptr;
}

std::string asset_url(std::string_view name) {
  const Asset* a = find_asset(name);
  std::string url = "/static/" + std::string(name);
  if (a) url += "?v=" + std::string(a->hash);
  return url;
}

Response serve_asset(const Request& req, std::string_view name) {
  const Asset* a = find_asset(name);
  if (!a) return json_error(404, "no such file", "name");
  const std::string etag = "\"" + std::string(a->hash) + "\"";
  Response r;
  r.content_type = std::string(a->content_type);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (req.header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  r.body = std::string(a->bytes);
  return r;
}

}  // namespace vigil::web::ui

// The UI's static files (src/web/assets/*), embedded in the binary by cmake/embed_assets.cmake
// and served at /static/<name>?v=<hash> with a year-long Cache-Control: the hash in the URL
// changes whenever the file does.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "web/http_types.h"

namespace vigil::web::ui {

struct Asset {
  std::string_view name;          // "app.css"
  std::string_view content_type;
  std::string_view hash;          // first 16 hex digits of the SHA-256
  std::string_view bytes;
};

const Asset* find_asset(std::string_view name);
std::string asset_url(std::string_view name);  // "/static/app.css?v=<hash>"
// GET /static/<name>: the file with ETag and long caching; 304 on a matching If-None-Match.
Response serve_asset(const Request& req, std::string_view name);

// Defined in the generated web_assets.cpp.
extern const Asset kEmbeddedAssets[];
extern const std::size_t kEmbeddedAssetCount;

}  // namespace vigil::web::ui

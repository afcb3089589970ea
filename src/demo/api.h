// ApiClient: the demo's engineers talking to vigil's HTTP API as anyone would (blocking JSON
// calls, docs/api.md): read incidents, tap a page's Acknowledge link, add notes, run runbooks,
// resolve. Blocking: the scenario's thread only, never an event loop.
#pragma once
#include <boost/json/value.hpp>

#include <string>

#include "common/result.h"

namespace vigil::demo {

class ApiClient {
 public:
  explicit ApiClient(std::string base) : base_(std::move(base)) {}
  // `path` starting with '/' is under the base URL; anything else is a full URL (a page link).
  // Error when the call fails or answers other than 2xx (the message carries the API's error).
  Result<boost::json::value> call(const std::string& method, const std::string& path, const std::string& body = "");
  Result<boost::json::value> get(const std::string& path) { return call("GET", path); }
  Result<boost::json::value> post(const std::string& path, const boost::json::value& body);
  const std::string& base() const { return base_; }

 private:
  std::string base_;
};

}  // namespace vigil::demo

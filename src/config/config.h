// The configuration model of vigil.yaml (DESIGN.md §5) and its loader.
// load_config() reads YAML, expands ${ENV}, reads *_file secrets, validates every
// section, and returns either a complete Config or *every* error found, each with
// its position, so `vigil config check` prints them all at once (promtool style).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace vigil::config {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port
  std::string external_url;               // used in links inside notifications
  std::size_t max_request_bytes = 1 << 20;
  Duration request_timeout = 10s;
};

struct StoreConfig {
  std::string sqlite = "data/vigil.db";
  Duration results_retention = std::chrono::hours(24 * 7);
};

struct Defaults {
  Duration interval = 30s;
  Duration timeout = 10s;
  int failure_threshold = 3;
  int success_threshold = 2;
  double jitter = 0.1;  // fraction of the interval a check's phase may be spread over
};

enum class CheckType { http, tcp };

struct CheckConfig {
  std::string name;
  CheckType type = CheckType::http;
  // http: url (http:// or https://). tcp: url "tcp://host:port" or target "host:port".
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Duration interval{};  // defaults applied by the loader: never zero after load
  Duration timeout{};
  bool follow_redirects = false;
  bool tls_verify = true;
  int failure_threshold = 0;
  int success_threshold = 0;
  std::string severity = "critical";  // critical|error|warning|info (PagerDuty's levels)
  std::vector<std::string> conditions;  // validated by rules::Condition::parse at load
};

struct ServiceConfig {
  std::string name;
  std::string description;
  std::vector<std::string> notify;  // channel names
  std::vector<CheckConfig> checks;
};

enum class ChannelType { webhook, log };

struct ChannelConfig {
  std::string name;
  ChannelType type = ChannelType::log;
  std::string url;     // webhook
  std::string secret;  // webhook HMAC-SHA256 key (from `secret` or `secret_file`); empty = unsigned
  std::vector<std::pair<std::string, std::string>> headers;
  Duration timeout = 10s;
};

struct Config {
  std::string path;  // the file it was loaded from
  ServerConfig server;
  StoreConfig store;
  Defaults defaults;
  std::vector<ChannelConfig> channels;
  std::vector<ServiceConfig> services;
};

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is not about one place
  int column = 0;  // 1-based
  std::string key;  // path.to.key, e.g. services[0].checks[1].interval
  std::string message;
};
// FILE:LINE:COL: key: message
std::string to_string(const ConfigError& e);

struct LoadResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

// Reads and validates the file. Never throws.
LoadResult load_config(const std::string& path);
// Same, from text (tests, reload); `path` is only used in error messages and for relative *_file paths.
LoadResult load_config_text(const std::string& text, const std::string& path);

// Stable id of a check across reloads: "service/check".
inline std::string check_id(const ServiceConfig& s, const CheckConfig& c) { return s.name + "/" + c.name; }

}  // namespace vigil::config

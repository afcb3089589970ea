// Helpers shared by the config tests.
#pragma once
#include <string>
#include <vector>

#include "config/config.h"

namespace vigil::config::testing {

// Every error of loading `yaml` as "t.yaml", formatted by to_string().
inline std::vector<std::string> errors_of(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& e : load_config_text(yaml, "t.yaml").errors) out.push_back(to_string(e));
  return out;
}

// A config of one service with one check (a flow map, on line 4 after `before`'s lines).
inline std::string service_with_check(const std::string& service, const std::string& check,
                                      const std::string& before = "") {
  return before + "services:\n  - name: " + service + "\n    checks:\n      - " + check + "\n";
}

}  // namespace vigil::config::testing

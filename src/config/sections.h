// One reader per top-level section of vigil.yaml. Each fills its part of Config with what
// is valid and reports the rest to the Context. Private to src/config.
#pragma once
#include <map>
#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace vigil::config::detail {

// Names seen so far in one namespace (services, a service's checks, channels), with the line
// of their first definition, so a duplicate can say where the original is.
class NameIndex {
 public:
  explicit NameIndex(std::string kind) : kind_(std::move(kind)) {}
  // Records `name`; reports a duplicate at `where` and returns false.
  bool add(Context& ctx, const Field& where, const std::string& name);
  bool contains(const std::string& name) const { return lines_.count(name) != 0; }
  std::vector<std::string_view> names() const;

 private:
  std::string kind_;
  std::map<std::string, int> lines_;
};

void read_server(Context& ctx, const Field& f, ServerConfig& out);
void read_store(Context& ctx, const Field& f, StoreConfig& out);
void read_defaults(Context& ctx, const Field& f, Defaults& out);
void read_channels(Context& ctx, const Field& f, std::vector<ChannelConfig>& out, NameIndex& names);
void read_services(Context& ctx, const Field& f, const Defaults& defaults, const NameIndex& channels,
                   std::vector<ServiceConfig>& out);
// One check of a service; `names` are its siblings' names. Returns false when it has errors.
bool read_check(Context& ctx, const Field& f, const Defaults& defaults, NameIndex& names, CheckConfig& out);

}  // namespace vigil::config::detail

// MapView: a mapping with a fixed set of keys (unknown, duplicate and merge keys).
#include <fmt/format.h>

#include <algorithm>

#include "config/yaml_reader.h"

namespace vigil::config::detail {

MapView::MapView(Context& ctx, const Field& self, std::initializer_list<std::string_view> known)
    : ctx_(ctx), self_(self) {
  if (empty_value(self.node)) {
    is_map_ = true;
    return;
  }
  if (!self.node.IsMap()) {
    ctx.error(self, fmt::format("expected a map, got {}", describe(self.node)));
    return;
  }
  is_map_ = true;
  collect(self.node, std::vector<std::string_view>(known), false);
}

void MapView::collect(const YAML::Node& node, const std::vector<std::string_view>& known, bool merged) {
  std::vector<YAML::Node> merges;
  for (const auto& kv : node) {
    const Pos key_pos = pos_of(kv.first.Mark());
    if (!kv.first.IsScalar()) {
      ctx_.error(key_pos, self_.path, "expected a key name, got " + describe(kv.first));
      continue;
    }
    const std::string& name = kv.first.Scalar();
    if (name == "<<" && kv.first.Tag() == "?") {
      merges.push_back(kv.second);
      continue;
    }
    Field f = child(self_, kv.first, kv.second, name);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string msg = fmt::format("unknown key \"{}\"", name);
      if (auto hint = closest(name, known)) msg += fmt::format(" (did you mean \"{}\"?)", *hint);
      ctx_.error(key_pos, f.path, std::move(msg));
      continue;
    }
    auto dup = std::find_if(fields_.begin(), fields_.end(), [&](const auto& e) { return e.first == name; });
    if (dup != fields_.end()) {
      // Keys written in the map win over merged ones; a key written twice is a mistake.
      if (!merged) {
        ctx_.error(key_pos, f.path,
                   fmt::format("duplicate key \"{}\" (first at line {})", name, dup->second.key_pos.line));
      }
      continue;
    }
    fields_.emplace_back(name, std::move(f));
  }
  // Merges last, whatever their place in the map: explicit keys override merged ones.
  for (const auto& m : merges) {
    if (m.IsMap()) {
      collect(m, known, true);
    } else if (m.IsSequence() && std::all_of(m.begin(), m.end(), [](const YAML::Node& n) { return n.IsMap(); })) {
      for (const auto& each : m) collect(each, known, true);
    } else {
      ctx_.error(pos_of(m.Mark()), child_path(self_.path, "<<"), "a merge key needs a map, e.g. <<: *defaults");
    }
  }
}

const Field* MapView::get(std::string_view key) const {
  for (const auto& [name, f] : fields_) {
    if (name == key) return &f;
  }
  return nullptr;
}

const Field* MapView::require(std::string_view key) {
  const Field* f = get(key);
  if (f == nullptr && is_map_) ctx_.error(self_, fmt::format("missing required key \"{}\"", key));
  return f;
}

}  // namespace vigil::config::detail

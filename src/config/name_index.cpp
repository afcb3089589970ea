#include <fmt/format.h>

#include "config/sections.h"

namespace vigil::config::detail {

bool NameIndex::add(Context& ctx, const Field& where, const std::string& name) {
  auto [it, inserted] = lines_.emplace(name, where.pos.line);
  if (!inserted) {
    ctx.error(where, fmt::format("duplicate {} name \"{}\" (first defined at line {})", kind_, name, it->second));
  }
  return inserted;
}

std::vector<std::string_view> NameIndex::names() const {
  std::vector<std::string_view> out;
  for (const auto& [name, line] : lines_) out.push_back(name);
  return out;
}

}  // namespace vigil::config::detail

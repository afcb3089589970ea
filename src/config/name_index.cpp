#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"

namespace vigil::config::detail {

bool NameIndex::add(Context& ctx, const Field& where, const std::string& name) {
  auto [it, inserted] = lines_.emplace(name, where.pos.line);
  if (!inserted) {
    ctx.error(where, fmt::format("duplicate {} {} \"{}\" (first defined at line {})", kind_, key_, name, it->second));
  }
  return inserted;
}

std::vector<std::string_view> NameIndex::names() const {
  std::vector<std::string_view> out;
  for (const auto& [name, line] : lines_) out.push_back(name);
  return out;
}

std::string NameIndex::unknown_message(const std::string& name) const {
  const auto known = names();
  if (known.empty()) return fmt::format("unknown {} \"{}\" (no {} are defined)", kind_, name, plural_);
  if (auto hint = closest(name, known)) return fmt::format("unknown {} \"{}\" (did you mean \"{}\"?)", kind_, name, *hint);
  // A long list helps nobody: the first few say enough about what the names look like.
  constexpr std::size_t kShown = 10;
  std::string list;
  for (std::size_t i = 0; i < known.size() && i < kShown; ++i) list += (i == 0 ? "" : ", ") + std::string(known[i]);
  if (known.size() > kShown) list += fmt::format(", … {} more", known.size() - kShown);
  return fmt::format("unknown {} \"{}\" (defined: {})", kind_, name, list);
}

void NameIndex::read_list_of(Context& ctx, const Field& f, std::vector<std::string>& out) const {
  for (const Field& item : read_list(ctx, f)) {
    auto name = read_string(ctx, item);
    if (!name) continue;
    if (!contains(*name)) ctx.error(item, unknown_message(*name));
    else if (std::find(out.begin(), out.end(), *name) != out.end())
      ctx.error(item, fmt::format("{} \"{}\" is listed twice", kind_, *name));
    else out.push_back(*name);
  }
}

}  // namespace vigil::config::detail

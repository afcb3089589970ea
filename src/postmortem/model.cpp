#include "postmortem/model.h"

namespace vigil::postmortem {

std::string_view section_title(std::string_view key) {
  for (const auto& s : kSections)
    if (s.key == key) return s.title;
  return {};
}

}  // namespace vigil::postmortem

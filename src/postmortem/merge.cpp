#include <algorithm>

#include "postmortem/draft.h"
#include "postmortem/model.h"

namespace vigil::postmortem {

store::StoredPostmortem merge(std::int64_t incident_id, const std::optional<store::StoredPostmortem>& stored,
                              std::vector<store::PostmortemSection> fresh, Time now) {
  store::StoredPostmortem out;
  out.incident_id = incident_id;
  out.generated_at = now;
  auto find = [](std::vector<store::PostmortemSection>& in, std::string_view key) -> store::PostmortemSection* {
    auto it = std::find_if(in.begin(), in.end(), [&](const auto& s) { return s.key == key; });
    return it == in.end() ? nullptr : &*it;
  };
  std::vector<store::PostmortemSection> kept = stored ? stored->sections : std::vector<store::PostmortemSection>{};
  // Sections under keys this version does not know (written by a newer one) are not dropped.
  std::vector<store::PostmortemSection> unknown;
  for (const auto& s : kept)
    if (section_title(s.key).empty()) unknown.push_back(s);
  for (const auto& name : kSections) {
    if (auto* mine = find(kept, name.key); mine && mine->edited) {
      out.sections.push_back(std::move(*mine));  // a person wrote it: theirs, word for word
    } else if (auto* gen = find(fresh, name.key)) {
      gen->edited = false;
      gen->edited_by.clear();
      out.sections.push_back(std::move(*gen));
    } else if (mine) {
      out.sections.push_back(std::move(*mine));  // nothing fresh to replace it with
    } else {
      out.sections.push_back({std::string(name.key), "", false, "", now});
    }
  }
  for (auto& s : unknown) out.sections.push_back(std::move(s));
  return out;
}

}  // namespace vigil::postmortem

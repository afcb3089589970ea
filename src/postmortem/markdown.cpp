#include <fmt/format.h>

#include <algorithm>

#include "common/ascii.h"
#include "postmortem/chart.h"
#include "postmortem/draft_parts.h"
#include "postmortem/model.h"
#include "postmortem/render.h"
#include "postmortem/report_blocks.h"

namespace vigil::postmortem {
namespace {

std::string metadata(const PostmortemFacts& f, const store::StoredPostmortem& pm) {
  const auto& inc = f.incident;
  const Zone z(f.time_zone);
  std::string out = fmt::format("- **Incident:** #{}{}\n", inc.id, inc.dedup_key.empty() ? "" : " (" + code(inc.dedup_key) + ")");
  out += fmt::format("- **Service:** {}{}\n", code(inc.service),
                     f.service_description.empty() ? "" : " — " + md_inline(f.service_description));
  out += fmt::format("- **Severity:** {} · **Status:** {}\n", inc.severity, incident::to_string(inc.status));
  out += fmt::format("- **Started:** {} · **Detected:** {}", z.date_time(inc.started_at), z.date_time(inc.detected_at));
  if (inc.acknowledged_at) out += fmt::format(" · **Acknowledged:** {}", z.date_time(*inc.acknowledged_at));
  if (inc.resolved_at) out += fmt::format(" · **Resolved:** {}", z.date_time(*inc.resolved_at));
  out += "\n";
  std::vector<std::string> edited;
  for (const auto& s : pm.sections)
    if (s.edited)
      edited.push_back(fmt::format("{}{}", section_title(s.key).empty() ? s.key : std::string(section_title(s.key)),
                                   s.edited_by.empty() ? "" : " (" + s.edited_by + ")"));
  out += fmt::format("- **Draft generated:** {}{}\n", z.date_time(pm.generated_at),
                     edited.empty() ? "; no section edited by a person yet"
                                    : fmt::format("; edited by a person: {}", fmt::join(edited, ", ")));
  if (!f.external_url.empty()) {
    out += fmt::format("- **In vigil:** <{}/incidents/{}>\n", without_trailing_slashes(f.external_url), inc.id);
  }
  return out;
}

std::string action_items(const PostmortemFacts& f) {
  std::string out = "### Action items\n\n";
  if (f.action_items.empty()) return out + "None tracked yet.\n";
  out += "| Action item | Owner | Due | Status |\n| --- | --- | --- | --- |\n";
  for (const auto& i : f.action_items)
    out += fmt::format("| {} | {} | {} | {} |\n", table_cell(i.text), table_cell(i.owner.empty() ? "—" : i.owner),
                       table_cell(i.due.empty() ? "—" : i.due), table_cell(i.status));
  return out;
}

const Image* find_image(const std::vector<Image>& imgs, std::string_view file) {
  auto it = std::find_if(imgs.begin(), imgs.end(), [&](const Image& i) { return i.file == file; });
  return it == imgs.end() ? nullptr : &*it;
}

}  // namespace

std::string table_cell(std::string_view text) {
  std::string out;
  for (char c : md_inline(text)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::vector<Image> images(const PostmortemFacts& facts) {
  return {{"system.svg", fmt::format("How {} is watched and who was paged", facts.incident.service),
           system_diagram_svg(facts)},
          {"metrics.svg", fmt::format("Metrics of {} around incident #{}, incident window shaded, events marked",
                                      facts.incident.service, facts.incident.id),
           metrics_chart_svg(facts)}};
}

std::vector<Block> report_blocks(const PostmortemFacts& f, const store::StoredPostmortem& pm,
                                 const std::vector<Image>& imgs) {
  std::vector<Block> out;
  out.push_back({fmt::format("# Postmortem: {}\n\n{}", md_inline(f.incident.title), metadata(f, pm))});
  std::vector<const Image*> placed;
  auto picture = [&](std::string_view file) {
    if (const Image* img = find_image(imgs, file)) {
      out.push_back({"", img});
      placed.push_back(img);
    }
  };
  for (const auto& name : kSections) {
    auto it = std::find_if(pm.sections.begin(), pm.sections.end(), [&](const auto& s) { return s.key == name.key; });
    std::string text = it == pm.sections.end() || it->markdown.empty() ? "Not written yet.\n" : it->markdown;
    if (text.back() != '\n') text += '\n';
    out.push_back({fmt::format("## {}\n\n{}", name.title, text)});
    if (name.key == "summary") picture("system.svg");
    if (name.key == "timeline") picture("metrics.svg");
    if (name.key == "corrective") out.push_back({action_items(f)});
  }
  for (const auto& img : imgs)
    if (std::find(placed.begin(), placed.end(), &img) == placed.end()) out.push_back({"", &img});
  return out;
}

std::string markdown(const PostmortemFacts& facts, const store::StoredPostmortem& pm, const std::vector<Image>& imgs) {
  std::string out;
  for (const auto& b : report_blocks(facts, pm, imgs)) {
    if (!out.empty()) out += "\n";
    out += b.image ? fmt::format("![{}](images/{})\n", table_cell(b.image->alt), b.image->file) : b.markdown;
  }
  return out;
}

}  // namespace vigil::postmortem

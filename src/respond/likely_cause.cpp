#include "respond/likely_cause.h"

#include <fmt/format.h>

#include "probe/logs/signatures.h"

namespace vigil::respond {
namespace {

constexpr std::size_t kLineInText = 200;  // the matched line as quoted in the suggestion

std::string quoted_line(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.size() > kLineInText) {
    std::size_t cut = kLineInText;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 char
    line = line.substr(0, cut) + "...";
  }
  return line;
}

}  // namespace

std::vector<LikelyCause> likely_causes(const std::vector<EvidenceItem>& evidence) {
  std::vector<LikelyCause> out;
  for (const auto& item : evidence) {
    if (item.text.empty()) continue;
    for (const auto& m : probe::logs::find_signatures(item.text)) {
      if (m.signature == nullptr || !m.signature->cause || m.count == 0) continue;
      LikelyCause c;
      c.evidence = item.name;
      c.key = std::string(m.signature->key);
      c.code = std::string(m.signature->code);
      c.meaning = std::string(m.signature->meaning);
      c.line = m.line;
      c.count = m.count;
      c.text = fmt::format("Likely cause (suggestion): {} — {}; seen {} {} in {}", c.code.empty() ? c.key : c.code,
                           c.meaning, c.count, c.count == 1 ? "time" : "times", c.evidence);
      if (const auto q = quoted_line(c.line); !q.empty()) c.text += " (last: " + q + ")";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace vigil::respond

#include "demo/narrator.h"

#include <date/tz.h>
#include <fmt/format.h>

namespace vigil::demo {

std::string narration_line(Time at, std::string_view time_zone, std::string_view text) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {  // an unknown name: the narration still reads in UTC
    zone = date::locate_zone("UTC");
  }
  const auto local = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(at));
  const std::string stamp = date::format("%H:%M:%S %Z", local);
  std::string out = stamp + "  ";
  const std::string indent(stamp.size() + 2, ' ');
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (start > 0) out += indent;
    out.append(text.substr(start, end - start));
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

Narrator::Narrator(std::FILE* out, bool quiet, std::string time_zone)
    : out_(out), quiet_(quiet), zone_(std::move(time_zone)) {}

void Narrator::write(const std::string& s) {
  std::lock_guard lock(mu_);
  std::fputs(s.c_str(), out_);
  std::fflush(out_);
}

void Narrator::chapter(std::string_view title) {
  if (!quiet_) write(fmt::format("\n== {} ==\n", title));
}

void Narrator::say(std::string_view text) {
  if (!quiet_) write(narration_line(now_ms(), zone_, text));
}

void Narrator::event(std::string_view text) { write(narration_line(now_ms(), zone_, text)); }

void Narrator::block(std::string_view text) {
  if (quiet_) return;
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out += "    | ";
    out.append(text.substr(start, nl - start));
    out += '\n';
    start = nl + 1;
  }
  write(out);
}

}  // namespace vigil::demo

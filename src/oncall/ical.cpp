// iCalendar (RFC 5545) export of on-call shifts: text escaping (§3.3.11), content lines folded
// at 75 octets (§3.1) and CRLF line ends.
#include <date/date.h>

#include <string_view>

#include "oncall/schedule.h"

namespace vigil::oncall {
namespace {

// TEXT value escaping: backslash, semicolon, comma, newline (CRLF, LF or CR → "\n"); other
// control characters are not allowed in TEXT and are dropped (HTAB is kept).
std::string escape_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\r':
        if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) break;
        out += c;
    }
  }
  return out;
}

// Appends one content line, folded so no physical line exceeds 75 octets (excluding CRLF);
// continuation lines start with a space and a fold never splits a UTF-8 sequence.
void add_line(std::string& out, std::string_view line) {
  std::size_t limit = 75;
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = 74;  // the leading space counts
  }
  out.append(line);
  out += "\r\n";
}

std::string utc_basic(Time t) {
  return date::format("%Y%m%dT%H%M%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

std::string to_ical(const Schedule& schedule, const std::vector<Shift>& shifts,
                    const std::vector<config::UserConfig>& users, Time generated_at) {
  const std::string& name = schedule.config().name;
  const std::string stamp = utc_basic(generated_at);
  std::string out;
  add_line(out, "BEGIN:VCALENDAR");
  add_line(out, "VERSION:2.0");
  add_line(out, "PRODID:-//vigil//oncall//EN");
  add_line(out, "CALSCALE:GREGORIAN");
  add_line(out, "METHOD:PUBLISH");
  add_line(out, "X-WR-CALNAME:" + escape_text(name));
  for (const auto& s : shifts) {
    std::string display = s.user;
    for (const auto& u : users) {
      if (u.id == s.user) {
        if (!u.name.empty()) display = u.name;
        break;
      }
    }
    const auto epoch = std::chrono::floor<std::chrono::seconds>(s.start).time_since_epoch().count();
    add_line(out, "BEGIN:VEVENT");
    add_line(out, "UID:" + escape_text(name + "-" + std::to_string(epoch) + "-" + s.user + "@vigil"));
    add_line(out, "DTSTAMP:" + stamp);
    add_line(out, "DTSTART:" + utc_basic(s.start));
    add_line(out, "DTEND:" + utc_basic(s.end));
    add_line(out, "SUMMARY:" + escape_text("On call: " + display));
    add_line(out, "END:VEVENT");
  }
  add_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace vigil::oncall

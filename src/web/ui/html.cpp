#include "web/ui/html.h"
#include "common/escape.h"

#include "web/action_link.h"

namespace vigil::web::ui {

std::string escape(std::string_view text) { return escape_markup(text); }

void Html::attrs(Attrs a) {
  for (const auto& [name, value] : a) {
    const bool optional = !name.empty() && name[0] == '?';
    if (optional && value.empty()) continue;
    ((out_ += ' ').append(optional ? name.substr(1) : name) += "=\"").append(escape(value)) += '"';
  }
}

Html& Html::open(std::string_view tag, Attrs a) {
  (out_ += '<').append(tag);
  attrs(a);
  out_ += '>';
  return *this;
}

Html& Html::close(std::string_view tag) {
  (out_ += "</").append(tag) += '>';
  return *this;
}

Html& Html::leaf(std::string_view tag, Attrs a, std::string_view t) {
  open(tag, a);
  text(t);
  return close(tag);
}

Html& Html::empty(std::string_view tag, Attrs a) { return open(tag, a); }

Html& Html::text(std::string_view t) {
  out_ += escape(t);
  return *this;
}

Html& Html::trusted(const Trusted& t) {
  out_ += t.html;
  return *this;
}

Html& Html::append(const Html& other) {
  out_ += other.out_;
  return *this;
}

}  // namespace vigil::web::ui

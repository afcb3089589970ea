// A tiny HTML builder for the server-rendered UI. Every piece of text and every attribute
// value goes through escape(); markup from elsewhere enters only as Trusted, which vigil's own
// renderers produce (SVG charts, the postmortem's HTML). Tags and attribute names are literals
// in the page code, never data.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace vigil::web::ui {

std::string escape(std::string_view text);  // & < > " '

// Markup from a renderer of vigil's that escapes its own text (postmortem HTML, SVG charts).
struct Trusted {
  std::string html;
};

class Html {
 public:
  // Attributes in order. A name starting with '?' is optional: left out when its value is
  // empty (`{"?aria-current", here ? "page" : ""}`, `{"?checked", on ? "checked" : ""}`).
  using Attrs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  Html& open(std::string_view tag, Attrs attrs = {});
  Html& close(std::string_view tag);
  Html& leaf(std::string_view tag, Attrs attrs, std::string_view text);  // <tag ...>text</tag>
  Html& leaf(std::string_view tag, std::string_view text) { return leaf(tag, {}, text); }
  Html& empty(std::string_view tag, Attrs attrs);  // <input ...>, no closing tag
  Html& text(std::string_view text);
  Html& trusted(const Trusted& t);
  Html& append(const Html& other);  // markup built by this builder elsewhere
  std::string take() { return std::move(out_); }
  const std::string& str() const { return out_; }

 private:
  void attrs(Attrs a);
  std::string out_;
};

}  // namespace vigil::web::ui

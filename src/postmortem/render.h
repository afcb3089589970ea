// Writers: the report as Markdown (README.md with images linked from images/) and as one
// self-contained HTML page (inline CSS, SVG inline) that prints to PDF.
#pragma once
#include <string>
#include <vector>

#include "postmortem/facts.h"
#include "store/store.h"

namespace vigil::postmortem {

struct Image {
  std::string file;  // "system.svg" — written under images/
  std::string alt;
  std::string svg;
};

// The report's two pictures (system diagram, metrics chart).
std::vector<Image> images(const PostmortemFacts& facts);

// "# Postmortem: <title>" + metadata + each section + action items table; images linked as
// images/<file>.
std::string markdown(const PostmortemFacts& facts, const store::StoredPostmortem& pm, const std::vector<Image>& imgs);

// The same report as one HTML document; Markdown of sections is rendered (headings, lists,
// emphasis, code, links, tables of the draft) and everything is escaped.
std::string html(const PostmortemFacts& facts, const store::StoredPostmortem& pm, const std::vector<Image>& imgs);

}  // namespace vigil::postmortem

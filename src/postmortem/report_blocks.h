// The report as a sequence of blocks, shared by the Markdown and the HTML writers: Markdown text
// (headings, metadata, sections, the action items table) and the places where a picture goes.
// The Markdown writer links a picture as images/<file>; the HTML writer inlines its SVG.
#pragma once
#include <string>
#include <vector>

#include "postmortem/render.h"

namespace vigil::postmortem {

struct Block {
  std::string markdown;  // empty for a picture
  const Image* image = nullptr;
};

std::vector<Block> report_blocks(const PostmortemFacts& facts, const store::StoredPostmortem& pm,
                                 const std::vector<Image>& imgs);

// Text for a Markdown table cell: one line, pipes escaped.
std::string table_cell(std::string_view text);

}  // namespace vigil::postmortem

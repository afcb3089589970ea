// The report as one HTML page: sections rendered from Markdown by cmark-gfm (GFM tables,
// strikethrough, autolinks) in its safe mode, so raw HTML a person typed into a section is
// omitted and javascript: links are dropped; the pictures are inlined as SVG; the CSS is inline
// and prints to PDF without clipping figures or orphaning headings.
#include <cmark-gfm-core-extensions.h>
#include "common/escape.h"
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>

#include "postmortem/render.h"
#include "postmortem/report_blocks.h"
#include "postmortem/svg.h"

namespace vigil::postmortem {
namespace {

constexpr std::string_view kCss = R"(
:root { color-scheme: light; }
body { font: 15px/1.55 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1b1f23;
       background: #fff; max-width: 980px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
code { background: #f3f4f6; padding: .1em .3em; border-radius: 4px; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .8rem; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: .8rem 0; }
th, td { border: 1px solid #d0d7de; padding: .35rem .7rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
figure { margin: 1.2rem 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
figcaption { font-size: .85rem; color: #57606a; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, pre, table, li { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)";

void register_extensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

std::string to_html(const std::string& md) {
  register_extensions();
  // No CMARK_OPT_UNSAFE: raw HTML and dangerous URLs are left out of the output.
  const int options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
  cmark_parser* parser = cmark_parser_new(options);
  for (const char* name : {"table", "strikethrough", "autolink", "tagfilter"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name)) cmark_parser_attach_syntax_extension(parser, ext);
  cmark_parser_feed(parser, md.data(), md.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
  std::string out = html ? html : "";
  std::free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return out;
}

}  // namespace

std::string html(const PostmortemFacts& facts, const store::StoredPostmortem& pm, const std::vector<Image>& imgs) {
  std::string body;
  for (const auto& b : report_blocks(facts, pm, imgs)) {
    if (b.image)
      body += fmt::format("<figure>\n{}<figcaption>{}</figcaption>\n</figure>\n", b.image->svg, escape_markup(b.image->alt));
    else
      body += to_html(b.markdown);
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Postmortem: {}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      escape_markup(facts.incident.title), kCss, body);
}

}  // namespace vigil::postmortem

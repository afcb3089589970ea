// The UI's HTML builder: text and attribute values are always escaped; tags are the code's.
#include <gtest/gtest.h>

#include "web/ui/assets.h"
#include "web/ui/html.h"
#include "web/ui/layout.h"

namespace vigil::web::ui {
namespace {

TEST(UiHtml, EscapesTextAndAttributes) {
  EXPECT_EQ(escape(R"(<script>alert("x") & 'y'</script>)"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
  Html h;
  h.leaf("a", {{"href", "/x?a=1&b=\"2\""}, {"title", "<b>"}}, "Tom & <Jerry>");
  EXPECT_EQ(h.str(), R"(<a href="/x?a=1&amp;b=&quot;2&quot;" title="&lt;b&gt;">Tom &amp; &lt;Jerry&gt;</a>)");
}

TEST(UiHtml, OptionalAttributesAreLeftOutWhenEmpty) {
  Html h;
  h.empty("input", {{"name", "q"}, {"?required", ""}, {"?checked", "checked"}});
  EXPECT_EQ(h.str(), R"(<input name="q" checked="checked">)");
}

TEST(UiHtml, CsrfFieldOnlyWithASession) {
  Request anonymous;
  Html a;
  csrf_field(a, anonymous);
  EXPECT_EQ(a.str(), "");
  Request signed_in;
  signed_in.principal = Principal{"alice", "Alice", "responder", false, "tok\"en"};
  Html b;
  csrf_field(b, signed_in);
  EXPECT_EQ(b.str(), R"(<input type="hidden" name="csrf" value="tok&quot;en">)");
}

TEST(UiHtml, FormFieldsAreDecoded) {
  Request r;
  r.body = "note=back+up%21&csrf=abc&note=second";
  EXPECT_EQ(form_field(r, "note"), "back up!");
  EXPECT_EQ(form_field(r, "csrf"), "abc");
  EXPECT_EQ(form_field(r, "missing"), std::nullopt);
}

TEST(UiAssets, EmbeddedWithHashAndCaching) {
  const Asset* css = find_asset("app.css");
  ASSERT_NE(css, nullptr);
  EXPECT_FALSE(css->bytes.empty());
  EXPECT_EQ(css->hash.size(), 16u);
  EXPECT_EQ(asset_url("app.js").rfind("/static/app.js?v=", 0), 0u);
  Request req;
  Response r = serve_asset(req, "app.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
  std::string etag;
  for (const auto& [k, v] : r.headers)
    if (k == "ETag") etag = v;
  req.headers.emplace_back("if-none-match", etag);
  EXPECT_EQ(serve_asset(req, "app.css").status, 304);
  EXPECT_EQ(serve_asset(req, "nope.js").status, 404);
}

}  // namespace
}  // namespace vigil::web::ui

#include <gtest/gtest.h>

#include "notify/channel.h"
#include "notify/notifier.h"

namespace vigil::notify {
namespace {

TEST(Backoff, DoublesFromOneSecondUpToFiveMinutes) {
  struct Case {
    int attempts;
    Duration wait;
  };
  for (const Case& c : {Case{1, 1s}, Case{2, 2s}, Case{3, 4s}, Case{4, 8s}, Case{5, 16s}, Case{6, 32s},
                        Case{7, 64s}, Case{8, 128s}, Case{9, 256s}, Case{10, 5min}, Case{11, 5min},
                        Case{31, 5min}, Case{64, 5min}, Case{1000, 5min}}) {
    EXPECT_EQ(backoff(c.attempts), c.wait) << "attempts=" << c.attempts;
  }
  EXPECT_EQ(backoff(0), 1s);  // defensive: never zero, never negative
  EXPECT_EQ(backoff(-3), 1s);
}

// RFC 4231 HMAC-SHA256 test vectors.
TEST(Signature, Rfc4231) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Signature, EmptyKeyAndBody) {
  EXPECT_EQ(hmac_sha256_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace vigil::notify

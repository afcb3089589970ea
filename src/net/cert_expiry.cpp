#include "net/cert_expiry.h"

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <ctime>

namespace vigil::net {

std::optional<Time> cert_not_after(const X509* cert) {
  const ASN1_TIME* t = cert ? X509_get0_notAfter(cert) : nullptr;
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return Time{std::chrono::duration_cast<Duration>(std::chrono::seconds{timegm(&tm)})};
}

}  // namespace vigil::net

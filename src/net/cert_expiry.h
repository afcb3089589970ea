// When a certificate stops being valid (its notAfter), as vigil's Time: what an https probe's
// and a tls probe's cert_expires_in count down to. OpenSSL stays in the .cpp but for its type.
#pragma once
#include <openssl/types.h>

#include <optional>

#include "common/time.h"

namespace vigil::net {

std::optional<Time> cert_not_after(const X509* cert);  // nullopt for a null or unreadable certificate

}  // namespace vigil::net

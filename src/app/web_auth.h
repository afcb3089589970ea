// The daemon's side of web authentication: the users and server keys of the config as the auth
// layer (src/web/auth) sees them, and the loud start-up warning when nobody can log in.
#pragma once
#include "config/config.h"
#include "web/auth/auth.h"

namespace vigil::app {

web::auth::AuthSettings auth_settings(const config::Config& c);
// Logs at start which mode the web layer runs in; unauthenticated mode is a warning.
void log_auth_mode(const config::Config& c);

}  // namespace vigil::app

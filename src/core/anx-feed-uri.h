/* anx-feed-uri.h: validation of the regulator feed's base address
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ANX_FEED_URI_ERROR (anx_feed_uri_error_quark ())

typedef enum
{
  ANX_FEED_URI_ERROR_INVALID,
  ANX_FEED_URI_ERROR_UNSUPPORTED_SCHEME,
  ANX_FEED_URI_ERROR_MISSING_HOST,
  ANX_FEED_URI_ERROR_CREDENTIALS,
  ANX_FEED_URI_ERROR_INSECURE,
} AnxFeedUriError;

GQuark   anx_feed_uri_error_quark  (void);
char    *anx_feed_uri_normalize    (const char  *text,
                                    GError     **error);
gboolean anx_feed_uri_host_is_loopback (const char *host);

G_END_DECLS

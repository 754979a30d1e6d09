/* anx-feed-probe.h: try a feed address and token before using them
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ANX_FEED_PROBE_ERROR (anx_feed_probe_error_quark ())

/**
 * AnxFeedProbeError:
 * @ANX_FEED_PROBE_ERROR_ADDRESS: the address is not a usable feed address
 * @ANX_FEED_PROBE_ERROR_UNREACHABLE: no answer: unknown host, refused, timed out
 * @ANX_FEED_PROBE_ERROR_CERTIFICATE: the server's TLS certificate is not trusted
 *   (or the custom CA file cannot be read)
 * @ANX_FEED_PROBE_ERROR_UNAUTHORIZED: the server refused the token (401, 403)
 * @ANX_FEED_PROBE_ERROR_INCOMPATIBLE: the server is not an Anxin feed, or
 *   speaks another protocol version
 */
typedef enum
{
  ANX_FEED_PROBE_ERROR_ADDRESS,
  ANX_FEED_PROBE_ERROR_UNREACHABLE,
  ANX_FEED_PROBE_ERROR_CERTIFICATE,
  ANX_FEED_PROBE_ERROR_UNAUTHORIZED,
  ANX_FEED_PROBE_ERROR_INCOMPATIBLE,
} AnxFeedProbeError;

/* The feed protocol generation this console speaks. */
#define ANX_FEED_PROBE_PROTOCOL_VERSION 1
#define ANX_FEED_PROBE_TIMEOUT_S        10

/* clang-format off */
GQuark    anx_feed_probe_error_quark (void);
void      anx_feed_probe_async       (const char          *uri,
                                      const char          *token,
                                      const char          *ca_file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
char     *anx_feed_probe_finish      (GAsyncResult        *result,
                                      GError             **error);
/* clang-format on */

G_END_DECLS

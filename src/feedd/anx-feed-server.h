/* anx-feed-server.h: the HTTP front of anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "anx-feed-ledger.h"
#include "anx-feed-tokens.h"

G_BEGIN_DECLS

#define ANX_FEED_SERVER_ERROR (anx_feed_server_error_quark ())

typedef enum
{
  ANX_FEED_SERVER_ERROR_BAD_ADDRESS,
  ANX_FEED_SERVER_ERROR_INSECURE,
} AnxFeedServerError;

/* The protocol generation served under /v1/. */
#define ANX_FEED_PROTOCOL_VERSION 1

/* Limits, documented in docs/feed-server.md. */
#define ANX_FEED_SERVER_MAX_BODY_BYTES (64 * 1024)
#define ANX_FEED_SERVER_DEFAULT_PAGE 100
#define ANX_FEED_SERVER_MAX_PAGE 1000

#define ANX_TYPE_FEED_SERVER (anx_feed_server_get_type ())

G_DECLARE_FINAL_TYPE (AnxFeedServer, anx_feed_server, ANX, FEED_SERVER, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GQuark anx_feed_server_error_quark (void);

GSocketAddress *anx_feed_server_parse_address (const char       *text,
                                               GError          **error);

AnxFeedServer  *anx_feed_server_new           (AnxFeedLedger    *ledger,
                                               AnxFeedTokens    *tokens);
gboolean        anx_feed_server_listen        (AnxFeedServer    *self,
                                               GSocketAddress   *address,
                                               GTlsCertificate  *certificate,
                                               gboolean          allow_insecure_remote,
                                               GError          **error);
char           *anx_feed_server_get_uri       (AnxFeedServer    *self);
void            anx_feed_server_disconnect    (AnxFeedServer    *self);

/* clang-format on */

G_END_DECLS

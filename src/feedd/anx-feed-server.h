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

/* Limits, documented in docs/feed-protocol.md. */
#define ANX_FEED_SERVER_MAX_BODY_BYTES (64 * 1024)
#define ANX_FEED_SERVER_DEFAULT_PAGE 100
#define ANX_FEED_SERVER_MAX_PAGE 1000
/* The stream: heartbeat period, and how many events may wait for a slow
 * subscriber before it is dropped. */
#define ANX_FEED_SERVER_DEFAULT_HEARTBEAT_S 5
#define ANX_FEED_SERVER_DEFAULT_MAX_QUEUE 10000
/* Clients send control frames only (ping, pong, close). */
#define ANX_FEED_SERVER_MAX_INCOMING_FRAME 125

/* WebSocket close codes of the stream (docs/feed-protocol.md). */
#define ANX_FEED_CLOSE_GOING_AWAY      1001 /* the server stops */
#define ANX_FEED_CLOSE_POLICY          1008 /* the client sent a data frame */
#define ANX_FEED_CLOSE_UNAUTHORIZED    4401 /* the token was revoked */
#define ANX_FEED_CLOSE_TOO_SLOW        4408 /* the subscriber fell too far behind */
#define ANX_FEED_CLOSE_RESYNC_REQUIRED 4409 /* the cursor is older than the log keeps */

/* The feed's time now, µs since the Unix epoch: the simulated clock when the
 * simulator runs. */
typedef gint64 (*AnxFeedClock) (gpointer user_data);

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

void            anx_feed_server_set_clock     (AnxFeedServer    *self,
                                               AnxFeedClock      clock,
                                               gpointer          user_data);
void            anx_feed_server_set_heartbeat_interval (AnxFeedServer *self,
                                               guint             seconds);
void            anx_feed_server_set_max_queue (AnxFeedServer    *self,
                                               guint             events);
void            anx_feed_server_watch_tokens  (AnxFeedServer    *self,
                                               const char       *path);
gboolean        anx_feed_server_reload_tokens (AnxFeedServer    *self,
                                               GError          **error);
void            anx_feed_server_broadcast     (AnxFeedServer    *self,
                                               GPtrArray        *entries);
guint           anx_feed_server_get_n_subscribers (AnxFeedServer *self);

/* clang-format on */

G_END_DECLS

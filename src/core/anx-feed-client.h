/* anx-feed-client.h: subscribes to the regulator feed and keeps the store current
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "anx-ingest.h"
#include "anx-outbox.h"

G_BEGIN_DECLS

typedef enum
{
  ANX_FEED_CLIENT_STOPPED,
  ANX_FEED_CLIENT_CONNECTING,
  ANX_FEED_CLIENT_SYNCING,
  ANX_FEED_CLIENT_LIVE,
  ANX_FEED_CLIENT_RECONNECTING,
  ANX_FEED_CLIENT_STALE,
  ANX_FEED_CLIENT_UNAUTHORIZED,
  ANX_FEED_CLIENT_INCOMPATIBLE,
  ANX_FEED_CLIENT_BAD_CERTIFICATE, /* TLS: not trusted; retried with back-off */
} AnxFeedClientState;

#define ANX_TYPE_FEED_CLIENT_STATE (anx_feed_client_state_get_type ())

/* Limits: what a server can make the console hold at most. */
#define ANX_FEED_CLIENT_MAX_FRAME        (ANX_FEED_EVENT_MAX_BYTES + 1024)
#define ANX_FEED_CLIENT_MAX_RESPONSE     (16 * 1024 * 1024)
#define ANX_FEED_CLIENT_MAX_QUEUE        20000
#define ANX_FEED_CLIENT_DEFAULT_WATCHDOG 15
#define ANX_FEED_CLIENT_MAX_BACKOFF      60

#define ANX_TYPE_FEED_CLIENT (anx_feed_client_get_type ())

G_DECLARE_FINAL_TYPE (AnxFeedClient, anx_feed_client, ANX, FEED_CLIENT, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GType               anx_feed_client_state_get_type    (void) G_GNUC_CONST;
const char         *anx_feed_client_state_to_string   (AnxFeedClientState  state);

AnxFeedClient      *anx_feed_client_new               (AnxIngest          *ingest,
                                                       const char         *uri);
gboolean            anx_feed_client_set_ca_file       (AnxFeedClient      *self,
                                                       const char         *path,
                                                       GError            **error);
const char         *anx_feed_client_get_ca_file       (AnxFeedClient      *self);
void                anx_feed_client_set_token         (AnxFeedClient      *self,
                                                       const char         *token);
void                anx_feed_client_set_outbox        (AnxFeedClient      *self,
                                                       AnxOutbox          *outbox);
void                anx_feed_client_set_watchdog      (AnxFeedClient      *self,
                                                       guint               seconds);
void                anx_feed_client_set_max_queue     (AnxFeedClient      *self,
                                                       guint               events);
void                anx_feed_client_set_backoff       (AnxFeedClient      *self,
                                                       guint               initial_ms,
                                                       guint               max_ms);
void                anx_feed_client_start             (AnxFeedClient      *self);
void                anx_feed_client_stop              (AnxFeedClient      *self);

AnxFeedClientState  anx_feed_client_get_state         (AnxFeedClient      *self);
const char         *anx_feed_client_get_last_error    (AnxFeedClient      *self);
gint64              anx_feed_client_get_next_attempt  (AnxFeedClient      *self);
gint64              anx_feed_client_get_newest_time   (AnxFeedClient      *self);
gint64              anx_feed_client_get_data_age      (AnxFeedClient      *self);
guint64             anx_feed_client_get_cursor        (AnxFeedClient      *self);
guint64             anx_feed_client_get_head          (AnxFeedClient      *self);
guint               anx_feed_client_get_n_rejected_frames (AnxFeedClient  *self);
gpointer            anx_feed_client_get_session       (AnxFeedClient      *self);
const char         *anx_feed_client_get_uri           (AnxFeedClient      *self);
const char         *anx_feed_client_get_token         (AnxFeedClient      *self);
/* clang-format on */

G_END_DECLS

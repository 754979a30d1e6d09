/* anx-ingest.h: verifies what the feed sends and writes it to the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "anx-chain-record.h"
#include "anx-feed-event.h"
#include "anx-key-cache.h"
#include "anx-store.h"

G_BEGIN_DECLS

typedef enum
{
  ANX_REGISTRY_OPERATORS,
  ANX_REGISTRY_STATIONS,
  ANX_REGISTRY_CHARGERS,
  ANX_REGISTRY_METERS,
  ANX_REGISTRY_SERVER_ALARMS, /* GET /v1/alarms?state=all: the server's own view */
} AnxRegistryCollection;

#define ANX_TYPE_INGEST (anx_ingest_get_type ())

G_DECLARE_FINAL_TYPE (AnxIngest, anx_ingest, ANX, INGEST, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxIngest *anx_ingest_new                  (AnxStore              *store);
AnxStore  *anx_ingest_get_store            (AnxIngest             *self);
AnxKeyCache *anx_ingest_get_key_cache      (AnxIngest             *self);
void       anx_ingest_set_offline_debounce (AnxIngest             *self,
                                            gint64                 debounce_us);
void       anx_ingest_set_max_verifiers    (AnxIngest             *self,
                                            guint                  max_verifiers);
void       anx_ingest_set_threads          (AnxIngest             *self,
                                            guint                  n_threads);

void       anx_ingest_registry_async       (AnxIngest             *self,
                                            AnxRegistryCollection  collection,
                                            JsonArray             *items,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
void       anx_ingest_chain_page           (AnxIngest             *self,
                                            const char            *charger_code,
                                            GPtrArray             *records);
guint64    anx_ingest_get_pending_records  (AnxIngest             *self);
void       anx_ingest_wait_async           (AnxIngest             *self,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
gboolean   anx_ingest_wait_sync            (AnxIngest             *self,
                                            GError               **error);
void       anx_ingest_events_async         (AnxIngest             *self,
                                            GPtrArray             *events,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
void       anx_ingest_tick_async           (AnxIngest             *self,
                                            gint64                 feed_now_us,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
void       anx_ingest_snapshot_done_async  (AnxIngest             *self,
                                            guint64                cursor,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
void       anx_ingest_begin_resync_async   (AnxIngest             *self,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
gboolean   anx_ingest_finish               (AnxIngest             *self,
                                            GAsyncResult          *result,
                                            GError               **error);
gboolean   anx_ingest_get_snapshot_done    (AnxIngest             *self);
guint64    anx_ingest_get_next_sequence    (AnxIngest             *self,
                                            const char            *charger_code);
/* clang-format on */

G_END_DECLS

/* anx-feed-ledger.h: the SQLite ledger behind anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "anx-sim-network.h"

G_BEGIN_DECLS

#define ANX_FEED_LEDGER_ERROR (anx_feed_ledger_error_quark ())

typedef enum
{
  ANX_FEED_LEDGER_ERROR_SQLITE,
  ANX_FEED_LEDGER_ERROR_NOT_A_LEDGER,
  ANX_FEED_LEDGER_ERROR_TOO_NEW,
  ANX_FEED_LEDGER_ERROR_REGISTRY_MISMATCH,
  ANX_FEED_LEDGER_ERROR_NOT_FOUND,
} AnxFeedLedgerError;

typedef enum
{
  ANX_FEED_COLLECTION_OPERATORS,
  ANX_FEED_COLLECTION_STATIONS,
  ANX_FEED_COLLECTION_CHARGERS,
  ANX_FEED_COLLECTION_METERS,
} AnxFeedCollection;

/* The schema this build writes; PRAGMA user_version. */
#define ANX_FEED_LEDGER_SCHEMA_VERSION 1

#define ANX_TYPE_FEED_LEDGER (anx_feed_ledger_get_type ())

G_DECLARE_FINAL_TYPE (AnxFeedLedger, anx_feed_ledger, ANX, FEED_LEDGER, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GQuark anx_feed_ledger_error_quark (void);

AnxFeedLedger *anx_feed_ledger_open                (const char          *path,
                                                    GError             **error);
gboolean       anx_feed_ledger_load_simulation     (AnxFeedLedger       *self,
                                                    const char          *scale,
                                                    const AnxSimParams  *params,
                                                    gboolean            *loaded_now,
                                                    GError             **error);
JsonObject    *anx_feed_ledger_describe_registry   (AnxFeedLedger       *self,
                                                    GError             **error);
gint64         anx_feed_ledger_get_head_cursor     (AnxFeedLedger       *self);
JsonArray     *anx_feed_ledger_list                (AnxFeedLedger       *self,
                                                    AnxFeedCollection    collection,
                                                    gint64               after,
                                                    guint                limit,
                                                    gint64              *next_after,
                                                    GError             **error);
JsonObject    *anx_feed_ledger_get_charger         (AnxFeedLedger       *self,
                                                    gint64               id,
                                                    GError             **error);
JsonObject    *anx_feed_ledger_get_charger_by_code (AnxFeedLedger       *self,
                                                    const char          *code,
                                                    GError             **error);

gboolean       anx_feed_collection_from_string     (const char          *text,
                                                    AnxFeedCollection   *collection);

/* clang-format on */

G_END_DECLS

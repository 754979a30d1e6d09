/* anx-feed-ledger.h: the SQLite ledger behind anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "anx-chain-record.h"
#include "anx-meter-key.h"
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
  ANX_FEED_LEDGER_ERROR_CONFLICT,
} AnxFeedLedgerError;

/* One committed event of the log: its cursor and its JSON text (the
 * encoding of an AnxFeedEvent), ready to send. */
typedef struct
{
  guint64 cursor;
  char *json;
} AnxFeedLogEntry;

void anx_feed_log_entry_free (AnxFeedLogEntry *entry);

/* An inspection to append (POST /v1/inspections), validated by the caller. */
typedef struct
{
  const char *charger;         /* id or code */
  const char *inspector;
  AnxInspectionResult result;
  GDateTime *inspected_at;
  gboolean measured;
  gint32 measured_error_bp;
  const char *const *seals_removed;
  const char *const *seals_applied;
  const char *notes;
  const char *idempotency_key;
} AnxFeedInspection;

/* Defaults of the event log's retention. */
#define ANX_FEED_LEDGER_DEFAULT_RETAIN_EVENTS 5000000
#define ANX_FEED_LEDGER_DEFAULT_RETAIN_DAYS   30
/* A charger reported offline for longer than this (simulated time) raises
 * the offline alarm. */
#define ANX_FEED_LEDGER_OFFLINE_AFTER_US (5 * G_USEC_PER_SEC * 60)

typedef enum
{
  ANX_FEED_COLLECTION_OPERATORS,
  ANX_FEED_COLLECTION_STATIONS,
  ANX_FEED_COLLECTION_CHARGERS,
  ANX_FEED_COLLECTION_METERS,
} AnxFeedCollection;

/* The schema this build writes; PRAGMA user_version. */
#define ANX_FEED_LEDGER_SCHEMA_VERSION 2

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

void           anx_feed_ledger_set_retention       (AnxFeedLedger       *self,
                                                    guint64              max_events,
                                                    guint                max_days);
void           anx_feed_ledger_set_progress_events (AnxFeedLedger       *self,
                                                    gboolean             log);
gint64         anx_feed_ledger_get_oldest_cursor   (AnxFeedLedger       *self);
char          *anx_feed_ledger_get_meta            (AnxFeedLedger       *self,
                                                    const char          *key,
                                                    GError             **error);
gboolean       anx_feed_ledger_set_meta            (AnxFeedLedger       *self,
                                                    const char          *key,
                                                    const char          *value,
                                                    GError             **error);
gint64         anx_feed_ledger_find_charger        (AnxFeedLedger       *self,
                                                    const char          *id_or_code);
const char    *anx_feed_ledger_get_charger_code    (AnxFeedLedger       *self,
                                                    gint64               charger_id);

/* Writes: between begin and commit, one transaction */
gboolean       anx_feed_ledger_begin               (AnxFeedLedger       *self,
                                                    GError             **error);
GPtrArray     *anx_feed_ledger_commit              (AnxFeedLedger       *self,
                                                    GError             **error);
void           anx_feed_ledger_rollback            (AnxFeedLedger       *self);
gboolean       anx_feed_ledger_in_transaction      (AnxFeedLedger       *self);
gboolean       anx_feed_ledger_append_record       (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    AnxChainRecord      *record,
                                                    gint64               time_us,
                                                    gboolean            *stored,
                                                    GError             **error);
gboolean       anx_feed_ledger_get_chain_head      (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    guint64             *sequence,
                                                    guint8              *hash);
gboolean       anx_feed_ledger_charger_status      (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    const char          *status,
                                                    gint64               time_us,
                                                    GError             **error);
gboolean       anx_feed_ledger_session_started     (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    const char          *session_id,
                                                    gint64               time_us,
                                                    gint64               meter_start_wh,
                                                    GError             **error);
gboolean       anx_feed_ledger_session_progress    (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    const char          *session_id,
                                                    gint64               time_us,
                                                    gint64               power_w,
                                                    gint64               energy_wh,
                                                    gint64               amount_fen,
                                                    GError             **error);
gboolean       anx_feed_ledger_session_ended       (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    const char          *session_id,
                                                    gint64               time_us,
                                                    gint64               energy_wh,
                                                    gint64               amount_fen,
                                                    GError             **error);
gboolean       anx_feed_ledger_register_meter_key  (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    const char          *serial,
                                                    AnxMeterKey         *key,
                                                    guint64              from_sequence,
                                                    gint64               time_us,
                                                    gboolean             announce,
                                                    GError             **error);
gboolean       anx_feed_ledger_check_offline       (AnxFeedLedger       *self,
                                                    gint64               now_us,
                                                    GError             **error);
gboolean       anx_feed_ledger_save_sim_state      (AnxFeedLedger       *self,
                                                    gint64               charger_id,
                                                    GBytes              *state,
                                                    GError             **error);
GBytes        *anx_feed_ledger_load_sim_state      (AnxFeedLedger       *self,
                                                    gint64               charger_id);
gboolean       anx_feed_ledger_add_ground_truth    (AnxFeedLedger       *self,
                                                    const char          *line,
                                                    GError             **error);
GPtrArray     *anx_feed_ledger_read_ground_truth   (AnxFeedLedger       *self,
                                                    gint64               after,
                                                    GError             **error);

/* Writes in their own transaction (HTTP); @events (out) are the committed
 * events to broadcast */
JsonObject    *anx_feed_ledger_add_inspection      (AnxFeedLedger       *self,
                                                    const AnxFeedInspection *inspection,
                                                    const char          *token_name,
                                                    gint64               time_us,
                                                    gboolean            *created,
                                                    GPtrArray          **events,
                                                    GError             **error);
JsonObject    *anx_feed_ledger_acknowledge_alarm   (AnxFeedLedger       *self,
                                                    gint64               alarm_id,
                                                    const char          *token_name,
                                                    const char          *note,
                                                    const char          *idempotency_key,
                                                    gint64               time_us,
                                                    gboolean            *created,
                                                    GPtrArray          **events,
                                                    GError             **error);

/* Reads */
JsonObject    *anx_feed_ledger_get_chain_page      (AnxFeedLedger       *self,
                                                    const char          *charger,
                                                    guint64              from,
                                                    guint                limit,
                                                    GError             **error);
GPtrArray     *anx_feed_ledger_read_events         (AnxFeedLedger       *self,
                                                    gint64               after,
                                                    guint                limit,
                                                    GError             **error);
JsonArray     *anx_feed_ledger_list_alarms         (AnxFeedLedger       *self,
                                                    gboolean             open_only,
                                                    gint64               after,
                                                    guint                limit,
                                                    gint64              *next_after,
                                                    GError             **error);

gboolean       anx_feed_collection_from_string     (const char          *text,
                                                    AnxFeedCollection   *collection);

/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxFeedLogEntry, anx_feed_log_entry_free)

G_END_DECLS

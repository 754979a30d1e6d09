/* anx-alarm-rules.h: the console's alarm catalogue and its lifecycle
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The catalogue of docs/product.md: stable kind names. */
#define ANX_ALARM_ENERGY_MISMATCH      "energy-mismatch"
#define ANX_ALARM_AMOUNT_MISMATCH      "amount-mismatch"
#define ANX_ALARM_SIGNATURE_INVALID    "signature-invalid"
#define ANX_ALARM_CHAIN_BROKEN         "chain-broken"
#define ANX_ALARM_COUNTER_GAP          "counter-gap"
#define ANX_ALARM_METER_STATUS         "meter-status"
#define ANX_ALARM_SEAL_OPENED          "seal-opened"
#define ANX_ALARM_OFFLINE              "offline"
#define ANX_ALARM_VERIFICATION_OVERDUE "verification-overdue"
#define ANX_ALARM_UNKNOWN_METER_KEY    "unknown-meter-key"
#define ANX_ALARM_INSPECTION_FAILED    "inspection-failed"

/* Lifecycle states */
#define ANX_ALARM_STATE_OPEN                 "open"
#define ANX_ALARM_STATE_ACKNOWLEDGED         "acknowledged"
#define ANX_ALARM_STATE_INSPECTION_SCHEDULED "inspection-scheduled"
#define ANX_ALARM_STATE_CLOSED               "closed"
#define ANX_ALARM_STATE_CLEARED              "cleared"

/* Offline alarms wait this long (feed time) by default. */
#define ANX_ALARM_DEFAULT_OFFLINE_DEBOUNCE_US (5 * 60 * G_USEC_PER_SEC)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
const char *anx_alarm_kind_for_finding   (const char   *finding_code);
const char *anx_alarm_kind_for_server    (const char   *server_code);
const char *anx_alarm_kind_get_title     (const char   *kind);
const char *anx_alarm_state_get_title    (const char   *state);
char       *anx_alarm_describe           (const char   *kind,
                                          JsonObject   *evidence);
char       *anx_alarm_describe_json      (const char   *kind,
                                          const char   *evidence_json);

/* Inside a write job */
gboolean    anx_alarm_rules_raise        (sqlite3      *db,
                                          const char   *charger_code,
                                          const char   *kind,
                                          const char   *severity,
                                          gint64        sequence,
                                          JsonObject   *evidence,
                                          gint64        now_us,
                                          gint64       *alarm_id,
                                          GError      **error);
gboolean    anx_alarm_rules_offline_ended (sqlite3     *db,
                                          const char   *charger_code,
                                          gint64        since_us,
                                          gint64        until_us,
                                          gint64        debounce_us,
                                          guint        *n_changed,
                                          GError      **error);
gboolean    anx_alarm_rules_clear        (sqlite3      *db,
                                          const char   *charger_code,
                                          const char   *kind,
                                          const char   *reason,
                                          gint64        now_us,
                                          GError      **error);
gboolean    anx_alarm_rules_close_by_inspection (sqlite3 *db,
                                          const char   *charger_code,
                                          gint64        sequence,
                                          const char   *idempotency_key,
                                          gint64        now_us,
                                          guint        *n_closed,
                                          GError      **error);
gboolean    anx_alarm_rules_set_state    (sqlite3      *db,
                                          gint64        alarm_id,
                                          const char   *state,
                                          const char   *actor,
                                          const char   *note,
                                          gint64        now_us,
                                          GError      **error);
gboolean    anx_alarm_rules_check_offline (sqlite3     *db,
                                          gint64        now_us,
                                          gint64        debounce_us,
                                          guint        *n_changed,
                                          GError      **error);
gboolean    anx_alarm_rules_check_overdue (sqlite3     *db,
                                          gint64        now_us,
                                          guint        *n_changed,
                                          GError      **error);
/* clang-format on */

G_END_DECLS

/* anx-alarm-rules.c: the console's alarm catalogue and its lifecycle
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Findings of the verifier become alarms: at most one active alarm per
 * charger and kind, which counts its occurrences and keeps the evidence of
 * the records (up to MAX_EVIDENCE of them, the first and the latest). An
 * alarm is open, then acknowledged, then an inspection is scheduled; an
 * inspection record in the chain closes it, or (offline, overdue) the
 * condition ending clears it. Every change of state is kept in
 * alarm_history.
 */

#define G_LOG_DOMAIN "anx-alarm-rules"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "anx-alarm-rules.h"
#include "anx-finding.h"
#include "anx-store.h"

#define MAX_EVIDENCE 16

static const struct
{
  const char *finding;
  const char *kind;
} finding_kinds[] = {
  { ANX_FINDING_ENERGY_MISMATCH, ANX_ALARM_ENERGY_MISMATCH },
  { ANX_FINDING_AMOUNT_MISMATCH, ANX_ALARM_AMOUNT_MISMATCH },
  { ANX_FINDING_TARIFF_INCONSISTENT, ANX_ALARM_AMOUNT_MISMATCH },
  { ANX_FINDING_SIGNATURE_INVALID, ANX_ALARM_SIGNATURE_INVALID },
  { ANX_FINDING_OCMF_MALFORMED, ANX_ALARM_SIGNATURE_INVALID },
  { ANX_FINDING_CHAIN_HASH_MISMATCH, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_CHAIN_LINK_BROKEN, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_CHAIN_SEQUENCE_GAP, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_CHAIN_FORK, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_CHARGER_MISMATCH, ANX_ALARM_CHAIN_BROKEN },
  { ANX_FINDING_COUNTER_GAP, ANX_ALARM_COUNTER_GAP },
  { ANX_FINDING_REGISTER_REGRESSION, ANX_ALARM_COUNTER_GAP },
  { ANX_FINDING_METER_STATUS, ANX_ALARM_METER_STATUS },
  { ANX_FINDING_CLOCK_UNSYNCHRONISED, ANX_ALARM_METER_STATUS },
  { ANX_FINDING_SEAL_OPENED, ANX_ALARM_SEAL_OPENED },
  { ANX_FINDING_UNKNOWN_METER_KEY, ANX_ALARM_UNKNOWN_METER_KEY },
  { ANX_FINDING_METER_EXCHANGE_UNREGISTERED, ANX_ALARM_UNKNOWN_METER_KEY },
  { ANX_FINDING_INSPECTION_FAILED, ANX_ALARM_INSPECTION_FAILED },
  /* the server's own codes for what has no finding */
  { "offline", ANX_ALARM_OFFLINE },
  { "charger-offline", ANX_ALARM_OFFLINE },
  { "verification-overdue", ANX_ALARM_VERIFICATION_OVERDUE },
  { "rotation-overdue", ANX_ALARM_VERIFICATION_OVERDUE },
};

/**
 * anx_alarm_kind_for_finding:
 * @finding_code: a finding code (anx-finding.h)
 *
 * Returns: (nullable): the alarm kind the finding raises
 */
const char *
anx_alarm_kind_for_finding (const char *finding_code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (finding_kinds); i++)
    if (g_strcmp0 (finding_kinds[i].finding, finding_code) == 0)
      return finding_kinds[i].kind;
  return NULL;
}

/**
 * anx_alarm_kind_for_server:
 * @server_code: the code of an alarm the feed raised
 *
 * The server names its alarms by finding codes (and `offline`); this maps
 * them onto the console's kinds so that both views can be compared.
 *
 * Returns: the kind, or @server_code itself when it is not known
 */
const char *
anx_alarm_kind_for_server (const char *server_code)
{
  const char *kind = anx_alarm_kind_for_finding (server_code);

  return kind != NULL ? kind : server_code;
}

/**
 * anx_alarm_kind_get_title:
 * @kind: an alarm kind
 *
 * Returns: the translated name of the kind
 */
const char *
anx_alarm_kind_get_title (const char *kind)
{
  if (g_strcmp0 (kind, ANX_ALARM_ENERGY_MISMATCH) == 0)
    return _("Energy mismatch");
  if (g_strcmp0 (kind, ANX_ALARM_AMOUNT_MISMATCH) == 0)
    return _("Amount mismatch");
  if (g_strcmp0 (kind, ANX_ALARM_SIGNATURE_INVALID) == 0)
    return _("Signature invalid");
  if (g_strcmp0 (kind, ANX_ALARM_CHAIN_BROKEN) == 0)
    return _("Chain broken");
  if (g_strcmp0 (kind, ANX_ALARM_COUNTER_GAP) == 0)
    return _("Counter gap or register regression");
  if (g_strcmp0 (kind, ANX_ALARM_METER_STATUS) == 0)
    return _("Meter status");
  if (g_strcmp0 (kind, ANX_ALARM_SEAL_OPENED) == 0)
    return _("Seal opened");
  if (g_strcmp0 (kind, ANX_ALARM_OFFLINE) == 0)
    return _("Offline");
  if (g_strcmp0 (kind, ANX_ALARM_VERIFICATION_OVERDUE) == 0)
    return _("Verification overdue");
  if (g_strcmp0 (kind, ANX_ALARM_UNKNOWN_METER_KEY) == 0)
    return _("Unknown meter key");
  if (g_strcmp0 (kind, ANX_ALARM_INSPECTION_FAILED) == 0)
    return _("Inspection failed");
  return kind;
}

/**
 * anx_alarm_state_get_title:
 * @state: an alarm state
 *
 * Returns: the translated name of the state
 */
const char *
anx_alarm_state_get_title (const char *state)
{
  if (g_strcmp0 (state, ANX_ALARM_STATE_OPEN) == 0)
    return _("Open");
  if (g_strcmp0 (state, ANX_ALARM_STATE_ACKNOWLEDGED) == 0)
    return _("Acknowledged");
  if (g_strcmp0 (state, ANX_ALARM_STATE_INSPECTION_SCHEDULED) == 0)
    return _("Inspection scheduled");
  if (g_strcmp0 (state, ANX_ALARM_STATE_CLOSED) == 0)
    return _("Closed by inspection");
  if (g_strcmp0 (state, ANX_ALARM_STATE_CLEARED) == 0)
    return _("Cleared");
  return state;
}

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : 0.0;
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return json_node_get_int (node);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "?";
  return json_node_get_string (node);
}

/* The latest record's details in the evidence. */
static JsonObject *
latest_details (JsonObject *evidence)
{
  JsonArray *records;

  if (evidence == NULL || !json_object_has_member (evidence, "records"))
    return evidence;
  records = json_object_get_array_member (evidence, "records");
  if (records == NULL || json_array_get_length (records) == 0)
    return evidence;
  return json_array_get_object_element (records, json_array_get_length (records) - 1);
}

/**
 * anx_alarm_describe:
 * @kind: an alarm kind
 * @evidence: (nullable): the alarm's evidence
 *
 * A sentence for people, with the numbers: "billed 31.20 kWh, meter
 * 29.41 kWh, +6.1 %, class 1 allows ±1.0 %".
 *
 * Returns: (transfer full): the translated sentence
 */
char *
anx_alarm_describe (const char *kind,
                    JsonObject *evidence)
{
  JsonObject *d = latest_details (evidence);
  /* Numbers go in as text: a G_GINT64_FORMAT inside _() would change the
   * msgid the compiler looks up. */
  g_autofree char *sequence = g_strdup_printf ("%" G_GINT64_FORMAT, member_int (d, "sequence"));

  if (g_strcmp0 (kind, ANX_ALARM_ENERGY_MISMATCH) == 0)
    {
      if (d == NULL || !json_object_has_member (d, "metered_wh"))
        return g_strdup_printf (_("Record %s: the signed data has no start and "
                                  "stop reading to compare the billed %.2f kWh with"),
                                sequence, member_int (d, "billed_wh") / 1000.0);
      /* Translators: billed energy, metered energy, deviation, accuracy
       * class, tolerance */
      return g_strdup_printf (_("Billed %.2f kWh, meter %.2f kWh, %+.1f %%, class %s allows "
                                "±%.1f %%"),
                              member_int (d, "billed_wh") / 1000.0,
                              member_double (d, "metered_wh") / 1000.0,
                              member_double (d, "deviation_percent"), member_string (d, "accuracy_class"),
                              member_double (d, "tolerance_percent"));
    }
  if (g_strcmp0 (kind, ANX_ALARM_AMOUNT_MISMATCH) == 0)
    {
      if (json_object_has_member (d, "expected_amount_fen"))
        return g_strdup_printf (_("Billed ¥%.2f, the tariff gives ¥%.2f for %.2f kWh"),
                                member_int (d, "amount_fen") / 100.0,
                                member_int (d, "expected_amount_fen") / 100.0,
                                member_int (d, "billed_wh") / 1000.0);
      return g_strdup_printf (_("Billed %.2f kWh, the tariff periods add up to %.2f kWh"),
                              member_int (d, "billed_wh") / 1000.0,
                              member_int (d, "tariff_wh") / 1000.0);
    }
  if (g_strcmp0 (kind, ANX_ALARM_SIGNATURE_INVALID) == 0)
    return g_strdup_printf (_("Record %s: the signature of meter %s does not "
                              "verify with its registered key"),
                            sequence, member_string (d, "meter_serial"));
  if (g_strcmp0 (kind, ANX_ALARM_CHAIN_BROKEN) == 0)
    {
      const char *code = member_string (d, "finding");

      if (g_str_equal (code, ANX_FINDING_CHAIN_SEQUENCE_GAP))
        {
          int missing = (int) member_int (d, "missing");

          return g_strdup_printf (ngettext ("Record %s: %d record missing before it",
                                            "Record %s: %d records missing before it",
                                            (gulong) missing),
                                  sequence, missing);
        }
      if (g_str_equal (code, ANX_FINDING_CHAIN_FORK))
        return g_strdup_printf (_("Record %s: two different records with this "
                                  "sequence number"),
                                sequence);
      if (g_str_equal (code, ANX_FINDING_CHAIN_HASH_MISMATCH))
        return g_strdup_printf (_("Record %s: its content does not match its "
                                  "hash"),
                                sequence);
      return g_strdup_printf (_("Record %s: the chain is broken (%s)"), sequence,
                              code);
    }
  if (g_strcmp0 (kind, ANX_ALARM_COUNTER_GAP) == 0)
    {
      if (json_object_has_member (d, "previous_stop_wh"))
        return g_strdup_printf (_("Record %s: start reading %.3f kWh is below "
                                  "the previous stop reading %.3f kWh"),
                                sequence, member_double (d, "start_wh") / 1000.0,
                                member_double (d, "previous_stop_wh") / 1000.0);
      return g_strdup_printf (_("Record %s: meter counter %d follows %d"), sequence,
                              (int) member_int (d, "counter"),
                              (int) member_int (d, "previous_counter"));
    }
  if (g_strcmp0 (kind, ANX_ALARM_METER_STATUS) == 0)
    {
      if (json_object_has_member (d, "clock_status"))
        return g_strdup_printf (_("Record %s: the meter clock is not "
                                  "synchronised (%s)"),
                                sequence, member_string (d, "clock_status"));
      return g_strdup_printf (_("Record %s: meter status %s"), sequence,
                              member_string (d, "status"));
    }
  if (g_strcmp0 (kind, ANX_ALARM_SEAL_OPENED) == 0)
    {
      /* The time as the record states it (China time on these meters),
       * written as people read it rather than in RFC 3339. */
      const char *event_time = member_string (d, "event_time");
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (event_time, NULL);
      g_autofree char *readable =
          when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup (event_time);

      return g_strdup_printf (_("Seal %s opened at %s"), member_string (d, "seal_id"), readable);
    }
  if (g_strcmp0 (kind, ANX_ALARM_OFFLINE) == 0)
    return g_strdup_printf (_("No report for %d min"), (int) member_int (d, "offline_minutes"));
  if (g_strcmp0 (kind, ANX_ALARM_VERIFICATION_OVERDUE) == 0)
    return g_strdup_printf (_("Meter %s was due for verification on %s"),
                            member_string (d, "meter_serial"), member_string (d, "rotation_due"));
  if (g_strcmp0 (kind, ANX_ALARM_UNKNOWN_METER_KEY) == 0)
    return g_strdup_printf (_("Record %s: no key is registered for meter %s"),
                            sequence, member_string (d, "meter_serial"));
  if (g_strcmp0 (kind, ANX_ALARM_INSPECTION_FAILED) == 0)
    return g_strdup_printf (_("Record %s: inspection result “%s”"), sequence,
                            member_string (d, "result"));
  return g_strdup (kind);
}

/**
 * anx_alarm_describe_json:
 * @kind: an alarm kind
 * @evidence_json: (nullable): the evidence as stored
 *
 * Returns: (transfer full): as anx_alarm_describe()
 */
char *
anx_alarm_describe_json (const char *kind,
                         const char *evidence_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (evidence_json == NULL || !json_parser_load_from_data (parser, evidence_json, -1, NULL))
    return anx_alarm_describe (kind, NULL);
  root = json_parser_get_root (parser);
  return anx_alarm_describe (kind, JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root)
                                                                 : NULL);
}

static gboolean
add_history (sqlite3     *db,
             gint64       alarm_id,
             const char  *state,
             const char  *actor,
             const char  *note,
             gint64       now_us,
             GError     **error)
{
  return anx_store_exec_bound (db,
                               "INSERT INTO alarm_history (alarm_id, time_us, state, actor, note) "
                               "VALUES (?, ?, ?, ?, ?)",
                               error, "iisss", alarm_id, now_us, state, actor, note);
}

static char *
evidence_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

/**
 * anx_alarm_rules_raise:
 * @db: the write connection, in a transaction
 * @charger_code: the charger
 * @kind: the alarm kind
 * @severity: `critical` or `warning`
 * @sequence: the record that raised it, or -1
 * @evidence: this occurrence's evidence (its numbers)
 * @now_us: the feed's time
 * @alarm_id: (out) (optional): the alarm's id
 * @error: return location for an error
 *
 * Raises an alarm, or adds an occurrence to the charger's active alarm of
 * that kind.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_raise (sqlite3     *db,
                       const char  *charger_code,
                       const char  *kind,
                       const char  *severity,
                       gint64       sequence,
                       JsonObject  *evidence,
                       gint64       now_us,
                       gint64      *alarm_id,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;
  g_autofree char *old_text = NULL;
  g_autoptr(JsonObject) all = NULL;
  g_autofree char *text = NULL;
  JsonArray *records;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id, evidence FROM alarms WHERE charger_code = ? AND kind = ? "
                          "AND state IN ('open', 'acknowledged', 'inspection-scheduled')",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "alarms");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      old_text = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);

  if (old_text != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, old_text, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        all = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  if (all == NULL)
    {
      all = json_object_new ();
      json_object_set_array_member (all, "records", json_array_new ());
    }
  records = json_object_get_array_member (all, "records");
  /* Keep the first occurrence and the latest ones. */
  if (json_array_get_length (records) >= MAX_EVIDENCE)
    json_array_remove_element (records, 1);
  json_array_add_object_element (records, json_object_ref (evidence));
  text = evidence_to_text (all);

  if (id != 0)
    {
      if (!anx_store_exec_bound (db,
                                 "UPDATE alarms SET occurrences = occurrences + 1, evidence = ?, "
                                 "last_sequence = CASE WHEN ? >= 0 THEN ? ELSE last_sequence END, "
                                 "updated_at_us = ? WHERE id = ?",
                                 error, "siiii", text, sequence, sequence, now_us, id))
        return FALSE;
    }
  else
    {
      if (sqlite3_prepare_v2 (db,
                              "INSERT INTO alarms (charger_code, kind, severity, state, "
                              "first_sequence, last_sequence, evidence, raised_at_us, updated_at_us) "
                              "VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?)",
                              -1, &stmt, NULL) != SQLITE_OK)
        {
          anx_store_set_sqlite_error (error, db, "alarms");
          return FALSE;
        }
      sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, severity, -1, SQLITE_STATIC);
      if (sequence >= 0)
        {
          sqlite3_bind_int64 (stmt, 4, sequence);
          sqlite3_bind_int64 (stmt, 5, sequence);
        }
      sqlite3_bind_text (stmt, 6, text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, now_us);
      sqlite3_bind_int64 (stmt, 8, now_us);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          anx_store_set_sqlite_error (error, db, "alarms");
          return FALSE;
        }
      id = sqlite3_last_insert_rowid (db);
      if (!add_history (db, id, ANX_ALARM_STATE_OPEN, NULL, NULL, now_us, error))
        return FALSE;
    }

  if (alarm_id != NULL)
    *alarm_id = id;
  return TRUE;
}

/**
 * anx_alarm_rules_set_state:
 * @db: the write connection, in a transaction
 * @alarm_id: the alarm
 * @state: the new state
 * @actor: (nullable): who changed it
 * @note: (nullable): why
 * @now_us: the time
 * @error: return location for an error
 *
 * Moves an alarm to @state and keeps the change in its history. Closed and
 * cleared alarms stay so.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_set_state (sqlite3     *db,
                           gint64       alarm_id,
                           const char  *state,
                           const char  *actor,
                           const char  *note,
                           gint64       now_us,
                           GError     **error)
{
  gint64 ended = g_str_equal (state, ANX_ALARM_STATE_CLOSED) ||
                 g_str_equal (state, ANX_ALARM_STATE_CLEARED);

  if (!anx_store_exec_bound (db,
                             "UPDATE alarms SET state = ?, updated_at_us = ?, "
                             "ended_at_us = CASE WHEN ? THEN ? ELSE ended_at_us END "
                             "WHERE id = ? AND state NOT IN ('closed', 'cleared')",
                             error, "siiii", state, now_us, ended, now_us, alarm_id))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, alarm_id);

      g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_NOT_FOUND, _("No active alarm %s"), id);
      return FALSE;
    }
  return add_history (db, alarm_id, state, actor, note, now_us, error);
}

/* Ids of the active alarms of a charger, optionally of one kind. */
static GArray *
active_alarms (sqlite3    *db,
               const char *charger_code,
               const char *kind,
               gboolean    record_based_only)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id FROM alarms WHERE charger_code = ? "
                          "AND (?2 IS NULL OR kind = ?2) "
                          "AND (NOT ?3 OR kind NOT IN ('offline', 'verification-overdue')) "
                          "AND state IN ('open', 'acknowledged', 'inspection-scheduled')",
                          -1, &stmt, NULL) != SQLITE_OK)
    return ids;
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, record_based_only);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  return ids;
}

/**
 * anx_alarm_rules_clear:
 * @db: the write connection, in a transaction
 * @charger_code: the charger
 * @kind: the kind whose condition ended
 * @reason: (nullable): why
 * @now_us: the time
 * @error: return location for an error
 *
 * Clears the charger's active alarm of @kind, if any.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_clear (sqlite3     *db,
                       const char  *charger_code,
                       const char  *kind,
                       const char  *reason,
                       gint64       now_us,
                       GError     **error)
{
  g_autoptr(GArray) ids = active_alarms (db, charger_code, kind, FALSE);

  for (guint i = 0; i < ids->len; i++)
    if (!anx_alarm_rules_set_state (db, g_array_index (ids, gint64, i), ANX_ALARM_STATE_CLEARED,
                                    NULL, reason, now_us, error))
      return FALSE;
  return TRUE;
}

/**
 * anx_alarm_rules_close_by_inspection:
 * @db: the write connection, in a transaction
 * @charger_code: the charger
 * @sequence: the inspection record
 * @idempotency_key: (nullable): the inspection's key
 * @now_us: the time
 * @n_closed: (out) (optional): alarms closed
 * @error: return location for an error
 *
 * Closes the charger's active alarms that come from its records, with the
 * inspection as the evidence.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_close_by_inspection (sqlite3     *db,
                                     const char  *charger_code,
                                     gint64       sequence,
                                     const char  *idempotency_key,
                                     gint64       now_us,
                                     guint       *n_closed,
                                     GError     **error)
{
  g_autoptr(GArray) ids = active_alarms (db, charger_code, NULL, TRUE);
  g_autofree char *note = g_strdup_printf ("inspection record %" G_GINT64_FORMAT, sequence);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (!anx_alarm_rules_set_state (db, id, ANX_ALARM_STATE_CLOSED, NULL, note, now_us, error))
        return FALSE;
      if (!anx_store_exec_bound (db, "UPDATE alarms SET inspection_key = ? WHERE id = ?", error,
                                 "si", idempotency_key, id))
        return FALSE;
    }
  if (n_closed != NULL)
    *n_closed = ids->len;
  return TRUE;
}

/**
 * anx_alarm_rules_check_offline:
 * @db: the write connection, in a transaction
 * @now_us: the feed's time now
 * @debounce_us: how long a charger must have been offline
 * @n_changed: (out) (optional): alarms raised or cleared
 * @error: return location for an error
 *
 * Raises an offline alarm for each charger offline for longer than
 * @debounce_us and clears those of chargers back online.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_check_offline (sqlite3     *db,
                               gint64       now_us,
                               gint64       debounce_us,
                               guint       *n_changed,
                               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) raise = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) since = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) clear = g_ptr_array_new_with_free_func (g_free);
  guint changed = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT c.code, c.status_since_us FROM chargers c WHERE c.status = "
                          "'offline' AND c.status_since_us <= ? AND NOT EXISTS (SELECT 1 FROM "
                          "alarms a WHERE a.charger_code = c.code AND a.kind = 'offline' AND "
                          "a.state IN ('open', 'acknowledged', 'inspection-scheduled'))",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "offline");
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, now_us - debounce_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 t = sqlite3_column_int64 (stmt, 1);

      g_ptr_array_add (raise, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_array_append_val (since, t);
    }
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db,
                          "SELECT a.charger_code FROM alarms a JOIN chargers c ON c.code = "
                          "a.charger_code WHERE a.kind = 'offline' AND a.state IN ('open', "
                          "'acknowledged', 'inspection-scheduled') AND c.status != 'offline'",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "offline");
      return FALSE;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (clear, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < raise->len; i++)
    {
      g_autoptr(JsonObject) evidence = json_object_new ();
      gint64 t = g_array_index (since, gint64, i);

      json_object_set_int_member (evidence, "since_us", t);
      json_object_set_int_member (evidence, "offline_minutes", (now_us - t) / (60 * G_USEC_PER_SEC));
      json_object_set_int_member (evidence, "debounce_s", debounce_us / G_USEC_PER_SEC);
      /* Raised when the debounce ran out, not when this check ran: the
       * feed's events are not in time order across chargers, so "now" may
       * be well past the moment, or past the charger's return not yet seen. */
      if (!anx_alarm_rules_raise (db, raise->pdata[i], ANX_ALARM_OFFLINE, "warning", -1, evidence,
                                  t + debounce_us, NULL, error))
        return FALSE;
      changed++;
    }
  for (guint i = 0; i < clear->len; i++)
    {
      if (!anx_alarm_rules_clear (db, clear->pdata[i], ANX_ALARM_OFFLINE, "back online", now_us,
                                  error))
        return FALSE;
      changed++;
    }

  if (n_changed != NULL)
    *n_changed = changed;
  return TRUE;
}

/* Whether @charger_code has an offline alarm not yet ended. */
static gboolean
offline_alarm_active (sqlite3     *db,
                      const char  *charger_code,
                      gboolean    *active,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT 1 FROM alarms WHERE charger_code = ? AND kind = 'offline' AND "
                          "state IN ('open', 'acknowledged', 'inspection-scheduled')",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "offline");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  *active = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return TRUE;
}

/**
 * anx_alarm_rules_offline_ended:
 * @db: the write connection, in a transaction
 * @charger_code: a charger that reported again
 * @since_us: when it went offline
 * @until_us: when it reported again
 * @debounce_us: how long a charger must have been offline
 * @n_changed: (out) (optional): alarms raised or cleared
 * @error: return location for an error
 *
 * A charger is back. Its open offline alarm is cleared; an outage of at
 * least @debounce_us that no check saw while it lasted (it ended within
 * one batch of the event log, say during a catch-up) is raised as it
 * would have been, at @since_us + @debounce_us, and cleared at once. A
 * shorter outage raises nothing, and an open alarm a check raised for it
 * (the return arrived late, after other chargers' later events) is
 * withdrawn.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_offline_ended (sqlite3     *db,
                               const char  *charger_code,
                               gint64       since_us,
                               gint64       until_us,
                               gint64       debounce_us,
                               guint       *n_changed,
                               GError     **error)
{
  gboolean active = FALSE;
  guint changed = 0;

  if (!offline_alarm_active (db, charger_code, &active, error))
    return FALSE;

  /* Back before the debounce ran out, but the return arrived after another
   * charger's later event had made the outage look long enough: the alarm
   * was never true, so it goes (with its history), not merely cleared.
   * One an officer already acted on stays, and is cleared as usual. */
  if (active && since_us > 0 && until_us - since_us < debounce_us)
    {
      if (!anx_store_exec_bound (db,
                                 "DELETE FROM alarm_history WHERE alarm_id IN (SELECT id FROM "
                                 "alarms WHERE charger_code = ? AND kind = 'offline' AND state = "
                                 "'open')",
                                 error, "s", charger_code) ||
          !anx_store_exec_bound (db,
                                 "DELETE FROM alarms WHERE charger_code = ? AND kind = 'offline' "
                                 "AND state = 'open'",
                                 error, "s", charger_code))
        return FALSE;
      if (sqlite3_changes (db) > 0)
        changed++;
      /* What is left is what an officer acted on. */
      if (!offline_alarm_active (db, charger_code, &active, error))
        return FALSE;
    }

  if (!active && since_us > 0 && until_us - since_us >= debounce_us)
    {
      g_autoptr(JsonObject) evidence = json_object_new ();

      json_object_set_int_member (evidence, "since_us", since_us);
      json_object_set_int_member (evidence, "until_us", until_us);
      json_object_set_int_member (evidence, "offline_minutes",
                                  (until_us - since_us) / (60 * G_USEC_PER_SEC));
      json_object_set_int_member (evidence, "debounce_s", debounce_us / G_USEC_PER_SEC);
      if (!anx_alarm_rules_raise (db, charger_code, ANX_ALARM_OFFLINE, "warning", -1, evidence,
                                  since_us + debounce_us, NULL, error))
        return FALSE;
      active = TRUE;
      changed++;
    }
  if (active)
    {
      if (!anx_alarm_rules_clear (db, charger_code, ANX_ALARM_OFFLINE, "back online", until_us,
                                  error))
        return FALSE;
      changed++;
    }
  if (n_changed != NULL)
    *n_changed = changed;
  return TRUE;
}

/**
 * anx_alarm_rules_check_overdue:
 * @db: the write connection, in a transaction
 * @now_us: the feed's time now
 * @n_changed: (out) (optional): alarms raised or cleared
 * @error: return location for an error
 *
 * Compares each meter's rotation/verification date with today (China
 * Standard Time): raises verification-overdue alarms, and clears them when
 * the registry moved the date.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_alarm_rules_check_overdue (sqlite3     *db,
                               gint64       now_us,
                               guint       *n_changed,
                               GError     **error)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autofree char *today = g_date_time_format (local, "%Y-%m-%d");
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) raise = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) clear = g_ptr_array_new_with_free_func (g_free);
  guint changed = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT c.code, m.serial, m.rotation_due FROM meters m JOIN chargers c "
                          "ON c.id = m.charger_id WHERE m.rotation_due IS NOT NULL AND "
                          "m.rotation_due < ?1 AND c.meter_id = m.id AND NOT EXISTS (SELECT 1 "
                          "FROM alarms a WHERE a.charger_code = c.code AND a.kind = "
                          "'verification-overdue' AND a.state IN ('open', 'acknowledged', "
                          "'inspection-scheduled'))",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "overdue");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, today, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (raise, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (raise, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
      g_ptr_array_add (raise, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
    }
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db,
                          "SELECT a.charger_code FROM alarms a JOIN chargers c ON c.code = "
                          "a.charger_code JOIN meters m ON m.id = c.meter_id WHERE a.kind = "
                          "'verification-overdue' AND a.state IN ('open', 'acknowledged', "
                          "'inspection-scheduled') AND (m.rotation_due IS NULL OR "
                          "m.rotation_due >= ?1)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "overdue");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, today, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (clear, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i + 2 < raise->len; i += 3)
    {
      g_autoptr(JsonObject) evidence = json_object_new ();

      json_object_set_string_member (evidence, "meter_serial", raise->pdata[i + 1]);
      json_object_set_string_member (evidence, "rotation_due", raise->pdata[i + 2]);
      json_object_set_string_member (evidence, "today", today);
      if (!anx_alarm_rules_raise (db, raise->pdata[i], ANX_ALARM_VERIFICATION_OVERDUE, "warning",
                                  -1, evidence, now_us, NULL, error))
        return FALSE;
      changed++;
    }
  for (guint i = 0; i < clear->len; i++)
    {
      if (!anx_alarm_rules_clear (db, clear->pdata[i], ANX_ALARM_VERIFICATION_OVERDUE,
                                  "verification date moved", now_us, error))
        return FALSE;
      changed++;
    }

  if (n_changed != NULL)
    *n_changed = changed;
  return TRUE;
}

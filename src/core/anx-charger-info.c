/* anx-charger-info.c: what the store knows about one charger and its meter
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read-only queries for the charger page: the registry entry, the meter
 * with its key's fingerprint and its seals' last recorded state, the open
 * alarms, and the billed/metered ratios of the newest charge records.
 */

#define G_LOG_DOMAIN "anx-charger-info"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "anx-chain-record.h"
#include "anx-charger-info.h"
#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-registry-entry.h"
#include "anx-store.h"

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
seal_state_free (gpointer data)
{
  AnxSealState *seal = data;

  g_free (seal->seal_id);
  g_free (seal->kind);
  g_free (seal->last_action);
  g_free (seal);
}

static void
charger_alarm_free (gpointer data)
{
  AnxChargerAlarm *alarm = data;

  g_free (alarm->kind);
  g_free (alarm->severity);
  g_free (alarm->state);
  g_free (alarm->evidence);
  g_free (alarm);
}

static void
add_seal (AnxChargerInfo *info,
          const char     *seal_id,
          const char     *kind)
{
  AnxSealState *seal;

  if (seal_id == NULL || *seal_id == '\0')
    return;
  seal = g_new0 (AnxSealState, 1);
  seal->seal_id = g_strdup (seal_id);
  seal->kind = g_strdup (kind);
  g_ptr_array_add (info->seals, seal);
}

/**
 * anx_charger_info_load_seal_states:
 * @info: a charger
 * @db: a connection of the store (any thread, one at a time)
 *
 * Finds the last seal record of each registered seal. It reads the chain
 * from its head until it has them (the whole chain when a seal never had
 * an event): run it in a thread.
 */
void
anx_charger_info_load_seal_states (AnxChargerInfo *info,
                                   sqlite3        *db)
{
  sqlite3_stmt *stmt = NULL;

  info->seals_checked = TRUE;
  if (info->seals->len == 0 ||
      sqlite3_prepare_v2 (db,
                          "SELECT json, recorded_at_us FROM records WHERE charger_code = ? AND "
                          "kind = 'seal' AND accepted ORDER BY sequence DESC LIMIT 200",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, info->code, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json ((const char *) sqlite3_column_text (stmt, 0), -1, NULL);

      if (record == NULL)
        continue;
      for (guint i = 0; i < info->seals->len; i++)
        {
          AnxSealState *seal = info->seals->pdata[i];

          if (seal->last_action == NULL &&
              g_strcmp0 (seal->seal_id, anx_chain_record_get_seal_id (record)) == 0)
            {
              seal->last_action =
                  g_strdup (anx_seal_action_to_string (anx_chain_record_get_seal_action (record)));
              seal->last_action_us = sqlite3_column_int64 (stmt, 1);
            }
        }
    }
  sqlite3_finalize (stmt);
}

static void
load_alarms (sqlite3        *db,
             AnxChargerInfo *info)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id, kind, severity, state, evidence, raised_at_us FROM alarms "
                          "WHERE charger_code = ? AND state IN ('open', 'acknowledged', "
                          "'inspection-scheduled') ORDER BY raised_at_us DESC, id DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, info->code, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      AnxChargerAlarm *alarm = g_new0 (AnxChargerAlarm, 1);

      alarm->id = sqlite3_column_int64 (stmt, 0);
      alarm->kind = column_dup (stmt, 1);
      alarm->severity = column_dup (stmt, 2);
      alarm->state = column_dup (stmt, 3);
      alarm->evidence = column_dup (stmt, 4);
      alarm->raised_at_us = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (info->alarms, alarm);
    }
  sqlite3_finalize (stmt);
}

/**
 * anx_charger_info_load:
 * @db: a read connection of the store
 * @code: the charger's code
 * @error: return location for %ANX_STORE_ERROR_NOT_FOUND or a SQLite error
 *
 * Returns: (transfer full) (nullable): the charger as the store knows it
 */
AnxChargerInfo *
anx_charger_info_load (sqlite3     *db,
                       const char  *code,
                       GError     **error)
{
  g_autoptr(AnxChargerInfo) info = g_new0 (AnxChargerInfo, 1);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *key_hex = NULL;
  gboolean found = FALSE;

  info->code = g_strdup (code);
  info->seals = g_ptr_array_new_with_free_func (seal_state_free);
  info->alarms = g_ptr_array_new_with_free_func (charger_alarm_free);

  if (sqlite3_prepare_v2 (db,
                          "SELECT s.code, s.name, o.name, c.current, c.rated_power_w, c.status, "
                          "c.last_seen_us, m.id, m.serial, m.manufacturer, m.model, "
                          "m.accuracy_class, m.algorithm, m.public_key, m.first_verification, "
                          "m.rotation_due, m.seal_physical, m.seal_electronic, "
                          "(SELECT n_records FROM chain_heads h WHERE h.charger_code = c.code) "
                          "FROM chargers c LEFT JOIN stations s ON s.id = c.station_id "
                          "LEFT JOIN operators o ON o.id = c.operator_id "
                          "LEFT JOIN meters m ON m.id = c.meter_id WHERE c.code = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "charger");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      info->station_code = column_dup (stmt, 0);
      info->station_name = column_dup (stmt, 1);
      info->operator_name = column_dup (stmt, 2);
      info->current = column_dup (stmt, 3);
      info->rated_power_w = sqlite3_column_int64 (stmt, 4);
      info->status = column_dup (stmt, 5);
      info->last_seen_us = sqlite3_column_int64 (stmt, 6);
      info->has_meter = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
      info->meter_serial = column_dup (stmt, 8);
      info->meter_manufacturer = column_dup (stmt, 9);
      info->meter_model = column_dup (stmt, 10);
      info->accuracy_class = sqlite3_column_int64 (stmt, 11);
      info->algorithm = column_dup (stmt, 12);
      key_hex = column_dup (stmt, 13);
      info->first_verification = column_dup (stmt, 14);
      info->rotation_due = column_dup (stmt, 15);
      add_seal (info, (const char *) sqlite3_column_text (stmt, 16), "physical");
      add_seal (info, (const char *) sqlite3_column_text (stmt, 17), "electronic");
      info->n_records = sqlite3_column_int64 (stmt, 18);
    }
  sqlite3_finalize (stmt);
  if (!found)
    {
      g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_NOT_FOUND,
                   _("The charger %s is not in the registry"), code);
      return NULL;
    }

  if (info->has_meter)
    {
      g_autofree char *class_text = g_strdup_printf ("%" G_GINT64_FORMAT, info->accuracy_class);
      g_autoptr(GBytes) der = anx_registry_hex_to_bytes (key_hex);
      g_autoptr(AnxMeterKey) key = NULL;

      info->tolerance_bp = anx_accuracy_class_get_tolerance_bp (class_text);
      if (der != NULL)
        key = anx_meter_key_new_from_der (g_bytes_get_data (der, NULL), g_bytes_get_size (der), NULL);
      if (key != NULL)
        info->fingerprint = g_strdup (anx_meter_key_get_fingerprint (key));
    }
  load_alarms (db, info);
  return g_steal_pointer (&info);
}

/**
 * anx_charger_info_copy_seal_states:
 * @info: a charger
 * @from: the same charger, read earlier with its seal states
 *
 * Takes the seal states of @from for the seals both list.
 */
void
anx_charger_info_copy_seal_states (AnxChargerInfo *info,
                                   AnxChargerInfo *from)
{
  if (from == NULL || !from->seals_checked || g_strcmp0 (info->code, from->code) != 0)
    return;
  for (guint i = 0; i < info->seals->len; i++)
    for (guint j = 0; j < from->seals->len; j++)
      {
        AnxSealState *seal = info->seals->pdata[i];
        AnxSealState *known = from->seals->pdata[j];

        if (g_strcmp0 (seal->seal_id, known->seal_id) == 0)
          {
            g_free (seal->last_action);
            seal->last_action = g_strdup (known->last_action);
            seal->last_action_us = known->last_action_us;
          }
      }
  info->seals_checked = TRUE;
}

/**
 * anx_charger_info_free:
 * @info: (transfer full) (nullable): a charger
 */
void
anx_charger_info_free (AnxChargerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->code);
  g_free (info->station_code);
  g_free (info->station_name);
  g_free (info->operator_name);
  g_free (info->current);
  g_free (info->status);
  g_free (info->meter_serial);
  g_free (info->meter_manufacturer);
  g_free (info->meter_model);
  g_free (info->algorithm);
  g_free (info->fingerprint);
  g_free (info->first_verification);
  g_free (info->rotation_due);
  g_clear_pointer (&info->seals, g_ptr_array_unref);
  g_clear_pointer (&info->alarms, g_ptr_array_unref);
  g_free (info);
}

/**
 * anx_charger_info_rotation_overdue:
 * @info: a charger
 * @now: the time to compare with
 *
 * Returns: whether the meter's rotation date (YYYY-MM-DD) has passed
 */
gboolean
anx_charger_info_rotation_overdue (AnxChargerInfo *info,
                                   GDateTime      *now)
{
  g_autofree char *today = NULL;

  if (info->rotation_due == NULL || strlen (info->rotation_due) < 10)
    return FALSE;
  today = g_date_time_format (now, "%Y-%m-%d");
  return strncmp (info->rotation_due, today, 10) < 0;
}

/**
 * anx_charger_info_group_fingerprint:
 * @hex: (nullable): hex digits
 *
 * Returns: (transfer full): @hex in upper-case groups of four, for reading
 *   aloud or comparing by eye ("A1B2 C3D4 …")
 */
char *
anx_charger_info_group_fingerprint (const char *hex)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; hex != NULL && hex[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, i % 32 == 0 ? '\n' : ' ');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
    }
  return g_string_free (out, FALSE);
}

/**
 * anx_charger_info_load_ratios:
 * @db: a connection of the store (any thread, one at a time)
 * @code: the charger's code
 * @max_points: how many of the newest charge records
 *
 * Billed / metered energy of the newest @max_points charge records whose
 * signed data has both readings, oldest first.
 *
 * Returns: (transfer full) (element-type AnxRatioPoint): the points
 */
GArray *
anx_charger_info_load_ratios (sqlite3    *db,
                              const char *code,
                              guint       max_points)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (AnxRatioPoint));
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT sequence, recorded_at_us, billed_wh, json FROM records WHERE "
                          "charger_code = ? AND kind = 'charge' ORDER BY sequence DESC LIMIT ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return points;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, (int) MIN (max_points, G_MAXINT));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json ((const char *) sqlite3_column_text (stmt, 3), -1, NULL);
      g_autoptr(AnxOcmf) ocmf = NULL;
      double start, stop;
      AnxRatioPoint point;

      if (record == NULL || anx_chain_record_get_ocmf (record) == NULL)
        continue;
      ocmf = anx_ocmf_parse (anx_chain_record_get_ocmf (record), -1, NULL);
      if (ocmf == NULL || !anx_ocmf_get_transaction_energy (ocmf, &start, &stop, NULL) ||
          stop - start <= 0)
        continue;
      point.sequence = sqlite3_column_int64 (stmt, 0);
      point.time_us = sqlite3_column_int64 (stmt, 1);
      point.ratio = (double) sqlite3_column_int64 (stmt, 2) / (stop - start);
      g_array_prepend_val (points, point);
    }
  sqlite3_finalize (stmt);
  return points;
}

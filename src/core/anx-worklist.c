/* anx-worklist.c: the chargers an officer should visit, most urgent first
 *
 * A charger is on the worklist when it has an active alarm that needs a
 * check on site (every kind but "offline", which the operator resolves), or
 * when its meter's rotation (periodic verification) is due within the
 * configured number of days. The list is sorted by priority — a critical
 * alarm, another alarm, a rotation overdue (its verification-overdue alarm
 * alone counts as that), a rotation due — then by the
 * distance from the officer's chosen origin (stations without coordinates
 * last), then by code.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-worklist"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "anx-csv.h"
#include "anx-geo.h"
#include "anx-inspection-input.h"
#include "anx-store-item.h"
#include "anx-worklist.h"

/**
 * anx_worklist_resolve_origin:
 * @db: a store connection
 * @origin: (nullable): "latitude,longitude" (WGS-84) or a station's code
 * @latitude: (out): WGS-84 latitude
 * @longitude: (out): WGS-84 longitude
 *
 * Returns: %TRUE if @origin names a place
 */
gboolean
anx_worklist_resolve_origin (sqlite3    *db,
                             const char *origin,
                             double     *latitude,
                             double     *longitude)
{
  g_auto(GStrv) parts = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (origin == NULL || *origin == '\0')
    return FALSE;
  parts = g_strsplit (origin, ",", -1);
  if (g_strv_length (parts) == 2)
    {
      char *end_lat = NULL;
      char *end_lon = NULL;
      double lat = g_ascii_strtod (g_strstrip (parts[0]), &end_lat);
      double lon = g_ascii_strtod (g_strstrip (parts[1]), &end_lon);

      if (end_lat != parts[0] && *end_lat == '\0' && end_lon != parts[1] && *end_lon == '\0' &&
          lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)
        {
          *latitude = lat;
          *longitude = lon;
          return TRUE;
        }
    }

  if (sqlite3_prepare_v2 (db,
                          "SELECT latitude, longitude, datum FROM stations WHERE code = ? AND "
                          "latitude IS NOT NULL AND longitude IS NOT NULL",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, origin, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      AnxGeoDatum datum = ANX_GEO_DATUM_WGS84;

      anx_geo_datum_from_string ((const char *) sqlite3_column_text (stmt, 2), &datum);
      anx_geo_to_wgs84 (datum, sqlite3_column_double (stmt, 0), sqlite3_column_double (stmt, 1),
                        latitude, longitude);
      found = TRUE;
    }
  sqlite3_finalize (stmt);
  return found;
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  AnxStoreItem *x = (AnxStoreItem *) a;
  AnxStoreItem *y = (AnxStoreItem *) b;
  gint64 px = anx_store_item_get_int (x, "priority");
  gint64 py = anx_store_item_get_int (y, "priority");
  double dx = anx_store_item_get_double (x, "distance_m");
  double dy = anx_store_item_get_double (y, "distance_m");

  if (px != py)
    return px < py ? -1 : 1;
  /* Unknown distances (< 0) after known ones. */
  if ((dx < 0) != (dy < 0))
    return dx < 0 ? 1 : -1;
  if (dx != dy)
    return dx < dy ? -1 : 1;
  return g_strcmp0 (anx_store_item_get_key (x), anx_store_item_get_key (y));
}

static const char *
text_or_empty (sqlite3_stmt *stmt,
               int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

/**
 * anx_worklist_load:
 * @db: a store connection
 * @today: today (its date in China Standard Time counts)
 * @rotation_days: meters due within this many days are listed
 * @has_origin: whether distances are measured
 * @latitude: the origin's WGS-84 latitude
 * @longitude: the origin's WGS-84 longitude
 *
 * Returns: (transfer full): #AnxStoreItem rows keyed by charger code, with
 *   `code`, `station`, `station_name`, `kinds`, `n_alarms`, `alarm_id`,
 *   `meter_serial`, `rotation_due`, `priority` and `distance_m` (metres,
 *   −1 when unknown), sorted
 */
GListStore *
anx_worklist_load (sqlite3   *db,
                   GDateTime *today,
                   guint      rotation_days,
                   gboolean   has_origin,
                   double     latitude,
                   double     longitude)
{
  GListStore *store = g_list_store_new (ANX_TYPE_STORE_ITEM);
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (today, zone);
  g_autoptr(GDateTime) horizon = g_date_time_add_days (local, (int) rotation_days);
  g_autofree char *today_text = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *horizon_text = g_date_time_format (horizon, "%Y-%m-%d");
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (
          db,
          "WITH active AS (SELECT charger_code, count(*) AS n, max(severity = 'critical') AS "
          "critical, group_concat(DISTINCT kind) AS kinds, max(id) AS alarm_id, "
          "sum(kind != 'verification-overdue') AS n_other FROM alarms WHERE "
          "state IN ('open', 'acknowledged', 'inspection-scheduled') AND kind != 'offline' GROUP "
          "BY charger_code) "
          "SELECT c.code, s.code, s.name, s.latitude, s.longitude, s.datum, coalesce(a.n, 0), "
          "coalesce(a.critical, 0), a.kinds, a.alarm_id, m.serial, m.rotation_due, "
          "coalesce(a.n_other, 0) FROM chargers c "
          "LEFT JOIN stations s ON s.id = c.station_id LEFT JOIN meters m ON m.id = c.meter_id "
          "LEFT JOIN active a ON a.charger_code = c.code WHERE a.n > 0 OR (m.rotation_due IS NOT "
          "NULL AND m.rotation_due != '' AND m.rotation_due <= ?1)",
          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Worklist: %s", sqlite3_errmsg (db));
      return store;
    }
  sqlite3_bind_text (stmt, 1, horizon_text, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_auto(GVariantDict) row = G_VARIANT_DICT_INIT (NULL);
      const char *code = text_or_empty (stmt, 0);
      const char *due = text_or_empty (stmt, 11);
      gint64 n_alarms = sqlite3_column_int64 (stmt, 6);
      gboolean critical = sqlite3_column_int (stmt, 7) != 0;
      double distance = -1;
      AnxWorklistPriority priority;

      /* An overdue verification alarm is a rotation overdue. */
      if (n_alarms > 0 && sqlite3_column_int64 (stmt, 12) > 0)
        priority = critical ? ANX_WORKLIST_CRITICAL_ALARM : ANX_WORKLIST_ALARM;
      else if (n_alarms > 0)
        priority = ANX_WORKLIST_ROTATION_OVERDUE;
      else if (g_strcmp0 (due, today_text) < 0)
        priority = ANX_WORKLIST_ROTATION_OVERDUE;
      else
        priority = ANX_WORKLIST_ROTATION_DUE;

      if (has_origin && sqlite3_column_type (stmt, 3) != SQLITE_NULL &&
          sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        {
          AnxGeoDatum datum = ANX_GEO_DATUM_WGS84;
          double lat, lon;

          anx_geo_datum_from_string (text_or_empty (stmt, 5), &datum);
          anx_geo_to_wgs84 (datum, sqlite3_column_double (stmt, 3),
                            sqlite3_column_double (stmt, 4), &lat, &lon);
          distance = anx_geo_distance_m (latitude, longitude, lat, lon);
        }

      g_variant_dict_insert (&row, "code", "s", code);
      g_variant_dict_insert (&row, "station", "s", text_or_empty (stmt, 1));
      g_variant_dict_insert (&row, "station_name", "s", text_or_empty (stmt, 2));
      g_variant_dict_insert (&row, "kinds", "s", text_or_empty (stmt, 8));
      g_variant_dict_insert (&row, "n_alarms", "x", n_alarms);
      g_variant_dict_insert (&row, "alarm_id", "x", (gint64) sqlite3_column_int64 (stmt, 9));
      g_variant_dict_insert (&row, "meter_serial", "s", text_or_empty (stmt, 10));
      g_variant_dict_insert (&row, "rotation_due", "s", due);
      g_variant_dict_insert (&row, "priority", "x", (gint64) priority);
      g_variant_dict_insert (&row, "distance_m", "d", distance);
      g_ptr_array_add (items, anx_store_item_new (code, g_variant_dict_end (&row)));
    }
  sqlite3_finalize (stmt);

  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  g_list_store_sort (store, compare_items, NULL);
  return store;
}

/**
 * anx_worklist_priority_title:
 * @priority: a priority
 *
 * Returns: its translated name
 */
const char *
anx_worklist_priority_title (AnxWorklistPriority priority)
{
  switch (priority)
    {
    case ANX_WORKLIST_CRITICAL_ALARM:
      return _("Critical alarm");
    case ANX_WORKLIST_ALARM:
      return _("Alarm");
    case ANX_WORKLIST_ROTATION_OVERDUE:
      return _("Rotation overdue");
    case ANX_WORKLIST_ROTATION_DUE:
      return _("Rotation due");
    default:
      return "";
    }
}

/**
 * anx_worklist_to_csv:
 * @worklist: (element-type AnxStoreItem): the worklist, as anx_worklist_load() makes it
 *
 * Returns: (transfer full): the worklist as CSV, with a header row
 */
GString *
anx_worklist_to_csv (GListModel *worklist)
{
  GString *csv = anx_csv_new ();
  const char *const header[] = { _("Priority"), _("Charger"), _("Station"), _("Station name"),
                                 _("Open alarms"), _("Alarm kinds"), _("Meter"), _("Rotation due"),
                                 _("Distance (km)"), NULL };

  anx_csv_append_row (csv, header, -1);
  for (guint i = 0; i < g_list_model_get_n_items (worklist); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (worklist, i);
      double distance = anx_store_item_get_double (item, "distance_m");
      g_autofree char *alarms = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 anx_store_item_get_int (item, "n_alarms"));
      char km[G_ASCII_DTOSTR_BUF_SIZE] = "";
      const char *cells[9];

      if (distance >= 0)
        g_ascii_formatd (km, sizeof km, "%.2f", distance / 1000.0);
      cells[0] = anx_worklist_priority_title (
          (AnxWorklistPriority) anx_store_item_get_int (item, "priority"));
      cells[1] = anx_store_item_get_string (item, "code");
      cells[2] = anx_store_item_get_string (item, "station");
      cells[3] = anx_store_item_get_string (item, "station_name");
      cells[4] = alarms;
      cells[5] = anx_store_item_get_string (item, "kinds");
      cells[6] = anx_store_item_get_string (item, "meter_serial");
      cells[7] = anx_store_item_get_string (item, "rotation_due");
      cells[8] = km;
      anx_csv_append_row (csv, cells, G_N_ELEMENTS (cells));
    }
  return csv;
}

/**
 * anx_worklist_history_to_csv:
 * @inspections: (element-type AnxStoreItem): rows of anx_query_model_new_inspections()
 *
 * Returns: (transfer full): the inspections and their delivery as CSV
 */
GString *
anx_worklist_history_to_csv (GListModel *inspections)
{
  GString *csv = anx_csv_new ();
  const char *const header[] = { _("Inspected"), _("Charger"), _("Inspector"), _("Result"),
                                 _("Measured error (%)"), _("Seals removed"), _("Seals applied"),
                                 _("Notes"), _("Delivery"), _("Server's reason"), _("Record"),
                                 _("Key"), NULL };

  anx_csv_append_row (csv, header, -1);
  for (guint i = 0; i < g_list_model_get_n_items (inspections); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (inspections, i);
      g_autofree char *error = NULL;
      g_autofree char *record = NULL;
      g_autofree char *removed =
          anx_inspection_seals_to_text (anx_store_item_get_string (item, "seals_removed"));
      g_autofree char *applied =
          anx_inspection_seals_to_text (anx_store_item_get_string (item, "seals_applied"));
      GVariant *row = anx_store_item_get_row (item);
      g_autoptr (GVariant) bp =
          g_variant_lookup_value (row, "measured_error_bp", G_VARIANT_TYPE_INT64);
      g_autoptr(GVariant) sequence = g_variant_lookup_value (row, "sequence", G_VARIANT_TYPE_INT64);
      const char *cells[12];

      if (bp != NULL)
        {
          gint64 v = g_variant_get_int64 (bp);

          error = g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT, v < 0 ? "-" : "",
                                   ABS (v) / 100, ABS (v) % 100);
        }
      if (sequence != NULL)
        record = g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (sequence));
      cells[0] = anx_store_item_get_string (item, "inspected_at");
      cells[1] = anx_store_item_get_string (item, "charger_code");
      cells[2] = anx_store_item_get_string (item, "inspector");
      cells[3] = anx_store_item_get_string (item, "result");
      cells[4] = error;
      cells[5] = removed;
      cells[6] = applied;
      cells[7] = anx_store_item_get_string (item, "notes");
      cells[8] = anx_store_item_get_string (item, "delivery");
      cells[9] = anx_store_item_get_string (item, "last_error");
      cells[10] = record;
      cells[11] = anx_store_item_get_key (item);
      anx_csv_append_row (csv, cells, G_N_ELEMENTS (cells));
    }
  return csv;
}

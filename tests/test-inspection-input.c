/* test-inspection-input.c: CSV quoting and the inspection form's checks
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "anx-csv.h"
#include "anx-inspection-input.h"
#include "anx-report.h"
#include "anx-store-item.h"
#include "anx-store.h"
#include "anx-worklist.h"

#define BOM "\xEF\xBB\xBF"

static void
test_csv_quoting (void)
{
  g_autoptr(GString) csv = anx_csv_new ();
  const char *header[] = { "charger", "notes", "error %", NULL };
  const char *row1[] = { "330106-0042-DC02", "plain", "+1.80", NULL };
  const char *row2[] = { "a,b", "say \"hi\"", "line\nbreak", NULL };
  const char *row3[] = { " lead", "trail ", "", NULL };
  const char *row4[] = { "西湖区文三路充电站", NULL, "现场检定，误差", NULL };
  const char *expected = BOM "charger,notes,error %\r\n"
                             "330106-0042-DC02,plain,+1.80\r\n"
                             "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\r\n"
                             "\" lead\",\"trail \",\r\n"
                             "西湖区文三路充电站,,现场检定，误差\r\n";

  anx_csv_append_row (csv, header, -1);
  anx_csv_append_row (csv, row1, -1);
  anx_csv_append_row (csv, row2, -1);
  anx_csv_append_row (csv, row3, 3);
  anx_csv_append_row (csv, row4, 3);
  g_assert_cmpstr (csv->str, ==, expected);

  /* A carriage return alone is quoted too. */
  {
    g_autoptr(GString) cr = g_string_new (NULL);

    anx_csv_append_field (cr, "a\rb", TRUE);
    g_assert_cmpstr (cr->str, ==, "\"a\rb\"");
  }

  /* Written as is, BOM first. */
  {
    g_autofree char *dir = g_dir_make_tmp ("anxin-csv-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
    g_autofree char *back = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;

    g_assert_true (anx_csv_save (csv, path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &back, &len, NULL));
    g_assert_cmpmem (back, len, expected, strlen (expected));
    g_assert_cmpint (g_remove (path), ==, 0);
    g_assert_cmpint (g_rmdir (dir), ==, 0);
  }
}

static void
test_error_percent (void)
{
  static const struct
  {
    const char *text;
    gboolean ok;
    gboolean measured;
    gint32 bp;
  } cases[] = {
    { "", TRUE, FALSE, 0 },
    { "   ", TRUE, FALSE, 0 },
    { "1.8", TRUE, TRUE, 180 },
    { "+1.80", TRUE, TRUE, 180 },
    { "-0.35 %", TRUE, TRUE, -35 },
    { "0,5", TRUE, TRUE, 50 },
    { "－１．２５％", TRUE, TRUE, -125 }, /* full-width, as Chinese input methods type */
    { ".5", TRUE, TRUE, 50 },
    { "100", TRUE, TRUE, 10000 },
    { "-100.00", TRUE, TRUE, -10000 },
    { "1.250", TRUE, TRUE, 125 },
    { "100.01", FALSE, FALSE, 0 },
    { "250", FALSE, FALSE, 0 },
    { "99999999999999999999", FALSE, FALSE, 0 },
    { "1.234", FALSE, FALSE, 0 },
    { "abc", FALSE, FALSE, 0 },
    { "1.2.3", FALSE, FALSE, 0 },
    { "+", FALSE, FALSE, 0 },
    { "1e3", FALSE, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean measured = TRUE;
      gint32 bp = 42;
      g_autofree char *message = anx_inspection_parse_error (cases[i].text, &measured, &bp);

      g_test_message ("error %% “%s” → %s", cases[i].text, message ? message : "ok");
      if (cases[i].ok)
        g_assert_null (message);
      else
        g_assert_nonnull (message);
      g_assert_cmpint (measured, ==, cases[i].measured);
      g_assert_cmpint (bp, ==, cases[i].bp);
    }
}

static void
test_seals (void)
{
  g_auto(GStrv) seals = NULL;
  g_autofree char *message = NULL;
  g_autofree char *long_seal = g_strnfill (65, 'A');
  g_autoptr(GString) many = g_string_new (NULL);

  message = anx_inspection_parse_seals ("HZ-SEAL-0100230, HZ-SEAL-0100231；HZ/7、X_1.2\nY", &seals);
  g_assert_null (message);
  g_assert_cmpuint (g_strv_length (seals), ==, 5);
  g_assert_cmpstr (seals[0], ==, "HZ-SEAL-0100230");
  g_assert_cmpstr (seals[2], ==, "HZ/7");
  g_assert_cmpstr (seals[3], ==, "X_1.2");
  g_assert_cmpstr (seals[4], ==, "Y");
  g_clear_pointer (&seals, g_strfreev);

  message = (g_free (message), anx_inspection_parse_seals ("", &seals));
  g_assert_null (message);
  g_assert_cmpuint (g_strv_length (seals), ==, 0);
  g_clear_pointer (&seals, g_strfreev);

  message = (g_free (message), anx_inspection_parse_seals ("HZ SEAL#1", &seals));
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "SEAL#1"));
  g_assert_null (seals);

  message = (g_free (message), anx_inspection_parse_seals ("封条1", &seals));
  g_assert_nonnull (message);

  message = (g_free (message), anx_inspection_parse_seals (long_seal, &seals));
  g_assert_nonnull (message);

  message = (g_free (message), anx_inspection_parse_seals ("A1 B2 A1", &seals));
  g_assert_nonnull (message);

  for (guint i = 0; i < 33; i++)
    g_string_append_printf (many, "S%u ", i);
  message = (g_free (message), anx_inspection_parse_seals (many->str, &seals));
  g_assert_nonnull (message);
}

static void
test_seals_text (void)
{
  g_autofree char *two = anx_inspection_seals_to_text ("[\"A-1\",\"B/2\"]");
  g_autofree char *none = anx_inspection_seals_to_text ("[]");
  g_autofree char *null = anx_inspection_seals_to_text (NULL);
  g_autofree char *odd = anx_inspection_seals_to_text ("[1,2]");
  g_autofree char *plain = anx_inspection_seals_to_text ("A-1 B-2");

  g_assert_cmpstr (two, ==, "A-1, B/2");
  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (null, ==, "");
  g_assert_cmpstr (odd, ==, "[1,2]");
  g_assert_cmpstr (plain, ==, "A-1 B-2");
}

static void
test_time (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new (zone, 2026, 3, 16, 12, 0, 0);
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;

  message = anx_inspection_parse_time ("2026-03-16 10:20", zone, now, &time);
  g_assert_null (message);
  g_assert_nonnull (time);
  g_assert_cmpint (g_date_time_to_unix (time), ==, 1773627600);
  text = anx_inspection_format_time (time, zone);
  g_assert_cmpstr (text, ==, "2026-03-16 10:20");
  g_clear_pointer (&time, g_date_time_unref);

  message = anx_inspection_parse_time ("2026-03-16 10:20:30", zone, now, &time);
  g_assert_null (message);
  g_clear_pointer (&time, g_date_time_unref);

  /* A minute of slack, no more. */
  message = anx_inspection_parse_time ("2026-03-16 12:01", zone, now, &time);
  g_assert_null (message);
  g_clear_pointer (&time, g_date_time_unref);
  message = anx_inspection_parse_time ("2026-03-16 12:05", zone, now, &time);
  g_assert_nonnull (message);
  g_assert_null (time);

  message = (g_free (message), anx_inspection_parse_time ("2026-02-30 10:00", zone, now, &time));
  g_assert_nonnull (message);
  message = (g_free (message), anx_inspection_parse_time ("yesterday", zone, now, &time));
  g_assert_nonnull (message);
  message = (g_free (message), anx_inspection_parse_time ("2026-03-16 10:20 x", zone, now, &time));
  g_assert_nonnull (message);
  g_assert_null (time);
}

static void
test_inspector_notes (void)
{
  g_autofree char *long_name = g_strnfill (257, 'a');
  g_autofree char *long_notes = g_strnfill (4097, 'n');
  g_autofree char *message = NULL;

  g_assert_null (anx_inspection_check_inspector ("王建国（西湖区市场监管局）"));
  message = anx_inspection_check_inspector ("  ");
  g_assert_nonnull (message);
  message = (g_free (message), anx_inspection_check_inspector (long_name));
  g_assert_nonnull (message);
  g_assert_null (anx_inspection_check_notes (NULL));
  g_assert_null (anx_inspection_check_notes ("现场检定：误差 +1.80 %"));
  message = (g_free (message), anx_inspection_check_notes (long_notes));
  g_assert_nonnull (message);
}

static void
test_report_text (void)
{
  g_autoptr(AnxReport) report = anx_report_new ("Title", "Sub");
  AnxReportSection *section = anx_report_add_section (report, "Charger");
  const char *columns[] = { "No.", "Kind", NULL };
  const char *row[] = { "4", "Inspection", NULL };
  g_autofree char *text = NULL;

  anx_report_section_add_fact (section, "Charger", "330106-0042-DC02");
  anx_report_section_add_fact (section, "Station", NULL);
  anx_report_section_set_columns (section, columns);
  anx_report_section_add_row (section, row);
  anx_report_section_add_note (section, "note");
  text = anx_report_to_text (report);
  g_assert_cmpstr (text, ==,
                   "Title\nSub\n\nCharger\nCharger: 330106-0042-DC02\nStation: —\nNo.\tKind\n"
                   "4\tInspection\nnote\n");
}

static gboolean
seed_job (AnxStore         *store,
          sqlite3          *db,
          gpointer          data,
          AnxStoreChanges  *changes,
          GError          **error)
{
  return anx_store_exec (db, data, error);
}

/* A real store: alarms, meters and stations; the worklist's order. */
static void
test_worklist (void)
{
  g_autofree char *dir = g_dir_make_tmp ("anxin-worklist-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "console.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (path, &error);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) today = g_date_time_new (zone, 2026, 3, 16, 9, 0, 0);
  g_autoptr(GListStore) list = NULL;
  g_autoptr(GString) csv = NULL;
  double lat = 0, lon = 0;
  /* West Lake (S1), Xiaoshan (S2, ~20 km), Lin'an (S3, ~45 km); S4 has no coordinates. */
  const char *seed =
      "INSERT INTO operators (id, name) VALUES (1, '安心充电');"
      "INSERT INTO stations (id, operator_id, code, name, latitude, longitude, datum) VALUES "
      "(1, 1, 'S1', '西湖', 30.2590, 120.1300, 'WGS-84'),"
      "(2, 1, 'S2', '萧山, 北', 30.1700, 120.2650, 'WGS-84'),"
      "(3, 1, 'S3', '临安', 30.2330, 119.7250, 'WGS-84'),"
      "(4, 1, 'S4', '未知', NULL, NULL, 'WGS-84');"
      "INSERT INTO chargers (id, station_id, operator_id, code, meter_id) VALUES "
      "(1, 1, 1, 'C-NEAR-WARN', 1), (2, 2, 1, 'C-MID-CRIT', 2), (3, 3, 1, 'C-FAR-CRIT', 3),"
      "(4, 1, 1, 'C-DUE', 4), (5, 2, 1, 'C-OVERDUE', 5), (6, 1, 1, 'C-FINE', 6),"
      "(7, 1, 1, 'C-OFFLINE', 7), (8, 4, 1, 'C-NOWHERE', 8), (9, 1, 1, 'C-CLOSED', 9),"
      "(10, 1, 1, 'C-LATER', 10), (11, 3, 1, 'C-OVERDUE-ALARM', 11);"
      "INSERT INTO meters (id, charger_id, serial, rotation_due) VALUES "
      "(1, 1, 'M1', '2030-01-01'), (2, 2, 'M2', NULL), (3, 3, 'M3', NULL),"
      "(4, 4, 'M4', '2026-04-10'), (5, 5, 'M5', '2026-03-01'), (6, 6, 'M6', '2027-01-01'),"
      "(7, 7, 'M7', NULL), (8, 8, 'M8', '2026-03-20'), (9, 9, 'M9', NULL),"
      "(10, 10, 'M10', '2026-04-16'), (11, 11, 'M11', '2025-01-01');"
      "INSERT INTO alarms (charger_code, kind, severity, state, evidence, raised_at_us, "
      "updated_at_us) VALUES "
      "('C-NEAR-WARN', 'seal-opened', 'warning', 'open', '{}', 1, 1),"
      "('C-MID-CRIT', 'energy-mismatch', 'critical', 'acknowledged', '{}', 1, 1),"
      "('C-FAR-CRIT', 'signature-invalid', 'critical', 'inspection-scheduled', '{}', 1, 1),"
      "('C-FAR-CRIT', 'counter-gap', 'warning', 'open', '{}', 1, 1),"
      "('C-OFFLINE', 'offline', 'warning', 'open', '{}', 1, 1),"
      "('C-CLOSED', 'energy-mismatch', 'critical', 'closed', '{}', 1, 1),"
      "('C-OVERDUE-ALARM', 'verification-overdue', 'warning', 'open', '{}', 1, 1);";
  static const char *const expected[] = {
    "C-MID-CRIT", "C-FAR-CRIT", "C-NEAR-WARN", "C-OVERDUE", "C-OVERDUE-ALARM", "C-DUE",
    "C-NOWHERE",
  };

  g_assert_no_error (error);
  g_assert_true (anx_store_write_sync (store, seed_job, (gpointer) seed, &error));
  g_assert_no_error (error);

  /* The origin by station code, or by coordinates; nonsense is no origin. */
  g_assert_true (anx_worklist_resolve_origin (anx_store_get_read_db (store), "S1", &lat, &lon));
  g_assert_cmpfloat_with_epsilon (lat, 30.2590, 1e-9);
  g_assert_true (anx_worklist_resolve_origin (anx_store_get_read_db (store), "30.1, 120.2", &lat,
                                              &lon));
  g_assert_cmpfloat_with_epsilon (lon, 120.2, 1e-9);
  g_assert_false (anx_worklist_resolve_origin (anx_store_get_read_db (store), "S4", &lat, &lon));
  g_assert_false (anx_worklist_resolve_origin (anx_store_get_read_db (store), "91,0", &lat, &lon));
  g_assert_false (anx_worklist_resolve_origin (anx_store_get_read_db (store), "", &lat, &lon));

  g_assert_true (anx_worklist_resolve_origin (anx_store_get_read_db (store), "S1", &lat, &lon));
  list = anx_worklist_load (anx_store_get_read_db (store), today, 30, TRUE, lat, lon);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_test_message ("%u: %s priority %" G_GINT64_FORMAT " %.0f m", i,
                      anx_store_item_get_key (item), anx_store_item_get_int (item, "priority"),
                      anx_store_item_get_double (item, "distance_m"));
      g_assert_cmpstr (anx_store_item_get_key (item), ==, expected[i]);
    }
  {
    g_autoptr(AnxStoreItem) far = g_list_model_get_item (G_LIST_MODEL (list), 1);
    g_autoptr(AnxStoreItem) nowhere = g_list_model_get_item (G_LIST_MODEL (list), 6);
    g_autoptr(AnxStoreItem) overdue = g_list_model_get_item (G_LIST_MODEL (list), 4);

    /* Its alarm is the rotation overdue, and answering it answers the alarm. */
    g_assert_cmpint (anx_store_item_get_int (overdue, "priority"), ==,
                     ANX_WORKLIST_ROTATION_OVERDUE);
    g_assert_cmpint (anx_store_item_get_int (overdue, "alarm_id"), >, 0);

    g_assert_cmpint (anx_store_item_get_int (far, "n_alarms"), ==, 2);
    g_assert_cmpfloat (anx_store_item_get_double (far, "distance_m"), >, 35000);
    g_assert_cmpfloat (anx_store_item_get_double (far, "distance_m"), <, 45000);
    g_assert_cmpfloat (anx_store_item_get_double (nowhere, "distance_m"), <, 0);
  }

  /* From Lin'an the far critical alarm comes first; a wider window takes C-LATER. */
  g_clear_object (&list);
  list = anx_worklist_load (anx_store_get_read_db (store), today, 31, TRUE, 30.2330, 119.7250);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    G_N_ELEMENTS (expected) + 1);
  {
    g_autoptr(AnxStoreItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);

    g_assert_cmpstr (anx_store_item_get_key (first), ==, "C-FAR-CRIT");
  }

  /* CSV: the station name with a comma is quoted. */
  csv = anx_worklist_to_csv (G_LIST_MODEL (list));
  g_assert_true (g_str_has_prefix (csv->str, BOM));
  g_assert_nonnull (strstr (csv->str, ",\"萧山, 北\","));
  g_assert_nonnull (strstr (csv->str, "C-FAR-CRIT"));

  anx_store_close (store);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_remove (file);
      }
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/quoting", test_csv_quoting);
  g_test_add_func ("/inspection-input/error-percent", test_error_percent);
  g_test_add_func ("/inspection-input/seals", test_seals);
  g_test_add_func ("/inspection-input/time", test_time);
  g_test_add_func ("/inspection-input/seals-text", test_seals_text);
  g_test_add_func ("/inspection-input/inspector-notes", test_inspector_notes);
  g_test_add_func ("/report/text", test_report_text);
  g_test_add_func ("/worklist/order", test_worklist);
  return g_test_run ();
}

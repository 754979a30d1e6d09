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
  g_test_add_func ("/inspection-input/inspector-notes", test_inspector_notes);
  g_test_add_func ("/report/text", test_report_text);
  return g_test_run ();
}

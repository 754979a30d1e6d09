/* test-charger-page.c: a charger's page against the real anxin-feedd
 *
 * Starts anxin-feedd on loopback with a small simulated network in which
 * meters over-bill often, syncs a console to it, and opens — through
 * win.show-charger, as the other views do — the charger whose over-billing
 * the simulator's ground truth logs most. The page must show the mismatch
 * in numbers (the open alarm, the chain rows, the chart's dots outside the
 * tolerance band), the record detail must show billed against metered
 * energy with the class's tolerance, and "Verify Again" must check it again
 * from the raw data with the same verdict. Screenshots at 1280×800.
 * Runs under xvfb-run and dbus-run-session, in English and zh_CN.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>

#include "anx-alarm-rules.h"
#include "anx-application.h"
#include "anx-alarms-page.h"
#include "anx-chain-row.h"
#include "anx-charger-page.h"
#include "anx-finding.h"
#include "anx-connection-indicator.h"
#include "anx-ratio-chart.h"
#include "anx-record-detail.h"
#include "anx-store-item.h"
#include "anx-test-util.h"
#include "anx-test-display.h"
#include "anx-test-feedd.h"
#include "anx-token-store.h"
#include "anx-window.h"

static char *test_dir;

static GtkWidget *
template_child (GtkWidget  *window,
                const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (window, ANX_TYPE_WINDOW, name));
}

typedef struct
{
  gint64 sequence;
  gint64 billed_wh;
  double metered_wh;
} Overbilled;

typedef struct
{
  AnxApplication *app;
  AnxConnectionIndicator *indicator;
  char *charger;
  GArray *records; /* of Overbilled, from the ground truth */
} Sync;

static gint64
query_int (AnxStore   *store,
           const char *sql,
           const char *text)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Changes a stored record behind the console's back, as someone with
 * write access to the store file would: its billed energy, in the JSON the
 * hash was computed over ({"charge": {"billed_wh": …}}). */
static void
tamper_record (const char *charger,
               gint64      sequence)
{
  const char *path = g_getenv ("ANXIN_CONSOLE_STORE");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tampered = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  JsonObject *object;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json FROM records WHERE charger_code = ? AND sequence = ?",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, charger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, sequence);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0), -1, &error);
  g_assert_no_error (error);
  sqlite3_finalize (stmt);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, "charge"));
  object = json_object_get_object_member (object, "charge");
  g_assert_true (json_object_has_member (object, "billed_wh"));
  json_object_set_int_member (object, "billed_wh", json_object_get_int_member (object, "billed_wh") + 1000);
  json_generator_set_root (generator, json_parser_get_root (parser));
  tampered = json_generator_to_data (generator, NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE records SET json = ? WHERE charger_code = ? AND sequence = ?",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, tampered, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, charger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, sequence);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Whether the list has a row titled @title. */
static gboolean
list_has_row (GtkWidget  *list,
              const char *title)
{
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_PREFERENCES_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return TRUE;
  return FALSE;
}

/* Live, nothing left to store, and every over-billed record of the truth
 * verified by the console with its energy-mismatch finding. */
static gboolean
synced (gpointer data)
{
  Sync *sync = data;
  AnxStore *store = anx_application_get_store (sync->app);

  return anx_connection_indicator_get_state (sync->indicator) == ANX_FEED_CLIENT_LIVE &&
         anx_store_get_backlog (store) == 0 &&
         query_int (store,
                    "SELECT count(DISTINCT sequence) FROM findings WHERE charger_code = ? AND "
                    "code = 'energy-mismatch'",
                    sync->charger) >= (gint64) sync->records->len &&
         query_int (store,
                    "SELECT count(*) FROM alarms WHERE charger_code = ? AND kind = "
                    "'energy-mismatch'",
                    sync->charger) > 0;
}

/* The charger the ground truth logs the most over-billed records for;
 * FALSE while it logs none. */
static gboolean
read_truth (const char *path,
            Sync       *sync)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint best = 0;

  g_clear_pointer (&sync->charger, g_free);
  g_array_set_size (sync->records, 0);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonObject *line;
        const char *code;

        /* The last line may be still being written. */
        if (*lines[i] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
          continue;
        line = json_node_get_object (json_parser_get_root (parser));
        if (g_strcmp0 (json_object_get_string_member (line, "anomaly"), "over-billing") != 0)
          continue;
        code = json_object_get_string_member (line, "charger_code");
        if (pass == 0)
          {
            guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, code)) + 1;

            g_hash_table_replace (counts, g_strdup (code), GUINT_TO_POINTER (n));
            if (n > best)
              {
                best = n;
                g_free (sync->charger);
                sync->charger = g_strdup (code);
              }
          }
        else if (g_str_equal (code, sync->charger))
          {
            Overbilled record = { json_object_get_int_member (line, "sequence"),
                                  json_object_get_int_member (line, "billed_wh"),
                                  json_object_get_double_member (line, "metered_wh") };

            g_array_append_val (sync->records, record);
          }
      }
  if (sync->charger == NULL)
    return FALSE;
  g_test_message ("charger %s: %u over-billed records in the ground truth", sync->charger,
                  sync->records->len);
  return TRUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static char *
screenshot_after_paint (GtkWidget  *window,
                        const char *name)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (window);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  return anx_test_screenshot (window, name);
}

static gboolean
page_loaded (gpointer data)
{
  return !anx_charger_page_is_loading (ANX_CHARGER_PAGE (data));
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (ANX_IS_CHAIN_ROW (widget) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* "31.20" for 31,204 Wh; either rounding of a metered figure that is a
 * double computed from readings. */
static gboolean
shows_kwh (const char *text,
           double      wh)
{
  g_autofree char *a = g_strdup_printf ("%.2f", wh / 1000.0);
  g_autofree char *b = g_strdup_printf ("%.2f", (wh - 0.01) / 1000.0);
  g_autofree char *c = g_strdup_printf ("%.2f", (wh + 0.01) / 1000.0);

  return strstr (text, a) != NULL || strstr (text, b) != NULL || strstr (text, c) != NULL;
}

/* Scrolls the history until the row of @position is on screen, and
 * returns the row showing @record's figures. */
static AnxChainRow *
find_row (AnxChargerPage   *page,
          guint             position,
          const Overbilled *record)
{
  GtkListView *view = GTK_LIST_VIEW (anx_test_find_widget_of_type (GTK_WIDGET (page),
                                                                    GTK_TYPE_LIST_VIEW));
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  guint n = g_list_model_get_n_items (anx_charger_page_get_chain (page));

  for (int attempt = 0; attempt < 40; attempt++)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();
      double upper = gtk_adjustment_get_upper (adjustment);
      double page_size = gtk_adjustment_get_page_size (adjustment);
      double target = MAX (0.0, upper * position / n - page_size / 2 + attempt % 5 * page_size / 5);

      gtk_adjustment_set_value (adjustment, target);
      anx_test_iterate (60);
      collect_rows (GTK_WIDGET (view), rows);
      for (guint i = 0; i < rows->len; i++)
        {
          const char *energy = anx_chain_row_get_energy_text (rows->pdata[i]);
          g_autofree char *billed = g_strdup_printf ("%.2f", record->billed_wh / 1000.0);

          if (strstr (energy, billed) != NULL && shows_kwh (energy, record->metered_wh))
            return rows->pdata[i];
        }
    }
  return NULL;
}

/* Scrolls the history to @position and returns the row of @sequence. */
static AnxChainRow *
find_row_of_sequence (AnxChargerPage *page,
                      guint           position,
                      gint64          sequence)
{
  GtkListView *view = GTK_LIST_VIEW (anx_test_find_widget_of_type (GTK_WIDGET (page),
                                                                    GTK_TYPE_LIST_VIEW));
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  guint n = g_list_model_get_n_items (anx_charger_page_get_chain (page));

  for (int attempt = 0; attempt < 40; attempt++)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();
      double upper = gtk_adjustment_get_upper (adjustment);
      double page_size = gtk_adjustment_get_page_size (adjustment);

      gtk_adjustment_set_value (adjustment, MAX (0.0, upper * position / n - page_size / 2 +
                                                          attempt % 5 * page_size / 5));
      anx_test_iterate (60);
      collect_rows (GTK_WIDGET (view), rows);
      for (guint i = 0; i < rows->len; i++)
        if (anx_chain_row_get_sequence (rows->pdata[i]) == sequence)
          return rows->pdata[i];
    }
  return NULL;
}

static void
test_charger_page (void)
{
  g_autofree char *truth_path = g_build_filename (test_dir, "truth.jsonl", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "5",
                          "--backfill-days", "4", "--anomalies", "over-billing=0.25,chain-removed=0.1",
                          /* No live simulation: the chain the page shows and the
                           * store it is compared with stay the same. */
                          "--speed", "0", "--heartbeat", "1",
                          "--ground-truth", truth_path, NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (test_dir, "127.0.0.1:0", extra);
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  GtkWindow *window;
  AnxChargerPage *page;
  AnxRatioChart *chart;
  AnxRecordDetail *detail;
  GListModel *chain;
  Sync sync = { 0 };
  const Overbilled *newest;
  guint position = G_MAXUINT, tolerance_bp = 0;

  sync.records = g_array_new (FALSE, FALSE, sizeof (Overbilled));
  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, feedd->token, NULL, &error));
  g_assert_no_error (error);
  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  settings = g_object_ref (anx_application_get_settings (app));
  g_settings_set_string (settings, "feed-url", feedd->base_url);

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ANX_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  anx_test_wait_for_draw (GTK_WIDGET (window));

  /* The ground truth is written as the back-fill runs, which may go on
   * after the feed listens: wait until the console has verified all the
   * truth logs, and until the truth stops growing. */
  sync.app = app;
  sync.indicator = ANX_CONNECTION_INDICATOR (template_child (GTK_WIDGET (window), "connection_indicator"));
  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
    guint before = 0;

    for (;;)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        if (!read_truth (truth_path, &sync))
          {
            anx_test_iterate (200);
            continue;
          }
        if (sync.records->len == before)
          break;
        before = sync.records->len;
        anx_test_run_until (synced, &sync, 120, "the console to sync and find the over-billing");
        anx_test_iterate (500);
      }
  }
  g_assert_cmpuint (sync.records->len, >, 0);

  /* Open the charger as every view does: through the window's action. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-charger", "s", sync.charger);
  page = ANX_CHARGER_PAGE (template_child (GTK_WIDGET (window), "charger_page"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (GTK_WIDGET (window), "main_stack"))),
                   ==, "charger");
  g_assert_true (gtk_widget_get_visible (template_child (GTK_WIDGET (window), "back_button")));
  g_assert_cmpstr (anx_charger_page_get_charger (page), ==, sync.charger);
  anx_test_run_until (page_loaded, page, 30, "the chart's data");

  /* The whole chain, newest first. */
  chain = anx_charger_page_get_chain (page);
  g_assert_cmpint (g_list_model_get_n_items (chain), ==,
                   query_int (anx_application_get_store (app),
                              "SELECT count(*) FROM records WHERE charger_code = ?", sync.charger));
  newest = &g_array_index (sync.records, Overbilled, sync.records->len - 1);
  for (guint i = 0; i < g_list_model_get_n_items (chain); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (chain, i);

      if (i > 0)
        {
          g_autoptr(AnxStoreItem) before = g_list_model_get_item (chain, i - 1);

          g_assert_cmpint (anx_store_item_get_int (before, "sequence"), >=,
                           anx_store_item_get_int (item, "sequence"));
        }
      if (anx_store_item_get_int (item, "sequence") == newest->sequence)
        {
          position = i;
          g_assert_nonnull (strstr (anx_store_item_get_string (item, "findings"), "energy-mismatch"));
        }
    }
  g_assert_cmpuint (position, !=, G_MAXUINT);

  /* The mismatch in numbers: the open alarm, with the figures. */
  description = anx_charger_page_describe (page);
  g_test_message ("page:\n%s", description);
  g_assert_nonnull (strstr (description, anx_alarm_kind_get_title (ANX_ALARM_ENERGY_MISMATCH)));
  g_assert_nonnull (strstr (description, "kWh"));
  g_assert_nonnull (strstr (description, "%"));

  /* The chart: dots outside the band, as many as the verifier found among
   * the sessions it shows (the newest ANX_CHARGER_PAGE_CHART_POINTS). */
  chart = anx_charger_page_get_chart (page);
  g_test_message ("chart: %u sessions, %u outside; %s", anx_ratio_chart_get_n_points (chart),
                  anx_ratio_chart_get_n_outside (chart), anx_charger_page_get_summary (page));
  g_assert_cmpuint (anx_ratio_chart_get_n_points (chart), >, 0);
  g_assert_cmpuint (anx_ratio_chart_get_n_outside (chart), >=,
                    MIN (sync.records->len, ANX_CHARGER_PAGE_CHART_POINTS) > 0 ? 1 : 0);
  g_assert_cmpint (anx_ratio_chart_get_n_outside (chart), ==,
                   query_int (anx_application_get_store (app),
                              "SELECT count(*) FROM (SELECT sequence FROM records r WHERE "
                              "charger_code = ?1 AND kind = 'charge' ORDER BY sequence DESC LIMIT "
                              G_STRINGIFY (ANX_CHARGER_PAGE_CHART_POINTS) ") s WHERE EXISTS "
                              "(SELECT 1 FROM findings f WHERE f.charger_code = ?1 AND "
                              "f.sequence = s.sequence AND f.code = 'energy-mismatch')",
                              sync.charger));
  g_assert_nonnull (strstr (anx_charger_page_get_summary (page), "±"));
  /* The chart says what it shows to those who cannot see it. */
  {
    g_autofree char *outside = g_strdup_printf ("%u", anx_ratio_chart_get_n_outside (chart));
    const char *tip = gtk_widget_get_tooltip_text (GTK_WIDGET (chart));

    g_assert_nonnull (tip);
    g_test_message ("chart description: %s", tip);
    g_assert_nonnull (strstr (tip, outside));
    g_assert_true (strstr (tip, "±1.0") != NULL || strstr (tip, "±2.0") != NULL);
  }

  /* The over-billed record's row shows billed against metered, in the
   * error style. */
  {
    AnxChainRow *row;

    anx_test_iterate (200);
    row = find_row (page, position, newest);
    g_assert_nonnull (row);
    g_test_message ("row: %s", anx_chain_row_get_energy_text (row));
    g_assert_true (anx_chain_row_shows_mismatch (row));
  }
  g_free (screenshot_after_paint (GTK_WIDGET (window), "charger-page-1280x800"));
  /* The same in the dark style: the chart takes its colours from it. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  anx_test_iterate (300);
  g_free (screenshot_after_paint (GTK_WIDGET (window), "charger-page-dark-1280x800"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  anx_test_iterate (100);

  /* The record detail: billed against metered with the class's tolerance. */
  detail = anx_charger_page_open_record (page, position);
  g_assert_nonnull (detail);
  gtk_window_set_default_size (GTK_WINDOW (detail), 1280, 800);
  gtk_window_present (GTK_WINDOW (detail));
  anx_test_wait_for_draw (GTK_WIDGET (detail));
  anx_test_iterate (300);
  g_test_message ("detail: %s / %s", anx_record_detail_get_verdict (detail),
                  anx_record_detail_get_comparison (detail));
  {
    const char *comparison = anx_record_detail_get_comparison (detail);
    g_autofree char *billed = g_strdup_printf ("%.2f", newest->billed_wh / 1000.0);
    double deviation = 100.0 * (newest->billed_wh - newest->metered_wh) / newest->metered_wh;
    g_autofree char *percent = g_strdup_printf ("%+.1f", deviation);

    tolerance_bp = (guint) query_int (anx_application_get_store (app),
                                      "SELECT CASE m.accuracy_class WHEN 2 THEN 200 ELSE 100 END "
                                      "FROM chargers c JOIN meters m ON m.id = c.meter_id WHERE c.code = ?",
                                      sync.charger);
    g_assert_nonnull (strstr (comparison, billed));
    g_assert_true (shows_kwh (comparison, newest->metered_wh));
    g_assert_nonnull (strstr (comparison, percent));
    {
      g_autofree char *band = g_strdup_printf ("±%.1f", tolerance_bp / 100.0);

      g_assert_nonnull (strstr (comparison, band));
    }
    g_assert_true (fabs (deviation) > tolerance_bp / 100.0);
    g_assert_true (gtk_widget_has_css_class (
        GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail), ANX_TYPE_RECORD_DETAIL,
                                                   "comparison_label")),
        "error"));
    g_assert_true (g_str_has_prefix (anx_record_detail_get_raw (detail), "OCMF|"));
  }
  g_free (screenshot_after_paint (GTK_WIDGET (detail), "record-detail-1280x800"));
  /* Further down: the decoded readings, the key and the raw signed data. */
  {
    GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (
        anx_test_find_widget_of_type (GTK_WIDGET (detail), GTK_TYPE_SCROLLED_WINDOW));
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    anx_test_iterate (200);
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
    g_free (screenshot_after_paint (GTK_WIDGET (detail), "record-detail-ocmf-1280x800"));
  }

  /* Verify Again: the same verdict, checked once more from the raw data. */
  {
    g_autofree char *verdict = g_strdup (anx_record_detail_get_verdict (detail));

    g_assert_cmpuint (anx_record_detail_get_n_checks (detail), ==, 1);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "detail.verify-again", NULL));
    g_assert_cmpuint (anx_record_detail_get_n_checks (detail), ==, 2);
    g_assert_cmpstr (anx_record_detail_get_verdict (detail), ==, verdict);
  }
  gtk_window_destroy (GTK_WINDOW (detail));

  /* A record the verifier is happy with verifies again as such. */
  for (guint i = 0; i < g_list_model_get_n_items (chain); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (chain, i);

      if (anx_store_item_get_int (item, "n_findings") == 0 &&
          g_strcmp0 (anx_store_item_get_string (item, "kind"), "charge") == 0)
        {
          AnxRecordDetail *clean = anx_charger_page_open_record (page, i);
          GtkWidget *verdict = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (clean), ANX_TYPE_RECORD_DETAIL,
                                                                          "verdict_label"));

          GtkWidget *checks = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (clean), ANX_TYPE_RECORD_DETAIL,
                                                                         "checks_list"));
          const char *hash_title = anx_alarm_kind_get_title (
              anx_alarm_kind_for_finding (ANX_FINDING_CHAIN_HASH_MISMATCH));

          g_assert_true (gtk_widget_has_css_class (verdict, "success"));
          g_assert_null (strstr (anx_record_detail_get_comparison (clean), "±0.0"));
          g_assert_false (list_has_row (checks, hash_title));

          /* Changed in the store file since: Verify Again reads it anew
           * and finds its content no longer matches its hash. */
          tamper_record (anx_charger_page_get_charger (page), anx_store_item_get_int (item, "sequence"));
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clean), "detail.verify-again", NULL));
          g_test_message ("tampered record No. %" G_GINT64_FORMAT ": %s",
                          anx_store_item_get_int (item, "sequence"), anx_record_detail_get_verdict (clean));
          g_assert_true (gtk_widget_has_css_class (verdict, "error"));
          g_assert_false (gtk_widget_has_css_class (verdict, "success"));
          g_assert_true (list_has_row (checks, hash_title));
          gtk_window_set_default_size (GTK_WINDOW (clean), 1280, 800);
          gtk_window_present (GTK_WINDOW (clean));
          anx_test_wait_for_draw (GTK_WIDGET (clean));
          g_free (screenshot_after_paint (GTK_WIDGET (clean), "record-detail-tampered-1280x800"));
          gtk_window_destroy (GTK_WINDOW (clean));
          break;
        }
    }

  /* A break in the chain shows where it is: a banner on the record after
   * a removed one, naming the finding. */
  {
    sqlite3 *db = anx_store_get_read_db (anx_application_get_store (app));
    sqlite3_stmt *stmt = NULL;
    g_autofree char *code = NULL;
    gint64 sequence = -1;
    guint at = G_MAXUINT;
    AnxChainRow *row;

    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT charger_code, sequence FROM findings WHERE code = "
                                         "'chain-sequence-gap' ORDER BY id DESC LIMIT 1",
                                         -1, &stmt, NULL),
                     ==, SQLITE_OK);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        sequence = sqlite3_column_int64 (stmt, 1);
      }
    sqlite3_finalize (stmt);
    g_assert_nonnull (code);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-charger", "s", code);
    g_assert_cmpstr (anx_charger_page_get_charger (page), ==, code);
    anx_test_run_until (page_loaded, page, 30, "the chart's data");
    chain = anx_charger_page_get_chain (page);
    for (guint i = 0; i < g_list_model_get_n_items (chain) && at == G_MAXUINT; i++)
      {
        g_autoptr(AnxStoreItem) item = g_list_model_get_item (chain, i);

        if (anx_store_item_get_int (item, "sequence") == sequence)
          {
            at = i;
            g_assert_true (anx_chain_row_is_break (anx_store_item_get_string (item, "findings")));
          }
      }
    g_assert_cmpuint (at, !=, G_MAXUINT);
    anx_test_iterate (200);
    row = find_row_of_sequence (page, at, sequence);
    g_assert_nonnull (row);
    g_assert_nonnull (anx_chain_row_get_banner (row));
    g_test_message ("break at %s No. %" G_GINT64_FORMAT ": %s", code, sequence,
                    anx_chain_row_get_banner (row));
    g_free (screenshot_after_paint (GTK_WIDGET (window), "charger-page-break-1280x800"));
  }

  /* Back to the views. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (GTK_WIDGET (window), "main_stack"))),
                   ==, "console");
  g_assert_false (gtk_widget_get_visible (template_child (GTK_WIDGET (window), "back_button")));
  /* Escape and Alt+Left go back only from the charger page: elsewhere the
   * action is off, so the keys reach whatever else wants them. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "go-back"));

  /* The open alarms on the page open the alarm: the alarms view, with it
   * selected, off the charger page. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-charger", "s", sync.charger);
  anx_test_run_until (page_loaded, page, 30, "the chart's data");
  {
    GtkListBox *alarms = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (page), ANX_TYPE_CHARGER_PAGE,
                                                                      "alarms_list"));
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (alarms, 0);
    AnxAlarmsPage *alarms_page = ANX_ALARMS_PAGE (template_child (GTK_WIDGET (window), "alarms_page"));
    GtkSelectionModel *selection;
    g_autoptr(GtkBitset) selected = NULL;
    g_autoptr(AnxStoreItem) item = NULL;
    g_autofree char *key = NULL;
    GVariant *target;
    gint64 id;

    g_assert_nonnull (row);
    g_assert_true (gtk_list_box_row_get_activatable (row));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (row)), ==, "win.show-alarm");
    target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (row));
    g_assert_true (g_variant_is_of_type (target, G_VARIANT_TYPE_INT64));
    id = g_variant_get_int64 (target);
    key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
    /* The charger's open alarm, as the store has it. */
    g_assert_cmpint (query_int (anx_application_get_store (app),
                                "SELECT count(*) FROM alarms WHERE id = ?1 AND charger_code = "
                                "(SELECT charger_code FROM alarms WHERE id = ?1) AND state = 'open'",
                                key),
                     ==, 1);
    g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
    anx_test_iterate (200);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (GTK_WIDGET (window), "main_stack"))),
                     ==, "console");
    g_assert_false (gtk_widget_get_visible (template_child (GTK_WIDGET (window), "back_button")));
    g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (template_child (GTK_WIDGET (window), "view_stack")))
                   == GTK_WIDGET (alarms_page));
    selection = anx_alarms_page_get_selection (alarms_page);
    selected = gtk_selection_model_get_selection (selection);
    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
    item = g_list_model_get_item (G_LIST_MODEL (selection), gtk_bitset_get_nth (selected, 0));
    g_assert_cmpint (anx_store_item_get_int (item, "id"), ==, id);
    g_assert_cmpstr (anx_store_item_get_string (item, "charger_code"), ==, sync.charger);
    g_free (screenshot_after_paint (GTK_WIDGET (window), "charger-alarm-opened-1280x800"));
  }

  g_array_unref (sync.records);
  g_free (sync.charger);
  gtk_window_destroy (window);
  anx_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before anything touches libsecret. */
  test_dir = anx_test_console_dir_new ("anxin-charger-page-XXXXXX");

  anx_test_display_init (&argc, &argv);
  g_test_add_func ("/console/charger-page", test_charger_page);
  status = g_test_run ();

  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}

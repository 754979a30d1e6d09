/* test-console-views.c: the console's views against the real anxin-feedd
 *
 * Starts anxin-feedd on loopback with the simulated Hangzhou network and
 * injected anomalies, points an AnxApplication at it (its store in a
 * temporary directory, the token in libsecret's file backend), waits for the
 * sync and checks what the views show against the server and the store.
 * Runs under xvfb-run and dbus-run-session, in English and zh_CN.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "anx-alarm-rules.h"
#include "anx-alarms-page.h"
#include "anx-application.h"
#include "anx-connection-indicator.h"
#include "anx-inspections-page.h"
#include "anx-map-page.h"
#include "anx-sessions-page.h"
#include "anx-store-item.h"
#include "anx-test-display.h"
#include "anx-test-feedd.h"
#include "anx-token-store.h"
#include "anx-window.h"

static char *test_dir;

typedef gboolean (*Condition) (gpointer data);

static void
run_until (Condition    condition,
           gpointer     data,
           guint        seconds,
           const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
template_child (GtkWidget  *window,
                const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (window, ANX_TYPE_WINDOW, name));
}

/* The server's stations, paged as the protocol says. */
static guint
count_server_stations (AnxTestFeedd *feedd)
{
  g_autofree char *after = NULL;
  guint n = 0;

  for (;;)
    {
      g_autofree char *path = after != NULL
                                ? g_strdup_printf ("/v1/registry/stations?limit=1000&after=%s", after)
                                : g_strdup ("/v1/registry/stations?limit=1000");
      g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
      JsonObject *page = json_node_get_object (root);

      n += json_array_get_length (json_object_get_array_member (page, "items"));
      g_clear_pointer (&after, g_free);
      if (json_object_get_null_member (page, "next"))
        break;
      after = g_strdup (json_object_get_string_member (page, "next"));
    }
  return n;
}

typedef struct
{
  AnxApplication         *app;
  AnxConnectionIndicator *indicator;
  guint                   n_stations;
  AnxMapPage             *map_page;
} Sync;

static gboolean
synced (gpointer data)
{
  Sync *sync = data;
  AnxStore *store = anx_application_get_store (sync->app);

  return anx_connection_indicator_get_state (sync->indicator) == ANX_FEED_CLIENT_LIVE &&
         anx_store_get_backlog (store) == 0 &&
         anx_store_count (store, "stations") == (gint64) sync->n_stations &&
         anx_map_points_get_n_points (anx_map_page_get_points (sync->map_page)) == sync->n_stations;
}

static gboolean
sessions_match (gpointer data)
{
  Sync *sync = data;
  AnxWindow *window = ANX_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (sync->app)));
  AnxSessionsPage *page = ANX_SESSIONS_PAGE (template_child (GTK_WIDGET (window), "sessions_page"));

  gint64 n = anx_store_count (anx_application_get_store (sync->app), "sessions");

  return n > 0 && g_list_model_get_n_items (anx_sessions_page_get_rows (page)) == (guint) n;
}

static gboolean
indicator_left_live (gpointer data)
{
  AnxConnectionIndicator *indicator = data;
  AnxFeedClientState state = anx_connection_indicator_get_state (indicator);

  return state == ANX_FEED_CLIENT_RECONNECTING || state == ANX_FEED_CLIENT_STALE;
}

typedef struct
{
  AnxApplication *app;
  gint64          alarm_id;
  gboolean        expect_delivery;
} Ack;

static gboolean
acknowledged_and_delivered (gpointer data)
{
  Ack *ack = data;
  sqlite3 *db = anx_store_get_read_db (anx_application_get_store (ack->app));
  sqlite3_stmt *stmt = NULL;
  gboolean acknowledged = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT state FROM alarms WHERE id = ?", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, ack->alarm_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    acknowledged = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0),
                              ANX_ALARM_STATE_ACKNOWLEDGED) == 0;
  sqlite3_finalize (stmt);

  if (!ack->expect_delivery)
    return acknowledged;
  return acknowledged &&
         anx_outbox_count (anx_application_get_outbox (ack->app), ANX_OUTBOX_DELIVERED) >= 1 &&
         anx_outbox_count (anx_application_get_outbox (ack->app), ANX_OUTBOX_PENDING) == 0;
}

static gboolean
has_alarm (GListModel *rows,
           const char *charger,
           const char *kind)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      if (g_strcmp0 (anx_store_item_get_string (item, "charger_code"), charger) == 0 &&
          g_strcmp0 (anx_store_item_get_string (item, "kind"), kind) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* The live feed keeps the views changing; right after a frame is painted
 * the layout is complete, which is when a screenshot shows what was drawn. */
static char *
screenshot_after_paint (GtkWindow  *window,
                        const char *name)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);

  return anx_test_screenshot (GTK_WIDGET (window), name);
}

static void
screenshots (GtkWindow  *window,
             int         width,
             int         height)
{
  static const char *const views[] = { "map", "sessions", "alarms", "inspections" };
  AdwViewStack *stack = anx_window_get_view_stack (ANX_WINDOW (window));

  gtk_window_set_default_size (window, width, height);
  anx_test_iterate (300);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("console-%s-%dx%d", views[i], width, height);
      g_autofree char *path = NULL;

      /* Through the window's action, as Ctrl+1…4 do. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i]);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, views[i]);
      anx_test_iterate (400);
      path = screenshot_after_paint (window, name);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

static void
test_views (void)
{
  g_autofree char *truth_path = g_build_filename (test_dir, "truth.jsonl", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "21",
                          "--backfill-days", "1", "--anomalies", "default",
                          /* Live, so that sessions run while the views are open. */
                          "--speed", "60", "--heartbeat", "1",
                          "--ground-truth", truth_path, NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (test_dir, "127.0.0.1:0", extra);
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *truth = NULL;
  g_auto(GStrv) lines = NULL;
  GtkWindow *window;
  AnxConnectionIndicator *indicator;
  AnxMapPage *map_page;
  AnxAlarmsPage *alarms_page;
  GListModel *alarm_rows;
  Sync sync = { 0 };
  guint n_checked = 0;

  /* The token goes where the console looks for it: the keyring. */
  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, feedd->token, NULL, &error));
  g_assert_no_error (error);

  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  settings = g_object_ref (anx_application_get_settings (app));
  g_settings_set_string (settings, "feed-url", feedd->base_url);
  g_assert_cmpstr (anx_application_get_feed_uri (app), ==, feedd->base_url);

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ANX_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  anx_test_wait_for_draw (GTK_WIDGET (window));

  indicator = ANX_CONNECTION_INDICATOR (template_child (GTK_WIDGET (window), "connection_indicator"));
  map_page = ANX_MAP_PAGE (template_child (GTK_WIDGET (window), "map_page"));
  alarms_page = ANX_ALARMS_PAGE (template_child (GTK_WIDGET (window), "alarms_page"));

  sync = (Sync){ app, indicator, count_server_stations (feedd), map_page };
  g_assert_cmpuint (sync.n_stations, >, 0);
  run_until (synced, &sync, 90, "the console to sync and plot every station");
  g_test_message ("%u stations, %" G_GINT64_FORMAT " chargers, %" G_GINT64_FORMAT
                  " sessions, %" G_GINT64_FORMAT " alarms",
                  sync.n_stations, anx_store_count (anx_application_get_store (app), "chargers"),
                  anx_store_count (anx_application_get_store (app), "sessions"),
                  anx_store_count (anx_application_get_store (app), "alarms"));

  /* The console page, with the indicator telling the truth. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (anx_window_get_view_stack (ANX_WINDOW (window)))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  g_assert_cmpint (anx_connection_indicator_get_state (indicator), ==, ANX_FEED_CLIENT_LIVE);
  if (!anx_test_language_is_chinese ())
    g_assert_cmpstr (anx_connection_indicator_get_text (indicator), ==, "Live");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (indicator)), feedd->base_url));

  /* Ctrl+1…4 switch the views. */
  {
    static const char *const views[] = { "map", "sessions", "alarms", "inspections" };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        g_autofree char *action = g_strdup_printf ("win.show-view('%s')", views[i]);
        g_autofree char *expected_accel = g_strdup_printf ("<Control>%u", i + 1);
        g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

        g_assert_nonnull (accels);
        g_assert_cmpstr (accels[0], ==, expected_accel);
      }
  }

  /* Map: one point per server station. */
  g_assert_cmpuint (anx_map_points_get_n_points (anx_map_page_get_points (map_page)), ==,
                    sync.n_stations);

  /* Sessions: the store's live sessions, row for row. */
  run_until (sessions_match, &sync, 30, "live sessions, and the sessions view to match the store");
  g_assert_cmpint (anx_store_count (anx_application_get_store (app), "sessions"), >, 0);

  /* Alarms: every injected anomaly has its alarm in the view. The console
   * verifies chains after it receives them, so the last alarms may come a
   * moment after the feed is live: wait for them, then name what is missing. */
  alarm_rows = anx_alarms_page_get_rows (alarms_page);
  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, &error));
  lines = g_strsplit (truth, "\n", -1);
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    g_autofree char *missing = NULL;

    do
      {
        g_clear_pointer (&missing, g_free);
        n_checked = 0;
        for (guint i = 0; lines[i] != NULL && missing == NULL; i++)
          {
            g_autoptr(JsonParser) parser = json_parser_new ();
            JsonObject *line;
            JsonArray *findings;

            if (*lines[i] == '\0')
              continue;
            g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
            line = json_node_get_object (json_parser_get_root (parser));
            findings = json_object_get_array_member (line, "findings");
            for (guint j = 0; findings != NULL && j < json_array_get_length (findings); j++)
              {
                const char *code = json_object_get_string_member (line, "charger_code");
                const char *finding = json_object_get_string_member (
                    json_array_get_object_element (findings, j), "code");
                const char *kind = anx_alarm_kind_for_finding (finding);

                g_assert_nonnull (kind);
                if (!has_alarm (alarm_rows, code, kind))
                  {
                    missing = g_strdup_printf ("Anomaly %s on %s: no %s alarm in the view",
                                               json_object_get_string_member (line, "anomaly"),
                                               code, kind);
                    break;
                  }
                n_checked++;
              }
          }
        if (missing != NULL)
          anx_test_iterate (100);
      }
    while (missing != NULL && g_get_monotonic_time () < deadline);
    if (missing != NULL)
      g_error ("%s", missing);
  }
  g_test_message ("%u injected findings found in the alarms view", n_checked);
  g_assert_cmpuint (n_checked, >, 0);

  /* Acknowledge an open alarm as the button does: the selection, the action,
   * the store and, when the server raised the same alarm, the outbox and the
   * server. One both sides raised is preferred; whether the server has raised
   * its own yet depends on the live simulation's timing. */
  {
    GtkSelectionModel *selection = anx_alarms_page_get_selection (alarms_page);
    Ack ack = { app, 0, FALSE };
    guint position = G_MAXUINT;

    for (guint i = 0; i < g_list_model_get_n_items (alarm_rows); i++)
      {
        g_autoptr(AnxStoreItem) item = g_list_model_get_item (alarm_rows, i);
        gboolean twin = anx_store_item_get_int (item, "disagrees") == 0;

        if (g_strcmp0 (anx_store_item_get_string (item, "source"), "console") != 0 ||
            g_strcmp0 (anx_store_item_get_string (item, "state"), ANX_ALARM_STATE_OPEN) != 0)
          continue;
        if (position == G_MAXUINT || (twin && !ack.expect_delivery))
          {
            position = i;
            ack.alarm_id = anx_store_item_get_int (item, "id");
            ack.expect_delivery = twin;
          }
      }
    g_assert_cmpuint (position, !=, G_MAXUINT);
    g_test_message ("acknowledging alarm %" G_GINT64_FORMAT "%s", ack.alarm_id,
                    ack.expect_delivery ? ", which the server raised too" : "");
    gtk_selection_model_select_item (selection, position, TRUE);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (alarms_page), "alarms.acknowledge", NULL));
    run_until (acknowledged_and_delivered, &ack, 30, "the acknowledgement");
    gtk_selection_model_unselect_all (selection);
  }

  /* A station's chargers in the side panel. */
  anx_map_page_show_station (map_page, anx_map_points_get_id (anx_map_page_get_points (map_page), 0));
  g_assert_cmpuint (g_list_model_get_n_items (anx_map_page_get_station_chargers (map_page)), >, 0);

  screenshots (window, 1280, 800);
  screenshots (window, 1920, 1080);
  gtk_widget_activate_action (GTK_WIDGET (map_page), "map.close-station", NULL);

  /* The server goes away: the indicator must say so. */
  anx_test_feedd_kill (feedd);
  run_until (indicator_left_live, indicator, 40, "the indicator to leave \"live\"");
  g_assert_cmpint (anx_connection_indicator_get_state (indicator), !=, ANX_FEED_CLIENT_LIVE);
  anx_test_iterate (300);
  anx_test_wait_for_draw (GTK_WIDGET (window));
  g_free (screenshot_after_paint (window, "console-disconnected"));

  gtk_window_destroy (window);
  anx_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *keyring = NULL;
  g_autofree char *store = NULL;
  int status;

  test_dir = g_dir_make_tmp ("anxin-console-views-XXXXXX", NULL);
  g_assert_nonnull (test_dir);
  keyring = g_build_filename (test_dir, "keyring", NULL);
  store = g_build_filename (test_dir, "console", "console.sqlite", NULL);
  /* Before anything touches libsecret: its file backend, no daemon. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "anxin-test", TRUE);
  g_setenv ("ANXIN_CONSOLE_STORE", store, TRUE);

  anx_test_display_init (&argc, &argv);
  g_test_add_func ("/console/views", test_views);
  status = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", test_dir);

    if (system (command) != 0)
      g_message ("Could not remove %s", test_dir);
  }
  g_free (test_dir);
  return status;
}

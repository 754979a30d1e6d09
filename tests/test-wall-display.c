/* test-wall-display.c: the wall display against the real anxin-feedd
 *
 * Starts anxin-feedd on a fixed loopback port with the simulated Hangzhou
 * network, gives the console a viewer token (the role of a wall display),
 * opens the wall display through app.wall-display and checks, on the
 * widgets: the key figures against the store, the map and the ticker; the
 * type size for the screen (run at 1920×1080 and 3840×2160); that nothing
 * reachable from the window writes; the stale state when the server is
 * stopped, with the last figures kept and their age, and the recovery when
 * it comes back on the same port; the deliberate keys that leave full
 * screen; rotation and the text scale setting, applied live.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "anx-application.h"
#include "anx-preferences-window.h"
#include "anx-test-display.h"
#include "anx-test-feedd.h"
#include "anx-test-session-manager.h"
#include "anx-test-util.h"
#include "anx-token-store.h"
#include "anx-wall-window.h"

static char *test_dir;

static gint64
query_int (AnxStore   *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* A tile's figure as a number ("12,258" → 12258), -1 without one. */
static gint64
tile_number (AnxWallWindow *wall,
             const char    *name)
{
  const char *text = anx_wall_tile_get_value (anx_wall_window_get_tile (wall, name));
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  return digits->len > 0 ? g_ascii_strtoll (digits->str, NULL, 10) : -1;
}

/* A viewer token in the server's tokens file (it re-reads it within a second). */
static char *
add_viewer_token (void)
{
  g_autofree char *path = g_build_filename (test_dir, "tokens", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *line = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  char *token = g_strdup_printf ("anx_wall_test_%08x%08x", g_random_int (), g_random_int ());

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  line = g_strdup_printf ("%sviewer:wall-test:%s\n", contents, hash);
  g_assert_true (g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                           &error));
  g_assert_no_error (error);
  return token;
}

/* Token rotation: the wall's token is removed from the tokens file and a
 * new one added; the server closes the streams of the old one (4401). */
static char *
rotate_viewer_token (void)
{
  g_autofree char *path = g_build_filename (test_dir, "tokens", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  char *token = g_strdup_printf ("anx_wall_rotated_%08x%08x", g_random_int (), g_random_int ());

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "viewer:wall-test"))
      g_string_append_printf (kept, "%s\n", lines[i]);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_string_append_printf (kept, "viewer:wall-test-2:%s\n", hash);
  g_assert_true (g_file_set_contents_full (path, kept->str, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                           0600, &error));
  g_assert_no_error (error);
  return token;
}

static guint
status_with_token (AnxTestFeedd *feedd,
                   const char   *token,
                   const char   *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (feedd->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(GBytes) body = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  return soup_message_get_status (msg);
}

typedef struct
{
  AnxApplication *app;
  AnxWallWindow  *wall;
  gint64          n_stations;
} Fixture;

static gboolean
wall_live (gpointer data)
{
  Fixture *f = data;
  AnxStore *store = anx_application_get_store (f->app);
  AnxFeedClient *client = anx_application_get_feed_client (f->app);

  return client != NULL && anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE &&
         !anx_wall_window_get_stale (f->wall) && anx_store_get_backlog (store) == 0 &&
         anx_store_count (store, "stations") == f->n_stations &&
         anx_map_points_get_n_points (anx_charger_layer_get_points (
             anx_wall_window_get_charger_layer (f->wall))) == (guint) f->n_stations &&
         tile_number (f->wall, "online") >= 0 &&
         anx_alarm_ticker_get_n_rows (anx_wall_window_get_ticker (f->wall)) > 0;
}

/* The registry tile and the alarm tiles agree with the store (the feed is
 * live, so give the models their reload interval). */
static gboolean
figures_match (gpointer data)
{
  Fixture *f = data;
  AnxStore *store = anx_application_get_store (f->app);
  gint64 chargers = anx_store_count (store, "chargers");
  g_autofree char *registry = g_strdup_printf ("%'" G_GINT64_FORMAT, chargers);
  /* Console alarms open, and server alarms the console did not raise. */
  gint64 critical = query_int (store,
      "SELECT (SELECT count(*) FROM alarms WHERE severity = 'critical' AND state IN "
      "('open', 'acknowledged', 'inspection-scheduled')) + (SELECT count(*) FROM server_alarms s "
      "WHERE s.severity = 'critical' AND s.state != 'cleared' AND NOT EXISTS (SELECT 1 FROM "
      "alarms a WHERE a.charger_code = s.charger_code AND a.kind = s.kind))");
  gint64 offline = query_int (store, "SELECT count(*) FROM chargers WHERE status = 'offline'");

  return strstr (anx_wall_tile_get_detail (anx_wall_window_get_tile (f->wall, "online")),
                 registry) != NULL &&
         tile_number (f->wall, "critical") == critical &&
         tile_number (f->wall, "offline") == offline;
}

static gboolean
newest_alarm_first (gpointer data)
{
  Fixture *f = data;
  AnxAlarmTicker *ticker = anx_wall_window_get_ticker (f->wall);
  AnxStore *store = anx_application_get_store (f->app);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *code = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store),
      "SELECT charger_code FROM (SELECT 'c' || id AS key, charger_code, raised_at_us FROM alarms "
      "WHERE state IN ('open', 'acknowledged', 'inspection-scheduled') UNION ALL SELECT 's' || "
      "id, charger_code, raised_at_us FROM server_alarms s WHERE state != 'cleared' AND NOT "
      "EXISTS (SELECT 1 FROM alarms a WHERE a.charger_code = s.charger_code AND a.kind = s.kind)) "
      "ORDER BY raised_at_us DESC, key LIMIT 1", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return code != NULL && anx_alarm_ticker_get_n_rows (ticker) > 0 &&
         strstr (anx_alarm_ticker_get_row_text (ticker, 0), code) != NULL;
}

static gboolean
wall_stale (gpointer data)
{
  return anx_wall_window_get_stale (ANX_WALL_WINDOW (data));
}

static gboolean
wall_fresh (gpointer data)
{
  Fixture *f = data;
  AnxFeedClient *client = anx_application_get_feed_client (f->app);

  return client != NULL && anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE &&
         !anx_wall_window_get_stale (f->wall);
}

static gboolean
is_fullscreen (gpointer data)
{
  return gtk_window_is_fullscreen (GTK_WINDOW (data)) &&
         gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static gboolean
is_not_fullscreen (gpointer data)
{
  return !gtk_window_is_fullscreen (GTK_WINDOW (data));
}

static gboolean
view_changed (gpointer data)
{
  return g_strcmp0 (anx_wall_window_get_view (ANX_WALL_WINDOW (data)), "overview") != 0;
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
screenshot (AnxWallWindow *wall,
            const char    *what)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (wall));
  g_autofree char *name = g_strdup_printf ("wall-%s-%dx%d", what, gtk_widget_get_width (GTK_WIDGET (wall)),
                                           gtk_widget_get_height (GTK_WIDGET (wall)));
  g_autofree char *path = NULL;
  gboolean painted = FALSE;
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (wall));
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  path = anx_test_screenshot (GTK_WIDGET (wall), name);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* Everything fits the screen: nothing is pushed below its bottom edge. */
  {
    GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (wall));
    GdkMonitor *monitor =
        gdk_display_get_monitor_at_surface (display, gtk_native_get_surface (GTK_NATIVE (wall)));
    GdkRectangle geometry;
    int minimum = 0;

    gdk_monitor_get_geometry (monitor, &geometry);
    gtk_widget_measure (GTK_WIDGET (wall), GTK_ORIENTATION_VERTICAL, geometry.width, &minimum, NULL,
                        NULL, NULL);
    g_test_message ("%s: needs %d px of a %d px screen", what, minimum, geometry.height);
    g_assert_cmpint (minimum, <=, geometry.height);
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (wall)), <=, geometry.height);
  }
}

/* Actions that only look, leave or copy text: the wall display's own, the
 * window's, and GTK's built-in ones of labels and text. */
static gboolean
action_is_read_only (const char *name)
{
  static const char *const allowed[] = {
    "wall.toggle-fullscreen", "wall.leave-fullscreen", "wall.show-view", "wall.next-view",
    "window.close", "window.minimize", "window.toggle-maximized", "default.activate",
    "win.show-help-overlay", "app.quit",
  };
  static const char *const gtk_prefixes[] = { "clipboard.", "selection.", "link.", "menu.",
                                              "misc.", "text.", "color." };

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    if (g_strcmp0 (name, allowed[i]) == 0)
      return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (gtk_prefixes); i++)
    if (g_str_has_prefix (name, gtk_prefixes[i]))
      return TRUE;
  return FALSE;
}

static void
collect_actions (GtkWidget  *widget,
                 GHashTable *names)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (widget);
  const GVariantType *type;
  const char *property;
  const char *name;
  GType owner;

  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &type, &property); i++)
    g_hash_table_add (names, g_strdup (name));
  if (GTK_IS_ACTIONABLE (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    g_hash_table_add (names, g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget))));
  /* Buttons are how a pointer reaches an action: a wall display has none. */
  g_assert_false (GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) &&
                  !GTK_IS_WINDOW (gtk_widget_get_parent (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_actions (child, names);
}

static void
check_read_only (AnxWallWindow *wall)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) win_actions = g_action_group_list_actions (G_ACTION_GROUP (wall));
  GHashTableIter iter;
  gpointer name;

  collect_actions (GTK_WIDGET (wall), names);
  for (guint i = 0; win_actions[i] != NULL; i++)
    g_hash_table_add (names, g_strconcat ("win.", win_actions[i], NULL));

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      g_test_message ("reachable action: %s", (const char *) name);
      if (!action_is_read_only (name))
        g_error ("The wall display reaches the action %s, which may write", (const char *) name);
    }

  /* The application's and other windows' writing actions do not resolve
   * from here: "app" is shadowed, the rest do not exist in this window. */
  /* Ctrl+, and the like: the application's actions are disabled here. */
  gtk_widget_activate_action (GTK_WIDGET (wall), "app.preferences", NULL);
  gtk_widget_activate_action (GTK_WIDGET (wall), "app.about", NULL);
  anx_test_iterate (200);
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_PREFERENCES_WINDOW (l->data) || ADW_IS_ABOUT_WINDOW (l->data))
        g_error ("An application action opened %s from the wall display", G_OBJECT_TYPE_NAME (l->data));
  }
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (wall), "alarms.acknowledge", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (wall), "win.mark-inspection", "s", "X"));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (wall), "win.mark-inspection-for-alarm",
                                              "x", (gint64) 1));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (wall), "win.show-charger", "s", "X"));
}

static void
check_all_tiles (AnxWallWindow *wall,
                 gboolean       stale)
{
  static const char *const tiles[] = { "online", "charging", "faulted", "offline", "sessions",
                                       "energy", "critical", "warning", "notice", "chain-failures" };

  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      AnxWallTile *tile = anx_wall_window_get_tile (wall, tiles[i]);

      g_assert_nonnull (tile);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (tile)));
      /* Every tile has a figure and the age of its data. */
      g_assert_cmpstr (anx_wall_tile_get_value (tile), !=, "–");
      g_assert_cmpstr (anx_wall_tile_get_age (tile), !=, "");
      g_assert_cmpint (anx_wall_tile_get_stale (tile), ==, stale);
    }
}

static void
test_wall (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", anx_test_free_port ());
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "21",
                          "--backfill-days", "1", "--anomalies", "default",
                          "--speed", "60", "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (test_dir, listen, extra);
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *viewer = add_viewer_token ();
  char *values_before[10] = { NULL };
  static const char *const kept[] = { "online", "charging", "faulted", "offline", "sessions",
                                      "energy", "critical", "warning", "notice", "chain-failures" };
  GdkMonitor *monitor;
  GdkRectangle geometry;
  GSettings *settings;
  AnxWallWindow *wall = NULL;
  Fixture f = { 0 };
  gint64 deadline;
  double font_px;
  /* Before the application starts, which is when GTK looks for it (the
   * test's bus is its own: dbus-run-session). */
  AnxTestSessionManager *session_manager = anx_test_session_manager_start ();

  g_assert_nonnull (session_manager);

  /* The viewer token reads the feed and nothing of its administration. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (status_with_token (feedd, viewer, "/v1/registry/stations?limit=1") != 200)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200 * 1000);
    }
  g_assert_cmpuint (status_with_token (feedd, viewer, "/v1/admin/tokens"), ==, 403);
  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, viewer, NULL, &error));
  g_assert_no_error (error);

  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  settings = anx_application_get_settings (app);
  g_settings_set_string (settings, "feed-url", feedd->base_url);

  /* As the menu item does. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "wall-display", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (ANX_IS_WALL_WINDOW (l->data))
      wall = l->data;
  g_assert_nonnull (wall);
  anx_test_wait_for_draw (GTK_WIDGET (wall));
  anx_test_run_until (is_fullscreen, wall, 10, "the wall display to go full screen");

  monitor = g_list_model_get_item (gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (wall))), 0);
  gdk_monitor_get_geometry (monitor, &geometry);
  g_object_unref (monitor);
  g_test_message ("screen %d×%d", geometry.width, geometry.height);
  g_assert_cmpint (anx_wall_window_get_monitor (wall), ==, 0);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (wall))) != geometry.width ||
         gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (wall))) != geometry.height)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The wall display is %d×%d (surface %d×%d) on a %d×%d screen",
                 gtk_widget_get_width (GTK_WIDGET (wall)), gtk_widget_get_height (GTK_WIDGET (wall)),
                 gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (wall))),
                 gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (wall))),
                 geometry.width, geometry.height);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  anx_test_iterate (300);
  g_test_message ("window %d×%d, surface %d×%d", gtk_widget_get_width (GTK_WIDGET (wall)),
                  gtk_widget_get_height (GTK_WIDGET (wall)),
                  gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (wall))),
                  gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (wall))));

  /* Type follows the screen: 20 px at 1080 lines, 40 px at 2160. */
  font_px = 20.0 * geometry.height / 1080.0;
  g_assert_cmpfloat_with_epsilon (anx_wall_window_get_font_size (wall), font_px, 0.01);

  f = (Fixture){ app, wall, 0 };
  {
    g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, "/v1/registry/stations?limit=1000");

    f.n_stations = json_array_get_length (json_object_get_array_member (json_node_get_object (root),
                                                                        "items"));
  }
  g_assert_cmpint (f.n_stations, >, 0);
  anx_test_run_until (wall_live, &f, 120, "the wall display to show the live feed");
  anx_test_run_until (figures_match, &f, 30, "the key figures to match the store");
  anx_test_run_until (newest_alarm_first, &f, 30, "the ticker to show the newest alarm first");
  check_all_tiles (wall, FALSE);
  g_assert_nonnull (strstr (anx_wall_window_get_map_age (wall), anx_test_language_is_chinese () ? "" : "s old"));
  g_assert_cmpint (tile_number (wall, "online") + tile_number (wall, "offline"), <=,
                   anx_store_count (anx_application_get_store (app), "chargers"));
  /* No screen blanking: the session's idle inhibitor is held while the
   * display is shown. */
  g_test_message ("idle inhibit cookie: %u", anx_wall_window_get_inhibit_cookie (wall));
  g_assert_cmpuint (anx_wall_window_get_inhibit_cookie (wall), !=, 0);
  g_assert_cmpuint (anx_test_session_manager_n_idle_held (session_manager), ==, 1);

  check_read_only (wall);

  /* A monitor unplugged and plugged in again. Xvfb cannot unplug one, so
   * the display is given a list of monitors of the test's own, and the one
   * monitor goes out of it and comes back: the display stays full screen,
   * live and whole, and returns to its monitor. */
  {
    g_autoptr(GListStore) monitors = g_list_store_new (GDK_TYPE_MONITOR);
    g_autoptr(GdkMonitor) only =
        g_list_model_get_item (gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (wall))), 0);

    g_list_store_append (monitors, only);
    anx_wall_window_set_monitors (wall, G_LIST_MODEL (monitors));
    g_list_store_remove (monitors, 0);
    anx_test_iterate (300);
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (wall)));
    g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (wall)));
    g_assert_false (anx_wall_window_get_stale (wall));
    check_all_tiles (wall, FALSE);
    g_list_store_append (monitors, only);
    anx_test_iterate (300);
    g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (wall)));
    g_assert_true (gdk_display_get_monitor_at_surface (gtk_widget_get_display (GTK_WIDGET (wall)),
                                                       gtk_native_get_surface (GTK_NATIVE (wall))) == only);
    check_all_tiles (wall, FALSE);
    anx_wall_window_set_monitors (wall, gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (wall))));
  }

  screenshot (wall, "overview");
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.show-view", "s", "map");
  g_assert_cmpstr (anx_wall_window_get_view (wall), ==, "map");
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (anx_wall_window_get_tile (wall, "online"))));
  anx_test_iterate (300);
  screenshot (wall, "map");
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.show-view", "s", "critical");
  anx_test_iterate (300);
  screenshot (wall, "critical");
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.show-view", "s", "overview");

  /* Rotation, switched on in the settings: applied without reopening. */
  g_settings_set_uint (settings, "wall-rotate-interval", 5);
  g_settings_set_boolean (settings, "wall-rotate", TRUE);
  anx_test_run_until (view_changed, wall, 12, "the rotation to change the view");
  g_settings_set_boolean (settings, "wall-rotate", FALSE);
  g_assert_cmpstr (anx_wall_window_get_view (wall), ==, "overview");

  /* Text scale, applied live. */
  g_settings_set_double (settings, "wall-text-scale", 1.5);
  g_assert_cmpfloat_with_epsilon (anx_wall_window_get_font_size (wall), font_px * 1.5, 0.5);
  g_settings_set_double (settings, "wall-text-scale", 1.0);
  g_assert_cmpfloat_with_epsilon (anx_wall_window_get_font_size (wall), font_px, 0.01);

  /* The Wall Display page of Preferences: its controls are the settings,
   * and the wall display follows them while it is shown. */
  {
    AnxPreferencesWindow *preferences = anx_preferences_window_new (app);
    GtkSwitch *rotate = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                                   ANX_TYPE_PREFERENCES_WINDOW,
                                                                   "wall_rotate_switch"));
    GtkSpinButton *scale = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                                           ANX_TYPE_PREFERENCES_WINDOW,
                                                                           "wall_text_scale_spin"));

    gtk_window_present (GTK_WINDOW (preferences));
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "wall");
    g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)),
                     ==, "wall");
    anx_test_wait_for_draw (GTK_WIDGET (preferences));
    g_assert_false (gtk_switch_get_active (rotate));
    gtk_spin_button_set_value (scale, 1.25);
    g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "wall-text-scale"), 1.25, 1e-9);
    g_assert_cmpfloat_with_epsilon (anx_wall_window_get_font_size (wall), font_px * 1.25, 0.5);
    gtk_switch_set_active (rotate, TRUE);
    g_assert_true (g_settings_get_boolean (settings, "wall-rotate"));
    anx_test_iterate (300);
    {
      g_autofree char *path = anx_test_screenshot (GTK_WIDGET (preferences), "preferences-wall");
    }
    gtk_switch_set_active (rotate, FALSE);
    gtk_spin_button_set_value (scale, 1.0);
    g_assert_cmpfloat_with_epsilon (anx_wall_window_get_font_size (wall), font_px, 0.01);
    gtk_window_destroy (GTK_WINDOW (preferences));
    gtk_widget_activate_action (GTK_WIDGET (wall), "wall.show-view", "s", "overview");
  }

  /* The server goes away: the last figures stay, marked stale, with their
   * age and the reason. */
  anx_test_feedd_kill (feedd);
  anx_test_run_until (wall_stale, wall, 40, "the wall display to mark its data stale");
  anx_test_iterate (2500);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    values_before[i] = g_strdup (anx_wall_tile_get_value (anx_wall_window_get_tile (wall, kept[i])));
  check_all_tiles (wall, TRUE);
  g_test_message ("stale banner: %s", anx_wall_window_get_stale_text (wall));
  if (!anx_test_language_is_chinese ())
    {
      g_assert_true (g_str_has_prefix (anx_wall_window_get_stale_text (wall), "STALE — data "));
      g_assert_nonnull (strstr (anx_wall_window_get_stale_text (wall), " old. "));
      g_assert_nonnull (strstr (anx_wall_tile_get_age (anx_wall_window_get_tile (wall, "online")),
                                "old"));
    }
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (anx_wall_window_get_tile (wall, "online")),
                                           "wall-stale"));
  screenshot (wall, "stale");
  anx_test_iterate (2000);
  /* Nothing is cleared while the feed is away. */
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_assert_cmpstr (anx_wall_tile_get_value (anx_wall_window_get_tile (wall, kept[i])), ==,
                     values_before[i]);
  g_assert_cmpuint (anx_map_points_get_n_points (anx_charger_layer_get_points (
                        anx_wall_window_get_charger_layer (wall))), ==, (guint) f.n_stations);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_free (values_before[i]);

  /* It comes back on the same port: the display recovers by itself. */
  anx_test_feedd_free (g_steal_pointer (&feedd));
  feedd = anx_test_feedd_start (test_dir, listen, extra);
  anx_test_run_until (wall_fresh, &f, 90, "the wall display to recover when the feed returns");
  check_all_tiles (wall, FALSE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (anx_wall_window_get_tile (wall, "online")),
                                            "wall-stale"));
  anx_test_run_until (figures_match, &f, 30, "the key figures to match the store after recovery");

  /* Leaving full screen takes F11, or Esc twice within 3 s: a single Esc
   * only asks, and the question lapses. */
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (wall)));
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.leave-fullscreen", NULL);
  anx_test_iterate (500);
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (wall)));
  screenshot (wall, "exit-hint");
  anx_test_iterate (3500);
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.leave-fullscreen", NULL);
  anx_test_iterate (300);
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (wall)));
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.leave-fullscreen", NULL);
  anx_test_run_until (is_not_fullscreen, wall, 10, "the second Esc to leave full screen");
  gtk_widget_activate_action (GTK_WIDGET (wall), "wall.toggle-fullscreen", NULL);
  anx_test_run_until (is_fullscreen, wall, 10, "F11 to enter full screen again");

  /* Token rotation: refused, stale, the figures kept; a new token in the
   * keyring and the address set again: a new feed client, live again,
   * without the screen being cleared on the way. */
  {
    g_autofree char *rotated = rotate_viewer_token ();

    anx_test_run_until (wall_stale, wall, 30, "the wall display to go stale when its token is revoked");
    g_test_message ("stale banner: %s", anx_wall_window_get_stale_text (wall));
    g_assert_cmpint (anx_feed_client_get_state (anx_application_get_feed_client (app)), ==,
                     ANX_FEED_CLIENT_UNAUTHORIZED);
    if (!anx_test_language_is_chinese ())
      g_assert_nonnull (strstr (anx_wall_window_get_stale_text (wall), "refused the access token"));
    /* What the store took in before the stream closed shows first. */
    anx_test_iterate (2500);
    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
      values_before[i] = g_strdup (anx_wall_tile_get_value (anx_wall_window_get_tile (wall, kept[i])));
    g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, rotated, NULL, &error));
    g_assert_no_error (error);
    g_settings_set_string (settings, "feed-url", "");
    g_assert_null (anx_application_get_feed_client (app));
    anx_test_iterate (1500);
    g_assert_true (anx_wall_window_get_stale (wall));
    check_all_tiles (wall, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
      {
        g_assert_cmpstr (anx_wall_tile_get_value (anx_wall_window_get_tile (wall, kept[i])), ==,
                         values_before[i]);
        g_clear_pointer (&values_before[i], g_free);
      }
    g_settings_set_string (settings, "feed-url", feedd->base_url);
    anx_test_run_until (wall_fresh, &f, 60, "the wall display to recover with the new token");
    check_all_tiles (wall, FALSE);
  }

  gtk_window_destroy (GTK_WINDOW (wall));
  anx_test_iterate (100);
  /* Gone with the display. */
  g_assert_cmpuint (anx_test_session_manager_n_idle_held (session_manager), ==, 0);
  anx_test_session_manager_stop (session_manager);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before anything touches libsecret. */
  test_dir = anx_test_console_dir_new ("anxin-wall-display-XXXXXX");

  anx_test_display_init (&argc, &argv);
  g_test_add_func ("/wall/display", test_wall);
  status = g_test_run ();

  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}

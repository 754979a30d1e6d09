/* test-console-shell.c: the window's shell against the real anxin-feedd:
 * the welcome page's connection test, the header bar's search, the window at
 * 1024×768 and a keyboard-only walk
 *
 * Starts anxin-feedd on loopback with a small simulated network, and one
 * AnxApplication with an empty keyring (libsecret's file backend) and an
 * empty store in a temporary directory. The tests run in order: the welcome
 * page connects the console, which the later tests use. Runs under xvfb-run
 * and dbus-run-session, in English and zh_CN; screenshots go to
 * $ANXIN_SCREENSHOT_DIR.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "anx-application.h"
#include "anx-connection-indicator.h"
#include "anx-feed-probe.h"
#include "anx-map-page.h"
#include "anx-preferences-window.h"
#include "anx-basemap-sources.h"
#include "anx-search-popover.h"
#include "anx-test-util.h"
#include "anx-test-display.h"
#include "anx-test-feedd.h"
#include "anx-token-store.h"
#include "anx-welcome-page.h"
#include "anx-window.h"

static char *test_dir;
static AnxTestFeedd *feedd;
static AnxApplication *app;

static const char *
expected (const char *english,
          const char *chinese)
{
  return anx_test_language_is_chinese () ? chinese : english;
}

static GtkWindow *
main_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (ANX_IS_WINDOW (window));
  return window;
}

static gpointer
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  gpointer found = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (found);
  return found;
}

#define WINDOW_CHILD(name)  child (GTK_WIDGET (main_window ()), ANX_TYPE_WINDOW, name)
#define PREFS_CHILD(name)   child (GTK_WIDGET (preferences), ANX_TYPE_PREFERENCES_WINDOW, name)
#define WELCOME_CHILD(name) child (GTK_WIDGET (WINDOW_CHILD ("welcome_page")), ANX_TYPE_WELCOME_PAGE, name)

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static cairo_surface_t *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_surface_flush (surface);
  gdk_texture_download (texture, cairo_image_surface_get_data (surface),
                        cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* The window with an open popover drawn where it is on screen: popovers are
 * surfaces of their own, which a widget screenshot leaves out. */
static void
screenshot_with_popover (GtkWindow  *window,
                         GtkPopover *popover,
                         const char *name)
{
  const char *dir = g_getenv ("ANXIN_SCREENSHOT_DIR");
  g_autofree char *file_name = g_strdup_printf ("%s-%s.png", name,
                                                anx_test_language_is_chinese () ? "zh_CN" : "en");
  g_autofree char *path = NULL;
  cairo_surface_t *base;
  cairo_surface_t *over;
  cairo_t *cr;
  double window_x, window_y, popover_x, popover_y;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));

  wait_for_paint (GTK_WIDGET (window));
  base = render (GTK_WIDGET (window));
  over = render (GTK_WIDGET (popover));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &window_x, &window_y);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &popover_x, &popover_y);

  /* Both renderings start at their widget, inside their surface's shadow. */
  cr = cairo_create (base);
  cairo_set_source_surface (cr, over,
                            gdk_popup_get_position_x (GDK_POPUP (surface)) + popover_x - window_x,
                            gdk_popup_get_position_y (GDK_POPUP (surface)) + popover_y - window_y);
  cairo_paint (cr);
  cairo_destroy (cr);

  if (dir == NULL)
    dir = g_get_tmp_dir ();
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, file_name, NULL);
  g_assert_cmpint (cairo_surface_write_to_png (base, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (base);
  cairo_surface_destroy (over);
}

static void
resize (GtkWindow *window,
        int        width,
        int        height)
{
  gtk_window_set_default_size (window, width, height);
  anx_test_iterate (400);
  wait_for_paint (GTK_WIDGET (window));
}

/* The welcome page ------------------------------------------------------- */

static void keys (const char *command,
                  const char *argument);

static gboolean
focus_within (GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static gboolean
probe_done (gpointer data)
{
  return !anx_welcome_page_get_busy (data);
}

static void
try_connect (const char *address,
             const char *token)
{
  AnxWelcomePage *welcome = WINDOW_CHILD ("welcome_page");

  gtk_editable_set_text (GTK_EDITABLE (WELCOME_CHILD ("address_row")), address);
  gtk_editable_set_text (GTK_EDITABLE (WELCOME_CHILD ("token_row")), token);
  g_assert_true (gtk_widget_get_sensitive (WELCOME_CHILD ("connect_button")));
  /* As a click does. */
  g_signal_emit_by_name (WELCOME_CHILD ("connect_button"), "clicked");
  g_assert_true (anx_welcome_page_get_busy (welcome));
  anx_test_run_until (probe_done, welcome, 30, "the connection test");
}

static void
assert_welcome_error (int         code,
                      const char *title_en,
                      const char *title_zh)
{
  AnxWelcomePage *welcome = WINDOW_CHILD ("welcome_page");

  g_assert_cmpint (anx_welcome_page_get_error (welcome), ==, code);
  g_assert_true (gtk_widget_get_visible (WELCOME_CHILD ("error_box")));
  g_assert_cmpstr (gtk_label_get_label (WELCOME_CHILD ("error_title")), ==,
                   expected (title_en, title_zh));
  g_assert_cmpstr (gtk_label_get_label (WELCOME_CHILD ("error_detail")), !=, "");
  /* Still on the welcome page, without a feed client. */
  g_assert_null (anx_application_get_feed_client (app));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (WINDOW_CHILD ("main_stack")), ==, "welcome");
}

static gboolean
on_fake_run (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source,
             gpointer                user_data)
{
  static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                              "Content-Length: 27\r\nConnection: close\r\n\r\n"
                              "<html>Router login</html>\n";
  char buffer[4096];

  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                       sizeof buffer, NULL, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply,
                             sizeof reply - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

typedef struct
{
  guint n_stations;
} Sync;

static gboolean
console_live (gpointer data)
{
  Sync *sync = data;
  AnxStore *store = anx_application_get_store (app);
  AnxConnectionIndicator *indicator = WINDOW_CHILD ("connection_indicator");

  return anx_connection_indicator_get_state (indicator) == ANX_FEED_CLIENT_LIVE &&
         anx_store_get_backlog (store) == 0 &&
         anx_store_count (store, "stations") == (gint64) sync->n_stations &&
         anx_store_count (store, "meters") > 0;
}

static gboolean
console_live_only (gpointer data)
{
  return anx_connection_indicator_get_state (data) == ANX_FEED_CLIENT_LIVE;
}

static guint
count_server_stations (void)
{
  g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, "/v1/registry/stations?limit=1000");
  JsonObject *page = json_node_get_object (root);

  g_assert_true (json_object_get_null_member (page, "next"));
  return json_array_get_length (json_object_get_array_member (page, "items"));
}

static void
test_welcome (void)
{
  g_autoptr(GSettings) settings = g_object_ref (anx_application_get_settings (app));
  g_autoptr(GSocketService) fake = g_threaded_socket_service_new (2);
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *closed = g_strdup_printf ("http://127.0.0.1:%u", anx_test_free_port ());
  g_autofree char *fake_url = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *kept = NULL;
  GtkWindow *window;
  Sync sync = { count_server_stations () };
  guint16 fake_port;

  g_settings_reset (settings, "feed-url");
  g_application_activate (G_APPLICATION (app));
  window = main_window ();
  gtk_window_set_default_size (window, 1280, 800);
  anx_test_wait_for_draw (GTK_WIDGET (window));

  /* First run: the welcome page, no view switcher, no search. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (WINDOW_CHILD ("main_stack")), ==, "welcome");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (WINDOW_CHILD ("welcome_page"))));
  g_assert_false (gtk_widget_get_visible (WINDOW_CHILD ("switcher_bar")));
  g_assert_false (gtk_widget_get_visible (WINDOW_CHILD ("search_button")));
  g_assert_false (gtk_widget_get_sensitive (WELCOME_CHILD ("connect_button")));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "search"));
  /* Typing goes to the address at once. */
  g_assert_true (focus_within (WELCOME_CHILD ("address_row")));
  resize (window, 1280, 800);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-1280x800"));

  /* Not an address at all. */
  try_connect ("feed example", feedd->token);
  assert_welcome_error (ANX_FEED_PROBE_ERROR_ADDRESS, "This is not a feed address",
                        "这不是数据源地址");
  g_assert_true (gtk_widget_has_css_class (WELCOME_CHILD ("address_row"), "error"));

  /* Nobody listens there. */
  try_connect (closed, feedd->token);
  assert_welcome_error (ANX_FEED_PROBE_ERROR_UNREACHABLE, "The feed cannot be reached",
                        "无法连接到数据源");
  g_assert_nonnull (strstr (gtk_label_get_label (WELCOME_CHILD ("error_detail")), closed));
  resize (window, 1280, 800);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-unreachable-1280x800"));

  /* A web server that is not a feed. */
  fake_port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (fake), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (fake, "run", G_CALLBACK (on_fake_run), NULL);
  g_socket_service_start (fake);
  fake_url = g_strdup_printf ("http://127.0.0.1:%u", fake_port);
  try_connect (fake_url, feedd->token);
  assert_welcome_error (ANX_FEED_PROBE_ERROR_INCOMPATIBLE,
                        "This server is not a compatible Anxin feed",
                        "此服务器不是兼容的安心数据源");
  resize (window, 1920, 1080);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-incompatible-1920x1080"));
  g_socket_service_stop (fake);
  g_socket_listener_close (G_SOCKET_LISTENER (fake));

  /* A feed whose certificate the system does not trust; then trusted
   * through the custom CA setting, which the test uses too (the token is
   * wrong on purpose: past TLS, that is the next thing checked). */
  {
    g_autofree char *openssl = g_find_program_in_path ("openssl");
    g_autofree char *dir = g_build_filename (test_dir, "tls", NULL);
    g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
    g_autofree char *command = NULL;

    if (openssl != NULL && g_tls_backend_supports_tls (g_tls_backend_get_default ()))
      {
        const char *extra[] = { "--tls-cert", cert, "--tls-key", NULL,
                                "--simulate", "hangzhou", "--sim-scale", "tiny", NULL };
        g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
        g_autoptr(AnxTestFeedd) tls_feedd = NULL;

        g_mkdir_with_parents (dir, 0700);
        command = g_strdup_printf ("%s req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                   "-nodes -days 2 -subj /CN=127.0.0.1 -addext "
                                   "subjectAltName=IP:127.0.0.1 -keyout %s -out %s 2>/dev/null",
                                   openssl, key, cert);
        g_assert_cmpint (system (command), ==, 0);
        extra[3] = key;
        tls_feedd = anx_test_feedd_start (dir, "127.0.0.1:0", extra);

        try_connect (tls_feedd->base_url, tls_feedd->token);
        assert_welcome_error (ANX_FEED_PROBE_ERROR_CERTIFICATE,
                              "The feed's certificate is not trusted", "数据源的证书不受信任");
        resize (window, 1280, 800);
        g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-certificate-1280x800"));

        g_settings_set_string (settings, "ca-file", cert);
        try_connect (tls_feedd->base_url, "wrong-token");
        assert_welcome_error (ANX_FEED_PROBE_ERROR_UNAUTHORIZED, "The access token was refused",
                              "访问令牌被拒绝");
        g_settings_reset (settings, "ca-file");
      }
    else
      g_test_message ("No openssl or no TLS backend: the certificate case is not tried");
  }

  /* The right feed with a wrong token. */
  try_connect (feedd->base_url, "wrong-token");
  assert_welcome_error (ANX_FEED_PROBE_ERROR_UNAUTHORIZED, "The access token was refused",
                        "访问令牌被拒绝");
  g_assert_true (gtk_widget_has_css_class (WELCOME_CHILD ("token_row"), "error"));
  g_assert_false (gtk_widget_has_css_class (WELCOME_CHILD ("address_row"), "error"));
  resize (window, 1280, 800);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-unauthorized-1280x800"));
  resize (window, 1920, 1080);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "welcome-unauthorized-1920x1080"));

  /* Nothing was kept from the failures. */
  stored = g_settings_get_string (settings, "feed-url");
  g_assert_cmpstr (stored, ==, "");
  kept = anx_token_store_lookup_sync (tokens, feedd->base_url, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (kept);

  /* The right ones, typed on the keyboard, with a trailing slash as people
   * paste it: Enter in the address goes to the token, Enter in the token
   * connects, and the console goes live. */
  {
    g_autofree char *typed = g_strconcat (feedd->base_url, "/", NULL);
    g_autofree char *xdotool = g_find_program_in_path ("xdotool");

    if (xdotool != NULL)
      {
        gtk_editable_set_text (GTK_EDITABLE (WELCOME_CHILD ("address_row")), "");
        gtk_editable_set_text (GTK_EDITABLE (WELCOME_CHILD ("token_row")), "");
        gtk_widget_grab_focus (WELCOME_CHILD ("address_row"));
        gtk_window_present (window);
        anx_test_iterate (300);
        keys ("type", typed);
        keys ("key", "Return");
        g_assert_true (focus_within (WELCOME_CHILD ("token_row")));
        keys ("type", feedd->token);
        g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (WELCOME_CHILD ("address_row"))), ==, typed);
        keys ("key", "Return");
        anx_test_run_until (probe_done, WINDOW_CHILD ("welcome_page"), 30, "the connection test");
      }
    else
      try_connect (typed, feedd->token);
  }
  g_assert_cmpint (anx_welcome_page_get_error (WINDOW_CHILD ("welcome_page")), ==, -1);
  g_assert_nonnull (anx_application_get_feed_client (app));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (WINDOW_CHILD ("main_stack")), ==, "console");
  anx_test_run_until (console_live, &sync, 90, "the console to go live and sync");

  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "feed-url");
  g_assert_cmpstr (stored, ==, feedd->base_url);
  kept = anx_token_store_lookup_sync (tokens, feedd->base_url, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, feedd->token);
  g_assert_true (gtk_widget_get_visible (WINDOW_CHILD ("search_button")));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "search"));
  g_assert_true (gtk_widget_get_visible (WINDOW_CHILD ("connection_indicator")));
}

/* Search ----------------------------------------------------------------- */

typedef struct
{
  char *action;
  char *target;
} Opened;

static void
on_recorded (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  Opened *opened = user_data;

  g_free (opened->action);
  g_free (opened->target);
  opened->action = g_strdup (g_action_get_name (G_ACTION (action)));
  opened->target = g_variant_dup_string (parameter, NULL);
}

/* What the search opens goes through these: the real ones belong to other
 * parts of the window; here only that the right one is asked matters. */
static void
record_actions (Opened *opened)
{
  static const char *const names[] = { "show-charger", "show-station" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (names[i], G_VARIANT_TYPE_STRING);

      g_signal_connect (action, "activate", G_CALLBACK (on_recorded), opened);
      g_action_map_add_action (G_ACTION_MAP (main_window ()), G_ACTION (action));
    }
}

static void
opened_clear (Opened *opened)
{
  g_clear_pointer (&opened->action, g_free);
  g_clear_pointer (&opened->target, g_free);
}

static char *
store_string (const char *sql,
              int         column)
{
  sqlite3 *db = anx_store_get_read_db (anx_application_get_store (app));
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, column));
  sqlite3_finalize (stmt);
  g_assert_nonnull (value);
  return value;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
popover_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
test_search (void)
{
  GtkWindow *window = main_window ();
  AnxSearchPopover *popover = WINDOW_CHILD ("search_popover");
  AdwViewStack *stack = anx_window_get_view_stack (ANX_WINDOW (window));
  g_autofree char *station_name = store_string ("SELECT name FROM stations ORDER BY id LIMIT 1 OFFSET 3", 0);
  g_autofree char *station_id = store_string ("SELECT id FROM stations ORDER BY id LIMIT 1 OFFSET 3", 0);
  g_autofree char *serial = store_string ("SELECT m.serial FROM meters m ORDER BY m.id LIMIT 1 OFFSET 5", 0);
  g_autofree char *serial_charger =
      store_string ("SELECT c.code FROM meters m JOIN chargers c ON c.id = m.charger_id"
                    " ORDER BY m.id LIMIT 1 OFFSET 5", 0);
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.search");
  Opened opened = { 0 };
  GtkListBoxRow *row = NULL;
  guint index = 0;

  record_actions (&opened);
  g_assert_cmpstr (accels[0], ==, "<Control>f");
  adw_view_stack_set_visible_child_name (stack, "alarms");
  resize (window, 1280, 800);

  /* win.search opens the search with the entry focused. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  anx_test_run_until (popover_shown, popover, 10, "the search to open");
  g_assert_true (gtk_widget_has_focus (anx_search_popover_get_entry (popover)) ||
                 gtk_widget_is_focus (anx_search_popover_get_entry (popover)) ||
                 gtk_window_get_focus (GTK_WINDOW (window)) != NULL);

  /* A station by its name: the station first among what matches. */
  anx_search_popover_set_query (popover, station_name);
  g_assert_cmpuint (anx_search_popover_get_n_results (popover), >=, 1);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < anx_search_popover_get_n_results (popover) && !found; i++)
      {
        row = gtk_list_box_get_row_at_index (anx_search_popover_get_results (popover), i);
        found = g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                           station_name) == 0;
        index = i;
      }
    g_assert_true (found);
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                              expected ("Station", "充电站")));
  }
  anx_test_iterate (200);
  screenshot_with_popover (window, GTK_POPOVER (popover), "search-station-1280x800");
  resize (window, 1920, 1080);
  anx_test_iterate (200);
  screenshot_with_popover (window, GTK_POPOVER (popover), "search-station-1920x1080");

  /* Opening it: the map, centred on the station. (The rows are built again
   * whenever the popover is shown, and the resize may show it again.) */
  row = gtk_list_box_get_row_at_index (anx_search_popover_get_results (popover), index);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, station_name);
  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_cmpstr (opened.action, ==, "show-station");
  g_assert_cmpstr (opened.target, ==, station_id);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "map");
  anx_test_run_until (popover_hidden, popover, 10, "the search to close");
  opened_clear (&opened);

  /* A meter by its serial, typed in lower case: opens its charger. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  anx_test_run_until (popover_shown, popover, 10, "the search to open");
  {
    g_autofree char *lower = g_ascii_strdown (serial, -1);

    anx_search_popover_set_query (popover, lower);
  }
  g_assert_cmpuint (anx_search_popover_get_n_results (popover), ==, 1);
  row = gtk_list_box_get_row_at_index (anx_search_popover_get_results (popover), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, serial);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), serial_charger));
  resize (window, 1280, 800);
  anx_test_iterate (200);
  screenshot_with_popover (window, GTK_POPOVER (popover), "search-meter-1280x800");
  /* Enter in the entry opens the selected (first) result. */
  g_signal_emit_by_name (anx_search_popover_get_entry (popover), "activate");
  g_assert_cmpstr (opened.action, ==, "show-charger");
  g_assert_cmpstr (opened.target, ==, serial_charger);
  anx_test_run_until (popover_hidden, popover, 10, "the search to close");
  opened_clear (&opened);

  /* An operator by its name: the map, filtered to its stations. */
  {
    g_autofree char *operator_name = store_string ("SELECT name FROM operators ORDER BY id LIMIT 1", 0);
    guint i;

    adw_view_stack_set_visible_child_name (stack, "sessions");
    gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
    anx_test_run_until (popover_shown, popover, 10, "the search to open");
    anx_search_popover_set_query (popover, operator_name);
    for (i = 0; i < anx_search_popover_get_n_results (popover); i++)
      {
        row = gtk_list_box_get_row_at_index (anx_search_popover_get_results (popover), i);
        if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), operator_name) == 0)
          break;
      }
    g_assert_cmpuint (i, <, anx_search_popover_get_n_results (popover));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                              expected ("Operator", "运营商")));
    gtk_widget_activate (GTK_WIDGET (row));
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "map");
    g_assert_null (opened.action);
    /* The map shows that operator's stations, and only those. */
    {
      AnxMapPage *map_page = WINDOW_CHILD ("map_page");
      AnxMapPoints *points = anx_map_page_get_points (map_page);
      g_autofree char *operator_id = store_string ("SELECT CAST(id AS TEXT) FROM operators ORDER BY id LIMIT 1", 0);
      guint visible = 0;

      g_assert_cmpuint (anx_map_points_get_n_points (points), >, 0);
      for (guint p = 0; p < anx_map_points_get_n_points (points); p++)
        {
          gboolean own = g_strcmp0 (anx_map_points_get_operator_id (points, p), operator_id) == 0;

          g_assert_true (anx_map_points_is_visible (points, p) == own);
          visible += own;
        }
      g_assert_cmpuint (visible, >, 0);
      g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, visible);
      /* Back to all operators for what follows. */
      g_assert_true (anx_map_page_filter_operator (map_page, NULL));
      g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, anx_map_points_get_n_points (points));
    }
    anx_test_run_until (popover_hidden, popover, 10, "the search to close");
  }

  /* Nothing found says so. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  anx_test_run_until (popover_shown, popover, 10, "the search to open");
  anx_search_popover_set_query (popover, "no-such-thing-zz");
  g_assert_cmpuint (anx_search_popover_get_n_results (popover), ==, 0);
  anx_test_iterate (100);
  screenshot_with_popover (window, GTK_POPOVER (popover), "search-nothing-1280x800");
  gtk_popover_popdown (GTK_POPOVER (popover));
  anx_test_run_until (popover_hidden, popover, 10, "the search to close");
}

/* 1024×768 ---------------------------------------------------------------- */

static void
test_small_window (void)
{
  static const char *const views[] = { "map", "sessions", "alarms", "inspections" };
  GtkWindow *window = main_window ();
  AdwViewStack *stack = anx_window_get_view_stack (ANX_WINDOW (window));
  int minimum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("shell-%s-1024x768", views[i]);

      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i]);
      resize (window, 1024, 768);

      /* Nothing asks for more than the screen: the window keeps its size,
       * so nothing is cut off at its edges. */
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL,
                          NULL, NULL);
      g_assert_cmpint (minimum, <=, 1024);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, 1024, &minimum, NULL,
                          NULL, NULL);
      g_assert_cmpint (minimum, <=, 768);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1024);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 768);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, views[i]);
      /* The header bar still has the search and the indicator. */
      g_assert_true (gtk_widget_get_mapped (WINDOW_CHILD ("search_button")));
      g_assert_true (gtk_widget_get_mapped (WINDOW_CHILD ("connection_indicator")));
      g_free (anx_test_screenshot (GTK_WIDGET (window), name));
    }
}

/* Keyboard only ----------------------------------------------------------- */

static void
on_xdotool_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* Real key presses through the X server, as a keyboard makes them. */
static void
keys (const char *command,
      const char *argument)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) xdotool = NULL;
  gboolean done = FALSE;

  xdotool = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool", command, "--delay",
                              "40", argument, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (xdotool, NULL, on_xdotool_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  anx_test_iterate (300);
}

typedef struct
{
  AdwViewStack *stack;
  const char   *name;
} ViewShown;

static gboolean
view_shown (gpointer data)
{
  ViewShown *shown = data;

  return g_strcmp0 (adw_view_stack_get_visible_child_name (shown->stack), shown->name) == 0;
}

static gboolean
has_result_count (gpointer data)
{
  return anx_search_popover_get_n_results (data) >= 2;
}

static gboolean
recorded (gpointer data)
{
  return ((Opened *) data)->action != NULL;
}

static GtkMenuButton *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return GTK_MENU_BUTTON (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkMenuButton *found = find_primary_menu_button (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_keyboard (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  GtkWindow *window = main_window ();
  AnxSearchPopover *popover = WINDOW_CHILD ("search_popover");
  GtkMenuButton *menu_button = find_primary_menu_button (GTK_WIDGET (window));
  AdwViewStack *stack = anx_window_get_view_stack (ANX_WINDOW (window));
  g_autofree char *station_code =
      store_string ("SELECT code FROM stations WHERE charger_count >= 2 ORDER BY id LIMIT 1", 0);
  static const char *const views[] = { "map", "sessions", "alarms", "inspections" };
  Opened opened = { 0 };
  GtkListBoxRow *second;
  g_autofree char *second_title = NULL;

  if (xdotool == NULL)
    {
      g_test_skip ("No xdotool to press keys with");
      return;
    }

  record_actions (&opened);
  resize (window, 1280, 800);
  gtk_window_present (window);
  anx_test_iterate (500);
  g_assert_true (gtk_window_is_active (window));

  /* Ctrl+1…4: the views. */
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *key = g_strdup_printf ("ctrl+%u", 4 - i);
      ViewShown shown = { stack, views[3 - i] };

      keys ("key", key);
      anx_test_run_until (view_shown, &shown, 10, key);
    }

  /* Ctrl+F, type a station's code, Down, Enter: the second result opens. */
  keys ("key", "ctrl+f");
  anx_test_run_until (popover_shown, popover, 10, "Ctrl+F to open the search");
  keys ("type", station_code);
  anx_test_run_until (has_result_count, popover, 10, "results for the typed code");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (anx_search_popover_get_entry (popover))),
                   ==, station_code);
  second = gtk_list_box_get_row_at_index (anx_search_popover_get_results (popover), 1);
  second_title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (second)));
  keys ("key", "Down");
  g_assert_true (gtk_list_box_get_selected_row (anx_search_popover_get_results (popover)) == second);
  keys ("key", "Return");
  anx_test_run_until (recorded, &opened, 10, "Enter to open the result");
  /* The second result of a station's code is a charger of it. */
  g_assert_cmpstr (opened.action, ==, "show-charger");
  g_assert_cmpstr (opened.target, ==, second_title);
  g_assert_true (g_str_has_prefix (opened.target, station_code));
  anx_test_run_until (popover_hidden, popover, 10, "the search to close");
  opened_clear (&opened);

  /* Escape closes the search. */
  keys ("key", "ctrl+f");
  anx_test_run_until (popover_shown, popover, 10, "Ctrl+F to open the search");
  keys ("key", "Escape");
  anx_test_run_until (popover_hidden, popover, 10, "Escape to close the search");

  /* F10: the primary menu; Escape closes it. */
  keys ("key", "F10");
  anx_test_run_until (popover_shown, gtk_menu_button_get_popover (menu_button), 10, "F10 to open the menu");
  keys ("key", "Escape");
  anx_test_run_until (popover_hidden, gtk_menu_button_get_popover (menu_button), 10, "Escape to close the menu");

  /* Ctrl+comma: preferences, closed with Escape. */
  keys ("key", "ctrl+comma");
  {
    GtkWindow *preferences = NULL;

    for (guint i = 0; i < 50 && preferences == NULL; i++)
      {
        for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
          if (ANX_IS_PREFERENCES_WINDOW (l->data))
            preferences = l->data;
        for (guint j = 0; j < g_list_model_get_n_items (gtk_window_get_toplevels ()) && preferences == NULL; j++)
          {
            g_autoptr(GObject) toplevel = g_list_model_get_item (gtk_window_get_toplevels (), j);

            if (ANX_IS_PREFERENCES_WINDOW (toplevel))
              preferences = GTK_WINDOW (toplevel);
          }
        if (preferences == NULL)
          anx_test_iterate (100);
      }
    g_assert_nonnull (preferences);
    g_object_add_weak_pointer (G_OBJECT (preferences), (gpointer *) &preferences);
    anx_test_wait_for_draw (GTK_WIDGET (preferences));
    keys ("key", "Escape");
    for (guint i = 0; i < 50 && preferences != NULL; i++)
      anx_test_iterate (100);
    g_assert_null (preferences);
  }
}

/* Preferences ------------------------------------------------------------- */

static void
test_preferences (void)
{
  GtkWindow *window = main_window ();
  AnxMapPage *map_page = WINDOW_CHILD ("map_page");
  g_autoptr(GSettings) settings = g_object_ref (anx_application_get_settings (app));
  AnxPreferencesWindow *preferences;
  AdwActionRow *token_status;
  AnxFeedClient *client = anx_application_get_feed_client (app);

  resize (window, 1280, 800);
  preferences = anx_preferences_window_new (app);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), window);
  gtk_window_present (GTK_WINDOW (preferences));
  anx_test_wait_for_draw (GTK_WIDGET (preferences));

  /* The token is known, never shown. */
  token_status = PREFS_CHILD ("token_status_row");
  g_assert_cmpstr (adw_action_row_get_subtitle (token_status), ==, expected ("Set", "已设置"));
  g_assert_cmpstr (gtk_editable_get_text (PREFS_CHILD ("token_row")), ==, "");
  wait_for_paint (GTK_WIDGET (preferences));
  g_free (anx_test_screenshot (GTK_WIDGET (preferences), "preferences-feed"));
  gtk_window_set_default_size (GTK_WINDOW (preferences), 900, 1000);
  anx_test_iterate (400);
  wait_for_paint (GTK_WIDGET (preferences));
  g_free (anx_test_screenshot (GTK_WIDGET (preferences), "preferences-feed-900x1000"));

  /* The basemap switches live: tiles, then a missing MBTiles file falls
   * back to the offline map, then offline again. */
  g_assert_false (anx_basemap_sources_has_tiles (anx_map_page_get_map_source (map_page)));
  /* A tile server of our own (a closed port): the test needs no network. */
  {
    g_autofree char *tiles = g_strdup_printf ("http://127.0.0.1:%u/{z}/{x}/{y}.png",
                                              anx_test_free_port ());

    g_settings_set_string (settings, "basemap-url", tiles);
  }
  adw_combo_row_set_selected (PREFS_CHILD ("basemap_row"),
                              ANX_BASEMAP_KIND_TILES);
  {
    g_autofree char *kind = g_settings_get_string (settings, "basemap-source");

    g_assert_cmpstr (kind, ==, "tiles");
  }
  g_assert_true (anx_basemap_sources_has_tiles (anx_map_page_get_map_source (map_page)));
  g_assert_true (gtk_widget_get_visible (PREFS_CHILD ("tiles_row")));
  anx_test_iterate (200);
  wait_for_paint (GTK_WIDGET (preferences));
  g_free (anx_test_screenshot (GTK_WIDGET (preferences), "preferences-tiles"));
  g_settings_set_string (settings, "basemap-mbtiles", "/nonexistent/hangzhou.mbtiles");
  g_settings_set_string (settings, "basemap-source", "mbtiles");
  g_assert_false (anx_basemap_sources_has_tiles (anx_map_page_get_map_source (map_page)));
  g_settings_reset (settings, "basemap-source");
  g_settings_reset (settings, "basemap-mbtiles");
  g_settings_reset (settings, "basemap-url");
  g_assert_cmpuint (adw_combo_row_get_selected (PREFS_CHILD ("basemap_row")),
                    ==, ANX_BASEMAP_KIND_OFFLINE);

  /* A new CA reconnects: a new feed client (the system's CAs still work for
   * plain http on loopback, so it goes live again). */
  {
    g_autofree char *cert = g_build_filename (test_dir, "ca.pem", NULL);
    g_autofree char *openssl = g_find_program_in_path ("openssl");

    if (openssl != NULL)
      {
        g_autofree char *command = g_strdup_printf ("%s req -x509 -newkey ec -pkeyopt "
                                                    "ec_paramgen_curve:prime256v1 -nodes -days 2 "
                                                    "-subj /CN=test -keyout %s/ca.key -out %s "
                                                    "2>/dev/null",
                                                    openssl, test_dir, cert);

        g_assert_cmpint (system (command), ==, 0);
        g_settings_set_string (settings, "ca-file", cert);
        g_assert_true (anx_application_get_feed_client (app) != client);
        g_assert_nonnull (anx_application_get_feed_client (app));
        g_settings_reset (settings, "ca-file");
      }
  }

  /* Forget the token: the welcome page comes back, the address filled in;
   * then the token again through the welcome page. */
  g_signal_emit_by_name (PREFS_CHILD ("token_forget_button"), "clicked");
  g_assert_cmpstr (adw_action_row_get_subtitle (token_status), ==, expected ("Not set", "未设置"));
  g_assert_null (anx_application_get_feed_client (app));
  gtk_window_destroy (GTK_WINDOW (preferences));
  anx_test_iterate (100);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (WINDOW_CHILD ("main_stack")), ==, "welcome");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (WELCOME_CHILD ("address_row"))), ==,
                   feedd->base_url);
  try_connect (feedd->base_url, feedd->token);
  g_assert_nonnull (anx_application_get_feed_client (app));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (WINDOW_CHILD ("main_stack")), ==, "console");
}

/* The indicator tells the truth -------------------------------------------- */

static gboolean
indicator_unauthorized (gpointer data)
{
  return anx_connection_indicator_get_state (data) == ANX_FEED_CLIENT_UNAUTHORIZED;
}

static void
test_indicator_revoked (void)
{
  GtkWindow *window = main_window ();
  AnxConnectionIndicator *indicator = WINDOW_CHILD ("connection_indicator");
  g_autofree char *tokens = g_build_filename (test_dir, "tokens", NULL);
  g_autofree char *other = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "someone-else", -1);
  g_autofree char *contents = g_strdup_printf ("viewer:someone-else:%s\n", other);
  g_autoptr(GError) error = NULL;
  const char *tooltip;

  anx_test_run_until (console_live_only, indicator, 60, "the console to be live");

  /* The operator revokes the console's token: the stream closes with 4401
   * and the indicator says so, with the address and what to do. */
  g_assert_true (g_file_set_contents (tokens, contents, -1, &error));
  g_assert_no_error (error);
  anx_test_run_until (indicator_unauthorized, indicator, 30, "the indicator to say \"unauthorized\"");
  anx_test_iterate (1100);
  g_assert_cmpstr (anx_connection_indicator_get_text (indicator), ==,
                   expected ("Unauthorized", "未授权"));
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (indicator));
  g_assert_nonnull (strstr (tooltip, feedd->base_url));
  g_assert_nonnull (strstr (tooltip, expected ("Replace the access token in Preferences.",
                                               "请在首选项中替换访问令牌。")));
  resize (window, 1280, 800);
  g_free (anx_test_screenshot (GTK_WIDGET (window), "shell-unauthorized-1280x800"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before anything touches libsecret. */
  test_dir = anx_test_console_dir_new ("anxin-console-shell-XXXXXX");

  anx_test_display_init (&argc, &argv);

  {
    const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "7",
                            "--speed", "60", "--heartbeat", "1", NULL };

    feedd = anx_test_feedd_start (test_dir, "127.0.0.1:0", extra);
  }
  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/console/shell/welcome", test_welcome);
  g_test_add_func ("/console/shell/search", test_search);
  g_test_add_func ("/console/shell/small-window", test_small_window);
  g_test_add_func ("/console/shell/keyboard", test_keyboard);
  g_test_add_func ("/console/shell/preferences", test_preferences);
  g_test_add_func ("/console/shell/indicator-revoked", test_indicator_revoked);
  status = g_test_run ();

  {
    GList *windows;

    while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
      gtk_window_destroy (windows->data);
    anx_test_iterate (50);
  }
  g_clear_object (&app);
  anx_test_feedd_free (feedd);
  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}

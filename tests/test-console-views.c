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
#include <math.h>
#include <stdlib.h>

#include "anx-alarm-rules.h"
#include "anx-alarms-page.h"
#include "anx-application.h"
#include "anx-connection-indicator.h"
#include "anx-inspections-page.h"
#include "anx-map-legend.h"
#include "anx-map-page.h"
#include "anx-sessions-page.h"
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


/* Every item of a paged REST collection. */
static GPtrArray *
server_items (AnxTestFeedd *feedd,
              const char   *collection)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *after = NULL;

  for (;;)
    {
      const char *sep = strchr (collection, '?') != NULL ? "&" : "?";
      g_autofree char *path = after != NULL
                                ? g_strdup_printf ("%s%slimit=1000&after=%s", collection, sep, after)
                                : g_strdup_printf ("%s%slimit=1000", collection, sep);
      g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
      JsonObject *page = json_node_get_object (root);
      JsonArray *array = json_object_get_array_member (page, "items");

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (items, json_node_copy (json_array_get_element (array, i)));
      g_clear_pointer (&after, g_free);
      if (json_object_get_null_member (page, "next"))
        break;
      if (JSON_NODE_HOLDS_VALUE (json_object_get_member (page, "next")) &&
          json_node_get_value_type (json_object_get_member (page, "next")) == G_TYPE_INT64)
        after = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (page, "next"));
      else
        after = g_strdup (json_object_get_string_member (page, "next"));
    }
  return items;
}

static gint64
query_int (AnxApplication *app,
           const char     *sql,
           const char     *parameter)
{
  sqlite3 *db = anx_store_get_read_db (anx_application_get_store (app));
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (parameter != NULL)
    sqlite3_bind_text (stmt, 1, parameter, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static GtkWidget *
page_child (gpointer    page,
            GType       type,
            const char *name)
{
  GtkWidget *child = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), type, name));

  g_assert_nonnull (child);
  return child;
}

/* The position of the drop-down's entry with this text. */
static guint
dropdown_find (GtkDropDown *dropdown,
               const char  *text)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) string = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (string), text) == 0)
        return i;
    }
  g_error ("No “%s” in the drop-down", text);
}

typedef struct
{
  GListModel *rows;
  guint       changes;
} RowsWatch;

static void
on_rows_items_changed (RowsWatch *watch)
{
  watch->changes++;
}

static gboolean
rows_changed_twice (gpointer data)
{
  return ((RowsWatch *) data)->changes >= 2;
}

/* What org.gtk.Notifications receives: GLib's GTK backend calls
 * AddNotification (app id, notification id, properties) on whoever owns the
 * name on the session bus, here the test itself. */
typedef struct
{
  guint     n_added;
  guint     n_removed;
  char     *removed_id;
  char     *id;
  char     *title;
  char     *body;
  char     *default_action;
  GVariant *default_target;
} Notifications;

static const char notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "</method></interface></node>";

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  Notifications *n = user_data;

  if (g_strcmp0 (method_name, "AddNotification") == 0)
    {
      g_autoptr(GVariant) properties = NULL;

      g_clear_pointer (&n->id, g_free);
      g_clear_pointer (&n->title, g_free);
      g_clear_pointer (&n->body, g_free);
      g_clear_pointer (&n->default_action, g_free);
      g_clear_pointer (&n->default_target, g_variant_unref);
      g_variant_get (parameters, "(&ss@a{sv})", NULL, &n->id, &properties);
      g_variant_lookup (properties, "title", "s", &n->title);
      g_variant_lookup (properties, "body", "s", &n->body);
      g_variant_lookup (properties, "default-action", "s", &n->default_action);
      n->default_target = g_variant_lookup_value (properties, "default-action-target", NULL);
      n->n_added++;
    }
  else if (g_strcmp0 (method_name, "RemoveNotification") == 0)
    {
      g_clear_pointer (&n->removed_id, g_free);
      g_variant_get (parameters, "(&ss)", NULL, &n->removed_id);
      n->n_removed++;
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
notified (gpointer data)
{
  return ((Notifications *) data)->n_added > 0;
}

static gboolean
withdrawn (gpointer data)
{
  return ((Notifications *) data)->n_removed > 0;
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (GTK_WINDOW (data));
}

static gboolean
name_acquired (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

typedef struct
{
  const char *charger_code;
  gint64      alarm_id;
} Raise;

/* A seal opened, as the ingest raises it: through the store's writer. */
static gboolean
raise_seal_opened (AnxStore        *store,
                   sqlite3         *db,
                   gpointer         data,
                   AnxStoreChanges *changes,
                   GError         **error)
{
  Raise *raise = data;
  g_autoptr(JsonObject) evidence = json_object_new ();

  json_object_set_string_member (evidence, "seal_id", "HZ-SEAL-42");
  json_object_set_string_member (evidence, "event_time", "2026-11-21T10:00:00+08:00");
  *changes |= ANX_STORE_CHANGED_ALARMS;
  return anx_alarm_rules_raise (db, raise->charger_code, ANX_ALARM_SEAL_OPENED, "critical", 0,
                                evidence, g_get_real_time (), &raise->alarm_id, error);
}

typedef struct
{
  AnxTestFeedd *feedd;
  GPtrArray    *keys;  /* "charger kind" of the server's alarms to be acknowledged */
} ServerAck;

static gboolean
server_acknowledged (gpointer data)
{
  ServerAck *ack = data;
  g_autoptr(GPtrArray) alarms = server_items (ack->feedd, "/v1/alarms?state=all");
  guint n = 0;

  for (guint i = 0; i < alarms->len; i++)
    {
      JsonObject *alarm = json_node_get_object (g_ptr_array_index (alarms, i));
      JsonObject *charger = json_object_get_object_member (alarm, "charger");
      g_autofree char *key = g_strdup_printf (
          "%s %s", json_object_get_string_member (charger, "code"),
          anx_alarm_kind_for_server (json_object_get_string_member (alarm, "code")));

      if (g_ptr_array_find_with_equal_func (ack->keys, key, g_str_equal, NULL) &&
          !json_object_get_null_member (alarm, "acknowledged"))
        n++;
    }
  return n >= ack->keys->len;
}

static gboolean
map_centred_on (AnxMapPage *page,
                const char *station_id)
{
  ShumateViewport *viewport = shumate_simple_map_get_viewport (anx_map_page_get_map (page));
  AnxMapPoints *points = anx_map_page_get_points (page);
  double latitude;
  double longitude;
  guint index;

  g_assert_true (anx_map_points_lookup (points, station_id, &index));
  anx_map_points_get_location (points, index, &latitude, &longitude);
  return fabs (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)) - latitude) < 1e-6 &&
         fabs (shumate_location_get_longitude (SHUMATE_LOCATION (viewport)) - longitude) < 1e-6 &&
         g_strcmp0 (anx_map_page_get_station_id (page), station_id) == 0;
}

static char *
station_of_charger (AnxApplication *app,
                    const char     *charger_code)
{
  gint64 id = query_int (app, "SELECT station_id FROM chargers WHERE code = ?", charger_code);

  g_assert_cmpint (id, >, 0);
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
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

      /* Adaptive down to 1024 px: no view forces the window wider. */
      {
        int minimum = 0;

        gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL,
                            NULL, NULL);
        g_test_message ("%s: the window needs at least %d px", views[i], minimum);
        g_assert_cmpint (minimum, <=, 1024);
      }
    }
}


typedef struct
{
  AnxMapPoints *points;
  guint         n_chargers;
} MapCount;

/* Every charger counted once on the map, by state. */
static gboolean
map_counts_all (gpointer data)
{
  MapCount *count = data;
  guint total = 0;

  for (guint i = 0; i < anx_map_points_get_n_points (count->points); i++)
    {
      guint counts[ANX_MAP_N_STATES];
      AnxMapSeverity severity;

      anx_map_points_get_status (count->points, i, counts, &severity);
      for (guint j = 0; j < ANX_MAP_N_STATES; j++)
        total += counts[j];
    }
  return total == count->n_chargers;
}

/* The map against the server: every charger counted once, by state; the
 * filters narrow the points to what they say. */
static void
check_map (AnxApplication *app,
           AnxTestFeedd   *feedd,
           AnxMapPage     *page)
{
  AnxMapPoints *points = anx_map_page_get_points (page);
  g_autoptr(GPtrArray) chargers = server_items (feedd, "/v1/registry/chargers");
  g_autoptr(GPtrArray) operators = server_items (feedd, "/v1/registry/operators");
  GtkDropDown *operator_dropdown = GTK_DROP_DOWN (page_child (page, ANX_TYPE_MAP_PAGE, "operator_dropdown"));
  GtkSwitch *alarms_only = GTK_SWITCH (page_child (page, ANX_TYPE_MAP_PAGE, "alarms_only_switch"));
  static const char *const checks[] = { "charging_check", "idle_check", "offline_check", "fault_check" };
  MapCount count = { points, chargers->len };
  guint n;
  guint total = 0;
  guint n_alarmed = 0;
  guint n_faulty = 0;
  guint n_with[ANX_MAP_N_STATES] = { 0 };
  guint n_operator = 0;
  const char *operator_id = NULL;
  const char *operator_name = NULL;

  /* The store and the map (its statuses load after the stations) can be a
   * moment apart while the feed is live: wait for the map. */
  anx_test_run_until (map_counts_all, &count, 30, "the map to count every charger");
  n = anx_map_points_get_n_points (points);
  for (guint i = 0; i < n; i++)
    {
      guint counts[ANX_MAP_N_STATES];
      AnxMapSeverity severity;

      anx_map_points_get_status (points, i, counts, &severity);
      for (guint j = 0; j < ANX_MAP_N_STATES; j++)
        total += counts[j];
      n_alarmed += severity != ANX_MAP_SEVERITY_NONE;
      n_faulty += counts[ANX_MAP_STATE_FAULT] > 0;
      for (guint j = 0; j < ANX_MAP_N_STATES; j++)
        n_with[j] += counts[j] > 0;
    }
  g_assert_cmpuint (total, ==, chargers->len);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n);
  g_test_message ("map: %u stations, %u chargers (server: %u), %u with alarms, %u with a fault",
                  n, total, chargers->len, n_alarmed, n_faulty);

  /* The operators of the filter are the server's. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (operator_dropdown)), ==,
                    operators->len + 1);
  operator_name = json_object_get_string_member (json_node_get_object (g_ptr_array_index (operators, 0)), "name");
  gtk_drop_down_set_selected (operator_dropdown, dropdown_find (operator_dropdown, operator_name));
  for (guint i = 0; i < n; i++)
    if (anx_map_points_is_visible (points, i))
      {
        n_operator++;
        if (operator_id == NULL)
          operator_id = anx_map_points_get_operator_id (points, i);
        g_assert_cmpstr (anx_map_points_get_operator_id (points, i), ==, operator_id);
      }
  g_assert_cmpint (n_operator, ==,
                   query_int (app, "SELECT count(*) FROM stations s JOIN operators o ON "
                              "o.id = s.operator_id WHERE o.name = ?", operator_name));
  g_assert_cmpuint (n_operator, <, n);
  gtk_drop_down_set_selected (operator_dropdown, 0);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n);

  gtk_switch_set_active (alarms_only, TRUE);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n_alarmed);
  /* The filter button says how many stations it lets through. */
  {
    const char *label = gtk_menu_button_get_label (GTK_MENU_BUTTON (page_child (page, ANX_TYPE_MAP_PAGE, "filter_button")));
    g_autofree char *shown = g_strdup_printf ("%u", n_alarmed);
    g_autofree char *all = g_strdup_printf ("%u", n);

    g_test_message ("filter button: %s", label);
    g_assert_nonnull (strstr (label, shown));
    g_assert_nonnull (strstr (label, all));
  }

  gtk_switch_set_active (alarms_only, FALSE);

  /* One state at a time: the stations with a charger in that state. */
  for (guint state = 0; state < ANX_MAP_N_STATES; state++)
    {
      for (guint i = 0; i < ANX_MAP_N_STATES; i++)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (page_child (page, ANX_TYPE_MAP_PAGE, checks[i])),
                                     i == state);
      g_test_message ("map: %u stations with a charger %s", anx_map_points_get_n_visible (points),
                      checks[state]);
      g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n_with[state]);
    }
  g_assert_cmpuint (n_with[ANX_MAP_STATE_IDLE], >, 0);

  /* The popover, as the officer sees it with a filter on (the feed goes on meanwhile: counts are done). */
  {
    GtkMenuButton *button = GTK_MENU_BUTTON (page_child (page, ANX_TYPE_MAP_PAGE, "filter_button"));
    GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (button));

    gtk_widget_activate_action (GTK_WIDGET (page), "win.show-view", "s", "map");
    gtk_menu_button_popup (button);
    anx_test_iterate (300);
    anx_test_wait_for_draw (popover);
    g_free (anx_test_screenshot (popover, "console-map-filter"));
    gtk_menu_button_popdown (button);
    anx_test_iterate (200);
    g_free (screenshot_after_paint (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page))),
                                    "console-map-filtered"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "map.reset-filter", NULL));
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n);
}

/* win.show-station: the map, centred and zoomed on it, its chargers listed. */
static void
check_show_station (AnxApplication *app,
                    GtkWindow      *window,
                    AnxMapPage     *page)
{
  AnxMapPoints *points = anx_map_page_get_points (page);
  const char *station_id = anx_map_points_get_id (points, anx_map_points_get_n_points (points) / 2);
  ShumateViewport *viewport = shumate_simple_map_get_viewport (anx_map_page_get_map (page));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "sessions");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-station", "s", station_id));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (anx_window_get_view_stack (ANX_WINDOW (window))),
                   ==, "map");
  g_assert_true (map_centred_on (page, station_id));
  g_assert_cmpfloat (shumate_viewport_get_zoom_level (viewport), ==, ANX_MAP_PAGE_STATION_ZOOM);
  g_assert_cmpint (g_list_model_get_n_items (anx_map_page_get_station_chargers (page)), ==,
                   query_int (app, "SELECT count(*) FROM chargers WHERE station_id = CAST(? AS INTEGER)",
                              station_id));
}


static gboolean
can_scroll (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) + 40;
}

/* The rows' sessions, in order, as one string. */
static char *
session_keys (GListModel *rows)
{
  GString *keys = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_string_append_printf (keys, "%s/%s\n", anx_store_item_get_string (item, "charger_code"),
                              anx_store_item_get_string (item, "session_id"));
    }
  return g_string_free (keys, FALSE);
}

/* Sessions: filters narrow to what they say, live updates keep the
 * selection and the scroll position, durations tick in the rows shown. */
static void
check_sessions (AnxApplication  *app,
                GtkWindow       *window,
                AnxSessionsPage *page)
{
  GListModel *rows = anx_sessions_page_get_rows (page);
  GtkDropDown *operator_dropdown = GTK_DROP_DOWN (page_child (page, ANX_TYPE_SESSIONS_PAGE, "operator_dropdown"));
  GtkDropDown *station_dropdown = GTK_DROP_DOWN (page_child (page, ANX_TYPE_SESSIONS_PAGE, "station_dropdown"));
  GtkEditable *search = GTK_EDITABLE (page_child (page, ANX_TYPE_SESSIONS_PAGE, "search_entry"));
  GtkWidget *column_view = page_child (page, ANX_TYPE_SESSIONS_PAGE, "column_view");
  GtkSelectionModel *selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view));
  g_autofree char *operator = NULL;
  g_autofree char *station = NULL;
  g_autofree char *charger = NULL;
  g_autofree char *key = NULL;
  RowsWatch watch = { rows, 0 };
  gulong handler;
  guint n_all;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "sessions");
  anx_test_iterate (200);
  n_all = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n_all, >, 0);
  {
    g_autoptr(AnxStoreItem) first = g_list_model_get_item (rows, n_all / 2);

    operator = g_strdup (anx_store_item_get_string (first, "operator_name"));
    station = g_strdup (anx_store_item_get_string (first, "station_name"));
    charger = g_strdup (anx_store_item_get_string (first, "charger_code"));
  }

  /* Only the rows in view tick, once a second, from one timer. */
  g_assert_cmpuint (anx_sessions_page_get_n_ticking (page), >, 0);
  g_assert_cmpuint (anx_sessions_page_get_n_ticking (page), <=, n_all);

  /* The operator's sessions, all of them. */
  gtk_drop_down_set_selected (operator_dropdown, dropdown_find (operator_dropdown, operator));
  g_assert_cmpuint (g_list_model_get_n_items (rows), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_assert_cmpstr (anx_store_item_get_string (item, "operator_name"), ==, operator);
    }
  g_test_message ("sessions: %u, of %s: %u", n_all, operator, g_list_model_get_n_items (rows));

  /* The station list follows the operator; one station's sessions. */
  gtk_drop_down_set_selected (station_dropdown, dropdown_find (station_dropdown, station));
  g_assert_cmpuint (g_list_model_get_n_items (rows), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_assert_cmpstr (anx_store_item_get_string (item, "station_name"), ==, station);
    }
  /* Back to all operators: the station stays chosen. */
  gtk_drop_down_set_selected (operator_dropdown, 0);
  g_assert_cmpuint (gtk_drop_down_get_selected (station_dropdown), ==,
                    dropdown_find (station_dropdown, station));
  gtk_drop_down_set_selected (station_dropdown, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_all);

  /* Text: the charger's code. */
  gtk_editable_set_text (search, charger);
  /* GtkSearchEntry waits 150 ms before it says the text changed. */
  anx_test_iterate (400);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_assert_nonnull (strstr (anx_store_item_get_string (item, "charger_code"), charger));
    }
  gtk_editable_set_text (search, "");
  anx_test_iterate (400);
  g_assert_cmpuint (g_list_model_get_n_items (rows), >=, n_all > 1 ? 2 : 1);

  /* Select a row, sort by power (which changes all the time), scroll: the
   * live feed goes on and the same session stays selected. */
  {
    GtkColumnViewColumn *power = g_list_model_get_item (gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view)), 5);
    GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW));
    GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (scrolled);
    guint position = g_list_model_get_n_items (rows) / 2;

    gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view), power, GTK_SORT_DESCENDING);
    g_object_unref (power);
    gtk_selection_model_select_item (selection, position, TRUE);
    key = g_strdup (anx_sessions_page_get_selected_key (page));
    g_assert_nonnull (key);
    handler = g_signal_connect_swapped (rows, "items-changed", G_CALLBACK (on_rows_items_changed), &watch);
    anx_test_run_until (rows_changed_twice, &watch, 30, "two live updates of the sessions");
    g_signal_handler_disconnect (rows, handler);
    g_test_message ("sessions: %u live updates, scrolled to %.0f of %.0f", watch.changes,
                    gtk_adjustment_get_value (vadjustment), gtk_adjustment_get_upper (vadjustment));
    /* Ended sessions leave; a running one stays selected. */
    if (query_int (app, "SELECT count(*) FROM sessions WHERE charger_code || '/' || session_id = ?", key) > 0)
      g_assert_cmpstr (anx_sessions_page_get_selected_key (page), ==, key);

    /* In the store's order (newest first) the rows stay where they are:
     * a short window, scrolled half-way, stays scrolled there. */
    gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view), NULL, GTK_SORT_ASCENDING);
    gtk_window_set_default_size (window, 1280, 420);
    anx_test_iterate (400);
    /* Sessions start all the time: wait for more than fit. */
    anx_test_run_until (can_scroll, vadjustment, 60, "more sessions than the view shows");
    if (gtk_adjustment_get_upper (vadjustment) > gtk_adjustment_get_page_size (vadjustment) + 40)
      {
        double value = floor ((gtk_adjustment_get_upper (vadjustment) -
                               gtk_adjustment_get_page_size (vadjustment)) / 2);
        guint n_before;
        guint n_kept = 0;

        gtk_adjustment_set_value (vadjustment, value);
        anx_test_iterate (100);
        /* An update that only changes rows in place (power, energy): the
         * view stays put. A session that started or ended moves the rows
         * (one count does not tell: one may start as another ends): start
         * again. */
        for (guint attempt = 0; attempt < 10; attempt++)
          {
            g_autofree char *keys_before = NULL;
            g_autofree char *keys_after = NULL;

            value = gtk_adjustment_get_value (vadjustment);
            n_before = g_list_model_get_n_items (rows);
            keys_before = session_keys (rows);
            watch.changes = 0;
            handler = g_signal_connect_swapped (rows, "items-changed", G_CALLBACK (on_rows_items_changed), &watch);
            anx_test_run_until (rows_changed_twice, &watch, 30, "two more live updates of the sessions");
            g_signal_handler_disconnect (rows, handler);
            anx_test_iterate (100);
            g_test_message ("sessions: scrolled to %.0f, after live updates %.0f (%u → %u rows)", value,
                            gtk_adjustment_get_value (vadjustment), n_before,
                            g_list_model_get_n_items (rows));
            keys_after = session_keys (rows);
            if (g_str_equal (keys_before, keys_after))
              {
                g_assert_cmpfloat (fabs (gtk_adjustment_get_value (vadjustment) - value), <=, 1.0);
                n_kept++;
                break;
              }
          }
        g_assert_cmpuint (n_kept, ==, 1);
      }
    else
      g_test_message ("sessions: too few to scroll");
    gtk_window_set_default_size (window, 1280, 800);
  }
}

/* The alarms' filters narrow the list to what they say. */
typedef struct
{
  AnxApplication *app;
  GListModel     *rows;
} Rows;

/* The console's active alarms and the server's it did not raise itself. */
static gboolean
alarm_rows_match_store (gpointer data)
{
  Rows *r = data;
  gint64 n = query_int (r->app,
                        "SELECT (SELECT count(*) FROM alarms WHERE state IN ('open', 'acknowledged', "
                        "'inspection-scheduled')) + (SELECT count(*) FROM server_alarms s WHERE "
                        "s.state != 'cleared' AND NOT EXISTS (SELECT 1 FROM alarms a WHERE "
                        "a.charger_code = s.charger_code AND a.kind = s.kind))",
                        NULL);

  return g_list_model_get_n_items (r->rows) == (guint) n;
}

static void
check_alarm_filters (AnxApplication *app,
                     AnxTestFeedd   *feedd,
                     AnxAlarmsPage  *page)
{
  GListModel *rows = anx_alarms_page_get_rows (page);
  GtkDropDown *kind = GTK_DROP_DOWN (page_child (page, ANX_TYPE_ALARMS_PAGE, "kind_dropdown"));
  GtkDropDown *state = GTK_DROP_DOWN (page_child (page, ANX_TYPE_ALARMS_PAGE, "state_dropdown"));
  GtkDropDown *operator = GTK_DROP_DOWN (page_child (page, ANX_TYPE_ALARMS_PAGE, "operator_dropdown"));
  GtkDropDown *range = GTK_DROP_DOWN (page_child (page, ANX_TYPE_ALARMS_PAGE, "time_dropdown"));
  Rows r = { app, rows };
  g_autoptr(GPtrArray) server_open = server_items (feedd, "/v1/alarms?state=open");
  guint n_all;
  guint n_energy = 0;
  guint n_open = 0;
  guint n_filtered;

  /* Periodic checks (verification overdue) raise alarms too: the list
   * catches up with the store, then every open alarm of the server is in it. */
  anx_test_run_until (alarm_rows_match_store, &r, 20, "the alarms list to match the store");
  n_all = g_list_model_get_n_items (rows);
  for (guint i = 0; i < server_open->len; i++)
    {
      JsonObject *alarm = json_node_get_object (g_ptr_array_index (server_open, i));
      const char *code = json_object_get_string_member (json_object_get_object_member (alarm, "charger"), "code");

      /* The server's numbers make the same sentence as the console's. */
      if (g_strcmp0 (anx_alarm_kind_for_server (json_object_get_string_member (alarm, "code")),
                     ANX_ALARM_ENERGY_MISMATCH) == 0)
        {
          g_autoptr(JsonNode) details = json_node_copy (json_object_get_member (alarm, "details"));
          g_autofree char *text = json_to_string (details, FALSE);
          g_autofree char *sentence = anx_alarm_describe_json (ANX_ALARM_ENERGY_MISMATCH, text);

          g_test_message ("server alarm %" G_GINT64_FORMAT ": %s", json_object_get_int_member (alarm, "id"),
                          sentence);
          g_assert_true (g_regex_match_simple ("[0-9]+\\.[0-9]{2} kWh.*[0-9]+\\.[0-9]{2} kWh.*"
                                               "[+-][0-9]+\\.[0-9] %.*±[0-9]+\\.[0-9] %",
                                               sentence, 0, 0));
        }
      if (!has_alarm (rows, code, anx_alarm_kind_for_server (json_object_get_string_member (alarm, "code"))))
        g_error ("The server's alarm %" G_GINT64_FORMAT " (%s on %s) is not in the list",
                 json_object_get_int_member (alarm, "id"), json_object_get_string_member (alarm, "code"), code);
    }
  g_test_message ("alarms: %u in the list, the server's %u open ones among them", n_all, server_open->len);

  for (guint i = 0; i < n_all; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      n_energy += g_strcmp0 (anx_store_item_get_string (item, "kind"), ANX_ALARM_ENERGY_MISMATCH) == 0;
      n_open += g_strcmp0 (anx_store_item_get_string (item, "state"), ANX_ALARM_STATE_OPEN) == 0;
    }
  g_assert_cmpuint (n_energy, >, 0);

  gtk_drop_down_set_selected (kind, dropdown_find (kind, anx_alarm_kind_get_title (ANX_ALARM_ENERGY_MISMATCH)));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_energy);
  for (guint i = 0; i < n_energy; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);
      g_autofree char *sentence = anx_alarm_describe_json (anx_store_item_get_string (item, "kind"),
                                                           anx_store_item_get_string (item, "evidence"));
      g_autoptr(GRegex) numbers = g_regex_new ("[0-9]+\\.[0-9]{2} kWh.*[0-9]+\\.[0-9]{2} kWh.*"
                                               "[+-][0-9]+\\.[0-9] %.*±[0-9]+\\.[0-9] %", 0, 0, NULL);

      /* The numbers of the deviation, in either language. */
      g_test_message ("%s: %s", anx_store_item_get_string (item, "charger_code"), sentence);
      /* The console's own and the server's alike. */
      g_assert_true (g_regex_match (numbers, sentence, 0, NULL));
    }
  gtk_drop_down_set_selected (kind, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_all);

  gtk_drop_down_set_selected (state, 1 /* open */);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_open);
  gtk_drop_down_set_selected (state, 4 /* closed or cleared */);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);
      const char *s = anx_store_item_get_string (item, "state");

      g_assert_true (g_strcmp0 (s, ANX_ALARM_STATE_CLOSED) == 0 || g_strcmp0 (s, ANX_ALARM_STATE_CLEARED) == 0);
    }
  gtk_drop_down_set_selected (state, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_all);

  /* Each operator's alarms add up to all of them. */
  {
    guint sum = 0;

    for (guint i = 1; i < g_list_model_get_n_items (gtk_drop_down_get_model (operator)); i++)
      {
        gtk_drop_down_set_selected (operator, i);
        n_filtered = g_list_model_get_n_items (rows);
        g_assert_cmpuint (n_filtered, <=, n_all);
        sum += n_filtered;
      }
    gtk_drop_down_set_selected (operator, 0);
    g_assert_cmpuint (sum, ==, n_all);
  }

  /* The last hour: nothing older. */
  gtk_drop_down_set_selected (range, 1);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_assert_cmpint (anx_store_item_get_int (item, "raised_at_us"), >=,
                       g_get_real_time () - (gint64) 3660 * G_USEC_PER_SEC);
    }
  gtk_drop_down_set_selected (range, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_all);

  /* One query for all the station names, not one per row. */
  g_assert_cmpuint (anx_alarms_page_get_n_cached_chargers (page), >, 0);
}

/* A new critical alarm while the window is away: a desktop notification
 * whose default action brings the window back on that alarm. */
static void
check_notification (AnxApplication *app,
                    GtkWindow      *window,
                    AnxAlarmsPage  *page)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  Notifications notifications = { 0 };
  gboolean acquired = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkBitset) selected = NULL;
  Raise raise = { NULL, 0 };
  g_autofree char *code = NULL;
  GtkWidget *other;
  guint registration;
  guint owner;

  g_assert_nonnull (bus);
  registration = g_dbus_connection_register_object (bus, "/org/gtk/Notifications",
                                                    info->interfaces[0], &vtable, &notifications,
                                                    NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        on_name_acquired, NULL, &acquired, NULL);
  anx_test_run_until (name_acquired, &acquired, 10, "org.gtk.Notifications");

  /* A charger without an active seal alarm. */
  {
    sqlite3 *db = anx_store_get_read_db (anx_application_get_store (app));
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT code FROM chargers c WHERE NOT EXISTS (SELECT 1 "
                                             "FROM alarms a WHERE a.charger_code = c.code AND "
                                             "a.kind = 'seal-opened') ORDER BY code LIMIT 1",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
  }

  /* Away: another window has the focus (without a window manager, GDK
   * gives it with XSetInputFocus). */
  other = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (other), 200, 100);
  gtk_window_present (GTK_WINDOW (other));
  anx_test_run_until (window_inactive, window, 10, "the console window to lose the focus");

  raise.charger_code = code;
  g_assert_true (anx_store_write_sync (anx_application_get_store (app), raise_seal_opened, &raise, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raise.alarm_id, >, 0);
  anx_test_run_until (notified, &notifications, 20, "the desktop notification");
  g_test_message ("notification %s: “%s” — %s", notifications.id, notifications.title, notifications.body);
  g_assert_cmpuint (anx_alarms_page_get_n_notifications (page), ==, 1);
  g_assert_nonnull (strstr (notifications.title, code));
  g_assert_nonnull (strstr (notifications.body, "HZ-SEAL-42"));
  g_assert_cmpstr (notifications.default_action, ==, "app.show-alarm");
  g_assert_nonnull (notifications.default_target);
  g_assert_cmpint (g_variant_get_int64 (notifications.default_target), ==, raise.alarm_id);

  /* The default action, as the desktop activates it. */
  g_assert_true (g_str_has_prefix (notifications.default_action, "app."));
  g_action_group_activate_action (G_ACTION_GROUP (app), notifications.default_action + 4,
                                  notifications.default_target);
  anx_test_iterate (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  gtk_window_destroy (GTK_WINDOW (other));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (anx_window_get_view_stack (ANX_WINDOW (window))),
                   ==, "alarms");
  selected = gtk_selection_model_get_selection (anx_alarms_page_get_selection (page));
  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
  {
    g_autoptr(AnxStoreItem) item = g_list_model_get_item (anx_alarms_page_get_rows (page),
                                                          gtk_bitset_get_nth (selected, 0));

    g_assert_cmpint (anx_store_item_get_int (item, "id"), ==, raise.alarm_id);
    g_assert_cmpstr (anx_store_item_get_string (item, "charger_code"), ==, code);
  }

  /* Back at the console, the notification goes. */
  anx_test_run_until (window_active, window, 10, "the console window to have the focus again");
  anx_test_run_until (withdrawn, &notifications, 10, "the notification to be withdrawn");
  g_assert_cmpstr (notifications.removed_id, ==, notifications.id);

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
  g_free (notifications.id);
  g_free (notifications.removed_id);
  g_free (notifications.title);
  g_free (notifications.body);
  g_free (notifications.default_action);
  g_clear_pointer (&notifications.default_target, g_variant_unref);
}

/* The times the view shows (in its cells that are on screen). */
static void
collect_times (GtkWidget  *widget,
               GPtrArray  *times)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      if (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$", text, 0, 0))
        g_ptr_array_add (times, g_strdup (text));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_times (child, times);
}

/* "YYYY-MM-DD HH:MM:SS" moved by @hours. */
static char *
shift_time (const char *text,
            int         hours)
{
  int y, mo, d, h, mi, sec;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) shifted = NULL;

  g_assert_cmpint (sscanf (text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec), ==, 6);
  time = g_date_time_new_utc (y, mo, d, h, mi, sec);
  shifted = g_date_time_add_hours (time, hours);
  return g_date_time_format (shifted, "%Y-%m-%d %H:%M:%S");
}

static guint
count_found (GPtrArray  *wanted,
             GPtrArray  *shown)
{
  guint n = 0;

  for (guint i = 0; i < wanted->len; i++)
    n += g_ptr_array_find_with_equal_func (shown, g_ptr_array_index (wanted, i), g_str_equal, NULL);
  return n;
}

/* The time-zone setting, applied live: the times in view move by the
 * difference between Asia/Shanghai and UTC, and back. */
static void
check_time_zone (AnxApplication *app,
                 GtkWindow      *window,
                 const char     *view,
                 GtkWidget      *page)
{
  GSettings *settings = anx_application_get_settings (app);
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) in_utc = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *shot = NULL;

  g_assert_cmpstr (g_time_zone_get_identifier (anx_display_zone_get_zone (anx_application_get_display_zone (app))),
                   ==, "Asia/Shanghai");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", view);
  anx_test_iterate (300);
  collect_times (page, before);
  g_assert_cmpuint (before->len, >, 0);
  for (guint i = 0; i < before->len; i++)
    g_ptr_array_add (expected, shift_time (g_ptr_array_index (before, i), -8));

  g_settings_set_string (settings, "time-zone", "UTC");
  anx_test_iterate (300);
  collect_times (page, in_utc);
  g_test_message ("%s: %u times shown, e.g. %s, in UTC %s", view, before->len,
                  (char *) g_ptr_array_index (before, 0), (char *) g_ptr_array_index (expected, 0));
  g_test_message ("%s: after the change %u times shown, e.g. %s", view, in_utc->len,
                  in_utc->len > 0 ? (char *) g_ptr_array_index (in_utc, 0) : "none");
  /* Most rows are still in view (live updates may move a few). */
  g_assert_cmpuint (count_found (expected, in_utc) * 2, >=, before->len);
  g_assert_cmpuint (count_found (before, in_utc) * 2, <, before->len);
  shot = g_strdup_printf ("console-%s-utc", view);
  g_free (anx_test_screenshot (GTK_WIDGET (window), shot));

  g_settings_set_string (settings, "time-zone", "Asia/Shanghai");
  anx_test_iterate (300);
  collect_times (page, after);
  g_assert_cmpuint (count_found (before, after) * 2, >=, before->len);
  g_assert_cmpuint (count_found (expected, after) * 2, <, before->len);
}

static void
test_views (void)
{
  g_autofree char *truth_path = g_build_filename (test_dir, "truth.jsonl", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "21",
                          "--backfill-days", "1",
                          /* Enough of each kind on 320 chargers that every view and filter has some.
                           * The day backfilled ends now, so which sessions it holds changes
                           * with the time of day: about 150, and at 0.02 a day without an
                           * over-billed one came up (CI, 22:50 UTC); at 0.06 that is e^-9. */
                          "--anomalies", "over-billing=0.06,amount-manipulation=0.01,forged-signature=0.005,"
                          "chain-fork=0.005,seal-opened=0.005,offline=0.005",
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
  anx_test_run_until (synced, &sync, 90, "the console to sync and plot every station");
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
  anx_test_run_until (sessions_match, &sync, 30, "live sessions, and the sessions view to match the store");
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

  check_alarm_filters (app, feedd, alarms_page);

  /* Acknowledge several open alarms at once, as the button does: the
   * selection, the action, the store, the outbox and, for the alarms the
   * server raised too, the server. */
  {
    GtkSelectionModel *selection = anx_alarms_page_get_selection (alarms_page);
    g_autoptr(GPtrArray) ids = g_ptr_array_new ();
    ServerAck server_ack = { feedd, g_ptr_array_new_with_free_func (g_free) };

    gtk_selection_model_unselect_all (selection);
    for (guint i = 0; i < g_list_model_get_n_items (alarm_rows) && ids->len < 3; i++)
      {
        g_autoptr(AnxStoreItem) item = g_list_model_get_item (alarm_rows, i);

        if (g_strcmp0 (anx_store_item_get_string (item, "source"), "console") != 0 ||
            g_strcmp0 (anx_store_item_get_string (item, "state"), ANX_ALARM_STATE_OPEN) != 0)
          continue;
        gtk_selection_model_select_item (selection, i, FALSE);
        g_ptr_array_add (ids, GINT_TO_POINTER ((int) anx_store_item_get_int (item, "id")));
        if (anx_store_item_get_int (item, "disagrees") == 0)
          g_ptr_array_add (server_ack.keys,
                           g_strdup_printf ("%s %s", anx_store_item_get_string (item, "charger_code"),
                                            anx_store_item_get_string (item, "kind")));
      }
    g_assert_cmpuint (ids->len, >=, 2);
    g_test_message ("acknowledging %u alarms together, %u of them the server's too", ids->len,
                    server_ack.keys->len);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (alarms_page), "alarms.acknowledge", NULL));
    for (guint i = 0; i < ids->len; i++)
      {
        Ack ack = { app, GPOINTER_TO_INT (g_ptr_array_index (ids, i)), FALSE };

        anx_test_run_until (acknowledged_and_delivered, &ack, 30, "the acknowledgements in the store");
      }
    if (server_ack.keys->len > 0)
      {
        Ack ack = { app, GPOINTER_TO_INT (g_ptr_array_index (ids, 0)), TRUE };

        anx_test_run_until (acknowledged_and_delivered, &ack, 30, "the outbox to deliver");
        anx_test_run_until (server_acknowledged, &server_ack, 30, "the server to have the acknowledgements");
      }
    g_ptr_array_unref (server_ack.keys);
    gtk_selection_model_unselect_all (selection);
  }

  /* The map follows the alarm selected, and win.show-alarm selects one. */
  {
    GtkSelectionModel *selection = anx_alarms_page_get_selection (alarms_page);
    guint last = g_list_model_get_n_items (alarm_rows) - 1;
    g_autoptr(AnxStoreItem) first = g_list_model_get_item (alarm_rows, 0);
    g_autoptr(AnxStoreItem) other = g_list_model_get_item (alarm_rows, last);
    g_autofree char *first_station = station_of_charger (app, anx_store_item_get_string (first, "charger_code"));
    g_autofree char *other_station = station_of_charger (app, anx_store_item_get_string (other, "charger_code"));
    g_autoptr(GtkBitset) selected = NULL;
    gint64 other_id = anx_store_item_get_int (other, "id");

    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "alarms");
    gtk_selection_model_select_item (selection, 0, TRUE);
    g_assert_true (map_centred_on (map_page, first_station));
    gtk_selection_model_select_item (selection, last, TRUE);
    g_assert_true (map_centred_on (map_page, other_station));
    /* Still the list in view: the officer goes on through it. */
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (anx_window_get_view_stack (ANX_WINDOW (window))),
                     ==, "alarms");

    if (g_strcmp0 (anx_store_item_get_string (other, "source"), "console") == 0)
      {
        GtkDropDown *kind = GTK_DROP_DOWN (page_child (alarms_page, ANX_TYPE_ALARMS_PAGE, "kind_dropdown"));
        const char *hiding = g_strcmp0 (anx_store_item_get_string (other, "kind"), ANX_ALARM_SEAL_OPENED) == 0
                               ? ANX_ALARM_OFFLINE
                               : ANX_ALARM_SEAL_OPENED;

        gtk_selection_model_unselect_all (selection);
        /* A filter that hides the alarm gives way. */
        gtk_drop_down_set_selected (kind, dropdown_find (kind, anx_alarm_kind_get_title (hiding)));
        gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "map");
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-alarm", "x", other_id));
        g_assert_cmpuint (gtk_drop_down_get_selected (kind), ==, 0);
        g_assert_cmpstr (adw_view_stack_get_visible_child_name (anx_window_get_view_stack (ANX_WINDOW (window))),
                         ==, "alarms");
        selected = gtk_selection_model_get_selection (selection);
        g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
        g_assert_cmpuint (gtk_bitset_get_nth (selected, 0), ==, last);
      }
    gtk_selection_model_unselect_all (selection);
  }

  check_map (app, feedd, map_page);
  check_show_station (app, window, map_page);
  check_sessions (app, window, ANX_SESSIONS_PAGE (template_child (GTK_WIDGET (window), "sessions_page")));
  check_time_zone (app, window, "sessions", template_child (GTK_WIDGET (window), "sessions_page"));
  check_time_zone (app, window, "alarms", GTK_WIDGET (alarms_page));

  /* A station's chargers in the side panel. */
  anx_map_page_show_station (map_page, anx_map_points_get_id (anx_map_page_get_points (map_page), 0));
  g_assert_cmpuint (g_list_model_get_n_items (anx_map_page_get_station_chargers (map_page)), >, 0);

  screenshots (window, 1280, 800);
  screenshots (window, 1920, 1080);

  /* The legend and the layer in the dark style. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "map");
  anx_test_iterate (400);
  g_free (screenshot_after_paint (window, "console-map-dark-1920x1080"));
  gtk_window_set_default_size (window, 1280, 800);
  anx_test_iterate (400);
  g_free (screenshot_after_paint (window, "console-map-dark-1280x800"));
  g_assert_true (anx_map_legend_is_dark (ANX_MAP_LEGEND (anx_test_find_widget_of_type (GTK_WIDGET (window),
                                                                                     ANX_TYPE_MAP_LEGEND))));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  g_assert_false (anx_map_legend_is_dark (ANX_MAP_LEGEND (anx_test_find_widget_of_type (GTK_WIDGET (window),
                                                                                      ANX_TYPE_MAP_LEGEND))));
  gtk_widget_activate_action (GTK_WIDGET (map_page), "map.close-station", NULL);

  check_notification (app, window, alarms_page);

  /* The server goes away: the indicator must say so. */
  anx_test_feedd_kill (feedd);
  anx_test_run_until (indicator_left_live, indicator, 40, "the indicator to leave \"live\"");
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
  int status;

  /* Before anything touches libsecret. */
  test_dir = anx_test_console_dir_new ("anxin-console-views-XXXXXX");

  anx_test_display_init (&argc, &argv);
  g_test_add_func ("/console/views", test_views);
  status = g_test_run ();

  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}

/* anx-wall-window.c: the unattended, full-screen, read-only wall display
 *
 * Key figures, the map with open alarms and a ticker of the newest alarms,
 * computed from the console's store. Every figure says how old its data is;
 * when the feed is lost the last figures stay, marked stale with their age
 * and the reason, until the feed client recovers by itself.
 *
 * Read-only by construction: the window installs no action that writes,
 * shadows the application's action group with one that only quits, and
 * offers no button or menu. It runs with a viewer token.
 *
 * Its dark palette comes from the `wall` style class (anx-wall-window.css),
 * so the main window keeps the user's colour scheme: libadwaita 1.2 has
 * no per-window colour scheme.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-wall-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <shumate/shumate.h>

#include "anx-alarm-rules.h"
#include "anx-basemap-layer.h"
#include "anx-basemap-sources.h"
#include "anx-geo.h"
#include "anx-map-points.h"
#include "anx-query-model.h"
#include "anx-wall-window.h"

#define HANGZHOU_LATITUDE  30.26
#define HANGZHOU_LONGITUDE 120.19
#define HANGZHOU_ZOOM      11.0
#define FOCUS_ZOOM         14.0
/* A second Esc within this time leaves full screen. */
#define ESC_CONFIRM_US     (3 * G_USEC_PER_SEC)
/* Key figures reload at most this often, however busy the feed. */
#define KPI_INTERVAL_MS    2000
#define MAP_INTERVAL_MS    2000
/* Layout reference: type is sized for this height, then scaled. */
#define REFERENCE_HEIGHT   1080.0
#define BASE_FONT_PX       20.0

struct _AnxWallWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  AnxStore             *store;
  AnxFeedClient        *client;
  AnxQueryModel        *kpi;
  AnxQueryModel        *alarms;
  AnxQueryModel        *stations;
  gint64                day_start_us;
  AnxMapPoints         *points;
  AnxChargerLayer      *charger_layer;
  ShumateMap           *map;
  GtkCssProvider       *css;
  char                 *static_css;
  double                font_px;
  double                layout_factor;
  GTimeZone            *zone;
  GSimpleActionGroup   *app_actions;

  guint                 tick_id;
  guint                 rotate_id;
  guint                 rebuild_id;
  guint                 hint_id;
  guint                 css_id;
  guint                 inhibit_cookie;
  gint64                last_live_mono; /* when the data on screen was last known current */
  gint64                esc_mono;
  gboolean              want_fullscreen;
  gboolean              stale;
  char                 *view;
  GListModel           *monitors;

  GHashTable           *tiles; /* name → AnxWallTile (owned by the grid) */

  /* Template widgets */
  GtkRevealer          *header_revealer;
  GtkLabel             *status_label;
  GtkLabel             *clock_label;
  GtkRevealer          *stale_revealer;
  GtkLabel             *stale_label;
  GtkGrid              *tile_grid;
  GtkOverlay           *map_overlay;
  GtkWidget            *focus_card;
  GtkLabel             *focus_title;
  GtkLabel             *focus_detail;
  GtkLabel             *map_age_label;
  GtkLabel             *ticker_age_label;
  AnxAlarmTicker       *ticker;
  GtkRevealer          *exit_hint;
};

G_DEFINE_FINAL_TYPE (AnxWallWindow, anx_wall_window, ADW_TYPE_APPLICATION_WINDOW)

static const struct
{
  const char *name;
  const char *title;
} tile_defs[] = {
  { "online", N_("Chargers online") },
  { "charging", N_("Charging") },
  { "faulted", N_("Faulted") },
  { "offline", N_("Offline") },
  { "sessions", N_("Live sessions") },
  { "energy", N_("Energy today") },
  { "critical", N_("Critical alarms") },
  { "warning", N_("Warnings") },
  { "notice", N_("Notices") },
  { "chain-failures", N_("Chain failures today") },
};

static const char *const views[] = { "overview", "map", "critical" };

/* Per station: chargers by state and the worst open alarm (as the map page). */
static const char stations_sql[] =
  "SELECT CAST(s.id AS TEXT), s.latitude, s.longitude, s.datum, "
  "CAST(s.operator_id AS TEXT) AS operator_id, "
  "coalesce(sum(c.status = 'charging'), 0) AS n_charging, "
  "coalesce(sum(c.status IN ('available', 'unknown')), 0) AS n_idle, "
  "coalesce(sum(c.status = 'offline'), 0) AS n_offline, "
  "coalesce(sum(c.status = 'fault'), 0) AS n_fault, "
  "(SELECT coalesce(max(CASE a.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END), 0) "
  " FROM alarms a JOIN chargers c2 ON c2.code = a.charger_code WHERE c2.station_id = s.id AND "
  " a.state IN ('open', 'acknowledged', 'inspection-scheduled')) AS severity "
  "FROM stations s LEFT JOIN chargers c ON c.station_id = s.id GROUP BY s.id ORDER BY s.code";

static AnxWallTile *
tile (AnxWallWindow *self,
      const char    *name)
{
  return g_hash_table_lookup (self->tiles, name);
}

/* "data 12 s old" / "data 4 min old" */
static char *
format_age (gint64 seconds)
{
  if (seconds < 120)
    /* Translators: how old the data on the wall display is, in seconds */
    return g_strdup_printf (_("data %d s old"), (int) MAX (seconds, 0));
  if (seconds < 2 * 3600)
    /* Translators: how old the data on the wall display is, in minutes */
    return g_strdup_printf (_("data %d min old"), (int) (seconds / 60));
  /* Translators: how old the data on the wall display is, in hours */
  return g_strdup_printf (_("data %d h old"), (int) (seconds / 3600));
}

static char *
format_count (gint64 n)
{
  /* %'d groups thousands the locale's way. */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static AnxFeedClientState
client_state (AnxWallWindow *self)
{
  return self->client != NULL ? anx_feed_client_get_state (self->client) : ANX_FEED_CLIENT_STOPPED;
}

/* Why the data is not live, in words. */
static char *
stale_reason (AnxWallWindow *self)
{
  const char *error = self->client != NULL ? anx_feed_client_get_last_error (self->client) : NULL;

  switch (client_state (self))
    {
    case ANX_FEED_CLIENT_STOPPED:
      return g_strdup (_("Not connected to a feed"));
    case ANX_FEED_CLIENT_CONNECTING:
      return g_strdup (_("Connecting to the feed…"));
    case ANX_FEED_CLIENT_SYNCING:
      return g_strdup (_("Catching up with the feed…"));
    case ANX_FEED_CLIENT_RECONNECTING:
      {
        gint64 wait = (anx_feed_client_get_next_attempt (self->client) - g_get_real_time () +
                       G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

        /* Translators: %1$s is why the feed was lost, %2$d a number of seconds */
        return g_strdup_printf (_("Feed lost: %1$s. Reconnecting in %2$d s"),
                                error != NULL ? error : _("connection closed"),
                                (int) MAX (wait, 0));
      }
    case ANX_FEED_CLIENT_STALE:
      return g_strdup (_("The feed stopped sending data"));
    case ANX_FEED_CLIENT_UNAUTHORIZED:
      return g_strdup (_("The feed refused the access token"));
    case ANX_FEED_CLIENT_INCOMPATIBLE:
      return g_strdup (_("The feed server is incompatible"));
    case ANX_FEED_CLIENT_BAD_CERTIFICATE:
      return g_strdup (_("The feed's certificate is not trusted"));
    case ANX_FEED_CLIENT_LIVE:
    default:
      return NULL;
    }
}

static gint64
data_age (AnxWallWindow *self)
{
  if (self->last_live_mono == 0)
    return -1;
  return (g_get_monotonic_time () - self->last_live_mono) / G_USEC_PER_SEC;
}

static void
anx_wall_window_update_freshness (AnxWallWindow *self)
{
  AnxFeedClientState state = client_state (self);
  g_autofree char *age = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autofree char *clock = g_date_time_format (now, "%X");
  GHashTableIter iter;
  gpointer value;
  gboolean stale;

  if (state == ANX_FEED_CLIENT_LIVE)
    {
      gint64 feed_age = anx_feed_client_get_data_age (self->client);

      self->last_live_mono = g_get_monotonic_time () - MAX (feed_age, 0) * G_USEC_PER_SEC;
    }

  stale = state != ANX_FEED_CLIENT_LIVE;
  age = data_age (self) >= 0 ? format_age (data_age (self)) : g_strdup (_("no data yet"));

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    anx_wall_tile_set_age (value, age, stale);

  gtk_label_set_label (self->map_age_label, age);
  gtk_label_set_label (self->ticker_age_label, age);
  if (stale)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->map_overlay), "wall-stale");
      gtk_widget_add_css_class (GTK_WIDGET (self->map_age_label), "wall-stale");
      gtk_widget_add_css_class (GTK_WIDGET (self->ticker_age_label), "wall-stale");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->map_overlay), "wall-stale");
      gtk_widget_remove_css_class (GTK_WIDGET (self->map_age_label), "wall-stale");
      gtk_widget_remove_css_class (GTK_WIDGET (self->ticker_age_label), "wall-stale");
    }

  reason = stale_reason (self);
  if (stale)
    {
      /* Translators: the banner over stale data: its age ("data 4 min old"), then why */
      g_autofree char *text = g_strdup_printf (_("STALE — %1$s. %2$s"), age, reason);

      if (g_strcmp0 (text, gtk_label_get_label (self->stale_label)) != 0)
        gtk_label_set_label (self->stale_label, text);
    }
  /* Shown or gone, never half-way: no space is kept for it while live. */
  gtk_widget_set_visible (GTK_WIDGET (self->stale_revealer), stale);
  gtk_revealer_set_reveal_child (self->stale_revealer, stale);
  gtk_label_set_label (self->status_label, stale ? _("Stale") : _("Live"));
  gtk_label_set_label (self->clock_label, clock);
  self->stale = stale;
}

static void
anx_wall_window_update_alarm_tiles (AnxWallWindow *self)
{
  guint counts[3] = { 0, 0, 0 }; /* notice, warning, critical */
  guint n = self->alarms != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->alarms)) : 0;
  static const char *const names[] = { "notice", "warning", "critical" };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
      const char *severity = anx_store_item_get_string (item, "severity");

      if (g_strcmp0 (severity, "critical") == 0)
        counts[2]++;
      else if (g_strcmp0 (severity, "warning") == 0)
        counts[1]++;
      else
        counts[0]++;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *text = format_count (counts[i]);

      anx_wall_tile_set_value (tile (self, names[i]), text, _("open, console and server"));
    }
  anx_wall_tile_set_level (tile (self, "critical"), counts[2] > 0 ? ANX_WALL_TILE_CRITICAL
                                                                  : ANX_WALL_TILE_NORMAL);
  anx_wall_tile_set_level (tile (self, "warning"), counts[1] > 0 ? ANX_WALL_TILE_WARNING
                                                                 : ANX_WALL_TILE_NORMAL);
}

static void
anx_wall_window_update_kpi (AnxWallWindow *self)
{
  g_autoptr(AnxStoreItem) row = NULL;
  g_autofree char *online = NULL;
  g_autofree char *of_total = NULL;
  g_autofree char *total = NULL;
  g_autofree char *charging = NULL;
  g_autofree char *faulted = NULL;
  g_autofree char *offline = NULL;
  g_autofree char *sessions = NULL;
  g_autofree char *energy = NULL;
  g_autofree char *failures = NULL;
  gint64 n_chargers;
  gint64 n_fault;
  gint64 n_failures;

  if (self->kpi == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->kpi)) == 0)
    return;

  row = g_list_model_get_item (G_LIST_MODEL (self->kpi), 0);
  n_chargers = anx_store_item_get_int (row, "n_chargers");
  n_fault = anx_store_item_get_int (row, "n_fault");
  n_failures = anx_store_item_get_int (row, "n_chain_failures");

  online = format_count (anx_store_item_get_int (row, "n_online"));
  /* Translators: under "Chargers online": of how many in the registry */
  total = format_count (n_chargers);
  of_total = g_strdup_printf (_("of %s in the registry"), total);
  anx_wall_tile_set_value (tile (self, "online"), online, of_total);
  charging = format_count (anx_store_item_get_int (row, "n_charging"));
  anx_wall_tile_set_value (tile (self, "charging"), charging, _("chargers delivering energy"));
  faulted = format_count (n_fault);
  anx_wall_tile_set_value (tile (self, "faulted"), faulted, _("chargers reporting a fault"));
  anx_wall_tile_set_level (tile (self, "faulted"),
                           n_fault > 0 ? ANX_WALL_TILE_WARNING : ANX_WALL_TILE_NORMAL);
  offline = format_count (anx_store_item_get_int (row, "n_offline"));
  anx_wall_tile_set_value (tile (self, "offline"), offline, _("no heartbeat"));
  sessions = format_count (anx_store_item_get_int (row, "n_sessions"));
  anx_wall_tile_set_value (tile (self, "sessions"), sessions, _("charging sessions running"));
  /* Translators: energy in megawatt hours */
  energy = g_strdup_printf (_("%.1f MWh"), anx_store_item_get_int (row, "energy_wh") / 1e6);
  anx_wall_tile_set_value (tile (self, "energy"), energy, _("billed since midnight"));
  failures = format_count (n_failures);
  anx_wall_tile_set_value (tile (self, "chain-failures"), failures,
                           _("records that failed verification"));
  anx_wall_tile_set_level (tile (self, "chain-failures"),
                           n_failures > 0 ? ANX_WALL_TILE_CRITICAL : ANX_WALL_TILE_NORMAL);
}

/* Midnight in Asia/Shanghai, by the feed's clock when there is one. */
static gint64
day_start (AnxWallWindow *self)
{
  gint64 now_us = g_get_real_time ();
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) midnight = NULL;

  if (self->client != NULL && anx_feed_client_get_newest_time (self->client) > 0)
    now_us = anx_feed_client_get_newest_time (self->client);
  now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  if (now == NULL)
    return 0;
  {
    g_autoptr(GDateTime) local = g_date_time_to_timezone (now, self->zone);

    midnight = g_date_time_new (self->zone, g_date_time_get_year (local),
                                g_date_time_get_month (local),
                                g_date_time_get_day_of_month (local), 0, 0, 0);
  }
  return midnight != NULL ? g_date_time_to_unix (midnight) * G_USEC_PER_SEC : 0;
}

static void
anx_wall_window_rebuild_kpi (AnxWallWindow *self)
{
  g_autofree char *sql = NULL;

  if (self->kpi != NULL)
    g_signal_handlers_disconnect_by_data (self->kpi, self);
  g_clear_object (&self->kpi);
  if (self->store == NULL)
    return;

  self->day_start_us = day_start (self);
  sql = g_strdup_printf (
      "SELECT 'kpi', (SELECT count(*) FROM chargers) AS n_chargers, "
      "(SELECT count(*) FROM chargers WHERE status IN ('available', 'charging')) AS n_online, "
      "(SELECT count(*) FROM chargers WHERE status = 'charging') AS n_charging, "
      "(SELECT count(*) FROM chargers WHERE status = 'fault') AS n_fault, "
      "(SELECT count(*) FROM chargers WHERE status = 'offline') AS n_offline, "
      "(SELECT count(*) FROM sessions) AS n_sessions, "
      "(SELECT coalesce(sum(billed_wh), 0) FROM records WHERE recorded_at_us >= %" G_GINT64_FORMAT
      ") AS energy_wh, "
      "(SELECT count(*) FROM records WHERE recorded_at_us >= %" G_GINT64_FORMAT
      " AND n_findings > 0) AS n_chain_failures",
      self->day_start_us, self->day_start_us);
  self->kpi = anx_query_model_new (self->store, sql,
                                   ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS |
                                     ANX_STORE_CHANGED_SESSIONS | ANX_STORE_CHANGED_RECORDS);
  anx_query_model_set_min_interval (self->kpi, KPI_INTERVAL_MS);
  g_signal_connect_swapped (self->kpi, "items-changed", G_CALLBACK (anx_wall_window_update_kpi),
                            self);
  anx_wall_window_update_kpi (self);
}

static void
anx_wall_window_rebuild_points (AnxWallWindow *self)
{
  guint n = self->stations != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->stations)) : 0;

  anx_map_points_clear (self->points);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->stations), i);
      AnxGeoDatum datum = ANX_GEO_DATUM_WGS84;
      guint counts[ANX_MAP_N_STATES];
      double latitude;
      double longitude;
      guint index;

      if (!anx_geo_datum_from_string (anx_store_item_get_string (item, "datum"), &datum))
        datum = ANX_GEO_DATUM_WGS84;
      anx_geo_to_wgs84 (datum, anx_store_item_get_double (item, "latitude"),
                        anx_store_item_get_double (item, "longitude"), &latitude, &longitude);
      index = anx_map_points_add (self->points, anx_store_item_get_key (item),
                                  anx_store_item_get_string (item, "operator_id"), latitude,
                                  longitude, i);
      counts[ANX_MAP_STATE_CHARGING] = anx_store_item_get_int (item, "n_charging");
      counts[ANX_MAP_STATE_IDLE] = anx_store_item_get_int (item, "n_idle");
      counts[ANX_MAP_STATE_OFFLINE] = anx_store_item_get_int (item, "n_offline");
      counts[ANX_MAP_STATE_FAULT] = anx_store_item_get_int (item, "n_fault");
      anx_map_points_set_status (self->points, index, counts,
                                 (AnxMapSeverity) CLAMP (anx_store_item_get_int (item, "severity"),
                                                         ANX_MAP_SEVERITY_NONE,
                                                         ANX_MAP_SEVERITY_CRITICAL));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->charger_layer));
}

static gboolean
on_rebuild_timeout (gpointer user_data)
{
  AnxWallWindow *self = user_data;

  self->rebuild_id = 0;
  anx_wall_window_rebuild_points (self);
  return G_SOURCE_REMOVE;
}

static void
on_stations_changed (AnxWallWindow *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_timeout_add (250, on_rebuild_timeout, self);
}

/* The newest open critical alarm, or NULL. */
static AnxStoreItem *
newest_critical (AnxWallWindow *self)
{
  guint n = self->alarms != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->alarms)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);

      if (g_strcmp0 (anx_store_item_get_string (item, "severity"), "critical") == 0)
        return g_steal_pointer (&item);
    }
  return NULL;
}

static gboolean
station_of_charger (AnxWallWindow *self,
                    const char    *charger_code,
                    double        *latitude,
                    double        *longitude)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *station = NULL;
  guint index;

  if (self->store == NULL || charger_code == NULL ||
      sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT CAST(station_id AS TEXT) FROM chargers WHERE code = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    station = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (station == NULL || !anx_map_points_lookup (self->points, station, &index))
    return FALSE;
  anx_map_points_get_location (self->points, index, latitude, longitude);
  return TRUE;
}

static void
anx_wall_window_apply_view (AnxWallWindow *self)
{
  ShumateViewport *viewport = shumate_map_get_viewport (self->map);
  gboolean overview = g_strcmp0 (self->view, "overview") == 0;
  gboolean critical = g_strcmp0 (self->view, "critical") == 0;
  g_autoptr(AnxStoreItem) alarm = critical ? newest_critical (self) : NULL;
  double latitude = HANGZHOU_LATITUDE;
  double longitude = HANGZHOU_LONGITUDE;
  double zoom = overview ? HANGZHOU_ZOOM : HANGZHOU_ZOOM + 0.5;

  gtk_widget_set_visible (GTK_WIDGET (self->tile_grid), overview);
  gtk_widget_set_visible (self->focus_card, alarm != NULL);
  if (alarm != NULL)
    {
      const char *kind = anx_store_item_get_string (alarm, "kind");
      const char *code = anx_store_item_get_string (alarm, "charger_code");
      g_autoptr(GDateTime) utc =
          g_date_time_new_from_unix_utc (anx_store_item_get_int (alarm, "raised_at_us") / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, self->zone) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%x %X") : g_strdup ("");
      g_autofree char *detail = NULL;

      gtk_label_set_label (self->focus_title, kind != NULL ? anx_alarm_kind_get_title (kind) : "");
      /* Translators: the charger of the focused alarm, and when it was raised */
      detail = g_strdup_printf (_("Charger %1$s · raised %2$s"), code ?: "", when);
      gtk_label_set_label (self->focus_detail, detail);
      if (station_of_charger (self, code, &latitude, &longitude))
        zoom = FOCUS_ZOOM;
    }
  shumate_location_set_location (SHUMATE_LOCATION (viewport), latitude, longitude);
  /* The same area on a larger screen: a 4K screen shows one level closer. */
  shumate_viewport_set_zoom_level (viewport, zoom + log2 (MAX (self->layout_factor, 0.5)));
}

static void
anx_wall_window_set_view (AnxWallWindow *self,
                          const char    *view)
{
  if (g_strcmp0 (self->view, view) != 0)
    {
      g_free (self->view);
      self->view = g_strdup (view);
    }
  anx_wall_window_apply_view (self);
}

static void
anx_wall_window_next_view (AnxWallWindow *self)
{
  guint current = 0;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_strcmp0 (views[i], self->view) == 0)
      current = i;
  for (guint step = 1; step <= G_N_ELEMENTS (views); step++)
    {
      const char *next = views[(current + step) % G_N_ELEMENTS (views)];
      g_autoptr(AnxStoreItem) critical = NULL;

      /* "Focus the newest critical alarm" only when there is one. */
      if (g_strcmp0 (next, "critical") == 0 && (critical = newest_critical (self)) == NULL)
        continue;
      anx_wall_window_set_view (self, next);
      return;
    }
}

static gboolean
on_rotate (gpointer user_data)
{
  anx_wall_window_next_view (user_data);
  return G_SOURCE_CONTINUE;
}

static void
anx_wall_window_update_rotation (AnxWallWindow *self)
{
  g_clear_handle_id (&self->rotate_id, g_source_remove);
  if (g_settings_get_boolean (self->settings, "wall-rotate"))
    self->rotate_id = g_timeout_add_seconds (MAX (g_settings_get_uint (self->settings,
                                                                       "wall-rotate-interval"),
                                                  5),
                                             on_rotate, self);
  else
    anx_wall_window_set_view (self, "overview");
}

static void
on_alarms_changed (AnxWallWindow *self)
{
  anx_wall_window_update_alarm_tiles (self);
  /* The focused alarm follows the newest critical one. */
  if (g_strcmp0 (self->view, "critical") == 0)
    anx_wall_window_apply_view (self);
}

static void
anx_wall_window_set_store (AnxWallWindow *self,
                           AnxStore      *store)
{
  if (self->store == store)
    return;

  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_data (self->stations, self);
  g_clear_object (&self->alarms);
  g_clear_object (&self->stations);
  g_set_object (&self->store, store);

  if (store != NULL)
    {
      self->alarms = anx_query_model_new_alarms (store, TRUE);
      anx_query_model_set_min_interval (self->alarms, KPI_INTERVAL_MS / 2);
      g_signal_connect_swapped (self->alarms, "items-changed", G_CALLBACK (on_alarms_changed),
                                self);
      self->stations = anx_query_model_new (store, stations_sql,
                                            ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS |
                                              ANX_STORE_CHANGED_ALARMS);
      anx_query_model_set_min_interval (self->stations, MAP_INTERVAL_MS);
      g_signal_connect_swapped (self->stations, "items-changed", G_CALLBACK (on_stations_changed),
                                self);
    }
  anx_alarm_ticker_set_model (self->ticker, self->alarms != NULL ? G_LIST_MODEL (self->alarms) : NULL);
  anx_wall_window_rebuild_kpi (self);
  anx_wall_window_rebuild_points (self);
  anx_wall_window_update_alarm_tiles (self);
}

static void
on_client_notify (AnxWallWindow *self)
{
  anx_wall_window_update_freshness (self);
}

static void
anx_wall_window_set_client (AnxWallWindow *self,
                            AnxFeedClient *client)
{
  if (self->client == client)
    return;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  /* A new client (a new token, a new address) starts without data; what is
   * on screen keeps its age until the new one is live. */
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_swapped (client, "notify::state", G_CALLBACK (on_client_notify), self);
      g_signal_connect_swapped (client, "notify::last-error", G_CALLBACK (on_client_notify), self);
    }
  anx_wall_window_update_freshness (self);
}

static void
on_feed_client_notify (AnxWallWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  anx_wall_window_set_client (self, app != NULL ? anx_application_get_feed_client (ANX_APPLICATION (app))
                                                : NULL);
}

static gboolean
on_tick (gpointer user_data)
{
  AnxWallWindow *self = user_data;

  anx_wall_window_update_freshness (self);
  /* Past midnight, "today" starts again. */
  if (self->store != NULL && day_start (self) != self->day_start_us)
    anx_wall_window_rebuild_kpi (self);
  return G_SOURCE_CONTINUE;
}

/* Type: BASE_FONT_PX at 1080 lines, in proportion above and below, times
 * the text scale setting. */
static void
anx_wall_window_update_css (AnxWallWindow *self)
{
  g_autofree char *css = NULL;
  double scale = g_settings_get_double (self->settings, "wall-text-scale");
  double font_px = round (BASE_FONT_PX * self->layout_factor * scale * 2) / 2;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (font_px == self->font_px)
    return;
  if (self->map != NULL)
    anx_wall_window_apply_view (self);
  self->font_px = font_px;
  css = g_strdup_printf ("%s\nwindow.wall .wall-layout, window.wall .wall-exit-hint-area "
                         "{ font-size: %spx; }\n", self->static_css,
                         g_ascii_dtostr (number, sizeof number, font_px));
  gtk_css_provider_load_from_data (self->css, css, -1);
  /* Five lines at every size: the type grows with the screen, so more lines
   * would not fit a 4K screen once the stale banner is shown. */
  anx_alarm_ticker_set_max_rows (self->ticker, 5);
}

static void
on_text_scale_changed (AnxWallWindow *self)
{
  anx_wall_window_update_css (self);
}

static gboolean
on_css_idle (gpointer user_data)
{
  AnxWallWindow *self = user_data;

  self->css_id = 0;
  anx_wall_window_update_css (self);
  return G_SOURCE_REMOVE;
}

static void
anx_wall_window_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);
  /* The smaller of the two ratios, so that 4:3 and portrait screens fit too;
   * in quarter steps, so that a resize does not change type every pixel. */
  double factor = MIN (height / REFERENCE_HEIGHT, width / (REFERENCE_HEIGHT * 16 / 9));

  factor = CLAMP (round (factor * 4) / 4, 0.5, 4.0);
  GTK_WIDGET_CLASS (anx_wall_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (factor != self->layout_factor)
    {
      self->layout_factor = factor;
      /* Not during allocation: the new type needs a new layout. */
      if (self->css_id == 0)
        self->css_id = g_idle_add (on_css_idle, self);
    }
}

/* The monitor to use: the one remembered by connector, else by index, else
 * the first. */
static GdkMonitor *
anx_wall_window_pick_monitor (AnxWallWindow *self)
{
  g_autofree char *connector = g_settings_get_string (self->settings, "wall-monitor-connector");
  int index = g_settings_get_int (self->settings, "wall-monitor");
  guint n = g_list_model_get_n_items (self->monitors);

  for (guint i = 0; i < n && *connector != '\0'; i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (self->monitors, i);

      if (g_strcmp0 (gdk_monitor_get_connector (monitor), connector) == 0)
        return g_steal_pointer (&monitor);
    }
  if (index >= 0 && (guint) index < n)
    return g_list_model_get_item (self->monitors, index);
  return n > 0 ? g_list_model_get_item (self->monitors, 0) : NULL;
}

static void
anx_wall_window_go_fullscreen (AnxWallWindow *self)
{
  g_autoptr(GdkMonitor) monitor = anx_wall_window_pick_monitor (self);

  self->want_fullscreen = TRUE;
  if (monitor != NULL)
    gtk_window_fullscreen_on_monitor (GTK_WINDOW (self), monitor);
  else
    gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
on_monitors_changed (AnxWallWindow *self)
{
  /* Unplugged: the compositor moves us; replugged: back to our monitor. */
  if (self->want_fullscreen)
    anx_wall_window_go_fullscreen (self);
}

/* Chosen in Preferences: remember that monitor's connector, and move there. */
static void
on_monitor_setting_changed (AnxWallWindow *self)
{
  int index = g_settings_get_int (self->settings, "wall-monitor");
  g_autoptr(GdkMonitor) monitor = NULL;
  g_autofree char *connector = g_settings_get_string (self->settings, "wall-monitor-connector");

  if (index >= 0 && (guint) index < g_list_model_get_n_items (self->monitors))
    monitor = g_list_model_get_item (self->monitors, index);
  if (monitor != NULL && gdk_monitor_get_connector (monitor) != NULL &&
      g_strcmp0 (connector, gdk_monitor_get_connector (monitor)) != 0)
    g_settings_set_string (self->settings, "wall-monitor-connector",
                           gdk_monitor_get_connector (monitor));
  if (self->want_fullscreen)
    anx_wall_window_go_fullscreen (self);
}

static void
on_fullscreened_notify (AnxWallWindow *self)
{
  gtk_revealer_set_reveal_child (self->header_revealer,
                                 !gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

static void
toggle_fullscreen_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);

  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    {
      self->want_fullscreen = FALSE;
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
  else
    anx_wall_window_go_fullscreen (self);
}

static void
on_hint_timeout (gpointer user_data)
{
  AnxWallWindow *self = user_data;

  self->hint_id = 0;
  gtk_revealer_set_reveal_child (self->exit_hint, FALSE);
}

static void
leave_fullscreen_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);
  gint64 now = g_get_monotonic_time ();

  if (!gtk_window_is_fullscreen (GTK_WINDOW (self)) && !self->want_fullscreen)
    return;

  /* A single stray Esc (a cleaner, a cat) must not end the display. */
  if (self->esc_mono == 0 || now - self->esc_mono > ESC_CONFIRM_US)
    {
      self->esc_mono = now;
      gtk_revealer_set_reveal_child (self->exit_hint, TRUE);
      g_clear_handle_id (&self->hint_id, g_source_remove);
      self->hint_id = g_timeout_add_once (ESC_CONFIRM_US / 1000, on_hint_timeout, self);
      return;
    }
  self->esc_mono = 0;
  g_clear_handle_id (&self->hint_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->exit_hint, FALSE);
  self->want_fullscreen = FALSE;
  gtk_window_unfullscreen (GTK_WINDOW (self));
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);
  const char *view = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_strcmp0 (views[i], view) == 0)
      anx_wall_window_set_view (self, view);
}

static void
next_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  anx_wall_window_next_view (ANX_WALL_WINDOW (widget));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "quit", NULL);
}

static void
on_application_notify (AnxWallWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL)
    return;

  /* GTK looks past a group that lacks an action, so every application
   * action but quit gets a disabled stand-in here. */
  {
    g_auto(GStrv) names = g_action_group_list_actions (G_ACTION_GROUP (app));

    for (guint i = 0; names[i] != NULL; i++)
      {
        const GVariantType *type = g_action_group_get_action_parameter_type (G_ACTION_GROUP (app),
                                                                             names[i]);
        g_autoptr(GSimpleAction) blocked = NULL;

        if (g_action_map_lookup_action (G_ACTION_MAP (self->app_actions), names[i]) != NULL)
          continue;
        blocked = g_simple_action_new (names[i], type);
        g_simple_action_set_enabled (blocked, FALSE);
        g_action_map_add_action (G_ACTION_MAP (self->app_actions), G_ACTION (blocked));
      }
  }

  g_signal_connect_object (app, "notify::feed-client", G_CALLBACK (on_feed_client_notify), self,
                           G_CONNECT_SWAPPED);
  anx_wall_window_set_store (self, anx_application_get_store (ANX_APPLICATION (app)));
  on_feed_client_notify (self);
}

static void
anx_wall_window_map (GtkWidget *widget)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  GTK_WIDGET_CLASS (anx_wall_window_parent_class)->map (widget);

  /* No screen blanking while the wall display is shown. */
  if (app != NULL && self->inhibit_cookie == 0)
    self->inhibit_cookie = gtk_application_inhibit (app, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_IDLE,
                                                    _("The wall display is shown"));
}

static void
anx_wall_window_unmap (GtkWidget *widget)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app != NULL && self->inhibit_cookie != 0)
    gtk_application_uninhibit (app, self->inhibit_cookie);
  self->inhibit_cookie = 0;

  GTK_WIDGET_CLASS (anx_wall_window_parent_class)->unmap (widget);
}

static void
anx_wall_window_dispose (GObject *object)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->rotate_id, g_source_remove);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_handle_id (&self->hint_id, g_source_remove);
  g_clear_handle_id (&self->css_id, g_source_remove);
  if (self->monitors != NULL)
    g_signal_handlers_disconnect_by_data (self->monitors, self);
  g_clear_object (&self->monitors);
  anx_wall_window_set_client (self, NULL);
  anx_wall_window_set_store (self, NULL);
  if (self->css != NULL)
    gtk_style_context_remove_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                   GTK_STYLE_PROVIDER (self->css));
  g_clear_object (&self->css);

  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_WALL_WINDOW);

  G_OBJECT_CLASS (anx_wall_window_parent_class)->dispose (object);
}

static void
anx_wall_window_finalize (GObject *object)
{
  AnxWallWindow *self = ANX_WALL_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->points);
  g_clear_object (&self->app_actions);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_pointer (&self->static_css, g_free);
  g_clear_pointer (&self->view, g_free);

  G_OBJECT_CLASS (anx_wall_window_parent_class)->finalize (object);
}

static void
anx_wall_window_class_init (AnxWallWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_wall_window_dispose;
  object_class->finalize = anx_wall_window_finalize;
  widget_class->size_allocate = anx_wall_window_size_allocate;
  widget_class->map = anx_wall_window_map;
  widget_class->unmap = anx_wall_window_unmap;

  g_type_ensure (ANX_TYPE_ALARM_TICKER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-wall-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, header_revealer);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, clock_label);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, stale_revealer);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, stale_label);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, tile_grid);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, map_overlay);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, focus_card);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, focus_title);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, focus_detail);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, map_age_label);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, ticker_age_label);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, ticker);
  gtk_widget_class_bind_template_child (widget_class, AnxWallWindow, exit_hint);

  /* Only ways to look and to leave: nothing here writes. */
  gtk_widget_class_install_action (widget_class, "wall.toggle-fullscreen", NULL,
                                   toggle_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "wall.leave-fullscreen", NULL,
                                   leave_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "wall.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "wall.next-view", NULL, next_view_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "wall.toggle-fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "wall.leave-fullscreen",
                                       NULL);
}

static void
anx_wall_window_init (AnxWallWindow *self)
{
  g_autoptr(ShumateMapSource) source = NULL;
  g_autoptr(GBytes) css = NULL;
  static const GActionEntry app_entries[] = { { "quit", quit_action } };
  ShumateViewport *viewport;
  AnxBasemapLayer *basemap;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (self->zone == NULL)
    self->zone = g_time_zone_new_offset (8 * 3600);
  self->tiles = g_hash_table_new (g_str_hash, g_str_equal);
  self->view = g_strdup ("overview");
  self->layout_factor = 1.0;

  /* The application's actions include preferences that change what the
   * console reads; inside this window "app." means only this group. */
  self->app_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->app_actions), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "app", G_ACTION_GROUP (self->app_actions));

  for (guint i = 0; i < G_N_ELEMENTS (tile_defs); i++)
    {
      GtkWidget *widget = anx_wall_tile_new (_(tile_defs[i].title));

      gtk_widget_set_name (widget, tile_defs[i].name);
      gtk_grid_attach (self->tile_grid, widget, i % 2, i / 2, 1, 1);
      g_hash_table_insert (self->tiles, (gpointer) tile_defs[i].name, widget);
    }

  /* The map: no controls, no input; alarms drawn by the charger layer. */
  source = anx_basemap_sources_new_offline ();
  self->map = shumate_map_new ();
  viewport = shumate_map_get_viewport (self->map);
  shumate_viewport_set_reference_map_source (viewport, source);
  shumate_viewport_set_max_zoom_level (viewport, 18);
  basemap = anx_basemap_layer_new (viewport);
  anx_basemap_layer_load_resource (basemap, ANX_BASEMAP_DEFAULT_RESOURCE, NULL);
  self->points = anx_map_points_new ();
  self->charger_layer = anx_charger_layer_new (viewport, self->points);
  shumate_map_add_layer (self->map, SHUMATE_LAYER (basemap));
  shumate_map_add_layer (self->map, SHUMATE_LAYER (self->charger_layer));
  gtk_widget_set_can_target (GTK_WIDGET (self->map), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self->map), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->charger_layer),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Charging stations"), -1);
  gtk_overlay_set_child (self->map_overlay, GTK_WIDGET (self->map));
  shumate_location_set_location (SHUMATE_LOCATION (viewport), HANGZHOU_LATITUDE,
                                 HANGZHOU_LONGITUDE);
  shumate_viewport_set_zoom_level (viewport, HANGZHOU_ZOOM);

  css = g_resources_lookup_data (RESOURCE_PATH "/anx-wall-window.css", G_RESOURCE_LOOKUP_FLAGS_NONE,
                                 NULL);
  self->static_css = g_strndup (css != NULL ? g_bytes_get_data (css, NULL) : "",
                                css != NULL ? g_bytes_get_size (css) : 0);
  self->css = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                              GTK_STYLE_PROVIDER (self->css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  anx_wall_window_update_css (self);

  self->monitors = g_object_ref (gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self))));
  g_signal_connect_swapped (self->monitors, "items-changed", G_CALLBACK (on_monitors_changed), self);

  g_signal_connect_object (self->settings, "changed::wall-text-scale",
                           G_CALLBACK (on_text_scale_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::wall-monitor",
                           G_CALLBACK (on_monitor_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::wall-rotate",
                           G_CALLBACK (anx_wall_window_update_rotation), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::wall-rotate-interval",
                           G_CALLBACK (anx_wall_window_update_rotation), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_notify), NULL);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened_notify), NULL);
  on_fullscreened_notify (self);

  self->tick_id = g_timeout_add_seconds (1, on_tick, self);
  anx_wall_window_update_rotation (self);
  anx_wall_window_update_freshness (self);
}

/**
 * anx_wall_window_new:
 * @application: the running #AnxApplication, whose store and feed it shows
 *
 * Returns: (transfer full): a new wall display, not yet shown
 */
AnxWallWindow *
anx_wall_window_new (AnxApplication *application)
{
  return g_object_new (ANX_TYPE_WALL_WINDOW, "application", application, NULL);
}

/**
 * anx_wall_window_present_on_monitor:
 * @monitor: a monitor's index in the display's list, or -1 for the remembered one
 *
 * Shows the wall display full screen on @monitor, and remembers it.
 */
void
anx_wall_window_present_on_monitor (AnxWallWindow *self,
                                    int            monitor)
{
  g_return_if_fail (ANX_IS_WALL_WINDOW (self));

  if (monitor >= 0)
    {
      g_autoptr(GdkMonitor) chosen = NULL;

      g_settings_set_int (self->settings, "wall-monitor", monitor);
      if ((guint) monitor < g_list_model_get_n_items (self->monitors))
        chosen = g_list_model_get_item (self->monitors, monitor);
      g_settings_set_string (self->settings, "wall-monitor-connector",
                             chosen != NULL && gdk_monitor_get_connector (chosen) != NULL
                               ? gdk_monitor_get_connector (chosen) : "");
    }
  anx_wall_window_go_fullscreen (self);
  gtk_window_present (GTK_WINDOW (self));
}

/**
 * anx_wall_window_get_monitor:
 *
 * Returns: the index of the monitor the display is meant for, -1 if none
 */
int
anx_wall_window_get_monitor (AnxWallWindow *self)
{
  g_autoptr(GdkMonitor) monitor = NULL;

  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), -1);

  monitor = anx_wall_window_pick_monitor (self);
  for (guint i = 0; monitor != NULL && i < g_list_model_get_n_items (self->monitors); i++)
    {
      g_autoptr(GdkMonitor) other = g_list_model_get_item (self->monitors, i);

      if (other == monitor)
        return (int) i;
    }
  return -1;
}

/**
 * anx_wall_window_get_tile:
 * @name: `online`, `charging`, `faulted`, `offline`, `sessions`, `energy`,
 *   `critical`, `warning`, `notice` or `chain-failures`
 *
 * Returns: (transfer none) (nullable): the tile
 */
AnxWallTile *
anx_wall_window_get_tile (AnxWallWindow *self,
                          const char    *name)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return tile (self, name);
}

/**
 * anx_wall_window_get_ticker:
 *
 * Returns: (transfer none): the alarm ticker
 */
AnxAlarmTicker *
anx_wall_window_get_ticker (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return self->ticker;
}

/**
 * anx_wall_window_get_charger_layer:
 *
 * Returns: (transfer none): the map's layer of stations
 */
AnxChargerLayer *
anx_wall_window_get_charger_layer (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return self->charger_layer;
}

/**
 * anx_wall_window_get_stale:
 *
 * Returns: whether the display shows its data as stale
 */
gboolean
anx_wall_window_get_stale (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), FALSE);

  return self->stale && gtk_revealer_get_reveal_child (self->stale_revealer);
}

/**
 * anx_wall_window_get_stale_text:
 *
 * Returns: the banner's text (kept after recovery, hidden)
 */
const char *
anx_wall_window_get_stale_text (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return gtk_label_get_label (self->stale_label);
}

/**
 * anx_wall_window_get_map_age:
 *
 * Returns: the age the map shows
 */
const char *
anx_wall_window_get_map_age (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return gtk_label_get_label (self->map_age_label);
}

/**
 * anx_wall_window_get_view:
 *
 * Returns: `overview`, `map` or `critical`
 */
const char *
anx_wall_window_get_view (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), NULL);

  return self->view;
}

/**
 * anx_wall_window_get_font_size:
 *
 * Returns: the base type size in pixels, after the layout and text scale
 */
double
anx_wall_window_get_font_size (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), 0);

  return self->font_px;
}

/**
 * anx_wall_window_set_monitors:
 * @monitors: (element-type GdkMonitor): the monitors to choose from
 *
 * The display's monitors by default. A test that cannot unplug a monitor
 * from its X server gives a list of its own and takes the monitor out of it
 * and puts it back: the display goes where it would go.
 */
void
anx_wall_window_set_monitors (AnxWallWindow *self,
                              GListModel    *monitors)
{
  g_return_if_fail (ANX_IS_WALL_WINDOW (self));
  g_return_if_fail (G_IS_LIST_MODEL (monitors));

  if (self->monitors != NULL)
    g_signal_handlers_disconnect_by_data (self->monitors, self);
  g_set_object (&self->monitors, monitors);
  g_signal_connect_swapped (self->monitors, "items-changed", G_CALLBACK (on_monitors_changed), self);
  on_monitors_changed (self);
}

/**
 * anx_wall_window_get_inhibit_cookie:
 *
 * Returns: the idle inhibitor's cookie while shown, 0 when the session refused
 */
guint
anx_wall_window_get_inhibit_cookie (AnxWallWindow *self)
{
  g_return_val_if_fail (ANX_IS_WALL_WINDOW (self), 0);

  return self->inhibit_cookie;
}

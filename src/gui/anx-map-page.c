/* anx-map-page.c: the station network on the map, with a station's chargers
 * in a side panel
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-map-page"

#include "config.h"

#include <glib/gi18n.h>
#include <shumate/shumate.h>

#include "anx-alarm-rules.h"
#include "anx-basemap-layer.h"
#include "anx-basemap-sources.h"
#include "anx-geo.h"
#include "anx-map-legend.h"
#include "anx-map-page.h"
#include "anx-map-scale.h"
#include "anx-map-points.h"
#include "anx-query-model.h"

/* Hangzhou's urban core (West Lake to Qianjiang New Town) fills the view. */
#define HANGZHOU_LATITUDE  30.26
#define HANGZHOU_LONGITUDE 120.19
#define HANGZHOU_ZOOM      11.5

/* Model changes come in bursts; the map is rebuilt at most this often. */
#define REBUILD_DELAY_MS 250

struct _AnxMapPage
{
  AdwBin            parent_instance;

  AnxStore         *store;
  AnxQueryModel    *stations;
  AnxQueryModel    *station_chargers;
  char             *station_id;
  AnxMapPoints     *points;
  AnxBasemapLayer  *basemap;
  AnxChargerLayer  *charger_layer;
  guint             rebuild_id;
  AnxQueryModel    *operators;
  GtkStringList    *operator_names;
  GPtrArray        *operator_ids;  /* parallel to operator_names, from 1 */

  /* Template widgets */
  GtkRevealer      *revealer;
  ShumateSimpleMap *map;
  GtkMenuButton    *filter_button;
  GtkDropDown      *operator_dropdown;
  GtkCheckButton   *state_checks[ANX_MAP_N_STATES];
  GtkSwitch        *alarms_only_switch;
  GtkLabel         *station_title;
  GtkLabel         *station_subtitle;
  GtkListBox       *charger_list;
};

G_DEFINE_FINAL_TYPE (AnxMapPage, anx_map_page, ADW_TYPE_BIN)

/* Per station: its chargers counted by state, and its worst open alarm. */
static const char stations_sql[] =
  "SELECT CAST(s.id AS TEXT), s.id, s.code, s.name, s.address, s.district_name, s.latitude, "
  "s.longitude, s.datum, CAST(s.operator_id AS TEXT) AS operator_id, o.name AS operator_name, "
  "count(c.id) AS n_chargers, "
  "coalesce(sum(c.status = 'charging'), 0) AS n_charging, "
  "coalesce(sum(c.status IN ('available', 'unknown')), 0) AS n_idle, "
  "coalesce(sum(c.status = 'offline'), 0) AS n_offline, "
  "coalesce(sum(c.status = 'fault'), 0) AS n_fault, "
  "(SELECT coalesce(max(CASE a.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END), 0) "
  " FROM alarms a JOIN chargers c2 ON c2.code = a.charger_code WHERE c2.station_id = s.id AND "
  " a.state IN ('open', 'acknowledged', 'inspection-scheduled')) AS severity "
  "FROM stations s LEFT JOIN operators o ON o.id = s.operator_id "
  "LEFT JOIN chargers c ON c.station_id = s.id GROUP BY s.id ORDER BY s.code";

static const char *
charger_state_title (const char *status)
{
  if (g_strcmp0 (status, "charging") == 0)
    return _("Charging");
  if (g_strcmp0 (status, "available") == 0)
    return _("Available");
  if (g_strcmp0 (status, "offline") == 0)
    return _("Offline");
  if (g_strcmp0 (status, "fault") == 0)
    return _("Fault");
  return _("Unknown");
}

static void anx_map_page_apply_filter (AnxMapPage *self);

static void
anx_map_page_rebuild_points (AnxMapPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->stations));

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
        {
          g_debug ("Station %s: unknown datum %s, taken as WGS-84", anx_store_item_get_key (item),
                   anx_store_item_get_string (item, "datum"));
          datum = ANX_GEO_DATUM_WGS84;
        }
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
  anx_map_page_apply_filter (self);
}

static gboolean
on_rebuild_timeout (gpointer user_data)
{
  AnxMapPage *self = user_data;

  self->rebuild_id = 0;
  anx_map_page_rebuild_points (self);
  return G_SOURCE_REMOVE;
}

static void
on_stations_changed (AnxMapPage *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_timeout_add (REBUILD_DELAY_MS, on_rebuild_timeout, self);
}

static GtkWidget *
create_charger_row (gpointer item,
                    gpointer user_data)
{
  AnxStoreItem *charger = item;
  const char *kinds = anx_store_item_get_string (charger, "alarm_kinds");
  g_autoptr(GString) subtitle = g_string_new (charger_state_title (anx_store_item_get_string (charger, "status")));
  GtkWidget *row = adw_action_row_new ();
  gint64 power_w = anx_store_item_get_int (charger, "rated_power_w");

  if (power_w > 0)
    g_string_append_printf (subtitle, " · %s %.0f kW",
                            anx_store_item_get_string (charger, "current") != NULL
                              ? anx_store_item_get_string (charger, "current") : "",
                            power_w / 1000.0);

  if (kinds != NULL && *kinds != '\0')
    {
      g_auto(GStrv) split = g_strsplit (kinds, ",", -1);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      for (guint i = 0; split[i] != NULL; i++)
        {
          /* Each is "severity:kind". */
          const char *colon = strchr (split[i], ':');
          const char *kind = colon != NULL ? colon + 1 : split[i];
          gboolean critical = g_str_has_prefix (split[i], "critical:");
          GtkWidget *label = gtk_label_new (anx_alarm_kind_get_title (kind));

          gtk_label_set_xalign (GTK_LABEL (label), 1);
          gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
          /* Short titles on one line, long ones on two. */
          if (g_utf8_strlen (anx_alarm_kind_get_title (kind), -1) > 12)
            {
              gtk_label_set_wrap (GTK_LABEL (label), TRUE);
              gtk_label_set_width_chars (GTK_LABEL (label), 10);
              gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
            }
          gtk_widget_add_css_class (label, critical ? "error" : "warning");
          gtk_widget_add_css_class (label, "caption-heading");
          gtk_box_append (GTK_BOX (box), label);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
    }

  {
    GtkWidget *button = gtk_button_new_from_icon_name ("go-next-symbolic");
    g_autofree char *tooltip =
        /* Translators: %s is a charger's code */
        g_strdup_printf (_("Open Charger %s"), anx_store_item_get_key (charger));

    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class (button, "flat");
    gtk_widget_set_tooltip_text (button, tooltip);
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    tooltip, -1);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-charger");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s",
                                      anx_store_item_get_key (charger));
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), anx_store_item_get_key (charger));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  return row;
}

static void
anx_map_page_update_station_header (AnxMapPage *self)
{
  AnxStoreItem *station;
  g_autofree char *subtitle = NULL;

  if (self->station_id == NULL || self->stations == NULL)
    return;

  station = anx_query_model_find (self->stations, self->station_id, NULL);
  if (station == NULL)
    return;

  gtk_label_set_label (self->station_title, anx_store_item_get_string (station, "name"));
  /* Translators: operator · district · number of chargers */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %d charger",
                                           "%s · %s · %d chargers",
                                           anx_store_item_get_int (station, "n_chargers")),
                              anx_store_item_get_string (station, "operator_name") ?: "",
                              anx_store_item_get_string (station, "district_name") ?: "",
                              (int) anx_store_item_get_int (station, "n_chargers"));
  gtk_label_set_label (self->station_subtitle, subtitle);
}

static void
on_station_activated (AnxMapPage *self,
                      const char *station_id)
{
  anx_map_page_show_station (self, station_id);
}

static void
close_station_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  AnxMapPage *self = ANX_MAP_PAGE (widget);

  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  gtk_list_box_bind_model (self->charger_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->station_chargers);
  g_clear_pointer (&self->station_id, g_free);
}

/* The filter of the popover, applied to the points in place. */
static void
anx_map_page_apply_filter (AnxMapPage *self)
{
  guint mask = 0;
  guint selected = gtk_drop_down_get_selected (self->operator_dropdown);
  const char *operator_id = NULL;
  const char *ids[2] = { NULL, NULL };
  gboolean alarms_only = gtk_switch_get_active (self->alarms_only_switch);
  guint n_visible;
  g_autofree char *label = NULL;

  if (self->points == NULL || self->operator_ids == NULL)
    return;

  for (guint i = 0; i < ANX_MAP_N_STATES; i++)
    if (gtk_check_button_get_active (self->state_checks[i]))
      mask |= 1u << i;
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && selected < self->operator_ids->len)
    operator_id = g_ptr_array_index (self->operator_ids, selected);
  ids[0] = operator_id;

  anx_map_points_set_filter (self->points, mask, alarms_only, operator_id != NULL ? ids : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->charger_layer));

  n_visible = anx_map_points_get_n_visible (self->points);
  if (mask == ANX_MAP_STATE_MASK_ALL && !alarms_only && operator_id == NULL)
    label = g_strdup (_("_Filter"));
  else
    {
      guint n = anx_map_points_get_n_points (self->points);

      /* Translators: the filter button while a filter is on: stations
       * shown, of all stations */
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Filter: %1$u of %2$u station",
                                            "_Filter: %1$u of %2$u stations", n),
                               n_visible, n);
    }
  gtk_menu_button_set_label (self->filter_button, label);
}

static void
on_operators_changed (AnxMapPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->operators));
  g_autofree char *kept = NULL;
  guint selected = gtk_drop_down_get_selected (self->operator_dropdown);
  guint reselect = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);

  if (selected > 0 && selected < self->operator_ids->len)
    kept = g_strdup (g_ptr_array_index (self->operator_ids, selected));

  g_ptr_array_set_size (self->operator_ids, 0);
  g_ptr_array_add (self->operator_ids, g_strdup (""));
  g_ptr_array_add (names, (gpointer) _("All operators"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->operators), i);
      char *name = g_strdup (anx_store_item_get_string (item, "name"));

      g_ptr_array_add (owned, name);
      g_ptr_array_add (names, name);
      g_ptr_array_add (self->operator_ids, g_strdup (anx_store_item_get_key (item)));
      if (kept != NULL && g_strcmp0 (kept, anx_store_item_get_key (item)) == 0)
        reselect = i + 1;
    }
  g_ptr_array_add (names, NULL);

  g_signal_handlers_block_by_func (self->operator_dropdown, anx_map_page_apply_filter, self);
  gtk_string_list_splice (self->operator_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->operator_names)),
                          (const char *const *) names->pdata);
  gtk_drop_down_set_selected (self->operator_dropdown, reselect);
  g_signal_handlers_unblock_by_func (self->operator_dropdown, anx_map_page_apply_filter, self);
  if (kept != NULL && reselect == 0)
    anx_map_page_apply_filter (self);
}

static void
reset_filter_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  AnxMapPage *self = ANX_MAP_PAGE (widget);

  for (guint i = 0; i < ANX_MAP_N_STATES; i++)
    gtk_check_button_set_active (self->state_checks[i], TRUE);
  gtk_switch_set_active (self->alarms_only_switch, FALSE);
  gtk_drop_down_set_selected (self->operator_dropdown, 0);
  anx_map_page_apply_filter (self);
}

/* ANXIN_REPORT_FIRST_FRAME=1 (for bench-console-ui): print the monotonic
 * time of the first painted frame that draws stations, then stop watching. */
static void
on_first_frame_painted (GdkFrameClock *clock,
                        gpointer       user_data)
{
  g_print ("anxin-console: first map frame painted at %" G_GINT64_FORMAT " us\n",
           g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted, user_data);
}

static gboolean
on_first_frame_tick (GtkWidget     *layer,
                     GdkFrameClock *clock,
                     gpointer       user_data)
{
  AnxMapPoints *points = anx_charger_layer_get_points (ANX_CHARGER_LAYER (layer));

  if (points == NULL || anx_map_points_get_n_points (points) == 0 ||
      !gtk_widget_get_mapped (layer))
    return G_SOURCE_CONTINUE;
  /* The points were set before this frame's update: it paints them. */
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_first_frame_painted), NULL);
  return G_SOURCE_REMOVE;
}

static void
anx_map_page_dispose (GObject *object)
{
  AnxMapPage *self = ANX_MAP_PAGE (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_data (self->stations, self);
  g_clear_object (&self->stations);
  g_clear_object (&self->station_chargers);
  if (self->operators != NULL)
    g_signal_handlers_disconnect_by_data (self->operators, self);
  g_clear_object (&self->operators);

  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_MAP_PAGE);

  G_OBJECT_CLASS (anx_map_page_parent_class)->dispose (object);
}

static void
anx_map_page_finalize (GObject *object)
{
  AnxMapPage *self = ANX_MAP_PAGE (object);

  g_clear_object (&self->points);
  g_clear_object (&self->store);
  g_clear_pointer (&self->station_id, g_free);
  g_clear_pointer (&self->operator_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (anx_map_page_parent_class)->finalize (object);
}

static void
anx_map_page_class_init (AnxMapPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_map_page_dispose;
  object_class->finalize = anx_map_page_finalize;

  g_type_ensure (SHUMATE_TYPE_SIMPLE_MAP);
  g_type_ensure (ANX_TYPE_MAP_LEGEND);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-map-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, revealer);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, map);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, station_title);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, station_subtitle);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, charger_list);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, filter_button);
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, operator_dropdown);
  gtk_widget_class_bind_template_child_full (widget_class, "charging_check", FALSE,
                                             G_STRUCT_OFFSET (AnxMapPage, state_checks[ANX_MAP_STATE_CHARGING]));
  gtk_widget_class_bind_template_child_full (widget_class, "idle_check", FALSE,
                                             G_STRUCT_OFFSET (AnxMapPage, state_checks[ANX_MAP_STATE_IDLE]));
  gtk_widget_class_bind_template_child_full (widget_class, "offline_check", FALSE,
                                             G_STRUCT_OFFSET (AnxMapPage, state_checks[ANX_MAP_STATE_OFFLINE]));
  gtk_widget_class_bind_template_child_full (widget_class, "fault_check", FALSE,
                                             G_STRUCT_OFFSET (AnxMapPage, state_checks[ANX_MAP_STATE_FAULT]));
  gtk_widget_class_bind_template_child (widget_class, AnxMapPage, alarms_only_switch);
  gtk_widget_class_bind_template_callback (widget_class, anx_map_page_apply_filter);

  gtk_widget_class_install_action (widget_class, "map.close-station", NULL, close_station_action);
  gtk_widget_class_install_action (widget_class, "map.reset-filter", NULL, reset_filter_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "map.close-station", NULL);
}

static void
anx_map_page_init (AnxMapPage *self)
{
  g_autoptr(ShumateMapSource) source = NULL;
  ShumateViewport *viewport;

  gtk_widget_init_template (GTK_WIDGET (self));

  source = anx_basemap_sources_new_offline ();
  shumate_simple_map_set_map_source (self->map, source);
  viewport = shumate_simple_map_get_viewport (self->map);

  self->basemap = anx_basemap_layer_new (viewport);
  anx_basemap_layer_load_resource (self->basemap, ANX_BASEMAP_DEFAULT_RESOURCE, NULL);
  self->points = anx_map_points_new ();
  self->charger_layer = anx_charger_layer_new (viewport, self->points);
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->basemap));
  shumate_simple_map_add_overlay_layer (self->map, SHUMATE_LAYER (self->charger_layer));

  /* libshumate's scale resizes the window at every zoom step (see
   * AnxMapScale): ours takes its place. */
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_scale (self->map)), FALSE);
  {
    GtkWidget *scale = anx_map_scale_new (viewport);

    gtk_widget_set_halign (scale, GTK_ALIGN_START);
    gtk_widget_set_valign (scale, GTK_ALIGN_END);
    gtk_widget_set_margin_start (scale, 6);
    gtk_widget_set_margin_bottom (scale, 6);
    gtk_widget_set_can_target (scale, FALSE);
    gtk_overlay_add_overlay (GTK_OVERLAY (gtk_widget_get_parent (GTK_WIDGET (self->map))), scale);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->charger_layer),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Charging stations"), -1);
  g_signal_connect_object (self->charger_layer, "station-activated",
                           G_CALLBACK (on_station_activated), self, G_CONNECT_SWAPPED);

  shumate_location_set_location (SHUMATE_LOCATION (viewport), HANGZHOU_LATITUDE,
                                 HANGZHOU_LONGITUDE);
  shumate_viewport_set_zoom_level (viewport, HANGZHOU_ZOOM);

  self->operator_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->operator_ids, g_strdup (""));
  self->operator_names = GTK_STRING_LIST (gtk_drop_down_get_model (self->operator_dropdown));

  if (g_getenv ("ANXIN_REPORT_FIRST_FRAME") != NULL)
    gtk_widget_add_tick_callback (GTK_WIDGET (self->charger_layer), on_first_frame_tick, NULL,
                                  NULL);
}

/**
 * anx_map_page_set_store:
 * @store: (nullable): the console's store
 *
 * Plots the store's stations, and follows them.
 */
void
anx_map_page_set_store (AnxMapPage *self,
                        AnxStore   *store)
{
  g_return_if_fail (ANX_IS_MAP_PAGE (self));

  if (self->store == store)
    return;

  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_data (self->stations, self);
  g_clear_object (&self->stations);
  if (self->operators != NULL)
    g_signal_handlers_disconnect_by_data (self->operators, self);
  g_clear_object (&self->operators);
  g_set_object (&self->store, store);

  if (store != NULL)
    {
      self->stations = anx_query_model_new (store, stations_sql,
                                            ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS |
                                              ANX_STORE_CHANGED_ALARMS);
      g_signal_connect_swapped (self->stations, "items-changed", G_CALLBACK (on_stations_changed),
                                self);
      g_signal_connect_swapped (self->stations, "items-changed",
                                G_CALLBACK (anx_map_page_update_station_header), self);
      self->operators = anx_query_model_new (store,
                                             "SELECT CAST(id AS TEXT), id, name FROM operators "
                                             "ORDER BY name",
                                             ANX_STORE_CHANGED_REGISTRY);
      g_signal_connect_swapped (self->operators, "items-changed",
                                G_CALLBACK (on_operators_changed), self);
      on_operators_changed (self);
    }
  anx_map_page_rebuild_points (self);
}

/**
 * anx_map_page_get_points:
 *
 * Returns: (transfer none): the points the map draws
 */
AnxMapPoints *
anx_map_page_get_points (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return self->points;
}

/**
 * anx_map_page_get_charger_layer:
 *
 * Returns: (transfer none): the layer of stations
 */
AnxChargerLayer *
anx_map_page_get_charger_layer (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return self->charger_layer;
}

/**
 * anx_map_page_show_station:
 * @station_id: a station's id, as the map's points name it
 *
 * Opens the side panel with the station's chargers, their state and open alarms.
 */
void
anx_map_page_show_station (AnxMapPage *self,
                           const char *station_id)
{
  g_autofree char *sql = NULL;
  gint64 id;

  g_return_if_fail (ANX_IS_MAP_PAGE (self));

  if (self->store == NULL || station_id == NULL)
    return;

  id = g_ascii_strtoll (station_id, NULL, 10);
  sql = g_strdup_printf ("SELECT c.code, c.code, c.status, c.current, c.rated_power_w, "
                         "(SELECT group_concat(a.severity || ':' || a.kind, ',') FROM alarms a WHERE a.charger_code = "
                         "c.code AND a.state IN ('open', 'acknowledged', 'inspection-scheduled')) "
                         "AS alarm_kinds FROM chargers c WHERE c.station_id = %" G_GINT64_FORMAT
                         " ORDER BY c.code", id);

  g_free (self->station_id);
  self->station_id = g_strdup (station_id);
  g_clear_object (&self->station_chargers);
  self->station_chargers = anx_query_model_new (self->store, sql,
                                                ANX_STORE_CHANGED_REGISTRY |
                                                  ANX_STORE_CHANGED_CHARGERS |
                                                  ANX_STORE_CHANGED_ALARMS);
  gtk_list_box_bind_model (self->charger_list, G_LIST_MODEL (self->station_chargers),
                           create_charger_row, NULL, NULL);
  anx_map_page_update_station_header (self);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
}

/**
 * anx_map_page_get_station_chargers:
 *
 * Returns: (transfer none) (nullable): the chargers the side panel lists
 */
GListModel *
anx_map_page_get_station_chargers (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return G_LIST_MODEL (self->station_chargers);
}

/**
 * anx_map_page_centre_on_station:
 * @station_id: a station's id, as the map's points name it
 * @zoom_level: the zoom level to show it at, or -1 to keep the zoom unless
 *   the station would be hidden in a cluster
 *
 * Centres the map on the station (at once, so that it works while the map
 * is not shown) and opens its side panel.
 *
 * Returns: %TRUE if the station is on the map
 */
gboolean
anx_map_page_centre_on_station (AnxMapPage *self,
                                const char *station_id,
                                double      zoom_level)
{
  ShumateViewport *viewport;
  double latitude;
  double longitude;
  guint index;

  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), FALSE);

  /* Points are rebuilt in bursts: a station just synced may not be there yet. */
  if (!anx_map_points_lookup (self->points, station_id, &index) && self->rebuild_id != 0)
    {
      g_clear_handle_id (&self->rebuild_id, g_source_remove);
      anx_map_page_rebuild_points (self);
    }
  if (!anx_map_points_lookup (self->points, station_id, &index))
    return FALSE;

  viewport = shumate_simple_map_get_viewport (self->map);
  anx_map_points_get_location (self->points, index, &latitude, &longitude);
  shumate_map_stop_go_to (shumate_simple_map_get_map (self->map));
  if (zoom_level < 0)
    zoom_level = MAX (shumate_viewport_get_zoom_level (viewport),
                      anx_charger_layer_get_cluster_max_zoom (self->charger_layer) + 1);
  shumate_viewport_set_zoom_level (viewport, zoom_level);
  shumate_location_set_location (SHUMATE_LOCATION (viewport), latitude, longitude);
  anx_map_page_show_station (self, station_id);
  return TRUE;
}

/**
 * anx_map_page_follow_charger:
 * @charger_code: a charger's code
 *
 * Centres the map on the charger's station and opens its panel, keeping the
 * zoom level if the station is visible at it.
 *
 * Returns: %TRUE if the charger's station is on the map
 */
gboolean
anx_map_page_follow_charger (AnxMapPage *self,
                             const char *charger_code)
{
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *station_id = NULL;

  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), FALSE);

  if (self->store == NULL || charger_code == NULL)
    return FALSE;
  db = anx_store_get_read_db (self->store);
  if (db == NULL ||
      sqlite3_prepare_v2 (db, "SELECT station_id FROM chargers WHERE code = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    station_id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
  sqlite3_finalize (stmt);

  return station_id != NULL && anx_map_page_centre_on_station (self, station_id, -1);
}

/**
 * anx_map_page_filter_operator:
 * @operator_id: an operator's id, or %NULL or "" for all operators
 *
 * Shows only the stations of one operator, as if chosen in the filter.
 *
 * Returns: %TRUE if the operator is one the map knows
 */
gboolean
anx_map_page_filter_operator (AnxMapPage *self,
                              const char *operator_id)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), FALSE);

  if (self->operator_ids == NULL)
    return FALSE;
  if (operator_id == NULL)
    operator_id = "";

  for (guint i = 0; i < self->operator_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->operator_ids, i), operator_id))
        {
          gtk_drop_down_set_selected (self->operator_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * anx_map_page_get_station_id:
 *
 * Returns: (nullable): the station the side panel shows
 */
const char *
anx_map_page_get_station_id (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return self->station_id;
}

/**
 * anx_map_page_get_map:
 *
 * Returns: (transfer none): the map widget
 */
ShumateSimpleMap *
anx_map_page_get_map (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return self->map;
}

/**
 * anx_map_page_set_map_source:
 * @source: the basemap's source (see anx_basemap_sources_new())
 *
 * Switches the basemap while the map is shown: the built-in offline map is
 * drawn only under a source without tiles.
 */
void
anx_map_page_set_map_source (AnxMapPage       *self,
                             ShumateMapSource *source)
{
  g_return_if_fail (ANX_IS_MAP_PAGE (self));
  g_return_if_fail (SHUMATE_IS_MAP_SOURCE (source));

  shumate_simple_map_set_map_source (self->map, source);
  gtk_widget_set_visible (GTK_WIDGET (self->basemap), !anx_basemap_sources_has_tiles (source));
}

/**
 * anx_map_page_get_map_source:
 *
 * Returns: (transfer none): the basemap's source
 */
ShumateMapSource *
anx_map_page_get_map_source (AnxMapPage *self)
{
  g_return_val_if_fail (ANX_IS_MAP_PAGE (self), NULL);

  return shumate_simple_map_get_map_source (self->map);
}

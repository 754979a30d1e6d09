/* test-map-layers.c: the offline basemap, the charger layer and the MBTiles
 * source in a real ShumateSimpleMap, under Xvfb, in English and Chinese
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "anx-basemap-layer.h"
#include "anx-basemap-sources.h"
#include "anx-charger-layer.h"
#include "anx-map-points.h"
#include "anx-map-scale.h"
#include "anx-test-util.h"
#include "anx-mbtiles-source.h"
#include "anx-test-display.h"
#include "anxin-resources.h"

#define N_STATIONS 12258

typedef struct
{
  GtkWindow        *window;
  ShumateSimpleMap *map;
  ShumateViewport  *viewport;
  AnxBasemapLayer  *basemap;
  AnxChargerLayer  *chargers;
  AnxMapPoints     *points;
} Fixture;

/* Hangzhou's district seats and how many of the stations each gets; the
 * city districts are dense, the western counties sparse. */
static const struct
{
  double lat;
  double lon;
  double sigma;
  guint weight;
} centres[] = {
  { 30.2425, 120.170, 0.030, 14 }, /* Shangcheng */
  { 30.3190, 120.142, 0.030, 12 }, /* Gongshu */
  { 30.2730, 120.090, 0.040, 12 }, /* Xihu */
  { 30.2085, 120.211, 0.025, 9 },  /* Binjiang */
  { 30.1650, 120.264, 0.060, 12 }, /* Xiaoshan */
  { 30.3930, 119.980, 0.070, 10 }, /* Yuhang */
  { 30.4210, 120.300, 0.050, 7 },  /* Linping */
  { 30.3050, 120.450, 0.040, 5 },  /* Qiantang */
  { 30.0490, 119.960, 0.060, 4 },  /* Fuyang */
  { 30.2340, 119.725, 0.060, 3 },  /* Lin'an */
  { 29.7970, 119.691, 0.050, 2 },  /* Tonglu */
  { 29.6090, 119.042, 0.050, 1 },  /* Chun'an */
  { 29.4750, 119.281, 0.050, 2 },  /* Jiande */
};

/* A deterministic Hangzhou-scale network: stations around the district
 * seats, most chargers idle or charging, a few stations with faults,
 * offline chargers or open alarms. */
static void
fill_hangzhou (AnxMapPoints *points,
               guint         n)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20221016);
  guint total_weight = 0;

  for (guint c = 0; c < G_N_ELEMENTS (centres); c++)
    total_weight += centres[c].weight;

  for (guint i = 0; i < n; i++)
    {
      char id[32];
      char op[16];
      guint pick = g_rand_int_range (rand, 0, total_weight);
      guint c = 0;
      double u1, u2, r, lat, lon;
      guint counts[ANX_MAP_N_STATES] = { 0 };
      guint n_chargers = g_rand_int_range (rand, 2, 21);
      double roll;
      AnxMapSeverity severity = ANX_MAP_SEVERITY_NONE;
      guint index;

      while (pick >= centres[c].weight)
        pick -= centres[c++].weight;

      /* Box-Muller */
      u1 = g_rand_double_range (rand, 1e-12, 1.0);
      u2 = g_rand_double (rand);
      r = sqrt (-2.0 * log (u1));
      lat = centres[c].lat + centres[c].sigma * r * cos (2 * G_PI * u2);
      lon = centres[c].lon + centres[c].sigma * 1.15 * r * sin (2 * G_PI * u2);

      g_snprintf (id, sizeof id, "HZ-%05u", i);
      g_snprintf (op, sizeof op, "OP-%02u", i % 91);
      index = anx_map_points_add (points, id, op, lat, lon, i);

      counts[ANX_MAP_STATE_CHARGING] = g_rand_int_range (rand, 0, n_chargers + 1) * 2 / 3;
      roll = g_rand_double (rand);
      if (roll < 0.03)
        counts[ANX_MAP_STATE_FAULT] = 1;
      else if (roll < 0.08)
        counts[ANX_MAP_STATE_OFFLINE] = MIN (n_chargers - counts[ANX_MAP_STATE_CHARGING], 3);
      counts[ANX_MAP_STATE_IDLE] = n_chargers - counts[ANX_MAP_STATE_CHARGING] -
                                   counts[ANX_MAP_STATE_FAULT] - counts[ANX_MAP_STATE_OFFLINE];

      roll = g_rand_double (rand);
      if (roll < 0.004)
        severity = ANX_MAP_SEVERITY_CRITICAL;
      else if (roll < 0.015)
        severity = ANX_MAP_SEVERITY_WARNING;
      else if (roll < 0.03)
        severity = ANX_MAP_SEVERITY_INFO;
      anx_map_points_set_status (points, index, counts, severity);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (ShumateMapSource) source = anx_basemap_sources_new_offline ();

  fixture->points = anx_map_points_new ();
  fill_hangzhou (fixture->points, N_STATIONS);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 800);
  fixture->map = shumate_simple_map_new ();
  /* The map source first: ShumateSimpleMap puts its map layer on top of
   * whatever is there when the first source is set. */
  shumate_simple_map_set_map_source (fixture->map, source);
  fixture->viewport = shumate_simple_map_get_viewport (fixture->map);
  fixture->basemap = anx_basemap_layer_new (fixture->viewport);
  fixture->chargers = anx_charger_layer_new (fixture->viewport, fixture->points);
  shumate_simple_map_add_overlay_layer (fixture->map, SHUMATE_LAYER (fixture->basemap));
  shumate_simple_map_add_overlay_layer (fixture->map, SHUMATE_LAYER (fixture->chargers));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->map));
  shumate_map_set_go_to_duration (shumate_simple_map_get_map (fixture->map), 200);

  shumate_location_set_location (SHUMATE_LOCATION (fixture->viewport), 30.25, 120.17);
  shumate_viewport_set_zoom_level (fixture->viewport, 10);
  gtk_window_present (fixture->window);
  anx_test_wait_for_draw (GTK_WIDGET (fixture->chargers));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->points);
  anx_test_iterate (50);
}

static void
go_to (Fixture *fixture,
       double   latitude,
       double   longitude,
       double   zoom_level)
{
  shumate_viewport_set_zoom_level (fixture->viewport, zoom_level);
  shumate_location_set_location (SHUMATE_LOCATION (fixture->viewport), latitude, longitude);
  anx_test_iterate (150);
}

typedef struct
{
  guchar *data;
  gsize   stride;
  int     width;
  int     height;
} Pixels;

static void
pixels_clear (Pixels *pixels)
{
  g_free (pixels->data);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

/* Takes the screenshot and keeps its pixels (cairo ARGB32). */
static void
screenshot (Fixture    *fixture,
            const char *name,
            Pixels     *pixels)
{
  g_autofree char *path = anx_test_screenshot (GTK_WIDGET (fixture->window), name);
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GError) error = NULL;

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = 4 * pixels->width;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);
}

static void
pixel_at (const Pixels *pixels,
          GtkWidget    *widget,
          GtkWidget    *window,
          double        x,
          double        y,
          double        rgb[3])
{
  graphene_point_t in_window;
  const guchar *p;
  int px, py;

  g_assert_true (
      gtk_widget_compute_point (widget, window, &GRAPHENE_POINT_INIT (x, y), &in_window));
  px = (int) floor (in_window.x);
  py = (int) floor (in_window.y);
  g_assert_cmpint (px, >=, 0);
  g_assert_cmpint (py, >=, 0);
  g_assert_cmpint (px, <, pixels->width);
  g_assert_cmpint (py, <, pixels->height);
  p = pixels->data + py * pixels->stride + 4 * px;
  /* Little-endian ARGB32: B, G, R, A. */
  rgb[0] = p[2] / 255.0;
  rgb[1] = p[1] / 255.0;
  rgb[2] = p[0] / 255.0;
}

static double
colour_distance (const double a[3],
                 const double b[3])
{
  return fabs (a[0] - b[0]) + fabs (a[1] - b[1]) + fabs (a[2] - b[2]);
}

/* Stations whose own marker is what a click at their centre hits. */
static GArray *
find_pickable_stations (Fixture *fixture,
                        guint    max)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (guint));
  double width = gtk_widget_get_width (GTK_WIDGET (fixture->chargers));
  double height = gtk_widget_get_height (GTK_WIDGET (fixture->chargers));

  for (guint i = 0; i < anx_map_points_get_n_points (fixture->points) && found->len < max; i++)
    {
      AnxChargerLayerHit hit;
      double lat, lon, x, y;

      anx_map_points_get_location (fixture->points, i, &lat, &lon);
      shumate_viewport_location_to_widget_coords (fixture->viewport, GTK_WIDGET (fixture->chargers),
                                                  lat, lon, &x, &y);
      if (x < 40 || y < 40 || x > width - 40 || y > height - 40)
        continue;
      if (anx_charger_layer_pick (fixture->chargers, x, y, &hit) && !hit.is_cluster &&
          hit.point == i)
        g_array_append_val (found, i);
    }

  return found;
}

static void
test_screenshots (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto (Pixels) low = { 0 };
  g_auto (Pixels) high = { 0 };
  g_auto (Pixels) region = { 0 };
  g_autoptr (GArray) stations = NULL;
  double water[3], land[3], outside[3], marker[3];
  double x, y;

  /* The whole region, offline: coast, estuary, Qiandao Lake, rivers. */
  go_to (fixture, 29.86, 119.55, 8.6);
  g_assert_true (anx_charger_layer_is_clustering (fixture->chargers));
  screenshot (fixture, "map-region", &region);

  /* Qiandao Lake is water, the hills west of Fuyang are land, the sea
   * beyond the data box is plainer than both. */
  anx_charger_layer_location_to_widget (fixture->chargers, 29.56, 118.93, &x, &y);
  pixel_at (&region, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, water);
  anx_charger_layer_location_to_widget (fixture->chargers, 29.98, 119.30, &x, &y);
  pixel_at (&region, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, land);
  anx_charger_layer_location_to_widget (fixture->chargers, 30.90, 119.0, &x, &y);
  pixel_at (&region, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, outside);
  g_test_message ("water %.2f %.2f %.2f, land %.2f %.2f %.2f", water[0], water[1], water[2],
                  land[0], land[1], land[2]);
  g_assert_cmpfloat (water[2] - water[0], >, land[2] - land[0] + 0.05);
  g_assert_cmpfloat (colour_distance (land, outside), >, 0.05);

  /* The city at a low zoom: clusters with counts. */
  go_to (fixture, 30.25, 120.17, 10);
  g_assert_true (anx_charger_layer_is_clustering (fixture->chargers));
  screenshot (fixture, "map-clusters", &low);

  /* Hangzhou Bay at the estuary mouth is water. */
  anx_charger_layer_location_to_widget (fixture->chargers, 30.30, 120.76, &x, &y);
  pixel_at (&low, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, water);
  g_assert_cmpfloat (water[2] - water[0], >, land[2] - land[0] + 0.05);

  /* Street level: single stations, drawn where libshumate puts them. */
  go_to (fixture, 30.2425, 120.170, 15.5);
  g_assert_false (anx_charger_layer_is_clustering (fixture->chargers));
  screenshot (fixture, "map-stations", &high);

  stations = find_pickable_stations (fixture, 20);
  g_assert_cmpuint (stations->len, >, 5);
  for (guint k = 0; k < stations->len; k++)
    {
      guint index = g_array_index (stations, guint, k);
      guint counts[ANX_MAP_N_STATES];
      double lat, lon;

      anx_map_points_get_location (fixture->points, index, &lat, &lon);
      shumate_viewport_location_to_widget_coords (fixture->viewport, GTK_WIDGET (fixture->chargers),
                                                  lat, lon, &x, &y);
      anx_map_points_get_status (fixture->points, index, counts, NULL);
      if (anx_map_worst_state (counts) == ANX_MAP_STATE_OFFLINE)
        {
          /* Offline stations are hollow rings of 7 px. */
          for (guint d = 0; d < 4; d++)
            {
              pixel_at (&high, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window),
                        x + 5.5 * cos (d * G_PI / 2), y + 5.5 * sin (d * G_PI / 2), marker);
              if (colour_distance (marker, land) < 0.3)
                g_error ("offline station %s at (%.1f, %.1f) has no ring",
                         anx_map_points_get_id (fixture->points, index), x, y);
            }
          continue;
        }
      pixel_at (&high, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, marker);
      /* A marker, not the paper-coloured land, at the station. */
      if (colour_distance (marker, land) < 0.3)
        g_error ("station %s at (%.1f, %.1f) is not drawn: %.2f %.2f %.2f",
                 anx_map_points_get_id (fixture->points, index), x, y, marker[0], marker[1],
                 marker[2]);
    }

  /* The dark style: markers and basemap stay readable. */
  {
    AdwStyleManager *style = adw_style_manager_get_default ();
    g_auto (Pixels) dark = { 0 };
    double dark_land[3];

    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    go_to (fixture, 30.25, 120.17, 10.5);
    screenshot (fixture, "map-clusters-dark", &dark);
    anx_charger_layer_location_to_widget (fixture->chargers, 29.98, 119.30, &x, &y);
    go_to (fixture, 29.86, 119.55, 8.6);
    {
      g_auto (Pixels) dark_region = { 0 };

      screenshot (fixture, "map-region-dark", &dark_region);
      anx_charger_layer_location_to_widget (fixture->chargers, 29.98, 119.30, &x, &y);
      pixel_at (&dark_region, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y,
                dark_land);
    }
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    anx_test_iterate (100);
    /* Dark land under a dark style. */
    g_assert_cmpfloat (dark_land[0] + dark_land[1] + dark_land[2], <, 1.0);
    g_assert_cmpfloat (land[0] + land[1] + land[2], >, 2.0);
  }
}

static void
test_projection (Fixture       *fixture,
                 gconstpointer  data)
{
  static const double zooms[] = { 3, 7.5, 9.25, 12, 14.7, 17, 18.9 };
  static const double rotations[] = { 0, 0.35 };
  ShumateMapSource *source = shumate_viewport_get_reference_map_source (fixture->viewport);
  GtkWidget *layer = GTK_WIDGET (fixture->chargers);
  double width = gtk_widget_get_width (layer);
  double height = gtk_widget_get_height (layer);
  double worst = 0;

  for (guint r = 0; r < G_N_ELEMENTS (rotations); r++)
    for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
      {
        shumate_viewport_set_rotation (fixture->viewport, rotations[r]);
        go_to (fixture, 30.26, 120.16, zooms[z]);

        for (guint i = 0; i < anx_map_points_get_n_points (fixture->points); i += 97)
          {
            double lat, lon, x, y, sx, sy, back_lat, back_lon, slat, slon;

            anx_map_points_get_location (fixture->points, i, &lat, &lon);
            anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &x, &y);
            shumate_viewport_location_to_widget_coords (fixture->viewport, layer, lat, lon, &sx,
                                                        &sy);
            g_assert_cmpfloat (fabs (x - sx), <=, 0.5);
            g_assert_cmpfloat (fabs (y - sy), <=, 0.5);
            worst = MAX (worst, MAX (fabs (x - sx), fabs (y - sy)));

            /* The map source's own projection, unrotated, by hand. */
            if (rotations[r] == 0)
              {
                double cx = shumate_map_source_get_x (
                    source, zooms[z],
                    shumate_location_get_longitude (SHUMATE_LOCATION (fixture->viewport)));
                double cy = shumate_map_source_get_y (
                    source, zooms[z],
                    shumate_location_get_latitude (SHUMATE_LOCATION (fixture->viewport)));

                g_assert_cmpfloat (
                    fabs (x - (shumate_map_source_get_x (source, zooms[z], lon) - cx + width / 2)),
                    <=, 0.5);
                g_assert_cmpfloat (
                    fabs (y - (shumate_map_source_get_y (source, zooms[z], lat) - cy + height / 2)),
                    <=, 0.5);
              }

            /* Hit-testing goes the other way: it must agree too. */
            anx_charger_layer_widget_to_location (fixture->chargers, sx, sy, &back_lat, &back_lon);
            shumate_viewport_widget_coords_to_location (fixture->viewport, layer, sx, sy, &slat,
                                                        &slon);
            anx_charger_layer_location_to_widget (fixture->chargers, back_lat, back_lon, &x, &y);
            g_assert_cmpfloat (fabs (x - sx), <=, 0.5);
            g_assert_cmpfloat (fabs (y - sy), <=, 0.5);
            g_assert_cmpfloat (fabs (back_lat - slat), <, 1e-6);
            g_assert_cmpfloat (fabs (back_lon - slon), <, 1e-6);
          }
      }

  g_test_message ("largest difference from libshumate: %.2e px", worst);
  shumate_viewport_set_rotation (fixture->viewport, 0);
}

static void
on_station_activated (AnxChargerLayer  *layer,
                      const char       *id,
                      char            **activated)
{
  g_free (*activated);
  *activated = g_strdup (id);
}

static void
on_cluster_activated (AnxChargerLayer *layer,
                      guint            n_stations,
                      double           latitude,
                      double           longitude,
                      guint           *count)
{
  *count = n_stations;
}

static GtkGesture *
find_click_gesture (GtkWidget *widget)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

static void
test_click (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *activated = NULL;
  g_autoptr (GArray) stations = NULL;
  g_autoptr (GArray) clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  GtkGesture *click = find_click_gesture (GTK_WIDGET (fixture->chargers));
  GtkWidget *map = GTK_WIDGET (shumate_simple_map_get_map (fixture->map));
  guint cluster_count = 0;
  double zoom_before;

  g_assert_nonnull (click);
  g_signal_connect (fixture->chargers, "station-activated", G_CALLBACK (on_station_activated),
                    &activated);
  g_signal_connect (fixture->chargers, "cluster-activated", G_CALLBACK (on_cluster_activated),
                    &cluster_count);

  /* Stations: a click where libshumate puts the station activates it. */
  go_to (fixture, 30.2730, 120.090, 16);
  stations = find_pickable_stations (fixture, 5);
  g_assert_cmpuint (stations->len, >, 0);
  for (guint k = 0; k < stations->len; k++)
    {
      guint index = g_array_index (stations, guint, k);
      double lat, lon, x, y;
      graphene_point_t in_map;

      anx_map_points_get_location (fixture->points, index, &lat, &lon);
      shumate_viewport_location_to_widget_coords (fixture->viewport, GTK_WIDGET (fixture->chargers),
                                                  lat, lon, &x, &y);

      /* The pointer reaches the layer at a marker... */
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (fixture->chargers), map,
                                               &GRAPHENE_POINT_INIT (x, y), &in_map));
      g_assert_true (gtk_widget_pick (map, in_map.x, in_map.y, GTK_PICK_DEFAULT) ==
                     GTK_WIDGET (fixture->chargers));

      /* ...and its click gesture activates the station. */
      g_clear_pointer (&activated, g_free);
      g_signal_emit_by_name (click, "released", 1, x + 2, y - 1);
      g_assert_cmpstr (activated, ==, anx_map_points_get_id (fixture->points, index));
    }

  /* Empty land takes no click: drags there reach the map. */
  {
    double x, y;
    graphene_point_t in_map;

    anx_charger_layer_location_to_widget (fixture->chargers, 30.2590, 120.1430, &x, &y);
    g_clear_pointer (&activated, g_free);
    if (!anx_charger_layer_pick (fixture->chargers, x, y, NULL))
      {
        g_assert_true (gtk_widget_compute_point (GTK_WIDGET (fixture->chargers), map,
                                                 &GRAPHENE_POINT_INIT (x, y), &in_map));
        g_assert_true (gtk_widget_pick (map, in_map.x, in_map.y, GTK_PICK_DEFAULT) !=
                       GTK_WIDGET (fixture->chargers));
        g_assert_false (anx_charger_layer_activate_at (fixture->chargers, x, y));
        g_assert_null (activated);
      }
  }

  /* Clusters: activating one zooms in on its stations. */
  go_to (fixture, 30.25, 120.17, 10);
  {
    ShumateMapSource *source = shumate_viewport_get_reference_map_source (fixture->viewport);
    double world = shumate_map_source_get_tile_size (source) * pow (2, 10);
    guint level = anx_map_points_level_for_scale (world, 64);
    AnxMapCluster *biggest = NULL;
    double lat, lon, x, y;

    anx_map_points_query_clusters (fixture->points, level, 0, 0, 1, 1, clusters);
    for (guint i = 0; i < clusters->len; i++)
      {
        AnxMapCluster *c = &g_array_index (clusters, AnxMapCluster, i);

        if (biggest == NULL || c->n_points > biggest->n_points)
          biggest = c;
      }
    g_assert_nonnull (biggest);
    g_assert_cmpuint (biggest->n_points, >, 100);

    anx_map_unproject (biggest->x, biggest->y, &lat, &lon);
    shumate_viewport_location_to_widget_coords (fixture->viewport, GTK_WIDGET (fixture->chargers),
                                                lat, lon, &x, &y);
    zoom_before = shumate_viewport_get_zoom_level (fixture->viewport);
    g_signal_emit_by_name (click, "released", 1, x, y);
    g_assert_cmpuint (cluster_count, ==, biggest->n_points);
    anx_test_iterate (1200);
    g_assert_cmpfloat (shumate_viewport_get_zoom_level (fixture->viewport), >=, zoom_before + 1);

    /* The cluster's stations are now in view. */
    {
      double x0, y0, x1, y1, ax, ay, bx, by;
      double w = gtk_widget_get_width (GTK_WIDGET (fixture->chargers));
      double h = gtk_widget_get_height (GTK_WIDGET (fixture->chargers));

      g_assert_true (
          anx_map_points_get_cluster_bounds (fixture->points, biggest, &x0, &y0, &x1, &y1));
      anx_map_unproject (x0, y0, &lat, &lon);
      anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &ax, &ay);
      anx_map_unproject (x1, y1, &lat, &lon);
      anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &bx, &by);
      g_assert_cmpfloat (ax, >=, -1);
      g_assert_cmpfloat (ay, >=, -1);
      g_assert_cmpfloat (bx, <=, w + 1);
      g_assert_cmpfloat (by, <=, h + 1);
    }
  }
}

static void
test_keyboard_and_accessibility (Fixture       *fixture,
                                 gconstpointer  data)
{
  GtkWidget *layer = GTK_WIDGET (fixture->chargers);
  g_autofree char *activated = NULL;
  g_autoptr (GArray) stations = NULL;
  guint index;
  double lat, lon;

  g_assert_true (gtk_widget_get_focusable (layer));
  g_assert_true (gtk_widget_grab_focus (layer));
  g_assert_true (gtk_widget_has_focus (layer));

  /* Enter activates the station at the centre of the view. */
  g_signal_connect (fixture->chargers, "station-activated", G_CALLBACK (on_station_activated),
                    &activated);
  go_to (fixture, 30.2730, 120.090, 16.5);
  stations = find_pickable_stations (fixture, 1);
  g_assert_cmpuint (stations->len, ==, 1);
  index = g_array_index (stations, guint, 0);
  anx_map_points_get_location (fixture->points, index, &lat, &lon);
  go_to (fixture, lat, lon, 16.5);
  {
    GtkEventController *keys = NULL;
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (layer);
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
          keys = GTK_EVENT_CONTROLLER (controller);
      }
    g_assert_nonnull (keys);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 36, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpstr (activated, ==, anx_map_points_get_id (fixture->points, index));

    /* Arrow keys pan by a fifth of the view. */
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 114, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpfloat (shumate_location_get_longitude (SHUMATE_LOCATION (fixture->viewport)), >,
                       lon);
  }
}

/* The filter hides stations from drawing and from the pointer at once. */
static void
test_filter (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr (GArray) stations = NULL;
  guint quiet = G_MAXUINT, alarmed = G_MAXUINT;
  double x, y, lat, lon;

  go_to (fixture, 30.2425, 120.170, 15.5);
  stations = find_pickable_stations (fixture, 400);
  for (guint k = 0; k < stations->len; k++)
    {
      guint index = g_array_index (stations, guint, k);
      AnxMapSeverity severity;

      anx_map_points_get_status (fixture->points, index, NULL, &severity);
      if (severity == ANX_MAP_SEVERITY_NONE && quiet == G_MAXUINT)
        quiet = index;
      else if (severity != ANX_MAP_SEVERITY_NONE && alarmed == G_MAXUINT)
        alarmed = index;
    }
  g_assert_cmpuint (quiet, !=, G_MAXUINT);
  g_assert_cmpuint (alarmed, !=, G_MAXUINT);

  anx_map_points_set_filter (fixture->points, ANX_MAP_STATE_MASK_ALL, TRUE, NULL);
  anx_test_iterate (100);

  anx_map_points_get_location (fixture->points, quiet, &lat, &lon);
  anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &x, &y);
  if (anx_charger_layer_pick (fixture->chargers, x, y, NULL))
    {
      AnxChargerLayerHit hit;

      /* Only an alarmed neighbour may be under the pointer now. */
      g_assert_true (anx_charger_layer_pick (fixture->chargers, x, y, &hit));
      g_assert_cmpuint (hit.point, !=, quiet);
      g_assert_true (anx_map_points_is_visible (fixture->points, hit.point));
    }
  anx_map_points_get_location (fixture->points, alarmed, &lat, &lon);
  anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &x, &y);
  g_assert_true (anx_charger_layer_pick (fixture->chargers, x, y, NULL));
  {
    g_auto (Pixels) filtered = { 0 };

    screenshot (fixture, "map-stations-alarms-only", &filtered);
  }

  anx_map_points_set_filter (fixture->points, ANX_MAP_STATE_MASK_ALL, FALSE, NULL);
  anx_test_iterate (100);
  anx_map_points_get_location (fixture->points, quiet, &lat, &lon);
  anx_charger_layer_location_to_widget (fixture->chargers, lat, lon, &x, &y);
  g_assert_true (anx_charger_layer_pick (fixture->chargers, x, y, NULL));
}

typedef struct
{
  guint   x;
  guint   y;
  guint   z;
  guint32 colour;
} TileSpec;

/* One XYZ tile per colour; written with TMS rows as MBTiles requires. */
static const TileSpec tile_specs[] = {
  { 0, 0, 1, 0xd01b24 }, { 1, 0, 1, 0x2ec27e }, { 0, 1, 1, 0x1c71d8 },
  { 1, 1, 1, 0xf5c211 }, { 3, 1, 2, 0x9141ac },
};

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
make_png (guint32 colour)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 256, 256);
  cairo_t *cr = cairo_create (surface);
  GByteArray *png = g_byte_array_new ();

  cairo_set_source_rgb (cr, ((colour >> 16) & 0xff) / 255.0, ((colour >> 8) & 0xff) / 255.0,
                        (colour & 0xff) / 255.0);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_png, png), ==,
                   CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (png);
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static char *
make_mbtiles (const char *dir,
              gboolean    with_zoom_metadata)
{
  char *path = g_build_filename (dir, with_zoom_metadata ? "tiles.mbtiles" : "bare.mbtiles", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, "CREATE TABLE metadata (name TEXT, value TEXT);"
                "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
                " tile_data BLOB);"
                "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
                "INSERT INTO metadata VALUES ('name', 'Test tiles'), ('format', 'png'),"
                " ('bounds', '118.3,29.1,120.8,30.62'),"
                " ('attribution', '© Anxin test tiles');");
  if (with_zoom_metadata)
    exec_sql (db, "INSERT INTO metadata VALUES ('minzoom', '1'), ('maxzoom', '2');");

  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)", -1, &insert, NULL), ==,
      SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (tile_specs); i++)
    {
      g_autoptr (GBytes) png = make_png (tile_specs[i].colour);
      guint tms_row = (1u << tile_specs[i].z) - 1 - tile_specs[i].y;

      sqlite3_bind_int (insert, 1, tile_specs[i].z);
      sqlite3_bind_int (insert, 2, tile_specs[i].x);
      sqlite3_bind_int (insert, 3, tms_row);
      sqlite3_bind_blob (insert, 4, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                         SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  sqlite3_close (db);

  return path;
}

typedef struct
{
  gboolean  done;
  GBytes   *bytes;
  GError   *error;
  guint     n_received;
  int       received_x;
  int       received_y;
  int       received_z;
} TileResult;

static void
on_received_data (ShumateDataSource *source,
                  int                x,
                  int                y,
                  int                zoom_level,
                  GBytes            *bytes,
                  TileResult        *result)
{
  result->n_received++;
  result->received_x = x;
  result->received_y = y;
  result->received_z = zoom_level;
}

static void
on_tile_data (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  TileResult *result = user_data;

  result->bytes =
      shumate_data_source_get_tile_data_finish (SHUMATE_DATA_SOURCE (object), res, &result->error);
  result->done = TRUE;
}

static void
fetch_tile (ShumateDataSource *source,
            int                x,
            int                y,
            int                z,
            TileResult        *result)
{
  gulong handler =
      g_signal_connect (source, "received-data", G_CALLBACK (on_received_data), result);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  memset (result, 0, sizeof *result);
  shumate_data_source_get_tile_data_async (source, x, y, z, NULL, on_tile_data, result);
  /* Never synchronous: the read runs on a worker thread. */
  g_assert_false (result->done);
  while (!result->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (source, handler);
}

/* The colour in the middle of a PNG tile. */
static guint32
png_colour (GBytes *png)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (png, &error);
  g_autofree guchar *pixels = g_malloc (4 * 256 * 256);
  const guchar *middle;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 256);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 256);
  gdk_texture_download (texture, pixels, 4 * 256);
  middle = pixels + 4 * (128 * 256 + 128);
  return (middle[2] << 16) | (middle[1] << 8) | middle[0];
}

static void
on_tile_filled (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  TileResult *result = user_data;

  shumate_map_source_fill_tile_finish (SHUMATE_MAP_SOURCE (object), res, &result->error);
  result->done = TRUE;
}

static void
test_mbtiles (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anxin-mbtiles-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *bare_path = NULL;
  g_autofree char *missing = NULL;
  g_autoptr (AnxMbtilesSource) source = NULL;
  g_autoptr (AnxMbtilesSource) bare = NULL;
  g_autoptr (ShumateMapSource) renderer = NULL;
  double west, south, east, north;
  TileResult result;

  g_assert_no_error (error);
  path = make_mbtiles (dir, TRUE);
  bare_path = make_mbtiles (dir, FALSE);

  source = anx_mbtiles_source_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (anx_mbtiles_source_get_name (source), ==, "Test tiles");
  g_assert_cmpstr (anx_mbtiles_source_get_format (source), ==, "png");
  g_assert_cmpstr (anx_mbtiles_source_get_attribution (source), ==, "© Anxin test tiles");
  g_assert_cmpuint (anx_mbtiles_source_get_min_zoom (source), ==, 1);
  g_assert_cmpuint (anx_mbtiles_source_get_max_zoom (source), ==, 2);
  g_assert_true (anx_mbtiles_source_get_bounds (source, &west, &south, &east, &north));
  g_assert_cmpfloat (west, ==, 118.3);
  g_assert_cmpfloat (south, ==, 29.1);
  g_assert_cmpfloat (east, ==, 120.8);
  g_assert_cmpfloat (north, ==, 30.62);

  /* Without minzoom/maxzoom metadata the zoom range comes from the tiles. */
  bare = anx_mbtiles_source_new (bare_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anx_mbtiles_source_get_min_zoom (bare), ==, 1);
  g_assert_cmpuint (anx_mbtiles_source_get_max_zoom (bare), ==, 2);

  /* Every tile comes back by its XYZ address: the TMS flip is undone. */
  for (guint i = 0; i < G_N_ELEMENTS (tile_specs); i++)
    {
      fetch_tile (SHUMATE_DATA_SOURCE (source), tile_specs[i].x, tile_specs[i].y, tile_specs[i].z,
                  &result);
      g_assert_no_error (result.error);
      g_assert_nonnull (result.bytes);
      g_assert_cmphex (png_colour (result.bytes), ==, tile_specs[i].colour);
      /* libshumate 1.0's raster renderer listens to received-data. */
      g_assert_cmpuint (result.n_received, ==, 1);
      g_assert_cmpint (result.received_x, ==, tile_specs[i].x);
      g_assert_cmpint (result.received_y, ==, tile_specs[i].y);
      g_assert_cmpint (result.received_z, ==, tile_specs[i].z);
      g_bytes_unref (result.bytes);
    }

  /* A tile that is not in the file is a clean error, and no data. */
  fetch_tile (SHUMATE_DATA_SOURCE (source), 0, 0, 2, &result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (result.bytes);
  g_assert_cmpuint (result.n_received, ==, 0);
  g_clear_error (&result.error);
  fetch_tile (SHUMATE_DATA_SOURCE (source), 5, 0, 1, &result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&result.error);

  /* Through the factory and a raster renderer, a tile gets its texture. */
  renderer = anx_basemap_sources_new_mbtiles (path, &error);
  g_assert_no_error (error);
  g_assert_true (anx_basemap_sources_has_tiles (renderer));
  g_assert_cmpstr (shumate_map_source_get_name (renderer), ==, "Test tiles");
  g_assert_cmpstr (shumate_map_source_get_license (renderer), ==, "© Anxin test tiles");
  g_assert_cmpuint (shumate_map_source_get_min_zoom_level (renderer), ==, 1);
  g_assert_cmpuint (shumate_map_source_get_max_zoom_level (renderer), ==, 2);
  {
    g_autoptr (ShumateTile) tile = shumate_tile_new_full (1, 1, 256, 1);
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    memset (&result, 0, sizeof result);
    shumate_map_source_fill_tile_async (renderer, tile, NULL, on_tile_filled, &result);
    while (!result.done)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    g_assert_no_error (result.error);
    g_assert_cmpint (shumate_tile_get_state (tile), ==, SHUMATE_STATE_DONE);
    g_assert_nonnull (shumate_tile_get_paintable (tile));
    g_assert_cmpint (gdk_paintable_get_intrinsic_width (shumate_tile_get_paintable (tile)), ==,
                     256);
  }

  /* Not a file, not an MBTiles file. */
  missing = g_build_filename (dir, "missing.mbtiles", NULL);
  g_assert_null (anx_mbtiles_source_new (missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *junk = g_build_filename (dir, "junk.mbtiles", NULL);

    g_assert_true (g_file_set_contents (junk, "not sqlite", -1, NULL));
    g_assert_null (anx_mbtiles_source_new (junk, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_remove (junk);
  }

  g_remove (path);
  g_remove (bare_path);
  g_rmdir (dir);
}

static void
test_sources (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ShumateMapSource) offline = anx_basemap_sources_new_offline ();
  g_autoptr (ShumateMapSource) osm = NULL;
  g_autoptr (ShumateMapSource) internal = NULL;
  g_autoptr (ShumateMapSource) local = NULL;
  g_autoptr (ShumateTile) tile = shumate_tile_new_full (3, 3, 256, 3);
  AnxBasemapKind kind;
  TileResult result = { 0 };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (AnxBasemapKind k = ANX_BASEMAP_KIND_OFFLINE; k <= ANX_BASEMAP_KIND_MBTILES; k++)
    {
      g_assert_true (anx_basemap_kind_from_string (anx_basemap_kind_to_string (k), &kind));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_false (anx_basemap_kind_from_string ("wms", &kind));

  /* Offline: a reference source with no tiles, refused at once (never a
   * network request). */
  g_assert_false (anx_basemap_sources_has_tiles (offline));
  g_assert_cmpuint (shumate_map_source_get_tile_size (offline), ==, 256);
  g_assert_cmpint (shumate_map_source_get_projection (offline), ==,
                   SHUMATE_MAP_PROJECTION_MERCATOR);
  g_assert_nonnull (strstr (shumate_map_source_get_license (offline), "GSHHG"));
  shumate_map_source_fill_tile_async (offline, tile, NULL, on_tile_filled, &result);
  while (!result.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&result.error);
  g_assert_null (shumate_tile_get_paintable (tile));

  /* Tiles: OpenStreetMap by default, with its attribution. No download is
   * made: nothing asks for a tile. */
  osm = anx_basemap_sources_new (ANX_BASEMAP_KIND_TILES, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (anx_basemap_sources_has_tiles (osm));
  g_assert_cmpstr (shumate_map_source_get_name (osm), ==, "OpenStreetMap");
  g_assert_nonnull (strstr (shumate_map_source_get_license (osm), "OpenStreetMap"));
  g_assert_cmpstr (shumate_map_source_get_license_uri (osm), ==,
                   "https://www.openstreetmap.org/copyright");

  internal = anx_basemap_sources_new_tiles ("https://tiles.example.gov.cn/{z}/{x}/{y}.png",
                                            "Bureau tiles", "© Bureau", NULL, 17, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (shumate_map_source_get_name (internal), ==, "Bureau tiles");
  g_assert_cmpuint (shumate_map_source_get_max_zoom_level (internal), ==, 17);
  g_assert_cmpstr (shumate_map_source_get_id (internal), !=, shumate_map_source_get_id (osm));

  /* libshumate 1.0 cannot fetch file:// tiles; say so instead. */
  g_assert_null (anx_basemap_sources_new_tiles ("file:///srv/tiles/{z}/{x}/{y}.png", NULL, NULL,
                                                NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (anx_basemap_sources_new_tiles ("https://tiles.example.gov.cn/{z}/{x}.png", NULL,
                                                NULL, NULL, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (anx_basemap_sources_new (ANX_BASEMAP_KIND_MBTILES, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  local = anx_basemap_sources_new (ANX_BASEMAP_KIND_MBTILES, "/nonexistent/x.mbtiles", &error);
  g_assert_null (local);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_basemap_labels (Fixture       *fixture,
                     gconstpointer  data)
{
  double west, east, south, north;
  gboolean found = FALSE;

  g_assert_true (anx_basemap_layer_get_bounds (fixture->basemap, &west, &east, &south, &north));
  g_assert_cmpfloat (west, ==, 118.3);
  g_assert_cmpfloat (east, ==, 120.8);
  g_assert_cmpfloat (south, ==, 29.1);
  g_assert_cmpfloat (north, ==, 30.62);
  g_assert_cmpuint (anx_basemap_layer_get_n_labels (fixture->basemap), ==, 13);

  /* District names in the interface language. */
  for (guint i = 0; i < anx_basemap_layer_get_n_labels (fixture->basemap); i++)
    {
      const char *text = anx_basemap_layer_get_label_text (fixture->basemap, i);

      if (anx_test_language_is_chinese ())
        found |= g_str_equal (text, "西湖区");
      else
        found |= g_str_equal (text, "Xihu");
    }
  g_assert_true (found);

  /* Without land the layer draws labels only: the estuary is not painted. */
  {
    g_auto (Pixels) with_land = { 0 };
    g_auto (Pixels) labels_only = { 0 };
    double x, y, a[3], b[3];

    go_to (fixture, 30.25, 120.40, 10);
    screenshot (fixture, "map-basemap", &with_land);
    anx_basemap_layer_set_show_land (fixture->basemap, FALSE);
    anx_test_iterate (150);
    screenshot (fixture, "map-basemap-labels-only", &labels_only);
    anx_basemap_layer_set_show_land (fixture->basemap, TRUE);

    anx_charger_layer_location_to_widget (fixture->chargers, 30.30, 120.76, &x, &y);
    pixel_at (&with_land, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, a);
    pixel_at (&labels_only, GTK_WIDGET (fixture->chargers), GTK_WIDGET (fixture->window), x, y, b);
    g_assert_cmpfloat (colour_distance (a, b), >, 0.05);
  }
}

/* A frame of the basemap layer alone, drawn at once (no main loop turn in
 * between) and rendered by the window's renderer; whether it drew the
 * current view's own picture. */
static gboolean
draw_basemap_now (Fixture    *fixture,
                  const char *name,
                  Pixels     *pixels)
{
  GtkWidget *widget = GTK_WIDGET (fixture->basemap);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (fixture->window));
  gboolean current;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  current = anx_basemap_layer_is_current (fixture->basemap);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  if (pixels != NULL)
    {
      texture = gsk_renderer_render_texture (
          renderer, node,
          &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget)));
      pixels->width = gdk_texture_get_width (texture);
      pixels->height = gdk_texture_get_height (texture);
      pixels->stride = 4 * pixels->width;
      pixels->data = g_malloc (pixels->stride * pixels->height);
      gdk_texture_download (texture, pixels->data, pixels->stride);
    }
  if (name != NULL)
    {
      const char *dir = g_getenv ("ANXIN_SCREENSHOT_DIR");
      g_autofree char *file_name =
          g_strdup_printf ("%s-%s.png", name, anx_test_language_is_chinese () ? "zh_CN" : "en");
      g_autofree char *path = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), file_name, NULL);

      g_assert_nonnull (texture);
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("screenshot: %s", path);
    }
  return current;
}

static gboolean
basemap_is_current (gpointer data)
{
  return anx_basemap_layer_is_current (data);
}

/* Mean difference of two pictures of the same size, 0 to 1. */
static double
pixels_difference (const Pixels *a,
                   const Pixels *b)
{
  guint64 sum = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < 3 * a->width; x++)
      {
        const guchar *pa = a->data + y * a->stride + (x / 3) * 4 + x % 3;
        const guchar *pb = b->data + y * b->stride + (x / 3) * 4 + x % 3;

        sum += (guint64) ABS ((int) *pa - (int) *pb);
      }
  return sum / (255.0 * 3 * a->width * a->height);
}

/* The basemap's picture: a small move or zoom draws the last picture moved
 * and scaled while a worker paints the new one, which then replaces it and
 * equals a picture painted at once; a jump is painted at once. */
static void
test_basemap_picture (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *basemap = GTK_WIDGET (fixture->basemap);
  g_auto (Pixels) stand_in = { 0 };
  g_auto (Pixels) painted = { 0 };
  g_auto (Pixels) fresh = { 0 };
  g_auto (Pixels) window = { 0 };
  g_autoptr (GError) error = NULL;
  double x, y, water[3], land[3];
  double difference;

  go_to (fixture, 30.25, 120.40, 10);
  anx_test_run_until (basemap_is_current, fixture->basemap, 10, "the basemap's picture");
  g_assert_true (draw_basemap_now (fixture, NULL, NULL));

  /* A third of a zoom level and a few pixels: the last picture stands in. */
  shumate_viewport_set_zoom_level (fixture->viewport, 10.3);
  shumate_location_set_location (SHUMATE_LOCATION (fixture->viewport), 30.251, 120.402);
  g_assert_false (draw_basemap_now (fixture, "map-basemap-stand-in", &stand_in));

  anx_test_run_until (basemap_is_current, fixture->basemap, 10, "the basemap's new picture");
  g_assert_true (draw_basemap_now (fixture, "map-basemap-painted", &painted));
  screenshot (fixture, "map-basemap-window", &window);

  /* The same view painted at once, from a freshly loaded basemap. */
  g_assert_true (anx_basemap_layer_load_resource (fixture->basemap, ANX_BASEMAP_DEFAULT_RESOURCE,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (draw_basemap_now (fixture, NULL, &fresh));

  difference = pixels_difference (&painted, &fresh);
  g_test_message ("painted on the worker vs at once: %.6f", difference);
  g_assert_cmpfloat (difference, ==, 0);
  /* The stand-in is the same map, resampled: close, not the same. */
  difference = pixels_difference (&stand_in, &fresh);
  g_test_message ("stand-in vs painted: %.6f", difference);
  g_assert_cmpfloat (difference, >, 0);
  g_assert_cmpfloat (difference, <, 0.02);
  anx_charger_layer_location_to_widget (fixture->chargers, 30.30, 120.76, &x, &y);
  pixel_at (&stand_in, basemap, basemap, x, y, water);
  anx_charger_layer_location_to_widget (fixture->chargers, 30.15, 120.10, &x, &y);
  pixel_at (&stand_in, basemap, basemap, x, y, land);
  g_assert_cmpfloat (water[2] - water[0], >, land[2] - land[0] + 0.05);

  /* Two zoom levels at once: too far for the last picture. */
  shumate_viewport_set_zoom_level (fixture->viewport, 12.3);
  g_assert_true (draw_basemap_now (fixture, NULL, NULL));
  /* A jump beyond the picture's margin, too. */
  shumate_location_set_location (SHUMATE_LOCATION (fixture->viewport), 30.05, 119.95);
  g_assert_true (draw_basemap_now (fixture, NULL, NULL));
}

/* The scale bar: a round distance whose bar, at the map's centre, is as
 * long as that distance on the ground, and a size that never changes. */
static void
test_scale (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWidget *scale = anx_map_scale_new (fixture->viewport);
  AnxMapScale *bar = ANX_MAP_SCALE (scale);
  int width, height, new_width, new_height;
  double x0, y0, x1, y1, meters, pixels;

  g_object_ref_sink (scale);
  go_to (fixture, 30.25, 120.17, 12);

  /* The bar's length in pixels is its distance on the ground at the
   * centre, measured with libshumate's own projection (east–west). */
  meters = anx_map_scale_get_meters (bar);
  pixels = anx_map_scale_get_bar_width (bar);
  g_assert_cmpfloat (pixels, >, 20);
  g_assert_cmpfloat (pixels, <=, 100);
  anx_charger_layer_location_to_widget (fixture->chargers, 30.25, 120.17, &x0, &y0);
  /* A degree of longitude at 30.25° N: 111,320 m × cos(30.25°). */
  anx_charger_layer_location_to_widget (fixture->chargers, 30.25,
                                        120.17 + meters / (111320.0 * cos (30.25 * G_PI / 180)),
                                        &x1, &y1);
  g_assert_cmpfloat (fabs ((x1 - x0) - pixels), <, 0.02 * pixels);
  /* A round distance, in the interface language. */
  g_assert_true (meters == 1000 || meters == 2000 || meters == 500);
  g_test_message ("zoom 12: %s, %.1f px", anx_map_scale_get_text (bar), pixels);
  g_assert_cmpstr (anx_map_scale_get_text (bar), ==,
                   anx_test_language_is_chinese () ? "2 公里" : "2 km");

  gtk_widget_measure (scale, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
  gtk_widget_measure (scale, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);

  /* Zoomed out three levels: eight times the distance a pixel covers. */
  go_to (fixture, 30.25, 120.17, 9);
  g_assert_cmpfloat (anx_map_scale_get_meters (bar), >=, 5000);
  g_assert_cmpfloat_with_epsilon (anx_map_scale_get_meters (bar) / anx_map_scale_get_bar_width (bar),
                                  8 * meters / pixels, 1e-6 * meters / pixels);
  g_test_message ("zoom 9: %s", anx_map_scale_get_text (bar));
  /* Street level: metres. */
  go_to (fixture, 30.25, 120.17, 17);
  g_assert_cmpfloat (anx_map_scale_get_meters (bar), <, 1000);
  g_assert_true (g_str_has_suffix (anx_map_scale_get_text (bar),
                                   anx_test_language_is_chinese () ? "米" : " m"));

  /* The same size whatever it shows: no relayout while the map zooms. */
  gtk_widget_measure (scale, GTK_ORIENTATION_HORIZONTAL, -1, &new_width, NULL, NULL, NULL);
  gtk_widget_measure (scale, GTK_ORIENTATION_VERTICAL, -1, &new_height, NULL, NULL, NULL);
  g_assert_cmpint (new_width, ==, width);
  g_assert_cmpint (new_height, ==, height);

  g_object_unref (scale);
}

/* The pixel at (x, y) of a texture, as 0xRRGGBB, and its alpha. */
static guint32
texture_pixel (GdkTexture *texture,
               int         x,
               int         y,
               guint8     *alpha)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc (width * height * 4);
  const guint8 *p;

  /* GDK_MEMORY_DEFAULT: premultiplied B, G, R, A on little-endian. */
  gdk_texture_download (texture, data, width * 4);
  p = data + (y * width + x) * 4;
  *alpha = p[3];
  if (p[3] == 0)
    return 0;
  return ((guint32) (p[2] * 255 / p[3]) << 16) | ((guint32) (p[1] * 255 / p[3]) << 8) |
         (guint32) (p[0] * 255 / p[3]);
}

static gboolean
close_colour (guint32 a,
              guint32 b)
{
  for (int shift = 0; shift <= 16; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 2)
      return FALSE;
  return TRUE;
}

/* The legend's symbols are the layer's markers: filled with the state's
 * colour of the style's palette, offline hollow, alarms ringed. */
static void
test_symbols (void)
{
  static const struct
  {
    AnxMapState state;
    guint32     light;
    guint32     dark;
  } filled[] = {
    { ANX_MAP_STATE_CHARGING, 0x4f6d94, 0x7d9cc4 },
    { ANX_MAP_STATE_IDLE, 0x8a8990, 0x9a9996 },
    { ANX_MAP_STATE_FAULT, 0x9141ac, 0xc061cb },
  };
  static const guint32 halo[2] = { 0xffffff, 0x1e1e1e };
  guint8 alpha;

  for (int dark = 0; dark <= 1; dark++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (filled); i++)
        {
          g_autoptr(GdkTexture) symbol =
              anx_charger_layer_render_symbol (filled[i].state, ANX_MAP_SEVERITY_NONE, dark, 1);
          int c = gdk_texture_get_width (symbol) / 2;
          guint32 centre = texture_pixel (symbol, c, c, &alpha);

          g_assert_cmpint (alpha, ==, 255);
          g_assert_true (close_colour (centre, dark ? filled[i].dark : filled[i].light));
          /* Without an alarm, nothing beyond the halo. */
          texture_pixel (symbol, 0, c, &alpha);
          g_assert_cmpint (alpha, ==, 0);
        }

      /* Offline: hollow, the halo shows through its middle. */
      {
        g_autoptr(GdkTexture) symbol =
            anx_charger_layer_render_symbol (ANX_MAP_STATE_OFFLINE, ANX_MAP_SEVERITY_NONE, dark, 1);
        int c = gdk_texture_get_width (symbol) / 2;

        g_assert_true (close_colour (texture_pixel (symbol, c, c, &alpha), halo[dark]));
      }

      /* Alarms: a ring around (and for a critical one a glow), in a
       * larger symbol; scale 2 gives twice the pixels. */
      {
        g_autoptr(GdkTexture) plain =
            anx_charger_layer_render_symbol (ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_NONE, dark, 1);
        g_autoptr(GdkTexture) warning =
            anx_charger_layer_render_symbol (ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_WARNING, dark, 1);
        g_autoptr(GdkTexture) critical =
            anx_charger_layer_render_symbol (ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_CRITICAL, dark, 1);
        g_autoptr(GdkTexture) critical2 =
            anx_charger_layer_render_symbol (ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_CRITICAL, dark, 2);
        int w = gdk_texture_get_width (warning);
        guint32 ring;

        g_assert_cmpint (gdk_texture_get_width (plain), <, w);
        g_assert_cmpint (w, <, gdk_texture_get_width (critical));
        g_assert_cmpint (gdk_texture_get_width (critical2), ==, 2 * gdk_texture_get_width (critical));
        /* The warning ring: 6 px marker + 1.5 halo, ring at 7.25…9.75 px. */
        ring = texture_pixel (warning, w / 2 + 8, w / 2, &alpha);
        g_assert_cmpint (alpha, >, 200);
        g_assert_true (close_colour (ring, dark ? 0xf5c211 : 0xe5a50a));
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  anx_test_display_init (&argc, &argv);
  adw_init ();
  anxin_register_resource ();

  g_test_add ("/map-layers/screenshots", Fixture, NULL, fixture_set_up, test_screenshots,
              fixture_tear_down);
  g_test_add ("/map-layers/projection", Fixture, NULL, fixture_set_up, test_projection,
              fixture_tear_down);
  g_test_add ("/map-layers/click", Fixture, NULL, fixture_set_up, test_click, fixture_tear_down);
  g_test_add ("/map-layers/keyboard", Fixture, NULL, fixture_set_up,
              test_keyboard_and_accessibility, fixture_tear_down);
  g_test_add ("/map-layers/filter", Fixture, NULL, fixture_set_up, test_filter, fixture_tear_down);
  g_test_add ("/map-layers/basemap", Fixture, NULL, fixture_set_up, test_basemap_labels,
              fixture_tear_down);
  g_test_add ("/map-layers/basemap-picture", Fixture, NULL, fixture_set_up, test_basemap_picture,
              fixture_tear_down);
  g_test_add ("/map-layers/scale", Fixture, NULL, fixture_set_up, test_scale, fixture_tear_down);
  g_test_add_func ("/map-layers/mbtiles", test_mbtiles);
  g_test_add_func ("/map-layers/sources", test_sources);
  g_test_add_func ("/map-layers/symbols", test_symbols);

  return g_test_run ();
}

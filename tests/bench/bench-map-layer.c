/* bench-map-layer.c: frame times of the charger layer while panning and
 * zooming, for Hangzhou (12,258 stations) and a national network (1,000,000)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under Xvfb with GSK_RENDERER=cairo (meson test --benchmark does). Each
 * frame is the layer's snapshot rendered into a texture by the window's
 * renderer, as GTK would draw it; the first frame at a new zoom level
 * includes computing that level's clusters. The figures are printed with
 * the targets; a miss is reported, not failed.
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "anx-basemap-layer.h"
#include "anx-basemap-sources.h"
#include "anx-charger-layer.h"
#include "anx-map-points.h"
#include "anxin-resources.h"

#define WIDTH 1280
#define HEIGHT 800
#define N_FRAMES 360

typedef struct
{
  double lat;
  double lon;
  double sigma;
  guint  weight;
} Centre;

/* Hangzhou: district seats, dense in the city, sparse in the west. */
static const Centre hangzhou[] = {
  { 30.2425, 120.170, 0.030, 14 }, { 30.3190, 120.142, 0.030, 12 }, { 30.2730, 120.090, 0.040, 12 },
  { 30.2085, 120.211, 0.025, 9 },  { 30.1650, 120.264, 0.060, 12 }, { 30.3930, 119.980, 0.070, 10 },
  { 30.4210, 120.300, 0.050, 7 },  { 30.3050, 120.450, 0.040, 5 },  { 30.0490, 119.960, 0.060, 4 },
  { 30.2340, 119.725, 0.060, 3 },  { 29.7970, 119.691, 0.050, 2 },  { 29.6090, 119.042, 0.050, 1 },
  { 29.4750, 119.281, 0.050, 2 },
};

/* National scale: large cities, weighted roughly by their size. */
static const Centre china[] = {
  { 39.904, 116.407, 0.35, 40 }, { 31.230, 121.474, 0.35, 45 }, { 23.129, 113.264, 0.30, 35 },
  { 22.543, 114.058, 0.20, 40 }, { 30.572, 104.066, 0.30, 25 }, { 29.563, 106.551, 0.35, 22 },
  { 30.274, 120.155, 0.30, 25 }, { 30.593, 114.305, 0.30, 20 }, { 34.341, 108.940, 0.30, 15 },
  { 32.060, 118.797, 0.25, 18 }, { 39.084, 117.201, 0.30, 15 }, { 34.747, 113.625, 0.30, 14 },
  { 28.228, 112.939, 0.25, 12 }, { 41.806, 123.432, 0.30, 10 }, { 36.651, 117.120, 0.30, 11 },
  { 36.067, 120.383, 0.25, 12 }, { 26.075, 119.296, 0.25, 10 }, { 24.480, 118.089, 0.20, 9 },
  { 25.038, 102.718, 0.25, 7 },  { 45.803, 126.535, 0.30, 6 },  { 43.817, 125.324, 0.30, 6 },
  { 38.042, 114.515, 0.30, 8 },  { 37.870, 112.549, 0.25, 6 },  { 31.821, 117.227, 0.25, 9 },
  { 28.682, 115.858, 0.25, 7 },  { 26.647, 106.630, 0.25, 6 },  { 22.817, 108.366, 0.25, 6 },
  { 20.044, 110.199, 0.20, 4 },  { 36.061, 103.834, 0.25, 4 },  { 43.825, 87.617, 0.25, 3 },
  { 29.650, 91.100, 0.15, 1 },   { 38.487, 106.231, 0.20, 2 },  { 36.617, 101.778, 0.20, 2 },
  { 40.842, 111.749, 0.25, 3 },  { 31.299, 120.585, 0.25, 14 }, { 23.021, 113.751, 0.25, 16 },
  { 22.270, 113.577, 0.15, 4 },  { 29.868, 121.544, 0.25, 9 },  { 28.000, 120.672, 0.25, 7 },
  { 31.568, 120.299, 0.20, 8 },
};

static void
fill (AnxMapPoints *points,
      const Centre *centres,
      guint         n_centres,
      double        spread_west,
      double        spread_east,
      double        spread_south,
      double        spread_north,
      guint         n,
      guint32       seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint total_weight = 0;

  for (guint c = 0; c < n_centres; c++)
    total_weight += centres[c].weight;

  for (guint i = 0; i < n; i++)
    {
      char id[32];
      guint counts[ANX_MAP_N_STATES] = { 0 };
      guint n_chargers = g_rand_int_range (rand, 2, 21);
      double lat, lon, roll;
      AnxMapSeverity severity = ANX_MAP_SEVERITY_NONE;
      guint index;

      /* Most stations in cities, the rest spread over the region. */
      if (g_rand_double (rand) < 0.8)
        {
          guint pick = g_rand_int_range (rand, 0, total_weight);
          guint c = 0;
          double u1 = g_rand_double_range (rand, 1e-12, 1.0);
          double u2 = g_rand_double (rand);
          double r = sqrt (-2.0 * log (u1));

          while (pick >= centres[c].weight)
            pick -= centres[c++].weight;
          lat = centres[c].lat + centres[c].sigma * r * cos (2 * G_PI * u2);
          lon = centres[c].lon + centres[c].sigma * 1.15 * r * sin (2 * G_PI * u2);
        }
      else
        {
          lat = g_rand_double_range (rand, spread_south, spread_north);
          lon = g_rand_double_range (rand, spread_west, spread_east);
        }

      g_snprintf (id, sizeof id, "S%07u", i);
      index = anx_map_points_add (points, id, NULL, lat, lon, i);
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

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
iterate (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef struct
{
  double lat;
  double lon;
  double zoom;
} Waypoint;

/* Renders @layer over a scripted path of N_FRAMES frames through
 * @waypoints, interpolating position and zoom. Returns the p95 in ms. */
static double
run_path (const char      *label,
          GtkWidget       *layer,
          ShumateViewport *viewport,
          GskRenderer     *renderer,
          const Waypoint  *waypoints,
          guint            n_waypoints,
          double           target_ms)
{
  double times[N_FRAMES];
  double snapshot_times[N_FRAMES];
  double p50, p95, max;
  guint n_drawn_frames = 0;

  for (guint f = 0; f < N_FRAMES; f++)
    {
      double t = (double) f / (N_FRAMES - 1) * (n_waypoints - 1);
      guint k = MIN ((guint) t, n_waypoints - 2);
      double u = t - k;
      /* Smooth in and out of each waypoint, as an animated go-to does. */
      double s = u * u * (3 - 2 * u);
      const Waypoint *a = &waypoints[k], *b = &waypoints[k + 1];
      g_autoptr (GtkSnapshot) snapshot = NULL;
      g_autoptr (GskRenderNode) node = NULL;
      g_autoptr (GdkTexture) texture = NULL;
      gint64 start;

      shumate_viewport_set_zoom_level (viewport, a->zoom + (b->zoom - a->zoom) * s);
      shumate_location_set_location (SHUMATE_LOCATION (viewport), a->lat + (b->lat - a->lat) * s,
                                     a->lon + (b->lon - a->lon) * s);

      start = g_get_monotonic_time ();
      snapshot = gtk_snapshot_new ();
      GTK_WIDGET_GET_CLASS (layer)->snapshot (layer, snapshot);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      snapshot_times[f] = (g_get_monotonic_time () - start) / 1000.0;
      if (node != NULL)
        {
          texture = gsk_renderer_render_texture (renderer, node,
                                                 &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
          n_drawn_frames++;
        }
      times[f] = (g_get_monotonic_time () - start) / 1000.0;
    }

  qsort (times, N_FRAMES, sizeof (double), compare_doubles);
  qsort (snapshot_times, N_FRAMES, sizeof (double), compare_doubles);
  p50 = times[N_FRAMES / 2];
  p95 = times[(guint) ceil (N_FRAMES * 0.95) - 1];
  max = times[N_FRAMES - 1];

  g_print ("%-34s frames %u (%u drawn)  p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms", label, N_FRAMES,
           n_drawn_frames, p50, p95, max);
  if (target_ms > 0)
    g_print ("  target p95 <= %.0f ms: %s\n", target_ms, p95 <= target_ms ? "PASS" : "MISS");
  else
    g_print ("  (no target)\n");
  g_print ("%-34s of which snapshot (query and nodes): p50 %6.2f ms  p95 %6.2f ms\n", "",
           snapshot_times[N_FRAMES / 2], snapshot_times[(guint) ceil (N_FRAMES * 0.95) - 1]);
  return p95;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (AnxMapPoints) hangzhou_points = anx_map_points_new ();
  g_autoptr (AnxMapPoints) national_points = anx_map_points_new ();
  g_autoptr (ShumateMapSource) source = NULL;
  g_autoptr (GArray) scratch = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  ShumateMap *map;
  ShumateViewport *viewport;
  AnxChargerLayer *chargers;
  AnxBasemapLayer *basemap;
  GtkWindow *window;
  GskRenderer *renderer;
  gint64 start;

  static const Waypoint hangzhou_path[] = {
    { 30.25, 120.17, 9.0 },  { 30.27, 120.10, 11.0 }, { 30.24, 120.17, 13.5 },
    { 30.21, 120.22, 15.5 }, { 30.26, 120.15, 17.0 }, { 30.30, 120.12, 14.0 },
    { 30.35, 120.00, 12.0 }, { 30.10, 119.90, 10.0 }, { 29.90, 119.60, 8.5 },
    { 30.25, 120.17, 9.0 },
  };
  static const Waypoint national_path[] = {
    { 35.0, 110.0, 4.0 },  { 39.9, 116.4, 6.0 }, { 39.9, 116.4, 9.0 },    { 39.95, 116.35, 12.0 },
    { 39.9, 116.4, 14.0 }, { 34.0, 117.0, 7.0 }, { 31.23, 121.47, 10.0 }, { 31.2, 121.5, 13.5 },
    { 27.0, 117.0, 6.5 },  { 22.8, 113.8, 9.5 }, { 22.55, 114.06, 12.5 }, { 30.0, 108.0, 5.0 },
    { 35.0, 110.0, 4.0 },
  };

  gtk_init ();
  anxin_register_resource ();
  g_print ("GSK renderer: %s, %d x %d, %d frames a path\n",
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)", WIDTH,
           HEIGHT, N_FRAMES);

  start = g_get_monotonic_time ();
  fill (hangzhou_points, hangzhou, G_N_ELEMENTS (hangzhou), 118.3, 120.8, 29.1, 30.62, 12258,
        20221016);
  anx_map_points_query_clusters (hangzhou_points, 0, 0, 0, 1, 1, scratch);
  g_print ("setup: 12,258 stations added and indexed in %.1f ms\n",
           (g_get_monotonic_time () - start) / 1000.0);

  start = g_get_monotonic_time ();
  fill (national_points, china, G_N_ELEMENTS (china), 98.0, 122.0, 21.0, 42.0, 1000000, 2026);
  g_print ("setup: 1,000,000 stations added in %.1f ms",
           (g_get_monotonic_time () - start) / 1000.0);
  start = g_get_monotonic_time ();
  g_array_set_size (scratch, 0);
  anx_map_points_query_clusters (national_points, 0, 0, 0, 1, 1, scratch);
  g_print (", indexed (sorted, first level) in %.1f ms\n",
           (g_get_monotonic_time () - start) / 1000.0);

  /* A real map in a real window, so that the layers have a size, a
   * viewport with a reference source and a renderer. */
  source = anx_basemap_sources_new_offline ();
  map = shumate_map_new ();
  viewport = shumate_map_get_viewport (map);
  shumate_viewport_set_reference_map_source (viewport, source);
  shumate_viewport_set_max_zoom_level (viewport, 20);
  basemap = anx_basemap_layer_new (viewport);
  chargers = anx_charger_layer_new (viewport, hangzhou_points);
  shumate_map_add_layer (map, SHUMATE_LAYER (basemap));
  shumate_map_add_layer (map, SHUMATE_LAYER (chargers));

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, WIDTH, HEIGHT);
  gtk_window_set_resizable (window, FALSE);
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_child (window, GTK_WIDGET (map));
  gtk_window_present (window);
  while (gtk_widget_get_width (GTK_WIDGET (chargers)) == 0)
    iterate (10);
  iterate (200);
  g_print ("layer size: %d x %d\n", gtk_widget_get_width (GTK_WIDGET (chargers)),
           gtk_widget_get_height (GTK_WIDGET (chargers)));
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_print ("renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));

  run_path ("charger layer, 12,258 stations", GTK_WIDGET (chargers), viewport, renderer,
            hangzhou_path, G_N_ELEMENTS (hangzhou_path), 8);
  run_path ("basemap layer, Hangzhou path", GTK_WIDGET (basemap), viewport, renderer, hangzhou_path,
            G_N_ELEMENTS (hangzhou_path), 0);

  anx_charger_layer_set_points (chargers, national_points);
  run_path ("charger layer, 1,000,000 stations", GTK_WIDGET (chargers), viewport, renderer,
            national_path, G_N_ELEMENTS (national_path), 16);
  /* Again, with every level's clusters already computed. */
  run_path ("  same path, clusters cached", GTK_WIDGET (chargers), viewport, renderer,
            national_path, G_N_ELEMENTS (national_path), 0);

  gtk_window_destroy (window);
  iterate (50);
  return EXIT_SUCCESS;
}

/* test-map-points.c: the map's point store, clusters, queries and picks,
 * checked against brute force on deterministic synthetic networks
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "anx-map-points.h"

/* Hangzhou's bounding box, as in data/basemap/hangzhou.json. */
#define WEST 118.3
#define EAST 120.8
#define SOUTH 29.1
#define NORTH 30.62

static const char *const operators[] = { "op-a", "op-b", "op-c", "op-d", "op-e" };

/* Fills @points with @n stations from a fixed seed: a dense city core and a
 * sparse countryside, statuses and alarms spread over all values. */
static void
fill_network (AnxMapPoints *points,
              guint         n,
              guint32       seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("st-%06u", i);
      double lat, lon;
      guint counts[ANX_MAP_N_STATES];
      AnxMapSeverity severity;
      guint index;

      if (g_rand_int_range (rand, 0, 3) > 0)
        {
          lat = 30.25 + g_rand_double_range (rand, -0.12, 0.12);
          lon = 120.17 + g_rand_double_range (rand, -0.15, 0.15);
        }
      else
        {
          lat = g_rand_double_range (rand, SOUTH, NORTH);
          lon = g_rand_double_range (rand, WEST, EAST);
        }

      index = anx_map_points_add (points, id, operators[i % G_N_ELEMENTS (operators)], lat, lon,
                                  1000 + i);
      g_assert_cmpuint (index, ==, i);

      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        counts[s] = g_rand_int_range (rand, 0, 4);
      severity = g_rand_int_range (rand, 0, 10) < 7 ? ANX_MAP_SEVERITY_NONE
                                                    : g_rand_int_range (rand, 1, 4);
      anx_map_points_set_status (points, index, counts, severity);
    }
}

static void
test_projection (void)
{
  double x, y, lat, lon;

  anx_map_project (0, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0.5, 1e-15);
  g_assert_cmpfloat_with_epsilon (y, 0.5, 1e-15);

  anx_map_project (85.0511287798, 180, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (y, 0.0, 1e-9);

  /* Beyond the Mercator limit the latitude is clamped, not infinite. */
  anx_map_project (90, -180, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (y, 0.0, 1e-9);

  /* The OpenStreetMap wiki's tile formula, written differently. */
  for (double la = -85; la <= 85; la += 2.5)
    {
      double rad = la * G_PI / 180.0;

      anx_map_project (la, 120.142, &x, &y);
      g_assert_cmpfloat_with_epsilon (y, (1.0 - asinh (tan (rad)) / G_PI) / 2.0, 1e-12);
      g_assert_cmpfloat_with_epsilon (x, (120.142 + 180.0) / 360.0, 1e-15);
    }

  for (double la = -80; la <= 80; la += 7.3)
    for (double lo = -179; lo <= 179; lo += 13.1)
      {
        anx_map_project (la, lo, &x, &y);
        anx_map_unproject (x, y, &lat, &lon);
        g_assert_cmpfloat_with_epsilon (lat, la, 1e-9);
        g_assert_cmpfloat_with_epsilon (lon, lo, 1e-9);
      }
}

static void
test_worst_state (void)
{
  guint counts[ANX_MAP_N_STATES] = { 0 };

  g_assert_cmpint (anx_map_worst_state (counts), ==, ANX_MAP_STATE_IDLE);
  counts[ANX_MAP_STATE_IDLE] = 5;
  g_assert_cmpint (anx_map_worst_state (counts), ==, ANX_MAP_STATE_IDLE);
  counts[ANX_MAP_STATE_CHARGING] = 1;
  g_assert_cmpint (anx_map_worst_state (counts), ==, ANX_MAP_STATE_CHARGING);
  counts[ANX_MAP_STATE_OFFLINE] = 1;
  g_assert_cmpint (anx_map_worst_state (counts), ==, ANX_MAP_STATE_OFFLINE);
  counts[ANX_MAP_STATE_FAULT] = 1;
  g_assert_cmpint (anx_map_worst_state (counts), ==, ANX_MAP_STATE_FAULT);
}

static void
test_store (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  guint counts[ANX_MAP_N_STATES] = { 2, 3, 0, 1 };
  guint got[ANX_MAP_N_STATES];
  AnxMapSeverity severity;
  double lat, lon, x, y;
  guint index;

  g_assert_cmpuint (anx_map_points_get_n_points (points), ==, 0);
  g_assert_false (anx_map_points_lookup (points, "none", NULL));

  g_assert_cmpuint (anx_map_points_add (points, "b", "op-1", 30.25, 120.16, 7), ==, 0);
  g_assert_cmpuint (anx_map_points_add (points, "a", NULL, 29.6, 119.0, 9), ==, 1);
  anx_map_points_set_status (points, 0, counts, ANX_MAP_SEVERITY_WARNING);

  /* A query sorts the store; indices and everything else must survive. */
  {
    g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));

    anx_map_points_query_points (points, 0, 0, 1, 1, all);
    g_assert_cmpuint (all->len, ==, 2);
  }
  g_assert_cmpuint (anx_map_points_add (points, "c", "op-1", -33.9, 151.2, 11), ==, 2);

  g_assert_cmpuint (anx_map_points_get_n_points (points), ==, 3);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, 3);
  g_assert_true (anx_map_points_lookup (points, "a", &index));
  g_assert_cmpuint (index, ==, 1);
  g_assert_true (anx_map_points_lookup (points, "c", &index));
  g_assert_cmpuint (index, ==, 2);
  g_assert_cmpstr (anx_map_points_get_id (points, 0), ==, "b");
  g_assert_cmpstr (anx_map_points_get_operator_id (points, 0), ==, "op-1");
  g_assert_null (anx_map_points_get_operator_id (points, 1));
  g_assert_cmpuint (anx_map_points_get_user_index (points, 0), ==, 7);
  g_assert_cmpuint (anx_map_points_get_user_index (points, 1), ==, 9);
  g_assert_cmpuint (anx_map_points_get_user_index (points, 2), ==, 11);

  anx_map_points_get_location (points, 0, &lat, &lon);
  g_assert_cmpfloat_with_epsilon (lat, 30.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (lon, 120.16, 1e-9);
  anx_map_points_get_projected (points, 2, &x, &y);
  anx_map_project (-33.9, 151.2, &lat, &lon);
  g_assert_cmpfloat (x, ==, lat);
  g_assert_cmpfloat (y, ==, lon);

  anx_map_points_get_status (points, 0, got, &severity);
  for (guint s = 0; s < ANX_MAP_N_STATES; s++)
    g_assert_cmpuint (got[s], ==, counts[s]);
  g_assert_cmpint (severity, ==, ANX_MAP_SEVERITY_WARNING);
  anx_map_points_get_status (points, 1, got, &severity);
  g_assert_cmpuint (got[0] + got[1] + got[2] + got[3], ==, 0);
  g_assert_cmpint (severity, ==, ANX_MAP_SEVERITY_NONE);

  anx_map_points_clear (points);
  g_assert_cmpuint (anx_map_points_get_n_points (points), ==, 0);
  g_assert_false (anx_map_points_lookup (points, "a", NULL));
}

typedef struct
{
  guint n;
  double sx, sy;
  guint counts[ANX_MAP_N_STATES];
  guint severity;
} BruteCell;

/* Clusters computed the obvious way, by cell coordinates in a hash table. */
static GHashTable *
brute_clusters (AnxMapPoints *points,
                guint         level)
{
  GHashTable *cells = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  double side = ldexp (1.0, level);

  for (guint i = 0; i < anx_map_points_get_n_points (points); i++)
    {
      double x, y;
      gint64 key;
      BruteCell *cell;
      guint counts[ANX_MAP_N_STATES];
      AnxMapSeverity severity;

      if (!anx_map_points_is_visible (points, i))
        continue;
      anx_map_points_get_projected (points, i, &x, &y);
      anx_map_points_get_status (points, i, counts, &severity);
      key = (gint64) floor (x * side) * (1 << 25) + (gint64) floor (y * side);
      cell = g_hash_table_lookup (cells, &key);
      if (cell == NULL)
        {
          cell = g_new0 (BruteCell, 1);
          g_hash_table_insert (cells, g_memdup2 (&key, sizeof key), cell);
        }
      cell->n++;
      cell->sx += x;
      cell->sy += y;
      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        cell->counts[s] += counts[s];
      cell->severity = MAX (cell->severity, severity);
    }

  return cells;
}

static void
check_clusters_against_brute_force (AnxMapPoints *points,
                                    guint         level)
{
  g_autoptr (GHashTable) expected = brute_clusters (points, level);
  g_autoptr (GArray) clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  double side = ldexp (1.0, level);
  guint total = 0;

  anx_map_points_query_clusters (points, level, 0, 0, 1, 1, clusters);
  g_assert_cmpuint (clusters->len, ==, g_hash_table_size (expected));

  for (guint i = 0; i < clusters->len; i++)
    {
      const AnxMapCluster *c = &g_array_index (clusters, AnxMapCluster, i);
      gint64 key = (gint64) floor (c->x * side) * (1 << 25) + (gint64) floor (c->y * side);
      BruteCell *cell = g_hash_table_lookup (expected, &key);
      double px, py;

      /* The centroid lies in its own cell. */
      g_assert_nonnull (cell);
      g_assert_cmpuint (c->level, ==, level);
      g_assert_cmpuint (c->n_points, ==, cell->n);
      g_assert_cmpfloat_with_epsilon (c->x, cell->sx / cell->n, 1e-12);
      g_assert_cmpfloat_with_epsilon (c->y, cell->sy / cell->n, 1e-12);
      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        g_assert_cmpuint (c->n_chargers[s], ==, cell->counts[s]);
      g_assert_cmpuint (c->severity, ==, cell->severity);

      /* The member point is in the same cell and visible. */
      g_assert_true (anx_map_points_is_visible (points, c->point));
      anx_map_points_get_projected (points, c->point, &px, &py);
      g_assert_cmpint ((gint64) floor (px * side), ==, (gint64) floor (c->x * side));
      g_assert_cmpint ((gint64) floor (py * side), ==, (gint64) floor (c->y * side));
      total += c->n_points;
    }
  g_assert_cmpuint (total, ==, anx_map_points_get_n_visible (points));
}

static void
test_clusters (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();

  fill_network (points, 12258, 2022);
  for (guint level = 0; level <= ANX_MAP_POINTS_MAX_LEVEL; level += 3)
    check_clusters_against_brute_force (points, level);
  check_clusters_against_brute_force (points, ANX_MAP_POINTS_MAX_LEVEL);

  /* Zooming out: coarser levels are merged from finer ones computed
   * before, and must come out the same. */
  anx_map_points_set_filter (points, ANX_MAP_STATE_MASK_ALL, FALSE, NULL);
  for (int level = 16; level >= 0; level--)
    check_clusters_against_brute_force (points, level);

  /* A status change reaches the clusters of a level already computed. */
  {
    guint counts[ANX_MAP_N_STATES] = { 0, 0, 0, 40 };

    anx_map_points_set_status (points, 17, counts, ANX_MAP_SEVERITY_CRITICAL);
    check_clusters_against_brute_force (points, 12);
    check_clusters_against_brute_force (points, 9);
  }

  /* Points added after a query are sorted in. */
  anx_map_points_add (points, "late", NULL, 30.25, 120.17, 0);
  check_clusters_against_brute_force (points, 12);
}

static void
test_level_for_scale (void)
{
  /* 256 px tiles, 64 px cells: 2^(zoom + 2) cells along the world. */
  g_assert_cmpuint (anx_map_points_level_for_scale (256, 64), ==, 2);
  g_assert_cmpuint (anx_map_points_level_for_scale (256 * 1024, 64), ==, 12);
  /* Zoom 10.5: cells of 90 px, still level 12. */
  g_assert_cmpuint (anx_map_points_level_for_scale (256 * pow (2, 10.5), 64), ==, 12);
  g_assert_cmpuint (anx_map_points_level_for_scale (256 * pow (2, 10.999), 64), ==, 12);
  g_assert_cmpuint (anx_map_points_level_for_scale (10, 64), ==, 0);
  g_assert_cmpuint (anx_map_points_level_for_scale (256 * pow (2, 30), 64), ==,
                    ANX_MAP_POINTS_MAX_LEVEL);
}

static void
test_query_points (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  double hx0, hy0, hx1, hy1;

  fill_network (points, 5000, 99);
  anx_map_project (NORTH, WEST, &hx0, &hy0);
  anx_map_project (SOUTH, EAST, &hx1, &hy1);

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
      double w = (hx1 - hx0) * pow (2, -g_rand_double_range (rand, 0, 8));
      double h = (hy1 - hy0) * pow (2, -g_rand_double_range (rand, 0, 8));
      double x0 = g_rand_double_range (rand, hx0 - w / 2, hx1);
      double y0 = g_rand_double_range (rand, hy0 - h / 2, hy1);
      guint expected = 0;

      anx_map_points_query_points (points, x0, y0, x0 + w, y0 + h, found);
      for (guint i = 0; i < found->len; i++)
        {
          guint index = g_array_index (found, guint, i);
          double x, y;

          g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (index + 1)));
          g_hash_table_add (seen, GUINT_TO_POINTER (index + 1));
          anx_map_points_get_projected (points, index, &x, &y);
          g_assert_true (x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h);
        }
      for (guint i = 0; i < anx_map_points_get_n_points (points); i++)
        {
          double x, y;

          anx_map_points_get_projected (points, i, &x, &y);
          if (x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h)
            expected++;
        }
      g_assert_cmpuint (found->len, ==, expected);
    }
}

static void
test_pick (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  double hx0, hy0, hx1, hy1;
  guint n_hits = 0;

  fill_network (points, 3000, 5);
  anx_map_project (NORTH, WEST, &hx0, &hy0);
  anx_map_project (SOUTH, EAST, &hx1, &hy1);

  for (guint round = 0; round < 500; round++)
    {
      double x = g_rand_double_range (rand, hx0, hx1);
      double y = g_rand_double_range (rand, hy0, hy1);
      double radius = (hx1 - hx0) * g_rand_double_range (rand, 0.0005, 0.02);
      double best = G_MAXDOUBLE;
      gint64 nearest = -1;
      guint index;
      gboolean hit;

      for (guint i = 0; i < anx_map_points_get_n_points (points); i++)
        {
          double px, py, d;

          anx_map_points_get_projected (points, i, &px, &py);
          d = hypot (px - x, py - y);
          if (d <= radius && d < best)
            {
              best = d;
              nearest = i;
            }
        }

      hit = anx_map_points_pick_point (points, x, y, radius, &index);
      g_assert_cmpint (hit, ==, nearest >= 0);
      if (hit)
        {
          double px, py;

          n_hits++;
          anx_map_points_get_projected (points, index, &px, &py);
          /* Ties are possible; the distance must be the minimum. */
          g_assert_cmpfloat_with_epsilon (hypot (px - x, py - y), best, 1e-15);
        }
    }
  /* The rounds must exercise both outcomes. */
  g_assert_cmpuint (n_hits, >, 50);
  g_assert_cmpuint (n_hits, <, 450);

  /* Clusters: the nearest centroid at the level, within the radius. */
  for (guint level = 6; level <= 14; level += 4)
    {
      g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
      double radius = ldexp (1.0, -(int) level) * 0.75;

      anx_map_points_query_clusters (points, level, 0, 0, 1, 1, all);
      for (guint round = 0; round < 200; round++)
        {
          double x = g_rand_double_range (rand, hx0, hx1);
          double y = g_rand_double_range (rand, hy0, hy1);
          double best = G_MAXDOUBLE;
          const AnxMapCluster *nearest = NULL;
          AnxMapCluster picked;
          gboolean hit;

          for (guint i = 0; i < all->len; i++)
            {
              const AnxMapCluster *c = &g_array_index (all, AnxMapCluster, i);
              double d = hypot (c->x - x, c->y - y);

              if (d <= radius && d < best)
                {
                  best = d;
                  nearest = c;
                }
            }
          hit = anx_map_points_pick_cluster (points, level, x, y, radius, &picked);
          g_assert_cmpint (hit, ==, nearest != NULL);
          if (hit)
            {
              g_assert_cmpuint (picked.cell, ==, nearest->cell);
              g_assert_cmpuint (picked.n_points, ==, nearest->n_points);
            }
        }
    }
}

static void
test_cluster_bounds (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  g_autoptr (GArray) clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  double side = ldexp (1.0, 8);

  fill_network (points, 2000, 3);
  anx_map_points_query_clusters (points, 8, 0, 0, 1, 1, clusters);
  g_assert_cmpuint (clusters->len, >, 1);

  for (guint i = 0; i < clusters->len; i++)
    {
      const AnxMapCluster *c = &g_array_index (clusters, AnxMapCluster, i);
      double x0, y0, x1, y1;
      double ex0 = G_MAXDOUBLE, ey0 = G_MAXDOUBLE, ex1 = -G_MAXDOUBLE, ey1 = -G_MAXDOUBLE;

      g_assert_true (anx_map_points_get_cluster_bounds (points, c, &x0, &y0, &x1, &y1));
      for (guint p = 0; p < anx_map_points_get_n_points (points); p++)
        {
          double x, y;

          anx_map_points_get_projected (points, p, &x, &y);
          if (floor (x * side) != floor (c->x * side) || floor (y * side) != floor (c->y * side))
            continue;
          ex0 = MIN (ex0, x);
          ey0 = MIN (ey0, y);
          ex1 = MAX (ex1, x);
          ey1 = MAX (ey1, y);
        }
      g_assert_cmpfloat (x0, ==, ex0);
      g_assert_cmpfloat (y0, ==, ey0);
      g_assert_cmpfloat (x1, ==, ex1);
      g_assert_cmpfloat (y1, ==, ey1);
    }
}

static void
test_filter (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  const char *const some_operators[] = { "op-b", "op-d", "op-unknown", NULL };
  const char *const late_operator[] = { "op-late", NULL };
  guint n;
  guint expected;

  fill_network (points, 4000, 17);
  n = anx_map_points_get_n_points (points);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n);

  /* Faults only. */
  anx_map_points_set_filter (points, 1u << ANX_MAP_STATE_FAULT, FALSE, NULL);
  expected = 0;
  for (guint i = 0; i < n; i++)
    {
      guint counts[ANX_MAP_N_STATES];

      anx_map_points_get_status (points, i, counts, NULL);
      g_assert_cmpint (anx_map_points_is_visible (points, i), ==, counts[ANX_MAP_STATE_FAULT] > 0);
      expected += counts[ANX_MAP_STATE_FAULT] > 0;
    }
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, expected);
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, n);
  check_clusters_against_brute_force (points, 10);

  /* Alarms only, some operators. */
  anx_map_points_set_filter (points, ANX_MAP_STATE_MASK_ALL, TRUE, some_operators);
  expected = 0;
  for (guint i = 0; i < n; i++)
    {
      AnxMapSeverity severity;
      const char *op = anx_map_points_get_operator_id (points, i);
      gboolean visible;

      anx_map_points_get_status (points, i, NULL, &severity);
      visible = severity > ANX_MAP_SEVERITY_NONE &&
                (g_str_equal (op, "op-b") || g_str_equal (op, "op-d"));
      g_assert_cmpint (anx_map_points_is_visible (points, i), ==, visible);
      expected += visible;
    }
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, expected);
  g_assert_cmpuint (expected, >, 0);
  check_clusters_against_brute_force (points, 7);
  check_clusters_against_brute_force (points, 13);

  /* Query and pick see only visible points. */
  {
    g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));

    anx_map_points_query_points (points, 0, 0, 1, 1, found);
    g_assert_cmpuint (found->len, ==, expected);
    for (guint i = 0; i < found->len; i++)
      g_assert_true (anx_map_points_is_visible (points, g_array_index (found, guint, i)));
  }

  /* A status change re-applies the filter to that point. */
  {
    guint counts[ANX_MAP_N_STATES] = { 1, 0, 0, 0 };
    guint index = 0;

    while (g_strcmp0 (anx_map_points_get_operator_id (points, index), "op-b") != 0)
      index++;
    anx_map_points_set_status (points, index, counts, ANX_MAP_SEVERITY_NONE);
    g_assert_false (anx_map_points_is_visible (points, index));
    anx_map_points_set_status (points, index, counts, ANX_MAP_SEVERITY_INFO);
    g_assert_true (anx_map_points_is_visible (points, index));
  }

  /* An operator first seen after the filter was set. */
  anx_map_points_set_filter (points, ANX_MAP_STATE_MASK_ALL, FALSE, late_operator);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, 0);
  anx_map_points_add (points, "late-1", "op-late", 30.3, 120.1, 0);
  anx_map_points_add (points, "late-2", "op-other", 30.3, 120.1, 0);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, 1);
  g_assert_true (anx_map_points_is_visible (points, n));
  g_assert_false (anx_map_points_is_visible (points, n + 1));

  anx_map_points_set_filter (points, ANX_MAP_STATE_MASK_ALL, FALSE, NULL);
  g_assert_cmpuint (anx_map_points_get_n_visible (points), ==, n + 2);
  check_clusters_against_brute_force (points, 11);
}

static void
on_changed (AnxMapPoints *points,
            guint        *n_emissions)
{
  (*n_emissions)++;
}

static void
test_changed_signal (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  guint n_emissions = 0;
  guint counts[ANX_MAP_N_STATES] = { 1, 1, 1, 1 };

  g_signal_connect (points, "changed", G_CALLBACK (on_changed), &n_emissions);
  fill_network (points, 100, 1);
  anx_map_points_set_filter (points, 1, FALSE, NULL);
  g_assert_cmpuint (n_emissions, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (n_emissions, ==, 1);

  anx_map_points_set_status (points, 3, counts, ANX_MAP_SEVERITY_NONE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (n_emissions, ==, 2);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (n_emissions, ==, 2);
}

/* National scale: a million points, checked by totals and brute force at a
 * coarse level (speed is measured by bench-map-layer, not here). */
static void
test_million (void)
{
  g_autoptr (AnxMapPoints) points = anx_map_points_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (1000000);
  g_autoptr (GArray) clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  guint64 total_chargers = 0, expected_chargers = 0;
  guint total = 0;

  for (guint i = 0; i < 1000000; i++)
    {
      char id[16];
      guint counts[ANX_MAP_N_STATES] = { i % 3, i % 5, i % 2, i % 7 == 0 };

      g_snprintf (id, sizeof id, "n%u", i);
      anx_map_points_add (points, id, NULL, g_rand_double_range (rand, 18, 53),
                          g_rand_double_range (rand, 73, 135), i);
      anx_map_points_set_status (points, i, counts, ANX_MAP_SEVERITY_NONE);
      expected_chargers += counts[0] + counts[1] + counts[2] + counts[3];
    }

  anx_map_points_query_clusters (points, 5, 0, 0, 1, 1, clusters);
  for (guint i = 0; i < clusters->len; i++)
    {
      const AnxMapCluster *c = &g_array_index (clusters, AnxMapCluster, i);

      total += c->n_points;
      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        total_chargers += c->n_chargers[s];
    }
  g_assert_cmpuint (total, ==, 1000000);
  g_assert_cmpuint (total_chargers, ==, expected_chargers);
  check_clusters_against_brute_force (points, 9);

  {
    guint index;
    double lat, lon;

    g_assert_true (anx_map_points_lookup (points, "n654321", &index));
    g_assert_cmpuint (index, ==, 654321);
    g_assert_cmpuint (anx_map_points_get_user_index (points, index), ==, 654321);
    anx_map_points_get_location (points, index, &lat, &lon);
    g_assert_true (anx_map_points_pick_point (points, 0, 0, 0, NULL) == FALSE);
    {
      double x, y;
      guint picked;

      anx_map_project (lat, lon, &x, &y);
      g_assert_true (anx_map_points_pick_point (points, x, y, 1e-12, &picked));
      g_assert_cmpuint (picked, ==, index);
    }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/map-points/projection", test_projection);
  g_test_add_func ("/map-points/worst-state", test_worst_state);
  g_test_add_func ("/map-points/store", test_store);
  g_test_add_func ("/map-points/level-for-scale", test_level_for_scale);
  g_test_add_func ("/map-points/clusters", test_clusters);
  g_test_add_func ("/map-points/query-points", test_query_points);
  g_test_add_func ("/map-points/pick", test_pick);
  g_test_add_func ("/map-points/cluster-bounds", test_cluster_bounds);
  g_test_add_func ("/map-points/filter", test_filter);
  g_test_add_func ("/map-points/changed-signal", test_changed_signal);
  g_test_add_func ("/map-points/million", test_million);

  return g_test_run ();
}

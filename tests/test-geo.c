/* test-geo.c: datum conversion against published GCJ-02 reference points
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "anx-geo.h"

/* WGS-84 → GCJ-02 pairs published with two widely used open-source
 * implementations (the eviltransform test suite and coordtransform's
 * example output), both on the Krasovsky ellipsoid. */
static const struct {
  const char *where;
  double wgs_lat, wgs_lon, gcj_lat, gcj_lon;
} reference_points[] = {
  { "Shanghai", 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215 },
  { "Shenzhen", 22.543847, 113.912316, 22.540796131694766, 113.9171764808363 },
  { "Beijing", 39.911954, 116.377817, 39.91334545536069, 116.38404722455657 },
  { "Beijing (coordtransform)", 39.915, 116.404, 39.91640428150164, 116.41024449916938 },
};

static void
test_forward_reference_points (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reference_points); i++)
    {
      double lat, lon;

      g_test_message ("%s", reference_points[i].where);
      anx_geo_wgs84_to_gcj02 (reference_points[i].wgs_lat, reference_points[i].wgs_lon,
                              &lat, &lon);
      g_assert_cmpfloat_with_epsilon (lat, reference_points[i].gcj_lat, 1e-9);
      g_assert_cmpfloat_with_epsilon (lon, reference_points[i].gcj_lon, 1e-9);
    }
}

static void
test_inverse_reference_points (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reference_points); i++)
    {
      double lat, lon;

      anx_geo_gcj02_to_wgs84 (reference_points[i].gcj_lat, reference_points[i].gcj_lon,
                              &lat, &lon);
      /* 1e-8° is about 1 mm. */
      g_assert_cmpfloat_with_epsilon (lat, reference_points[i].wgs_lat, 1e-8);
      g_assert_cmpfloat_with_epsilon (lon, reference_points[i].wgs_lon, 1e-8);
    }
}

static void
test_hangzhou_round_trip (void)
{
  /* A grid over Hangzhou's districts, from Chun'an to Xiaoshan. */
  for (double lat = 29.2; lat <= 30.6; lat += 0.05)
    for (double lon = 118.3; lon <= 120.8; lon += 0.05)
      {
        double gcj_lat, gcj_lon, back_lat, back_lon, shift;

        anx_geo_wgs84_to_gcj02 (lat, lon, &gcj_lat, &gcj_lon);
        /* The offset in Hangzhou is a few hundred metres, never zero. */
        shift = anx_geo_distance_m (lat, lon, gcj_lat, gcj_lon);
        g_assert_cmpfloat (shift, >, 100.0);
        g_assert_cmpfloat (shift, <, 1000.0);

        anx_geo_gcj02_to_wgs84 (gcj_lat, gcj_lon, &back_lat, &back_lon);
        g_assert_cmpfloat (anx_geo_distance_m (lat, lon, back_lat, back_lon), <, 0.001);
      }
}

static void
test_outside_china (void)
{
  double lat, lon;

  g_assert_false (anx_geo_is_in_china (48.8584, 2.2945));
  anx_geo_wgs84_to_gcj02 (48.8584, 2.2945, &lat, &lon);
  g_assert_cmpfloat (lat, ==, 48.8584);
  g_assert_cmpfloat (lon, ==, 2.2945);
  anx_geo_gcj02_to_wgs84 (48.8584, 2.2945, &lat, &lon);
  g_assert_cmpfloat (lat, ==, 48.8584);
  g_assert_cmpfloat (lon, ==, 2.2945);
  g_assert_true (anx_geo_is_in_china (30.25, 120.16));
}

static void
test_datum (void)
{
  AnxGeoDatum datum = ANX_GEO_DATUM_WGS84;
  double lat, lon;

  g_assert_true (anx_geo_datum_from_string ("GCJ-02", &datum));
  g_assert_cmpint (datum, ==, ANX_GEO_DATUM_GCJ02);
  g_assert_true (anx_geo_datum_from_string ("wgs84", &datum));
  g_assert_cmpint (datum, ==, ANX_GEO_DATUM_WGS84);
  g_assert_true (anx_geo_datum_from_string ("CGCS2000", &datum));
  g_assert_cmpint (datum, ==, ANX_GEO_DATUM_WGS84);
  g_assert_false (anx_geo_datum_from_string ("BD-09", &datum));
  g_assert_false (anx_geo_datum_from_string (NULL, &datum));
  g_assert_cmpstr (anx_geo_datum_to_string (ANX_GEO_DATUM_GCJ02), ==, "GCJ-02");
  g_assert_cmpstr (anx_geo_datum_to_string (ANX_GEO_DATUM_WGS84), ==, "WGS-84");

  anx_geo_to_wgs84 (ANX_GEO_DATUM_GCJ02, reference_points[0].gcj_lat,
                    reference_points[0].gcj_lon, &lat, &lon);
  g_assert_cmpfloat_with_epsilon (lat, reference_points[0].wgs_lat, 1e-8);
  anx_geo_to_wgs84 (ANX_GEO_DATUM_WGS84, 30.0, 120.0, &lat, &lon);
  g_assert_cmpfloat (lat, ==, 30.0);
  g_assert_cmpfloat (lon, ==, 120.0);
}

static void
test_distance (void)
{
  /* One degree of a great circle on the mean sphere. */
  g_assert_cmpfloat_with_epsilon (anx_geo_distance_m (0, 0, 0, 1), 111195.08, 0.1);
  g_assert_cmpfloat (anx_geo_distance_m (30.25, 120.16, 30.25, 120.16), ==, 0.0);
  /* West Lake (30.2460, 120.1450) to Hangzhou East station (30.2905, 120.2126): ~8 km. */
  g_assert_cmpfloat_with_epsilon (anx_geo_distance_m (30.2460, 120.1450, 30.2905, 120.2126),
                                  8000.0, 400.0);
  /* Antipodes. */
  g_assert_cmpfloat_with_epsilon (anx_geo_distance_m (0, 0, 0, 180), G_PI * 6371008.8, 1.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/geo/wgs84-to-gcj02/reference-points", test_forward_reference_points);
  g_test_add_func ("/geo/gcj02-to-wgs84/reference-points", test_inverse_reference_points);
  g_test_add_func ("/geo/gcj02/hangzhou-round-trip", test_hangzhou_round_trip);
  g_test_add_func ("/geo/gcj02/outside-china", test_outside_china);
  g_test_add_func ("/geo/datum", test_datum);
  g_test_add_func ("/geo/distance", test_distance);

  return g_test_run ();
}

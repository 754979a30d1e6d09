/* anx-geo.c: geodetic datums of station coordinates, and distances
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-geo"

#include "config.h"

#include <math.h>

#include "anx-geo.h"

/* GCJ-02 is WGS-84 plus a deterministic, smooth offset defined on the
 * Krasovsky 1940 ellipsoid. The forward formula has been public for years
 * and every Chinese map SDK agrees with it to the last digit; there is no
 * closed-form inverse, so the inverse iterates the forward offset. */
#define KRASOVSKY_A  6378245.0
#define KRASOVSKY_EE 0.00669342162296594323
#define MEAN_EARTH_RADIUS_M 6371008.8

static const struct {
  const char *name;
  AnxGeoDatum datum;
} datum_names[] = {
  { "WGS-84", ANX_GEO_DATUM_WGS84 },
  { "WGS84", ANX_GEO_DATUM_WGS84 },
  { "CGCS2000", ANX_GEO_DATUM_WGS84 },
  { "GCJ-02", ANX_GEO_DATUM_GCJ02 },
  { "GCJ02", ANX_GEO_DATUM_GCJ02 },
};

/**
 * anx_geo_datum_from_string:
 * @text: `WGS-84`, `GCJ-02` or `CGCS2000` (case-insensitive; the hyphen may
 *   be left out)
 * @datum: (out): the datum
 *
 * Returns: %TRUE if @text names a datum the console can convert from
 */
gboolean
anx_geo_datum_from_string (const char  *text,
                           AnxGeoDatum *datum)
{
  g_return_val_if_fail (datum != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (datum_names); i++)
    {
      if (g_ascii_strcasecmp (text, datum_names[i].name) == 0)
        {
          *datum = datum_names[i].datum;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * anx_geo_datum_to_string:
 *
 * Returns: the name the feed protocol uses for @datum
 */
const char *
anx_geo_datum_to_string (AnxGeoDatum datum)
{
  switch (datum)
    {
    case ANX_GEO_DATUM_WGS84:
      return "WGS-84";
    case ANX_GEO_DATUM_GCJ02:
      return "GCJ-02";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * anx_geo_is_in_china:
 *
 * GCJ-02 only differs from WGS-84 inside this box; elsewhere it is WGS-84.
 *
 * Returns: %TRUE if the point is in the region where GCJ-02 applies
 */
gboolean
anx_geo_is_in_china (double latitude,
                     double longitude)
{
  return longitude >= 72.004 && longitude <= 137.8347 &&
         latitude >= 0.8293 && latitude <= 55.8271;
}

static void
gcj02_offset (double  latitude,
              double  longitude,
              double *d_latitude,
              double *d_longitude)
{
  double x = longitude - 105.0;
  double y = latitude - 35.0;
  double common = 20.0 * sin (6.0 * x * G_PI) + 20.0 * sin (2.0 * x * G_PI);
  double lat = common;
  double lon = common;
  double rad_lat;
  double magic;
  double sqrt_magic;

  lat += 20.0 * sin (y * G_PI) + 40.0 * sin (y / 3.0 * G_PI);
  lon += 20.0 * sin (x * G_PI) + 40.0 * sin (x / 3.0 * G_PI);
  lat += 160.0 * sin (y / 12.0 * G_PI) + 320.0 * sin (y * G_PI / 30.0);
  lon += 150.0 * sin (x / 12.0 * G_PI) + 300.0 * sin (x / 30.0 * G_PI);
  lat *= 2.0 / 3.0;
  lon *= 2.0 / 3.0;
  lat += -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt (fabs (x));
  lon += 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt (fabs (x));

  rad_lat = latitude / 180.0 * G_PI;
  magic = sin (rad_lat);
  magic = 1.0 - KRASOVSKY_EE * magic * magic;
  sqrt_magic = sqrt (magic);

  *d_latitude = (lat * 180.0) /
                ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * G_PI);
  *d_longitude = (lon * 180.0) / (KRASOVSKY_A / sqrt_magic * cos (rad_lat) * G_PI);
}

/**
 * anx_geo_wgs84_to_gcj02:
 *
 * Converts a WGS-84 coordinate to GCJ-02 (identity outside China).
 */
void
anx_geo_wgs84_to_gcj02 (double  latitude,
                        double  longitude,
                        double *out_latitude,
                        double *out_longitude)
{
  double d_latitude = 0.0;
  double d_longitude = 0.0;

  if (anx_geo_is_in_china (latitude, longitude))
    gcj02_offset (latitude, longitude, &d_latitude, &d_longitude);

  *out_latitude = latitude + d_latitude;
  *out_longitude = longitude + d_longitude;
}

/**
 * anx_geo_gcj02_to_wgs84:
 *
 * Converts a GCJ-02 coordinate to WGS-84 by fixed-point iteration on the
 * forward offset, to better than 1e-9° (about 0.1 mm).
 */
void
anx_geo_gcj02_to_wgs84 (double  latitude,
                        double  longitude,
                        double *out_latitude,
                        double *out_longitude)
{
  double wgs_latitude = latitude;
  double wgs_longitude = longitude;

  for (guint i = 0; i < 30; i++)
    {
      double gcj_latitude;
      double gcj_longitude;
      double error_latitude;
      double error_longitude;

      anx_geo_wgs84_to_gcj02 (wgs_latitude, wgs_longitude, &gcj_latitude, &gcj_longitude);
      error_latitude = gcj_latitude - latitude;
      error_longitude = gcj_longitude - longitude;
      wgs_latitude -= error_latitude;
      wgs_longitude -= error_longitude;

      if (fabs (error_latitude) < 1e-10 && fabs (error_longitude) < 1e-10)
        break;
    }

  *out_latitude = wgs_latitude;
  *out_longitude = wgs_longitude;
}

/**
 * anx_geo_to_wgs84:
 * @datum: the datum the coordinate was declared in
 *
 * Converts a declared coordinate to WGS-84, the datum of map tiles.
 */
void
anx_geo_to_wgs84 (AnxGeoDatum  datum,
                  double       latitude,
                  double       longitude,
                  double      *out_latitude,
                  double      *out_longitude)
{
  switch (datum)
    {
    case ANX_GEO_DATUM_GCJ02:
      anx_geo_gcj02_to_wgs84 (latitude, longitude, out_latitude, out_longitude);
      break;

    case ANX_GEO_DATUM_WGS84:
    default:
      *out_latitude = latitude;
      *out_longitude = longitude;
      break;
    }
}

/**
 * anx_geo_distance_m:
 *
 * Great-circle distance on the mean Earth sphere (haversine), accurate to
 * about 0.5 % — plenty for ordering an inspection worklist by distance.
 *
 * Returns: the distance in metres
 */
double
anx_geo_distance_m (double latitude_a,
                    double longitude_a,
                    double latitude_b,
                    double longitude_b)
{
  double phi_a = latitude_a * G_PI / 180.0;
  double phi_b = latitude_b * G_PI / 180.0;
  double d_phi = phi_b - phi_a;
  double d_lambda = (longitude_b - longitude_a) * G_PI / 180.0;
  double h = sin (d_phi / 2.0) * sin (d_phi / 2.0) +
             cos (phi_a) * cos (phi_b) * sin (d_lambda / 2.0) * sin (d_lambda / 2.0);

  return 2.0 * MEAN_EARTH_RADIUS_M * asin (MIN (1.0, sqrt (h)));
}

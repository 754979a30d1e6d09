/* anx-geo.h: geodetic datums of station coordinates, and distances
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * AnxGeoDatum:
 * @ANX_GEO_DATUM_WGS84: WGS-84, as GPS, OpenStreetMap and CGCS2000-based
 *   Tianditu tiles use (CGCS2000 and WGS-84 differ by centimetres)
 * @ANX_GEO_DATUM_GCJ02: GCJ-02, the obfuscated datum Chinese map services and
 *   operators report coordinates in; a few hundred metres off WGS-84
 *
 * The datum a feed declares for a coordinate.
 */
typedef enum
{
  ANX_GEO_DATUM_WGS84,
  ANX_GEO_DATUM_GCJ02,
} AnxGeoDatum;

gboolean    anx_geo_datum_from_string (const char  *text,
                                       AnxGeoDatum *datum);
const char *anx_geo_datum_to_string   (AnxGeoDatum  datum);

gboolean    anx_geo_is_in_china       (double       latitude,
                                       double       longitude);
void        anx_geo_wgs84_to_gcj02    (double       latitude,
                                       double       longitude,
                                       double      *out_latitude,
                                       double      *out_longitude);
void        anx_geo_gcj02_to_wgs84    (double       latitude,
                                       double       longitude,
                                       double      *out_latitude,
                                       double      *out_longitude);
void        anx_geo_to_wgs84          (AnxGeoDatum  datum,
                                       double       latitude,
                                       double       longitude,
                                       double      *out_latitude,
                                       double      *out_longitude);
double      anx_geo_distance_m        (double       latitude_a,
                                       double       longitude_a,
                                       double       latitude_b,
                                       double       longitude_b);

G_END_DECLS

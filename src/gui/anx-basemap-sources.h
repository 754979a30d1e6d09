/* anx-basemap-sources.h: the kinds of basemap the console offers, as map
 * sources: offline (no tiles), raster tiles from a URL, an MBTiles file
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

/**
 * AnxBasemapKind:
 * @ANX_BASEMAP_KIND_OFFLINE: no tiles: the built-in AnxBasemapLayer only
 * @ANX_BASEMAP_KIND_TILES: raster tiles from a URL template
 * @ANX_BASEMAP_KIND_MBTILES: raster tiles from a local MBTiles file
 */
typedef enum
{
  ANX_BASEMAP_KIND_OFFLINE,
  ANX_BASEMAP_KIND_TILES,
  ANX_BASEMAP_KIND_MBTILES,
} AnxBasemapKind;

/**
 * ANX_BASEMAP_OSM_URL:
 *
 * OpenStreetMap's standard tiles; their use requires the attribution and an
 * identifying user agent (shumate_set_user_agent()).
 */
#define ANX_BASEMAP_OSM_URL    "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define ANX_BASEMAP_OFFLINE_ID "anxin-offline"

gboolean          anx_basemap_kind_from_string    (const char        *text,
                                                   AnxBasemapKind    *kind);
const char       *anx_basemap_kind_to_string      (AnxBasemapKind     kind);

ShumateMapSource *anx_basemap_sources_new         (AnxBasemapKind     kind,
                                                   const char        *location,
                                                   GError           **error);
ShumateMapSource *anx_basemap_sources_new_offline (void);
ShumateMapSource *anx_basemap_sources_new_tiles   (const char        *url_template,
                                                   const char        *name,
                                                   const char        *license,
                                                   const char        *license_uri,
                                                   guint              max_zoom,
                                                   GError           **error);
ShumateMapSource *anx_basemap_sources_new_mbtiles (const char        *path,
                                                   GError           **error);
gboolean          anx_basemap_sources_has_tiles   (ShumateMapSource  *source);

G_END_DECLS

/* anx-basemap-sources.c: the kinds of basemap the console offers, as map
 * sources: offline (no tiles), raster tiles from a URL, an MBTiles file
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-basemap-sources"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "anx-basemap-sources.h"
#include "anx-mbtiles-source.h"

/* A ShumateMap needs a reference map source for its projection, zoom limits
 * and gestures even when no tile is drawn. The offline basemap is a raster
 * renderer over AnxNoTiles, a data source that refuses every tile at once:
 * put in a ShumateSimpleMap it makes no request to anyone, and the
 * AnxBasemapLayer above it draws the geography. AnxNoTiles is private to
 * this factory, which has no other type. */

#define ANX_TYPE_NO_TILES (anx_no_tiles_get_type ())

G_DECLARE_FINAL_TYPE (AnxNoTiles, anx_no_tiles, ANX, NO_TILES, ShumateDataSource)

struct _AnxNoTiles
{
  ShumateDataSource  parent_instance;
};

G_DEFINE_FINAL_TYPE (AnxNoTiles, anx_no_tiles, SHUMATE_TYPE_DATA_SOURCE)

static const struct
{
  const char        *name;
  AnxBasemapKind     kind;
} kind_names[] = {
  { "offline", ANX_BASEMAP_KIND_OFFLINE },
  { "tiles", ANX_BASEMAP_KIND_TILES },
  { "mbtiles", ANX_BASEMAP_KIND_MBTILES },
};

static void
anx_no_tiles_get_tile_data_async (ShumateDataSource   *source,
                                  int                  x,
                                  int                  y,
                                  int                  zoom_level,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);

  g_task_set_source_tag (task, anx_no_tiles_get_tile_data_async);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The offline basemap has no tiles");
}

static void
anx_no_tiles_class_init (AnxNoTilesClass *klass)
{
  SHUMATE_DATA_SOURCE_CLASS (klass)->get_tile_data_async = anx_no_tiles_get_tile_data_async;
}

static void
anx_no_tiles_init (AnxNoTiles *self)
{
}

/**
 * anx_basemap_kind_from_string:
 * @text: `offline`, `tiles` or `mbtiles`, as stored in settings
 * @kind: (out): the kind
 *
 * Returns: %TRUE if @text names a kind
 */
gboolean
anx_basemap_kind_from_string (const char     *text,
                              AnxBasemapKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (text, kind_names[i].name))
      {
        *kind = kind_names[i].kind;
        return TRUE;
      }

  return FALSE;
}

/**
 * anx_basemap_kind_to_string:
 *
 * Returns: the name anx_basemap_kind_from_string() reads
 */
const char *
anx_basemap_kind_to_string (AnxBasemapKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (kind_names[i].kind == kind)
      return kind_names[i].name;

  g_return_val_if_reached (NULL);
}

/**
 * anx_basemap_sources_new_offline:
 *
 * The reference source for the built-in basemap: Web Mercator, 256 px
 * tiles, zoom 3 to 19, the basemap's attribution, and no tiles.
 *
 * Returns: (transfer full): a map source that never loads a tile
 */
ShumateMapSource *
anx_basemap_sources_new_offline (void)
{
  g_autoptr (ShumateDataSource) none = g_object_new (ANX_TYPE_NO_TILES, NULL);

  return SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full (
      ANX_BASEMAP_OFFLINE_ID, _ ("Offline basemap"),
      /* Translators: attribution of the built-in basemap's coastline data */
      _ ("Coastline: GSHHG (Wessel & Smith), LGPL"), "https://www.soest.hawaii.edu/pwessel/gshhg/",
      3, 19, 256, SHUMATE_MAP_PROJECTION_MERCATOR, none));
}

/**
 * anx_basemap_sources_new_tiles:
 * @url_template: (nullable): an http(s) URL with `{z}`, `{x}` and `{y}`,
 *   e.g. an internal tile server; %NULL for OpenStreetMap
 * @name: (nullable): the source's name
 * @license: (nullable): the attribution the tiles' licence requires
 * @license_uri: (nullable): where the licence is
 * @max_zoom: the highest zoom level the server has (0 for 19)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the source, or %NULL if the template
 *   is not a usable tile URL
 */
ShumateMapSource *
anx_basemap_sources_new_tiles (const char  *url_template,
                               const char  *name,
                               const char  *license,
                               const char  *license_uri,
                               guint        max_zoom,
                               GError     **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (url_template == NULL)
    {
      url_template = ANX_BASEMAP_OSM_URL;
      name = name != NULL ? name : "OpenStreetMap";
      license = license != NULL ? license : _ ("Map data © OpenStreetMap contributors");
      license_uri = license_uri != NULL ? license_uri : "https://www.openstreetmap.org/copyright";
    }

  /* libshumate 1.0 downloads with libsoup: http and https only. */
  if (!(g_str_has_prefix (url_template, "https://") ||
        g_str_has_prefix (url_template, "http://")) ||
      strstr (url_template, "{z}") == NULL || strstr (url_template, "{x}") == NULL ||
      strstr (url_template, "{y}") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a tile address: it needs http or https and {z}, {x} and {y}. "
                      "Use an MBTiles file for tiles on disk."),
                   url_template);
      return NULL;
    }

  id = g_strdup_printf ("anxin-tiles-%08x", g_str_hash (url_template));
  return SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full_from_url (
      id, name != NULL ? name : url_template, license != NULL ? license : "", license_uri, 0,
      max_zoom > 0 ? max_zoom : 19, 256, SHUMATE_MAP_PROJECTION_MERCATOR, url_template));
}

/**
 * anx_basemap_sources_new_mbtiles:
 * @path: a raster MBTiles file
 * @error: return location for an error
 *
 * A map source over an AnxMbtilesSource, with the file's name, attribution
 * and zoom range.
 *
 * Returns: (transfer full) (nullable): the source, or %NULL if the file
 *   cannot be used
 */
ShumateMapSource *
anx_basemap_sources_new_mbtiles (const char  *path,
                                 GError     **error)
{
  g_autoptr (AnxMbtilesSource) tiles = NULL;
  g_autofree char *id = NULL;
  g_autofree char *base_name = NULL;
  const char *name;
  const char *attribution;

  g_return_val_if_fail (path != NULL, NULL);

  tiles = anx_mbtiles_source_new (path, error);
  if (tiles == NULL)
    return NULL;

  id = g_strdup_printf ("anxin-mbtiles-%08x", g_str_hash (path));
  base_name = g_path_get_basename (path);
  name = anx_mbtiles_source_get_name (tiles);
  attribution = anx_mbtiles_source_get_attribution (tiles);

  return SHUMATE_MAP_SOURCE (shumate_raster_renderer_new_full (
      id, name != NULL ? name : base_name, attribution != NULL ? attribution : "", NULL,
      anx_mbtiles_source_get_min_zoom (tiles),
      MAX (anx_mbtiles_source_get_max_zoom (tiles), anx_mbtiles_source_get_min_zoom (tiles)), 256,
      SHUMATE_MAP_PROJECTION_MERCATOR, SHUMATE_DATA_SOURCE (tiles)));
}

/**
 * anx_basemap_sources_new:
 * @kind: the kind of basemap
 * @location: (nullable): the URL template (%NULL for OpenStreetMap) or the
 *   MBTiles path; ignored for %ANX_BASEMAP_KIND_OFFLINE
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the map source
 */
ShumateMapSource *
anx_basemap_sources_new (AnxBasemapKind   kind,
                         const char      *location,
                         GError         **error)
{
  switch (kind)
    {
    case ANX_BASEMAP_KIND_OFFLINE:
      return anx_basemap_sources_new_offline ();
    case ANX_BASEMAP_KIND_TILES:
      return anx_basemap_sources_new_tiles (location, NULL, NULL, NULL, 0, error);
    case ANX_BASEMAP_KIND_MBTILES:
      if (location == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("No MBTiles file is set"));
          return NULL;
        }
      return anx_basemap_sources_new_mbtiles (location, error);
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * anx_basemap_sources_has_tiles:
 * @source: a map source
 *
 * Returns: %FALSE for the offline source, which needs the AnxBasemapLayer
 *   to show anything; %TRUE for sources with tiles
 */
gboolean
anx_basemap_sources_has_tiles (ShumateMapSource *source)
{
  g_return_val_if_fail (SHUMATE_IS_MAP_SOURCE (source), FALSE);

  return g_strcmp0 (shumate_map_source_get_id (source), ANX_BASEMAP_OFFLINE_ID) != 0;
}

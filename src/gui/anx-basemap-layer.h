/* anx-basemap-layer.h: the offline basemap (coast, lakes, rivers, district
 * seats) drawn as a map layer, so the map needs no tile server
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

/**
 * ANX_BASEMAP_DEFAULT_RESOURCE:
 *
 * The resource path of the Hangzhou basemap built into the console.
 */
#define ANX_BASEMAP_DEFAULT_RESOURCE "/org/anxin/Console/basemap/hangzhou.json"

#define ANX_TYPE_BASEMAP_LAYER (anx_basemap_layer_get_type ())

G_DECLARE_FINAL_TYPE (AnxBasemapLayer, anx_basemap_layer, ANX, BASEMAP_LAYER, ShumateLayer)

AnxBasemapLayer *anx_basemap_layer_new            (ShumateViewport  *viewport);

gboolean         anx_basemap_layer_load           (AnxBasemapLayer  *self,
                                                   GBytes           *json,
                                                   GError          **error);
gboolean         anx_basemap_layer_load_resource  (AnxBasemapLayer  *self,
                                                   const char       *resource_path,
                                                   GError          **error);
gboolean         anx_basemap_layer_get_bounds     (AnxBasemapLayer  *self,
                                                   double           *west,
                                                   double           *east,
                                                   double           *south,
                                                   double           *north);
guint            anx_basemap_layer_get_n_labels   (AnxBasemapLayer  *self);
const char      *anx_basemap_layer_get_label_text (AnxBasemapLayer  *self,
                                                   guint             index);
gboolean         anx_basemap_layer_get_show_land  (AnxBasemapLayer  *self);
void             anx_basemap_layer_set_show_land  (AnxBasemapLayer  *self,
                                                   gboolean          show_land);
gboolean         anx_basemap_layer_is_current     (AnxBasemapLayer  *self);

G_END_DECLS

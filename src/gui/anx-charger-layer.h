/* anx-charger-layer.h: all stations of the network drawn as one map layer
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <shumate/shumate.h>

#include "anx-map-points.h"

G_BEGIN_DECLS

/**
 * AnxChargerLayerHit:
 * @is_cluster: %TRUE for a cluster of several stations
 * @point: the station's point index (for a cluster: one member)
 * @cluster: the cluster (for a station: a cluster of one)
 * @x: the marker's centre in widget coordinates
 * @y: the marker's centre in widget coordinates
 *
 * What anx_charger_layer_pick() found under a widget position.
 */
typedef struct
{
  gboolean      is_cluster;
  guint         point;
  AnxMapCluster cluster;
  double        x;
  double        y;
} AnxChargerLayerHit;

#define ANX_TYPE_CHARGER_LAYER (anx_charger_layer_get_type ())

G_DECLARE_FINAL_TYPE (AnxChargerLayer, anx_charger_layer, ANX, CHARGER_LAYER, ShumateLayer)

AnxChargerLayer *anx_charger_layer_new                  (ShumateViewport    *viewport,
                                                         AnxMapPoints       *points);

AnxMapPoints    *anx_charger_layer_get_points           (AnxChargerLayer    *self);
void             anx_charger_layer_set_points           (AnxChargerLayer    *self,
                                                         AnxMapPoints       *points);
double           anx_charger_layer_get_cluster_max_zoom (AnxChargerLayer    *self);
void             anx_charger_layer_set_cluster_max_zoom (AnxChargerLayer *self,
                                                         double           zoom_level);

gboolean         anx_charger_layer_is_clustering        (AnxChargerLayer    *self);
void             anx_charger_layer_location_to_widget   (AnxChargerLayer    *self,
                                                         double              latitude,
                                                         double              longitude,
                                                         double             *x,
                                                         double             *y);
void             anx_charger_layer_widget_to_location   (AnxChargerLayer    *self,
                                                         double              x,
                                                         double              y,
                                                         double             *latitude,
                                                         double             *longitude);
gboolean         anx_charger_layer_pick                 (AnxChargerLayer    *self,
                                                         double              x,
                                                         double              y,
                                                         AnxChargerLayerHit *hit);
gboolean         anx_charger_layer_activate_at          (AnxChargerLayer    *self,
                                                         double              x,
                                                         double              y);

GdkTexture      *anx_charger_layer_render_symbol        (AnxMapState         state,
                                                         AnxMapSeverity      severity,
                                                         gboolean            dark,
                                                         int                 scale);

G_END_DECLS

/* anx-map-legend.h: what the map's markers mean, drawn as the map draws them
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ANX_TYPE_MAP_LEGEND (anx_map_legend_get_type ())

G_DECLARE_FINAL_TYPE (AnxMapLegend, anx_map_legend, ANX, MAP_LEGEND, AdwBin)

GtkWidget *anx_map_legend_new      (void);
gboolean   anx_map_legend_is_dark  (AnxMapLegend *self);

G_END_DECLS

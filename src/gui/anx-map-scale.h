/* anx-map-scale.h: the map's scale bar, which follows the zoom without
 * changing its size
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

#define ANX_TYPE_MAP_SCALE (anx_map_scale_get_type ())

G_DECLARE_FINAL_TYPE (AnxMapScale, anx_map_scale, ANX, MAP_SCALE, GtkWidget)

GtkWidget  *anx_map_scale_new          (ShumateViewport *viewport);
const char *anx_map_scale_get_text     (AnxMapScale     *self);
double      anx_map_scale_get_bar_width (AnxMapScale    *self);
double      anx_map_scale_get_meters   (AnxMapScale     *self);

G_END_DECLS

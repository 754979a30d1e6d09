/* anx-mbtiles-source.h: map tiles from a local MBTiles file (SQLite)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

#define ANX_TYPE_MBTILES_SOURCE (anx_mbtiles_source_get_type ())

G_DECLARE_FINAL_TYPE (AnxMbtilesSource, anx_mbtiles_source, ANX, MBTILES_SOURCE, ShumateDataSource)

AnxMbtilesSource *anx_mbtiles_source_new             (const char        *path,
                                                      GError           **error);

const char       *anx_mbtiles_source_get_path        (AnxMbtilesSource  *self);
const char       *anx_mbtiles_source_get_name        (AnxMbtilesSource  *self);
const char       *anx_mbtiles_source_get_attribution (AnxMbtilesSource  *self);
const char       *anx_mbtiles_source_get_format      (AnxMbtilesSource  *self);
guint             anx_mbtiles_source_get_min_zoom    (AnxMbtilesSource  *self);
guint             anx_mbtiles_source_get_max_zoom    (AnxMbtilesSource  *self);
gboolean          anx_mbtiles_source_get_bounds      (AnxMbtilesSource  *self,
                                                      double            *west,
                                                      double            *south,
                                                      double            *east,
                                                      double            *north);

G_END_DECLS

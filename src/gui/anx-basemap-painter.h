/* anx-basemap-painter.h: a thread of low priority that paints basemap
 * pictures and gives them back when they are no longer drawn
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "anx-basemap-shape.h"

G_BEGIN_DECLS

typedef struct _AnxBasemapPainter AnxBasemapPainter;

AnxBasemapPainter *anx_basemap_painter_new           (void);
void               anx_basemap_painter_free          (AnxBasemapPainter      *self);

void               anx_basemap_painter_paint         (AnxBasemapPainter      *self,
                                                      AnxBasemapShape        *shape,
                                                      const AnxBasemapView   *view,
                                                      const AnxBasemapColors *colors,
                                                      int                     scale,
                                                      GCancellable           *cancellable,
                                                      GAsyncReadyCallback     callback,
                                                      gpointer                user_data);
cairo_surface_t   *anx_basemap_painter_paint_finish  (GAsyncResult           *result,
                                                      GError                **error);
void               anx_basemap_painter_free_picture  (AnxBasemapPainter      *self,
                                                      cairo_surface_t        *picture);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxBasemapPainter, anx_basemap_painter_free)

G_END_DECLS

/* anx-basemap-shape.h: the offline basemap's geometry, projected once and
 * never changed, and its painting with cairo — on any thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * AnxBasemapLine:
 * @first: the first vertex, in the shape's coordinates as (x, y) pairs
 * @n: the number of vertices
 * @closed: whether the line closes on itself (a lake, an island)
 */
typedef struct
{
  guint    first;
  guint    n;
  gboolean closed;
} AnxBasemapLine;

/**
 * AnxBasemapView:
 *
 * Where a frame looks: its size in pixels, the world's size in pixels at
 * its zoom level, its centre in normalized Web Mercator, its rotation.
 */
typedef struct
{
  double width;
  double height;
  double world;
  double cx;
  double cy;
  double zoom;
  double rotation;
  double cos_r;
  double sin_r;
} AnxBasemapView;

/**
 * AnxBasemapColors:
 *
 * What the land and water are painted with.
 */
typedef struct
{
  GdkRGBA outside;
  GdkRGBA land;
  GdkRGBA water;
  GdkRGBA shore;
  GdkRGBA river;
} AnxBasemapColors;

typedef struct _AnxBasemapShape AnxBasemapShape;

GType            anx_basemap_shape_get_type   (void) G_GNUC_CONST;
#define ANX_TYPE_BASEMAP_SHAPE (anx_basemap_shape_get_type ())

AnxBasemapShape *anx_basemap_shape_new        (GArray                 *coords,
                                               GArray                 *coast,
                                               GArray                 *lakes,
                                               GArray                 *rivers,
                                               const double            mbox[4]);
AnxBasemapShape *anx_basemap_shape_ref        (AnxBasemapShape        *self);
void             anx_basemap_shape_unref      (AnxBasemapShape        *self);

void             anx_basemap_view_to_widget   (const AnxBasemapView   *view,
                                               double                  mx,
                                               double                  my,
                                               double                 *x,
                                               double                 *y);

void             anx_basemap_shape_paint      (AnxBasemapShape        *self,
                                               cairo_t                *cr,
                                               const AnxBasemapView   *view,
                                               const AnxBasemapColors *colors);
cairo_surface_t *anx_basemap_shape_render     (AnxBasemapShape        *self,
                                               const AnxBasemapView   *view,
                                               const AnxBasemapColors *colors,
                                               int                     scale);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxBasemapShape, anx_basemap_shape_unref)

G_END_DECLS

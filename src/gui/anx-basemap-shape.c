/* anx-basemap-shape.c: the offline basemap's geometry, projected once and
 * never changed, and its painting with cairo — on any thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-basemap-shape"

#include "config.h"

#include <math.h>
#include <string.h>

#include "anx-basemap-shape.h"

#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

/* The area the shape covers is land; the coast, open at both ends on the
 * edge of the box, closes along that edge into the sea (Hangzhou Bay and the
 * Qiantang estuary); lakes are filled; rivers are lines that widen with the
 * zoom level. A shape never changes once made, so a worker thread can paint
 * it while the main thread draws the last picture (AnxBasemapLayer). */

/* Vertices farther than this outside the widget are clamped: cairo's
 * fixed-point coordinates overflow at a few million pixels. */
#define CLAMP_MARGIN 4096.0
/* Vertices closer than this (pixels, on both axes) to the last one drawn
 * are skipped: at low zoom levels most of the coast is sub-pixel detail. */
#define MIN_STEP 0.5
/* Strokes are culled outside the widget by this much: more than half the
 * widest line, so that no cap or join of a culled segment would show. */
#define STROKE_MARGIN 8.0

struct _AnxBasemapShape
{
  GArray *coords; /* double x, y pairs, Mercator normalized */
  GArray *coast;  /* AnxBasemapLine */
  GArray *lakes;
  GArray *rivers;
  double  mbox[4]; /* x0, y0, x1, y1 Mercator */
};

G_DEFINE_BOXED_TYPE (AnxBasemapShape, anx_basemap_shape, anx_basemap_shape_ref,
                     anx_basemap_shape_unref)

static void
shape_clear (AnxBasemapShape *self)
{
  g_array_unref (self->coords);
  g_array_unref (self->coast);
  g_array_unref (self->lakes);
  g_array_unref (self->rivers);
}

/**
 * anx_basemap_shape_new:
 * @coords: (transfer full): projected vertices
 * @coast: (transfer full): coast lines
 * @lakes: (transfer full): lake shores
 * @rivers: (transfer full): rivers
 * @mbox: the box the data covers, x0, y0, x1, y1 in Mercator
 *
 * Returns: (transfer full): a shape, to be left unchanged
 */
AnxBasemapShape *
anx_basemap_shape_new (GArray       *coords,
                       GArray       *coast,
                       GArray       *lakes,
                       GArray       *rivers,
                       const double  mbox[4])
{
  AnxBasemapShape *self = g_atomic_rc_box_new0 (AnxBasemapShape);

  self->coords = coords;
  self->coast = coast;
  self->lakes = lakes;
  self->rivers = rivers;
  memcpy (self->mbox, mbox, sizeof self->mbox);
  return self;
}

AnxBasemapShape *
anx_basemap_shape_ref (AnxBasemapShape *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
anx_basemap_shape_unref (AnxBasemapShape *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) shape_clear);
}

/**
 * anx_basemap_view_to_widget:
 * @mx: normalized Mercator x
 * @my: normalized Mercator y
 * @x: (out): pixels from the view's left, clamped to a few thousand outside
 * @y: (out): pixels from its top
 */
void
anx_basemap_view_to_widget (const AnxBasemapView *view,
                            double                mx,
                            double                my,
                            double               *x,
                            double               *y)
{
  double dx = (mx - view->cx) * view->world;
  double dy = (my - view->cy) * view->world;

  *x = view->cos_r * dx - view->sin_r * dy + view->width / 2.0;
  *y = view->sin_r * dx + view->cos_r * dy + view->height / 2.0;
  *x = CLAMP (*x, -CLAMP_MARGIN, view->width + CLAMP_MARGIN);
  *y = CLAMP (*y, -CLAMP_MARGIN, view->height + CLAMP_MARGIN);
}

static gboolean
segment_visible (const AnxBasemapView *view,
                 double                x0,
                 double                y0,
                 double                x1,
                 double                y1)
{
  return MAX (x0, x1) >= -STROKE_MARGIN && MIN (x0, x1) <= view->width + STROKE_MARGIN &&
         MAX (y0, y1) >= -STROKE_MARGIN && MIN (y0, y1) <= view->height + STROKE_MARGIN;
}

/* @stroke: the path is for a stroke, so segments wholly outside the view
 * are left out (a fill needs every edge to know its inside). */
static void
path_line (cairo_t               *cr,
           AnxBasemapShape       *self,
           const AnxBasemapView  *view,
           const AnxBasemapLine  *line,
           gboolean               stroke)
{
  const double *xy = &g_array_index (self->coords, double, 2 * line->first);
  guint n = line->n + (stroke && line->closed && line->n > 1 ? 1 : 0);
  double px = 0, py = 0;
  gboolean pen_down = FALSE;

  for (guint i = 0; i < n; i++)
    {
      guint k = i < line->n ? i : 0; /* a closed stroke ends where it began */
      double x, y;

      anx_basemap_view_to_widget (view, xy[2 * k], xy[2 * k + 1], &x, &y);
      if (i > 0 && i < n - 1 && fabs (x - px) < MIN_STEP && fabs (y - py) < MIN_STEP)
        continue;
      if (!stroke)
        {
          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      else if (i > 0 && segment_visible (view, px, py, x, y))
        {
          if (!pen_down)
            cairo_move_to (cr, px, py);
          cairo_line_to (cr, x, y);
          pen_down = TRUE;
        }
      else
        pen_down = FALSE;
      px = x;
      py = y;
    }
  if (line->closed && !stroke)
    cairo_close_path (cr);
}

/* A coast line open at both ends is closed along the edge of the box: both
 * ends lie on it, and the sea is the side the line encloses there. */
static void
path_sea (cairo_t              *cr,
          AnxBasemapShape      *self,
          const AnxBasemapView *view,
          const AnxBasemapLine *line)
{
  path_line (cr, self, view, line, FALSE);
  if (!line->closed)
    cairo_close_path (cr);
}

static double
river_width (double zoom)
{
  return CLAMP (0.8 + (zoom - 8.0) * 0.5, 0.75, 5.0);
}

/**
 * anx_basemap_shape_paint:
 * @cr: where to paint, in the view's pixels
 * @view: the view
 * @colors: the colours
 *
 * Paints the whole view: outside the box a plain background, inside it
 * land, sea, lakes, shores and rivers.
 */
void
anx_basemap_shape_paint (AnxBasemapShape        *self,
                         cairo_t                *cr,
                         const AnxBasemapView   *view,
                         const AnxBasemapColors *colors)
{
  double width;

  gdk_cairo_set_source_rgba (cr, &colors->outside);
  cairo_paint (cr);

  /* The box the data covers is land. */
  {
    double x, y;

    anx_basemap_view_to_widget (view, self->mbox[0], self->mbox[1], &x, &y);
    cairo_move_to (cr, x, y);
    anx_basemap_view_to_widget (view, self->mbox[2], self->mbox[1], &x, &y);
    cairo_line_to (cr, x, y);
    anx_basemap_view_to_widget (view, self->mbox[2], self->mbox[3], &x, &y);
    cairo_line_to (cr, x, y);
    anx_basemap_view_to_widget (view, self->mbox[0], self->mbox[3], &x, &y);
    cairo_line_to (cr, x, y);
    cairo_close_path (cr);
    gdk_cairo_set_source_rgba (cr, &colors->land);
    cairo_fill_preserve (cr);
    /* Rivers run on past the box; the data stops at it. */
    cairo_clip (cr);
  }

  width = river_width (view->zoom);
  /* Round joins and caps cost cairo a fan of triangles at every vertex
   * of thousands; below 2.5 px a bevel looks the same. The lines have
   * no curves, so the tolerance only shapes those rounds. */
  if (width < 2.5)
    {
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_BEVEL);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
    }
  else
    {
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    }
  cairo_set_tolerance (cr, 0.25);

  /* Sea and lakes, with a shore line. */
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (guint i = 0; i < self->coast->len; i++)
    path_sea (cr, self, view, &g_array_index (self->coast, AnxBasemapLine, i));
  for (guint i = 0; i < self->lakes->len; i++)
    path_sea (cr, self, view, &g_array_index (self->lakes, AnxBasemapLine, i));
  gdk_cairo_set_source_rgba (cr, &colors->water);
  cairo_fill_preserve (cr);
  cairo_new_path (cr);
  for (guint i = 0; i < self->coast->len; i++)
    path_line (cr, self, view, &g_array_index (self->coast, AnxBasemapLine, i), TRUE);
  for (guint i = 0; i < self->lakes->len; i++)
    path_line (cr, self, view, &g_array_index (self->lakes, AnxBasemapLine, i), TRUE);
  cairo_set_line_width (cr, MAX (0.75, width * 0.6));
  gdk_cairo_set_source_rgba (cr, &colors->shore);
  cairo_stroke (cr);

  /* Rivers */
  for (guint i = 0; i < self->rivers->len; i++)
    path_line (cr, self, view, &g_array_index (self->rivers, AnxBasemapLine, i), TRUE);
  cairo_set_line_width (cr, width);
  gdk_cairo_set_source_rgba (cr, &colors->river);
  cairo_stroke (cr);
}

/**
 * anx_basemap_shape_render:
 * @view: the view, in logical pixels
 * @colors: the colours
 * @scale: device pixels per logical pixel
 *
 * Paints the view into an image of its size times @scale (with that device
 * scale, so that it is drawn in logical pixels). Safe on any thread.
 *
 * Returns: (transfer full): the picture
 */
#ifdef G_OS_UNIX
typedef struct
{
  void  *data;
  gsize  size;
} Pages;

static void
pages_unmap (void *data)
{
  Pages *pages = data;

  munmap (pages->data, pages->size);
  g_free (pages);
}
#endif

/* An opaque image of @width × @height. Its pixels are pages of its own,
 * given back to the system when it goes: through malloc, a freed picture
 * of several megabytes raises glibc's mmap threshold, and the next ones
 * stay in its arenas (bench-wall-soak saw the RSS step up by a picture). */
static cairo_surface_t *
picture_new (int width,
             int height)
{
#ifdef G_OS_UNIX
  static const cairo_user_data_key_t pages_key;
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, width);
  Pages *pages = g_new0 (Pages, 1);
  cairo_surface_t *surface;

  pages->size = (gsize) stride * height;
  pages->data = mmap (NULL, pages->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages->data != MAP_FAILED)
    {
      surface = cairo_image_surface_create_for_data (pages->data, CAIRO_FORMAT_RGB24, width, height,
                                                     stride);
      if (cairo_surface_set_user_data (surface, &pages_key, pages, pages_unmap) ==
          CAIRO_STATUS_SUCCESS)
        return surface;
      cairo_surface_destroy (surface);
      munmap (pages->data, pages->size);
    }
  g_free (pages);
#endif
  return cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
}

cairo_surface_t *
anx_basemap_shape_render (AnxBasemapShape        *self,
                          const AnxBasemapView   *view,
                          const AnxBasemapColors *colors,
                          int                     scale)
{
  int width = MAX (1, (int) ceil (view->width * scale));
  int height = MAX (1, (int) ceil (view->height * scale));
  /* Opaque: the view is painted whole. */
  cairo_surface_t *surface = picture_new (width, height);
  cairo_t *cr;

  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  anx_basemap_shape_paint (self, cr, view, colors);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* anx-basemap-layer.c: the offline basemap (coast, lakes, rivers, district
 * seats) drawn as a map layer, so the map needs no tile server
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-basemap-layer"

#include "config.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "anx-basemap-layer.h"
#include "anx-basemap-painter.h"
#include "anx-basemap-shape.h"
#include "anx-map-points.h"

/* The basemap (data/basemap/README.md) is a few thousand WGS-84 vertices,
 * projected to Web Mercator once at load (AnxBasemapShape). Outside the box
 * the data covers the layer shows a plainer background instead of
 * inventing land.
 *
 * Painting the shape costs a few milliseconds a frame, too many for a map
 * being panned and zoomed. So the layer keeps the picture of the last view
 * it painted, a margin wider than the widget on every side, and a frame
 * only draws that picture, moved and scaled to the current view. When it
 * is not exactly the current view any more, a worker thread paints the
 * current one; until it lands, the last picture stands in, as map tiles
 * are scaled during a zoom. Only a view that picture cannot cover (a jump,
 * a resize, a zoom by more than half a level, a new style) is painted at
 * once. District labels are drawn every frame, crisp at any zoom. */

/* Logical pixels of picture beyond each edge of the widget. */
#define PICTURE_MARGIN 256.0
/* Beyond this factor of zoom a picture is painted anew at once. */
#define MAX_STRETCH    1.5

typedef struct
{
  double       x;
  double       y;
  char        *name;
  char        *name_en;
  PangoLayout *layout;
} Label;

typedef struct
{
  AnxBasemapColors paint;
  GdkRGBA          label;
  GdkRGBA          label_halo;
} Palette;

#define RGB(hex)                                                                         \
  {                                                                                      \
    ((hex >> 16) & 0xff) / 255.f, ((hex >> 8) & 0xff) / 255.f, (hex & 0xff) / 255.f, 1.f \
  }

static const Palette palettes[2] = {
  /* Light style: paper land, muted water, so that state colours dominate. */
  {
      .paint.outside = RGB (0xdedddb),
      .paint.land = RGB (0xf4f3f0),
      .paint.water = RGB (0xc9d8e6),
      .paint.shore = RGB (0x9db4cb),
      .paint.river = RGB (0xa9c1d8),
      .label = RGB (0x5e5c64),
      .label_halo = RGB (0xf4f3f0),
  },
  /* Dark style */
  {
      .paint.outside = RGB (0x181818),
      .paint.land = RGB (0x2a2a2d),
      .paint.water = RGB (0x1d2b3a),
      .paint.shore = RGB (0x33506e),
      .paint.river = RGB (0x2e4865),
      .label = RGB (0xb0afac),
      .label_halo = RGB (0x2a2a2d),
  },
};

struct _AnxBasemapLayer
{
  ShumateLayer  parent_instance;

  AnxBasemapShape *shape; /* NULL until loaded */
  GPtrArray    *labels;  /* Label */
  double        bbox[4]; /* west, east, south, north in degrees */

  /* The last picture painted, and what of */
  cairo_surface_t *picture;
  /* Pictures replaced, kept until no frame draws them (picture_replace()) */
  GQueue           retired; /* Retired, oldest first */
  guint64          n_frames;
  AnxBasemapView  picture_view;
  const Palette  *picture_palette;
  int             picture_scale;
  /* The picture being painted on a worker thread, if one is */
  AnxBasemapPainter *painter;
  GCancellable   *painting;
  AnxBasemapView  painting_view;
  gboolean        current;    /* the last frame drew its view's own picture */
  const Palette  *painting_palette;
  int             painting_scale;

  gboolean      show_land;
  gboolean      use_local_names;
};

G_DEFINE_FINAL_TYPE (AnxBasemapLayer, anx_basemap_layer, SHUMATE_TYPE_LAYER)

enum
{
  PROP_0,
  PROP_SHOW_LAND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
label_free (gpointer data)
{
  Label *label = data;

  g_free (label->name);
  g_free (label->name_en);
  g_clear_object (&label->layout);
  g_free (label);
}

static gboolean
view_init (AnxBasemapLayer *self,
           AnxBasemapView  *frame)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  ShumateMapSource *source = shumate_viewport_get_reference_map_source (viewport);
  double tile_size = source != NULL ? shumate_map_source_get_tile_size (source) : 256.0;
  double rotation = shumate_viewport_get_rotation (viewport);
  guint whole;

  frame->width = gtk_widget_get_width (GTK_WIDGET (self));
  frame->height = gtk_widget_get_height (GTK_WIDGET (self));
  frame->zoom = shumate_viewport_get_zoom_level (viewport);
  whole = (guint) frame->zoom;
  frame->world = tile_size * pow (2.0, fmod (frame->zoom, 1.0)) * (double) (1u << MIN (whole, 30));
  anx_map_project (shumate_location_get_latitude (SHUMATE_LOCATION (viewport)),
                   shumate_location_get_longitude (SHUMATE_LOCATION (viewport)), &frame->cx,
                   &frame->cy);
  frame->rotation = rotation;
  frame->cos_r = cos (rotation);
  frame->sin_r = sin (rotation);

  return frame->width > 0 && frame->height > 0;
}

static const Palette *
get_palette (AnxBasemapLayer *self)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA fg;

  gtk_style_context_get_color (context, &fg);
  return &palettes[0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5];
}

static PangoLayout *
get_label_layout (AnxBasemapLayer *self,
                  Label           *label)
{
  if (label->layout == NULL)
    {
      const char *text =
          self->use_local_names || label->name_en == NULL ? label->name : label->name_en;
      PangoAttrList *attrs = pango_attr_list_new ();

      label->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.9));
      pango_layout_set_attributes (label->layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return label->layout;
}

static void
snapshot_labels (AnxBasemapLayer *self,
                 GtkSnapshot     *snapshot,
                 const AnxBasemapView *frame,
                 const Palette   *palette)
{
  g_autoptr (GArray) taken = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));

  /* Below zoom 8 the county seats would sit on top of each other. */
  if (frame->zoom < 8)
    return;

  /* In file order (city districts first); a label that would overlap one
   * already placed is left out. */
  for (guint i = 0; i < self->labels->len; i++)
    {
      Label *label = g_ptr_array_index (self->labels, i);
      PangoLayout *layout = get_label_layout (self, label);
      PangoRectangle logical;
      graphene_rect_t rect;
      gboolean overlaps = FALSE;
      double x, y;

      anx_basemap_view_to_widget (frame, label->x, label->y, &x, &y);
      pango_layout_get_pixel_extents (layout, NULL, &logical);
      graphene_rect_init (&rect, x + 6, y - logical.height / 2.0, logical.width, logical.height);
      if (x + 6 + logical.width < 0 || x - 6 > frame->width || y + logical.height < 0 ||
          y - logical.height > frame->height)
        continue;

      for (guint j = 0; j < taken->len && !overlaps; j++)
        overlaps =
            graphene_rect_intersection (&rect, &g_array_index (taken, graphene_rect_t, j), NULL);
      if (overlaps)
        continue;
      g_array_append_val (taken, rect);

      {
        GskRoundedRect dot;

        gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 2.5, y - 2.5, 5, 5), 2.5);
        gtk_snapshot_push_rounded_clip (snapshot, &dot);
        gtk_snapshot_append_color (snapshot, &palette->label, &dot.bounds);
        gtk_snapshot_pop (snapshot);
      }

      /* A halo keeps the label readable over rivers and shores. */
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (round (rect.origin.x), round (rect.origin.y)));
      for (int dx = -1; dx <= 1; dx++)
        for (int dy = -1; dy <= 1; dy++)
          if (dx != 0 || dy != 0)
            {
              gtk_snapshot_save (snapshot);
              gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (dx, dy));
              gtk_snapshot_append_layout (snapshot, layout, &palette->label_halo);
              gtk_snapshot_restore (snapshot);
            }
      gtk_snapshot_append_layout (snapshot, layout, &palette->label);
      gtk_snapshot_restore (snapshot);
    }
}

/* Where the picture goes in @view, if it can stand in for it: same style,
 * scale and rotation, zoomed by less than MAX_STRETCH, and covering the
 * whole widget. */
static gboolean
picture_place (AnxBasemapLayer      *self,
               const AnxBasemapView *view,
               const Palette        *palette,
               int                   scale,
               graphene_rect_t      *rect)
{
  const AnxBasemapView *p = &self->picture_view;
  double stretch, dx, dy;

  if (self->picture == NULL || self->picture_palette != palette || self->picture_scale != scale ||
      fabs (p->rotation - view->rotation) > 1e-9)
    return FALSE;

  stretch = view->world / p->world;
  if (stretch > MAX_STRETCH || stretch < 1.0 / MAX_STRETCH)
    return FALSE;

  /* The picture's centre, in the view. */
  dx = (p->cx - view->cx) * view->world;
  dy = (p->cy - view->cy) * view->world;
  graphene_rect_init (rect,
                      view->width / 2.0 + view->cos_r * dx - view->sin_r * dy -
                          stretch * p->width / 2.0,
                      view->height / 2.0 + view->sin_r * dx + view->cos_r * dy -
                          stretch * p->height / 2.0,
                      stretch * p->width, stretch * p->height);

  return rect->origin.x <= 0.01 && rect->origin.y <= 0.01 &&
         rect->origin.x + rect->size.width >= view->width - 0.01 &&
         rect->origin.y + rect->size.height >= view->height - 0.01;
}

/* Whether the picture in @rect is @view's own, pixel for pixel. */
static gboolean
picture_exact (AnxBasemapLayer      *self,
               const AnxBasemapView *view,
               const graphene_rect_t *rect)
{
  return fabs (self->picture_view.width - (view->width + 2 * PICTURE_MARGIN)) < 1e-6 &&
         fabs (self->picture_view.height - (view->height + 2 * PICTURE_MARGIN)) < 1e-6 &&
         fabs (rect->origin.x + PICTURE_MARGIN) < 1e-3 &&
         fabs (rect->origin.y + PICTURE_MARGIN) < 1e-3 &&
         fabs (self->picture_view.world - view->world) < 1e-9 * view->world;
}

/* @view widened by the margin: what a picture is painted of. */
static AnxBasemapView
picture_view_for (const AnxBasemapView *view)
{
  AnxBasemapView wide = *view;

  wide.width += 2 * PICTURE_MARGIN;
  wide.height += 2 * PICTURE_MARGIN;
  return wide;
}

/* Frames a replaced picture is kept. */
#define RETIRED_FRAMES 3

typedef struct
{
  cairo_surface_t *picture;
  guint64          frame;
} Retired;

static void
retired_free (gpointer data)
{
  Retired *retired = data;

  cairo_surface_destroy (retired->picture);
  g_free (retired);
}

/* Replaces the picture. The old one is kept a few frames: the render nodes
 * of the frames that drew it replay it, and cairo would copy the whole
 * picture (a snapshot) if it went while they hold it. */
static void
picture_replace (AnxBasemapLayer *self,
                 cairo_surface_t *picture)
{
  if (self->picture != NULL)
    {
      Retired *retired = g_new (Retired, 1);

      retired->picture = self->picture;
      retired->frame = self->n_frames;
      g_queue_push_tail (&self->retired, retired);
    }
  self->picture = picture;
}

/* A new frame: the pictures replaced a few frames ago are drawn no more. */
static void
pictures_age (AnxBasemapLayer *self)
{
  Retired *oldest;

  self->n_frames++;
  while ((oldest = g_queue_peek_head (&self->retired)) != NULL &&
         (oldest->frame + RETIRED_FRAMES <= self->n_frames || self->retired.length > RETIRED_FRAMES))
    {
      Retired *retired = g_queue_pop_head (&self->retired);

      /* Giving its pages back to the system costs a millisecond or more. */
      anx_basemap_painter_free_picture (self->painter, g_steal_pointer (&retired->picture));
      g_free (retired);
    }
}

static void
painting_cancel (AnxBasemapLayer *self)
{
  if (self->painting != NULL)
    {
      g_cancellable_cancel (self->painting);
      g_clear_object (&self->painting);
    }
}

static void
on_painted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (AnxBasemapLayer) self = user_data;
  cairo_surface_t *picture = anx_basemap_painter_paint_finish (result, NULL);

  if (picture == NULL) /* cancelled: a newer picture replaced it */
    return;

  picture_replace (self, picture);
  self->picture_view = self->painting_view;
  self->picture_palette = self->painting_palette;
  self->picture_scale = self->painting_scale;
  g_clear_object (&self->painting);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Paints @view's picture on the painter's thread, unless one is being
 * painted: when it lands, the next frame asks again if the view has moved
 * on. */
static void
painting_start (AnxBasemapLayer      *self,
                const AnxBasemapView *view,
                const Palette        *palette,
                int                   scale)
{
  if (self->painting != NULL)
    return;

  self->painting = g_cancellable_new ();
  self->painting_view = picture_view_for (view);
  self->painting_palette = palette;
  self->painting_scale = scale;
  anx_basemap_painter_paint (self->painter, self->shape, &self->painting_view, &palette->paint,
                             scale, self->painting, on_painted, g_object_ref (self));
}

/* Draws the picture into @rect: a copy when it is the view's own, pixel for
 * pixel, else resampled to the nearest pixel (bilinear cost a frame about a
 * millisecond more, for a stand-in shown a frame or two). A texture node
 * would cost GTK 4.8's cairo renderer a conversion of the whole picture in
 * every frame. */
static void
draw_picture (AnxBasemapLayer       *self,
              GtkSnapshot           *snapshot,
              const AnxBasemapView  *view,
              const graphene_rect_t *rect)
{
  double stretch = rect->size.width / self->picture_view.width;
  cairo_t *cr;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, view->width, view->height));
  cairo_translate (cr, rect->origin.x, rect->origin.y);
  cairo_scale (cr, stretch, stretch);
  cairo_set_source_surface (cr, self->picture, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
anx_basemap_layer_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (widget);
  const Palette *palette;
  AnxBasemapView view;

  pictures_age (self);
  if (self->shape == NULL || !view_init (self, &view))
    return;

  palette = get_palette (self);
  self->current = TRUE;

  if (self->show_land)
    {
      int scale = gtk_widget_get_scale_factor (widget);
      graphene_rect_t rect;

      if (!picture_place (self, &view, palette, scale, &rect))
        {
          painting_cancel (self);
          self->picture_view = picture_view_for (&view);
          self->picture_palette = palette;
          self->picture_scale = scale;
          picture_replace (self, anx_basemap_shape_render (self->shape, &self->picture_view,
                                                           &palette->paint, scale));
          picture_place (self, &view, palette, scale, &rect);
        }
      self->current = picture_exact (self, &view, &rect);
      if (!self->current)
        painting_start (self, &view, palette, scale);

      draw_picture (self, snapshot, &view, &rect);
    }

  snapshot_labels (self, snapshot, &view, palette);
}

static void
anx_basemap_layer_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (widget);

  GTK_WIDGET_CLASS (anx_basemap_layer_parent_class)->css_changed (widget, change);

  for (guint i = 0; i < self->labels->len; i++)
    g_clear_object (&((Label *) g_ptr_array_index (self->labels, i))->layout);
}

static void
on_viewport_notify (AnxBasemapLayer *self,
                    GParamSpec      *pspec,
                    ShumateViewport *viewport)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
read_lines (JsonObject  *root,
            const char  *member,
            GArray      *coords,
            GArray      *lines,
            GError     **error)
{
  JsonArray *array;

  if (!json_object_has_member (root, member))
    return TRUE;

  array = json_object_get_array_member (root, member);
  if (array == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Basemap member “%s” is not a list",
                   member);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      JsonArray *points;
      AnxBasemapLine line;
      guint n;

      points = object != NULL ? json_object_get_array_member (object, "points") : NULL;
      n = points != NULL ? json_array_get_length (points) : 0;
      if (n < 4 || n % 2 != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Basemap %s %u has no valid point list", member, i);
          return FALSE;
        }

      line.first = coords->len / 2;
      line.n = n / 2;
      line.closed = json_object_get_boolean_member_with_default (object, "closed", FALSE);
      for (guint k = 0; k < n; k += 2)
        {
          double xy[2];

          anx_map_project (json_array_get_double_element (points, k + 1),
                           json_array_get_double_element (points, k), &xy[0], &xy[1]);
          g_array_append_vals (coords, xy, 2);
        }
      g_array_append_val (lines, line);
    }

  return TRUE;
}

static void
anx_basemap_layer_dispose (GObject *object)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  painting_cancel (self);

  G_OBJECT_CLASS (anx_basemap_layer_parent_class)->dispose (object);
}

static void
anx_basemap_layer_finalize (GObject *object)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  g_clear_pointer (&self->shape, anx_basemap_shape_unref);
  g_ptr_array_unref (self->labels);
  g_clear_pointer (&self->picture, cairo_surface_destroy);
  g_queue_clear_full (&self->retired, retired_free);
  anx_basemap_painter_free (self->painter);

  G_OBJECT_CLASS (anx_basemap_layer_parent_class)->finalize (object);
}

static void
anx_basemap_layer_constructed (GObject *object)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  G_OBJECT_CLASS (anx_basemap_layer_parent_class)->constructed (object);

  g_signal_connect_object (shumate_layer_get_viewport (SHUMATE_LAYER (self)), "notify",
                           G_CALLBACK (on_viewport_notify), self, G_CONNECT_SWAPPED);
}

static void
anx_basemap_layer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_SHOW_LAND:
      g_value_set_boolean (value, self->show_land);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_basemap_layer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  switch (prop_id)
    {
    case PROP_SHOW_LAND:
      anx_basemap_layer_set_show_land (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_basemap_layer_class_init (AnxBasemapLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = anx_basemap_layer_constructed;
  object_class->dispose = anx_basemap_layer_dispose;
  object_class->finalize = anx_basemap_layer_finalize;
  object_class->get_property = anx_basemap_layer_get_property;
  object_class->set_property = anx_basemap_layer_set_property;

  widget_class->snapshot = anx_basemap_layer_snapshot;
  widget_class->css_changed = anx_basemap_layer_css_changed;

  /**
   * AnxBasemapLayer:show-land:
   *
   * Whether to paint land, water and rivers. Without it only the district
   * labels are drawn, e.g. over raster tiles.
   */
  properties[PROP_SHOW_LAND] =
      g_param_spec_boolean ("show-land", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
anx_basemap_layer_init (AnxBasemapLayer *self)
{
  /* Chinese names in a Chinese interface, English ones everywhere else. */
  const char *const *languages = g_get_language_names ();

  self->labels = g_ptr_array_new_with_free_func (label_free);
  self->show_land = TRUE;
  self->painter = anx_basemap_painter_new ();
  self->use_local_names = languages[0] != NULL && g_str_has_prefix (languages[0], "zh");
}

/**
 * anx_basemap_layer_new:
 * @viewport: the map's viewport
 *
 * Creates the layer and loads %ANX_BASEMAP_DEFAULT_RESOURCE (the resources
 * must be registered); if that fails the layer warns and stays empty.
 *
 * Returns: (transfer floating): a new layer, to add below the markers
 */
AnxBasemapLayer *
anx_basemap_layer_new (ShumateViewport *viewport)
{
  AnxBasemapLayer *self;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);

  self = g_object_new (ANX_TYPE_BASEMAP_LAYER, "viewport", viewport, NULL);
  if (!anx_basemap_layer_load_resource (self, ANX_BASEMAP_DEFAULT_RESOURCE, &error))
    g_warning ("Cannot load the offline basemap: %s", error->message);

  return self;
}

/**
 * anx_basemap_layer_load:
 * @json: a basemap in the format of data/basemap/README.md
 * @error: return location for an error
 *
 * Replaces the basemap drawn.
 *
 * Returns: %TRUE on success; on error the previous basemap stays
 */
gboolean
anx_basemap_layer_load (AnxBasemapLayer  *self,
                        GBytes           *json,
                        GError          **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GArray) coords = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) coast = g_array_new (FALSE, FALSE, sizeof (AnxBasemapLine));
  g_autoptr (GArray) lakes = g_array_new (FALSE, FALSE, sizeof (AnxBasemapLine));
  g_autoptr (GArray) rivers = g_array_new (FALSE, FALSE, sizeof (AnxBasemapLine));
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (label_free);
  JsonObject *root;
  JsonArray *bbox, *label_array;
  double box[4];
  double mbox[4];
  gsize size;
  const char *data;

  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  data = g_bytes_get_data (json, &size);
  if (!json_parser_load_from_data (parser, data, size, error))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  if (root == NULL || !json_object_has_member (root, "bbox"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Basemap has no bbox");
      return FALSE;
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "datum", "WGS-84"), "WGS-84") !=
      0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Basemap coordinates are not WGS-84");
      return FALSE;
    }

  bbox = json_object_get_array_member (root, "bbox");
  if (bbox == NULL || json_array_get_length (bbox) != 4)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Basemap bbox is not [west, east, south, north]");
      return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    box[i] = json_array_get_double_element (bbox, i);

  if (!read_lines (root, "coast", coords, coast, error) ||
      !read_lines (root, "lakes", coords, lakes, error) ||
      !read_lines (root, "rivers", coords, rivers, error))
    return FALSE;

  label_array = json_object_has_member (root, "labels")
                    ? json_object_get_array_member (root, "labels")
                    : NULL;
  for (guint i = 0; label_array != NULL && i < json_array_get_length (label_array); i++)
    {
      JsonObject *object = json_array_get_object_element (label_array, i);
      Label *label;

      if (object == NULL || !json_object_has_member (object, "name"))
        continue;
      label = g_new0 (Label, 1);
      label->name = g_strdup (json_object_get_string_member (object, "name"));
      label->name_en =
          g_strdup (json_object_get_string_member_with_default (object, "name_en", NULL));
      anx_map_project (json_object_get_double_member (object, "lat"),
                       json_object_get_double_member (object, "lon"), &label->x, &label->y);
      g_ptr_array_add (labels, label);
    }

  anx_map_project (box[3], box[0], &mbox[0], &mbox[1]);
  anx_map_project (box[2], box[1], &mbox[2], &mbox[3]);
  g_clear_pointer (&self->shape, anx_basemap_shape_unref);
  self->shape = anx_basemap_shape_new (g_steal_pointer (&coords), g_steal_pointer (&coast),
                                       g_steal_pointer (&lakes), g_steal_pointer (&rivers), mbox);
  /* The last picture is of the old basemap. */
  painting_cancel (self);
  picture_replace (self, NULL);
  g_ptr_array_unref (self->labels);
  self->labels = g_steal_pointer (&labels);
  memcpy (self->bbox, box, sizeof box);

  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

/**
 * anx_basemap_layer_load_resource:
 * @resource_path: a basemap in the registered resources
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
anx_basemap_layer_load_resource (AnxBasemapLayer  *self,
                                 const char       *resource_path,
                                 GError          **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), FALSE);
  g_return_val_if_fail (resource_path != NULL, FALSE);

  bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  return anx_basemap_layer_load (self, bytes, error);
}

/**
 * anx_basemap_layer_get_bounds:
 * @west: (out): west edge in degrees
 * @east: (out): east edge
 * @south: (out): south edge
 * @north: (out): north edge
 *
 * The area the basemap covers, e.g. to fit the map to it.
 *
 * Returns: %FALSE if nothing is loaded
 */
gboolean
anx_basemap_layer_get_bounds (AnxBasemapLayer *self,
                              double          *west,
                              double          *east,
                              double          *south,
                              double          *north)
{
  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), FALSE);

  if (self->shape == NULL)
    return FALSE;

  *west = self->bbox[0];
  *east = self->bbox[1];
  *south = self->bbox[2];
  *north = self->bbox[3];
  return TRUE;
}

/**
 * anx_basemap_layer_get_n_labels:
 *
 * Returns: the number of place labels
 */
guint
anx_basemap_layer_get_n_labels (AnxBasemapLayer *self)
{
  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), 0);

  return self->labels->len;
}

/**
 * anx_basemap_layer_get_label_text:
 * @index: a label's index
 *
 * Returns: (transfer none): the text shown for the label in the interface
 *   language: the Chinese name in a Chinese interface, else the English one
 */
const char *
anx_basemap_layer_get_label_text (AnxBasemapLayer *self,
                                  guint            index)
{
  Label *label;

  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), NULL);
  g_return_val_if_fail (index < self->labels->len, NULL);

  label = g_ptr_array_index (self->labels, index);
  return self->use_local_names || label->name_en == NULL ? label->name : label->name_en;
}

/**
 * anx_basemap_layer_get_show_land:
 *
 * Returns: whether land, water and rivers are painted
 */
gboolean
anx_basemap_layer_get_show_land (AnxBasemapLayer *self)
{
  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), FALSE);

  return self->show_land;
}

/**
 * anx_basemap_layer_set_show_land:
 * @show_land: %FALSE to draw only the labels (over raster tiles)
 */
void
anx_basemap_layer_set_show_land (AnxBasemapLayer *self,
                                 gboolean         show_land)
{
  g_return_if_fail (ANX_IS_BASEMAP_LAYER (self));

  show_land = !!show_land;
  if (self->show_land == show_land)
    return;

  self->show_land = show_land;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_LAND]);
}

/**
 * anx_basemap_layer_is_current:
 *
 * Whether the last frame drew the current view's own picture, not the
 * picture of a nearby view moved and scaled while the current one is
 * being painted.
 *
 * Returns: %FALSE while a newer picture is to be painted
 */
gboolean
anx_basemap_layer_is_current (AnxBasemapLayer *self)
{
  g_return_val_if_fail (ANX_IS_BASEMAP_LAYER (self), FALSE);

  return self->current;
}

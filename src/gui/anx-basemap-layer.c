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
#include "anx-map-points.h"

/* The basemap (data/basemap/README.md) is a few thousand WGS-84 vertices:
 * projected to Web Mercator once at load, transformed to widget pixels
 * every frame and drawn with cairo. The area it covers is land; the coast,
 * open at both ends on the edge of the box, closes along that edge into the
 * sea (Hangzhou Bay and the Qiantang estuary); lakes are filled; rivers are
 * lines that widen with the zoom level. Outside the box there is no data,
 * and the layer says so with a plainer background instead of inventing
 * land. */

/* Vertices farther than this outside the widget are clamped: cairo's
 * fixed-point coordinates overflow at a few million pixels. */
#define CLAMP_MARGIN 4096.0

typedef struct
{
  guint    first; /* in coords, as (x, y) pairs */
  guint    n;
  gboolean closed;
} Line;

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
  GdkRGBA outside;
  GdkRGBA land;
  GdkRGBA water;
  GdkRGBA shore;
  GdkRGBA river;
  GdkRGBA label;
  GdkRGBA label_halo;
} Palette;

#define RGB(hex)                                                                         \
  {                                                                                      \
    ((hex >> 16) & 0xff) / 255.f, ((hex >> 8) & 0xff) / 255.f, (hex & 0xff) / 255.f, 1.f \
  }

static const Palette palettes[2] = {
  /* Light style: paper land, muted water, so that state colours dominate. */
  {
      .outside = RGB (0xdedddb),
      .land = RGB (0xf4f3f0),
      .water = RGB (0xc9d8e6),
      .shore = RGB (0x9db4cb),
      .river = RGB (0xa9c1d8),
      .label = RGB (0x5e5c64),
      .label_halo = RGB (0xf4f3f0),
  },
  /* Dark style */
  {
      .outside = RGB (0x181818),
      .land = RGB (0x2a2a2d),
      .water = RGB (0x1d2b3a),
      .shore = RGB (0x33506e),
      .river = RGB (0x2e4865),
      .label = RGB (0xb0afac),
      .label_halo = RGB (0x2a2a2d),
  },
};

struct _AnxBasemapLayer
{
  ShumateLayer  parent_instance;

  GArray       *coords;  /* double x, y pairs, Mercator normalized */
  GArray       *coast;   /* Line */
  GArray       *lakes;
  GArray       *rivers;
  GPtrArray    *labels;  /* Label */
  double        bbox[4]; /* west, east, south, north in degrees */
  double        mbox[4]; /* x0, y0, x1, y1 Mercator */
  gboolean      loaded;
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

typedef struct
{
  double        width;
  double        height;
  double        world;
  double        cx;
  double        cy;
  double        zoom;
  double        cos_r;
  double        sin_r;
} Frame;

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
frame_init (AnxBasemapLayer *self,
            Frame           *frame)
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
  frame->cos_r = cos (rotation);
  frame->sin_r = sin (rotation);

  return frame->width > 0 && frame->height > 0;
}

static void
to_widget (const Frame *frame,
           double       mx,
           double       my,
           double      *x,
           double      *y)
{
  double dx = (mx - frame->cx) * frame->world;
  double dy = (my - frame->cy) * frame->world;

  *x = frame->cos_r * dx - frame->sin_r * dy + frame->width / 2.0;
  *y = frame->sin_r * dx + frame->cos_r * dy + frame->height / 2.0;
  *x = CLAMP (*x, -CLAMP_MARGIN, frame->width + CLAMP_MARGIN);
  *y = CLAMP (*y, -CLAMP_MARGIN, frame->height + CLAMP_MARGIN);
}

/* Vertices closer than this (pixels, on both axes) to the last one drawn
 * are skipped: at low zoom levels most of the coast is sub-pixel detail. */
#define MIN_STEP 0.5
/* Strokes are culled outside the widget by this much: more than half the
 * widest line, so that no cap or join of a culled segment would show. */
#define STROKE_MARGIN 8.0

static gboolean
segment_visible (const Frame *frame,
                 double       x0,
                 double       y0,
                 double       x1,
                 double       y1)
{
  return MAX (x0, x1) >= -STROKE_MARGIN && MIN (x0, x1) <= frame->width + STROKE_MARGIN &&
         MAX (y0, y1) >= -STROKE_MARGIN && MIN (y0, y1) <= frame->height + STROKE_MARGIN;
}

/* @stroke: the path is for a stroke, so segments wholly outside the widget
 * are left out (a fill needs every edge to know its inside). */
static void
path_line (cairo_t         *cr,
           AnxBasemapLayer *self,
           const Frame     *frame,
           const Line      *line,
           gboolean         stroke)
{
  const double *xy = &g_array_index (self->coords, double, 2 * line->first);
  guint n = line->n + (stroke && line->closed && line->n > 1 ? 1 : 0);
  double px = 0, py = 0;
  gboolean pen_down = FALSE;

  for (guint i = 0; i < n; i++)
    {
      guint k = i < line->n ? i : 0; /* a closed stroke ends where it began */
      double x, y;

      to_widget (frame, xy[2 * k], xy[2 * k + 1], &x, &y);
      if (i > 0 && i < n - 1 && fabs (x - px) < MIN_STEP && fabs (y - py) < MIN_STEP)
        continue;
      if (!stroke)
        {
          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      else if (i > 0 && segment_visible (frame, px, py, x, y))
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
path_sea (cairo_t         *cr,
          AnxBasemapLayer *self,
          const Frame     *frame,
          const Line      *line)
{
  path_line (cr, self, frame, line, FALSE);
  if (!line->closed)
    cairo_close_path (cr);
}

static const Palette *
get_palette (AnxBasemapLayer *self)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA fg;

  gtk_style_context_get_color (context, &fg);
  return &palettes[0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5];
}

static double
river_width (double zoom)
{
  return CLAMP (0.8 + (zoom - 8.0) * 0.5, 0.75, 5.0);
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
                 const Frame     *frame,
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

      to_widget (frame, label->x, label->y, &x, &y);
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

static void
anx_basemap_layer_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (widget);
  const Palette *palette;
  Frame frame;
  cairo_t *cr;
  double width;

  if (!self->loaded || !frame_init (self, &frame))
    return;

  palette = get_palette (self);

  if (self->show_land)
    {
      cr = gtk_snapshot_append_cairo (snapshot,
                                      &GRAPHENE_RECT_INIT (0, 0, frame.width, frame.height));

      gdk_cairo_set_source_rgba (cr, &palette->outside);
      cairo_paint (cr);

      /* The box the data covers is land. */
      {
        double x, y;

        to_widget (&frame, self->mbox[0], self->mbox[1], &x, &y);
        cairo_move_to (cr, x, y);
        to_widget (&frame, self->mbox[2], self->mbox[1], &x, &y);
        cairo_line_to (cr, x, y);
        to_widget (&frame, self->mbox[2], self->mbox[3], &x, &y);
        cairo_line_to (cr, x, y);
        to_widget (&frame, self->mbox[0], self->mbox[3], &x, &y);
        cairo_line_to (cr, x, y);
        cairo_close_path (cr);
        gdk_cairo_set_source_rgba (cr, &palette->land);
        cairo_fill_preserve (cr);
        /* Rivers run on past the box; the data stops at it. */
        cairo_clip (cr);
      }

      width = river_width (frame.zoom);
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
        path_sea (cr, self, &frame, &g_array_index (self->coast, Line, i));
      for (guint i = 0; i < self->lakes->len; i++)
        path_sea (cr, self, &frame, &g_array_index (self->lakes, Line, i));
      gdk_cairo_set_source_rgba (cr, &palette->water);
      cairo_fill_preserve (cr);
      cairo_new_path (cr);
      for (guint i = 0; i < self->coast->len; i++)
        path_line (cr, self, &frame, &g_array_index (self->coast, Line, i), TRUE);
      for (guint i = 0; i < self->lakes->len; i++)
        path_line (cr, self, &frame, &g_array_index (self->lakes, Line, i), TRUE);
      cairo_set_line_width (cr, MAX (0.75, width * 0.6));
      gdk_cairo_set_source_rgba (cr, &palette->shore);
      cairo_stroke (cr);

      /* Rivers */
      for (guint i = 0; i < self->rivers->len; i++)
        path_line (cr, self, &frame, &g_array_index (self->rivers, Line, i), TRUE);
      cairo_set_line_width (cr, width);
      gdk_cairo_set_source_rgba (cr, &palette->river);
      cairo_stroke (cr);

      cairo_destroy (cr);
    }

  snapshot_labels (self, snapshot, &frame, palette);
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
      Line line;
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
anx_basemap_layer_finalize (GObject *object)
{
  AnxBasemapLayer *self = ANX_BASEMAP_LAYER (object);

  g_array_unref (self->coords);
  g_array_unref (self->coast);
  g_array_unref (self->lakes);
  g_array_unref (self->rivers);
  g_ptr_array_unref (self->labels);

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

  self->coords = g_array_new (FALSE, FALSE, sizeof (double));
  self->coast = g_array_new (FALSE, FALSE, sizeof (Line));
  self->lakes = g_array_new (FALSE, FALSE, sizeof (Line));
  self->rivers = g_array_new (FALSE, FALSE, sizeof (Line));
  self->labels = g_ptr_array_new_with_free_func (label_free);
  self->show_land = TRUE;
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
  g_autoptr (GArray) coast = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr (GArray) lakes = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr (GArray) rivers = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (label_free);
  JsonObject *root;
  JsonArray *bbox, *label_array;
  double box[4];
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

  g_array_unref (self->coords);
  self->coords = g_steal_pointer (&coords);
  g_array_unref (self->coast);
  self->coast = g_steal_pointer (&coast);
  g_array_unref (self->lakes);
  self->lakes = g_steal_pointer (&lakes);
  g_array_unref (self->rivers);
  self->rivers = g_steal_pointer (&rivers);
  g_ptr_array_unref (self->labels);
  self->labels = g_steal_pointer (&labels);
  memcpy (self->bbox, box, sizeof box);
  anx_map_project (box[3], box[0], &self->mbox[0], &self->mbox[1]);
  anx_map_project (box[2], box[1], &self->mbox[2], &self->mbox[3]);
  self->loaded = TRUE;

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

  if (!self->loaded)
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

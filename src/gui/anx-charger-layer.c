/* anx-charger-layer.c: all stations of the network drawn as one map layer
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-charger-layer"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "anx-charger-layer.h"

/* One ShumateMarker per charger would make every frame measure and
 * allocate thousands of widgets. This layer draws the points of an
 * AnxMapPoints itself: it culls to the viewport, draws grid clusters below
 * cluster-max-zoom and single stations above it, and hit-tests itself.
 *
 * Colour follows ISA-101: normal states are muted (idle grey, charging
 * slate blue), exceptions stand out (fault purple, offline hollow), and open
 * alarms get a ring in their severity's colour, drawn above everything
 * else so that no cluster hides an alarm. */

#define CELL_SIZE 64.0 /* px; clusters are cells of 64-128 px */
#define MAX_CLUSTER_RADIUS 30.0
#define PICK_SLOP 4.0
#define LABEL_CACHE_MAX 4096

#define RGB(hex)                                                                         \
  {                                                                                      \
    ((hex >> 16) & 0xff) / 255.f, ((hex >> 8) & 0xff) / 255.f, (hex & 0xff) / 255.f, 1.f \
  }
#define RGBA(hex, a)                                                                   \
  {                                                                                    \
    ((hex >> 16) & 0xff) / 255.f, ((hex >> 8) & 0xff) / 255.f, (hex & 0xff) / 255.f, a \
  }

typedef struct
{
  GdkRGBA station[ANX_MAP_N_STATES];
  GdkRGBA cluster[ANX_MAP_N_STATES];
  GdkRGBA severity[ANX_MAP_SEVERITY_CRITICAL + 1];
  GdkRGBA glow;
  GdkRGBA halo;
  GdkRGBA label;
  GdkRGBA hollow_label;
  GdkRGBA focus;
} Palette;

/* Indexed by AnxMapState (charging, idle, offline, fault) and AnxMapSeverity. */
static const Palette palettes[2] = {
  /* Light style */
  {
      .station = { RGB (0x4f6d94), RGB (0x8a8990), RGB (0x5e5c64), RGB (0x9141ac) },
      .cluster = { RGB (0x4f6d94), RGB (0x77767b), RGB (0xdeddda), RGB (0x813d9c) },
      .severity = { RGBA (0, 0.f), RGB (0x1c71d8), RGB (0xe5a50a), RGB (0xe01b24) },
      .glow = RGBA (0xe01b24, 0.28f),
      .halo = RGB (0xffffff),
      .label = RGB (0xffffff),
      .hollow_label = RGB (0x3d3846),
      .focus = RGB (0x1c71d8),
  },
  /* Dark style */
  {
      .station = { RGB (0x7d9cc4), RGB (0x9a9996), RGB (0x9a9996), RGB (0xc061cb) },
      .cluster = { RGB (0x50698c), RGB (0x5e5c64), RGB (0x3d3846), RGB (0x8e45a0) },
      .severity = { RGBA (0, 0.f), RGB (0x62a0ea), RGB (0xf5c211), RGB (0xff4f4f) },
      .glow = RGBA (0xff4f4f, 0.30f),
      .halo = RGB (0x1e1e1e),
      .label = RGB (0xffffff),
      .hollow_label = RGB (0xdeddda),
      .focus = RGB (0x78aeed),
  },
};

typedef struct
{
  PangoLayout *layout;
  int          width;
  int          height;
} Label;

/* Where the viewport is, in the projection shared with AnxMapPoints. */
typedef struct
{
  double width;
  double height;
  double world; /* px across the whole world */
  double cx;    /* the viewport's centre, Mercator normalized */
  double cy;
  double zoom;
  double cos_r;
  double sin_r;
} Frame;

struct _AnxChargerLayer
{
  ShumateLayer   parent_instance;

  AnxMapPoints  *points;
  double         cluster_max_zoom;

  GArray        *clusters; /* scratch, reused every frame */
  GArray        *indices;
  GHashTable    *labels;   /* station count → Label */
  GHashTable    *sprites;  /* look key → Sprite */
  AnxMapCluster  activated;
};

G_DEFINE_FINAL_TYPE (AnxChargerLayer, anx_charger_layer, SHUMATE_TYPE_LAYER)

enum
{
  PROP_0,
  PROP_POINTS,
  PROP_CLUSTER_MAX_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_STATION_ACTIVATED,
  SIGNAL_CLUSTER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
label_free (gpointer data)
{
  Label *label = data;

  g_object_unref (label->layout);
  g_free (label);
}

static gboolean
frame_init (AnxChargerLayer *self,
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
  /* The world size exactly as ShumateMapSource computes it: columns at the
   * integer zoom times the tile size at the fractional zoom. */
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
frame_to_widget (const Frame *frame,
                 double       mx,
                 double       my,
                 double      *x,
                 double      *y)
{
  double dx = (mx - frame->cx) * frame->world;
  double dy = (my - frame->cy) * frame->world;

  *x = frame->cos_r * dx - frame->sin_r * dy + frame->width / 2.0;
  *y = frame->sin_r * dx + frame->cos_r * dy + frame->height / 2.0;
}

static void
frame_from_widget (const Frame *frame,
                   double       x,
                   double       y,
                   double      *mx,
                   double      *my)
{
  double dx = x - frame->width / 2.0;
  double dy = y - frame->height / 2.0;

  *mx = frame->cx + (frame->cos_r * dx + frame->sin_r * dy) / frame->world;
  *my = frame->cy + (-frame->sin_r * dx + frame->cos_r * dy) / frame->world;
}

/* The Mercator rectangle the widget shows, grown by @margin pixels. */
static void
frame_bounds (const Frame *frame,
              double       margin,
              double      *x0,
              double      *y0,
              double      *x1,
              double      *y1)
{
  /* Rotated, the widget fits in a square of its diagonal. */
  double half_w = frame->width / 2.0, half_h = frame->height / 2.0;

  if (frame->sin_r != 0)
    half_w = half_h = hypot (half_w, half_h);
  *x0 = frame->cx - (half_w + margin) / frame->world;
  *x1 = frame->cx + (half_w + margin) / frame->world;
  *y0 = frame->cy - (half_h + margin) / frame->world;
  *y1 = frame->cy + (half_h + margin) / frame->world;
}

static gboolean
frame_is_clustering (AnxChargerLayer *self,
                     const Frame     *frame)
{
  return frame->zoom < self->cluster_max_zoom;
}

static double
station_radius (double zoom)
{
  return zoom < 12 ? 5.0 : zoom < 15 ? 6.0 : 7.0;
}

static double
cluster_radius (guint n_points)
{
  return round (MIN (10.0 + 3.4 * log10 ((double) n_points), MAX_CLUSTER_RADIUS - 5.0));
}

static const Palette *
get_palette (AnxChargerLayer *self)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA fg;

  /* Light text means a dark style, whichever theme draws it. */
  gtk_style_context_get_color (context, &fg);
  return &palettes[0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5];
}

static void
append_ring (GtkSnapshot   *snapshot,
             double         x,
             double         y,
             double         outer_radius,
             double         width,
             const GdkRGBA *color)
{
  GskRoundedRect ring;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (
      &ring,
      &GRAPHENE_RECT_INIT (x - outer_radius, y - outer_radius, 2 * outer_radius, 2 * outer_radius),
      outer_radius);
  gtk_snapshot_append_border (snapshot, &ring, widths, colors);
}

/* Markers come in few looks: a state, an alarm severity, a radius and, for
 * clusters, how strongly the worst state shows. Each look is drawn once
 * with cairo into a small texture and then only blitted: antialiased
 * circles cost far more to rasterize every frame than a copy does, with
 * the cairo renderer and the GL one alike. */
typedef struct
{
  guint          radius;
  AnxMapState    state;
  guint          shade; /* 0 (a trace of the state) to SHADES - 1 (fully) */
  AnxMapSeverity severity;
  gboolean       cluster;
} Look;

#define SHADES 8

typedef struct
{
  GdkTexture *texture;
  int         size; /* logical px, square */
} Sprite;

static void
sprite_free (gpointer data)
{
  Sprite *sprite = data;

  g_object_unref (sprite->texture);
  g_free (sprite);
}

static guint
look_key (const Look *look,
          gboolean    dark,
          int         scale)
{
  return look->radius | (look->state << 6) | (look->shade << 8) | (look->severity << 11) |
         (look->cluster << 13) | (dark << 14) | ((guint) MIN (scale, 15) << 15);
}

/* A cluster takes the hue of its worst state; how strongly depends on the
 * share of its chargers in that state, so that one faulted charger among
 * three hundred does not paint a district like a failing one. */
static guint
cluster_shade (const AnxMapCluster *cluster,
               AnxMapState          state)
{
  guint total = 0;
  double t;

  for (guint s = 0; s < ANX_MAP_N_STATES; s++)
    total += cluster->n_chargers[s];
  if (state != ANX_MAP_STATE_FAULT || total == 0)
    return SHADES - 1;

  t = CLAMP (12.0 * cluster->n_chargers[state] / total, 0.0, 1.0);
  return (guint) round (t * (SHADES - 1));
}

static void
look_fill (const Palette *palette,
           const Look    *look,
           GdkRGBA       *fill)
{
  const GdkRGBA *base = &palette->cluster[ANX_MAP_STATE_IDLE];
  const GdkRGBA *hue =
      look->cluster ? &palette->cluster[look->state] : &palette->station[look->state];
  double t = 0.35 + 0.65 * look->shade / (SHADES - 1);

  fill->red = base->red + (hue->red - base->red) * t;
  fill->green = base->green + (hue->green - base->green) * t;
  fill->blue = base->blue + (hue->blue - base->blue) * t;
  fill->alpha = 1.0;
}

static void
circle (cairo_t *cr,
        double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, 0, 0, radius, 0, 2 * G_PI);
}

static Sprite *
render_sprite (const Palette *palette,
               const Look    *look,
               int            scale)
{
  Sprite *sprite = g_new0 (Sprite, 1);
  double radius = look->radius;
  cairo_surface_t *surface;
  cairo_t *cr;
  GBytes *bytes;
  GdkRGBA fill;

  /* Room for the ring or the critical glow (radius + 10) and antialiasing;
   * most markers have no alarm, and small sprites are cheap to copy. */
  switch (look->severity)
    {
    case ANX_MAP_SEVERITY_CRITICAL:
      sprite->size = 2 * ((int) ceil (radius) + 11);
      break;
    case ANX_MAP_SEVERITY_WARNING:
    case ANX_MAP_SEVERITY_INFO:
      sprite->size = 2 * ((int) ceil (radius) + 6);
      break;
    case ANX_MAP_SEVERITY_NONE:
    default:
      sprite->size = 2 * ((int) ceil (radius) + 3);
      break;
    }
  surface =
      cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sprite->size * scale, sprite->size * scale);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, sprite->size / 2.0, sprite->size / 2.0);

  switch (look->severity)
    {
    case ANX_MAP_SEVERITY_CRITICAL:
      circle (cr, radius + 10);
      gdk_cairo_set_source_rgba (cr, &palette->glow);
      cairo_fill (cr);
      circle (cr, radius + 5.5 - 1.75);
      cairo_set_line_width (cr, 3.5);
      break;
    case ANX_MAP_SEVERITY_WARNING:
      circle (cr, radius + 4.5 - 1.25);
      cairo_set_line_width (cr, 2.5);
      break;
    case ANX_MAP_SEVERITY_INFO:
      circle (cr, radius + 3.5 - 0.75);
      cairo_set_line_width (cr, 1.5);
      break;
    case ANX_MAP_SEVERITY_NONE:
    default:
      break;
    }
  if (look->severity != ANX_MAP_SEVERITY_NONE)
    {
      gdk_cairo_set_source_rgba (cr, &palette->severity[look->severity]);
      cairo_stroke (cr);
    }

  circle (cr, radius + 1.5);
  gdk_cairo_set_source_rgba (cr, &palette->halo);
  cairo_fill (cr);

  if (look->state == ANX_MAP_STATE_OFFLINE)
    {
      /* Hollow: no data is not a colour. */
      if (look->cluster)
        {
          circle (cr, radius);
          gdk_cairo_set_source_rgba (cr, &palette->cluster[ANX_MAP_STATE_OFFLINE]);
          cairo_fill (cr);
        }
      circle (cr, radius - 1.25);
      cairo_set_line_width (cr, 2.5);
      gdk_cairo_set_source_rgba (cr, &palette->station[ANX_MAP_STATE_OFFLINE]);
      cairo_stroke (cr);
    }
  else
    {
      look_fill (palette, look, &fill);
      circle (cr, radius);
      gdk_cairo_set_source_rgba (cr, &fill);
      cairo_fill (cr);
    }

  cairo_destroy (cr);
  cairo_surface_flush (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      cairo_image_surface_get_stride (surface) *
                                          cairo_image_surface_get_height (surface),
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  sprite->texture = gdk_memory_texture_new (
      cairo_image_surface_get_width (surface), cairo_image_surface_get_height (surface),
      GDK_MEMORY_DEFAULT, bytes, cairo_image_surface_get_stride (surface));
  g_bytes_unref (bytes);

  return sprite;
}

/**
 * anx_charger_layer_render_symbol:
 * @state: the charger state
 * @severity: the open alarm's severity
 * @dark: %TRUE for the dark style's palette
 * @scale: the display scale
 *
 * A station's marker as the layer draws it, for a legend.
 *
 * Returns: (transfer full): the marker, @scale device pixels per logical one
 */
GdkTexture *
anx_charger_layer_render_symbol (AnxMapState    state,
                                 AnxMapSeverity severity,
                                 gboolean       dark,
                                 int            scale)
{
  Look look = { 6, state, SHADES - 1, severity, FALSE };
  Sprite *sprite;
  GdkTexture *texture;

  g_return_val_if_fail (state < ANX_MAP_N_STATES, NULL);
  g_return_val_if_fail (severity <= ANX_MAP_SEVERITY_CRITICAL, NULL);

  sprite = render_sprite (&palettes[dark ? 1 : 0], &look, MAX (scale, 1));
  texture = g_object_ref (sprite->texture);
  sprite_free (sprite);
  return texture;
}

static void
append_marker (AnxChargerLayer *self,
               GtkSnapshot     *snapshot,
               const Palette   *palette,
               const Look      *look,
               double           x,
               double           y)
{
  gboolean dark = palette == &palettes[1];
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  guint key = look_key (look, dark, scale);
  Sprite *sprite = g_hash_table_lookup (self->sprites, GUINT_TO_POINTER (key));
  double left, top;

  if (sprite == NULL)
    {
      sprite = render_sprite (palette, look, scale);
      g_hash_table_insert (self->sprites, GUINT_TO_POINTER (key), sprite);
    }

  /* Whole pixels: a copy, not a resampling, and crisp edges. */
  left = round (x - sprite->size / 2.0);
  top = round (y - sprite->size / 2.0);
  gtk_snapshot_append_texture (snapshot, sprite->texture,
                               &GRAPHENE_RECT_INIT (left, top, sprite->size, sprite->size));
}

static const Label *
get_label (AnxChargerLayer *self,
           guint            n)
{
  Label *label = g_hash_table_lookup (self->labels, GUINT_TO_POINTER (n));
  g_autofree char *text = NULL;
  PangoAttrList *attrs;
  PangoRectangle logical;

  if (label != NULL)
    return label;

  if (g_hash_table_size (self->labels) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (self->labels);

  text = g_strdup_printf ("%u", n);
  label = g_new0 (Label, 1);
  label->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_attr_list_insert (attrs, pango_attr_scale_new (n >= 10000 ? 0.75 : 0.85));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (label->layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_extents (label->layout, NULL, &logical);
  label->width = logical.width;
  label->height = logical.height;
  g_hash_table_insert (self->labels, GUINT_TO_POINTER (n), label);

  return label;
}

static void
draw_station (AnxChargerLayer *self,
              GtkSnapshot     *snapshot,
              const Palette   *palette,
              double           x,
              double           y,
              double           radius,
              const guint     *n_chargers,
              AnxMapSeverity   severity)
{
  Look look = { (guint) radius, anx_map_worst_state (n_chargers), SHADES - 1, severity, FALSE };

  append_marker (self, snapshot, palette, &look, x, y);
}

static void
draw_cluster (AnxChargerLayer     *self,
              GtkSnapshot         *snapshot,
              const Palette       *palette,
              double               x,
              double               y,
              const AnxMapCluster *cluster)
{
  Look look = { (guint) cluster_radius (cluster->n_points),
                anx_map_worst_state (cluster->n_chargers), 0, cluster->severity, TRUE };
  const Label *label = get_label (self, cluster->n_points);
  GdkRGBA fill;
  double luminance;

  look.shade = cluster_shade (cluster, look.state);
  append_marker (self, snapshot, palette, &look, x, y);

  if (look.state == ANX_MAP_STATE_OFFLINE)
    fill = palette->cluster[ANX_MAP_STATE_OFFLINE];
  else
    look_fill (palette, &look, &fill);
  luminance = 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - label->width / 2.0),
                                                          round (y - label->height / 2.0)));
  gtk_snapshot_append_layout (snapshot, label->layout,
                              luminance > 0.55 ? &palette->hollow_label : &palette->label);
  gtk_snapshot_restore (snapshot);
}

/* Finds the marker nearest to (@x, @y) that is drawn under it. */
static gboolean
pick_in_frame (AnxChargerLayer    *self,
               const Frame        *frame,
               double              x,
               double              y,
               AnxChargerLayerHit *hit)
{
  double mx, my;

  if (self->points == NULL)
    return FALSE;

  frame_from_widget (frame, x, y, &mx, &my);

  if (frame_is_clustering (self, frame))
    {
      guint level = anx_map_points_level_for_scale (frame->world, CELL_SIZE);
      AnxMapCluster cluster;
      double cx, cy, radius;

      if (!anx_map_points_pick_cluster (self->points, level, mx, my,
                                        (MAX_CLUSTER_RADIUS + PICK_SLOP) / frame->world, &cluster))
        return FALSE;

      frame_to_widget (frame, cluster.x, cluster.y, &cx, &cy);
      radius =
          cluster.n_points > 1 ? cluster_radius (cluster.n_points) : station_radius (frame->zoom);
      if (hypot (cx - x, cy - y) > radius + PICK_SLOP)
        return FALSE;

      hit->is_cluster = cluster.n_points > 1;
      hit->point = cluster.point;
      hit->cluster = cluster;
      hit->x = cx;
      hit->y = cy;
      return TRUE;
    }
  else
    {
      guint index;
      double px, py;
      guint n_chargers[ANX_MAP_N_STATES];
      AnxMapSeverity severity;

      if (!anx_map_points_pick_point (self->points, mx, my,
                                      (station_radius (frame->zoom) + PICK_SLOP) / frame->world,
                                      &index))
        return FALSE;

      anx_map_points_get_projected (self->points, index, &px, &py);
      anx_map_points_get_status (self->points, index, n_chargers, &severity);
      memset (&hit->cluster, 0, sizeof hit->cluster);
      hit->is_cluster = FALSE;
      hit->point = index;
      hit->cluster.x = px;
      hit->cluster.y = py;
      hit->cluster.n_points = 1;
      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        hit->cluster.n_chargers[s] = n_chargers[s];
      hit->cluster.severity = severity;
      hit->cluster.point = index;
      hit->cluster.level = ANX_MAP_POINTS_MAX_LEVEL;
      frame_to_widget (frame, px, py, &hit->x, &hit->y);
      return TRUE;
    }
}

static void
activate_hit (AnxChargerLayer          *self,
              const AnxChargerLayerHit *hit)
{
  if (hit->is_cluster)
    {
      double latitude, longitude;

      self->activated = hit->cluster;
      anx_map_unproject (hit->cluster.x, hit->cluster.y, &latitude, &longitude);
      g_signal_emit (self, signals[SIGNAL_CLUSTER_ACTIVATED], 0, hit->cluster.n_points, latitude,
                     longitude);
    }
  else
    {
      g_signal_emit (self, signals[SIGNAL_STATION_ACTIVATED], 0,
                     anx_map_points_get_id (self->points, hit->point));
    }
}

/* The default handler of ::cluster-activated: zoom so that the cluster's
 * stations fill about half of the view, at least one level deeper. */
static void
real_cluster_activated (AnxChargerLayer *self,
                        guint            n_stations,
                        double           latitude,
                        double           longitude)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  GtkWidget *map = gtk_widget_get_ancestor (GTK_WIDGET (self), SHUMATE_TYPE_MAP);
  double max_zoom = shumate_viewport_get_max_zoom_level (viewport);
  Frame frame;
  double x0, y0, x1, y1, target;

  if (self->points == NULL || !frame_init (self, &frame))
    return;

  target = frame.zoom + 2;
  if (anx_map_points_get_cluster_bounds (self->points, &self->activated, &x0, &y0, &x1, &y1))
    {
      double tile_px = frame.world / pow (2.0, frame.zoom);
      double span = MAX ((x1 - x0) / frame.width, (y1 - y0) / frame.height) * tile_px;

      if (span > 0)
        target = log2 (0.5 / span);
      anx_map_unproject ((x0 + x1) / 2, (y0 + y1) / 2, &latitude, &longitude);
    }
  target = CLAMP (target, frame.zoom + 1, MAX (max_zoom, frame.zoom));

  if (map != NULL)
    shumate_map_go_to_full (SHUMATE_MAP (map), latitude, longitude, target);
  else
    {
      shumate_location_set_location (SHUMATE_LOCATION (viewport), latitude, longitude);
      shumate_viewport_set_zoom_level (viewport, target);
    }
}

static void
on_click_released (AnxChargerLayer *self,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkGestureClick *gesture)
{
  if (anx_charger_layer_activate_at (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static gboolean
on_key_pressed (AnxChargerLayer       *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  ShumateViewport *viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double dx = 0, dy = 0;

  if (shumate_viewport_get_reference_map_source (viewport) == NULL)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      return anx_charger_layer_activate_at (self, width / 2, height / 2);
    case GDK_KEY_Left:
      dx = -width / 5;
      break;
    case GDK_KEY_Right:
      dx = width / 5;
      break;
    case GDK_KEY_Up:
      dy = -height / 5;
      break;
    case GDK_KEY_Down:
      dy = height / 5;
      break;
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      shumate_viewport_set_zoom_level (viewport, shumate_viewport_get_zoom_level (viewport) + 1);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      shumate_viewport_set_zoom_level (viewport, shumate_viewport_get_zoom_level (viewport) - 1);
      return TRUE;
    default:
      return FALSE;
    }

  {
    double latitude, longitude;

    shumate_viewport_widget_coords_to_location (viewport, GTK_WIDGET (self), width / 2 + dx,
                                                height / 2 + dy, &latitude, &longitude);
    shumate_location_set_location (SHUMATE_LOCATION (viewport), latitude, longitude);
  }
  return TRUE;
}

static void
on_viewport_notify (AnxChargerLayer *self,
                    GParamSpec      *pspec,
                    ShumateViewport *viewport)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_points_changed (AnxChargerLayer *self,
                   AnxMapPoints    *points)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static char *
describe_counts (const guint *n)
{
  /* Translators: charger counts of a station or cluster on the map */
  return g_strdup_printf (_ ("Charging %u · Idle %u · Offline %u · Fault %u"),
                          n[ANX_MAP_STATE_CHARGING], n[ANX_MAP_STATE_IDLE],
                          n[ANX_MAP_STATE_OFFLINE], n[ANX_MAP_STATE_FAULT]);
}

static const char *
describe_severity (AnxMapSeverity severity)
{
  switch (severity)
    {
    case ANX_MAP_SEVERITY_CRITICAL:
      return _ ("Critical alarm open");
    case ANX_MAP_SEVERITY_WARNING:
      return _ ("Warning open");
    case ANX_MAP_SEVERITY_INFO:
      return _ ("Notice open");
    case ANX_MAP_SEVERITY_NONE:
    default:
      return NULL;
    }
}

static gboolean
anx_charger_layer_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard_tooltip,
                                 GtkTooltip *tooltip)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (widget);
  AnxChargerLayerHit hit;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *counts = NULL;
  const char *severity;

  if (!anx_charger_layer_pick (self, x, y, &hit))
    return FALSE;

  if (hit.is_cluster)
    g_string_append_printf (
        text, g_dngettext (GETTEXT_PACKAGE, "%u station", "%u stations", hit.cluster.n_points),
        hit.cluster.n_points);
  else
    g_string_append (text, anx_map_points_get_id (self->points, hit.point));

  counts = describe_counts (hit.cluster.n_chargers);
  g_string_append_c (text, '\n');
  g_string_append (text, counts);
  severity = describe_severity (hit.cluster.severity);
  if (severity != NULL)
    {
      g_string_append_c (text, '\n');
      g_string_append (text, severity);
    }

  gtk_tooltip_set_text (tooltip, text->str);
  return TRUE;
}

static gboolean
anx_charger_layer_contains (GtkWidget *widget,
                            double     x,
                            double     y)
{
  /* Only markers take the pointer; drags elsewhere reach the map. */
  return anx_charger_layer_pick (ANX_CHARGER_LAYER (widget), x, y, NULL);
}

static void
anx_charger_layer_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (widget);

  GTK_WIDGET_CLASS (anx_charger_layer_parent_class)->css_changed (widget, change);

  /* Fonts and colours may have changed. */
  g_hash_table_remove_all (self->labels);
  g_hash_table_remove_all (self->sprites);
}

static void
anx_charger_layer_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (widget);
  const Palette *palette;
  Frame frame;
  double x0, y0, x1, y1;
  guint by_severity[ANX_MAP_SEVERITY_CRITICAL + 2] = { 0 };
  g_autofree guint *draw_order = NULL;
  guint n_items;
  gboolean clustering;
  double radius;
  AnxChargerLayerHit focused;
  gboolean has_focused = FALSE;

  if (self->points == NULL || !frame_init (self, &frame))
    return;

  palette = get_palette (self);
  clustering = frame_is_clustering (self, &frame);
  radius = station_radius (frame.zoom);
  frame_bounds (&frame, MAX_CLUSTER_RADIUS + 10, &x0, &y0, &x1, &y1);

  g_array_set_size (self->clusters, 0);
  g_array_set_size (self->indices, 0);
  if (clustering)
    {
      guint level = anx_map_points_level_for_scale (frame.world, CELL_SIZE);

      anx_map_points_query_clusters (self->points, level, x0, y0, x1, y1, self->clusters);
      n_items = self->clusters->len;
    }
  else
    {
      anx_map_points_query_points (self->points, x0, y0, x1, y1, self->indices);
      n_items = self->indices->len;
    }

  /* Alarms last, the worst on top: a counting sort by severity. */
  draw_order = g_new (guint, MAX (n_items, 1));
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < n_items; i++)
        {
          AnxMapSeverity severity;

          if (clustering)
            severity = g_array_index (self->clusters, AnxMapCluster, i).severity;
          else
            anx_map_points_get_status (self->points, g_array_index (self->indices, guint, i), NULL,
                                       &severity);
          if (pass == 0)
            by_severity[severity + 1]++;
          else
            draw_order[by_severity[severity]++] = i;
        }
      if (pass == 0)
        for (guint s = 1; s < G_N_ELEMENTS (by_severity); s++)
          by_severity[s] += by_severity[s - 1];
    }

  for (guint k = 0; k < n_items; k++)
    {
      guint i = draw_order[k];
      double x, y;

      if (clustering)
        {
          const AnxMapCluster *c = &g_array_index (self->clusters, AnxMapCluster, i);

          frame_to_widget (&frame, c->x, c->y, &x, &y);
          if (c->n_points > 1)
            draw_cluster (self, snapshot, palette, x, y, c);
          else
            draw_station (self, snapshot, palette, x, y, radius, c->n_chargers, c->severity);
        }
      else
        {
          guint index = g_array_index (self->indices, guint, i);
          guint n_chargers[ANX_MAP_N_STATES];
          AnxMapSeverity severity;
          double mx, my;

          anx_map_points_get_projected (self->points, index, &mx, &my);
          anx_map_points_get_status (self->points, index, n_chargers, &severity);
          frame_to_widget (&frame, mx, my, &x, &y);
          draw_station (self, snapshot, palette, x, y, radius, n_chargers, severity);
        }
    }

  /* Keyboard focus: the marker Enter would activate, at the centre. */
  if (gtk_widget_has_visible_focus (widget))
    has_focused = pick_in_frame (self, &frame, frame.width / 2, frame.height / 2, &focused);
  if (has_focused)
    {
      double r = focused.is_cluster ? cluster_radius (focused.cluster.n_points) : radius;

      append_ring (snapshot, focused.x, focused.y, r + 9, 2, &palette->focus);
    }
}

static void
anx_charger_layer_dispose (GObject *object)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (object);

  anx_charger_layer_set_points (self, NULL);

  G_OBJECT_CLASS (anx_charger_layer_parent_class)->dispose (object);
}

static void
anx_charger_layer_finalize (GObject *object)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (object);

  g_array_unref (self->clusters);
  g_array_unref (self->indices);
  g_hash_table_unref (self->labels);
  g_hash_table_unref (self->sprites);

  G_OBJECT_CLASS (anx_charger_layer_parent_class)->finalize (object);
}

static void
anx_charger_layer_constructed (GObject *object)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (object);
  ShumateViewport *viewport;

  G_OBJECT_CLASS (anx_charger_layer_parent_class)->constructed (object);

  viewport = shumate_layer_get_viewport (SHUMATE_LAYER (self));
  g_signal_connect_object (viewport, "notify", G_CALLBACK (on_viewport_notify), self,
                           G_CONNECT_SWAPPED);
}

static void
anx_charger_layer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (object);

  switch (prop_id)
    {
    case PROP_POINTS:
      g_value_set_object (value, self->points);
      break;
    case PROP_CLUSTER_MAX_ZOOM:
      g_value_set_double (value, self->cluster_max_zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_charger_layer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AnxChargerLayer *self = ANX_CHARGER_LAYER (object);

  switch (prop_id)
    {
    case PROP_POINTS:
      anx_charger_layer_set_points (self, g_value_get_object (value));
      break;
    case PROP_CLUSTER_MAX_ZOOM:
      anx_charger_layer_set_cluster_max_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_charger_layer_class_init (AnxChargerLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = anx_charger_layer_constructed;
  object_class->dispose = anx_charger_layer_dispose;
  object_class->finalize = anx_charger_layer_finalize;
  object_class->get_property = anx_charger_layer_get_property;
  object_class->set_property = anx_charger_layer_set_property;

  widget_class->snapshot = anx_charger_layer_snapshot;
  widget_class->contains = anx_charger_layer_contains;
  widget_class->query_tooltip = anx_charger_layer_query_tooltip;
  widget_class->css_changed = anx_charger_layer_css_changed;

  properties[PROP_POINTS] =
      g_param_spec_object ("points", NULL, NULL, ANX_TYPE_MAP_POINTS,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLUSTER_MAX_ZOOM] =
      g_param_spec_double ("cluster-max-zoom", NULL, NULL, 0, 30, 15,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AnxChargerLayer::station-activated:
   * @id: the station's id
   *
   * A station was clicked, or chosen with the keyboard.
   */
  signals[SIGNAL_STATION_ACTIVATED] =
      g_signal_new ("station-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * AnxChargerLayer::cluster-activated:
   * @n_stations: the number of stations in the cluster
   * @latitude: the cluster's centre
   * @longitude: the cluster's centre
   *
   * A cluster was clicked, or chosen with the keyboard. The default handler
   * zooms in on its stations; stop the emission to do something else.
   */
  signals[SIGNAL_CLUSTER_ACTIVATED] =
      g_signal_new_class_handler ("cluster-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  G_CALLBACK (real_cluster_activated), NULL, NULL, NULL,
                                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
anx_charger_layer_init (AnxChargerLayer *self)
{
  GtkGesture *click;
  GtkEventController *keys;

  self->cluster_max_zoom = 15;
  self->clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  self->indices = g_array_new (FALSE, FALSE, sizeof (guint));
  self->labels = g_hash_table_new_full (NULL, NULL, NULL, label_free);
  self->sprites = g_hash_table_new_full (NULL, NULL, NULL, sprite_free);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  keys = gtk_event_controller_key_new ();
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Charger map"), -1);
}

/**
 * anx_charger_layer_new:
 * @viewport: the map's viewport
 * @points: (nullable): the stations to draw
 *
 * Returns: (transfer floating): a new layer, to add with
 *   shumate_map_add_layer() or shumate_simple_map_add_overlay_layer()
 */
AnxChargerLayer *
anx_charger_layer_new (ShumateViewport *viewport,
                       AnxMapPoints    *points)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);
  g_return_val_if_fail (points == NULL || ANX_IS_MAP_POINTS (points), NULL);

  return g_object_new (ANX_TYPE_CHARGER_LAYER, "viewport", viewport, "points", points, NULL);
}

/**
 * anx_charger_layer_get_points:
 *
 * Returns: (transfer none) (nullable): the stations drawn
 */
AnxMapPoints *
anx_charger_layer_get_points (AnxChargerLayer *self)
{
  g_return_val_if_fail (ANX_IS_CHARGER_LAYER (self), NULL);

  return self->points;
}

/**
 * anx_charger_layer_set_points:
 * @points: (nullable): the stations to draw
 *
 * The layer redraws whenever @points emits AnxMapPoints::changed.
 */
void
anx_charger_layer_set_points (AnxChargerLayer *self,
                              AnxMapPoints    *points)
{
  g_return_if_fail (ANX_IS_CHARGER_LAYER (self));
  g_return_if_fail (points == NULL || ANX_IS_MAP_POINTS (points));

  if (self->points == points)
    return;

  if (self->points != NULL)
    g_signal_handlers_disconnect_by_func (self->points, on_points_changed, self);
  g_set_object (&self->points, points);
  if (points != NULL)
    g_signal_connect_swapped (points, "changed", G_CALLBACK (on_points_changed), self);

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POINTS]);
}

/**
 * anx_charger_layer_get_cluster_max_zoom:
 *
 * Returns: the zoom level from which stations are drawn one by one
 */
double
anx_charger_layer_get_cluster_max_zoom (AnxChargerLayer *self)
{
  g_return_val_if_fail (ANX_IS_CHARGER_LAYER (self), 0);

  return self->cluster_max_zoom;
}

/**
 * anx_charger_layer_set_cluster_max_zoom:
 * @zoom_level: below this zoom level stations are clustered (default 15)
 */
void
anx_charger_layer_set_cluster_max_zoom (AnxChargerLayer *self,
                                        double           zoom_level)
{
  g_return_if_fail (ANX_IS_CHARGER_LAYER (self));

  if (self->cluster_max_zoom == zoom_level)
    return;

  self->cluster_max_zoom = zoom_level;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLUSTER_MAX_ZOOM]);
}

/**
 * anx_charger_layer_is_clustering:
 *
 * Returns: %TRUE if the current zoom level draws clusters
 */
gboolean
anx_charger_layer_is_clustering (AnxChargerLayer *self)
{
  Frame frame;

  g_return_val_if_fail (ANX_IS_CHARGER_LAYER (self), FALSE);

  frame_init (self, &frame);
  return frame_is_clustering (self, &frame);
}

/**
 * anx_charger_layer_location_to_widget:
 * @latitude: WGS-84 latitude
 * @longitude: WGS-84 longitude
 * @x: (out): x in the layer's coordinates
 * @y: (out): y in the layer's coordinates
 *
 * Where the layer draws a location: the projection its markers use.
 */
void
anx_charger_layer_location_to_widget (AnxChargerLayer *self,
                                      double           latitude,
                                      double           longitude,
                                      double          *x,
                                      double          *y)
{
  Frame frame;
  double mx, my;

  g_return_if_fail (ANX_IS_CHARGER_LAYER (self));

  frame_init (self, &frame);
  anx_map_project (latitude, longitude, &mx, &my);
  frame_to_widget (&frame, mx, my, x, y);
}

/**
 * anx_charger_layer_widget_to_location:
 * @x: x in the layer's coordinates
 * @y: y in the layer's coordinates
 * @latitude: (out): WGS-84 latitude
 * @longitude: (out): WGS-84 longitude
 *
 * The inverse of anx_charger_layer_location_to_widget(), as hit-testing
 * uses it.
 */
void
anx_charger_layer_widget_to_location (AnxChargerLayer *self,
                                      double           x,
                                      double           y,
                                      double          *latitude,
                                      double          *longitude)
{
  Frame frame;
  double mx, my;

  g_return_if_fail (ANX_IS_CHARGER_LAYER (self));

  frame_init (self, &frame);
  frame_from_widget (&frame, x, y, &mx, &my);
  anx_map_unproject (mx, my, latitude, longitude);
}

/**
 * anx_charger_layer_pick:
 * @x: x in the layer's coordinates
 * @y: y in the layer's coordinates
 * @hit: (out caller-allocates) (optional): what is there
 *
 * Hit-tests the markers as drawn at the current zoom level.
 *
 * Returns: %TRUE if a station or cluster is under (@x, @y)
 */
gboolean
anx_charger_layer_pick (AnxChargerLayer    *self,
                        double              x,
                        double              y,
                        AnxChargerLayerHit *hit)
{
  AnxChargerLayerHit scratch;
  Frame frame;

  g_return_val_if_fail (ANX_IS_CHARGER_LAYER (self), FALSE);

  if (!frame_init (self, &frame))
    return FALSE;
  return pick_in_frame (self, &frame, x, y, hit != NULL ? hit : &scratch);
}

/**
 * anx_charger_layer_activate_at:
 * @x: x in the layer's coordinates
 * @y: y in the layer's coordinates
 *
 * Does what a click at (@x, @y) does: emits
 * AnxChargerLayer::station-activated or AnxChargerLayer::cluster-activated
 * for the marker there.
 *
 * Returns: %TRUE if a marker was activated
 */
gboolean
anx_charger_layer_activate_at (AnxChargerLayer *self,
                               double           x,
                               double           y)
{
  AnxChargerLayerHit hit;

  g_return_val_if_fail (ANX_IS_CHARGER_LAYER (self), FALSE);

  if (!anx_charger_layer_pick (self, x, y, &hit))
    return FALSE;

  activate_hit (self, &hit);
  return TRUE;
}

/* anx-map-scale.c: the map's scale bar, which follows the zoom without
 * changing its size
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libshumate's ShumateScale sets new label texts while the map zooms, and
 * every new text resizes the window's whole widget tree: about a
 * millisecond of every zoom frame with the cairo renderer
 * (ANXIN_BENCH_DIAG=1 bench-console-frames). This bar keeps one size, set
 * by its longest text, and only redraws: a round distance (1, 2 or 5 times
 * a power of ten metres) and a bar that long on the ground at the centre
 * of the map, metric only.
 */

#define G_LOG_DOMAIN "anx-map-scale"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-map-scale.h"

/* The longest bar, in pixels. */
#define MAX_BAR   100.0
#define PADDING   4.0
#define BAR_THICK 2.0
#define TICK      6.0
/* WGS-84 equatorial radius, as Web Mercator uses. */
#define EARTH_RADIUS 6378137.0

struct _AnxMapScale
{
  GtkWidget        parent_instance;

  ShumateViewport *viewport;
  PangoLayout     *layout;
  char            *text;
  double           meters;
  double           bar; /* pixels */
};

G_DEFINE_FINAL_TYPE (AnxMapScale, anx_map_scale, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_VIEWPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_distance (double meters)
{
  if (meters >= 1000)
    /* Translators: a distance on the map's scale bar */
    return g_strdup_printf (_("%.0f km"), meters / 1000);
  /* Translators: a distance on the map's scale bar */
  return g_strdup_printf (_("%.0f m"), meters);
}

static void
update (AnxMapScale *self)
{
  ShumateMapSource *source;
  double tile_size, zoom, latitude, per_pixel, meters, step;
  g_autofree char *text = NULL;

  if (self->viewport == NULL)
    return;

  source = shumate_viewport_get_reference_map_source (self->viewport);
  tile_size = source != NULL ? shumate_map_source_get_tile_size (source) : 256.0;
  zoom = shumate_viewport_get_zoom_level (self->viewport);
  latitude = shumate_location_get_latitude (SHUMATE_LOCATION (self->viewport));
  per_pixel = cos (latitude * G_PI / 180.0) * 2 * G_PI * EARTH_RADIUS / (tile_size * exp2 (zoom));
  if (!(per_pixel > 0))
    return;

  /* The longest round distance whose bar fits. */
  meters = MAX_BAR * per_pixel;
  step = pow (10, floor (log10 (meters)));
  if (meters >= 5 * step)
    meters = 5 * step;
  else if (meters >= 2 * step)
    meters = 2 * step;
  else
    meters = step;
  meters = MAX (meters, 1);

  self->bar = meters / per_pixel;
  if (meters != self->meters)
    {
      self->meters = meters;
      text = format_distance (meters);
      pango_layout_set_text (self->layout, text, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      -1);
      g_free (self->text);
      self->text = g_steal_pointer (&text);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_viewport_notify (AnxMapScale *self)
{
  update (self);
}

static void
anx_map_scale_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  /* The widest text the bar can show, so that the size never changes. */
  g_autofree char *widest = format_distance (5000000);
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, widest);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int) ceil (MAX (MAX_BAR, width) + 2 * PADDING);
  else
    *minimum = *natural = (int) ceil (height + TICK + 2 * PADDING);
}

static void
anx_map_scale_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  AnxMapScale *self = ANX_MAP_SCALE (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  double height = gtk_widget_get_height (widget);
  double bottom = height - PADDING;
  GdkRGBA color;

  if (self->text == NULL)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* ├──────┤ along the bottom, the distance above it */
  gtk_snapshot_append_color (snapshot, &color,
                             &GRAPHENE_RECT_INIT (PADDING, bottom - BAR_THICK, self->bar, BAR_THICK));
  gtk_snapshot_append_color (snapshot, &color,
                             &GRAPHENE_RECT_INIT (PADDING, bottom - TICK, BAR_THICK, TICK));
  gtk_snapshot_append_color (
      snapshot, &color,
      &GRAPHENE_RECT_INIT (PADDING + self->bar - BAR_THICK, bottom - TICK, BAR_THICK, TICK));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PADDING + BAR_THICK + 2, PADDING));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
anx_map_scale_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  AnxMapScale *self = ANX_MAP_SCALE (widget);

  GTK_WIDGET_CLASS (anx_map_scale_parent_class)->css_changed (widget, change);
  pango_layout_context_changed (self->layout);
}

static void
set_viewport (AnxMapScale     *self,
              ShumateViewport *viewport)
{
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_set_object (&self->viewport, viewport);
  if (viewport != NULL)
    {
      g_signal_connect_object (viewport, "notify::zoom-level", G_CALLBACK (on_viewport_notify),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (viewport, "notify::latitude", G_CALLBACK (on_viewport_notify),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (viewport, "notify::reference-map-source",
                               G_CALLBACK (on_viewport_notify), self, G_CONNECT_SWAPPED);
    }
  update (self);
}

static void
anx_map_scale_dispose (GObject *object)
{
  AnxMapScale *self = ANX_MAP_SCALE (object);

  set_viewport (self, NULL);

  G_OBJECT_CLASS (anx_map_scale_parent_class)->dispose (object);
}

static void
anx_map_scale_finalize (GObject *object)
{
  AnxMapScale *self = ANX_MAP_SCALE (object);

  g_clear_object (&self->layout);
  g_free (self->text);

  G_OBJECT_CLASS (anx_map_scale_parent_class)->finalize (object);
}

static void
anx_map_scale_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AnxMapScale *self = ANX_MAP_SCALE (object);

  switch (prop_id)
    {
    case PROP_VIEWPORT:
      g_value_set_object (value, self->viewport);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_map_scale_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  AnxMapScale *self = ANX_MAP_SCALE (object);

  switch (prop_id)
    {
    case PROP_VIEWPORT:
      set_viewport (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_map_scale_class_init (AnxMapScaleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_map_scale_dispose;
  object_class->finalize = anx_map_scale_finalize;
  object_class->get_property = anx_map_scale_get_property;
  object_class->set_property = anx_map_scale_set_property;

  widget_class->measure = anx_map_scale_measure;
  widget_class->snapshot = anx_map_scale_snapshot;
  widget_class->css_changed = anx_map_scale_css_changed;

  /**
   * AnxMapScale:viewport:
   *
   * The map's viewport.
   */
  properties[PROP_VIEWPORT] =
      g_param_spec_object ("viewport", NULL, NULL, SHUMATE_TYPE_VIEWPORT,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "mapscale");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
anx_map_scale_init (AnxMapScale *self)
{
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
}

/**
 * anx_map_scale_new:
 * @viewport: the map's viewport
 *
 * Returns: (transfer floating): a scale bar
 */
GtkWidget *
anx_map_scale_new (ShumateViewport *viewport)
{
  g_return_val_if_fail (SHUMATE_IS_VIEWPORT (viewport), NULL);

  return g_object_new (ANX_TYPE_MAP_SCALE, "viewport", viewport, NULL);
}

/**
 * anx_map_scale_get_text:
 *
 * Returns: (nullable): the distance shown, e.g. “10 km”
 */
const char *
anx_map_scale_get_text (AnxMapScale *self)
{
  g_return_val_if_fail (ANX_IS_MAP_SCALE (self), NULL);

  return self->text;
}

/**
 * anx_map_scale_get_meters:
 *
 * Returns: the distance shown, in metres
 */
double
anx_map_scale_get_meters (AnxMapScale *self)
{
  g_return_val_if_fail (ANX_IS_MAP_SCALE (self), 0);

  return self->meters;
}

/**
 * anx_map_scale_get_bar_width:
 *
 * Returns: the bar's length in pixels, that distance on the ground at the
 *   centre of the map
 */
double
anx_map_scale_get_bar_width (AnxMapScale *self)
{
  g_return_val_if_fail (ANX_IS_MAP_SCALE (self), 0);

  return self->bar;
}

/* anx-ratio-chart.c: billed/metered energy per session, with the tolerance band
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One dot per charge record: x its time, y how far the billed energy is
 * from the signed metered energy in percent. The band is the meter class's
 * tolerance; dots outside it take the style's error colour, so a drifting
 * or over-billing meter shows at a glance. Colours come from the style
 * (named libadwaita colours), so the chart reads in dark and light.
 */

#define G_LOG_DOMAIN "anx-ratio-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-charger-info.h"
#include "anx-display-zone.h"
#include "anx-ratio-chart.h"

#define MARGIN_LEFT   56.0
#define MARGIN_RIGHT  12.0
#define MARGIN_TOP    12.0
#define MARGIN_BOTTOM 28.0
#define DOT_RADIUS    2.5

struct _AnxRatioChart
{
  GtkWidget parent_instance;

  GArray *points; /* of AnxRatioPoint, oldest first */
  guint tolerance_bp;
  guint n_outside;
  double largest; /* largest deviation in percent, by magnitude */
  AnxDisplayZone *display_zone;
  GTimeZone *zone;
};

G_DEFINE_FINAL_TYPE (AnxRatioChart, anx_ratio_chart, GTK_TYPE_WIDGET)

static double
deviation (const AnxRatioPoint *point)
{
  return (point->ratio - 1.0) * 100.0;
}

static GdkRGBA
style_color (GtkWidget  *widget,
             const char *name,
             const char *fallback)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (name == NULL)
    {
      gtk_style_context_get_color (context, &color);
      return color;
    }
  if (!gtk_style_context_lookup_color (context, name, &color))
    gdk_rgba_parse (&color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return color;
}

static void
append_text (GtkSnapshot   *snapshot,
             GtkWidget     *widget,
             const char    *text,
             double         x,
             double         y,
             double         align_x,
             const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT ((float) (x - align_x * width),
                                                (float) (y - height / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static char *
format_day (AnxRatioChart *self,
            gint64         time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, self->zone) : NULL;

  return local != NULL ? g_date_time_format (local, "%x") : g_strdup ("");
}

static void
anx_ratio_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  AnxRatioChart *self = ANX_RATIO_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double plot_w = width - MARGIN_LEFT - MARGIN_RIGHT;
  double plot_h = height - MARGIN_TOP - MARGIN_BOTTOM;
  double tolerance = self->tolerance_bp / 100.0;
  double y_min = -MAX (tolerance * 2, 1.0), y_max = MAX (tolerance * 2, 1.0);
  double step;
  gint64 t_min = 0, t_max = 1;
  GdkRGBA fg = style_color (widget, NULL, "black");
  GdkRGBA dim = fg, grid = fg, band, error, accent;
  cairo_t *cr;

  if (plot_w < 20 || plot_h < 20)
    return;
  band = style_color (widget, "success_color", "#26a269");
  error = style_color (widget, "error_color", "#c01c28");
  accent = style_color (widget, "accent_color", "#1c71d8");
  dim.alpha *= 0.7f;
  grid.alpha *= 0.15f;
  band.alpha = 0.18f;

  for (guint i = 0; i < self->points->len; i++)
    {
      const AnxRatioPoint *point = &g_array_index (self->points, AnxRatioPoint, i);
      double d = deviation (point);

      y_min = MIN (y_min, d);
      y_max = MAX (y_max, d);
    }
  if (self->points->len > 0)
    {
      t_min = g_array_index (self->points, AnxRatioPoint, 0).time_us;
      t_max = g_array_index (self->points, AnxRatioPoint, self->points->len - 1).time_us;
      if (t_max <= t_min)
        t_max = t_min + 1;
    }
  /* Whole-number gridlines, about four of them. */
  step = MAX (1.0, ceil ((y_max - y_min) / 4.0));
  y_min = floor (y_min / step) * step;
  y_max = ceil (y_max / step) * step;
  if (y_max - y_min < step)
    y_max = y_min + step;

#define Y(v) (MARGIN_TOP + plot_h * (1.0 - ((v) - y_min) / (y_max - y_min)))
#define X(t) (MARGIN_LEFT + plot_w * (double) ((t) - t_min) / (double) (t_max - t_min))

  /* The tolerance band and the zero line. */
  if (tolerance > 0)
    gtk_snapshot_append_color (snapshot, &band,
                               &GRAPHENE_RECT_INIT ((float) MARGIN_LEFT, (float) Y (tolerance),
                                                    (float) plot_w,
                                                    (float) (Y (-tolerance) - Y (tolerance))));
  for (double v = y_min; v <= y_max + step / 2; v += step)
    {
      g_autofree char *label = g_strdup_printf (v == 0 ? "%.0f %%" : "%+.0f %%", v);

      gtk_snapshot_append_color (snapshot, v == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT ((float) MARGIN_LEFT, (float) Y (v) - 0.5f,
                                                      (float) plot_w, 1));
      append_text (snapshot, widget, label, MARGIN_LEFT - 6, Y (v), 1.0, &dim);
    }

  /* Time axis: the first and the last day shown. */
  if (self->points->len > 0)
    {
      g_autofree char *first = format_day (self, t_min);
      g_autofree char *last = format_day (self, t_max);

      append_text (snapshot, widget, first, MARGIN_LEFT, height - MARGIN_BOTTOM / 2, 0.0, &dim);
      if (g_strcmp0 (first, last) != 0)
        append_text (snapshot, widget, last, width - MARGIN_RIGHT, height - MARGIN_BOTTOM / 2,
                     1.0, &dim);
    }
  else
    {
      append_text (snapshot, widget, _("No charge records with signed readings"),
                   MARGIN_LEFT + plot_w / 2, MARGIN_TOP + plot_h / 2, 0.5, &dim);
    }

  /* The dots: inside the band in the accent colour, outside in the error
   * colour and larger. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  for (int pass = 0; pass < 2; pass++)
    {
      gdk_cairo_set_source_rgba (cr, pass == 0 ? &accent : &error);
      for (guint i = 0; i < self->points->len; i++)
        {
          const AnxRatioPoint *point = &g_array_index (self->points, AnxRatioPoint, i);
          double d = deviation (point);
          gboolean outside = tolerance > 0 && fabs (d) > tolerance;

          if (outside != (pass == 1))
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, X (point->time_us), Y (d), outside ? DOT_RADIUS + 1 : DOT_RADIUS, 0,
                     2 * G_PI);
        }
      cairo_fill (cr);
    }
  cairo_destroy (cr);
#undef X
#undef Y
}

static void
anx_ratio_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 180;
}

static void
update_description (AnxRatioChart *self)
{
  g_autofree char *description = NULL;

  if (self->points->len == 0)
    description = g_strdup (_("No charge records with signed readings"));
  else
    /* Translators: the chart's description for screen readers: sessions, how
     * many outside the band, the band (e.g. "±1.0 %"), the largest deviation */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%1$u session; %2$u outside the tolerance of "
                                                "±%3$.1f %%; largest deviation %4$+.1f %%",
                                                "%1$u sessions; %2$u outside the tolerance of "
                                                "±%3$.1f %%; largest deviation %4$+.1f %%",
                                                self->points->len),
                                   self->points->len, self->n_outside, self->tolerance_bp / 100.0,
                                   self->largest);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
}

static void
anx_ratio_chart_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (anx_ratio_chart_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
anx_ratio_chart_finalize (GObject *object)
{
  AnxRatioChart *self = ANX_RATIO_CHART (object);

  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->display_zone);

  G_OBJECT_CLASS (anx_ratio_chart_parent_class)->finalize (object);
}

static void
on_zone_changed (AnxRatioChart *self)
{
  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
anx_ratio_chart_class_init (AnxRatioChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = anx_ratio_chart_finalize;
  widget_class->snapshot = anx_ratio_chart_snapshot;
  widget_class->measure = anx_ratio_chart_measure;
  widget_class->css_changed = anx_ratio_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "ratiochart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
anx_ratio_chart_init (AnxRatioChart *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (AnxRatioPoint));
  self->display_zone = anx_display_zone_dup_default ();
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);
  update_description (self);
}

/**
 * anx_ratio_chart_new:
 *
 * Returns: (transfer floating): a new chart
 */
GtkWidget *
anx_ratio_chart_new (void)
{
  return g_object_new (ANX_TYPE_RATIO_CHART, NULL);
}

/**
 * anx_ratio_chart_set_points:
 * @self: a chart
 * @points: (element-type AnxRatioPoint) (nullable): billed/metered ratios,
 *   oldest first
 * @tolerance_bp: the meter class's tolerance in basis points (0: none)
 */
void
anx_ratio_chart_set_points (AnxRatioChart *self,
                            GArray        *points,
                            guint          tolerance_bp)
{
  g_return_if_fail (ANX_IS_RATIO_CHART (self));

  g_array_set_size (self->points, 0);
  if (points != NULL)
    g_array_append_vals (self->points, points->data, points->len);
  self->tolerance_bp = tolerance_bp;
  self->n_outside = 0;
  self->largest = 0;
  for (guint i = 0; i < self->points->len; i++)
    {
      double d = deviation (&g_array_index (self->points, AnxRatioPoint, i));

      if (tolerance_bp > 0 && fabs (d) > tolerance_bp / 100.0)
        self->n_outside++;
      if (fabs (d) > fabs (self->largest))
        self->largest = d;
    }
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * anx_ratio_chart_get_n_points:
 * @self: a chart
 *
 * Returns: the dots drawn
 */
guint
anx_ratio_chart_get_n_points (AnxRatioChart *self)
{
  return self->points->len;
}

/**
 * anx_ratio_chart_get_n_outside:
 * @self: a chart
 *
 * Returns: the dots outside the tolerance band
 */
guint
anx_ratio_chart_get_n_outside (AnxRatioChart *self)
{
  return self->n_outside;
}

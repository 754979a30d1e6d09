/* anx-map-legend.c: what the map's markers mean, drawn as the map draws them
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each entry is the charger layer's own marker, rendered with the palette
 * of the current style (AdwStyleManager:dark), so that the legend matches
 * the map in the light and the dark style alike and its text keeps the
 * theme's colours.
 */

#define G_LOG_DOMAIN "anx-map-legend"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-charger-layer.h"
#include "anx-map-legend.h"

struct _AnxMapLegend
{
  AdwBin      parent_instance;

  GtkGrid    *grid;
  GtkPicture *symbols[6];
  gboolean    dark;
};

G_DEFINE_FINAL_TYPE (AnxMapLegend, anx_map_legend, ADW_TYPE_BIN)

typedef struct
{
  AnxMapState    state;
  AnxMapSeverity severity;
} Entry;

static const Entry entries[] = {
  { ANX_MAP_STATE_CHARGING, ANX_MAP_SEVERITY_NONE },
  { ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_NONE },
  { ANX_MAP_STATE_OFFLINE, ANX_MAP_SEVERITY_NONE },
  { ANX_MAP_STATE_FAULT, ANX_MAP_SEVERITY_NONE },
  { ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_WARNING },
  { ANX_MAP_STATE_IDLE, ANX_MAP_SEVERITY_CRITICAL },
};

static const char *
entry_title (guint i)
{
  switch (i)
    {
    case 0:
      return _("Charging");
    case 1:
      return _("Available");
    case 2:
      return _("Offline");
    case 3:
      return _("Fault");
    case 4:
      return _("Warning open");
    case 5:
    default:
      return _("Critical alarm open");
    }
}

static void
anx_map_legend_update (AnxMapLegend *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(GdkTexture) texture =
          anx_charger_layer_render_symbol (entries[i].state, entries[i].severity, self->dark, scale);

      gtk_picture_set_paintable (self->symbols[i], GDK_PAINTABLE (texture));
      /* The sprite has room for the critical glow: show it at its logical size. */
      gtk_widget_set_size_request (GTK_WIDGET (self->symbols[i]),
                                   gdk_texture_get_width (texture) / MAX (scale, 1),
                                   gdk_texture_get_height (texture) / MAX (scale, 1));
    }
}

static void
anx_map_legend_dispose (GObject *object)
{
  AnxMapLegend *self = ANX_MAP_LEGEND (object);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);

  G_OBJECT_CLASS (anx_map_legend_parent_class)->dispose (object);
}

static void
anx_map_legend_class_init (AnxMapLegendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_map_legend_dispose;
  gtk_widget_class_set_css_name (widget_class, "legend");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
anx_map_legend_init (AnxMapLegend *self)
{
  GtkWidget *heading = gtk_label_new (_("Legend"));

  self->grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->grid, 6);
  gtk_grid_set_row_spacing (self->grid, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->grid), 10);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->grid), 10);
  gtk_widget_set_margin_start (GTK_WIDGET (self->grid), 10);
  gtk_widget_set_margin_end (GTK_WIDGET (self->grid), 12);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_start (heading, 2);
  gtk_widget_set_margin_bottom (heading, 4);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (self->grid, heading, 0, 0, 2, 1);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkWidget *picture = gtk_picture_new ();
      GtkWidget *label = gtk_label_new (entry_title (i));

      gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
      gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      entry_title (i), -1);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      self->symbols[i] = GTK_PICTURE (picture);
      gtk_grid_attach (self->grid, picture, 0, i + 1, 1, 1);
      gtk_grid_attach (self->grid, label, 1, i + 1, 1, 1);
    }
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->grid));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (anx_map_legend_update), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (anx_map_legend_update), NULL);
  anx_map_legend_update (self);
}

/**
 * anx_map_legend_new:
 *
 * Returns: (transfer floating): a legend of the charger layer's markers
 */
GtkWidget *
anx_map_legend_new (void)
{
  return g_object_new (ANX_TYPE_MAP_LEGEND, NULL);
}

/**
 * anx_map_legend_is_dark:
 *
 * Returns: %TRUE if the legend shows the dark style's colours
 */
gboolean
anx_map_legend_is_dark (AnxMapLegend *self)
{
  g_return_val_if_fail (ANX_IS_MAP_LEGEND (self), FALSE);

  return self->dark;
}

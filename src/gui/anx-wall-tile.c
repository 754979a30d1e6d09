/* anx-wall-tile.c: one key figure of the wall display, with the age of its data
 *
 * A tile is a title, a large value, a detail line and the age of the data
 * the value was computed from. A stale tile keeps its value (the last one
 * known is still the best there is) and says how old it is.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-wall-tile"

#include "config.h"

#include "anx-wall-tile.h"

struct _AnxWallTile
{
  GtkWidget         parent_instance;

  AnxWallTileLevel  level;
  gboolean          stale;

  GtkWidget        *title;
  GtkWidget        *value;
  GtkWidget        *detail;
  GtkWidget        *age;
};

G_DEFINE_FINAL_TYPE (AnxWallTile, anx_wall_tile, GTK_TYPE_WIDGET)

static const char *const level_classes[] = { NULL, "wall-warning", "wall-critical" };

static void
anx_wall_tile_update_accessible (AnxWallTile *self)
{
  g_autofree char *label = g_strdup_printf ("%s: %s", gtk_label_get_label (GTK_LABEL (self->title)),
                                            gtk_label_get_label (GTK_LABEL (self->value)));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_label_get_label (GTK_LABEL (self->age)), -1);
}

static void
anx_wall_tile_dispose (GObject *object)
{
  AnxWallTile *self = ANX_WALL_TILE (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->title = self->value = self->detail = self->age = NULL;

  G_OBJECT_CLASS (anx_wall_tile_parent_class)->dispose (object);
}

static void
anx_wall_tile_class_init (AnxWallTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_wall_tile_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "walltile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static GtkWidget *
add_label (AnxWallTile *self,
           const char  *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_parent (label, GTK_WIDGET (self));
  return label;
}

static void
anx_wall_tile_init (AnxWallTile *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  self->title = add_label (self, "wall-tile-title");
  self->value = add_label (self, "wall-tile-value");
  self->detail = add_label (self, "wall-tile-detail");
  self->age = add_label (self, "wall-age");
  gtk_widget_set_vexpand (self->detail, TRUE);
  gtk_widget_set_valign (self->detail, GTK_ALIGN_START);
  gtk_label_set_label (GTK_LABEL (self->value), "–");
}

/**
 * anx_wall_tile_new:
 * @title: what the tile counts
 *
 * Returns: (transfer floating): a new tile without a value
 */
GtkWidget *
anx_wall_tile_new (const char *title)
{
  AnxWallTile *self = g_object_new (ANX_TYPE_WALL_TILE, NULL);

  gtk_label_set_label (GTK_LABEL (self->title), title);
  anx_wall_tile_update_accessible (self);
  return GTK_WIDGET (self);
}

/**
 * anx_wall_tile_get_title:
 *
 * Returns: what the tile counts
 */
const char *
anx_wall_tile_get_title (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->title));
}

/**
 * anx_wall_tile_set_value:
 * @value: the figure, formatted
 * @detail: (nullable): a line under it
 *
 * Touches the labels only when the text changes: this runs on every reload.
 */
void
anx_wall_tile_set_value (AnxWallTile *self,
                         const char  *value,
                         const char  *detail)
{
  g_return_if_fail (ANX_IS_WALL_TILE (self));

  if (g_strcmp0 (value, gtk_label_get_label (GTK_LABEL (self->value))) != 0)
    gtk_label_set_label (GTK_LABEL (self->value), value);
  if (g_strcmp0 (detail != NULL ? detail : "", gtk_label_get_label (GTK_LABEL (self->detail))) != 0)
    gtk_label_set_label (GTK_LABEL (self->detail), detail != NULL ? detail : "");
  anx_wall_tile_update_accessible (self);
}

/**
 * anx_wall_tile_get_value:
 *
 * Returns: the figure shown
 */
const char *
anx_wall_tile_get_value (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->value));
}

/**
 * anx_wall_tile_get_detail:
 *
 * Returns: the line under the figure
 */
const char *
anx_wall_tile_get_detail (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->detail));
}

/**
 * anx_wall_tile_set_level:
 * @level: how abnormal the value is
 *
 * Colours the tile for %ANX_WALL_TILE_WARNING and %ANX_WALL_TILE_CRITICAL only.
 */
void
anx_wall_tile_set_level (AnxWallTile      *self,
                         AnxWallTileLevel  level)
{
  g_return_if_fail (ANX_IS_WALL_TILE (self));
  g_return_if_fail (level <= ANX_WALL_TILE_CRITICAL);

  if (self->level == level)
    return;
  if (level_classes[self->level] != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), level_classes[self->level]);
  self->level = level;
  if (level_classes[level] != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), level_classes[level]);
}

/**
 * anx_wall_tile_get_level:
 *
 * Returns: the level the tile shows
 */
AnxWallTileLevel
anx_wall_tile_get_level (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), ANX_WALL_TILE_NORMAL);

  return self->level;
}

/**
 * anx_wall_tile_set_age:
 * @age: how old the data is, in words
 * @stale: %TRUE when the data is no longer being updated
 */
void
anx_wall_tile_set_age (AnxWallTile *self,
                       const char  *age,
                       gboolean     stale)
{
  g_return_if_fail (ANX_IS_WALL_TILE (self));

  if (g_strcmp0 (age, gtk_label_get_label (GTK_LABEL (self->age))) != 0)
    {
      gtk_label_set_label (GTK_LABEL (self->age), age);
      anx_wall_tile_update_accessible (self);
    }
  if (self->stale == !!stale)
    return;
  self->stale = !!stale;
  if (stale)
    gtk_widget_add_css_class (GTK_WIDGET (self), "wall-stale");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "wall-stale");
}

/**
 * anx_wall_tile_get_age:
 *
 * Returns: the age shown
 */
const char *
anx_wall_tile_get_age (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->age));
}

/**
 * anx_wall_tile_get_stale:
 *
 * Returns: whether the tile is marked stale
 */
gboolean
anx_wall_tile_get_stale (AnxWallTile *self)
{
  g_return_val_if_fail (ANX_IS_WALL_TILE (self), FALSE);

  return self->stale;
}

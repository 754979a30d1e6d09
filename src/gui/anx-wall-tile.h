/* anx-wall-tile.h: one key figure of the wall display, with the age of its data
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * AnxWallTileLevel:
 * @ANX_WALL_TILE_NORMAL: nothing abnormal: drawn in the muted base colours
 * @ANX_WALL_TILE_WARNING: an abnormal value a person should look at
 * @ANX_WALL_TILE_CRITICAL: an abnormal value that needs action
 *
 * Colour by exception: only these levels colour a tile.
 */
typedef enum
{
  ANX_WALL_TILE_NORMAL,
  ANX_WALL_TILE_WARNING,
  ANX_WALL_TILE_CRITICAL,
} AnxWallTileLevel;

#define ANX_TYPE_WALL_TILE (anx_wall_tile_get_type ())

G_DECLARE_FINAL_TYPE (AnxWallTile, anx_wall_tile, ANX, WALL_TILE, GtkWidget)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GtkWidget        *anx_wall_tile_new        (const char       *title);
const char       *anx_wall_tile_get_title  (AnxWallTile      *self);
void              anx_wall_tile_set_value  (AnxWallTile      *self,
                                            const char       *value,
                                            const char       *detail);
const char       *anx_wall_tile_get_value  (AnxWallTile      *self);
const char       *anx_wall_tile_get_detail (AnxWallTile      *self);
void              anx_wall_tile_set_level  (AnxWallTile      *self,
                                            AnxWallTileLevel  level);
AnxWallTileLevel  anx_wall_tile_get_level  (AnxWallTile      *self);
void              anx_wall_tile_set_age    (AnxWallTile      *self,
                                            const char       *age,
                                            gboolean          stale);
const char       *anx_wall_tile_get_age    (AnxWallTile      *self);
gboolean          anx_wall_tile_get_stale  (AnxWallTile      *self);
/* clang-format on */

G_END_DECLS

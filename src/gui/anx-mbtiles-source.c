/* anx-mbtiles-source.c: map tiles from a local MBTiles file (SQLite)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-mbtiles-source"

#include "config.h"

#include <sqlite3.h>

#include "anx-mbtiles-source.h"

/* libshumate 1.0 cannot load file:// tile URLs, so local tiles need a data
 * source. Reads run on GTask worker threads, so a slow disk never blocks
 * the interface; one read-only connection is shared under a mutex (tiles
 * are small and SQLite reads fast, so there is little to gain from more).
 * ShumateRasterRenderer 1.0.x sets a tile's texture from the
 * ShumateDataSource::received-data signal, not from the async result, so
 * the result is emitted on the main thread before the task completes.
 *
 * MBTiles 1.3 numbers rows as TMS does, from the south: row = 2^z - 1 - y. */

struct _AnxMbtilesSource
{
  ShumateDataSource  parent_instance;

  char              *path;
  sqlite3           *db;
  sqlite3_stmt      *tile_stmt;
  GMutex             lock;

  char              *name;
  char              *attribution;
  char              *format;
  guint              min_zoom;
  guint              max_zoom;
  double             bounds[4]; /* west, south, east, north */
  gboolean           has_bounds;
};

G_DEFINE_FINAL_TYPE (AnxMbtilesSource, anx_mbtiles_source, SHUMATE_TYPE_DATA_SOURCE)

typedef struct
{
  int                x;
  int                y;
  int                zoom_level;
} TileRequest;

static char *
read_metadata (sqlite3    *db,
               const char *key)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM metadata WHERE name = ?1", -1, &stmt, NULL) !=
      SQLITE_OK)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static gboolean
parse_zoom (const char *text,
            guint      *zoom)
{
  guint64 value;

  if (text == NULL ||
      !g_ascii_string_to_unsigned (g_strstrip ((char *) text), 10, 0, 30, &value, NULL))
    return FALSE;
  *zoom = value;
  return TRUE;
}

static gboolean
anx_mbtiles_source_open (AnxMbtilesSource  *self,
                         GError           **error)
{
  g_autofree char *min_zoom = NULL;
  g_autofree char *max_zoom = NULL;
  g_autofree char *bounds = NULL;
  gboolean have_min, have_max;

  if (sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL) !=
      SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot open MBTiles file %s: %s",
                   self->path, self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT tile_data FROM tiles"
                          " WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                          -1, &self->tile_stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not an MBTiles file: %s",
                   self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  self->name = read_metadata (self->db, "name");
  self->attribution = read_metadata (self->db, "attribution");
  self->format = read_metadata (self->db, "format");
  min_zoom = read_metadata (self->db, "minzoom");
  max_zoom = read_metadata (self->db, "maxzoom");
  bounds = read_metadata (self->db, "bounds");

  if (self->format != NULL && g_ascii_strcasecmp (self->format, "pbf") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s holds vector tiles; only raster MBTiles (PNG, JPEG, WebP) are supported",
                   self->path);
      return FALSE;
    }

  have_min = parse_zoom (min_zoom, &self->min_zoom);
  have_max = parse_zoom (max_zoom, &self->max_zoom);
  if (!have_min || !have_max)
    {
      sqlite3_stmt *stmt = NULL;

      /* Optional in the spec: take them from the tiles. */
      if (sqlite3_prepare_v2 (self->db, "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles", -1,
                              &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          if (!have_min)
            self->min_zoom = sqlite3_column_int (stmt, 0);
          if (!have_max)
            self->max_zoom = sqlite3_column_int (stmt, 1);
        }
      sqlite3_finalize (stmt);
    }

  if (bounds != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (bounds, ",", -1);

      if (g_strv_length (parts) == 4)
        {
          self->has_bounds = TRUE;
          for (guint i = 0; i < 4; i++)
            {
              char *end = NULL;

              self->bounds[i] = g_ascii_strtod (parts[i], &end);
              if (end == parts[i])
                self->has_bounds = FALSE;
            }
        }
    }

  return TRUE;
}

static void
read_tile_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AnxMbtilesSource *self = source_object;
  TileRequest *request = task_data;
  GBytes *bytes = NULL;
  int rc;
  int row;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (request->zoom_level < 0 || request->zoom_level > 30 || request->x < 0 || request->y < 0 ||
      request->x >= (1 << request->zoom_level) || request->y >= (1 << request->zoom_level))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Tile %d/%d/%d is outside the world", request->zoom_level,
                               request->x, request->y);
      return;
    }
  row = (1 << request->zoom_level) - 1 - request->y;

  g_mutex_lock (&self->lock);
  sqlite3_reset (self->tile_stmt);
  sqlite3_bind_int (self->tile_stmt, 1, request->zoom_level);
  sqlite3_bind_int (self->tile_stmt, 2, request->x);
  sqlite3_bind_int (self->tile_stmt, 3, row);
  rc = sqlite3_step (self->tile_stmt);
  if (rc == SQLITE_ROW)
    bytes = g_bytes_new (sqlite3_column_blob (self->tile_stmt, 0),
                         sqlite3_column_bytes (self->tile_stmt, 0));
  sqlite3_reset (self->tile_stmt);
  g_mutex_unlock (&self->lock);

  if (rc == SQLITE_ROW && g_bytes_get_size (bytes) > 0)
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
  else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No tile %d/%d/%d in %s",
                               request->zoom_level, request->x, request->y, self->path);
    }
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot read tile %d/%d/%d: %s",
                             request->zoom_level, request->x, request->y, sqlite3_errstr (rc));
}

/* Back on the main thread: tell the renderer, then finish the request. */
static void
on_tile_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AnxMbtilesSource *self = ANX_MBTILES_SOURCE (object);
  g_autoptr (GTask) task = user_data;
  TileRequest *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = g_task_propagate_pointer (G_TASK (result), &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_signal_emit_by_name (self, "received-data", request->x, request->y, request->zoom_level, bytes);
  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

static void
anx_mbtiles_source_get_tile_data_async (ShumateDataSource   *source,
                                        int                  x,
                                        int                  y,
                                        int                  zoom_level,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  AnxMbtilesSource *self = ANX_MBTILES_SOURCE (source);
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) read = NULL;
  TileRequest *request = g_new (TileRequest, 1);

  request->x = x;
  request->y = y;
  request->zoom_level = zoom_level;

  /* The outer task belongs to self: the base class finishes it. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, anx_mbtiles_source_get_tile_data_async);
  g_task_set_task_data (task, request, g_free);

  read = g_task_new (self, cancellable, on_tile_read, g_steal_pointer (&task));
  g_task_set_source_tag (read, read_tile_in_thread);
  g_task_set_task_data (read, g_memdup2 (request, sizeof *request), g_free);
  g_task_set_return_on_cancel (read, FALSE);
  g_task_run_in_thread (read, read_tile_in_thread);
}

static void
anx_mbtiles_source_finalize (GObject *object)
{
  AnxMbtilesSource *self = ANX_MBTILES_SOURCE (object);

  g_clear_pointer (&self->tile_stmt, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->name);
  g_free (self->attribution);
  g_free (self->format);

  G_OBJECT_CLASS (anx_mbtiles_source_parent_class)->finalize (object);
}

static void
anx_mbtiles_source_class_init (AnxMbtilesSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ShumateDataSourceClass *source_class = SHUMATE_DATA_SOURCE_CLASS (klass);

  object_class->finalize = anx_mbtiles_source_finalize;

  source_class->get_tile_data_async = anx_mbtiles_source_get_tile_data_async;
}

static void
anx_mbtiles_source_init (AnxMbtilesSource *self)
{
  g_mutex_init (&self->lock);
  self->max_zoom = 18;
}

/**
 * anx_mbtiles_source_new:
 * @path: an MBTiles file with raster tiles
 * @error: return location for an error
 *
 * Opens @path read-only and reads its metadata (a few small queries).
 *
 * Returns: (transfer full) (nullable): the source, or %NULL if @path is not
 *   a readable raster MBTiles file
 */
AnxMbtilesSource *
anx_mbtiles_source_new (const char  *path,
                        GError     **error)
{
  g_autoptr (AnxMbtilesSource) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No MBTiles file at %s", path);
      return NULL;
    }

  self = g_object_new (ANX_TYPE_MBTILES_SOURCE, NULL);
  self->path = g_strdup (path);
  if (!anx_mbtiles_source_open (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * anx_mbtiles_source_get_path:
 *
 * Returns: (transfer none): the file's path
 */
const char *
anx_mbtiles_source_get_path (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), NULL);

  return self->path;
}

/**
 * anx_mbtiles_source_get_name:
 *
 * Returns: (transfer none) (nullable): the `name` metadata
 */
const char *
anx_mbtiles_source_get_name (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), NULL);

  return self->name;
}

/**
 * anx_mbtiles_source_get_attribution:
 *
 * Returns: (transfer none) (nullable): the `attribution` metadata, to show
 *   as the map's licence
 */
const char *
anx_mbtiles_source_get_attribution (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), NULL);

  return self->attribution;
}

/**
 * anx_mbtiles_source_get_format:
 *
 * Returns: (transfer none) (nullable): the `format` metadata (`png`, `jpg`)
 */
const char *
anx_mbtiles_source_get_format (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), NULL);

  return self->format;
}

/**
 * anx_mbtiles_source_get_min_zoom:
 *
 * Returns: the `minzoom` metadata, or the lowest zoom level with tiles
 */
guint
anx_mbtiles_source_get_min_zoom (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), 0);

  return self->min_zoom;
}

/**
 * anx_mbtiles_source_get_max_zoom:
 *
 * Returns: the `maxzoom` metadata, or the highest zoom level with tiles
 */
guint
anx_mbtiles_source_get_max_zoom (AnxMbtilesSource *self)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), 0);

  return self->max_zoom;
}

/**
 * anx_mbtiles_source_get_bounds:
 * @west: (out): west edge in degrees
 * @south: (out): south edge
 * @east: (out): east edge
 * @north: (out): north edge
 *
 * Returns: %FALSE if the file has no (valid) `bounds` metadata
 */
gboolean
anx_mbtiles_source_get_bounds (AnxMbtilesSource *self,
                               double           *west,
                               double           *south,
                               double           *east,
                               double           *north)
{
  g_return_val_if_fail (ANX_IS_MBTILES_SOURCE (self), FALSE);

  if (!self->has_bounds)
    return FALSE;

  *west = self->bounds[0];
  *south = self->bounds[1];
  *east = self->bounds[2];
  *north = self->bounds[3];
  return TRUE;
}

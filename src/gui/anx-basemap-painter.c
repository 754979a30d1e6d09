/* anx-basemap-painter.c: a thread of low priority that paints basemap
 * pictures and gives them back when they are no longer drawn
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-basemap-painter"

#include "config.h"

#include <gio/gio.h>

#include "anx-basemap-painter.h"
#include "anx-thread.h"

/* The pictures are painted while the map moves, on a core the frames
 * themselves need on a small machine: on its own thread, which never
 * preempts the UI thread when it wakes up (SCHED_BATCH) and yields to it
 * when both want a core (nice 5, weighed against the process's own
 * threads). GLib's shared pool threads cannot be lowered and raised again
 * without privileges, hence a thread of its own. Freeing a picture (a few
 * megabytes given back to the system, a millisecond or more) happens
 * there too. */

struct _AnxBasemapPainter
{
  GThreadPool *pool;
};

typedef struct
{
  GTask            *task;    /* a picture to paint, or */
  cairo_surface_t  *picture; /* one to free */
  AnxBasemapShape  *shape;
  AnxBasemapView    view;
  AnxBasemapColors  colors;
  int               scale;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  /* Not painted: the painter went first. */
  if (job->task != NULL)
    g_task_return_new_error (job->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "The basemap painter was freed");
  g_clear_object (&job->task);
  g_clear_pointer (&job->picture, cairo_surface_destroy);
  g_clear_pointer (&job->shape, anx_basemap_shape_unref);
  g_free (job);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  /* The pool's one thread: lowering it again is a no-op. */
  anx_thread_lower_priority ();
  if (job->task != NULL && !g_task_return_error_if_cancelled (job->task))
    g_task_return_pointer (job->task,
                           anx_basemap_shape_render (job->shape, &job->view, &job->colors,
                                                     job->scale),
                           (GDestroyNotify) cairo_surface_destroy);
  g_clear_object (&job->task);
  job_free (job);
}

/**
 * anx_basemap_painter_new:
 *
 * Returns: (transfer full): a painter with its thread
 */
AnxBasemapPainter *
anx_basemap_painter_new (void)
{
  AnxBasemapPainter *self = g_new0 (AnxBasemapPainter, 1);

  self->pool = g_thread_pool_new_full (run_job, NULL, job_free, 1, TRUE, NULL);
  return self;
}

/**
 * anx_basemap_painter_free:
 *
 * Drops the jobs not started (their callbacks are called, cancelled) and
 * lets the thread finish the one it is on without waiting for it.
 */
void
anx_basemap_painter_free (AnxBasemapPainter *self)
{
  g_thread_pool_free (self->pool, TRUE, FALSE);
  g_free (self);
}

/**
 * anx_basemap_painter_paint:
 * @shape: the basemap
 * @view: the view, in logical pixels
 * @colors: the colours
 * @scale: device pixels per logical pixel
 * @cancellable: (nullable): a cancellable
 * @callback: called on the calling thread's main context
 * @user_data: for @callback
 *
 * anx_basemap_shape_render() on the painter's thread.
 */
void
anx_basemap_painter_paint (AnxBasemapPainter      *self,
                           AnxBasemapShape        *shape,
                           const AnxBasemapView   *view,
                           const AnxBasemapColors *colors,
                           int                     scale,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  Job *job = g_new0 (Job, 1);

  job->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, anx_basemap_painter_paint);
  job->shape = anx_basemap_shape_ref (shape);
  job->view = *view;
  job->colors = *colors;
  job->scale = scale;
  g_thread_pool_push (self->pool, job, NULL);
}

/**
 * anx_basemap_painter_paint_finish:
 * @result: the result
 * @error: return location for an error (cancelled, or the painter freed)
 *
 * Returns: (transfer full) (nullable): the picture
 */
cairo_surface_t *
anx_basemap_painter_paint_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * anx_basemap_painter_free_picture:
 * @picture: (transfer full): a picture no frame draws any more
 *
 * Frees @picture on the painter's thread.
 */
void
anx_basemap_painter_free_picture (AnxBasemapPainter *self,
                                  cairo_surface_t   *picture)
{
  Job *job = g_new0 (Job, 1);

  job->picture = picture;
  g_thread_pool_push (self->pool, job, NULL);
}

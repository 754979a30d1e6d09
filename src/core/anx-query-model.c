/* anx-query-model.c: a list model of store rows that follows the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When the store says a table it follows changed, the model runs its query
 * on a worker thread (a read connection of its own, WAL: it never waits for
 * the writer) and the main thread only matches the rows with its items and
 * emits the change; anx_query_model_reload() runs it at once on the main
 * thread's connection. The store's notifications are
 * coalesced already (at most one per frame); the model adds a minimum
 * interval between reloads (100 ms by default), so a burst of thousands of
 * events costs a handful of reloads. A reload compares the new rows with
 * the items by key and value and emits one items-changed for the range
 * between the first and the last difference; unchanged rows keep their
 * items, so a list view redraws only what changed.
 *
 * The first column of the query is the row's key; the others become the
 * item's columns by name.
 */

#define G_LOG_DOMAIN "anx-query-model"

#include "config.h"

#include "anx-query-model.h"

struct _AnxQueryModel
{
  GObject parent_instance;

  AnxStore *store;
  char *sql;
  AnxStoreChanges follows;
  GPtrArray *items;
  gulong changed_id;
  guint reload_id;
  guint min_interval_ms;
  gint64 last_reload;
  guint n_reloads;
  guint generation;       /* bumped by every reload started */
  GCancellable *cancellable;
  gboolean reload_running;
  gboolean reload_again;
  gint64 last_query_us; /* how long the last reload took: its query on
                         * the worker and its matching on the main thread */

  AnxStoreItemFilterFunc filter;
  gpointer filter_data;
  GDestroyNotify filter_destroy;
  GCompareDataFunc sort;
  gpointer sort_data;
  GDestroyNotify sort_destroy;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AnxQueryModel, anx_query_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return ANX_TYPE_STORE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return ANX_QUERY_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  AnxQueryModel *self = ANX_QUERY_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static int
sort_items (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  AnxQueryModel *self = user_data;

  return self->sort (*(gconstpointer *) a, *(gconstpointer *) b, self->sort_data);
}

/* Any thread: the query's rows. */
static GPtrArray *
query_rows (sqlite3     *db,
            const char  *sql,
            GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Model query: %s", sqlite3_errmsg (db));
      return NULL;
    }
  /* Items straight from the columns (no GVariant), built here: on a worker
   * for a scheduled reload, so the main thread only matches them. */
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      AnxStoreItem *item = anx_store_item_new_from_statement (stmt);

      if (item != NULL)
        g_ptr_array_add (rows, item);
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&rows);
}

/* The new items: an unchanged row keeps its item (@items, the current
 * ones), with @self's filter and sort. Any thread without @self (items are
 * immutable, their references atomic). */
static GPtrArray *
match_rows (AnxQueryModel *self,
            GPtrArray     *items,
            GPtrArray     *rows)
{
  GPtrArray *fresh = g_ptr_array_new_full (rows->len, g_object_unref);
  g_autoptr(GHashTable) old = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < items->len; i++)
    g_hash_table_insert (old, (gpointer) anx_store_item_get_key (items->pdata[i]),
                         items->pdata[i]);

  for (guint i = 0; i < rows->len; i++)
    {
      AnxStoreItem *row = rows->pdata[i];
      AnxStoreItem *item = g_hash_table_lookup (old, anx_store_item_get_key (row));

      /* An unchanged row keeps its item. */
      if (item != NULL && anx_store_item_equal (item, row))
        item = g_object_ref (item);
      else
        item = g_object_ref (row);
      if (self != NULL && self->filter != NULL && !self->filter (item, self->filter_data))
        {
          g_object_unref (item);
          continue;
        }
      g_ptr_array_add (fresh, item);
    }

  if (self != NULL && self->sort != NULL)
    g_ptr_array_sort_with_data (fresh, sort_items, self);
  return fresh;
}

/* Main thread: @fresh (from match_rows()) becomes the items, and one
 * items-changed says what changed. */
static void
set_items (AnxQueryModel *self,
           GPtrArray     *fresh_items)
{
  g_autoptr(GPtrArray) fresh = fresh_items;
  guint prefix = 0, suffix = 0;

  /* One range: from the first difference to the last. */
  while (prefix < fresh->len && prefix < self->items->len &&
         fresh->pdata[prefix] == self->items->pdata[prefix])
    prefix++;
  while (suffix < fresh->len - prefix && suffix < self->items->len - prefix &&
         fresh->pdata[fresh->len - 1 - suffix] == self->items->pdata[self->items->len - 1 - suffix])
    suffix++;

  if (prefix == fresh->len && prefix == self->items->len)
    return;

  {
    guint removed = self->items->len - prefix - suffix;
    guint added = fresh->len - prefix - suffix;

    g_ptr_array_unref (self->items);
    self->items = g_steal_pointer (&fresh);
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);
  }
}

/* Main thread: the rows become the items. */
static void
apply_rows (AnxQueryModel *self,
            GPtrArray     *rows)
{
  set_items (self, match_rows (self, self->items, rows));
}

/**
 * anx_query_model_reload:
 * @self: a model
 *
 * Runs the query now, on the main thread, and emits what changed.
 */
void
anx_query_model_reload (AnxQueryModel *self)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  self->last_reload = g_get_monotonic_time ();
  self->n_reloads++;
  /* A reload under way on a worker started before this one: stale. */
  self->generation++;

  rows = query_rows (anx_store_get_read_db (self->store), self->sql, &error);
  if (rows == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  apply_rows (self, rows);
}

typedef struct
{
  char *path;
  char *sql;
  guint generation;
  GPtrArray *items;     /* the items when the reload started, or NULL */
  GPtrArray *fresh;     /* out: the new items, matched on the worker */
  gint64 duration_us;   /* out */
} ReloadJob;

static void
reload_job_free (gpointer data)
{
  ReloadJob *job = data;

  g_free (job->path);
  g_free (job->sql);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_clear_pointer (&job->fresh, g_ptr_array_unref);
  g_free (job);
}

static void
reload_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ReloadJob *job = task_data;
  sqlite3 *db = NULL;
  GPtrArray *rows;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "Model query: %s",
                               db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  rows = query_rows (db, job->sql, &error);
  sqlite3_close (db);
  /* Matched here too: 12,000 chargers would cost the main thread about
   * 10 ms of every reload. */
  if (rows != NULL && job->items != NULL)
    job->fresh = match_rows (NULL, job->items, rows);
  job->duration_us = g_get_monotonic_time () - start;
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void start_reload (AnxQueryModel *self);

static void
on_reloaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GPtrArray) rows = g_task_propagate_pointer (G_TASK (result), NULL);
  ReloadJob *job = g_task_get_task_data (G_TASK (result));
  AnxQueryModel *self;

  self = ANX_QUERY_MODEL (source);
  self->reload_running = FALSE;
  self->last_query_us = job->duration_us;
  /* Disposed meanwhile: nothing to show it to. */
  if (self->store == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  /* The generation has not changed: no reload (and so no change of the
   * items) since this one started. */
  if (rows != NULL && job->generation == self->generation)
    {
      gint64 start = g_get_monotonic_time ();

      if (job->fresh != NULL)
        set_items (self, g_steal_pointer (&job->fresh));
      else
        apply_rows (self, rows);
      self->last_query_us += g_get_monotonic_time () - start;
    }
  else if (rows == NULL)
    /* The worker could not read (no file, say): the main thread does. */
    anx_query_model_reload (self);
  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_reload (self);
    }
}

static void
start_reload (AnxQueryModel *self)
{
  g_autoptr(GTask) task = NULL;
  ReloadJob *job;

  if (self->reload_running)
    {
      self->reload_again = TRUE;
      return;
    }
  self->last_reload = g_get_monotonic_time ();
  self->n_reloads++;
  job = g_new0 (ReloadJob, 1);
  job->path = g_strdup (anx_store_get_path (self->store));
  job->sql = g_strdup (self->sql);
  job->generation = ++self->generation;
  /* A filter or a sort function may be the UI's: those run here. */
  if (self->filter == NULL && self->sort == NULL)
    {
      job->items = g_ptr_array_new_full (self->items->len, g_object_unref);
      for (guint i = 0; i < self->items->len; i++)
        g_ptr_array_add (job->items, g_object_ref (self->items->pdata[i]));
    }
  self->reload_running = TRUE;
  task = g_task_new (self, self->cancellable, on_reloaded, NULL);
  g_task_set_source_tag (task, start_reload);
  g_task_set_task_data (task, job, reload_job_free);
  g_task_run_in_thread (task, reload_thread);
}

static gboolean
on_reload (gpointer user_data)
{
  AnxQueryModel *self = user_data;

  self->reload_id = 0;
  start_reload (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (AnxQueryModel *self)
{
  gint64 since = (g_get_monotonic_time () - self->last_reload) / 1000;
  /* A costly reload (12,000 chargers while the sync writes) runs at most a
   * 25th of the time: the interval grows with its duration (1.25 s for a
   * 50 ms reload). The CPU it does not take goes to verifying: at a tenth,
   * the chargers' reloads were 7.6 % of a million-record sync's CPU time. */
  gint64 interval = MAX ((gint64) self->min_interval_ms, 25 * self->last_query_us / 1000);
  guint delay = since >= interval ? 0 : (guint) (interval - since);

  if (self->reload_id != 0)
    return;
  self->reload_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, delay, on_reload, self, NULL);
}

static void
on_store_changed (AnxStore *store,
                  guint     changes,
                  gpointer  user_data)
{
  AnxQueryModel *self = user_data;

  if ((changes & self->follows) != 0)
    schedule_reload (self);
}

static void
anx_query_model_dispose (GObject *object)
{
  AnxQueryModel *self = ANX_QUERY_MODEL (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  if (self->filter_destroy != NULL)
    g_clear_pointer (&self->filter_data, self->filter_destroy);
  if (self->sort_destroy != NULL)
    g_clear_pointer (&self->sort_data, self->sort_destroy);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (anx_query_model_parent_class)->dispose (object);
}

static void
anx_query_model_finalize (GObject *object)
{
  AnxQueryModel *self = ANX_QUERY_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->sql);

  G_OBJECT_CLASS (anx_query_model_parent_class)->finalize (object);
}

static void
anx_query_model_class_init (AnxQueryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = anx_query_model_dispose;
  object_class->finalize = anx_query_model_finalize;
}

static void
anx_query_model_init (AnxQueryModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->min_interval_ms = 100;
  self->cancellable = g_cancellable_new ();
}

/**
 * anx_query_model_new:
 * @store: the store
 * @sql: the query; its first column is the row's key
 * @follows: the changes that make it reload
 *
 * Returns: (transfer full): a model, loaded
 */
AnxQueryModel *
anx_query_model_new (AnxStore        *store,
                     const char      *sql,
                     AnxStoreChanges  follows)
{
  AnxQueryModel *self = g_object_new (ANX_TYPE_QUERY_MODEL, NULL);

  self->store = g_object_ref (store);
  self->sql = g_strdup (sql);
  self->follows = follows;
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  anx_query_model_reload (self);
  return self;
}

/**
 * anx_query_model_new_stations:
 * @store: the store
 *
 * Stations with their operator, coordinates and datum (convert GCJ-02
 * before plotting on WGS-84 tiles), and their chargers' counts by state.
 *
 * Returns: (transfer full): a model
 */
AnxQueryModel *
anx_query_model_new_stations (AnxStore *store)
{
  return anx_query_model_new (
      store,
      "SELECT s.id, s.id, s.code, s.name, s.address, s.district_name, s.latitude, s.longitude, "
      "s.datum, o.name AS operator_name, (SELECT count(*) FROM chargers c WHERE c.station_id = "
      "s.id) AS n_chargers, (SELECT count(*) FROM chargers c WHERE c.station_id = s.id AND "
      "c.status = 'offline') AS n_offline, (SELECT count(*) FROM chargers c JOIN alarms a ON "
      "a.charger_code = c.code WHERE c.station_id = s.id AND a.state IN ('open', 'acknowledged', "
      "'inspection-scheduled')) AS n_alarms FROM stations s LEFT JOIN operators o ON o.id = "
      "s.operator_id ORDER BY s.code",
      ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS | ANX_STORE_CHANGED_ALARMS);
}

/**
 * anx_query_model_new_chargers:
 * @store: the store
 *
 * Chargers with their state, meter and open alarms.
 *
 * Returns: (transfer full): a model
 */
AnxQueryModel *
anx_query_model_new_chargers (AnxStore *store)
{
  return anx_query_model_new (
      store,
      "SELECT c.code, c.id, c.code, c.station_id, c.current, c.rated_power_w, c.status, "
      "c.status_since_us, c.last_seen_us, m.serial AS meter_serial, m.accuracy_class, "
      "m.rotation_due, h.n_records, (SELECT count(*) FROM alarms a WHERE a.charger_code = c.code "
      "AND a.state IN ('open', 'acknowledged', 'inspection-scheduled')) AS n_alarms FROM "
      "chargers c LEFT JOIN meters m ON m.id = c.meter_id LEFT JOIN chain_heads h ON "
      "h.charger_code = c.code ORDER BY c.code",
      ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS | ANX_STORE_CHANGED_ALARMS |
          ANX_STORE_CHANGED_RECORDS);
}

/**
 * anx_query_model_new_sessions:
 * @store: the store
 *
 * The live charging sessions, newest first.
 *
 * Returns: (transfer full): a model
 */
AnxQueryModel *
anx_query_model_new_sessions (AnxStore *store)
{
  return anx_query_model_new (store,
                              "SELECT charger_code || '/' || session_id, charger_code, session_id, "
                              "started_us, meter_start_wh, power_w, energy_wh, amount_fen, "
                              "updated_us FROM sessions ORDER BY started_us DESC",
                              ANX_STORE_CHANGED_SESSIONS);
}

/**
 * anx_query_model_new_alarms:
 * @store: the store
 * @active_only: leave out closed and cleared alarms
 *
 * The console's alarms beside the server's: `source` is `console` or
 * `server`; `disagrees` is 1 where only one side raised an alarm of that
 * kind on that charger (a console alarm the server did not raise, or a
 * server alarm the console did not raise).
 *
 * Returns: (transfer full): a model, newest first
 */
AnxQueryModel *
anx_query_model_new_alarms (AnxStore *store,
                            gboolean  active_only)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT * FROM (SELECT 'c' || a.id AS key, a.id, 'console' AS source, a.charger_code, "
      "a.kind, a.severity, a.state, a.first_sequence, a.last_sequence, a.occurrences, a.evidence, "
      "a.raised_at_us, a.updated_at_us, a.server_alarm_id, NOT EXISTS (SELECT 1 FROM "
      "server_alarms s WHERE s.charger_code = a.charger_code AND s.kind = a.kind) AS disagrees "
      "FROM alarms a %s UNION ALL SELECT 's' || s.id, s.id, 'server', s.charger_code, s.kind, "
      "s.severity, s.state, s.sequence, s.sequence, 1, s.details, s.raised_at_us, "
      "s.raised_at_us, s.id, 1 FROM server_alarms s WHERE NOT EXISTS (SELECT 1 FROM alarms a "
      "WHERE a.charger_code = s.charger_code AND a.kind = s.kind) %s) ORDER BY raised_at_us "
      "DESC, key",
      active_only ? "WHERE a.state IN ('open', 'acknowledged', 'inspection-scheduled')" : "",
      active_only ? "AND s.state != 'cleared'" : "");

  return anx_query_model_new (store, sql, ANX_STORE_CHANGED_ALARMS);
}

/**
 * anx_query_model_new_inspections:
 * @store: the store
 *
 * Inspections marked in this console, with their delivery state and, once
 * it came back, their record in the chain.
 *
 * Returns: (transfer full): a model, newest first
 */
AnxQueryModel *
anx_query_model_new_inspections (AnxStore *store)
{
  return anx_query_model_new (
      store,
      "SELECT i.idempotency_key, i.charger_code, i.inspector, i.result, i.inspected_at, "
      "i.measured_error_bp, i.seals_removed, i.seals_applied, i.notes, i.alarm_id, i.sequence, "
      "i.created_us, o.state AS delivery, o.last_error FROM inspections i LEFT JOIN outbox o ON "
      "o.idempotency_key = i.idempotency_key ORDER BY i.created_us DESC",
      ANX_STORE_CHANGED_INSPECTIONS | ANX_STORE_CHANGED_OUTBOX | ANX_STORE_CHANGED_RECORDS);
}

/**
 * anx_query_model_new_outbox:
 * @store: the store
 *
 * Every write of the outbox, with its state and the server's reason.
 *
 * Returns: (transfer full): a model
 */
AnxQueryModel *
anx_query_model_new_outbox (AnxStore *store)
{
  return anx_query_model_new (store,
                              "SELECT idempotency_key, kind, path, state, attempts, last_error, "
                              "created_us, updated_us FROM outbox ORDER BY id",
                              ANX_STORE_CHANGED_OUTBOX);
}

/**
 * anx_query_model_set_filter_func:
 * @self: a model
 * @func: (nullable): keeps the items it returns %TRUE for
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data
 *
 * Filters the rows (and reloads).
 */
void
anx_query_model_set_filter_func (AnxQueryModel          *self,
                                 AnxStoreItemFilterFunc  func,
                                 gpointer                user_data,
                                 GDestroyNotify          destroy)
{
  if (self->filter_destroy != NULL)
    g_clear_pointer (&self->filter_data, self->filter_destroy);
  self->filter = func;
  self->filter_data = user_data;
  self->filter_destroy = destroy;
  anx_query_model_reload (self);
}

/**
 * anx_query_model_set_sort_func:
 * @self: a model
 * @func: (nullable): compares two #AnxStoreItem; %NULL keeps the query's order
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sorts the rows (and reloads).
 */
void
anx_query_model_set_sort_func (AnxQueryModel    *self,
                               GCompareDataFunc  func,
                               gpointer          user_data,
                               GDestroyNotify    destroy)
{
  if (self->sort_destroy != NULL)
    g_clear_pointer (&self->sort_data, self->sort_destroy);
  self->sort = func;
  self->sort_data = user_data;
  self->sort_destroy = destroy;
  anx_query_model_reload (self);
}

/**
 * anx_query_model_set_min_interval:
 * @self: a model
 * @ms: the least time between two reloads
 */
void
anx_query_model_set_min_interval (AnxQueryModel *self,
                                  guint          ms)
{
  self->min_interval_ms = ms;
}

/**
 * anx_query_model_find:
 * @self: a model
 * @key: a row's key
 * @position: (out) (optional): its position
 *
 * Returns: (transfer none) (nullable): the item
 */
AnxStoreItem *
anx_query_model_find (AnxQueryModel *self,
                      const char    *key,
                      guint         *position)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_str_equal (anx_store_item_get_key (self->items->pdata[i]), key))
      {
        if (position != NULL)
          *position = i;
        return self->items->pdata[i];
      }
  return NULL;
}

/**
 * anx_query_model_get_n_reloads:
 * @self: a model
 *
 * Returns: how often the query ran (for tests and benchmarks)
 */
guint
anx_query_model_get_n_reloads (AnxQueryModel *self)
{
  return self->n_reloads;
}

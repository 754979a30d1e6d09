/* anx-store.c: the console's SQLite store, with its writer thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One file in the user data directory, WAL mode. Exactly one connection
 * writes, on a thread of its own: every write is a job queued to it, and
 * the jobs that are waiting when it wakes up are committed together, each
 * in a savepoint of its own (a failing job is rolled back alone). The main
 * thread reads through a second, read-only connection; WAL lets it read
 * while the writer writes. Because each job carries the cursor it reaches
 * in the same transaction as its rows, a kill -9 at any moment leaves a
 * store that resumes exactly where its last commit ended.
 */

#define G_LOG_DOMAIN "anx-store"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SCHED_BATCH */
#endif

#include "config.h"

#include <stdarg.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "anx-store.h"

/* The store's application id: "AnxC". */
#define STORE_APPLICATION_ID 0x416E7843
/* Jobs committed together at most, and jobs that may wait before
 * anx_store_write_sync() blocks its caller (back-pressure). */
#define MAX_JOBS_PER_COMMIT 64
#define MAX_BACKLOG         32
/* Jobs queued without waiting (anx_store_write_queue()) at most. */
#define MAX_QUEUED_BACKLOG  256
/* Change notifications reach the main context at most this often. */
#define CHANGED_INTERVAL_MS 16

typedef struct
{
  AnxStoreWriteFunc func;
  gpointer data;
  GDestroyNotify destroy;
  GTask *task;          /* async: completed on the caller's context */
  gboolean sync;        /* sync: the caller waits on the store's cond */
  gboolean done;
  gboolean ok;
  GError *error;
  gboolean quit;
  gboolean durable; /* the WAL is synced before the job counts as done */
  AnxStoreDoneFunc done_func; /* queued: told on the writer thread */
} Job;

struct _AnxStore
{
  GObject parent_instance;

  char *path;
  sqlite3 *read_db;
  sqlite3 *write_db;
  GThread *writer;
  GAsyncQueue *queue;
  GMutex lock;
  GCond cond;
  guint backlog;
  GMainContext *context;
  AnxStoreChanges pending_changes;
  GSource *changed_source;
  gboolean closed;
  /* The write connection's prepared statements, by SQL text (writer
   * thread only; see anx_store_write_statement()). */
  GHashTable *statements;
  /* The same for the read connection (the thread that opened the store). */
  GHashTable *read_statements;
};

G_DEFINE_FINAL_TYPE (AnxStore, anx_store, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (anx-store-error-quark, anx_store_error)

/* Migrations: migration n takes user_version n - 1 to n. */
static const char *const migrations[] = {
  /* 1: everything */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE operators (id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_en TEXT,"
  "  tariff TEXT);"
  "CREATE TABLE stations (id INTEGER PRIMARY KEY, operator_id INTEGER NOT NULL,"
  "  code TEXT NOT NULL, name TEXT NOT NULL, address TEXT, district_code TEXT,"
  "  district_name TEXT, latitude REAL, longitude REAL, datum TEXT NOT NULL,"
  "  charger_count INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE chargers (id INTEGER PRIMARY KEY, station_id INTEGER NOT NULL,"
  "  operator_id INTEGER NOT NULL, code TEXT NOT NULL UNIQUE, current TEXT,"
  "  rated_power_w INTEGER, status TEXT NOT NULL DEFAULT 'unknown',"
  "  status_since_us INTEGER, last_seen_us INTEGER, meter_id INTEGER);"
  "CREATE INDEX chargers_station ON chargers (station_id);"
  "CREATE TABLE meters (id INTEGER PRIMARY KEY, charger_id INTEGER NOT NULL, serial TEXT NOT NULL,"
  "  manufacturer TEXT, model TEXT, accuracy_class INTEGER, algorithm TEXT, public_key TEXT,"
  "  first_verification TEXT, rotation_due TEXT, seal_physical TEXT, seal_electronic TEXT);"
  "CREATE INDEX meters_charger ON meters (charger_id);"
  "CREATE TABLE meter_keys (charger_id INTEGER NOT NULL, from_sequence INTEGER NOT NULL,"
  "  serial TEXT NOT NULL, algorithm TEXT NOT NULL, public_key TEXT,"
  "  PRIMARY KEY (charger_id, from_sequence, serial));"
  /* The chain: one row per record identity (charger, sequence, hash). */
  "CREATE TABLE records (id INTEGER PRIMARY KEY, charger_code TEXT NOT NULL,"
  "  sequence INTEGER NOT NULL, hash BLOB NOT NULL, kind TEXT NOT NULL,"
  "  recorded_at_us INTEGER NOT NULL, meter_serial TEXT, billed_wh INTEGER, amount_fen INTEGER,"
  "  checks INTEGER NOT NULL, n_findings INTEGER NOT NULL, accepted INTEGER NOT NULL,"
  "  json TEXT NOT NULL, UNIQUE (charger_code, sequence, hash));"
  "CREATE TABLE chain_heads (charger_code TEXT PRIMARY KEY, next_sequence INTEGER NOT NULL,"
  "  head_hash BLOB NOT NULL, n_records INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE findings (id INTEGER PRIMARY KEY, charger_code TEXT NOT NULL,"
  "  sequence INTEGER NOT NULL, hash BLOB, code TEXT NOT NULL, severity TEXT NOT NULL,"
  "  message TEXT NOT NULL, details TEXT, alarm_id INTEGER);"
  "CREATE INDEX findings_record ON findings (charger_code, sequence);"
  "CREATE TABLE sessions (charger_code TEXT PRIMARY KEY, session_id TEXT NOT NULL,"
  "  started_us INTEGER, meter_start_wh INTEGER, power_w INTEGER, energy_wh INTEGER,"
  "  amount_fen INTEGER, updated_us INTEGER);"
  "CREATE TABLE alarms (id INTEGER PRIMARY KEY AUTOINCREMENT, charger_code TEXT NOT NULL,"
  "  kind TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL,"
  "  first_sequence INTEGER, last_sequence INTEGER, occurrences INTEGER NOT NULL DEFAULT 1,"
  "  evidence TEXT NOT NULL, raised_at_us INTEGER NOT NULL, updated_at_us INTEGER NOT NULL,"
  "  ended_at_us INTEGER, server_alarm_id INTEGER, inspection_key TEXT);"
  "CREATE UNIQUE INDEX alarms_active ON alarms (charger_code, kind)"
  "  WHERE state IN ('open', 'acknowledged', 'inspection-scheduled');"
  "CREATE TABLE alarm_history (id INTEGER PRIMARY KEY, alarm_id INTEGER NOT NULL,"
  "  time_us INTEGER NOT NULL, state TEXT NOT NULL, actor TEXT, note TEXT);"
  "CREATE INDEX alarm_history_alarm ON alarm_history (alarm_id);"
  "CREATE TABLE server_alarms (id INTEGER PRIMARY KEY, charger_code TEXT NOT NULL,"
  "  code TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT, state TEXT NOT NULL,"
  "  sequence INTEGER, message TEXT, details TEXT, raised_at_us INTEGER,"
  "  cleared_at_us INTEGER, acknowledged_by TEXT);"
  "CREATE INDEX server_alarms_charger ON server_alarms (charger_code, kind);"
  "CREATE TABLE inspections (idempotency_key TEXT PRIMARY KEY, charger_code TEXT NOT NULL,"
  "  inspector TEXT NOT NULL, result TEXT NOT NULL, inspected_at TEXT,"
  "  measured_error_bp INTEGER, seals_removed TEXT, seals_applied TEXT, notes TEXT,"
  "  alarm_id INTEGER, sequence INTEGER, created_us INTEGER NOT NULL);"
  "CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
  "  idempotency_key TEXT NOT NULL UNIQUE, path TEXT NOT NULL, body TEXT NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT, response TEXT, created_us INTEGER NOT NULL, updated_us INTEGER);"
  /* The receipt of the event log: every event applied, once. */
  "CREATE TABLE events (cursor INTEGER PRIMARY KEY, type TEXT NOT NULL, charger_code TEXT,"
  "  time_us INTEGER);",
};

void
anx_store_set_sqlite_error (GError     **error,
                            sqlite3     *db,
                            const char  *what)
{
  g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_SQLITE, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : "no connection");
}

/**
 * anx_store_exec:
 * @db: a connection
 * @sql: statements
 * @error: return location for an error
 *
 * Runs @sql, which returns no rows.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_store_exec (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_SQLITE, "%s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/**
 * anx_store_exec_bound:
 * @db: a connection
 * @sql: one statement that returns no rows
 * @error: return location for an error
 * @fmt: one character per parameter of @sql, in order: `s` for a string
 *   (`const char *`, %NULL binds NULL), `i` for a #gint64 (pass a #gint64:
 *   cast anything narrower)
 * @...: the parameters
 *
 * Prepares @sql, binds the parameters and runs it once. The number of
 * rows it changed is sqlite3_changes() of @db afterwards, as usual.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_store_exec_bound (sqlite3     *db,
                      const char  *sql,
                      GError     **error,
                      const char  *fmt,
                      ...)
{
  sqlite3_stmt *stmt = NULL;
  va_list args;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "prepare");
      return FALSE;
    }
  va_start (args, fmt);
  for (int i = 0; fmt[i] != '\0'; i++)
    {
      g_assert (fmt[i] == 's' || fmt[i] == 'i');
      if (fmt[i] == 's')
        sqlite3_bind_text (stmt, i + 1, va_arg (args, const char *), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
    }
  va_end (args);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    anx_store_set_sqlite_error (error, db, "step");
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/**
 * anx_store_write_statement:
 * @self: a store
 * @db: the connection a write job was given
 * @sql: one statement
 * @error: return location for an error
 *
 * For write jobs, which run on the store's writer thread: @sql prepared on
 * the write connection once and kept, reset and its bindings cleared. The
 * statement belongs to the store: do not finalize it. It is reset again
 * after the job, so a job may leave it in the middle of its rows.
 *
 * Returns: (transfer none): the statement, or %NULL with @error set
 */
sqlite3_stmt *
anx_store_write_statement (AnxStore    *self,
                           sqlite3     *db,
                           const char  *sql,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ANX_IS_STORE (self), NULL);
  g_return_val_if_fail (db != NULL && db == self->write_db, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, sql);
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/**
 * anx_store_read_statement:
 * @self: a store
 * @sql: one statement
 * @error: return location for an error
 *
 * For the thread that opened the store: @sql prepared on the read
 * connection once and kept, reset and its bindings cleared. The statement
 * belongs to the store: do not finalize it; reset it when done, so that it
 * holds no read transaction open.
 *
 * Returns: (transfer none): the statement, or %NULL with @error set
 */
sqlite3_stmt *
anx_store_read_statement (AnxStore    *self,
                          const char  *sql,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ANX_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (self->read_db == NULL)
    {
      anx_store_set_sqlite_error (error, NULL, sql);
      return NULL;
    }
  stmt = g_hash_table_lookup (self->read_statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->read_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
      SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, self->read_db, sql);
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (self->read_statements, g_strdup (sql), stmt);
  return stmt;
}

/**
 * anx_store_set_meta_db:
 * @db: the write connection
 * @key: a key
 * @value: its value
 * @error: return location for an error
 *
 * Sets a `meta` entry, inside the caller's transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_store_set_meta_db (sqlite3     *db,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "meta");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "meta");
      return FALSE;
    }
  return TRUE;
}

/**
 * anx_store_get_meta_db:
 * @db: a connection
 * @key: a key
 *
 * Returns: (transfer full) (nullable): the value of a `meta` entry
 */
char *
anx_store_get_meta_db (sqlite3    *db,
                       const char *key)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) !=
      SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           gint64      fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return fallback;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static sqlite3 *
open_connection (const char  *path,
                 gboolean     writer,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int flags = writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

  flags |= SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, _("Could not open the store"));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  sqlite3_extended_result_codes (db, 1);
  return db;
}

static gboolean
migrate (sqlite3     *db,
         GError     **error)
{
  gint64 app_id = query_int (db, "PRAGMA application_id", 0);
  gint64 version = query_int (db, "PRAGMA user_version", 0);
  gint64 n_tables = query_int (db, "SELECT count(*) FROM sqlite_master", 0);

  if ((app_id != 0 && app_id != STORE_APPLICATION_ID) ||
      (app_id == 0 && n_tables > 0))
    {
      g_set_error_literal (error, ANX_STORE_ERROR, ANX_STORE_ERROR_NOT_A_STORE,
                           _("The file is not an Anxin console store"));
      return FALSE;
    }
  if (version > ANX_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_TOO_NEW,
                   _("The store was written by a newer Anxin (schema %d; this one knows %d)"),
                   (int) version, ANX_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (gint64 v = version; v < ANX_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *pragmas = g_strdup_printf ("PRAGMA application_id = %d;"
                                                  "PRAGMA user_version = %d;",
                                                  STORE_APPLICATION_ID, (int) v + 1);

      if (!anx_store_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!anx_store_exec (db, migrations[v], error) || !anx_store_exec (db, pragmas, error) ||
          !anx_store_exec (db, "COMMIT", error))
        {
          anx_store_exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
emit_changed (gpointer user_data)
{
  AnxStore *self = ANX_STORE (user_data);
  AnxStoreChanges changes;

  g_mutex_lock (&self->lock);
  changes = self->pending_changes;
  self->pending_changes = 0;
  g_clear_pointer (&self->changed_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (changes != 0)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0, (guint) changes);
  return G_SOURCE_REMOVE;
}

/* Writer thread: coalesces notifications to one per interval. */
static void
note_changes (AnxStore        *self,
              AnxStoreChanges  changes)
{
  if (changes == 0)
    return;

  g_mutex_lock (&self->lock);
  self->pending_changes |= changes;
  if (self->changed_source == NULL)
    {
      self->changed_source = g_timeout_source_new (CHANGED_INTERVAL_MS);
      g_source_set_priority (self->changed_source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (self->changed_source, emit_changed, g_object_ref (self),
                             g_object_unref);
      g_source_attach (self->changed_source, self->context);
    }
  g_mutex_unlock (&self->lock);
}

static void
job_complete (AnxStore *self,
              Job      *job)
{
  if (job->done_func != NULL)
    {
      job->done_func (job->data, job->ok ? NULL : job->error);
      g_clear_error (&job->error);
      g_free (job);
      return;
    }

  if (job->destroy != NULL)
    g_clear_pointer (&job->data, job->destroy);

  if (job->task != NULL)
    {
      GTask *task = g_steal_pointer (&job->task);

      if (job->ok)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&job->error));
      g_object_unref (task);
      g_clear_error (&job->error);
      g_free (job);
      return;
    }

  /* sync: the waiter frees the job */
  g_mutex_lock (&self->lock);
  job->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Runs @sql (one statement, no rows) on the write connection with a
 * statement prepared once: BEGIN, SAVEPOINT, RELEASE and COMMIT around
 * every job would otherwise be parsed again each time. */
static gboolean
writer_exec (AnxStore    *self,
             const char  *sql,
             GError     **error)
{
  sqlite3_stmt *stmt = anx_store_write_statement (self, self->write_db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      anx_store_set_sqlite_error (error, self->write_db, sql);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* After a job: no cached statement stays in the middle of its rows. */
static void
reset_statements (AnxStore *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->statements);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sqlite3_reset (value);
}

static gpointer
writer_thread (gpointer user_data)
{
  AnxStore *self = user_data;
  gboolean quit = FALSE;

#ifdef __linux__
  /* The writer never preempts the UI thread when it wakes up, but keeps a
   * normal share of the CPU (a nice value starved it on a busy machine). */
  {
    struct sched_param param = { 0 };

    sched_setscheduler (0, SCHED_BATCH, &param);
  }
#endif
  while (!quit)
    {
      g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
      Job *job = g_async_queue_pop (self->queue);
      AnxStoreChanges changes = 0;
      g_autoptr(GError) commit_error = NULL;

      g_ptr_array_add (jobs, job);
      while (jobs->len < MAX_JOBS_PER_COMMIT && !job->quit &&
             (job = g_async_queue_try_pop (self->queue)) != NULL)
        g_ptr_array_add (jobs, job);

      if (!writer_exec (self, "BEGIN IMMEDIATE", &commit_error))
        g_warning ("Store: %s", commit_error->message);

      for (guint i = 0; i < jobs->len; i++)
        {
          job = jobs->pdata[i];
          if (job->quit)
            {
              quit = TRUE;
              job->ok = TRUE;
              continue;
            }
          if (commit_error != NULL)
            continue;
          if (!writer_exec (self, "SAVEPOINT job", &job->error))
            continue;
          {
            AnxStoreChanges job_changes = 0;

            job->ok = job->func (self, self->write_db, job->data, &job_changes, &job->error);
            reset_statements (self);
            if (job->ok)
              {
                writer_exec (self, "RELEASE job", NULL);
                changes |= job_changes;
              }
            else
              {
                if (job->error == NULL)
                  g_set_error_literal (&job->error, ANX_STORE_ERROR, ANX_STORE_ERROR_SQLITE,
                                       "write job failed");
                anx_store_exec (self->write_db, "ROLLBACK TO job; RELEASE job", NULL);
              }
          }
        }

      if (commit_error == NULL && !writer_exec (self, "COMMIT", &commit_error))
        anx_store_exec (self->write_db, "ROLLBACK", NULL);

      /* synchronous=NORMAL keeps the store consistent through any crash;
       * a write the officer made (the outbox) must also survive a power
       * cut, so its commit waits for the WAL to reach the disk. */
      if (commit_error == NULL)
        for (guint i = 0; i < jobs->len; i++)
          if (((Job *) jobs->pdata[i])->durable)
            {
              anx_store_exec (self->write_db, "PRAGMA wal_checkpoint(PASSIVE)", NULL);
              break;
            }

      if (commit_error != NULL)
        {
          for (guint i = 0; i < jobs->len; i++)
            {
              job = jobs->pdata[i];
              if (job->quit)
                continue;
              job->ok = FALSE;
              g_clear_error (&job->error);
              job->error = g_error_copy (commit_error);
            }
          changes = 0;
        }

      note_changes (self, changes);

      g_mutex_lock (&self->lock);
      self->backlog -= jobs->len;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);

      for (guint i = 0; i < jobs->len; i++)
        {
          job = jobs->pdata[i];
          if (job->quit)
            {
              g_free (job);
              continue;
            }
          job_complete (self, job);
        }
    }

  return NULL;
}

static void
anx_store_finalize (GObject *object)
{
  AnxStore *self = ANX_STORE (object);

  anx_store_close (self);
  if (self->changed_source != NULL)
    {
      g_source_destroy (self->changed_source);
      g_clear_pointer (&self->changed_source, g_source_unref);
    }
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->read_statements, g_hash_table_unref);
  g_free (self->path);

  G_OBJECT_CLASS (anx_store_parent_class)->finalize (object);
}

static void
anx_store_class_init (AnxStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = anx_store_finalize;

  /**
   * AnxStore::changed:
   * @store: the store
   * @changes: the #AnxStoreChanges of the batches committed since the last
   *   emission
   *
   * Emitted on the main context the store was opened on, at most once per
   * frame (16 ms) however many batches were committed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
anx_store_init (AnxStore *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->queue = g_async_queue_new ();
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  self->read_statements =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

/**
 * anx_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/anxin/console.sqlite`
 */
char *
anx_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "anxin", "console.sqlite", NULL);
}

/**
 * anx_store_open:
 * @path: the database file; created, with its directory (0700), if missing
 * @error: return location for an error
 *
 * Opens the store, applies the missing migrations, and starts the writer
 * thread. The store's #AnxStore::changed signal is emitted on the thread
 * default main context of the caller.
 *
 * Returns: (transfer full): the store, or %NULL
 */
AnxStore *
anx_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(AnxStore) self = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the directory %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (ANX_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->context = g_main_context_ref_thread_default ();

  self->write_db = open_connection (path, TRUE, error);
  if (self->write_db == NULL)
    return NULL;
  /* WAL with synchronous=NORMAL: every commit is atomic and survives a
   * crash of the process; durable jobs sync the WAL (see the writer). */
  if (!anx_store_exec (self->write_db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                       "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16000;",
                       error) ||
      !migrate (self->write_db, error))
    return NULL;

  self->read_db = open_connection (path, FALSE, error);
  if (self->read_db == NULL)
    return NULL;

  self->writer = g_thread_new ("anx-store-writer", writer_thread, self);

  return g_steal_pointer (&self);
}

/**
 * anx_store_get_path:
 * @self: a store
 *
 * Returns: the database file
 */
const char *
anx_store_get_path (AnxStore *self)
{
  g_return_val_if_fail (ANX_IS_STORE (self), NULL);
  return self->path;
}

/**
 * anx_store_close:
 * @self: a store
 *
 * Lets the writer commit what is queued, stops it and closes both
 * connections. Called by finalize too.
 */
void
anx_store_close (AnxStore *self)
{
  g_return_if_fail (ANX_IS_STORE (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  if (self->writer != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->quit = TRUE;
      g_mutex_lock (&self->lock);
      self->backlog++;
      g_mutex_unlock (&self->lock);
      g_async_queue_push (self->queue, quit);
      g_thread_join (g_steal_pointer (&self->writer));
    }
  g_hash_table_remove_all (self->statements);
  if (self->write_db != NULL)
    {
      anx_store_exec (self->write_db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
      sqlite3_close (g_steal_pointer (&self->write_db));
    }
  g_hash_table_remove_all (self->read_statements);
  if (self->read_db != NULL)
    sqlite3_close (g_steal_pointer (&self->read_db));
}

/**
 * anx_store_get_read_db:
 * @self: a store
 *
 * The read-only connection, for the thread that opened the store.
 *
 * Returns: (transfer none): the connection
 */
sqlite3 *
anx_store_get_read_db (AnxStore *self)
{
  g_return_val_if_fail (ANX_IS_STORE (self), NULL);
  return self->read_db;
}

static Job *
job_new (AnxStoreWriteFunc func,
         gpointer          data,
         GDestroyNotify    destroy)
{
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->destroy = destroy;
  return job;
}

/**
 * anx_store_write_async:
 * @self: a store
 * @func: the job
 * @data: its data
 * @destroy: (nullable): frees @data after the job ran
 * @cancellable: (nullable): a #GCancellable (the job runs anyway)
 * @callback: called on the caller's context once the job is committed
 * @user_data: for @callback
 *
 * Queues a write job without blocking.
 */
void
anx_store_write_async (AnxStore            *self,
                       AnxStoreWriteFunc    func,
                       gpointer             data,
                       GDestroyNotify       destroy,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  Job *job;

  g_return_if_fail (ANX_IS_STORE (self));

  job = job_new (func, data, destroy);
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, anx_store_write_async);

  if (self->closed)
    {
      GTask *task = g_steal_pointer (&job->task);

      if (destroy != NULL)
        destroy (data);
      g_free (job);
      g_task_return_new_error (task, ANX_STORE_ERROR, ANX_STORE_ERROR_CLOSED,
                               _("The store is closed"));
      g_object_unref (task);
      return;
    }

  g_mutex_lock (&self->lock);
  self->backlog++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, job);
}

/**
 * anx_store_write_durable_async:
 * @self: a store
 * @func: the job
 * @data: its data
 * @destroy: (nullable): frees @data after the job ran
 * @callback: called once the job is committed and on the disk
 * @user_data: for @callback
 *
 * As anx_store_write_async(), for writes that must survive a power cut
 * too (an officer's inspection, an acknowledgement).
 */
void
anx_store_write_durable_async (AnxStore            *self,
                               AnxStoreWriteFunc    func,
                               gpointer             data,
                               GDestroyNotify       destroy,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Job *job;

  g_return_if_fail (ANX_IS_STORE (self));

  if (self->closed)
    {
      anx_store_write_async (self, func, data, destroy, NULL, callback, user_data);
      return;
    }
  job = job_new (func, data, destroy);
  job->durable = TRUE;
  job->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (job->task, anx_store_write_async);
  g_mutex_lock (&self->lock);
  self->backlog++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, job);
}

/**
 * anx_store_write_finish:
 * @self: a store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if the job ran and its transaction was committed
 */
gboolean
anx_store_write_finish (AnxStore      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * anx_store_write_sync:
 * @self: a store
 * @func: the job
 * @data: its data (not freed)
 * @error: return location for an error
 *
 * Queues a job and waits until it is committed. Not on the main thread:
 * this is for ingest workers, which it slows down (back-pressure) while
 * more than a few dozen jobs wait.
 *
 * Returns: %TRUE if the job ran and its transaction was committed
 */
gboolean
anx_store_write_sync (AnxStore           *self,
                      AnxStoreWriteFunc   func,
                      gpointer            data,
                      GError            **error)
{
  Job *job;
  gboolean ok;

  g_return_val_if_fail (ANX_IS_STORE (self), FALSE);

  if (self->closed)
    {
      g_set_error_literal (error, ANX_STORE_ERROR, ANX_STORE_ERROR_CLOSED,
                           _("The store is closed"));
      return FALSE;
    }

  job = job_new (func, data, NULL);
  job->sync = TRUE;

  g_mutex_lock (&self->lock);
  while (self->backlog >= MAX_BACKLOG)
    g_cond_wait (&self->cond, &self->lock);
  self->backlog++;
  g_mutex_unlock (&self->lock);

  g_async_queue_push (self->queue, job);

  g_mutex_lock (&self->lock);
  while (!job->done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  ok = job->ok;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&job->error));
  g_clear_error (&job->error);
  g_free (job);
  return ok;
}

/**
 * anx_store_write_queue:
 * @self: a store
 * @func: the job
 * @data: its data
 * @done: called on the writer thread once the job is committed (error
 *   %NULL) or failed; it owns @data and frees it
 *
 * Queues a job from any thread without waiting for its commit, so that
 * the caller (a verification thread) goes on while the writer batches
 * the jobs of many callers into one transaction. Blocks only while the
 * writer's backlog is full (back-pressure).
 */
void
anx_store_write_queue (AnxStore          *self,
                       AnxStoreWriteFunc  func,
                       gpointer           data,
                       AnxStoreDoneFunc   done)
{
  Job *job;

  g_return_if_fail (ANX_IS_STORE (self));
  g_return_if_fail (done != NULL);

  if (self->closed)
    {
      g_autoptr(GError) error = g_error_new_literal (ANX_STORE_ERROR, ANX_STORE_ERROR_CLOSED,
                                                     _("The store is closed"));

      done (data, error);
      return;
    }

  job = job_new (func, data, NULL);
  job->done_func = done;

  g_mutex_lock (&self->lock);
  while (self->backlog >= MAX_QUEUED_BACKLOG)
    g_cond_wait (&self->cond, &self->lock);
  self->backlog++;
  g_mutex_unlock (&self->lock);

  g_async_queue_push (self->queue, job);
}

/**
 * anx_store_get_backlog:
 * @self: a store
 *
 * Returns: the write jobs queued and not yet committed
 */
guint
anx_store_get_backlog (AnxStore *self)
{
  guint backlog;

  g_mutex_lock (&self->lock);
  backlog = self->backlog;
  g_mutex_unlock (&self->lock);
  return backlog;
}

static gboolean
nothing_job (AnxStore         *store,
             sqlite3          *db,
             gpointer          data,
             AnxStoreChanges  *changes,
             GError          **error)
{
  return TRUE;
}

/**
 * anx_store_flush_sync:
 * @self: a store
 * @error: return location for an error
 *
 * Waits until everything queued before the call is committed.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_store_flush_sync (AnxStore  *self,
                      GError   **error)
{
  return anx_store_write_sync (self, nothing_job, NULL, error);
}

/**
 * anx_store_get_cursor:
 * @self: a store
 *
 * Returns: the last event-log cursor committed (0 before the first
 *   snapshot)
 */
guint64
anx_store_get_cursor (AnxStore *self)
{
  g_autofree char *text = anx_store_get_meta (self, "cursor");

  return text != NULL ? g_ascii_strtoull (text, NULL, 10) : 0;
}

/**
 * anx_store_get_meta:
 * @self: a store
 * @key: a key
 *
 * Returns: (transfer full) (nullable): a `meta` value, as committed
 */
char *
anx_store_get_meta (AnxStore   *self,
                    const char *key)
{
  g_return_val_if_fail (ANX_IS_STORE (self), NULL);
  return anx_store_get_meta_db (self->read_db, key);
}

/**
 * anx_store_count:
 * @self: a store
 * @table: a table of the schema
 *
 * Returns: the rows of @table, -1 on error
 */
gint64
anx_store_count (AnxStore   *self,
                 const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", table);

  return query_int (self->read_db, sql, -1);
}

/**
 * anx_store_integrity_check:
 * @self: a store
 * @result: (out) (optional): what `PRAGMA integrity_check` said
 *
 * Returns: %TRUE if SQLite found the file intact
 */
gboolean
anx_store_integrity_check (AnxStore  *self,
                           char     **result)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (sqlite3_prepare_v2 (self->read_db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (result != NULL)
    *result = g_strdup (text->str);
  return g_str_equal (text->str, "ok");
}

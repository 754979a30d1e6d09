/* anx-store.h: the console's SQLite store, with its writer thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define ANX_STORE_ERROR (anx_store_error_quark ())

typedef enum
{
  ANX_STORE_ERROR_SQLITE,
  ANX_STORE_ERROR_NOT_A_STORE,
  ANX_STORE_ERROR_TOO_NEW,
  ANX_STORE_ERROR_CLOSED,
  ANX_STORE_ERROR_NOT_FOUND,
} AnxStoreError;

/* The schema this build writes (PRAGMA user_version). */
#define ANX_STORE_SCHEMA_VERSION 1

/* What a committed batch changed: the models reload what concerns them. */
typedef enum
{
  ANX_STORE_CHANGED_REGISTRY    = 1 << 0,
  ANX_STORE_CHANGED_RECORDS     = 1 << 1,
  ANX_STORE_CHANGED_SESSIONS    = 1 << 2,
  ANX_STORE_CHANGED_ALARMS      = 1 << 3,
  ANX_STORE_CHANGED_INSPECTIONS = 1 << 4,
  ANX_STORE_CHANGED_OUTBOX      = 1 << 5,
  ANX_STORE_CHANGED_CURSOR      = 1 << 6,
  ANX_STORE_CHANGED_CHARGERS    = 1 << 7,
} AnxStoreChanges;

#define ANX_TYPE_STORE (anx_store_get_type ())

G_DECLARE_FINAL_TYPE (AnxStore, anx_store, ANX, STORE, GObject)

/**
 * AnxStoreWriteFunc:
 * @store: the store
 * @db: the write connection, inside a transaction (a savepoint of its own)
 * @data: the job's data
 * @changes: (out): what the job changed, ORed in
 * @error: return location for an error; the job's changes are rolled back
 *
 * A write job. It runs on the store's writer thread.
 */
typedef gboolean (*AnxStoreWriteFunc) (AnxStore         *store,
                                       sqlite3          *db,
                                       gpointer          data,
                                       AnxStoreChanges  *changes,
                                       GError          **error);

/**
 * AnxStoreDoneFunc:
 * @data: the job's data, which this function frees
 * @error: (nullable): why the job was not committed; %NULL once it is
 *
 * Told on the writer thread when a queued job is done.
 */
typedef void (*AnxStoreDoneFunc) (gpointer      data,
                                  const GError *error);

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GQuark     anx_store_error_quark        (void);

char      *anx_store_default_path       (void);
AnxStore  *anx_store_open               (const char          *path,
                                         GError             **error);
const char *anx_store_get_path          (AnxStore            *self);
void       anx_store_close              (AnxStore            *self);

sqlite3   *anx_store_get_read_db        (AnxStore            *self);

void       anx_store_write_async        (AnxStore            *self,
                                         AnxStoreWriteFunc    func,
                                         gpointer             data,
                                         GDestroyNotify       destroy,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
void       anx_store_write_durable_async (AnxStore            *self,
                                         AnxStoreWriteFunc    func,
                                         gpointer             data,
                                         GDestroyNotify       destroy,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean   anx_store_write_finish       (AnxStore            *self,
                                         GAsyncResult        *result,
                                         GError             **error);
gboolean   anx_store_write_sync         (AnxStore            *self,
                                         AnxStoreWriteFunc    func,
                                         gpointer             data,
                                         GError             **error);
void       anx_store_write_queue        (AnxStore            *self,
                                         AnxStoreWriteFunc    func,
                                         gpointer             data,
                                         AnxStoreDoneFunc     done);
guint      anx_store_get_backlog        (AnxStore            *self);
gboolean   anx_store_flush_sync         (AnxStore            *self,
                                         GError             **error);

guint64    anx_store_get_cursor         (AnxStore            *self);
char      *anx_store_get_meta           (AnxStore            *self,
                                         const char          *key);
gint64     anx_store_count              (AnxStore            *self,
                                         const char          *table);
gboolean   anx_store_integrity_check    (AnxStore            *self,
                                         char               **result);

/* Helpers for write jobs (any thread, any connection) */
gboolean   anx_store_exec               (sqlite3             *db,
                                         const char          *sql,
                                         GError             **error);
gboolean   anx_store_exec_bound         (sqlite3             *db,
                                         const char          *sql,
                                         GError             **error,
                                         const char          *fmt,
                                         ...);
gboolean   anx_store_set_meta_db        (sqlite3             *db,
                                         const char          *key,
                                         const char          *value,
                                         GError             **error);
char      *anx_store_get_meta_db        (sqlite3             *db,
                                         const char          *key);
void       anx_store_set_sqlite_error   (GError             **error,
                                         sqlite3             *db,
                                         const char          *what);
sqlite3_stmt *anx_store_read_statement (AnxStore            *self,
                                        const char          *sql,
                                        GError             **error);
sqlite3_stmt *anx_store_write_statement (AnxStore            *self,
                                         sqlite3             *db,
                                         const char          *sql,
                                         GError             **error);
/* clang-format on */

G_END_DECLS

/* anx-search.c: find chargers, stations, meters and operators in the store
 *
 * What an officer types in the header bar's search: part of a charger code,
 * a station's name (Chinese or its code), a meter serial or an operator's
 * name. Matching is a case-insensitive substring match (SQLite LIKE, which
 * folds ASCII only; Chinese text matches as typed), results that start with
 * the query first.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-search"

#include "config.h"

#include <string.h>

#include "anx-search.h"
#include "anx-store.h"

/* Each query binds ?1 = %query% and ?2 = query%, LIKE escaped with '\'. */
static const struct
{
  AnxSearchKind kind;
  const char   *sql;
} queries[] = {
  { ANX_SEARCH_KIND_CHARGER,
    "SELECT c.code, c.code, s.name || ' · ' || o.name FROM chargers c"
    " JOIN stations s ON s.id = c.station_id JOIN operators o ON o.id = c.operator_id"
    " WHERE c.code LIKE ?1 ESCAPE '\\'"
    " ORDER BY c.code LIKE ?2 ESCAPE '\\' DESC, c.code LIMIT ?3" },
  { ANX_SEARCH_KIND_STATION,
    "SELECT s.id, s.name, s.code || ' · ' || coalesce(s.district_name, '') || ' · ' || o.name"
    " FROM stations s JOIN operators o ON o.id = s.operator_id"
    " WHERE s.name LIKE ?1 ESCAPE '\\' OR s.code LIKE ?1 ESCAPE '\\'"
    "   OR s.address LIKE ?1 ESCAPE '\\'"
    " ORDER BY s.name LIKE ?2 ESCAPE '\\' DESC, s.code LIKE ?2 ESCAPE '\\' DESC, s.name, s.id"
    " LIMIT ?3" },
  { ANX_SEARCH_KIND_METER,
    "SELECT c.code, m.serial, c.code || ' · ' || s.name FROM meters m"
    " JOIN chargers c ON c.id = m.charger_id JOIN stations s ON s.id = c.station_id"
    " WHERE m.serial LIKE ?1 ESCAPE '\\'"
    " ORDER BY m.serial LIKE ?2 ESCAPE '\\' DESC, m.serial LIMIT ?3" },
  { ANX_SEARCH_KIND_OPERATOR,
    "SELECT o.id, o.name, coalesce(o.name_en, '') FROM operators o"
    " WHERE o.name LIKE ?1 ESCAPE '\\' OR o.name_en LIKE ?1 ESCAPE '\\'"
    " ORDER BY o.name LIKE ?2 ESCAPE '\\' DESC, o.name, o.id LIMIT ?3" },
};

/**
 * anx_search_result_free:
 * @result: (transfer full) (nullable): a result
 */
void
anx_search_result_free (AnxSearchResult *result)
{
  if (result == NULL)
    return;

  g_free (result->target);
  g_free (result->title);
  g_free (result->context);
  g_free (result);
}

static char *
escape_like (const char *text)
{
  GString *escaped = g_string_sized_new (strlen (text) + 4);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (escaped, '\\');
      g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? (const char *) text : "");
}

/**
 * anx_search_run:
 * @db: a connection to a console store (the store's read connection)
 * @query: what was typed; leading and trailing space is ignored
 * @limit_per_kind: at most this many results of each kind (0: the default)
 * @error: return location for an #ANX_STORE_ERROR
 *
 * Searches chargers (code), stations (name, code, address), meters (serial)
 * and operators (name), in that order, each kind sorted with matches at the
 * start first. An empty query finds nothing.
 *
 * Returns: (transfer full) (element-type AnxSearchResult): the results, or
 *   %NULL with @error set
 */
GPtrArray *
anx_search_run (sqlite3     *db,
                const char  *query,
                guint        limit_per_kind,
                GError     **error)
{
  g_autoptr(GPtrArray) results =
      g_ptr_array_new_with_free_func ((GDestroyNotify) anx_search_result_free);
  g_autofree char *stripped = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *contains = NULL;
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit_per_kind == 0)
    limit_per_kind = ANX_SEARCH_DEFAULT_LIMIT;

  stripped = g_strstrip (g_strdup (query != NULL ? query : ""));
  if (*stripped == '\0' || strlen (stripped) > ANX_SEARCH_MAX_QUERY ||
      !g_utf8_validate (stripped, -1, NULL))
    return g_steal_pointer (&results);

  escaped = escape_like (stripped);
  contains = g_strconcat ("%", escaped, "%", NULL);
  prefix = g_strconcat (escaped, "%", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc;

      if (sqlite3_prepare_v2 (db, queries[i].sql, -1, &stmt, NULL) != SQLITE_OK)
        {
          anx_store_set_sqlite_error (error, db, "search");
          return NULL;
        }
      sqlite3_bind_text (stmt, 1, contains, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, prefix, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, limit_per_kind);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          AnxSearchResult *result = g_new0 (AnxSearchResult, 1);

          result->kind = queries[i].kind;
          result->target = column_text (stmt, 0);
          result->title = column_text (stmt, 1);
          result->context = column_text (stmt, 2);
          g_ptr_array_add (results, result);
        }
      if (rc != SQLITE_DONE)
        {
          anx_store_set_sqlite_error (error, db, "search");
          sqlite3_finalize (stmt);
          return NULL;
        }
      sqlite3_finalize (stmt);
    }

  return g_steal_pointer (&results);
}

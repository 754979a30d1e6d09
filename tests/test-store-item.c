/* test-store-item.c: store rows as list items, read from SQLite directly
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "anx-store-item.h"

static sqlite3 *
open_memory (void)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  return db;
}

static AnxStoreItem *
item_for (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  AnxStoreItem *item;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  item = anx_store_item_new_from_statement (stmt);
  sqlite3_finalize (stmt);
  return item;
}

static void
test_columns (void)
{
  sqlite3 *db = open_memory ();
  g_autoptr(AnxStoreItem) item =
    item_for (db, "SELECT 'k1', 42 AS n, 2.5 AS real, 'Hangzhou 杭州' AS name, NULL AS none, "
                  "x'00ff10' AS hash, CAST(x'ff' AS TEXT) AS bad, 7 AS last");
  g_autoptr(GVariant) expected = NULL;
  g_autoptr(AnxStoreItem) same = NULL;
  const char *s = NULL;

  g_assert_nonnull (item);
  g_assert_cmpstr (anx_store_item_get_key (item), ==, "k1");
  g_assert_cmpint (anx_store_item_get_int (item, "n"), ==, 42);
  g_assert_cmpfloat (anx_store_item_get_double (item, "n"), ==, 42.0);
  g_assert_cmpfloat (anx_store_item_get_double (item, "real"), ==, 2.5);
  g_assert_cmpint (anx_store_item_get_int (item, "real"), ==, 0);
  g_assert_cmpstr (anx_store_item_get_string (item, "name"), ==, "Hangzhou 杭州");
  g_assert_null (anx_store_item_get_string (item, "n"));
  /* NULL, and text that is not UTF-8, are absent columns. */
  g_assert_null (anx_store_item_get_string (item, "none"));
  g_assert_cmpint (anx_store_item_get_int (item, "none"), ==, 0);
  g_assert_null (anx_store_item_get_string (item, "bad"));
  g_assert_cmpstr (anx_store_item_get_string (item, "hash"), ==, "00ff10");
  g_assert_cmpint (anx_store_item_get_int (item, "last"), ==, 7);
  g_assert_null (anx_store_item_get_string (item, "missing"));

  /* The same row as a{sv}, as anx_store_item_new() takes it. */
  g_assert_true (g_variant_lookup (anx_store_item_get_row (item), "name", "&s", &s));
  g_assert_cmpstr (s, ==, "Hangzhou 杭州");
  expected = g_variant_ref_sink (g_variant_new_parsed (
    "{'n': <int64 42>, 'real': <2.5>, 'name': <'Hangzhou 杭州'>, 'hash': <'00ff10'>, "
    "'last': <int64 7>}"));
  g_assert_true (anx_store_item_equal_row (item, expected));
  same = anx_store_item_new ("k1", expected);
  g_assert_true (anx_store_item_equal (item, same));
  g_assert_cmpstr (anx_store_item_get_string (same, "hash"), ==, "00ff10");
  g_assert_cmpint (anx_store_item_get_int (same, "n"), ==, 42);
  g_assert_cmpfloat (anx_store_item_get_double (same, "real"), ==, 2.5);

  sqlite3_close (db);
}

static void
test_equal (void)
{
  sqlite3 *db = open_memory ();
  g_autoptr(AnxStoreItem) a = item_for (db, "SELECT 'k', 1 AS n, 'x' AS s");
  g_autoptr(AnxStoreItem) b = item_for (db, "SELECT 'k', 1 AS n, 'x' AS s");
  g_autoptr(AnxStoreItem) other_value = item_for (db, "SELECT 'k', 1 AS n, 'y' AS s");
  g_autoptr(AnxStoreItem) other_key = item_for (db, "SELECT 'j', 1 AS n, 'x' AS s");
  g_autoptr(AnxStoreItem) other_type = item_for (db, "SELECT 'k', 1.0 AS n, 'x' AS s");
  g_autoptr(AnxStoreItem) fewer = item_for (db, "SELECT 'k', 1 AS n, NULL AS s");

  g_assert_true (anx_store_item_equal (a, b));
  g_assert_false (anx_store_item_equal (a, other_value));
  g_assert_false (anx_store_item_equal (a, other_key));
  g_assert_false (anx_store_item_equal (a, other_type));
  g_assert_false (anx_store_item_equal (a, fewer));
  /* A row without a key is no item. */
  g_assert_null (item_for (db, "SELECT NULL, 1 AS n"));
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-item/columns", test_columns);
  g_test_add_func ("/store-item/equal", test_equal);
  return g_test_run ();
}

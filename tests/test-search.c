/* test-search.c: the header bar's search against a real store file
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "anx-search.h"
#include "anx-store.h"

typedef struct
{
  char     *dir;
  AnxStore *store;
} Fixture;

static gboolean
seed (AnxStore         *store,
      sqlite3          *db,
      gpointer          data,
      AnxStoreChanges  *changes,
      GError          **error)
{
  *changes |= ANX_STORE_CHANGED_REGISTRY;
  return anx_store_exec (
      db,
      "INSERT INTO operators (id, name, name_en) VALUES"
      " (1, '国网浙江电动汽车服务有限公司', 'State Grid Zhejiang EV Service'),"
      " (2, '特来电新能源股份有限公司', 'TELD New Energy'),"
      " (3, '星星充电', 'Star Charge 100%_\\ Co');"
      "INSERT INTO stations (id, operator_id, code, name, address, district_name, latitude,"
      " longitude, datum, charger_count) VALUES"
      " (10, 1, '330106-0042', '西湖文化广场充电站', '西湖区环城北路', '西湖区', 30.27, 120.16, 'GCJ-02', 2),"
      " (11, 2, '330110-0007', '未来科技城充电站', '余杭区文一西路', '余杭区', 30.28, 120.0, 'GCJ-02', 1),"
      " (12, 3, '330105-0100', '西溪湿地东门充电站', '拱墅区', '拱墅区', 30.27, 120.08, 'GCJ-02', 1);"
      "INSERT INTO chargers (id, station_id, operator_id, code, current, meter_id) VALUES"
      " (100, 10, 1, '330106-0042-DC01', 'DC', 1000),"
      " (101, 10, 1, '330106-0042-AC01', 'AC', 1001),"
      " (102, 11, 2, '330110-0007-DC01', 'DC', 1002),"
      " (103, 12, 3, '330105-0100-DC01', 'DC', 1003);"
      "INSERT INTO meters (id, charger_id, serial) VALUES"
      " (1000, 100, 'HXE-2024-000123'), (1001, 101, 'HXE-2024-000124'),"
      " (1002, 102, 'WSE-7788-01'), (1003, 103, 'LNG-0042-77');",
      error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("anxin-search-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "console.sqlite", NULL);
  fixture->store = anx_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (anx_store_write_sync (fixture->store, seed, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "console.sqlite", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  anx_store_close (fixture->store);
  g_clear_object (&fixture->store);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static GPtrArray *
search (Fixture    *fixture,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = anx_search_run (anx_store_get_read_db (fixture->store), query, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

static AnxSearchResult *
result (GPtrArray *results,
        guint      i)
{
  g_assert_cmpuint (i, <, results->len);
  return g_ptr_array_index (results, i);
}

static void
test_charger (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) results = search (fixture, "dc01");

  /* Case-insensitive; the three DC01 chargers, sorted by code. */
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (result (results, i)->kind, ==, ANX_SEARCH_KIND_CHARGER);
  g_assert_cmpstr (result (results, 0)->target, ==, "330105-0100-DC01");
  g_assert_cmpstr (result (results, 0)->title, ==, "330105-0100-DC01");
  g_assert_cmpstr (result (results, 0)->context, ==, "西溪湿地东门充电站 · 星星充电");

  /* A full code finds the charger, and its station by code, first the charger. */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "  330106-0042-AC01 ");
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (result (results, 0)->target, ==, "330106-0042-AC01");
}

static void
test_station (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) results = search (fixture, "西湖");

  /* By name, then by address: a prefix match first. */
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (result (results, 0)->kind, ==, ANX_SEARCH_KIND_STATION);
  g_assert_cmpstr (result (results, 0)->target, ==, "10");
  g_assert_cmpstr (result (results, 0)->title, ==, "西湖文化广场充电站");
  g_assert_nonnull (strstr (result (results, 0)->context, "330106-0042"));
  g_assert_nonnull (strstr (result (results, 0)->context, "国网浙江电动汽车服务有限公司"));

  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "充电站");
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (result (results, 0)->title, ==, "未来科技城充电站");

  /* By station code: the station and every charger of it. */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "330110-0007");
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (result (results, 0)->kind, ==, ANX_SEARCH_KIND_CHARGER);
  g_assert_cmpint (result (results, 1)->kind, ==, ANX_SEARCH_KIND_STATION);
  g_assert_cmpstr (result (results, 1)->target, ==, "11");
}

static void
test_meter (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) results = search (fixture, "hxe-2024-00012");

  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (result (results, 0)->kind, ==, ANX_SEARCH_KIND_METER);
  g_assert_cmpstr (result (results, 0)->title, ==, "HXE-2024-000123");
  /* A meter leads to its charger. */
  g_assert_cmpstr (result (results, 0)->target, ==, "330106-0042-DC01");
  g_assert_cmpstr (result (results, 0)->context, ==, "330106-0042-DC01 · 西湖文化广场充电站");

  /* "0042" is in a meter serial and in a station code. */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "0042-77");
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (result (results, 0)->target, ==, "330105-0100-DC01");
}

static void
test_operator (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) results = search (fixture, "teld");

  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (result (results, 0)->kind, ==, ANX_SEARCH_KIND_OPERATOR);
  g_assert_cmpstr (result (results, 0)->target, ==, "2");
  g_assert_cmpstr (result (results, 0)->title, ==, "特来电新能源股份有限公司");
  g_assert_cmpstr (result (results, 0)->context, ==, "TELD New Energy");

  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "国网");
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (result (results, 0)->target, ==, "1");
}

static void
test_wildcards_and_limits (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_query = g_strnfill (ANX_SEARCH_MAX_QUERY + 1, 'a');

  /* LIKE's wildcards are literal characters in a query. */
  results = search (fixture, "%");
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpstr (result (results, 0)->title, ==, "星星充电");
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "_");
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "\\");
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "x%y");
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Nothing for nothing, too long or not UTF-8; a limit per kind. */
  results = search (fixture, "   ");
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, long_query);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (fixture, "\xff\xfe");
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = anx_search_run (anx_store_get_read_db (fixture->store), "330", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2); /* one charger, one station */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/search/charger", Fixture, NULL, fixture_set_up, test_charger, fixture_tear_down);
  g_test_add ("/search/station", Fixture, NULL, fixture_set_up, test_station, fixture_tear_down);
  g_test_add ("/search/meter", Fixture, NULL, fixture_set_up, test_meter, fixture_tear_down);
  g_test_add ("/search/operator", Fixture, NULL, fixture_set_up, test_operator, fixture_tear_down);
  g_test_add ("/search/wildcards-and-limits", Fixture, NULL, fixture_set_up,
              test_wildcards_and_limits, fixture_tear_down);

  return g_test_run ();
}

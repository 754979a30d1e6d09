/* test-chain-model.c: a charger's chain, paged from a real store file
 *
 * 100,000 records (and a fork) written into a real SQLite store: the model
 * lists them newest first across page boundaries, reads pages lazily and
 * keeps only a few in memory, answers a deep position with one page read,
 * and follows the chain as it grows at its head (only the newest page is
 * read again) and when a late record lands inside it.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "anx-chain-model.h"
#include "anx-test-util.h"
#include "anx-store.h"

#define CHARGER  "330106-0001-DC01"
#define N_CHAIN  100000
#define FORK_SEQ 50000

typedef struct
{
  gint64 first;
  gint64 last;
  guint salt;
} Insert;

static void
make_hash (gint64  sequence,
           guint   salt,
           guint8 *hash)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "/%u", sequence, salt);
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update (checksum, (const guchar *) text, -1);
  g_checksum_get_digest (checksum, hash, &len);
  g_checksum_free (checksum);
}

static gboolean
insert_job (AnxStore         *store,
            sqlite3          *db,
            gpointer          data,
            AnxStoreChanges  *changes,
            GError          **error)
{
  Insert *insert = data;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO records (charger_code, sequence, hash, kind, "
                                       "recorded_at_us, meter_serial, billed_wh, amount_fen, checks, "
                                       "n_findings, accepted, json) VALUES (?, ?, ?, 'charge', ?, "
                                       "'M1', ?, ?, 7, 0, 1, '{}')",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (gint64 s = insert->first; s <= insert->last; s++)
    {
      guint8 hash[32];

      make_hash (s, insert->salt, hash);
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, CHARGER, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, s);
      sqlite3_bind_blob (stmt, 3, hash, 32, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, G_GINT64_CONSTANT (1650000000000000) + s * 60000000);
      sqlite3_bind_int64 (stmt, 5, 1000 + s % 50000);
      sqlite3_bind_int64 (stmt, 6, 150 + s % 7000);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  sqlite3_finalize (stmt);
  *changes |= ANX_STORE_CHANGED_RECORDS;
  return TRUE;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (anx_store_write_finish (ANX_STORE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  changes[0]++;
  changes[1] = position;
  changes[2] = removed;
  changes[3] = added;
}

/* Writes, then waits for the store's (coalesced) notification. */
static void
write_records (AnxStore *store,
               Insert   *insert,
               guint    *changes)
{
  gboolean done = FALSE;
  guint before = changes != NULL ? changes[0] : 0;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  anx_store_write_async (store, insert_job, insert, NULL, NULL, on_written, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  while (changes != NULL && changes[0] == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gint64
item_sequence (GListModel *model,
               guint       position,
               char      **hash)
{
  g_autoptr(AnxStoreItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  if (hash != NULL)
    *hash = g_strdup (anx_store_item_get_string (item, "hash"));
  return anx_store_item_get_int (item, "sequence");
}

static void
test_paging (void)
{
  g_autofree char *dir = g_dir_make_tmp ("anxin-chain-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (path, &error);
  g_autoptr(AnxChainModel) model = NULL;
  GListModel *list;
  Insert chain = { 0, N_CHAIN - 1, 0 };
  Insert fork = { FORK_SEQ, FORK_SEQ, 1 };
  Insert head = { N_CHAIN, N_CHAIN + 9, 0 };
  Insert late = { 10, 10, 2 };
  guint changes[4] = { 0 };
  guint n, loads;
  gint64 previous = G_MAXINT64;
  g_autofree char *previous_hash = NULL;
  gint64 started;

  g_assert_no_error (error);
  write_records (store, &chain, NULL);
  write_records (store, &fork, NULL);
  g_assert_true (anx_store_flush_sync (store, NULL));

  started = g_get_monotonic_time ();
  model = anx_chain_model_new (store, CHARGER);
  list = G_LIST_MODEL (model);
  g_test_message ("model over %d records made in %.1f ms", N_CHAIN + 1,
                  (g_get_monotonic_time () - started) / 1000.0);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), changes);

  /* Nothing read before a view asks. */
  n = g_list_model_get_n_items (list);
  g_assert_cmpuint (n, ==, N_CHAIN + 1);
  g_assert_cmpuint (anx_chain_model_get_n_page_loads (model), ==, 0);
  g_assert_null (g_list_model_get_item (list, n));

  /* Newest first; the first page holds exactly one page of records. */
  g_assert_cmpint (item_sequence (list, 0, NULL), ==, N_CHAIN - 1);
  g_assert_cmpint (item_sequence (list, n - 1, NULL), ==, 0);
  loads = anx_chain_model_get_n_page_loads (model);
  g_assert_cmpuint (loads, ==, 2);

  /* Every record once, in descending (sequence, hash) order, across every
   * page boundary (and the fork's two records of one sequence). */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *hash = NULL;
      gint64 sequence = item_sequence (list, i, &hash);

      if (sequence == previous)
        {
          g_assert_cmpint (sequence, ==, FORK_SEQ);
          g_assert_cmpstr (hash, <, previous_hash);
        }
      else
        g_assert_cmpint (sequence, ==, previous == G_MAXINT64 ? N_CHAIN - 1 : previous - 1);
      previous = sequence;
      g_free (previous_hash);
      previous_hash = g_steal_pointer (&hash);
    }
  g_assert_cmpint (previous, ==, 0);
  /* Each page read once on the way down, and few kept: the oldest page,
   * read before the walk, was dropped on the way and read again. */
  g_assert_cmpuint (anx_chain_model_get_n_page_loads (model), ==,
                    (n + ANX_CHAIN_MODEL_PAGE - 1) / ANX_CHAIN_MODEL_PAGE + 1);
  g_assert_cmpuint (anx_chain_model_get_n_loaded_pages (model), <=, 32);

  /* A deep jump reads one page, and that page is the right one. */
  loads = anx_chain_model_get_n_page_loads (model);
  g_assert_cmpint (item_sequence (list, 90000, NULL), ==, N_CHAIN - 1 - 90000 + 1);
  g_assert_cmpuint (anx_chain_model_get_n_page_loads (model), ==, loads + 1);
  g_assert_cmpint (item_sequence (list, 90001, NULL), ==, N_CHAIN - 1 - 90001 + 1);
  g_assert_cmpuint (anx_chain_model_get_n_page_loads (model), ==, loads + 1);

  /* Page boundaries from the oldest end: the oldest page's last record and
   * the next page's first are neighbours. */
  g_assert_cmpint (item_sequence (list, n - ANX_CHAIN_MODEL_PAGE, NULL), ==,
                   ANX_CHAIN_MODEL_PAGE - 1);
  g_assert_cmpint (item_sequence (list, n - ANX_CHAIN_MODEL_PAGE - 1, NULL), ==,
                   ANX_CHAIN_MODEL_PAGE);

  /* The chain grows at its head: 10 added at position 0, old pages kept. */
  write_records (store, &head, changes);
  g_assert_cmpuint (changes[1], ==, 0);
  g_assert_cmpuint (changes[2], ==, 0);
  g_assert_cmpuint (changes[3], ==, 10);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n + 10);
  g_assert_cmpint (item_sequence (list, 0, NULL), ==, N_CHAIN + 9);
  g_assert_cmpint (item_sequence (list, 10, NULL), ==, N_CHAIN - 1);
  loads = anx_chain_model_get_n_page_loads (model);
  g_assert_cmpint (item_sequence (list, 90010, NULL), ==, N_CHAIN - 1 - 90000 + 1);
  g_assert_cmpuint (anx_chain_model_get_n_page_loads (model), ==, loads);
  n += 10;

  /* A late record inside the chain: everything is announced again. */
  write_records (store, &late, changes);
  g_assert_cmpuint (changes[1], ==, 0);
  g_assert_cmpuint (changes[2], ==, n);
  g_assert_cmpuint (changes[3], ==, n + 1);
  g_assert_cmpint (item_sequence (list, n + 1 - 11, NULL), ==, 10);
  g_assert_cmpint (item_sequence (list, n + 1 - 12, NULL), ==, 10);
  g_assert_cmpint (item_sequence (list, n, NULL), ==, 0);

  {
    g_autofree char *json = anx_chain_model_get_record_json (model, 0);

    g_assert_cmpstr (json, ==, "{}");
  }

  g_clear_object (&model);
  anx_store_close (store);
  g_clear_object (&store);
  anx_test_remove_tree (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chain-model/paging", test_paging);
  return g_test_run ();
}

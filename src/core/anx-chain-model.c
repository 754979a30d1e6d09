/* anx-chain-model.c: one charger's chain, paged from the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A charger may have 100,000 records: the model knows how many there are
 * and loads the page of ANX_CHAIN_MODEL_PAGE records around a position only
 * when a view asks for it (keyset: the page's first sequence number, so a
 * page costs the same at any depth). Pages are dropped beyond a few dozen.
 * New records (the chain only grows) are announced as one append per store
 * notification.
 */

#define G_LOG_DOMAIN "anx-chain-model"

#include "config.h"

#include "anx-chain-model.h"

#define MAX_PAGES 32

struct _AnxChainModel
{
  GObject parent_instance;

  AnxStore *store;
  char *charger;
  guint n_items;
  GHashTable *pages; /* page index → GPtrArray of AnxStoreItem */
  GQueue lru;        /* page indices, most recent first */
  gulong changed_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AnxChainModel, anx_chain_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static guint
count_records (AnxChainModel *self)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT count(*) FROM records WHERE charger_code = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static GPtrArray *
load_page (AnxChainModel *self,
           guint          page)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT r.sequence, r.kind, r.recorded_at_us, r.meter_serial, "
                          "r.billed_wh, r.amount_fen, r.checks, r.n_findings, r.accepted, "
                          "lower(hex(r.hash)) AS hash, (SELECT group_concat(f.code, ' ') FROM "
                          "findings f WHERE f.charger_code = r.charger_code AND f.sequence = "
                          "r.sequence AND f.hash = r.hash) AS findings FROM records r WHERE "
                          "r.charger_code = ? ORDER BY r.sequence, r.hash LIMIT ? OFFSET ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return items;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, ANX_CHAIN_MODEL_PAGE);
  sqlite3_bind_int64 (stmt, 3, (gint64) page * ANX_CHAIN_MODEL_PAGE);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GVariantBuilder builder;
      g_autofree char *key = NULL;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *name = sqlite3_column_name (stmt, i);

          if (sqlite3_column_type (stmt, i) == SQLITE_INTEGER)
            g_variant_builder_add (&builder, "{sv}", name,
                                   g_variant_new_int64 (sqlite3_column_int64 (stmt, i)));
          else if (sqlite3_column_type (stmt, i) == SQLITE_TEXT)
            g_variant_builder_add (&builder, "{sv}", name,
                                   g_variant_new_string ((const char *) sqlite3_column_text (stmt, i)));
        }
      key = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", (gint64) sqlite3_column_int64 (stmt, 0),
                             (const char *) sqlite3_column_text (stmt, 9));
      g_ptr_array_add (items, anx_store_item_new (key, g_variant_builder_end (&builder)));
    }
  sqlite3_finalize (stmt);
  return items;
}

static GType
get_item_type (GListModel *model)
{
  return ANX_TYPE_STORE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return ANX_CHAIN_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  AnxChainModel *self = ANX_CHAIN_MODEL (model);
  guint page = position / ANX_CHAIN_MODEL_PAGE;
  GPtrArray *items;

  if (position >= self->n_items)
    return NULL;
  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (items == NULL)
    {
      items = load_page (self, page);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
      g_queue_push_head (&self->lru, GUINT_TO_POINTER (page));
      while (g_queue_get_length (&self->lru) > MAX_PAGES)
        g_hash_table_remove (self->pages, g_queue_pop_tail (&self->lru));
    }
  else
    {
      g_queue_remove (&self->lru, GUINT_TO_POINTER (page));
      g_queue_push_head (&self->lru, GUINT_TO_POINTER (page));
    }
  if (position % ANX_CHAIN_MODEL_PAGE >= items->len)
    return NULL;
  return g_object_ref (items->pdata[position % ANX_CHAIN_MODEL_PAGE]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
on_store_changed (AnxStore *store,
                  guint     changes,
                  gpointer  user_data)
{
  AnxChainModel *self = user_data;
  guint n, old = self->n_items;

  if ((changes & ANX_STORE_CHANGED_RECORDS) == 0)
    return;
  n = count_records (self);
  if (n == old)
    return;
  /* Records sort by sequence and mostly arrive at the end; a late one
   * (a fork, a replayed gap) may land inside: reload what is cached. */
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->lru);
  self->n_items = n;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, n);
}

static void
anx_chain_model_dispose (GObject *object)
{
  AnxChainModel *self = ANX_CHAIN_MODEL (object);

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (anx_chain_model_parent_class)->dispose (object);
}

static void
anx_chain_model_finalize (GObject *object)
{
  AnxChainModel *self = ANX_CHAIN_MODEL (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_queue_clear (&self->lru);
  g_free (self->charger);

  G_OBJECT_CLASS (anx_chain_model_parent_class)->finalize (object);
}

static void
anx_chain_model_class_init (AnxChainModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = anx_chain_model_dispose;
  object_class->finalize = anx_chain_model_finalize;
}

static void
anx_chain_model_init (AnxChainModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->lru);
}

/**
 * anx_chain_model_new:
 * @store: the store
 * @charger_code: the charger
 *
 * Returns: (transfer full): the charger's chain as a list model, in
 *   sequence order
 */
AnxChainModel *
anx_chain_model_new (AnxStore   *store,
                     const char *charger_code)
{
  AnxChainModel *self = g_object_new (ANX_TYPE_CHAIN_MODEL, NULL);

  self->store = g_object_ref (store);
  self->charger = g_strdup (charger_code);
  self->n_items = count_records (self);
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  return self;
}

/**
 * anx_chain_model_get_charger:
 * @self: a model
 *
 * Returns: the charger's code
 */
const char *
anx_chain_model_get_charger (AnxChainModel *self)
{
  return self->charger;
}

/**
 * anx_chain_model_get_record_json:
 * @self: a model
 * @position: a position
 *
 * Returns: (transfer full) (nullable): the record's JSON, as received
 */
char *
anx_chain_model_get_record_json (AnxChainModel *self,
                                 guint          position)
{
  g_autoptr(AnxStoreItem) item = get_item (G_LIST_MODEL (self), position);
  sqlite3_stmt *stmt = NULL;
  char *json = NULL;

  if (item == NULL ||
      sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT json FROM records WHERE charger_code = ? AND sequence = ? AND "
                          "lower(hex(hash)) = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, anx_store_item_get_int (item, "sequence"));
  sqlite3_bind_text (stmt, 3, anx_store_item_get_string (item, "hash"), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return json;
}

/**
 * anx_chain_model_get_n_loaded_pages:
 * @self: a model
 *
 * Returns: the pages held in memory (for tests)
 */
guint
anx_chain_model_get_n_loaded_pages (AnxChainModel *self)
{
  return g_hash_table_size (self->pages);
}

/* anx-chain-model.c: one charger's chain, newest first, paged from the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A charger may have 100,000 records. The model lists them newest first
 * and loads a page of ANX_CHAIN_MODEL_PAGE records only when a view asks
 * for one of its items. Pages are cut from the OLDEST end (page k holds
 * the records k·PAGE … (k+1)·PAGE − 1 in (sequence, hash) order), so that
 * the chain growing at its head changes only the newest page and the pages
 * keep their keys. Each page starts at a known key — found in one pass over
 * the (charger_code, sequence, hash) index when the model is made — and is
 * read by keyset ("(sequence, hash) >= key LIMIT PAGE"), so a page costs
 * the same at any depth. Pages are dropped beyond a few dozen.
 */

#define G_LOG_DOMAIN "anx-chain-model"

#include "config.h"

#include <string.h>

#include "anx-chain-model.h"
#include "anx-chain-record.h"
#include "anx-ocmf.h"

#define MAX_PAGES 32

typedef struct
{
  gint64 sequence;
  guint8 hash[32];
  gsize hash_len;
} Key;

struct _AnxChainModel
{
  GObject parent_instance;

  AnxStore *store;
  char *charger;
  guint n_items;
  GArray *starts;    /* Key of each page's oldest record */
  Key top;           /* the newest record's key, when n_items > 0 */
  GHashTable *pages; /* page index → GPtrArray of AnxStoreItem, oldest first */
  GQueue lru;        /* page indices, most recent first */
  guint n_page_loads;
  gulong changed_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AnxChainModel, anx_chain_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
key_from_row (Key          *key,
              sqlite3_stmt *stmt,
              int           column)
{
  int len = sqlite3_column_bytes (stmt, column + 1);

  key->sequence = sqlite3_column_int64 (stmt, column);
  key->hash_len = (gsize) CLAMP (len, 0, (int) sizeof key->hash);
  if (key->hash_len > 0)
    memcpy (key->hash, sqlite3_column_blob (stmt, column + 1), key->hash_len);
}

static void
bind_key (sqlite3_stmt *stmt,
          int           column,
          const Key    *key)
{
  sqlite3_bind_int64 (stmt, column, key->sequence);
  sqlite3_bind_blob (stmt, column + 1, key->hash, (int) key->hash_len, SQLITE_STATIC);
}

/* One pass over the index from @from (inclusive; NULL: the start), the
 * ascending position of @from being @first: records every page start and
 * the top. Returns the number of records from @from on. */
static guint
scan_keys (AnxChainModel *self,
           const Key     *from,
           guint          first)
{
  sqlite3_stmt *stmt = NULL;
  guint i = first;
  const char *sql = from != NULL
                      ? "SELECT sequence, hash FROM records WHERE charger_code = ?1 AND "
                        "(sequence, hash) >= (?2, ?3) ORDER BY sequence, hash"
                      : "SELECT sequence, hash FROM records WHERE charger_code = ?1 "
                        "ORDER BY sequence, hash";

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store), sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  if (from != NULL)
    bind_key (stmt, 2, from);
  g_array_set_size (self->starts, first / ANX_CHAIN_MODEL_PAGE);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (i % ANX_CHAIN_MODEL_PAGE == 0)
        {
          Key key;

          key_from_row (&key, stmt, 0);
          g_array_append_val (self->starts, key);
        }
      key_from_row (&self->top, stmt, 0);
      i++;
    }
  sqlite3_finalize (stmt);
  return i - first;
}

/* Records newer than the top key: how many. */
static gint64
count_after (AnxChainModel *self,
             const Key     *key)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT count(*) FROM records WHERE charger_code = ?1 AND "
                          "(sequence, hash) > (?2, ?3)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  bind_key (stmt, 2, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static gint64
count_records (AnxChainModel *self)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT count(*) FROM records WHERE charger_code = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The "ocmf" string member of a stored record's JSON, unescaped, found
 * without building the whole record: json-glib would cost most of a
 * page's read time. NULL when the text holds anything unexpected (the full
 * parse then decides). */
static char *
extract_ocmf (const char *json)
{
  const char *p = strstr (json, "\"ocmf\":\"");
  GString *out;

  if (p == NULL)
    return NULL;
  out = g_string_sized_new (1024);
  for (p += 8; *p != '\0' && *p != '"'; p++)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p);
          continue;
        }
      switch (*++p)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (out, *p);
          break;
        case 'n':
          g_string_append_c (out, '\n');
          break;
        case 't':
          g_string_append_c (out, '\t');
          break;
        default:
          /* \u escapes and the like: leave it to the full parser. */
          g_string_free (out, TRUE);
          return NULL;
        }
    }
  if (*p != '"')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/**
 * anx_chain_model_item_get_metered_wh:
 * @item: an item of a chain model
 * @wh: (out): the energy the meter signed for the session, in Wh
 *
 * Decodes the record's signed data (tens of microseconds: call it for
 * what is shown).
 *
 * Returns: whether the record carries signed start and stop readings
 */
gboolean
anx_chain_model_item_get_metered_wh (AnxStoreItem *item,
                                     double       *wh)
{
  const char *text = anx_store_item_get_string (item, "ocmf");
  g_autoptr(AnxOcmf) ocmf = NULL;
  double start, stop;

  if (text == NULL)
    return FALSE;
  ocmf = anx_ocmf_parse (text, -1, NULL);
  if (ocmf == NULL || !anx_ocmf_get_transaction_energy (ocmf, &start, &stop, NULL))
    return FALSE;
  *wh = stop - start;
  return TRUE;
}

static GPtrArray *
load_page (AnxChainModel *self,
           guint          page)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;

  self->n_page_loads++;
  if (page >= self->starts->len ||
      sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT r.sequence, r.kind, r.recorded_at_us, r.meter_serial, "
                          "r.billed_wh, r.amount_fen, r.checks, r.n_findings, r.accepted, "
                          "lower(hex(r.hash)) AS hash, "
                          "(SELECT group_concat(f.code, ' ') FROM findings f WHERE "
                          "f.charger_code = r.charger_code AND f.sequence = r.sequence AND "
                          "f.hash = r.hash) AS findings, "
                          "(SELECT group_concat(f.code || char(31) || f.message, char(30)) "
                          "FROM findings f WHERE f.charger_code = r.charger_code AND "
                          "f.sequence = r.sequence AND f.hash = r.hash) AS messages, "
                          "CASE WHEN r.kind = 'charge' THEN r.json END AS json "
                          "FROM records r WHERE r.charger_code = ?1 AND "
                          "(r.sequence, r.hash) >= (?2, ?3) ORDER BY r.sequence, r.hash LIMIT ?4",
                          -1, &stmt, NULL) != SQLITE_OK)
    return items;
  sqlite3_bind_text (stmt, 1, self->charger, -1, SQLITE_STATIC);
  bind_key (stmt, 2, &g_array_index (self->starts, Key, page));
  sqlite3_bind_int (stmt, 4, ANX_CHAIN_MODEL_PAGE);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GVariantBuilder builder;
      g_autofree char *key = NULL;
      int n_columns = sqlite3_column_count (stmt);

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      for (int i = 0; i < n_columns - 1; i++)
        {
          const char *name = sqlite3_column_name (stmt, i);

          if (sqlite3_column_type (stmt, i) == SQLITE_INTEGER)
            g_variant_builder_add (&builder, "{sv}", name,
                                   g_variant_new_int64 (sqlite3_column_int64 (stmt, i)));
          else if (sqlite3_column_type (stmt, i) == SQLITE_TEXT)
            g_variant_builder_add (&builder, "{sv}", name,
                                   g_variant_new_string ((const char *) sqlite3_column_text (stmt, i)));
        }
      /* The signed data only: rows decode it when they are drawn (a page
       * is read in a frame, decoding all of it would not fit). */
      if (sqlite3_column_type (stmt, n_columns - 1) == SQLITE_TEXT)
        {
          const char *json = (const char *) sqlite3_column_text (stmt, n_columns - 1);
          g_autofree char *ocmf = extract_ocmf (json);

          if (ocmf == NULL)
            {
              g_autoptr(AnxChainRecord) record = anx_chain_record_new_from_json (json, -1, NULL);

              if (record != NULL && anx_chain_record_get_ocmf (record) != NULL)
                ocmf = g_strdup (anx_chain_record_get_ocmf (record));
            }
          if (ocmf != NULL)
            g_variant_builder_add (&builder, "{sv}", "ocmf", g_variant_new_take_string (g_steal_pointer (&ocmf)));
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
  guint index, page;
  GPtrArray *items;

  if (position >= self->n_items)
    return NULL;
  /* Newest first: position 0 is the last record in (sequence, hash) order. */
  index = self->n_items - 1 - position;
  page = index / ANX_CHAIN_MODEL_PAGE;
  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (items == NULL)
    {
      items = load_page (self, page);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
      g_queue_push_head (&self->lru, GUINT_TO_POINTER (page));
      while (g_queue_get_length (&self->lru) > MAX_PAGES)
        g_hash_table_remove (self->pages, g_queue_pop_tail (&self->lru));
    }
  else if (g_queue_peek_head (&self->lru) != GUINT_TO_POINTER (page))
    {
      g_queue_remove (&self->lru, GUINT_TO_POINTER (page));
      g_queue_push_head (&self->lru, GUINT_TO_POINTER (page));
    }
  if (index % ANX_CHAIN_MODEL_PAGE >= items->len)
    return NULL;
  return g_object_ref (items->pdata[index % ANX_CHAIN_MODEL_PAGE]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
drop_page (AnxChainModel *self,
           guint          page)
{
  if (g_hash_table_remove (self->pages, GUINT_TO_POINTER (page)))
    g_queue_remove (&self->lru, GUINT_TO_POINTER (page));
}

static void
on_store_changed (AnxStore *store,
                  guint     changes,
                  gpointer  user_data)
{
  AnxChainModel *self = user_data;
  guint old = self->n_items;
  gint64 n, newer;

  if ((changes & ANX_STORE_CHANGED_RECORDS) == 0)
    return;
  n = count_records (self);
  if (n == old)
    return;
  newer = old > 0 ? count_after (self, &self->top) : n;
  if (old > 0 && n > old && newer == n - old)
    {
      /* The chain grew at its head: only the newest page changes. */
      guint last = (old - 1) / ANX_CHAIN_MODEL_PAGE;
      Key from = g_array_index (self->starts, Key, last);

      drop_page (self, last);
      self->n_items = last * ANX_CHAIN_MODEL_PAGE + scan_keys (self, &from, last * ANX_CHAIN_MODEL_PAGE);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->n_items - old);
      return;
    }
  /* A late record (a fork, a replayed gap) landed inside: start over. */
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->lru);
  self->n_items = scan_keys (self, NULL, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->n_items);
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
  g_clear_pointer (&self->starts, g_array_unref);
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
  self->starts = g_array_new (FALSE, FALSE, sizeof (Key));
  g_queue_init (&self->lru);
}

/**
 * anx_chain_model_new:
 * @store: the store
 * @charger_code: the charger
 *
 * Returns: (transfer full): the charger's chain as a list model of
 *   #AnxStoreItem, newest first (descending sequence, then hash)
 */
AnxChainModel *
anx_chain_model_new (AnxStore   *store,
                     const char *charger_code)
{
  AnxChainModel *self = g_object_new (ANX_TYPE_CHAIN_MODEL, NULL);

  self->store = g_object_ref (store);
  self->charger = g_strdup (charger_code);
  self->n_items = scan_keys (self, NULL, 0);
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

/**
 * anx_chain_model_get_n_page_loads:
 * @self: a model
 *
 * Returns: how many pages were read from the store so far (for tests)
 */
guint
anx_chain_model_get_n_page_loads (AnxChainModel *self)
{
  return self->n_page_loads;
}

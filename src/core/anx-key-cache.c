/* anx-key-cache.c: parsed meter keys, cached per meter
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-key-cache"

#include "config.h"

#include <string.h>

#include "anx-key-cache.h"

typedef struct
{
  char *lookup; /* meter id, NUL, key bytes: the hash table key */
  gsize lookup_len;
  char *meter_id;
  AnxMeterKey *key;
  GList link; /* in AnxKeyCache.lru, most recent first */
} Entry;

struct _AnxKeyCache
{
  gatomicrefcount ref_count;
  GMutex lock;
  guint max_entries;
  GHashTable *entries; /* GBytes lookup -> Entry* */
  GHashTable *latest;  /* meter id -> Entry* registered last */
  GQueue lru;
  guint64 hits;
  guint64 misses;
};

G_DEFINE_BOXED_TYPE (AnxKeyCache, anx_key_cache, anx_key_cache_ref, anx_key_cache_unref)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  anx_meter_key_unref (entry->key);
  g_free (entry->meter_id);
  g_free (entry->lookup);
  g_free (entry);
}

static guint
lookup_hash (gconstpointer key)
{
  return g_bytes_hash (key);
}

static gboolean
lookup_equal (gconstpointer a,
              gconstpointer b)
{
  return g_bytes_equal (a, b);
}

/**
 * anx_key_cache_new:
 * @max_entries: how many keys to keep, 0 for no limit
 *
 * Returns: (transfer full): an empty cache
 */
AnxKeyCache *
anx_key_cache_new (guint max_entries)
{
  AnxKeyCache *cache = g_new0 (AnxKeyCache, 1);

  g_atomic_ref_count_init (&cache->ref_count);
  g_mutex_init (&cache->lock);
  cache->max_entries = max_entries;
  cache->entries =
      g_hash_table_new_full (lookup_hash, lookup_equal, (GDestroyNotify) g_bytes_unref, entry_free);
  cache->latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&cache->lru);
  return cache;
}

/**
 * anx_key_cache_ref:
 * @cache: a cache
 *
 * Returns: (transfer full): @cache
 */
AnxKeyCache *
anx_key_cache_ref (AnxKeyCache *cache)
{
  g_return_val_if_fail (cache != NULL, NULL);

  g_atomic_ref_count_inc (&cache->ref_count);
  return cache;
}

/**
 * anx_key_cache_unref:
 * @cache: (transfer full): a cache
 *
 * Drops a reference; the last one frees the cache (keys handed out stay
 * valid, they have their own references).
 */
void
anx_key_cache_unref (AnxKeyCache *cache)
{
  g_return_if_fail (cache != NULL);

  if (!g_atomic_ref_count_dec (&cache->ref_count))
    return;

  g_hash_table_unref (cache->latest);
  g_hash_table_unref (cache->entries);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

static GBytes *
make_lookup (const char   *meter_id,
             const guint8 *key_bytes,
             gsize         key_len)
{
  gsize id_len = strlen (meter_id);
  guint8 *buf = g_malloc (id_len + 1 + key_len);

  memcpy (buf, meter_id, id_len + 1);
  if (key_len > 0)
    memcpy (buf + id_len + 1, key_bytes, key_len);
  return g_bytes_new_take (buf, id_len + 1 + key_len);
}

/* Called with the lock held. */
static void
remove_entry (AnxKeyCache *cache,
              Entry       *entry)
{
  g_autoptr(GBytes) lookup = g_bytes_new (entry->lookup, entry->lookup_len);

  g_queue_unlink (&cache->lru, &entry->link);
  if (g_hash_table_lookup (cache->latest, entry->meter_id) == entry)
    g_hash_table_remove (cache->latest, entry->meter_id);
  g_hash_table_remove (cache->entries, lookup);
}

static AnxMeterKey *
cache_get (AnxKeyCache   *cache,
           const char    *meter_id,
           GBytes        *lookup,
           const char    *key_text,
           const guint8  *der,
           gsize          der_len,
           GError       **error)
{
  g_autoptr(AnxMeterKey) key = NULL;
  Entry *entry;

  g_mutex_lock (&cache->lock);
  entry = g_hash_table_lookup (cache->entries, lookup);
  if (entry != NULL)
    {
      cache->hits++;
      g_queue_unlink (&cache->lru, &entry->link);
      g_queue_push_head_link (&cache->lru, &entry->link);
      key = anx_meter_key_ref (entry->key);
      g_mutex_unlock (&cache->lock);
      return g_steal_pointer (&key);
    }
  cache->misses++;
  g_mutex_unlock (&cache->lock);

  /* Parse without the lock, so one slow key does not stall the others. */
  if (key_text != NULL)
    key = anx_meter_key_new_from_text (key_text, error);
  else
    key = anx_meter_key_new_from_der (der, der_len, error);
  if (key == NULL)
    return NULL;

  g_mutex_lock (&cache->lock);
  entry = g_hash_table_lookup (cache->entries, lookup);
  if (entry == NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (lookup, &len);

      entry = g_new0 (Entry, 1);
      entry->lookup = g_memdup2 (data, len);
      entry->lookup_len = len;
      entry->meter_id = g_strdup (meter_id);
      entry->key = anx_meter_key_ref (key);
      entry->link.data = entry;
      g_hash_table_insert (cache->entries, g_bytes_ref (lookup), entry);
      g_queue_push_head_link (&cache->lru, &entry->link);

      while (cache->max_entries > 0 && cache->lru.length > cache->max_entries)
        remove_entry (cache, cache->lru.tail->data);
    }
  else
    {
      /* Another thread parsed the same key meanwhile: share its object. */
      g_clear_pointer (&key, anx_meter_key_unref);
      key = anx_meter_key_ref (entry->key);
    }
  g_hash_table_replace (cache->latest, g_strdup (meter_id), entry);
  g_mutex_unlock (&cache->lock);

  return g_steal_pointer (&key);
}

/**
 * anx_key_cache_get:
 * @cache: a cache
 * @meter_id: the meter's identity (e.g. its serial)
 * @key_text: its registered key as hex, base64 or PEM
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Returns the parsed key, parsing it only the first time this meter is seen
 * with these key bytes. Also makes it the meter's current key for
 * anx_key_cache_lookup().
 *
 * Returns: (transfer full): the key, or %NULL if @key_text is not a key
 */
AnxMeterKey *
anx_key_cache_get (AnxKeyCache  *cache,
                   const char   *meter_id,
                   const char   *key_text,
                   GError      **error)
{
  g_autoptr(GBytes) lookup = NULL;

  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (meter_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (key_text == NULL)
    key_text = "";
  lookup = make_lookup (meter_id, (const guint8 *) key_text, strlen (key_text));
  return cache_get (cache, meter_id, lookup, key_text, NULL, 0, error);
}

/**
 * anx_key_cache_get_der:
 * @cache: a cache
 * @meter_id: the meter's identity
 * @der: its registered key, DER SubjectPublicKeyInfo
 * @der_len: the length of @der
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Like anx_key_cache_get(), for a key given as bytes.
 *
 * Returns: (transfer full): the key, or %NULL
 */
AnxMeterKey *
anx_key_cache_get_der (AnxKeyCache   *cache,
                       const char    *meter_id,
                       const guint8  *der,
                       gsize          der_len,
                       GError       **error)
{
  g_autoptr(GBytes) lookup = NULL;

  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (meter_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A leading 0x01 keeps DER lookups apart from text lookups. */
  {
    g_autofree guint8 *tagged = g_malloc (der_len + 1);

    tagged[0] = 0x01;
    if (der_len > 0)
      memcpy (tagged + 1, der, der_len);
    lookup = make_lookup (meter_id, tagged, der_len + 1);
  }
  return cache_get (cache, meter_id, lookup, NULL, der, der_len, error);
}

/**
 * anx_key_cache_lookup:
 * @cache: a cache
 * @meter_id: the meter's identity
 *
 * Returns: (transfer full) (nullable): the key last passed for @meter_id to
 *   anx_key_cache_get(), or %NULL
 */
AnxMeterKey *
anx_key_cache_lookup (AnxKeyCache *cache,
                      const char  *meter_id)
{
  AnxMeterKey *key = NULL;
  Entry *entry;

  g_return_val_if_fail (cache != NULL, NULL);
  g_return_val_if_fail (meter_id != NULL, NULL);

  g_mutex_lock (&cache->lock);
  entry = g_hash_table_lookup (cache->latest, meter_id);
  if (entry != NULL)
    {
      cache->hits++;
      key = anx_meter_key_ref (entry->key);
    }
  else
    cache->misses++;
  g_mutex_unlock (&cache->lock);
  return key;
}

/**
 * anx_key_cache_remove_meter:
 * @cache: a cache
 * @meter_id: the meter's identity
 *
 * Forgets every key of @meter_id (e.g. after a meter exchange).
 */
void
anx_key_cache_remove_meter (AnxKeyCache *cache,
                            const char  *meter_id)
{
  GList *l;

  g_return_if_fail (cache != NULL);
  g_return_if_fail (meter_id != NULL);

  g_mutex_lock (&cache->lock);
  l = cache->lru.head;
  while (l != NULL)
    {
      Entry *entry = l->data;

      l = l->next;
      if (g_str_equal (entry->meter_id, meter_id))
        remove_entry (cache, entry);
    }
  g_mutex_unlock (&cache->lock);
}

/**
 * anx_key_cache_clear:
 * @cache: a cache
 *
 * Forgets all keys; statistics are kept.
 */
void
anx_key_cache_clear (AnxKeyCache *cache)
{
  g_return_if_fail (cache != NULL);

  g_mutex_lock (&cache->lock);
  g_hash_table_remove_all (cache->latest);
  g_queue_init (&cache->lru);
  g_hash_table_remove_all (cache->entries);
  g_mutex_unlock (&cache->lock);
}

/**
 * anx_key_cache_get_size:
 * @cache: a cache
 *
 * Returns: the number of cached keys
 */
guint
anx_key_cache_get_size (AnxKeyCache *cache)
{
  guint size;

  g_return_val_if_fail (cache != NULL, 0);

  g_mutex_lock (&cache->lock);
  size = g_hash_table_size (cache->entries);
  g_mutex_unlock (&cache->lock);
  return size;
}

/**
 * anx_key_cache_get_stats:
 * @cache: a cache
 * @hits: (out) (optional): look-ups answered from the cache
 * @misses: (out) (optional): look-ups that had to parse (or found nothing)
 */
void
anx_key_cache_get_stats (AnxKeyCache *cache,
                         guint64     *hits,
                         guint64     *misses)
{
  g_return_if_fail (cache != NULL);

  g_mutex_lock (&cache->lock);
  if (hits != NULL)
    *hits = cache->hits;
  if (misses != NULL)
    *misses = cache->misses;
  g_mutex_unlock (&cache->lock);
}

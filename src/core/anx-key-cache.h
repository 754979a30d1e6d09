/* anx-key-cache.h: parsed meter keys, cached per meter
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "anx-meter-key.h"

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */

#define ANX_TYPE_KEY_CACHE (anx_key_cache_get_type ())

/**
 * AnxKeyCache:
 *
 * A thread-safe, reference-counted cache of parsed #AnxMeterKey objects,
 * keyed by meter identity *and* the key bytes as registered, so that a
 * meter whose key is replaced (meter exchange) never verifies with the old
 * key by accident. Bounded: when full, the least recently used entry goes.
 */
typedef struct _AnxKeyCache AnxKeyCache;

GType         anx_key_cache_get_type     (void) G_GNUC_CONST;

AnxKeyCache  *anx_key_cache_new          (guint         max_entries);
AnxKeyCache  *anx_key_cache_ref          (AnxKeyCache  *cache);
void          anx_key_cache_unref        (AnxKeyCache  *cache);

AnxMeterKey  *anx_key_cache_get          (AnxKeyCache  *cache,
                                          const char   *meter_id,
                                          const char   *key_text,
                                          GError      **error);
AnxMeterKey  *anx_key_cache_get_der      (AnxKeyCache  *cache,
                                          const char   *meter_id,
                                          const guint8 *der,
                                          gsize         der_len,
                                          GError      **error);
AnxMeterKey  *anx_key_cache_lookup       (AnxKeyCache  *cache,
                                          const char   *meter_id);
void          anx_key_cache_remove_meter (AnxKeyCache  *cache,
                                          const char   *meter_id);
void          anx_key_cache_clear        (AnxKeyCache  *cache);
guint         anx_key_cache_get_size     (AnxKeyCache  *cache);
void          anx_key_cache_get_stats    (AnxKeyCache  *cache,
                                          guint64      *hits,
                                          guint64      *misses);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxKeyCache, anx_key_cache_unref)

/* clang-format on */

G_END_DECLS

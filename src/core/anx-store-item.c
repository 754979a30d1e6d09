/* anx-store-item.c: one row of the store, as an item of a list model
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Immutable: a changed row is a new item, so a list view redraws exactly
 * the rows whose items changed.
 */

#define G_LOG_DOMAIN "anx-store-item"

#include "config.h"

#include "anx-store-item.h"

struct _AnxStoreItem
{
  GObject parent_instance;

  char *key;
  GVariant *row; /* a{sv} */
};

G_DEFINE_FINAL_TYPE (AnxStoreItem, anx_store_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
anx_store_item_finalize (GObject *object)
{
  AnxStoreItem *self = ANX_STORE_ITEM (object);

  g_free (self->key);
  g_clear_pointer (&self->row, g_variant_unref);

  G_OBJECT_CLASS (anx_store_item_parent_class)->finalize (object);
}

static void
anx_store_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AnxStoreItem *self = ANX_STORE_ITEM (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_store_item_class_init (AnxStoreItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = anx_store_item_finalize;
  object_class->get_property = anx_store_item_get_property;

  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
anx_store_item_init (AnxStoreItem *self)
{
}

/**
 * anx_store_item_new:
 * @key: the row's identity in its model
 * @row: (transfer floating): the columns, `a{sv}`
 *
 * Returns: (transfer full): an item
 */
AnxStoreItem *
anx_store_item_new (const char *key,
                    GVariant   *row)
{
  AnxStoreItem *self = g_object_new (ANX_TYPE_STORE_ITEM, NULL);

  self->key = g_strdup (key);
  self->row = g_variant_ref_sink (row);
  return self;
}

/**
 * anx_store_item_get_key:
 * @self: an item
 *
 * Returns: its identity
 */
const char *
anx_store_item_get_key (AnxStoreItem *self)
{
  return self->key;
}

/**
 * anx_store_item_get_row:
 * @self: an item
 *
 * Returns: (transfer none): its columns, `a{sv}`
 */
GVariant *
anx_store_item_get_row (AnxStoreItem *self)
{
  return self->row;
}

/**
 * anx_store_item_equal_row:
 * @self: an item
 * @row: columns
 *
 * Returns: whether @row holds the same values
 */
gboolean
anx_store_item_equal_row (AnxStoreItem *self,
                          GVariant     *row)
{
  return g_variant_equal (self->row, row);
}

/**
 * anx_store_item_get_string:
 * @self: an item
 * @column: a column
 *
 * Returns: (nullable): the column's text
 */
const char *
anx_store_item_get_string (AnxStoreItem *self,
                           const char   *column)
{
  const char *value = NULL;

  if (!g_variant_lookup (self->row, column, "&s", &value))
    return NULL;
  return value;
}

/**
 * anx_store_item_get_int:
 * @self: an item
 * @column: a column
 *
 * Returns: the column's integer, 0 if it is NULL or absent
 */
gint64
anx_store_item_get_int (AnxStoreItem *self,
                        const char   *column)
{
  gint64 value = 0;

  g_variant_lookup (self->row, column, "x", &value);
  return value;
}

/**
 * anx_store_item_get_double:
 * @self: an item
 * @column: a column
 *
 * Returns: the column's number, 0 if it is NULL or absent
 */
double
anx_store_item_get_double (AnxStoreItem *self,
                           const char   *column)
{
  double value = 0;

  if (!g_variant_lookup (self->row, column, "d", &value))
    return (double) anx_store_item_get_int (self, column);
  return value;
}

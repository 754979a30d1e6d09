/* anx-store-item.c: one row of the store, as an item of a list model
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Immutable: a changed row is a new item, so a list view redraws exactly
 * the rows whose items changed. The row's columns are indexed once when the
 * item is made: sorting and filtering look values up many times per item,
 * and g_variant_lookup() would make a GVariant for every entry it passes.
 */

#define G_LOG_DOMAIN "anx-store-item"

#include "config.h"

#include <string.h>

#include "anx-store-item.h"

typedef struct
{
  const char *name;  /* points into row */
  char type;         /* 'x', 'd' or 's' */
  union
  {
    gint64 i;
    double d;
    const char *s;   /* points into row */
  } value;
} Column;

struct _AnxStoreItem
{
  GObject parent_instance;

  char *key;
  GVariant *row; /* a{sv}, serialised: the columns point into its data */
  Column *columns;
  guint n_columns;
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
  g_free (self->columns);
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

  GVariantIter iter;
  const char *name;
  GVariant *value;

  self->key = g_strdup (key);
  self->row = g_variant_ref_sink (row);
  /* Serialised now, so that the strings below stay where they are for the
   * row's lifetime (serialising later would free a tree's children). */
  g_variant_get_data (self->row);
  self->columns = g_new (Column, g_variant_n_children (self->row));
  g_variant_iter_init (&iter, self->row);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      Column *column = &self->columns[self->n_columns];

      column->name = name;
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          column->type = 'x';
          column->value.i = g_variant_get_int64 (value);
          self->n_columns++;
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          column->type = 'd';
          column->value.d = g_variant_get_double (value);
          self->n_columns++;
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          column->type = 's';
          column->value.s = g_variant_get_string (value, NULL);
          self->n_columns++;
        }
      g_variant_unref (value);
    }
  return self;
}

static const Column *
find_column (AnxStoreItem *self,
             const char   *name)
{
  for (guint i = 0; i < self->n_columns; i++)
    if (self->columns[i].name[0] == name[0] && strcmp (self->columns[i].name, name) == 0)
      return &self->columns[i];
  return NULL;
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
  const Column *found = find_column (self, column);

  return found != NULL && found->type == 's' ? found->value.s : NULL;
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
  const Column *found = find_column (self, column);

  return found != NULL && found->type == 'x' ? found->value.i : 0;
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
  const Column *found = find_column (self, column);

  if (found != NULL && found->type == 'd')
    return found->value.d;
  return found != NULL && found->type == 'x' ? (double) found->value.i : 0;
}

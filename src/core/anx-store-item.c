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
  const char *name;  /* in text */
  char type;         /* 'x', 'd' or 's' */
  union
  {
    gint64 i;
    double d;
    const char *s;   /* in text */
  } value;
} Column;

struct _AnxStoreItem
{
  GObject parent_instance;

  char *key;
  Column *columns;
  guint n_columns;
  char *text;    /* the column names and string values, one block */
  GVariant *row; /* a{sv}, made when asked for */
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
  g_free (self->text);
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
  g_autoptr(GVariant) owned = g_variant_ref_sink (row);
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gsize size = 0;
  char *at;

  self->key = g_strdup (key);
  self->columns = g_new (Column, g_variant_n_children (owned));
  g_variant_iter_init (&iter, owned);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      size += strlen (name) + 1;
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        size += strlen (g_variant_get_string (value, NULL)) + 1;
      g_variant_unref (value);
    }
  at = self->text = g_malloc (MAX (size, 1));
  g_variant_iter_init (&iter, owned);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      Column *column = &self->columns[self->n_columns];

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        {
          column->type = 'x';
          column->value.i = g_variant_get_int64 (value);
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          column->type = 'd';
          column->value.d = g_variant_get_double (value);
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          column->type = 's';
          column->value.s = at;
          at = g_stpcpy (at, g_variant_get_string (value, NULL)) + 1;
        }
      else
        {
          g_variant_unref (value);
          continue;
        }
      column->name = at;
      at = g_stpcpy (at, name) + 1;
      self->n_columns++;
      g_variant_unref (value);
    }
  self->row = g_steal_pointer (&owned);
  return self;
}

/**
 * anx_store_item_new_from_statement:
 * @stmt: a statement on a row: the key, then the columns
 *
 * Reads the row without going through GVariant: integers, reals, UTF-8 text
 * and blobs (as lower-case hex); NULL and invalid text are left out, as
 * if the column were absent.
 *
 * Returns: (transfer full) (nullable): an item, %NULL if the key is NULL
 */
AnxStoreItem *
anx_store_item_new_from_statement (sqlite3_stmt *stmt)
{
  static const char hex[] = "0123456789abcdef";
  int n = sqlite3_column_count (stmt);
  const char *key = (const char *) sqlite3_column_text (stmt, 0);
  AnxStoreItem *self;
  gsize size = 0;
  char *at;

  if (key == NULL)
    return NULL;

  self = g_object_new (ANX_TYPE_STORE_ITEM, NULL);
  self->key = g_strdup (key);
  self->columns = g_new (Column, MAX (n - 1, 1));
  /* Text first (sqlite3_column_bytes after the conversion), then sizes. */
  for (int i = 1; i < n; i++)
    {
      int type = sqlite3_column_type (stmt, i);

      if (type == SQLITE_NULL)
        continue;
      size += strlen (sqlite3_column_name (stmt, i)) + 1;
      if (type == SQLITE_TEXT)
        {
          sqlite3_column_text (stmt, i);
          size += sqlite3_column_bytes (stmt, i) + 1;
        }
      else if (type == SQLITE_BLOB)
        size += 2 * (gsize) sqlite3_column_bytes (stmt, i) + 1;
    }
  at = self->text = g_malloc (MAX (size, 1));
  for (int i = 1; i < n; i++)
    {
      Column *column = &self->columns[self->n_columns];

      switch (sqlite3_column_type (stmt, i))
        {
        case SQLITE_INTEGER:
          column->type = 'x';
          column->value.i = sqlite3_column_int64 (stmt, i);
          break;

        case SQLITE_FLOAT:
          column->type = 'd';
          column->value.d = sqlite3_column_double (stmt, i);
          break;

        case SQLITE_TEXT:
          {
            const char *text = (const char *) sqlite3_column_text (stmt, i);
            int bytes = sqlite3_column_bytes (stmt, i);

            if (!g_utf8_validate_len (text, bytes, NULL) || memchr (text, '\0', bytes) != NULL)
              continue;
            column->type = 's';
            column->value.s = at;
            memcpy (at, text, bytes);
            at[bytes] = '\0';
            at += bytes + 1;
          }
          break;

        case SQLITE_BLOB:
          {
            const guint8 *blob = sqlite3_column_blob (stmt, i);
            int bytes = sqlite3_column_bytes (stmt, i);

            column->type = 's';
            column->value.s = at;
            for (int j = 0; j < bytes; j++)
              {
                *at++ = hex[blob[j] >> 4];
                *at++ = hex[blob[j] & 0xf];
              }
            *at++ = '\0';
          }
          break;

        case SQLITE_NULL:
        default:
          continue;
        }
      column->name = at;
      at = g_stpcpy (at, sqlite3_column_name (stmt, i)) + 1;
      self->n_columns++;
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
  if (self->row == NULL)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      for (guint i = 0; i < self->n_columns; i++)
        {
          const Column *column = &self->columns[i];
          GVariant *value = column->type == 'x'   ? g_variant_new_int64 (column->value.i)
                            : column->type == 'd' ? g_variant_new_double (column->value.d)
                                                  : g_variant_new_string (column->value.s);

          g_variant_builder_add (&builder, "{sv}", column->name, value);
        }
      self->row = g_variant_ref_sink (g_variant_builder_end (&builder));
    }
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
  return g_variant_equal (anx_store_item_get_row (self), row);
}

/**
 * anx_store_item_equal:
 * @self: an item
 * @other: another item
 *
 * Returns: whether both have the same key and the same columns, in the same
 *   order, with the same values
 */
gboolean
anx_store_item_equal (AnxStoreItem *self,
                      AnxStoreItem *other)
{
  if (self->n_columns != other->n_columns || g_strcmp0 (self->key, other->key) != 0)
    return FALSE;
  for (guint i = 0; i < self->n_columns; i++)
    {
      const Column *a = &self->columns[i], *b = &other->columns[i];

      if (a->type != b->type || strcmp (a->name, b->name) != 0)
        return FALSE;
      if ((a->type == 'x' && a->value.i != b->value.i) ||
          (a->type == 'd' && memcmp (&a->value.d, &b->value.d, sizeof (double)) != 0) ||
          (a->type == 's' && strcmp (a->value.s, b->value.s) != 0))
        return FALSE;
    }
  return TRUE;
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

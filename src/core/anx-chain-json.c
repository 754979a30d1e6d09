/* anx-chain-json.c: strict JSON reading shared by records and bundles
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-chain-json"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "anx-chain-json.h"
#include "anx-chain-record.h"

gboolean
anx_chain_json_hex_decode (const char *hex,
                           guint8     *out,
                           gsize       out_len)
{
  for (gsize i = 0; i < out_len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = hi < 0 ? -1 : g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* JSON ------------------------------------------------------------------ */

/* json-glib silently truncates strings at an escaped U+0000, wraps integers
 * that overflow 64 bits and keeps the last of duplicate members. Each would
 * let two implementations read different records from the same bytes, so
 * the text is scanned for them before json-glib parses it. */

typedef struct
{
  gboolean is_object;
  gboolean expecting_key;
  GHashTable *keys;
} ScanLevel;

static void
scan_level_clear (gpointer data)
{
  ScanLevel *level = data;

  g_clear_pointer (&level->keys, g_hash_table_unref);
}

/* Deeper than any record or bundle needs; checked before json-glib, whose
 * parser recurses, sees the text */
#define MAX_DEPTH 64

static gboolean
prescan (const char  *text,
         gsize        length,
         gboolean     depth_only,
         GError     **error)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (ScanLevel));
  guint line = 1;
  const char *line_start = text;
  gsize i = 0;

  g_array_set_clear_func (stack, scan_level_clear);

#define SCAN_FAIL(...)                                                                  \
  G_STMT_START                                                                          \
  {                                                                                     \
    g_autofree char *what_ = g_strdup_printf (__VA_ARGS__);                             \
    g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON,    \
                 _("line %u, column %u: %s"), line,                                    \
                 (guint) g_utf8_strlen (line_start, text + i - line_start) + 1, what_); \
    return FALSE;                                                                       \
  }                                                                                     \
  G_STMT_END

  while (i < length)
    {
      char c = text[i];

      if (c == '\n')
        {
          line++;
          i++;
          line_start = text + i;
        }
      else if (c == '{' || c == '[')
        {
          ScanLevel level = { c == '{', c == '{', NULL };

          if (stack->len >= MAX_DEPTH)
            SCAN_FAIL (_("nested too deeply"));
          level.expecting_key = level.expecting_key && !depth_only;
          if (level.is_object && !depth_only)
            level.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_array_append_val (stack, level);
          i++;
        }
      else if (c == '}' || c == ']')
        {
          if (stack->len > 0)
            g_array_set_size (stack, stack->len - 1);
          i++;
        }
      else if (c == ',')
        {
          if (stack->len > 0)
            {
              ScanLevel *top = &g_array_index (stack, ScanLevel, stack->len - 1);

              top->expecting_key = top->is_object && !depth_only;
            }
          i++;
        }
      else if (c == '"')
        {
          gsize start = i;
          g_autoptr(GString) key = NULL;
          ScanLevel *top =
              stack->len > 0 ? &g_array_index (stack, ScanLevel, stack->len - 1) : NULL;
          gboolean is_key = top != NULL && top->expecting_key;

          if (is_key)
            key = g_string_new (NULL);
          i++;
          while (i < length && text[i] != '"')
            {
              if (text[i] == '\\' && i + 1 < length)
                {
                  if (!depth_only && text[i + 1] == 'u' && i + 5 < length &&
                      strncmp (text + i + 2, "0000", 4) == 0)
                    SCAN_FAIL (_("strings must not contain U+0000"));
                  if (key != NULL)
                    g_string_append_len (key, text + i, 2);
                  i += 2;
                }
              else
                {
                  if (key != NULL)
                    g_string_append_c (key, text[i]);
                  i++;
                }
            }
          i++;
          if (is_key)
            {
              top->expecting_key = FALSE;
              if (g_hash_table_contains (top->keys, key->str))
                {
                  i = start;
                  SCAN_FAIL (_("member “%s” appears twice"), key->str);
                }
              g_hash_table_add (top->keys, g_string_free (g_steal_pointer (&key), FALSE));
            }
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize start = i;
          guint digits = 0;
          gboolean integer = TRUE;

          if (c == '-')
            i++;
          while (i < length && (g_ascii_isdigit (text[i]) || strchr (".eE+-", text[i]) != NULL))
            {
              if (g_ascii_isdigit (text[i]))
                digits++;
              else
                integer = FALSE;
              i++;
            }
          if (integer && digits > 16 && !depth_only)
            {
              i = start;
              SCAN_FAIL (_("number too large"));
            }
        }
      else
        i++;
    }

#undef SCAN_FAIL

  return TRUE;
}

/**
 * anx_chain_json_parse_strict:
 * @text: JSON text
 * @length: its length, or -1 if nul-terminated
 * @error: return location for an %ANX_CHAIN_RECORD_ERROR
 *
 * Parses JSON for records and evidence bundles: like json_parser_load_from_data()
 * but refusing duplicate members, escaped U+0000 in strings and integers of
 * more than 16 digits, which json-glib would otherwise accept silently and
 * differently from other implementations. Errors name the line and column.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 */
JsonNode *
anx_chain_json_parse_strict (const char  *text,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize len = length < 0 ? strlen (text) : (gsize) length;
  JsonNode *root;

  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error_literal (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON,
                           _("the text contains a NUL byte"));
      return NULL;
    }

  if (!prescan (text, len, TRUE, error))
    return NULL;

  if (!json_parser_load_from_data (parser, text, (gssize) len, &local_error))
    {
      const char *message = local_error->message;

      /* json-glib says "<data>:LINE:COL: Parse error: ..."; keep the position */
      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "%s",
                   message);
      return NULL;
    }

  if (!prescan (text, len, FALSE, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON,
                           _("the text is empty"));
      return NULL;
    }
  return json_node_ref (root);
}

char *
anx_chain_json_member_path (const char *path,
                            const char *name)
{
  return path != NULL && *path != '\0' ? g_strconcat (path, ".", name, NULL) : g_strdup (name);
}

gboolean
anx_chain_json_check_members (JsonObject         *object,
                              const char         *path,
                              const char *const  *allowed,
                              GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *where = anx_chain_json_member_path (path, l->data);

          g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER,
                       _("%s: unknown member"), where);
          return FALSE;
        }
    }
  return TRUE;
}

/* Returns the member, NULL if absent (error set only when required) */
JsonNode *
anx_chain_json_get_member (JsonObject  *object,
                           const char  *path,
                           const char  *name,
                           gboolean     required,
                           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && required)
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_MISSING_MEMBER,
                   _("%s: missing"), where);
    }
  return node;
}

void
anx_chain_json_wrong_type (GError     **error,
                           const char  *path,
                           const char  *name,
                           const char  *expected)
{
  g_autofree char *where = anx_chain_json_member_path (path, name);

  g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
               _("%s: expected %s"), where, expected);
}

gboolean
anx_chain_json_read_string (JsonObject  *object,
                            const char  *path,
                            const char  *name,
                            gboolean     required,
                            gboolean     allow_empty,
                            char       **out,
                            GError     **error)
{
  JsonNode *node = anx_chain_json_get_member (object, path, name, required, error);
  const char *value;

  if (node == NULL)
    {
      *out = g_strdup ("");
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      anx_chain_json_wrong_type (error, path, name, _("a string"));
      return FALSE;
    }
  value = json_node_get_string (node);
  if (!allow_empty && *value == '\0')
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: must not be empty"), where);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: not valid UTF-8"), where);
      return FALSE;
    }
  *out = g_strdup (value);
  return TRUE;
}

gboolean
anx_chain_json_read_integer (JsonObject  *object,
                             const char  *path,
                             const char  *name,
                             gint64       min,
                             gint64       max,
                             gint64      *out,
                             GError     **error)
{
  JsonNode *node = anx_chain_json_get_member (object, path, name, TRUE, error);
  gint64 value;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      anx_chain_json_wrong_type (error, path, name, _("an integer"));
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);
      /* numbers as text: xgettext cannot see through G_GINT64_FORMAT */
      g_autofree char *value_text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      g_autofree char *min_text = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *max_text = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: %s is out of range (%s to %s)"), where, value_text, min_text, max_text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

GDateTime *
anx_chain_json_read_time (JsonObject  *object,
                          const char  *path,
                          const char  *name,
                          GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  GDateTime *time;

  if (!anx_chain_json_read_string (object, path, name, TRUE, FALSE, &text, error))
    return NULL;
  time = anx_chain_parse_time (text, &local_error);
  if (time == NULL)
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "%s: %s",
                   where, local_error->message);
    }
  return time;
}

gboolean
anx_chain_json_read_hash (JsonObject  *object,
                          const char  *path,
                          const char  *name,
                          gboolean     required,
                          guint8      *hash,
                          gboolean    *present,
                          GError     **error)
{
  g_autofree char *text = NULL;

  *present = FALSE;
  if (!required && json_object_get_member (object, name) == NULL)
    return TRUE;
  if (!anx_chain_json_read_string (object, path, name, required, FALSE, &text, error))
    return FALSE;
  if (!anx_chain_hash_from_hex (text, hash))
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: expected 64 lower-case hexadecimal digits"), where);
      return FALSE;
    }
  *present = TRUE;
  return TRUE;
}

GBytes *
anx_chain_json_read_hex_bytes (JsonObject  *object,
                               const char  *path,
                               const char  *name,
                               gboolean     required,
                               GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree guint8 *data = NULL;
  gsize len;

  if (!anx_chain_json_read_string (object, path, name, required, !required, &text, error))
    return NULL;
  len = strlen (text);
  data = g_malloc (len / 2 + 1);
  if (len % 2 != 0 || !anx_chain_json_hex_decode (text, data, len / 2))
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: expected hexadecimal digits"), where);
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      {
        g_autofree char *where = anx_chain_json_member_path (path, name);

        g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                     _("%s: hexadecimal digits must be lower case"), where);
        return NULL;
      }
  return g_bytes_new_take (g_steal_pointer (&data), len / 2);
}

JsonObject *
anx_chain_json_read_object (JsonObject  *object,
                            const char  *path,
                            const char  *name,
                            GError     **error)
{
  JsonNode *node = anx_chain_json_get_member (object, path, name, TRUE, error);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      anx_chain_json_wrong_type (error, path, name, _("an object"));
      return NULL;
    }
  return json_node_get_object (node);
}

gboolean
anx_chain_json_read_string_list (JsonObject  *object,
                                 const char  *path,
                                 const char  *name,
                                 GPtrArray   *out,
                                 GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      anx_chain_json_wrong_type (error, path, name, _("an array of strings"));
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          *json_node_get_string (element) == '\0')
        {
          g_autofree char *where = anx_chain_json_member_path (path, name);

          g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
                       _("%s[%u]: expected a non-empty string"), where, i);
          return FALSE;
        }
      g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
    }
  return TRUE;
}

/* @names is indexed by enum value, [0] unused, NULL-terminated */
int
anx_chain_json_name_lookup (const char *const *names,
                            const char        *name)
{
  for (guint i = 1; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return (int) i;
  return 0;
}

int
anx_chain_json_read_enum (JsonObject         *object,
                          const char         *path,
                          const char         *name,
                          const char *const  *names,
                          GError            **error)
{
  g_autofree char *text = NULL;
  int value;

  if (!anx_chain_json_read_string (object, path, name, TRUE, FALSE, &text, error))
    return 0;
  value = anx_chain_json_name_lookup (names, text);
  if (value == 0)
    {
      g_autofree char *where = anx_chain_json_member_path (path, name);
      g_autofree char *choices = g_strjoinv (", ", (char **) names + 1);

      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s: “%s” is not one of %s"), where, text, choices);
    }
  return value;
}

/* Lower-case hexadecimal of @bytes (empty for %NULL) */
char *
anx_chain_json_hex_encode (GBytes *bytes)
{
  static const char digits[] = "0123456789abcdef";
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  char *hex = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0xf];
    }
  hex[len * 2] = '\0';
  return hex;
}

/* anx-ocmf.c: parser for OCMF signed meter records
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-ocmf"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "anx-ocmf.h"

/* The record is read by our own strict JSON scanner, in one pass: it finds
 * where the payload object ends (respecting strings and escapes, so a `|`
 * in a tariff text is harmless), validates the grammar and UTF-8, refuses
 * duplicate keys, lone surrogates and deep nesting, and remembers where each
 * field's value sits, its JSON type and its text, so that errors can name
 * byte offsets and numbers keep their exact text. That pass builds no
 * json-glib objects: the fields OCMF defines are read from what it
 * remembered. The json-glib object model of the payload and the signature
 * section is built only when asked for (anx_ocmf_get_payload_object() and
 * anx_ocmf_get_reading_object()), by the same scanner run again over the
 * already validated bytes, once per record, safely from any thread. */

#define MAX_DEPTH 16

/* Where one member's value sits in the record: a top-level member of the
 * payload or signature section (rd_index -1), a member of reading rd_index,
 * or (key NULL) reading rd_index itself. */
typedef enum
{
  KIND_NULL,
  KIND_STRING,
  KIND_NUMBER,
  KIND_BOOLEAN,
  KIND_OBJECT,
  KIND_ARRAY,
} Kind;

/* rd_index SPAN_IF: an element of the top-level `IF` array (key NULL). */
#define SPAN_IF (-2)

typedef struct
{
  const char *key; /* not nul-terminated: key_len */
  gsize key_len;
  int rd_index;
  Kind kind;
  gboolean boolean;
  gsize key_offset;
  gsize value_offset;
  gsize value_len;
  const char *text; /* a string's contents, or a number's or true/false's
                     * characters as sent; NULL for the other kinds */
} Span;

typedef struct
{
  const char *buf;
  gsize len;
  gsize pos;
  AnxOcmfError syntax_code;
  GArray *spans; /* of Span; NULL when building nodes */
  GStringChunk *chunk;
  GString *scratch;
  GError **error;
} Scanner;

struct _AnxOcmf
{
  gatomicrefcount ref_count;

  char *text;
  gsize text_len;
  gsize payload_offset;
  gsize payload_len;

  gsize signature_offset;
  gsize signature_len;

  /* Built on first use; set once with a compare-and-swap */
  JsonNode *payload_root;
  JsonNode *signature_root;
  gsize readings_linked;        /* g_once: reading_objects set */
  JsonObject **reading_objects; /* owned by payload_root */

  GStringChunk *chunk;
  GArray *spans; /* of Span: the payload's, for anx_ocmf_get_string() */

  char *format_version;
  gboolean format_version_known;
  AnxOcmfPaginationKind pagination;
  guint64 pagination_number;
  gboolean has_identification_status;
  gboolean identification_status;
  char **identification_flags;

  AnxOcmfReading *readings;
  guint n_readings;

  char *sa;
  char *se;
  char *sm;
  char *si;
  GBytes *signature_data;
  AnxSignatureAlgorithm algorithm;
};

G_DEFINE_QUARK (anx-ocmf-error-quark, anx_ocmf_error)
G_DEFINE_BOXED_TYPE (AnxOcmf, anx_ocmf, anx_ocmf_ref, anx_ocmf_unref)

static gboolean set_error_at (GError       **error,
                              AnxOcmfError   code,
                              const char    *field,
                              gsize          offset,
                              const char    *format,
                              ...) G_GNUC_PRINTF (5, 6);

static gboolean
set_error_at (GError       **error,
              AnxOcmfError   code,
              const char    *field,
              gsize          offset,
              const char    *format,
              ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  if (field != NULL)
    g_set_error (error, ANX_OCMF_ERROR, code, _("Invalid OCMF record: field “%s” at byte %lu: %s"),
                 field, (gulong) offset, detail);
  else
    g_set_error (error, ANX_OCMF_ERROR, code, _("Invalid OCMF record at byte %lu: %s"),
                 (gulong) offset, detail);
  return FALSE;
}

/* --- The scanner ------------------------------------------------------ */

static void
scanner_skip_ws (Scanner *s)
{
  while (s->pos < s->len && (s->buf[s->pos] == ' ' || s->buf[s->pos] == '\t' ||
                             s->buf[s->pos] == '\n' || s->buf[s->pos] == '\r'))
    s->pos++;
}

static gboolean
scanner_fail (Scanner    *s,
              const char *what)
{
  if (s->pos >= s->len)
    return set_error_at (s->error, s->syntax_code, NULL, s->pos,
                         _("unexpected end of record, expected %s"), what);
  return set_error_at (s->error, s->syntax_code, NULL, s->pos,
                       _("unexpected character 0x%02x, expected %s"),
                       (guint) (guchar) s->buf[s->pos], what);
}

/* The same, for the scanner functions that return a node. */
static JsonNode *
scanner_fail_node (Scanner    *s,
                   const char *what)
{
  scanner_fail (s, what);
  return NULL;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of the \u escape whose backslash is at @at. */
static gboolean
scanner_unicode_escape (Scanner  *s,
                        gsize     at,
                        gunichar *out)
{
  gunichar u = 0;

  if (at + 6 > s->len)
    return set_error_at (s->error, s->syntax_code, NULL, at, _("truncated \\u escape"));
  for (guint i = 0; i < 4; i++)
    {
      int v = hex_value (s->buf[at + 2 + i]);

      if (v < 0)
        return set_error_at (s->error, s->syntax_code, NULL, at, _("invalid \\u escape"));
      u = (u << 4) | (gunichar) v;
    }
  *out = u;
  return TRUE;
}

/* Scans the string at s->pos (on its opening quote) and puts its unescaped
 * contents in @decoded. */
static gboolean
scanner_string (Scanner *s,
                GString *decoded)
{
  gsize start = s->pos;
  gsize run;
  const char *end_valid;

  g_assert (s->buf[s->pos] == '"');
  s->pos++;
  g_string_truncate (decoded, 0);
  run = s->pos;

  for (;;)
    {
      guchar c;

      if (s->pos >= s->len)
        return set_error_at (s->error, s->syntax_code, NULL, start, _("string is not terminated"));

      c = (guchar) s->buf[s->pos];
      if (c == '"')
        break;
      if (c < 0x20)
        return set_error_at (s->error, s->syntax_code, NULL, s->pos,
                             _("control character 0x%02x inside a string"), (guint) c);
      if (c != '\\')
        {
          s->pos++;
          continue;
        }

      /* Copy the plain run before the escape in one go */
      g_string_append_len (decoded, s->buf + run, (gssize) (s->pos - run));
      if (s->pos + 1 >= s->len)
        return set_error_at (s->error, s->syntax_code, NULL, start, _("string is not terminated"));

      switch (s->buf[s->pos + 1])
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (decoded, s->buf[s->pos + 1]);
          s->pos += 2;
          break;
        case 'b':
          g_string_append_c (decoded, '\b');
          s->pos += 2;
          break;
        case 'f':
          g_string_append_c (decoded, '\f');
          s->pos += 2;
          break;
        case 'n':
          g_string_append_c (decoded, '\n');
          s->pos += 2;
          break;
        case 'r':
          g_string_append_c (decoded, '\r');
          s->pos += 2;
          break;
        case 't':
          g_string_append_c (decoded, '\t');
          s->pos += 2;
          break;
        case 'u':
          {
            gunichar u;

            if (!scanner_unicode_escape (s, s->pos, &u))
              return FALSE;
            s->pos += 6;
            /* Text must stay valid UTF-8 without embedded NULs: the
             * officer reads it, and C strings would be cut. */
            if (u == 0)
              return set_error_at (s->error, s->syntax_code, NULL, s->pos - 6,
                                   _("\\u0000 is not allowed in a string"));
            if (u >= 0xDC00 && u <= 0xDFFF)
              return set_error_at (s->error, s->syntax_code, NULL, s->pos - 6,
                                   _("lone low surrogate in a \\u escape"));
            if (u >= 0xD800 && u <= 0xDBFF)
              {
                gunichar low = 0;

                if (s->pos + 6 > s->len || s->buf[s->pos] != '\\' || s->buf[s->pos + 1] != 'u' ||
                    !scanner_unicode_escape (s, s->pos, &low) || low < 0xDC00 || low > 0xDFFF)
                  {
                    g_clear_error (s->error);
                    return set_error_at (s->error, s->syntax_code, NULL, s->pos - 6,
                                         _("high surrogate without a low surrogate"));
                  }
                s->pos += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
              }
            g_string_append_unichar (decoded, u);
            break;
          }
        default:
          return set_error_at (s->error, s->syntax_code, NULL, s->pos,
                               _("invalid escape sequence"));
        }
      run = s->pos;
    }

  g_string_append_len (decoded, s->buf + run, (gssize) (s->pos - run));

  if (!g_utf8_validate_len (s->buf + start + 1, s->pos - start - 1, &end_valid))
    return set_error_at (s->error, s->syntax_code, NULL, (gsize) (end_valid - s->buf),
                         _("string is not valid UTF-8"));

  s->pos++; /* closing quote */
  return TRUE;
}

static gboolean
scanner_digits (Scanner *s)
{
  gsize start = s->pos;

  while (s->pos < s->len && g_ascii_isdigit (s->buf[s->pos]))
    s->pos++;
  return s->pos > start;
}

/* JSON numbers, strictly; integers become int64 values and the rest
 * doubles, as json-glib's own parser does. */
static JsonNode *
scanner_number (Scanner *s)
{
  gsize start = s->pos;
  gboolean integer = TRUE;
  char buf[64];
  char *end = NULL;
  gsize n;

  if (s->buf[s->pos] == '-')
    s->pos++;
  if (s->pos < s->len && s->buf[s->pos] == '0')
    s->pos++;
  else if (!scanner_digits (s))
    return scanner_fail_node (s, _("a digit"));
  if (s->pos < s->len && s->buf[s->pos] == '.')
    {
      integer = FALSE;
      s->pos++;
      if (!scanner_digits (s))
        return scanner_fail_node (s, _("a digit after the decimal point"));
    }
  if (s->pos < s->len && (s->buf[s->pos] == 'e' || s->buf[s->pos] == 'E'))
    {
      integer = FALSE;
      s->pos++;
      if (s->pos < s->len && (s->buf[s->pos] == '+' || s->buf[s->pos] == '-'))
        s->pos++;
      if (!scanner_digits (s))
        return scanner_fail_node (s, _("a digit in the exponent"));
    }

  n = s->pos - start;
  if (n >= sizeof buf)
    {
      s->pos = start;
      set_error_at (s->error, s->syntax_code, NULL, start, _("number is too long"));
      return NULL;
    }
  memcpy (buf, s->buf + start, n);
  buf[n] = '\0';

  if (integer)
    {
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (buf, &end, 10);
      if (errno == 0)
        return json_node_init_int (json_node_alloc (), v);
    }
  return json_node_init_double (json_node_alloc (), g_ascii_strtod (buf, &end));
}

static gboolean
scanner_literal (Scanner    *s,
                 const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || memcmp (s->buf + s->pos, word, n) != 0)
    return scanner_fail (s, _("a JSON value"));
  s->pos += n;
  return TRUE;
}

static void
add_span (Scanner    *s,
          const char *key,
          int         rd_index,
          gsize       key_offset,
          gsize       value_offset)
{
  Span span = { 0 };

  if (s->spans == NULL)
    return;
  span.key = key != NULL ? g_string_chunk_insert (s->chunk, key) : NULL;
  span.key_len = key != NULL ? strlen (key) : 0;
  span.rd_index = rd_index;
  span.key_offset = key_offset;
  span.value_offset = value_offset;
  span.value_len = s->pos - value_offset;
  g_array_append_val (s->spans, span);
}

static JsonNode *scanner_value (Scanner  *s,
                                guint     depth,
                                gboolean  is_rd,
                                int       rd_index);

/* @rd_index: the reading index when this object is an element of RD,
 * else -1. Members are recorded as spans at depth 1 and in readings. */
static JsonNode *
scanner_object (Scanner *s,
                guint    depth,
                int      rd_index)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GString) key = g_string_new (NULL);

  g_assert (s->buf[s->pos] == '{');
  s->pos++;
  scanner_skip_ws (s);
  if (s->pos < s->len && s->buf[s->pos] == '}')
    {
      s->pos++;
      return json_node_init_object (json_node_alloc (), object);
    }

  for (;;)
    {
      JsonNode *value;
      gsize key_offset;
      gsize value_offset;

      scanner_skip_ws (s);
      if (s->pos >= s->len || s->buf[s->pos] != '"')
        return scanner_fail_node (s, _("a quoted member name"));
      key_offset = s->pos;
      if (!scanner_string (s, key))
        return NULL;

      if (json_object_has_member (object, key->str))
        {
          set_error_at (s->error, ANX_OCMF_ERROR_DUPLICATE_FIELD, key->str, key_offset,
                        _("the member appears twice in one object"));
          return NULL;
        }

      scanner_skip_ws (s);
      if (s->pos >= s->len || s->buf[s->pos] != ':')
        return scanner_fail_node (s, _("“:”"));
      s->pos++;
      scanner_skip_ws (s);
      value_offset = s->pos;

      value = scanner_value (s, depth + 1, depth == 1 && g_str_equal (key->str, "RD"), -1);
      if (value == NULL)
        return NULL;
      json_object_set_member (object, key->str, value);

      if (depth == 1 || rd_index >= 0)
        add_span (s, key->str, rd_index, key_offset, value_offset);

      scanner_skip_ws (s);
      if (s->pos < s->len && s->buf[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->buf[s->pos] == '}')
        {
          s->pos++;
          return json_node_init_object (json_node_alloc (), object);
        }
      return scanner_fail_node (s, _("“,” or “}”"));
    }
}

static JsonNode *
scanner_array (Scanner  *s,
               guint     depth,
               gboolean  is_rd)
{
  g_autoptr(JsonArray) array = json_array_new ();
  int index = 0;

  g_assert (s->buf[s->pos] == '[');
  s->pos++;
  scanner_skip_ws (s);
  if (s->pos < s->len && s->buf[s->pos] == ']')
    {
      s->pos++;
      return json_node_init_array (json_node_alloc (), array);
    }

  for (;;)
    {
      JsonNode *element;
      gsize element_offset;

      scanner_skip_ws (s);
      element_offset = s->pos;
      element = scanner_value (s, depth + 1, FALSE, is_rd ? index : -1);
      if (element == NULL)
        return NULL;
      json_array_add_element (array, element);
      if (is_rd)
        add_span (s, NULL, index, element_offset, element_offset);
      index++;

      scanner_skip_ws (s);
      if (s->pos < s->len && s->buf[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->buf[s->pos] == ']')
        {
          s->pos++;
          return json_node_init_array (json_node_alloc (), array);
        }
      return scanner_fail_node (s, _("“,” or “]”"));
    }
}

static JsonNode *
scanner_value (Scanner  *s,
               guint     depth,
               gboolean  is_rd,
               int       rd_index)
{
  if (depth > MAX_DEPTH)
    {
      set_error_at (s->error, ANX_OCMF_ERROR_TOO_DEEP, NULL, s->pos,
                    _("nested deeper than %d levels"), MAX_DEPTH);
      return NULL;
    }

  scanner_skip_ws (s);
  if (s->pos >= s->len)
    return scanner_fail_node (s, _("a JSON value"));

  switch (s->buf[s->pos])
    {
    case '{':
      return scanner_object (s, depth, rd_index);
    case '[':
      return scanner_array (s, depth, is_rd);
    case '"':
      if (!scanner_string (s, s->scratch))
        return NULL;
      return json_node_init_string (json_node_alloc (), s->scratch->str);
    case 't':
      return scanner_literal (s, "true") ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return scanner_literal (s, "false") ? json_node_init_boolean (json_node_alloc (), FALSE)
                                          : NULL;
    case 'n':
      return scanner_literal (s, "null") ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      if (s->buf[s->pos] == '-' || g_ascii_isdigit (s->buf[s->pos]))
        return scanner_number (s);
      return scanner_fail_node (s, _("a JSON value"));
    }
}

/* Scans the object starting exactly at s->pos; on success s->pos is just
 * past its closing brace and the result is sealed (immutable, shareable). */
static JsonNode *
scanner_top_object (Scanner    *s,
                    const char *what)
{
  JsonNode *node;

  if (s->pos >= s->len || s->buf[s->pos] != '{')
    {
      set_error_at (s->error, s->syntax_code, NULL, s->pos, _("%s must be a JSON object"), what);
      return NULL;
    }
  node = scanner_object (s, 1, -1);
  if (node != NULL)
    json_node_seal (node);
  return node;
}


/* --- The checking pass ------------------------------------------------ */

/* The same grammar, checks, errors and spans as scanner_value() and
 * friends above, without building nodes. Each recorded span also gets the
 * value's kind and text. */

/* memcmp() == 0 for the short names OCMF uses, without a call */
static inline gboolean
keys_equal (const char *a,
            const char *b,
            gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (a[i] != b[i])
      return FALSE;
  return TRUE;
}

/* Duplicate member names: the first names of the object being checked are
 * kept in a small array (pointing into the record, or into the record's
 * chunk for names with escapes); a larger object gets a hash set. */
#define KEYSET_LINEAR_MAX 32

typedef struct
{
  guint n_keys;
  GHashTable *set;
  struct
  {
    const char *key;
    gsize len;
  } keys[KEYSET_LINEAR_MAX];
} KeySet;

/* Adds @key (which must stay valid while @ks is used); FALSE if it was
 * there already. */
static gboolean
keyset_add (KeySet     *ks,
            const char *key,
            gsize       key_len)
{
  if (ks->set != NULL)
    return g_hash_table_add (ks->set, g_strndup (key, key_len));

  for (guint i = 0; i < ks->n_keys; i++)
    if (ks->keys[i].len == key_len && (key_len == 0 || ks->keys[i].key[0] == key[0]) &&
        keys_equal (ks->keys[i].key, key, key_len))
      return FALSE;

  if (ks->n_keys == KEYSET_LINEAR_MAX)
    {
      ks->set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < ks->n_keys; i++)
        g_hash_table_add (ks->set, g_strndup (ks->keys[i].key, ks->keys[i].len));
      return g_hash_table_add (ks->set, g_strndup (key, key_len));
    }

  ks->keys[ks->n_keys].key = key;
  ks->keys[ks->n_keys].len = key_len;
  ks->n_keys++;
  return TRUE;
}

static void
keyset_clear (KeySet *ks)
{
  g_clear_pointer (&ks->set, g_hash_table_unref);
}

/* As scanner_string(), but a string without escapes is not copied: *out
 * points into the record (not nul-terminated), else into @decoded. */
static gboolean
check_string (Scanner     *s,
              GString     *decoded,
              const char **out,
              gsize       *out_len)
{
  gsize start = s->pos;
  /* 1: ends the plain run ('"', '\\', a control character); 2: not ASCII */
  static const guint8 byte_class[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 2,
  };
  gsize p = start + 1;
  guint8 high = 0;
  const char *end_valid;

  while (p < s->len)
    {
      guint8 c = byte_class[(guchar) s->buf[p]];

      if (c == 1)
        break;
      high |= c;
      p++;
    }
  if (p >= s->len || s->buf[p] != '"' ||
      (high != 0 &&
       !g_utf8_validate_len (s->buf + start + 1, p - start - 1, &end_valid)))
    {
      /* Escapes, or an error: the full scanner says which */
      if (!scanner_string (s, decoded))
        return FALSE;
      *out = decoded->str;
      *out_len = decoded->len;
      return TRUE;
    }
  *out = s->buf + start + 1;
  *out_len = p - start - 1;
  s->pos = p + 1;
  return TRUE;
}

static gboolean check_value (Scanner     *s,
                             guint        depth,
                             int          element_rd,
                             int          rd_index,
                             Kind        *kind,
                             gboolean    *boolean,
                             const char **text,
                             gsize       *text_len);

/* Records a member or element span with its kind and text. */
static void
add_checked_span (Scanner    *s,
                  const char *key,
                  gsize       key_len,
                  int         rd_index,
                  gsize       key_offset,
                  gsize       value_offset,
                  Kind        kind,
                  gboolean    boolean,
                  const char *text,
                  gsize       text_len)
{
  Span span = { 0 };

  /* check_object() keeps names with escapes in the chunk; the others point
   * into the record */
  span.key = key;
  span.key_len = key_len;
  span.rd_index = rd_index;
  span.key_offset = key_offset;
  span.value_offset = value_offset;
  span.value_len = s->pos - value_offset;
  span.kind = kind;
  span.boolean = boolean;
  if (kind == KIND_STRING)
    span.text = g_string_chunk_insert_len (s->chunk, text, (gssize) text_len);
  else if (kind == KIND_NUMBER || kind == KIND_BOOLEAN)
    span.text = g_string_chunk_insert_len (s->chunk, s->buf + value_offset,
                                           (gssize) span.value_len);
  g_array_append_val (s->spans, span);
}

/* As scanner_object(); @rd_index as there. */
static gboolean
check_object (Scanner *s,
              guint    depth,
              int      rd_index)
{
  KeySet ks;
  gboolean ok = FALSE;

  g_assert (s->buf[s->pos] == '{');
  s->pos++;
  scanner_skip_ws (s);
  if (s->pos < s->len && s->buf[s->pos] == '}')
    {
      s->pos++;
      return TRUE;
    }
  ks.n_keys = 0;
  ks.set = NULL;

  for (;;)
    {
      gsize key_offset;
      gsize value_offset;
      gboolean record = depth == 1 || rd_index >= 0;
      int element_rd = -1;
      Kind kind;
      gboolean boolean;
      const char *key;
      gsize key_len;
      const char *text;
      gsize text_len;

      scanner_skip_ws (s);
      if (s->pos >= s->len || s->buf[s->pos] != '"')
        {
          scanner_fail (s, _("a quoted member name"));
          break;
        }
      key_offset = s->pos;
      if (!check_string (s, s->scratch, &key, &key_len))
        break;
      /* Had escapes: keep it (s->scratch is reused for the value) */
      if (key == s->scratch->str)
        key = g_string_chunk_insert_len (s->chunk, key, (gssize) key_len);

      /* Member names holding \u0000 cannot occur: scanner_string() refuses them */
      if (!keyset_add (&ks, key, key_len))
        {
          g_autofree char *name = g_strndup (key, key_len);

          set_error_at (s->error, ANX_OCMF_ERROR_DUPLICATE_FIELD, name, key_offset,
                        _("the member appears twice in one object"));
          break;
        }

      scanner_skip_ws (s);
      if (s->pos >= s->len || s->buf[s->pos] != ':')
        {
          scanner_fail (s, _("“:”"));
          break;
        }
      s->pos++;
      scanner_skip_ws (s);
      value_offset = s->pos;

      if (depth == 1 && key_len == 2 && memcmp (key, "RD", 2) == 0)
        element_rd = 0;
      else if (depth == 1 && key_len == 2 && memcmp (key, "IF", 2) == 0)
        element_rd = SPAN_IF;
      if (!check_value (s, depth + 1, element_rd, -1, &kind, &boolean, &text, &text_len))
        break;

      if (record)
        add_checked_span (s, key, key_len, rd_index, key_offset, value_offset, kind, boolean, text,
                          text_len);

      scanner_skip_ws (s);
      if (s->pos < s->len && s->buf[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->buf[s->pos] == '}')
        {
          s->pos++;
          ok = TRUE;
          break;
        }
      scanner_fail (s, _("“,” or “}”"));
      break;
    }

  keyset_clear (&ks);
  return ok;
}

/* As scanner_array(); @element_rd: 0 for RD (elements recorded as readings
 * 0, 1, ...), SPAN_IF for IF (elements recorded with that index), else -1. */
static gboolean
check_array (Scanner *s,
             guint    depth,
             int      element_rd)
{
  int index = 0;

  g_assert (s->buf[s->pos] == '[');
  s->pos++;
  scanner_skip_ws (s);
  if (s->pos < s->len && s->buf[s->pos] == ']')
    {
      s->pos++;
      return TRUE;
    }

  for (;;)
    {
      gsize element_offset;
      Kind kind;
      gboolean boolean;
      const char *text;
      gsize text_len;

      scanner_skip_ws (s);
      element_offset = s->pos;
      if (!check_value (s, depth + 1, -1, element_rd == 0 ? index : -1, &kind, &boolean, &text,
                        &text_len))
        return FALSE;
      if (element_rd == 0 || element_rd == SPAN_IF)
        add_checked_span (s, NULL, 0, element_rd == 0 ? index : SPAN_IF, element_offset,
                          element_offset, kind, boolean, text, text_len);
      index++;

      scanner_skip_ws (s);
      if (s->pos < s->len && s->buf[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->buf[s->pos] == ']')
        {
          s->pos++;
          return TRUE;
        }
      return scanner_fail (s, _("“,” or “]”"));
    }
}

/* As scanner_number(), without the conversion. */
static gboolean
check_number (Scanner *s)
{
  gsize start = s->pos;

  if (s->buf[s->pos] == '-')
    s->pos++;
  if (s->pos < s->len && s->buf[s->pos] == '0')
    s->pos++;
  else if (!scanner_digits (s))
    return scanner_fail (s, _("a digit"));
  if (s->pos < s->len && s->buf[s->pos] == '.')
    {
      s->pos++;
      if (!scanner_digits (s))
        return scanner_fail (s, _("a digit after the decimal point"));
    }
  if (s->pos < s->len && (s->buf[s->pos] == 'e' || s->buf[s->pos] == 'E'))
    {
      s->pos++;
      if (s->pos < s->len && (s->buf[s->pos] == '+' || s->buf[s->pos] == '-'))
        s->pos++;
      if (!scanner_digits (s))
        return scanner_fail (s, _("a digit in the exponent"));
    }

  if (s->pos - start >= 64) /* scanner_number()'s buffer */
    {
      s->pos = start;
      return set_error_at (s->error, s->syntax_code, NULL, start, _("number is too long"));
    }
  return TRUE;
}

/* As scanner_value(). @element_rd: see check_array(), for an array value;
 * @rd_index: see scanner_object(), for an object value. A string's contents
 * are left in *@text (see check_string()). */
static gboolean
check_value (Scanner     *s,
             guint        depth,
             int          element_rd,
             int          rd_index,
             Kind        *kind,
             gboolean    *boolean,
             const char **text,
             gsize       *text_len)
{
  *boolean = FALSE;
  *text = NULL;
  *text_len = 0;
  if (depth > MAX_DEPTH)
    return set_error_at (s->error, ANX_OCMF_ERROR_TOO_DEEP, NULL, s->pos,
                         _("nested deeper than %d levels"), MAX_DEPTH);

  scanner_skip_ws (s);
  if (s->pos >= s->len)
    return scanner_fail (s, _("a JSON value"));

  switch (s->buf[s->pos])
    {
    case '{':
      *kind = KIND_OBJECT;
      return check_object (s, depth, rd_index);
    case '[':
      *kind = KIND_ARRAY;
      return check_array (s, depth, element_rd);
    case '"':
      *kind = KIND_STRING;
      return check_string (s, s->scratch, text, text_len);
    case 't':
      *kind = KIND_BOOLEAN;
      *boolean = TRUE;
      return scanner_literal (s, "true");
    case 'f':
      *kind = KIND_BOOLEAN;
      return scanner_literal (s, "false");
    case 'n':
      *kind = KIND_NULL;
      return scanner_literal (s, "null");
    default:
      *kind = KIND_NUMBER;
      if (s->buf[s->pos] == '-' || g_ascii_isdigit (s->buf[s->pos]))
        return check_number (s);
      return scanner_fail (s, _("a JSON value"));
    }
}

/* As scanner_top_object(), checking only; @what is untranslated (N_()),
 * translated only for an error. */
static gboolean
check_top_object (Scanner    *s,
                  const char *what)
{
  if (s->pos >= s->len || s->buf[s->pos] != '{')
    return set_error_at (s->error, s->syntax_code, NULL, s->pos, _("%s must be a JSON object"),
                         _(what));
  return check_object (s, 1, -1);
}

/* Builds the node of the object at @offset of the record, already checked
 * by check_top_object(), so this cannot fail. */
static JsonNode *
build_top_object (AnxOcmf *ocmf,
                  gsize    offset)
{
  g_autoptr(GString) scratch = g_string_sized_new (64);
  Scanner s = { 0 };
  JsonNode *node;

  s.buf = ocmf->text;
  s.len = ocmf->text_len;
  s.pos = offset;
  s.scratch = scratch;
  node = scanner_top_object (&s, "");
  g_assert (node != NULL);
  return node;
}

/* The lazily built root at @slot: the first caller to finish installs it,
 * the others drop theirs. */
static JsonNode *
get_root (AnxOcmf   *ocmf,
          JsonNode **slot,
          gsize      offset)
{
  JsonNode *node = g_atomic_pointer_get (slot);

  if (node != NULL)
    return node;
  node = build_top_object (ocmf, offset);
  if (!g_atomic_pointer_compare_and_exchange (slot, NULL, node))
    {
      json_node_unref (node);
      node = g_atomic_pointer_get (slot);
    }
  return node;
}

static JsonNode *
get_payload_root (AnxOcmf *ocmf)
{
  return get_root (ocmf, &ocmf->payload_root, ocmf->payload_offset);
}

static JsonNode *
get_signature_root (AnxOcmf *ocmf)
{
  return get_root (ocmf, &ocmf->signature_root, ocmf->signature_offset);
}

/* Points each reading's object into the payload's object model. */
static void
link_readings (AnxOcmf *ocmf)
{
  if (g_once_init_enter (&ocmf->readings_linked))
    {
      JsonArray *rd = json_object_get_array_member (json_node_get_object (get_payload_root (ocmf)),
                                                    "RD");

      ocmf->reading_objects = g_new0 (JsonObject *, MAX (ocmf->n_readings, 1));
      for (guint i = 0; i < ocmf->n_readings; i++)
        ocmf->reading_objects[i] = json_array_get_object_element (rd, i);
      g_once_init_leave (&ocmf->readings_linked, 1);
    }
}

/* --- Field helpers ---------------------------------------------------- */

typedef struct
{
  AnxOcmf *ocmf;
  GArray *spans;
  gsize fallback_offset;
  GError **error;
  /* While reading i is read: spans[rd_lo..rd_hi] hold its members and,
   * last, its element span (rd_hi > 0) */
  guint rd_lo;
  guint rd_hi;
  /* Top-level members named by two capitals, as OCMF's are: index + 1 of
   * the span of "AB" at [('A' - 'A') * 26 + ('B' - 'A')], or 0 */
  guint32 top[26 * 26];
} Context;

static inline int
top_slot (const char *key,
          gsize       key_len)
{
  if (key_len == 2 && key[0] >= 'A' && key[0] <= 'Z' && key[1] >= 'A' && key[1] <= 'Z')
    return (key[0] - 'A') * 26 + (key[1] - 'A');
  return -1;
}

/* Points the context at @spans and indexes their top-level members. */
static void
context_set_spans (Context *ctx,
                   GArray  *spans)
{
  ctx->spans = spans;
  memset (ctx->top, 0, sizeof ctx->top);
  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);
      int slot;

      if (span->rd_index == -1 && (slot = top_slot (span->key, span->key_len)) >= 0)
        ctx->top[slot] = i + 1;
    }
}

static const Span *
find_span (Context    *ctx,
           int         rd_index,
           const char *key)
{
  guint lo = 0, end = ctx->spans->len;
  gsize key_len = key != NULL ? strlen (key) : 0;

  if (rd_index == -1 && key != NULL)
    {
      int slot = top_slot (key, key_len);

      if (slot >= 0)
        return ctx->top[slot] != 0 ? &g_array_index (ctx->spans, Span, ctx->top[slot] - 1) : NULL;
    }

  if (rd_index >= 0 && ctx->rd_hi > 0)
    {
      lo = ctx->rd_lo;
      end = ctx->rd_hi + 1;
    }
  for (guint i = lo; i < end; i++)
    {
      const Span *span = &g_array_index (ctx->spans, Span, i);

      if (span->rd_index == rd_index &&
          (key == NULL ? span->key == NULL
                       : (span->key != NULL && span->key_len == key_len &&
                          keys_equal (span->key, key, key_len))))
        return span;
    }
  return NULL;
}

static gsize
field_offset (Context    *ctx,
              int         rd_index,
              const char *key)
{
  const Span *span = find_span (ctx, rd_index, key);

  if (span == NULL && rd_index >= 0)
    span = find_span (ctx, rd_index, NULL);
  return span != NULL ? span->value_offset : ctx->fallback_offset;
}

static gboolean set_field_error (Context      *ctx,
                                 AnxOcmfError  code,
                                 int           rd_index,
                                 const char   *key,
                                 const char   *format,
                                 ...) G_GNUC_PRINTF (5, 6);

/* Names the field "KEY", "RD[i]" or "RD[i].KEY" and points at its value. */
static gboolean
set_field_error (Context      *ctx,
                 AnxOcmfError  code,
                 int           rd_index,
                 const char   *key,
                 const char   *format,
                 ...)
{
  g_autofree char *detail = NULL;
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  if (rd_index < 0)
    path = g_strdup (key);
  else if (key == NULL)
    path = g_strdup_printf ("RD[%d]", rd_index);
  else
    path = g_strdup_printf ("RD[%d].%s", rd_index, key);

  return set_error_at (ctx->error, code, path, field_offset (ctx, rd_index, key), "%s", detail);
}

/* Gets an optional text member: string or number (some firmware sends
 * `"CT": 0`); null counts as absent; objects, arrays and true/false are
 * errors. The text is a string's contents, or a number's digits as sent. */
static gboolean
get_text_member (Context     *ctx,
                 int          rd_index,
                 const char  *name,
                 const char **out)
{
  const Span *span = find_span (ctx, rd_index, name);

  *out = NULL;
  if (span == NULL || span->kind == KIND_NULL)
    return TRUE;
  if (span->kind != KIND_STRING && span->kind != KIND_NUMBER)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, rd_index, name,
                            _("expected a string"));
  *out = span->text;
  return TRUE;
}

/* Numbers may arrive as JSON numbers or as strings padded with spaces
 * ("      48.542"); both are accepted if the trimmed text is a decimal. */
static gboolean
parse_decimal (const char *text,
               double     *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  const char *p = trimmed;
  char *end = NULL;

  if (*p == '+' || *p == '-')
    p++;
  if (!g_ascii_isdigit (*p) && !(*p == '.' && g_ascii_isdigit (p[1])))
    return FALSE;
  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != 'e' && *p != 'E' && *p != '+' && *p != '-')
      return FALSE;

  *value = g_ascii_strtod (trimmed, &end);
  return end != NULL && *end == '\0' && isfinite (*value);
}

static gboolean
get_number_member (Context     *ctx,
                   int          rd_index,
                   const char  *name,
                   const char **text,
                   double      *value)
{
  const Span *span = find_span (ctx, rd_index, name);

  *text = NULL;
  if (span == NULL || span->kind == KIND_NULL)
    return TRUE;
  if (span->kind != KIND_STRING && span->kind != KIND_NUMBER)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, rd_index, name,
                            _("expected a number"));
  *text = span->text;
  if (!parse_decimal (*text, value))
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, rd_index, name,
                            _("“%s” is not a decimal number"), *text);
  return TRUE;
}

/* "2021-10-26T12:24:56,000+0200 S": ISO 8601 with comma or dot before the
 * fraction, offset as +hhmm or +hh:mm, one space, the clock-status letter. */
static gboolean
parse_tm (const char          *text,
          GDateTime          **time,
          AnxOcmfClockStatus  *clock)
{
  char copy[48];
  const char *space;
  gsize n;
  char letter;

  space = strrchr (text, ' ');
  if (space == NULL || space[1] == '\0' || space[2] != '\0')
    return FALSE;
  letter = space[1];
  if (letter != 'U' && letter != 'I' && letter != 'S' && letter != 'R')
    return FALSE;

  n = (gsize) (space - text);
  if (n < 19 || n > 40 || text[10] != 'T')
    return FALSE;
  memcpy (copy, text, n);
  copy[n] = '\0';
  for (gsize i = 0; i < n; i++)
    if (copy[i] == ',')
      copy[i] = '.';

  /* +hhmm -> +hh:mm (GLib wants the colon) */
  if ((copy[n - 5] == '+' || copy[n - 5] == '-') && g_ascii_isdigit (copy[n - 4]) &&
      g_ascii_isdigit (copy[n - 3]) && g_ascii_isdigit (copy[n - 2]) &&
      g_ascii_isdigit (copy[n - 1]))
    {
      copy[n + 1] = '\0';
      copy[n] = copy[n - 1];
      copy[n - 1] = copy[n - 2];
      copy[n - 2] = ':';
    }

  *time = g_date_time_new_from_iso8601 (copy, NULL);
  if (*time == NULL)
    return FALSE;
  *clock = (AnxOcmfClockStatus) letter;
  return TRUE;
}

static gboolean
parse_readings (Context *ctx)
{
  AnxOcmf *ocmf = ctx->ocmf;
  g_autofree guint *ends = NULL;
  guint n = 0;

  /* The element spans come in order, each after its members' spans */
  for (guint k = 0; k < ctx->spans->len; k++)
    {
      const Span *span = &g_array_index (ctx->spans, Span, k);

      if (span->key == NULL && span->rd_index >= 0)
        n++;
    }
  ends = g_new (guint, MAX (n, 1));
  n = 0;
  for (guint k = 0; k < ctx->spans->len; k++)
    {
      const Span *span = &g_array_index (ctx->spans, Span, k);

      if (span->key == NULL && span->rd_index >= 0)
        ends[n++] = k;
    }

  if (n == 0)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, -1, "RD", _("there are no readings"));

  ocmf->readings = g_new0 (AnxOcmfReading, n);
  ocmf->n_readings = n;

  for (guint i = 0; i < n; i++)
    {
      AnxOcmfReading *r = &ocmf->readings[i];
      const AnxOcmfReading *prev = i > 0 ? &ocmf->readings[i - 1] : NULL;
      int ri = (int) i;

      ctx->rd_lo = i > 0 ? ends[i - 1] + 1 : 0;
      ctx->rd_hi = ends[i];
      g_assert (g_array_index (ctx->spans, Span, ends[i]).rd_index == ri);

      /* Its object is linked on first use, by link_readings() */
      if (find_span (ctx, ri, NULL)->kind != KIND_OBJECT)
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, ri, NULL,
                                _("a reading must be a JSON object"));

      if (!get_text_member (ctx, ri, "TM", &r->time_text))
        return FALSE;
      if (r->time_text != NULL)
        {
          if (!parse_tm (r->time_text, &r->time, &r->clock))
            return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, ri, "TM",
                                    _("“%s” is not a time like 2021-10-26T12:24:56,000+0200 S"),
                                    r->time_text);
        }
      else if (prev != NULL && prev->time_text != NULL)
        {
          r->time_text = prev->time_text;
          r->time = prev->time != NULL ? g_date_time_ref (prev->time) : NULL;
          r->clock = prev->clock;
          r->carried |= ANX_OCMF_CARRIED_TM;
        }

#define TEXT_CARRIED(member, field, bit)                         \
  G_STMT_START                                                   \
  {                                                              \
    if (!get_text_member (ctx, ri, member, &r->field))           \
      return FALSE;                                              \
    if (r->field == NULL && prev != NULL && prev->field != NULL) \
      {                                                          \
        r->field = prev->field;                                  \
        r->carried |= bit;                                       \
      }                                                          \
  }                                                              \
  G_STMT_END

      TEXT_CARRIED ("TX", transaction, ANX_OCMF_CARRIED_TX);
      TEXT_CARRIED ("RI", obis, ANX_OCMF_CARRIED_RI);
      TEXT_CARRIED ("RU", unit, ANX_OCMF_CARRIED_RU);
      TEXT_CARRIED ("RT", current_type, ANX_OCMF_CARRIED_RT);
      TEXT_CARRIED ("EF", error_flags, ANX_OCMF_CARRIED_EF);
      TEXT_CARRIED ("ST", status, ANX_OCMF_CARRIED_ST);
#undef TEXT_CARRIED

      if (!get_number_member (ctx, ri, "RV", &r->value_text, &r->value))
        return FALSE;
      if (r->value_text == NULL)
        return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, ri, "RV",
                                _("every reading needs a value"));

      if (!get_number_member (ctx, ri, "CL", &r->cumulated_loss_text, &r->cumulated_loss))
        return FALSE;
      r->has_cumulated_loss = r->cumulated_loss_text != NULL;
    }

  return TRUE;
}

static gboolean
parse_pagination (Context    *ctx,
                  const char *pg)
{
  AnxOcmf *ocmf = ctx->ocmf;
  guint64 number = 0;
  const char *p;

  if (pg == NULL)
    return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, -1, "PG",
                            _("the pagination counter is mandatory"));

  if ((pg[0] != 'T' && pg[0] != 'F') || pg[1] == '\0')
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, -1, "PG",
                            _("“%s” is not T or F followed by a number"), pg);
  for (p = pg + 1; *p != '\0'; p++)
    {
      guint64 digit = (guint64) (*p - '0');

      if (!g_ascii_isdigit (*p) || number > G_MAXUINT64 / 10 ||
          (number == G_MAXUINT64 / 10 && digit > G_MAXUINT64 % 10))
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, -1, "PG",
                                _("“%s” is not T or F followed by a number"), pg);
      number = number * 10 + digit;
    }

  ocmf->pagination = (AnxOcmfPaginationKind) pg[0];
  ocmf->pagination_number = number;
  return TRUE;
}

static gboolean
parse_payload_fields (Context *ctx)
{
  static const char *const known_versions[] = { "1.0", "1.1", "1.2", "1.3", "1.4" };
  /* Text fields: a wrong type is an error even where the field is optional */
  static const char *const text_fields[] = { "FV", "GI", "GS", "GV", "PG", "MV", "MM", "MS",
                                             "MF", "IL", "IT", "ID", "TT", "CT", "CI" };
  AnxOcmf *ocmf = ctx->ocmf;
  const Span *span;
  const char *fv = NULL;
  const char *pg = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const char *value;

      if (!get_text_member (ctx, -1, text_fields[i], &value))
        return FALSE;
      if (i == 0)
        fv = value;
      else if (i == 4)
        pg = value;
    }

  /* anx_ocmf_get_string() reads the spans' texts */

  if (fv != NULL)
    {
      ocmf->format_version = g_strdup (fv);
      for (guint i = 0; i < G_N_ELEMENTS (known_versions); i++)
        if (g_str_equal (fv, known_versions[i]))
          ocmf->format_version_known = TRUE;
    }

  if (!parse_pagination (ctx, pg))
    return FALSE;

  span = find_span (ctx, -1, "IS");
  if (span != NULL && span->kind != KIND_NULL)
    {
      if (span->kind != KIND_BOOLEAN)
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IS",
                                _("expected true or false"));
      ocmf->has_identification_status = TRUE;
      ocmf->identification_status = span->boolean;
    }

  span = find_span (ctx, -1, "IF");
  if (span != NULL && span->kind != KIND_NULL)
    {
      guint n = 0;

      if (span->kind != KIND_ARRAY)
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IF",
                                _("expected an array of strings"));
      for (guint k = 0; k < ctx->spans->len; k++)
        if (g_array_index (ctx->spans, Span, k).rd_index == SPAN_IF)
          n++;
      ocmf->identification_flags = g_new0 (char *, n + 1);
      n = 0;
      for (guint k = 0; k < ctx->spans->len; k++)
        {
          const Span *flag = &g_array_index (ctx->spans, Span, k);

          if (flag->rd_index != SPAN_IF)
            continue;
          if (flag->kind != KIND_STRING)
            return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IF",
                                    _("expected an array of strings"));
          ocmf->identification_flags[n++] = g_strdup (flag->text);
        }
    }

  span = find_span (ctx, -1, "LC");
  if (span != NULL && span->kind != KIND_NULL && span->kind != KIND_OBJECT)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "LC", _("expected an object"));

  span = find_span (ctx, -1, "RD");
  if (span == NULL || span->kind == KIND_NULL)
    return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, -1, "RD",
                            _("the readings are mandatory"));
  if (span->kind != KIND_ARRAY)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "RD",
                            _("expected an array of readings"));
  if (find_span (ctx, 0, NULL) == NULL)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, -1, "RD", _("there are no readings"));
  return parse_readings (ctx);
}

static gboolean
decode_signature_data (Context    *ctx,
                       const char *sd,
                       const char *se)
{
  AnxOcmf *ocmf = ctx->ocmf;
  gsize n = strlen (sd);

  if (n == 0)
    return set_field_error (ctx, ANX_OCMF_ERROR_SIGNATURE_ENCODING, -1, "SD",
                            _("the signature is empty"));

  if (se == NULL || g_ascii_strcasecmp (se, "hex") == 0)
    {
      guint8 *bytes;

      if (n % 2 != 0)
        return set_field_error (ctx, ANX_OCMF_ERROR_SIGNATURE_ENCODING, -1, "SD",
                                _("odd number of hex digits"));
      bytes = g_malloc (n / 2);
      for (gsize i = 0; i < n / 2; i++)
        {
          int hi = hex_value (sd[2 * i]);
          int lo = hex_value (sd[2 * i + 1]);

          if (hi < 0 || lo < 0)
            {
              g_free (bytes);
              return set_error_at (ctx->error, ANX_OCMF_ERROR_SIGNATURE_ENCODING, "SD",
                                   field_offset (ctx, -1, "SD") + 1 + 2 * i, _("not a hex digit"));
            }
          bytes[i] = (guint8) ((hi << 4) | lo);
        }
      ocmf->signature_data = g_bytes_new_take (bytes, n / 2);
      return TRUE;
    }

  if (g_ascii_strcasecmp (se, "base64") == 0)
    {
      gsize pad = 0;
      guchar *bytes;
      gsize out_len = 0;

      /* g_base64_decode() skips garbage silently; be strict first. */
      for (gsize i = 0; i < n; i++)
        {
          char c = sd[i];

          if (c == '=')
            {
              pad++;
              continue;
            }
          if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
            return set_error_at (ctx->error, ANX_OCMF_ERROR_SIGNATURE_ENCODING, "SD",
                                 field_offset (ctx, -1, "SD") + 1 + i, _("not base64"));
        }
      if (n % 4 != 0 || pad > 2)
        return set_field_error (ctx, ANX_OCMF_ERROR_SIGNATURE_ENCODING, -1, "SD",
                                _("base64 length is not a multiple of 4"));
      bytes = g_base64_decode (sd, &out_len);
      ocmf->signature_data = g_bytes_new_take (bytes, out_len);
      return TRUE;
    }

  return set_field_error (ctx, ANX_OCMF_ERROR_SIGNATURE_ENCODING, -1, "SE",
                          _("unknown signature encoding “%s”"), se);
}

/* The signature section has only strings; a number there (e.g. an SD of
 * digits only) is refused rather than reinterpreted. */
static gboolean
get_string_member (Context     *ctx,
                   const char  *name,
                   const char **out)
{
  const Span *span = find_span (ctx, -1, name);

  *out = NULL;
  if (span == NULL || span->kind == KIND_NULL)
    return TRUE;
  if (span->kind != KIND_STRING)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, name, _("expected a string"));
  *out = span->text;
  return TRUE;
}

static gboolean
parse_signature_fields (Context *ctx)
{
  AnxOcmf *ocmf = ctx->ocmf;
  const char *sa, *se, *sm, *sd, *si;

  if (!get_string_member (ctx, "SA", &sa) || !get_string_member (ctx, "SE", &se) ||
      !get_string_member (ctx, "SM", &sm) || !get_string_member (ctx, "SD", &sd) ||
      !get_string_member (ctx, "SI", &si))
    return FALSE;

  if (sd == NULL)
    return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, -1, "SD",
                            _("the signature data is mandatory"));

  if (sm != NULL && g_ascii_strcasecmp (sm, "application/x-der") != 0)
    return set_field_error (ctx, ANX_OCMF_ERROR_SIGNATURE_ENCODING, -1, "SM",
                            _("unknown signature format “%s”"), sm);

  ocmf->sa = g_strdup (sa);
  ocmf->se = g_strdup (se);
  ocmf->sm = g_strdup (sm);
  ocmf->si = g_strdup (si);
  ocmf->algorithm = anx_signature_algorithm_from_ocmf (sa);

  return decode_signature_data (ctx, sd, se);
}

/**
 * anx_ocmf_parse:
 * @text: the whole record, `OCMF|{payload}|{signature}`
 * @length: length of @text in bytes, or -1 if it is nul-terminated
 * @error: return location for an #ANX_OCMF_ERROR
 *
 * Parses an OCMF record of format version 1.0 to 1.4 (other versions are
 * parsed the same way and flagged by anx_ocmf_get_format_version_known()).
 * The payload is the JSON object right after `OCMF|`, up to its matching
 * brace; its bytes are kept exactly as given, since the signature covers them.
 *
 * Returns: (transfer full): the record, or %NULL with @error set
 */
AnxOcmf *
anx_ocmf_parse (const char  *text,
                gssize       length,
                GError     **error)
{
  g_autoptr(AnxOcmf) ocmf = NULL;
  g_autoptr(GArray) payload_spans = NULL;
  g_autoptr(GArray) signature_spans = NULL;
  g_autoptr(GString) scratch = NULL;
  Scanner s = { 0 };
  Context ctx; /* set up below; its index by context_set_spans() */
  gsize len;
  gsize signature_offset;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    length = 0;
  len = length < 0 ? strlen (text) : (gsize) length;

  if (len == 0)
    {
      set_error_at (error, ANX_OCMF_ERROR_EMPTY, NULL, 0, _("the record is empty"));
      return NULL;
    }
  if (len > ANX_OCMF_MAX_LENGTH)
    {
      set_error_at (error, ANX_OCMF_ERROR_TOO_LARGE, NULL, ANX_OCMF_MAX_LENGTH,
                    _("the record is longer than %d bytes"), ANX_OCMF_MAX_LENGTH);
      return NULL;
    }
  if (len < 5 || memcmp (text, "OCMF|", 5) != 0)
    {
      set_error_at (error, ANX_OCMF_ERROR_PREFIX, NULL, 0,
                    _("the record must start with “OCMF|”"));
      return NULL;
    }

  ocmf = g_new0 (AnxOcmf, 1);
  g_atomic_ref_count_init (&ocmf->ref_count);
  ocmf->text = g_strndup (text, len);
  ocmf->text_len = len;
  /* Keys and texts are never longer than the record: one block */
  ocmf->chunk = g_string_chunk_new (2 * len + 64);

  /* Work on the private copy: it is nul-terminated and cannot change. */
  payload_spans = g_array_sized_new (FALSE, FALSE, sizeof (Span), 48);
  signature_spans = g_array_sized_new (FALSE, FALSE, sizeof (Span), 8);
  scratch = g_string_sized_new (64);

  s.buf = ocmf->text;
  s.len = len;
  s.pos = 5;
  s.chunk = ocmf->chunk;
  s.scratch = scratch;
  s.error = error;

  s.spans = payload_spans;
  s.syntax_code = ANX_OCMF_ERROR_PAYLOAD_SYNTAX;
  if (!check_top_object (&s, N_("the payload")))
    return NULL;
  ocmf->payload_offset = 5;
  ocmf->payload_len = s.pos - 5;

  if (s.pos >= len || s.buf[s.pos] != '|')
    {
      set_error_at (error, ANX_OCMF_ERROR_SEPARATOR, NULL, s.pos,
                    _("expected “|” right after the payload object"));
      return NULL;
    }
  s.pos++;

  /* The signature section is not signed; whitespace around it is harmless. */
  scanner_skip_ws (&s);
  signature_offset = s.pos;
  s.spans = signature_spans;
  s.syntax_code = ANX_OCMF_ERROR_SIGNATURE_SYNTAX;
  if (!check_top_object (&s, N_("the signature section")))
    return NULL;
  ocmf->signature_offset = signature_offset;
  ocmf->signature_len = s.pos - signature_offset;

  scanner_skip_ws (&s);
  if (s.pos != len)
    {
      set_error_at (error, ANX_OCMF_ERROR_TRAILING_DATA, NULL, s.pos,
                    _("unexpected data after the signature section"));
      return NULL;
    }

  ctx.ocmf = ocmf;
  ctx.error = error;
  ctx.rd_lo = 0;
  ctx.rd_hi = 0;

  context_set_spans (&ctx, signature_spans);
  ctx.fallback_offset = signature_offset;
  if (!parse_signature_fields (&ctx))
    return NULL;

  context_set_spans (&ctx, payload_spans);
  ctx.fallback_offset = ocmf->payload_offset;
  if (!parse_payload_fields (&ctx))
    return NULL;
  ocmf->spans = g_steal_pointer (&payload_spans);

  return g_steal_pointer (&ocmf);
}

/**
 * anx_ocmf_ref:
 * @ocmf: a record
 *
 * Returns: (transfer full): @ocmf
 */
AnxOcmf *
anx_ocmf_ref (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  g_atomic_ref_count_inc (&ocmf->ref_count);
  return ocmf;
}

/**
 * anx_ocmf_unref:
 * @ocmf: (transfer full): a record
 *
 * Drops a reference; the last one frees the record.
 */
void
anx_ocmf_unref (AnxOcmf *ocmf)
{
  g_return_if_fail (ocmf != NULL);

  if (!g_atomic_ref_count_dec (&ocmf->ref_count))
    return;

  if (ocmf->readings != NULL)
    for (guint i = 0; i < ocmf->n_readings; i++)
      g_clear_pointer (&ocmf->readings[i].time, g_date_time_unref);
  g_free (ocmf->readings);
  g_free (ocmf->reading_objects);
  g_clear_pointer (&ocmf->payload_root, json_node_unref);
  g_clear_pointer (&ocmf->signature_root, json_node_unref);
  g_clear_pointer (&ocmf->spans, g_array_unref);
  g_clear_pointer (&ocmf->chunk, g_string_chunk_free);
  g_strfreev (ocmf->identification_flags);
  g_free (ocmf->format_version);
  g_free (ocmf->sa);
  g_free (ocmf->se);
  g_free (ocmf->sm);
  g_free (ocmf->si);
  g_clear_pointer (&ocmf->signature_data, g_bytes_unref);
  g_free (ocmf->text);
  g_free (ocmf);
}

/**
 * anx_ocmf_get_text:
 * @ocmf: a record
 * @length: (out) (optional): its length in bytes
 *
 * Returns: the whole record as parsed (nul-terminated)
 */
const char *
anx_ocmf_get_text (AnxOcmf *ocmf,
                   gsize   *length)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  if (length != NULL)
    *length = ocmf->text_len;
  return ocmf->text;
}

/**
 * anx_ocmf_get_payload:
 * @ocmf: a record
 * @length: (out): the payload's length in bytes
 *
 * The signed bytes: the payload object from its `{` to its matching `}`,
 * exactly as transmitted. Not nul-terminated: use @length.
 *
 * Returns: (transfer none): pointer into the record's text
 */
const char *
anx_ocmf_get_payload (AnxOcmf *ocmf,
                      gsize   *length)
{
  g_return_val_if_fail (ocmf != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  *length = ocmf->payload_len;
  return ocmf->text + ocmf->payload_offset;
}

/**
 * anx_ocmf_get_payload_bytes:
 * @ocmf: a record
 *
 * Returns: (transfer full): a copy of the signed payload bytes
 */
GBytes *
anx_ocmf_get_payload_bytes (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return g_bytes_new (ocmf->text + ocmf->payload_offset, ocmf->payload_len);
}

/**
 * anx_ocmf_get_payload_object:
 * @ocmf: a record
 *
 * Returns: (transfer none): the payload as an immutable JSON object, for
 *   fields without their own getter
 */
JsonObject *
anx_ocmf_get_payload_object (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return json_node_get_object (get_payload_root (ocmf));
}

/**
 * anx_ocmf_get_signature_object:
 * @ocmf: a record
 *
 * Returns: (transfer none): the signature section as an immutable JSON object
 */
JsonObject *
anx_ocmf_get_signature_object (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return json_node_get_object (get_signature_root (ocmf));
}

/**
 * anx_ocmf_get_format_version:
 * @ocmf: a record
 *
 * Returns: (nullable): `FV` as sent ("1.0"; a number 1.0 gives "1.0"), or %NULL
 */
const char *
anx_ocmf_get_format_version (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->format_version;
}

/**
 * anx_ocmf_get_format_version_known:
 * @ocmf: a record
 *
 * Returns: whether `FV` is one of 1.0 to 1.4
 */
gboolean
anx_ocmf_get_format_version_known (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, FALSE);

  return ocmf->format_version_known;
}

/**
 * anx_ocmf_get_string:
 * @ocmf: a record
 * @field: a top-level payload field name, e.g. "MS", "GI", "TT", "CI"
 *
 * Any scalar top-level payload field as text: a string's contents, or a
 * number's (or true/false's) characters exactly as sent.
 *
 * Returns: (nullable): the text, or %NULL when the field is absent or not scalar
 */
const char *
anx_ocmf_get_string (AnxOcmf    *ocmf,
                     const char *field)
{
  g_return_val_if_fail (ocmf != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  /* Top-level member names are unique; text is NULL unless scalar */
  for (guint i = 0; i < ocmf->spans->len; i++)
    {
      const Span *span = &g_array_index (ocmf->spans, Span, i);

      if (span->rd_index == -1 && span->key_len == strlen (field) &&
          memcmp (span->key, field, span->key_len) == 0)
        return span->text;
    }
  return NULL;
}

/**
 * anx_ocmf_get_pagination:
 * @ocmf: a record
 * @number: (out) (optional): the counter
 *
 * `PG`: "T123" is transaction counter 123, "F45" fiscal counter 45.
 *
 * Returns: the counter's kind
 */
AnxOcmfPaginationKind
anx_ocmf_get_pagination (AnxOcmf *ocmf,
                         guint64 *number)
{
  g_return_val_if_fail (ocmf != NULL, ANX_OCMF_PAGINATION_NONE);

  if (number != NULL)
    *number = ocmf->pagination_number;
  return ocmf->pagination;
}

/**
 * anx_ocmf_get_identification_status:
 * @ocmf: a record
 * @status: (out) (optional): `IS`
 *
 * Returns: whether the record has `IS`
 */
gboolean
anx_ocmf_get_identification_status (AnxOcmf  *ocmf,
                                    gboolean *status)
{
  g_return_val_if_fail (ocmf != NULL, FALSE);

  if (status != NULL)
    *status = ocmf->identification_status;
  return ocmf->has_identification_status;
}

/**
 * anx_ocmf_get_identification_flags:
 * @ocmf: a record
 *
 * Returns: (nullable) (transfer none): `IF` as a %NULL-terminated array, or
 *   %NULL when absent
 */
const char *const *
anx_ocmf_get_identification_flags (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return (const char *const *) ocmf->identification_flags;
}

/**
 * anx_ocmf_get_loss_compensation:
 * @ocmf: a record
 *
 * Returns: (nullable) (transfer none): the `LC` object (LN, LI, LR, LU), or %NULL
 */
JsonObject *
anx_ocmf_get_loss_compensation (AnxOcmf *ocmf)
{
  JsonObject *payload;

  g_return_val_if_fail (ocmf != NULL, NULL);

  payload = json_node_get_object (get_payload_root (ocmf));
  if (json_object_has_member (payload, "LC") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "LC")))
    return json_object_get_object_member (payload, "LC");
  return NULL;
}

/**
 * anx_ocmf_get_n_readings:
 * @ocmf: a record
 *
 * Returns: the number of entries in `RD` (at least one)
 */
guint
anx_ocmf_get_n_readings (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, 0);

  return ocmf->n_readings;
}

/**
 * anx_ocmf_get_reading:
 * @ocmf: a record
 * @index: 0 to anx_ocmf_get_n_readings() - 1
 *
 * Fields a reading omitted because they repeat the reading before it are
 * filled in from that reading (see #AnxOcmfReading.carried).
 *
 * Returns: (transfer none): the reading, valid as long as @ocmf
 */
const AnxOcmfReading *
anx_ocmf_get_reading (AnxOcmf *ocmf,
                      guint    index)
{
  g_return_val_if_fail (ocmf != NULL, NULL);
  g_return_val_if_fail (index < ocmf->n_readings, NULL);

  return &ocmf->readings[index];
}

/**
 * anx_ocmf_get_reading_object:
 * @ocmf: a record
 * @index: 0 to anx_ocmf_get_n_readings() - 1
 *
 * The reading's JSON object, for fields #AnxOcmfReading does not hold. It
 * is built on first use (the whole payload's object model), which costs
 * more than everything else about a record but its signature: the
 * verifier does not need it.
 *
 * Returns: (transfer none): the reading's object, valid as long as @ocmf
 */
JsonObject *
anx_ocmf_get_reading_object (AnxOcmf *ocmf,
                             guint    index)
{
  g_return_val_if_fail (ocmf != NULL, NULL);
  g_return_val_if_fail (index < ocmf->n_readings, NULL);

  link_readings (ocmf);
  return ocmf->reading_objects[index];
}

/* OBIS A-B:C.D.E(.F) in any of its spellings ("1-0:1.8.0", "1-b:1.8.0",
 * "01-00:01.08.00.FF"): active energy import is C = 1, D = 8. */
static gboolean
obis_is_energy_import (const char *obis)
{
  const char *colon;
  char *end = NULL;
  guint64 c, d;

  if (obis == NULL)
    return FALSE;
  colon = strchr (obis, ':');
  if (colon == NULL)
    return FALSE;
  c = g_ascii_strtoull (colon + 1, &end, 10);
  if (end == colon + 1 || *end != '.')
    return FALSE;
  {
    const char *dp = end + 1;
    d = g_ascii_strtoull (dp, &end, 10);
    if (end == dp)
      return FALSE;
  }
  return c == 1 && d == 8;
}

static gboolean
reading_is_energy (const AnxOcmfReading *r)
{
  if (r->unit == NULL || (g_strcmp0 (r->unit, "kWh") != 0 && g_strcmp0 (r->unit, "Wh") != 0))
    return FALSE;
  return r->obis == NULL || obis_is_energy_import (r->obis);
}

/**
 * anx_ocmf_find_energy_reading:
 * @ocmf: a record
 * @role: start or stop
 *
 * Finds the active-energy-import reading (OBIS x-x:1.8.x, unit kWh or Wh)
 * that starts the transaction (the first with `TX` B) or ends it (the last
 * with `TX` E, L, R, A or P). A session may be signed as one record with
 * both, or as two records (one with B, one with E).
 *
 * Returns: (nullable) (transfer none): the reading, or %NULL
 */
const AnxOcmfReading *
anx_ocmf_find_energy_reading (AnxOcmf            *ocmf,
                              AnxOcmfReadingRole  role)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  link_readings (ocmf);
  if (role == ANX_OCMF_READING_START)
    {
      for (guint i = 0; i < ocmf->n_readings; i++)
        {
          const AnxOcmfReading *r = &ocmf->readings[i];
          if (reading_is_energy (r) && g_strcmp0 (r->transaction, "B") == 0)
            return r;
        }
      return NULL;
    }

  for (guint i = ocmf->n_readings; i > 0; i--)
    {
      const AnxOcmfReading *r = &ocmf->readings[i - 1];
      if (reading_is_energy (r) && r->transaction != NULL && r->transaction[0] != '\0' &&
          r->transaction[1] == '\0' && strchr ("ELRAP", r->transaction[0]) != NULL)
        return r;
    }
  return NULL;
}

/**
 * anx_ocmf_reading_get_wh:
 * @reading: a reading
 * @wh: (out): its value in Wh
 *
 * Converts an energy reading to Wh from its exact decimal text (so
 * "1234.56" kWh is exactly 1234560 Wh, with no binary rounding on the way).
 *
 * Returns: %FALSE if the unit is not kWh or Wh
 */
gboolean
anx_ocmf_reading_get_wh (const AnxOcmfReading *reading,
                         double               *wh)
{
  g_autofree char *trimmed = NULL;
  GString *shifted;
  const char *dot;
  double value;

  g_return_val_if_fail (reading != NULL, FALSE);
  g_return_val_if_fail (wh != NULL, FALSE);

  if (g_strcmp0 (reading->unit, "Wh") == 0)
    {
      *wh = reading->value;
      return TRUE;
    }
  if (g_strcmp0 (reading->unit, "kWh") != 0)
    return FALSE;

  trimmed = g_strstrip (g_strdup (reading->value_text));
  if (strpbrk (trimmed, "eE") != NULL)
    {
      *wh = reading->value * 1000.0;
      return TRUE;
    }

  /* Move the decimal point three places to the right. */
  shifted = g_string_new (NULL);
  dot = strchr (trimmed, '.');
  if (dot == NULL)
    g_string_append_printf (shifted, "%s000", trimmed);
  else
    {
      gsize frac = strlen (dot + 1);

      g_string_append_len (shifted, trimmed, dot - trimmed);
      g_string_append_len (shifted, dot + 1, MIN (frac, 3));
      for (gsize i = frac; i < 3; i++)
        g_string_append_c (shifted, '0');
      if (frac > 3)
        {
          g_string_append_c (shifted, '.');
          g_string_append (shifted, dot + 4);
        }
    }
  value = g_ascii_strtod (shifted->str, NULL);
  g_string_free (shifted, TRUE);
  *wh = value;
  return TRUE;
}

/**
 * anx_ocmf_get_transaction_energy:
 * @ocmf: a record
 * @start_wh: (out) (optional): the start register reading in Wh
 * @stop_wh: (out) (optional): the stop register reading in Wh
 * @error: return location for %ANX_OCMF_ERROR_NO_READING
 *
 * For a record that holds both the start and the stop reading of a session.
 *
 * Returns: %TRUE if both were found
 */
gboolean
anx_ocmf_get_transaction_energy (AnxOcmf  *ocmf,
                                 double   *start_wh,
                                 double   *stop_wh,
                                 GError  **error)
{
  const AnxOcmfReading *start, *stop;
  double a, b;

  g_return_val_if_fail (ocmf != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  start = anx_ocmf_find_energy_reading (ocmf, ANX_OCMF_READING_START);
  stop = anx_ocmf_find_energy_reading (ocmf, ANX_OCMF_READING_STOP);
  if (start == NULL || !anx_ocmf_reading_get_wh (start, &a))
    return set_error_at (error, ANX_OCMF_ERROR_NO_READING, "RD", ocmf->payload_offset,
                         _("no start (TX “B”) energy reading"));
  if (stop == NULL || !anx_ocmf_reading_get_wh (stop, &b))
    return set_error_at (error, ANX_OCMF_ERROR_NO_READING, "RD", ocmf->payload_offset,
                         _("no stop (TX “E”, “L”, “R”, “A” or “P”) energy reading"));

  if (start_wh != NULL)
    *start_wh = a;
  if (stop_wh != NULL)
    *stop_wh = b;
  return TRUE;
}

/**
 * anx_ocmf_get_signature_algorithm_name:
 * @ocmf: a record
 *
 * Returns: (nullable): `SA` as sent, or %NULL when absent
 */
const char *
anx_ocmf_get_signature_algorithm_name (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->sa;
}

/**
 * anx_ocmf_get_signature_algorithm:
 * @ocmf: a record
 *
 * Returns: the algorithm `SA` names (secp256r1 when absent, as OCMF says),
 *   or %ANX_SIGNATURE_ALGORITHM_UNKNOWN
 */
AnxSignatureAlgorithm
anx_ocmf_get_signature_algorithm (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, ANX_SIGNATURE_ALGORITHM_UNKNOWN);

  return ocmf->algorithm;
}

/**
 * anx_ocmf_get_signature_encoding:
 * @ocmf: a record
 *
 * Returns: (nullable): `SE` as sent ("hex" when %NULL)
 */
const char *
anx_ocmf_get_signature_encoding (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->se;
}

/**
 * anx_ocmf_get_signature_mime_type:
 * @ocmf: a record
 *
 * Returns: (nullable): `SM` as sent ("application/x-der" when %NULL)
 */
const char *
anx_ocmf_get_signature_mime_type (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->sm;
}

/**
 * anx_ocmf_get_signature_data:
 * @ocmf: a record
 *
 * Returns: (transfer none): `SD` decoded from hex or base64: the DER signature
 */
GBytes *
anx_ocmf_get_signature_data (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->signature_data;
}

/**
 * anx_ocmf_get_sm2_id:
 * @ocmf: a record
 *
 * Returns: (nullable): `SI`, the SM2 distinguishing ID the record names
 *   (an Anxin extension, see docs/signed-meter-data.md), or %NULL
 */
const char *
anx_ocmf_get_sm2_id (AnxOcmf *ocmf)
{
  g_return_val_if_fail (ocmf != NULL, NULL);

  return ocmf->si;
}

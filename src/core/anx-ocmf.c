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
 * duplicate keys, lone surrogates and deep nesting, builds the json-glib
 * object model, and remembers where each field's value sits so that errors
 * can name byte offsets and numbers keep their exact text. */

#define MAX_DEPTH 16

/* Where one member's value sits in the record: a top-level member of the
 * payload or signature section (rd_index -1), a member of reading rd_index,
 * or (key NULL) reading rd_index itself. */
typedef struct
{
  const char *key;
  int rd_index;
  gsize key_offset;
  gsize value_offset;
  gsize value_len;
} Span;

typedef struct
{
  const char *buf;
  gsize len;
  gsize pos;
  AnxOcmfError syntax_code;
  GArray *spans; /* of Span */
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

  JsonNode *payload_root;
  JsonNode *signature_root;

  GStringChunk *chunk;
  GHashTable *strings; /* top-level number/boolean field -> its text, or NULL */

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
  Span span;

  span.key = key != NULL ? g_string_chunk_insert (s->chunk, key) : NULL;
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

/* --- Field helpers ---------------------------------------------------- */

typedef struct
{
  AnxOcmf *ocmf;
  GArray *spans;
  gsize fallback_offset;
  GError **error;
} Context;

static const Span *
find_span (Context    *ctx,
           int         rd_index,
           const char *key)
{
  for (guint i = 0; i < ctx->spans->len; i++)
    {
      const Span *span = &g_array_index (ctx->spans, Span, i);

      if (span->rd_index == rd_index &&
          (key == NULL ? span->key == NULL : (span->key != NULL && g_str_equal (span->key, key))))
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

/* The exact characters of a scalar member: a string's contents, or a
 * number's digits as sent. */
static const char *
scalar_text (Context    *ctx,
             int         rd_index,
             const char *key,
             JsonNode   *node)
{
  const Span *span;

  /* Sealed nodes live as long as the record: no copy needed */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  span = find_span (ctx, rd_index, key);
  if (span != NULL)
    return g_string_chunk_insert_len (ctx->ocmf->chunk, ctx->ocmf->text + span->value_offset,
                                      (gssize) span->value_len);

  /* Not reached for members the scanner saw; kept for safety. */
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node) ? "true" : "false";
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_string_chunk_insert_const (
        ctx->ocmf->chunk, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
  }
}

/* Gets an optional text member: string or number (some firmware sends
 * `"CT": 0`); null counts as absent; objects, arrays and true/false are
 * errors. */
static gboolean
get_text_member (Context     *ctx,
                 JsonObject  *object,
                 int          rd_index,
                 const char  *name,
                 const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, rd_index, name,
                            _("expected a string"));
  *out = scalar_text (ctx, rd_index, name, node);
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
                   JsonObject  *object,
                   int          rd_index,
                   const char  *name,
                   const char **text,
                   double      *value)
{
  JsonNode *node = json_object_get_member (object, name);

  *text = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, rd_index, name,
                            _("expected a number"));
  *text = scalar_text (ctx, rd_index, name, node);
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
parse_readings (Context   *ctx,
                JsonArray *rd)
{
  AnxOcmf *ocmf = ctx->ocmf;
  guint n = json_array_get_length (rd);

  if (n == 0)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_VALUE, -1, "RD", _("there are no readings"));

  ocmf->readings = g_new0 (AnxOcmfReading, n);
  ocmf->n_readings = n;

  for (guint i = 0; i < n; i++)
    {
      AnxOcmfReading *r = &ocmf->readings[i];
      const AnxOcmfReading *prev = i > 0 ? &ocmf->readings[i - 1] : NULL;
      JsonNode *node = json_array_get_element (rd, i);
      JsonObject *object;
      int ri = (int) i;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, ri, NULL,
                                _("a reading must be a JSON object"));
      object = json_node_get_object (node);
      r->object = object;

      if (!get_text_member (ctx, object, ri, "TM", &r->time_text))
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
    if (!get_text_member (ctx, object, ri, member, &r->field))   \
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

      if (!get_number_member (ctx, object, ri, "RV", &r->value_text, &r->value))
        return FALSE;
      if (r->value_text == NULL)
        return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, ri, "RV",
                                _("every reading needs a value"));

      if (!get_number_member (ctx, object, ri, "CL", &r->cumulated_loss_text, &r->cumulated_loss))
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
  JsonObject *payload = json_node_get_object (ocmf->payload_root);
  JsonNode *node;
  const char *fv = NULL;
  const char *pg = NULL;
  JsonObjectIter iter;
  const char *name;

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const char *value;

      if (!get_text_member (ctx, payload, -1, text_fields[i], &value))
        return FALSE;
      if (i == 0)
        fv = value;
      else if (i == 4)
        pg = value;
    }

  /* The text of scalar members that are not strings, for anx_ocmf_get_string() */
  json_object_iter_init (&iter, payload);
  while (json_object_iter_next (&iter, &name, &node))
    if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING)
      {
        if (ocmf->strings == NULL)
          ocmf->strings = g_hash_table_new (g_str_hash, g_str_equal);
        g_hash_table_insert (ocmf->strings, g_string_chunk_insert (ocmf->chunk, name),
                             (gpointer) scalar_text (ctx, -1, name, node));
      }

  if (fv != NULL)
    {
      ocmf->format_version = g_strdup (fv);
      for (guint i = 0; i < G_N_ELEMENTS (known_versions); i++)
        if (g_str_equal (fv, known_versions[i]))
          ocmf->format_version_known = TRUE;
    }

  if (!parse_pagination (ctx, pg))
    return FALSE;

  node = json_object_get_member (payload, "IS");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IS",
                                _("expected true or false"));
      ocmf->has_identification_status = TRUE;
      ocmf->identification_status = json_node_get_boolean (node);
    }

  node = json_object_get_member (payload, "IF");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonArray *flags;
      guint n;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IF",
                                _("expected an array of strings"));
      flags = json_node_get_array (node);
      n = json_array_get_length (flags);
      ocmf->identification_flags = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *flag = json_array_get_element (flags, i);

          if (!JSON_NODE_HOLDS_VALUE (flag) || json_node_get_value_type (flag) != G_TYPE_STRING)
            return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "IF",
                                    _("expected an array of strings"));
          ocmf->identification_flags[i] = g_strdup (json_node_get_string (flag));
        }
    }

  node = json_object_get_member (payload, "LC");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_OBJECT (node))
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "LC", _("expected an object"));

  node = json_object_get_member (payload, "RD");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return set_field_error (ctx, ANX_OCMF_ERROR_MISSING_FIELD, -1, "RD",
                            _("the readings are mandatory"));
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, "RD",
                            _("expected an array of readings"));
  return parse_readings (ctx, json_node_get_array (node));
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
                   JsonObject  *object,
                   const char  *name,
                   const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return set_field_error (ctx, ANX_OCMF_ERROR_FIELD_TYPE, -1, name, _("expected a string"));
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
parse_signature_fields (Context *ctx)
{
  AnxOcmf *ocmf = ctx->ocmf;
  JsonObject *sig = json_node_get_object (ocmf->signature_root);
  const char *sa, *se, *sm, *sd, *si;

  if (!get_string_member (ctx, sig, "SA", &sa) || !get_string_member (ctx, sig, "SE", &se) ||
      !get_string_member (ctx, sig, "SM", &sm) || !get_string_member (ctx, sig, "SD", &sd) ||
      !get_string_member (ctx, sig, "SI", &si))
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
  Context ctx = { 0 };
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
  ocmf->chunk = g_string_chunk_new (512);

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
  ocmf->payload_root = scanner_top_object (&s, _("the payload"));
  if (ocmf->payload_root == NULL)
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
  ocmf->signature_root = scanner_top_object (&s, _("the signature section"));
  if (ocmf->signature_root == NULL)
    return NULL;

  scanner_skip_ws (&s);
  if (s.pos != len)
    {
      set_error_at (error, ANX_OCMF_ERROR_TRAILING_DATA, NULL, s.pos,
                    _("unexpected data after the signature section"));
      return NULL;
    }

  ctx.ocmf = ocmf;
  ctx.error = error;

  ctx.spans = signature_spans;
  ctx.fallback_offset = signature_offset;
  if (!parse_signature_fields (&ctx))
    return NULL;

  ctx.spans = payload_spans;
  ctx.fallback_offset = ocmf->payload_offset;
  if (!parse_payload_fields (&ctx))
    return NULL;

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
  g_clear_pointer (&ocmf->payload_root, json_node_unref);
  g_clear_pointer (&ocmf->signature_root, json_node_unref);
  g_clear_pointer (&ocmf->strings, g_hash_table_unref);
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

  return json_node_get_object (ocmf->payload_root);
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

  return json_node_get_object (ocmf->signature_root);
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
  JsonNode *node;

  g_return_val_if_fail (ocmf != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = json_object_get_member (json_node_get_object (ocmf->payload_root), field);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return ocmf->strings != NULL ? g_hash_table_lookup (ocmf->strings, field) : NULL;
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

  payload = json_node_get_object (ocmf->payload_root);
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

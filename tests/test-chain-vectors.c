/* test-chain-vectors.c: the worked examples of docs/feed-protocol.md
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-chain-record.h"

#define VECTOR_FENCE "```json anxin-chain-vector"

static char *
read_protocol_document (void)
{
  const char *root = g_getenv ("ANXIN_SOURCE_ROOT");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_nonnull (root);
  path = g_build_filename (root, "docs", "feed-protocol.md", NULL);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Returns the JSON texts of all vector blocks, in document order */
static GPtrArray *
extract_vectors (const char *document)
{
  GPtrArray *blocks = g_ptr_array_new_with_free_func (g_free);
  const char *p = document;

  while ((p = strstr (p, VECTOR_FENCE)) != NULL)
    {
      const char *start = strchr (p, '\n');
      const char *end;

      g_assert_nonnull (start);
      start++;
      end = strstr (start, "\n```");
      g_assert_nonnull (end);
      g_ptr_array_add (blocks, g_strndup (start, end - start));
      p = end + 4;
    }
  return blocks;
}

static char *
bytes_to_hex (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GString *hex = g_string_sized_new (len * 2);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

static void
test_vectors (void)
{
  g_autofree char *document = read_protocol_document ();
  g_autoptr(GPtrArray) blocks = extract_vectors (document);
  g_autoptr(GHashTable) kinds = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint8 previous[ANX_CHAIN_HASH_SIZE];
  gboolean saw_chinese = FALSE;

  memcpy (previous, anx_chain_genesis_hash (), ANX_CHAIN_HASH_SIZE);

  /* the brief asks for at least these five */
  g_assert_cmpuint (blocks->len, >=, 5);

  for (guint i = 0; i < blocks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root =
          anx_chain_json_parse_strict (g_ptr_array_index (blocks, i), -1, &error);
      g_autoptr(AnxChainRecord) record = NULL;
      g_autoptr(GBytes) input = NULL;
      g_autoptr(GString) expected_input = g_string_new (NULL);
      g_autofree char *input_hex = NULL;
      g_autofree char *hash_hex = NULL;
      g_autofree char *json = NULL;
      g_autoptr(AnxChainRecord) reparsed = NULL;
      guint8 hash[ANX_CHAIN_HASH_SIZE];
      JsonObject *vector;
      JsonArray *lines;

      g_assert_no_error (error);
      vector = json_node_get_object (root);
      g_test_message ("vector %s", json_object_get_string_member (vector, "name"));

      record =
          anx_chain_record_new_from_json_node (json_object_get_member (vector, "record"), &error);
      g_assert_no_error (error);
      g_assert_nonnull (record);

      lines = json_object_get_array_member (vector, "hash_input_hex");
      for (guint j = 0; j < json_array_get_length (lines); j++)
        g_string_append (expected_input, json_array_get_string_element (lines, j));

      input = anx_chain_record_get_hash_input (record);
      input_hex = bytes_to_hex (input);
      g_assert_cmpstr (input_hex, ==, expected_input->str);

      anx_chain_record_compute_hash (record, hash);
      hash_hex = anx_chain_hash_to_hex (hash);
      g_assert_cmpstr (hash_hex, ==, json_object_get_string_member (vector, "sha256"));
      g_assert_true (anx_chain_record_hash_is_valid (record));

      /* the vectors form one chain */
      g_assert_cmpmem (anx_chain_record_get_prev_hash (record), ANX_CHAIN_HASH_SIZE, previous,
                       ANX_CHAIN_HASH_SIZE);
      g_assert_cmpuint (anx_chain_record_get_sequence (record), ==, i);
      memcpy (previous, hash, ANX_CHAIN_HASH_SIZE);

      /* what we write reads back to the same hash */
      json = anx_chain_record_to_json (record, FALSE);
      reparsed = anx_chain_record_new_from_json (json, -1, &error);
      g_assert_no_error (error);
      anx_chain_record_compute_hash (reparsed, hash);
      g_assert_cmpmem (hash, ANX_CHAIN_HASH_SIZE, anx_chain_record_get_hash (record),
                       ANX_CHAIN_HASH_SIZE);

      g_hash_table_add (kinds, GINT_TO_POINTER (anx_chain_record_get_kind (record)));
      if (anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_INSPECTION)
        saw_chinese = !g_str_is_ascii (anx_chain_record_get_notes (record));
    }

  g_assert_cmpuint (g_hash_table_size (kinds), ==, 4);
  g_assert_true (saw_chinese);
}

static void
test_genesis_matches_document (void)
{
  g_autofree char *document = read_protocol_document ();
  g_autofree char *genesis = anx_chain_hash_to_hex (anx_chain_genesis_hash ());
  g_autofree char *line = g_strconcat ("        = ", genesis, "\n", NULL);

  g_assert_nonnull (strstr (document, line));
  g_assert_cmpstr (genesis, ==, "5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chain-vectors/genesis", test_genesis_matches_document);
  g_test_add_func ("/chain-vectors/document", test_vectors);

  return g_test_run ();
}

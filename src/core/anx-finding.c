/* anx-finding.c: one thing a verifier found wrong with a chain record
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-finding"

#include "config.h"

#include <string.h>

#include "anx-chain-record.h"
#include "anx-finding.h"

typedef struct
{
  char *name;
  GVariant *value;
} Detail;

struct _AnxFinding
{
  gatomicrefcount ref_count;
  char *code;
  AnxFindingSeverity severity;
  char *charger_id;
  guint64 sequence;
  gboolean has_record_hash;
  guint8 record_hash[ANX_CHAIN_HASH_SIZE];
  char *message;
  /* kept in insertion order so that output is stable */
  GArray *details;
};

G_DEFINE_BOXED_TYPE (AnxFinding, anx_finding, anx_finding_ref, anx_finding_unref)

static const char *const severity_names[] = { "notice", "warning", "critical" };

/**
 * anx_finding_severity_to_string:
 * @severity: a severity
 *
 * Returns: `notice`, `warning` or `critical`
 */
const char *
anx_finding_severity_to_string (AnxFindingSeverity severity)
{
  g_return_val_if_fail ((guint) severity < G_N_ELEMENTS (severity_names), NULL);
  return severity_names[severity];
}

static void
detail_clear (gpointer data)
{
  Detail *detail = data;

  g_clear_pointer (&detail->name, g_free);
  g_clear_pointer (&detail->value, g_variant_unref);
}

/**
 * anx_finding_new:
 * @code: a stable code such as %ANX_FINDING_ENERGY_MISMATCH
 * @severity: how serious it is
 * @charger_id: the charger whose chain the record belongs to
 * @sequence: the record's sequence number
 * @record_hash: (nullable): the record's hash, if known
 * @message: a translated sentence for people, with the numbers in it
 *
 * Creates a finding; attach the numbers behind it with
 * anx_finding_set_int() and friends before handing it out.
 *
 * Returns: (transfer full): the finding
 */
AnxFinding *
anx_finding_new (const char         *code,
                 AnxFindingSeverity  severity,
                 const char         *charger_id,
                 guint64             sequence,
                 const guint8       *record_hash,
                 const char         *message)
{
  AnxFinding *self;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  self = g_new0 (AnxFinding, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->code = g_strdup (code);
  self->severity = severity;
  self->charger_id = g_strdup (charger_id != NULL ? charger_id : "");
  self->sequence = sequence;
  self->has_record_hash = record_hash != NULL;
  if (record_hash != NULL)
    memcpy (self->record_hash, record_hash, ANX_CHAIN_HASH_SIZE);
  self->message = g_strdup (message);
  self->details = g_array_new (FALSE, TRUE, sizeof (Detail));
  g_array_set_clear_func (self->details, detail_clear);
  return self;
}

/**
 * anx_finding_ref:
 * @self: a finding
 *
 * Returns: (transfer full): @self
 */
AnxFinding *
anx_finding_ref (AnxFinding *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * anx_finding_unref:
 * @self: (transfer full): a finding
 */
void
anx_finding_unref (AnxFinding *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->code);
  g_free (self->charger_id);
  g_free (self->message);
  g_array_unref (self->details);
  g_free (self);
}

static void
set_detail (AnxFinding *self,
            const char *name,
            GVariant   *value)
{
  Detail detail;

  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *existing = &g_array_index (self->details, Detail, i);

      if (g_str_equal (existing->name, name))
        {
          g_variant_unref (existing->value);
          existing->value = g_variant_ref_sink (value);
          return;
        }
    }
  detail.name = g_strdup (name);
  detail.value = g_variant_ref_sink (value);
  g_array_append_val (self->details, detail);
}

/**
 * anx_finding_set_int:
 * @self: a finding
 * @name: e.g. `billed_wh`
 * @value: the number
 */
void
anx_finding_set_int (AnxFinding *self,
                     const char *name,
                     gint64      value)
{
  set_detail (self, name, g_variant_new_int64 (value));
}

/**
 * anx_finding_set_double:
 * @self: a finding
 * @name: e.g. `deviation_percent`
 * @value: the number
 */
void
anx_finding_set_double (AnxFinding *self,
                        const char *name,
                        double      value)
{
  set_detail (self, name, g_variant_new_double (value));
}

/**
 * anx_finding_set_string:
 * @self: a finding
 * @name: e.g. `status`
 * @value: the text
 */
void
anx_finding_set_string (AnxFinding *self,
                        const char *name,
                        const char *value)
{
  set_detail (self, name, g_variant_new_string (value != NULL ? value : ""));
}

const char *
anx_finding_get_code (AnxFinding *self)
{
  return self->code;
}

AnxFindingSeverity
anx_finding_get_severity (AnxFinding *self)
{
  return self->severity;
}

const char *
anx_finding_get_charger_id (AnxFinding *self)
{
  return self->charger_id;
}

guint64
anx_finding_get_sequence (AnxFinding *self)
{
  return self->sequence;
}

/**
 * anx_finding_get_record_hash:
 * @self: a finding
 *
 * Returns: (nullable): the concerned record's hash (as it was stated)
 */
const guint8 *
anx_finding_get_record_hash (AnxFinding *self)
{
  return self->has_record_hash ? self->record_hash : NULL;
}

const char *
anx_finding_get_message (AnxFinding *self)
{
  return self->message;
}

/**
 * anx_finding_get_details:
 * @self: a finding
 *
 * Returns: (transfer full): the numbers behind the finding, as `a{sv}`
 */
GVariant *
anx_finding_get_details (AnxFinding *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *detail = &g_array_index (self->details, Detail, i);

      g_variant_builder_add (&builder, "{sv}", detail->name, detail->value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * anx_finding_lookup:
 * @self: a finding
 * @name: a detail's name
 *
 * Returns: (transfer none) (nullable): the value, or %NULL
 */
GVariant *
anx_finding_lookup (AnxFinding *self,
                    const char *name)
{
  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *detail = &g_array_index (self->details, Detail, i);

      if (g_str_equal (detail->name, name))
        return detail->value;
    }
  return NULL;
}

/**
 * anx_finding_lookup_int:
 * @self: a finding
 * @name: a detail's name
 * @value: (out): its value
 *
 * Returns: %TRUE if the detail exists and is an integer
 */
gboolean
anx_finding_lookup_int (AnxFinding *self,
                        const char *name,
                        gint64     *value)
{
  GVariant *v = anx_finding_lookup (self, name);

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return FALSE;
  *value = g_variant_get_int64 (v);
  return TRUE;
}

/**
 * anx_finding_lookup_double:
 * @self: a finding
 * @name: a detail's name
 * @value: (out): its value
 *
 * Returns: %TRUE if the detail exists and is a number (integers convert)
 */
gboolean
anx_finding_lookup_double (AnxFinding *self,
                           const char *name,
                           double     *value)
{
  GVariant *v = anx_finding_lookup (self, name);

  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    *value = g_variant_get_double (v);
  else if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    *value = (double) g_variant_get_int64 (v);
  else
    return FALSE;
  return TRUE;
}

/**
 * anx_finding_to_json_node:
 * @self: a finding
 *
 * Writes `{"code", "severity", "charger_id", "sequence", "record_hash",
 * "message", "details": {...}}`; anxin-verify --json prints these.
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
anx_finding_to_json_node (AnxFinding *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, self->code);
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, severity_names[self->severity]);
  json_builder_set_member_name (builder, "charger_id");
  json_builder_add_string_value (builder, self->charger_id);
  json_builder_set_member_name (builder, "sequence");
  json_builder_add_int_value (builder, (gint64) self->sequence);
  json_builder_set_member_name (builder, "record_hash");
  if (self->has_record_hash)
    {
      g_autofree char *hex = anx_chain_hash_to_hex (self->record_hash);

      json_builder_add_string_value (builder, hex);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, self->message);
  json_builder_set_member_name (builder, "details");
  json_builder_begin_object (builder);
  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *detail = &g_array_index (self->details, Detail, i);

      json_builder_set_member_name (builder, detail->name);
      if (g_variant_is_of_type (detail->value, G_VARIANT_TYPE_INT64))
        json_builder_add_int_value (builder, g_variant_get_int64 (detail->value));
      else if (g_variant_is_of_type (detail->value, G_VARIANT_TYPE_DOUBLE))
        json_builder_add_double_value (builder, g_variant_get_double (detail->value));
      else
        json_builder_add_string_value (builder, g_variant_get_string (detail->value, NULL));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

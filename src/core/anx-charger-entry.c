/* anx-charger-entry.c: a charger's registry entry, with its meters' keys
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-charger-entry"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-chain-json.h"
#include "anx-chain-record.h"
#include "anx-charger-entry.h"

struct _AnxChargerEntry
{
  gatomicrefcount ref_count;
  char *charger_id;
  char *station_id;
  char *station_name;
  char *operator_id;
  char *operator_name;
  GPtrArray *meters;
};

G_DEFINE_BOXED_TYPE (AnxChargerEntry,
                     anx_charger_entry,
                     anx_charger_entry_ref,
                     anx_charger_entry_unref)

static const struct
{
  const char *name;
  guint tolerance_bp;
} accuracy_classes[] = {
  /* JJG 1148-2022 (AC) and JJG 1149-2022 (DC) charger classes */
  { "0.5", 50 },
  { "1", 100 },
  { "2", 200 },
};

/**
 * anx_accuracy_class_get_tolerance_bp:
 * @accuracy_class: `0.5`, `1` or `2`
 *
 * Returns: the class's maximum permissible error in basis points (0.01 %),
 *   or 0 for a class we do not know
 */
guint
anx_accuracy_class_get_tolerance_bp (const char *accuracy_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (accuracy_classes); i++)
    if (g_strcmp0 (accuracy_classes[i].name, accuracy_class) == 0)
      return accuracy_classes[i].tolerance_bp;
  return 0;
}

static void
meter_entry_free (gpointer data)
{
  AnxMeterEntry *meter = data;

  g_free (meter->serial);
  g_free (meter->model);
  g_free (meter->accuracy_class);
  g_free (meter->algorithm);
  g_bytes_unref (meter->public_key);
  g_free (meter);
}

/**
 * anx_charger_entry_new:
 * @charger_id: the charger's identifier, as in its chain records
 *
 * Returns: (transfer full): an entry without meters
 */
AnxChargerEntry *
anx_charger_entry_new (const char *charger_id)
{
  AnxChargerEntry *self;

  g_return_val_if_fail (charger_id != NULL, NULL);

  self = g_new0 (AnxChargerEntry, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->charger_id = g_strdup (charger_id);
  self->meters = g_ptr_array_new_with_free_func (meter_entry_free);
  return self;
}

/**
 * anx_charger_entry_ref:
 * @self: an entry
 *
 * Returns: (transfer full): @self
 */
AnxChargerEntry *
anx_charger_entry_ref (AnxChargerEntry *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * anx_charger_entry_unref:
 * @self: (transfer full): an entry
 */
void
anx_charger_entry_unref (AnxChargerEntry *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->charger_id);
  g_free (self->station_id);
  g_free (self->station_name);
  g_free (self->operator_id);
  g_free (self->operator_name);
  g_ptr_array_unref (self->meters);
  g_free (self);
}

const char *
anx_charger_entry_get_charger_id (AnxChargerEntry *self)
{
  return self->charger_id;
}

void
anx_charger_entry_set_station (AnxChargerEntry *self,
                               const char      *station_id,
                               const char      *station_name)
{
  g_free (self->station_id);
  self->station_id = g_strdup (station_id);
  g_free (self->station_name);
  self->station_name = g_strdup (station_name);
}

const char *
anx_charger_entry_get_station_id (AnxChargerEntry *self)
{
  return self->station_id != NULL ? self->station_id : "";
}

const char *
anx_charger_entry_get_station_name (AnxChargerEntry *self)
{
  return self->station_name != NULL ? self->station_name : "";
}

void
anx_charger_entry_set_operator (AnxChargerEntry *self,
                                const char      *operator_id,
                                const char      *operator_name)
{
  g_free (self->operator_id);
  self->operator_id = g_strdup (operator_id);
  g_free (self->operator_name);
  self->operator_name = g_strdup (operator_name);
}

const char *
anx_charger_entry_get_operator_id (AnxChargerEntry *self)
{
  return self->operator_id != NULL ? self->operator_id : "";
}

const char *
anx_charger_entry_get_operator_name (AnxChargerEntry *self)
{
  return self->operator_name != NULL ? self->operator_name : "";
}

/**
 * anx_charger_entry_add_meter:
 * @self: an entry
 * @serial: the meter's serial number, as its OCMF `MS` says it
 * @model: (nullable): the meter's model
 * @accuracy_class: `0.5`, `1` or `2`
 * @algorithm: the OCMF `SA` its key signs with, e.g. `ECDSA-secp256r1-SHA256`
 * @public_key: DER SubjectPublicKeyInfo
 * @from_sequence: the first chain record the key is valid for
 * @to_sequence: the last one, G_MAXUINT64 while in service
 *
 * Returns: (transfer none): the added meter entry
 */
const AnxMeterEntry *
anx_charger_entry_add_meter (AnxChargerEntry *self,
                             const char      *serial,
                             const char      *model,
                             const char      *accuracy_class,
                             const char      *algorithm,
                             GBytes          *public_key,
                             guint64          from_sequence,
                             guint64          to_sequence)
{
  AnxMeterEntry *meter;

  g_return_val_if_fail (serial != NULL, NULL);
  g_return_val_if_fail (anx_accuracy_class_get_tolerance_bp (accuracy_class) != 0, NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (from_sequence <= to_sequence, NULL);

  meter = g_new0 (AnxMeterEntry, 1);
  meter->serial = g_strdup (serial);
  meter->model = g_strdup (model != NULL ? model : "");
  meter->accuracy_class = g_strdup (accuracy_class);
  meter->tolerance_bp = anx_accuracy_class_get_tolerance_bp (accuracy_class);
  meter->algorithm = g_strdup (algorithm);
  meter->public_key = g_bytes_ref (public_key);
  meter->from_sequence = from_sequence;
  meter->to_sequence = to_sequence;
  g_ptr_array_add (self->meters, meter);
  return meter;
}

guint
anx_charger_entry_get_n_meters (AnxChargerEntry *self)
{
  return self->meters->len;
}

/**
 * anx_charger_entry_get_meter:
 * @self: an entry
 * @index: which meter entry
 *
 * Returns: (transfer none): the meter entry
 */
const AnxMeterEntry *
anx_charger_entry_get_meter (AnxChargerEntry *self,
                             guint            index)
{
  g_return_val_if_fail (index < self->meters->len, NULL);
  return g_ptr_array_index (self->meters, index);
}

/**
 * anx_charger_entry_find_meters:
 * @self: an entry
 * @serial: a meter serial number
 * @sequence: a chain record's sequence number
 *
 * Returns: (transfer container) (element-type AnxMeterEntry): the entries of
 *   meter @serial whose key is valid for record @sequence, possibly none
 */
GPtrArray *
anx_charger_entry_find_meters (AnxChargerEntry *self,
                               const char      *serial,
                               guint64          sequence)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < self->meters->len; i++)
    {
      AnxMeterEntry *meter = g_ptr_array_index (self->meters, i);

      if (g_strcmp0 (meter->serial, serial) == 0 && meter->from_sequence <= sequence &&
          sequence <= meter->to_sequence)
        g_ptr_array_add (found, meter);
    }
  return found;
}

static gboolean
read_meter (AnxChargerEntry  *self,
            JsonNode         *node,
            const char       *path,
            GError          **error)
{
  static const char *const allowed[] = {
    "serial",     "model",         "accuracy_class", "algorithm",
    "public_key", "from_sequence", "to_sequence",    NULL,
  };
  g_autofree char *serial = NULL;
  g_autofree char *model = NULL;
  g_autofree char *accuracy_class = NULL;
  g_autofree char *algorithm = NULL;
  g_autoptr(GBytes) key = NULL;
  JsonObject *object;
  JsonNode *to;
  gint64 from_sequence;
  gint64 to_sequence = -1;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
                   _("%s: expected %s"), path, _("an object"));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!anx_chain_json_check_members (object, path, allowed, error) ||
      !anx_chain_json_read_string (object, path, "serial", TRUE, FALSE, &serial, error) ||
      !anx_chain_json_read_string (object, path, "model", FALSE, TRUE, &model, error) ||
      !anx_chain_json_read_string (object, path, "accuracy_class", TRUE, FALSE, &accuracy_class,
                                   error) ||
      !anx_chain_json_read_string (object, path, "algorithm", TRUE, FALSE, &algorithm, error))
    return FALSE;
  if (anx_accuracy_class_get_tolerance_bp (accuracy_class) == 0)
    {
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("%s.accuracy_class: “%s” is not one of 0.5, 1, 2"), path, accuracy_class);
      return FALSE;
    }
  key = anx_chain_json_read_hex_bytes (object, path, "public_key", TRUE, error);
  if (key == NULL || !anx_chain_json_read_integer (object, path, "from_sequence", 0,
                                                   ANX_CHAIN_MAX_INTEGER, &from_sequence, error))
    return FALSE;
  to = json_object_get_member (object, "to_sequence");
  if (to != NULL && !JSON_NODE_HOLDS_NULL (to))
    {
      if (!anx_chain_json_read_integer (object, path, "to_sequence", from_sequence,
                                        ANX_CHAIN_MAX_INTEGER, &to_sequence, error))
        return FALSE;
    }

  anx_charger_entry_add_meter (self, serial, model, accuracy_class, algorithm, key,
                               (guint64) from_sequence,
                               to_sequence < 0 ? G_MAXUINT64 : (guint64) to_sequence);
  return TRUE;
}

/**
 * anx_charger_entry_new_from_json_node:
 * @node: the `charger` object of an evidence bundle (docs/evidence-bundle.md)
 * @error: return location for an %ANX_CHAIN_RECORD_ERROR
 *
 * Returns: (transfer full): the entry, or %NULL with @error naming the
 *   offending member
 */
AnxChargerEntry *
anx_charger_entry_new_from_json_node (JsonNode  *node,
                                      GError   **error)
{
  static const char *const allowed[] = {
    "charger_id", "station_id", "station_name", "operator_id", "operator_name", "meters", NULL,
  };
  g_autoptr(AnxChargerEntry) self = NULL;
  g_autofree char *charger_id = NULL;
  g_autofree char *station_id = NULL;
  g_autofree char *station_name = NULL;
  g_autofree char *operator_id = NULL;
  g_autofree char *operator_name = NULL;
  JsonObject *object;
  JsonNode *meters;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
                           _("the charger entry must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!anx_chain_json_check_members (object, NULL, allowed, error) ||
      !anx_chain_json_read_string (object, NULL, "charger_id", TRUE, FALSE, &charger_id, error) ||
      !anx_chain_json_read_string (object, NULL, "station_id", FALSE, TRUE, &station_id, error) ||
      !anx_chain_json_read_string (object, NULL, "station_name", FALSE, TRUE, &station_name,
                                   error) ||
      !anx_chain_json_read_string (object, NULL, "operator_id", FALSE, TRUE, &operator_id, error) ||
      !anx_chain_json_read_string (object, NULL, "operator_name", FALSE, TRUE, &operator_name,
                                   error))
    return NULL;

  self = anx_charger_entry_new (charger_id);
  anx_charger_entry_set_station (self, station_id, station_name);
  anx_charger_entry_set_operator (self, operator_id, operator_name);

  meters = anx_chain_json_get_member (object, NULL, "meters", TRUE, error);
  if (meters == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (meters))
    {
      anx_chain_json_wrong_type (error, NULL, "meters", _("an array"));
      return NULL;
    }
  array = json_node_get_array (meters);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("meters[%u]", i);

      if (!read_meter (self, json_array_get_element (array, i), path, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * anx_charger_entry_to_json_node:
 * @self: an entry
 *
 * Returns: (transfer full): the entry as the `charger` object of an
 *   evidence bundle
 */
JsonNode *
anx_charger_entry_to_json_node (AnxChargerEntry *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "charger_id");
  json_builder_add_string_value (builder, self->charger_id);
  json_builder_set_member_name (builder, "station_id");
  json_builder_add_string_value (builder, anx_charger_entry_get_station_id (self));
  json_builder_set_member_name (builder, "station_name");
  json_builder_add_string_value (builder, anx_charger_entry_get_station_name (self));
  json_builder_set_member_name (builder, "operator_id");
  json_builder_add_string_value (builder, anx_charger_entry_get_operator_id (self));
  json_builder_set_member_name (builder, "operator_name");
  json_builder_add_string_value (builder, anx_charger_entry_get_operator_name (self));
  json_builder_set_member_name (builder, "meters");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->meters->len; i++)
    {
      AnxMeterEntry *meter = g_ptr_array_index (self->meters, i);
      g_autofree char *key = anx_chain_json_hex_encode (meter->public_key);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "serial");
      json_builder_add_string_value (builder, meter->serial);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, meter->model);
      json_builder_set_member_name (builder, "accuracy_class");
      json_builder_add_string_value (builder, meter->accuracy_class);
      json_builder_set_member_name (builder, "algorithm");
      json_builder_add_string_value (builder, meter->algorithm);
      json_builder_set_member_name (builder, "public_key");
      json_builder_add_string_value (builder, key);
      json_builder_set_member_name (builder, "from_sequence");
      json_builder_add_int_value (builder, (gint64) meter->from_sequence);
      json_builder_set_member_name (builder, "to_sequence");
      if (meter->to_sequence == G_MAXUINT64)
        json_builder_add_null_value (builder);
      else
        json_builder_add_int_value (builder, (gint64) meter->to_sequence);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* anx-ocmf.h: parser for OCMF signed meter records
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "anx-signature.h"

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */

#define ANX_TYPE_OCMF   (anx_ocmf_get_type ())
#define ANX_OCMF_ERROR  (anx_ocmf_error_quark ())

/* Records longer than this are refused outright (real ones are < 4 KiB). */
#define ANX_OCMF_MAX_LENGTH (64 * 1024)

/**
 * AnxOcmfError:
 * @ANX_OCMF_ERROR_EMPTY: no text at all
 * @ANX_OCMF_ERROR_TOO_LARGE: longer than %ANX_OCMF_MAX_LENGTH
 * @ANX_OCMF_ERROR_PREFIX: does not start with `OCMF|`
 * @ANX_OCMF_ERROR_PAYLOAD_SYNTAX: the payload is not one well-formed JSON object
 * @ANX_OCMF_ERROR_SEPARATOR: no `|` right after the payload object
 * @ANX_OCMF_ERROR_SIGNATURE_SYNTAX: the signature section is not one JSON object
 * @ANX_OCMF_ERROR_TRAILING_DATA: bytes after the signature object
 * @ANX_OCMF_ERROR_MISSING_FIELD: a mandatory field is absent
 * @ANX_OCMF_ERROR_FIELD_TYPE: a field has the wrong JSON type
 * @ANX_OCMF_ERROR_FIELD_VALUE: a field's value is out of its domain
 * @ANX_OCMF_ERROR_DUPLICATE_FIELD: a key appears twice in one object
 *   (refused: two readers could see two different records)
 * @ANX_OCMF_ERROR_SIGNATURE_ENCODING: `SD` is not valid hex/base64 or `SE`/`SM`
 *   name an encoding we do not know
 * @ANX_OCMF_ERROR_TOO_DEEP: JSON nesting deeper than any OCMF record needs
 * @ANX_OCMF_ERROR_NO_READING: anx_ocmf_get_transaction_energy() found no
 *   suitable start or stop reading
 *
 * Every message names the field (where there is one) and the byte offset in
 * the whole record (counting from the `O` of `OCMF`). The values are stable.
 */
typedef enum
{
  ANX_OCMF_ERROR_EMPTY = 1,
  ANX_OCMF_ERROR_TOO_LARGE = 2,
  ANX_OCMF_ERROR_PREFIX = 3,
  ANX_OCMF_ERROR_PAYLOAD_SYNTAX = 4,
  ANX_OCMF_ERROR_SEPARATOR = 5,
  ANX_OCMF_ERROR_SIGNATURE_SYNTAX = 6,
  ANX_OCMF_ERROR_TRAILING_DATA = 7,
  ANX_OCMF_ERROR_MISSING_FIELD = 8,
  ANX_OCMF_ERROR_FIELD_TYPE = 9,
  ANX_OCMF_ERROR_FIELD_VALUE = 10,
  ANX_OCMF_ERROR_DUPLICATE_FIELD = 11,
  ANX_OCMF_ERROR_SIGNATURE_ENCODING = 12,
  ANX_OCMF_ERROR_TOO_DEEP = 13,
  ANX_OCMF_ERROR_NO_READING = 14,
} AnxOcmfError;

/**
 * AnxOcmfClockStatus:
 * @ANX_OCMF_CLOCK_NONE: the reading has no time
 * @ANX_OCMF_CLOCK_UNKNOWN: `U`, unknown / not synchronised
 * @ANX_OCMF_CLOCK_INFORMATIVE: `I`, informative (running, not synchronised)
 * @ANX_OCMF_CLOCK_SYNCHRONIZED: `S`, synchronised
 * @ANX_OCMF_CLOCK_RELATIVE: `R`, relative (measured from a synchronised time)
 *
 * The letter after the time stamp in `TM`; the enum value is the letter.
 */
typedef enum
{
  ANX_OCMF_CLOCK_NONE = 0,
  ANX_OCMF_CLOCK_UNKNOWN = 'U',
  ANX_OCMF_CLOCK_INFORMATIVE = 'I',
  ANX_OCMF_CLOCK_SYNCHRONIZED = 'S',
  ANX_OCMF_CLOCK_RELATIVE = 'R',
} AnxOcmfClockStatus;

/**
 * AnxOcmfPaginationKind:
 * @ANX_OCMF_PAGINATION_NONE: no `PG`
 * @ANX_OCMF_PAGINATION_TRANSACTION: `T<n>`, transaction counter
 * @ANX_OCMF_PAGINATION_FISCAL: `F<n>`, fiscal counter
 *
 * The enum value is the letter.
 */
typedef enum
{
  ANX_OCMF_PAGINATION_NONE = 0,
  ANX_OCMF_PAGINATION_TRANSACTION = 'T',
  ANX_OCMF_PAGINATION_FISCAL = 'F',
} AnxOcmfPaginationKind;

/**
 * AnxOcmfReadingRole:
 * @ANX_OCMF_READING_START: the `TX` `B` (begin) reading
 * @ANX_OCMF_READING_STOP: the last end reading: `TX` `E`, `L`, `R`, `A` or `P`
 */
typedef enum
{
  ANX_OCMF_READING_START,
  ANX_OCMF_READING_STOP,
} AnxOcmfReadingRole;

/* Bits of AnxOcmfReading.carried: fields omitted in this reading and taken
 * from the reading before it, as OCMF allows. */
typedef enum
{
  ANX_OCMF_CARRIED_TM = 1 << 0,
  ANX_OCMF_CARRIED_TX = 1 << 1,
  ANX_OCMF_CARRIED_RI = 1 << 2,
  ANX_OCMF_CARRIED_RU = 1 << 3,
  ANX_OCMF_CARRIED_RT = 1 << 4,
  ANX_OCMF_CARRIED_EF = 1 << 5,
  ANX_OCMF_CARRIED_ST = 1 << 6,
} AnxOcmfCarried;

/**
 * AnxOcmfReading:
 * @time: `TM` as a date-time with its offset, or %NULL if no reading so far had one
 * @time_text: `TM` exactly as sent (or carried forward), or %NULL
 * @clock: the clock-status letter of `TM`
 * @transaction: `TX` (e.g. "B", "C", "E"), or %NULL
 * @value: `RV` as a number
 * @value_text: `RV` exactly as sent: the characters of a JSON number, or the
 *   contents of a JSON string (padding included, e.g. "      48.542")
 * @obis: `RI`, the OBIS code (e.g. "1-b:1.8.0"), or %NULL
 * @unit: `RU` (e.g. "kWh", "Wh"), or %NULL
 * @current_type: `RT` ("AC"/"DC"), or %NULL
 * @cumulated_loss: `CL` as a number, if @has_cumulated_loss
 * @cumulated_loss_text: `CL` exactly as sent, or %NULL
 * @has_cumulated_loss: whether `CL` is present
 * @error_flags: `EF` (e.g. "", "E", "Et"), or %NULL
 * @status: `ST` (e.g. "G" good, "M" manipulated, "X" exchanged), or %NULL
 * @carried: #AnxOcmfCarried bits of fields taken from the previous reading
 *
 * Fields not listed here are in anx_ocmf_get_reading_object().
 *
 * One entry of `RD`. Owned by its #AnxOcmf; read-only.
 */
typedef struct
{
  GDateTime          *time;
  const char         *time_text;
  AnxOcmfClockStatus  clock;
  const char         *transaction;
  double              value;
  const char         *value_text;
  const char         *obis;
  const char         *unit;
  const char         *current_type;
  double              cumulated_loss;
  const char         *cumulated_loss_text;
  gboolean            has_cumulated_loss;
  const char         *error_flags;
  const char         *status;
  guint               carried;
} AnxOcmfReading;

/**
 * AnxOcmf:
 *
 * One parsed OCMF record: immutable and reference-counted, safe to share
 * between threads. It keeps the payload bytes exactly as transmitted, which
 * is what the meter signed.
 */
typedef struct _AnxOcmf AnxOcmf;

GType                 anx_ocmf_get_type                 (void) G_GNUC_CONST;
GQuark                anx_ocmf_error_quark              (void);

AnxOcmf              *anx_ocmf_parse                    (const char          *text,
                                                         gssize               length,
                                                         GError             **error);
AnxOcmf              *anx_ocmf_ref                      (AnxOcmf             *ocmf);
void                  anx_ocmf_unref                    (AnxOcmf             *ocmf);

const char           *anx_ocmf_get_text                 (AnxOcmf             *ocmf,
                                                         gsize               *length);
const char           *anx_ocmf_get_payload              (AnxOcmf             *ocmf,
                                                         gsize               *length);
GBytes               *anx_ocmf_get_payload_bytes        (AnxOcmf             *ocmf);
JsonObject           *anx_ocmf_get_payload_object       (AnxOcmf             *ocmf);
JsonObject           *anx_ocmf_get_signature_object     (AnxOcmf             *ocmf);

const char           *anx_ocmf_get_format_version       (AnxOcmf             *ocmf);
gboolean              anx_ocmf_get_format_version_known (AnxOcmf             *ocmf);
const char           *anx_ocmf_get_string               (AnxOcmf             *ocmf,
                                                         const char          *field);
AnxOcmfPaginationKind anx_ocmf_get_pagination           (AnxOcmf             *ocmf,
                                                         guint64             *number);
gboolean              anx_ocmf_get_identification_status (AnxOcmf            *ocmf,
                                                         gboolean            *status);
const char * const   *anx_ocmf_get_identification_flags (AnxOcmf             *ocmf);
JsonObject           *anx_ocmf_get_loss_compensation    (AnxOcmf             *ocmf);

guint                 anx_ocmf_get_n_readings           (AnxOcmf             *ocmf);
const AnxOcmfReading *anx_ocmf_get_reading              (AnxOcmf             *ocmf,
                                                         guint                index);
JsonObject           *anx_ocmf_get_reading_object       (AnxOcmf             *ocmf,
                                                         guint                index);
const AnxOcmfReading *anx_ocmf_find_energy_reading      (AnxOcmf             *ocmf,
                                                         AnxOcmfReadingRole   role);
gboolean              anx_ocmf_reading_get_wh           (const AnxOcmfReading *reading,
                                                         double              *wh);
gboolean              anx_ocmf_get_transaction_energy   (AnxOcmf             *ocmf,
                                                         double              *start_wh,
                                                         double              *stop_wh,
                                                         GError             **error);

const char           *anx_ocmf_get_signature_algorithm_name (AnxOcmf         *ocmf);
AnxSignatureAlgorithm anx_ocmf_get_signature_algorithm  (AnxOcmf             *ocmf);
const char           *anx_ocmf_get_signature_encoding   (AnxOcmf             *ocmf);
const char           *anx_ocmf_get_signature_mime_type  (AnxOcmf             *ocmf);
GBytes               *anx_ocmf_get_signature_data       (AnxOcmf             *ocmf);
const char           *anx_ocmf_get_sm2_id               (AnxOcmf             *ocmf);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxOcmf, anx_ocmf_unref)

/* clang-format on */

G_END_DECLS

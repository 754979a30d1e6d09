/* anx-feed-event.c: one message of the regulator feed's event log and stream
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-event"

#include "config.h"

#include <stddef.h>
#include <string.h>

#include <glib/gi18n.h>

#include "anx-chain-json.h"
#include "anx-feed-event.h"

/*
 * An event is {"cursor", "type", "time", "charger": {"id", "code"}, "data"}:
 * the envelope is the same for every type, the payload sits in "data" so a
 * client can route on the envelope alone and skip a type it does not know.
 * Control messages are {"type", "time", …} without cursor or charger.
 *
 * Decoding is strict about the types of the members it knows and ignores
 * members it does not know (a newer server may add some).
 */

struct _AnxFeedEvent
{
  gint ref_count;

  AnxFeedEventType type;
  char *type_name;
  guint64 cursor;
  gint64 time_us;
  gint64 charger_id;
  char *charger_code;

  char *status;
  char *session_id;
  gint64 meter_start_wh;
  gint64 power_w;
  gint64 energy_wh;
  gint64 amount_fen;
  AnxChainRecord *record;
  gint64 sequence;
  guint8 hash[ANX_CHAIN_HASH_SIZE];
  gint64 alarm_id;
  char *code;
  char *severity;
  char *message;
  JsonObject *details;
  char *reason;
  char *actor;
  char *note;
  gint64 meter_id;
  char *meter_serial;
  char *algorithm;
  char *public_key;
  gint64 protocol_version;
  gint64 head;
  gint64 oldest;
};

G_DEFINE_BOXED_TYPE (AnxFeedEvent, anx_feed_event, anx_feed_event_ref, anx_feed_event_unref)

G_DEFINE_QUARK (anx-feed-event-error-quark, anx_feed_event_error)

static const char *const type_names[] = {
  [ANX_FEED_EVENT_UNKNOWN] = "unknown",
  [ANX_FEED_EVENT_CHARGER_STATUS] = "charger.status",
  [ANX_FEED_EVENT_SESSION_STARTED] = "session.started",
  [ANX_FEED_EVENT_SESSION_PROGRESS] = "session.progress",
  [ANX_FEED_EVENT_SESSION_ENDED] = "session.ended",
  [ANX_FEED_EVENT_CHAIN_APPENDED] = "chain.appended",
  [ANX_FEED_EVENT_ALARM_RAISED] = "alarm.raised",
  [ANX_FEED_EVENT_ALARM_CLEARED] = "alarm.cleared",
  [ANX_FEED_EVENT_ALARM_ACKNOWLEDGED] = "alarm.acknowledged",
  [ANX_FEED_EVENT_REGISTRY_CHANGED] = "registry.changed",
  [ANX_FEED_EVENT_HELLO] = "hello",
  [ANX_FEED_EVENT_HEARTBEAT] = "heartbeat",
  [ANX_FEED_EVENT_RESYNC_REQUIRED] = "resync-required",
  [ANX_FEED_EVENT_ERROR_MESSAGE] = "error",
};

typedef enum
{
  FIELD_STRING,   /* char *, non-empty */
  FIELD_STRING0,  /* char *, may be empty */
  FIELD_INT,      /* gint64 ≥ 0 */
  FIELD_INT_NULL, /* gint64 ≥ 0, or JSON null stored as -1 */
  FIELD_OBJECT,   /* JsonObject * */
} FieldKind;

typedef struct
{
  AnxFeedEventType type;
  const char *name;
  FieldKind kind;
  gsize offset;
} Field;

#define F(t, n, k, m) { ANX_FEED_EVENT_##t, n, FIELD_##k, offsetof (AnxFeedEvent, m) }

/* The payload members of each type, in the order they are written. A
 * chain.appended record is handled apart. Control messages keep their
 * members at the top level. */
static const Field fields[] = {
  F (CHARGER_STATUS, "status", STRING, status),
  F (SESSION_STARTED, "session_id", STRING, session_id),
  F (SESSION_STARTED, "meter_start_wh", INT, meter_start_wh),
  F (SESSION_PROGRESS, "session_id", STRING, session_id),
  F (SESSION_PROGRESS, "power_w", INT, power_w),
  F (SESSION_PROGRESS, "energy_wh", INT, energy_wh),
  F (SESSION_PROGRESS, "amount_fen", INT, amount_fen),
  F (SESSION_ENDED, "session_id", STRING, session_id),
  F (SESSION_ENDED, "energy_wh", INT, energy_wh),
  F (SESSION_ENDED, "amount_fen", INT, amount_fen),
  F (CHAIN_APPENDED, "sequence", INT, sequence),
  F (ALARM_RAISED, "alarm_id", INT, alarm_id),
  F (ALARM_RAISED, "code", STRING, code),
  F (ALARM_RAISED, "severity", STRING, severity),
  F (ALARM_RAISED, "sequence", INT_NULL, sequence),
  F (ALARM_RAISED, "message", STRING0, message),
  F (ALARM_RAISED, "details", OBJECT, details),
  F (ALARM_CLEARED, "alarm_id", INT, alarm_id),
  F (ALARM_CLEARED, "code", STRING, code),
  F (ALARM_CLEARED, "reason", STRING, reason),
  F (ALARM_CLEARED, "sequence", INT_NULL, sequence),
  F (ALARM_ACKNOWLEDGED, "alarm_id", INT, alarm_id),
  F (ALARM_ACKNOWLEDGED, "by", STRING, actor),
  F (ALARM_ACKNOWLEDGED, "note", STRING0, note),
  F (REGISTRY_CHANGED, "meter_id", INT, meter_id),
  F (REGISTRY_CHANGED, "serial", STRING, meter_serial),
  F (REGISTRY_CHANGED, "signature_algorithm", STRING, algorithm),
  F (REGISTRY_CHANGED, "public_key", STRING, public_key),
  F (REGISTRY_CHANGED, "from_sequence", INT, sequence),
  F (HELLO, "protocol_version", INT, protocol_version),
  F (HELLO, "head", INT, head),
  F (HELLO, "oldest", INT, oldest),
  F (HEARTBEAT, "head", INT, head),
  F (RESYNC_REQUIRED, "head", INT, head),
  F (RESYNC_REQUIRED, "oldest", INT, oldest),
  F (ERROR_MESSAGE, "code", STRING, code),
  F (ERROR_MESSAGE, "message", STRING0, message),
};

#undef F

#define FIELD_PTR(self, field, ctype) ((ctype *) (gpointer) ((guint8 *) (self) + (field)->offset))

/**
 * anx_feed_event_type_to_string:
 * @type: a type
 *
 * Returns: the name the protocol uses, e.g. `session.progress`
 */
const char *
anx_feed_event_type_to_string (AnxFeedEventType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), "unknown");

  return type_names[type];
}

/**
 * anx_feed_event_type_from_string:
 * @name: a type name
 *
 * Returns: the type, or %ANX_FEED_EVENT_UNKNOWN
 */
AnxFeedEventType
anx_feed_event_type_from_string (const char *name)
{
  for (guint i = 1; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (name, type_names[i]) == 0)
      return (AnxFeedEventType) i;

  return ANX_FEED_EVENT_UNKNOWN;
}

/**
 * anx_feed_event_type_is_control:
 * @type: a type
 *
 * Returns: %TRUE for the stream's control messages, which carry no cursor
 */
gboolean
anx_feed_event_type_is_control (AnxFeedEventType type)
{
  return type >= ANX_FEED_EVENT_HELLO;
}

static AnxFeedEvent *
event_new (AnxFeedEventType type,
           guint64          cursor,
           gint64           time_us,
           gint64           charger_id,
           const char      *charger_code)
{
  AnxFeedEvent *self = g_new0 (AnxFeedEvent, 1);

  self->ref_count = 1;
  self->type = type;
  self->type_name = g_strdup (type_names[type]);
  self->cursor = cursor;
  self->time_us = time_us;
  self->charger_id = charger_id;
  self->charger_code = g_strdup (charger_code);
  self->sequence = -1;
  self->alarm_id = -1;
  self->meter_id = -1;
  self->meter_start_wh = -1;
  self->power_w = -1;
  self->energy_wh = -1;
  self->amount_fen = -1;
  self->protocol_version = -1;
  self->head = -1;
  self->oldest = -1;

  return self;
}

/**
 * anx_feed_event_ref:
 * @self: an event
 *
 * Returns: (transfer full): @self
 */
AnxFeedEvent *
anx_feed_event_ref (AnxFeedEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * anx_feed_event_unref:
 * @self: an event
 */
void
anx_feed_event_unref (AnxFeedEvent *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_free (self->type_name);
  g_free (self->charger_code);
  g_free (self->status);
  g_free (self->session_id);
  g_clear_pointer (&self->record, anx_chain_record_unref);
  g_free (self->code);
  g_free (self->severity);
  g_free (self->message);
  g_clear_pointer (&self->details, json_object_unref);
  g_free (self->reason);
  g_free (self->actor);
  g_free (self->note);
  g_free (self->meter_serial);
  g_free (self->algorithm);
  g_free (self->public_key);
  g_free (self);
}

/**
 * anx_feed_event_new_charger_status:
 * @cursor: the event's cursor, at least 1
 * @time_us: when it happened, µs since the Unix epoch
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @status: `available`, `charging`, `offline`, `fault` or `unknown`
 *
 * Returns: (transfer full): a `charger.status` event
 */
AnxFeedEvent *
anx_feed_event_new_charger_status (guint64     cursor,
                                   gint64      time_us,
                                   gint64      charger_id,
                                   const char *charger_code,
                                   const char *status)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_CHARGER_STATUS, cursor, time_us, charger_id, charger_code);

  self->status = g_strdup (status);
  return self;
}

/**
 * anx_feed_event_new_session_started:
 * @cursor: the event's cursor
 * @time_us: when the session started
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @session_id: the operator's session id
 * @meter_start_wh: the meter's register at the start, Wh
 *
 * Returns: (transfer full): a `session.started` event
 */
AnxFeedEvent *
anx_feed_event_new_session_started (guint64     cursor,
                                    gint64      time_us,
                                    gint64      charger_id,
                                    const char *charger_code,
                                    const char *session_id,
                                    gint64      meter_start_wh)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_SESSION_STARTED, cursor, time_us, charger_id, charger_code);

  self->session_id = g_strdup (session_id);
  self->meter_start_wh = meter_start_wh;
  return self;
}

/**
 * anx_feed_event_new_session_progress:
 * @cursor: the event's cursor
 * @time_us: the time of the reading
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @session_id: the operator's session id
 * @power_w: the power now, W
 * @energy_wh: the energy so far, Wh
 * @amount_fen: the amount so far, fen
 *
 * Returns: (transfer full): a `session.progress` event
 */
AnxFeedEvent *
anx_feed_event_new_session_progress (guint64     cursor,
                                     gint64      time_us,
                                     gint64      charger_id,
                                     const char *charger_code,
                                     const char *session_id,
                                     gint64      power_w,
                                     gint64      energy_wh,
                                     gint64      amount_fen)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_SESSION_PROGRESS, cursor, time_us, charger_id, charger_code);

  self->session_id = g_strdup (session_id);
  self->power_w = power_w;
  self->energy_wh = energy_wh;
  self->amount_fen = amount_fen;
  return self;
}

/**
 * anx_feed_event_new_session_ended:
 * @cursor: the event's cursor
 * @time_us: when the session ended
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @session_id: the operator's session id
 * @energy_wh: the energy delivered, Wh
 * @amount_fen: the amount billed, fen
 *
 * Returns: (transfer full): a `session.ended` event
 */
AnxFeedEvent *
anx_feed_event_new_session_ended (guint64     cursor,
                                  gint64      time_us,
                                  gint64      charger_id,
                                  const char *charger_code,
                                  const char *session_id,
                                  gint64      energy_wh,
                                  gint64      amount_fen)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_SESSION_ENDED, cursor, time_us, charger_id, charger_code);

  self->session_id = g_strdup (session_id);
  self->energy_wh = energy_wh;
  self->amount_fen = amount_fen;
  return self;
}

/**
 * anx_feed_event_new_chain_appended:
 * @cursor: the event's cursor
 * @time_us: when the record was appended
 * @charger_id: the charger's id
 * @record: the record, as stored (its stated hash identifies it)
 *
 * Returns: (transfer full): a `chain.appended` event; the charger code is
 *   the record's `charger_id`
 */
AnxFeedEvent *
anx_feed_event_new_chain_appended (guint64         cursor,
                                   gint64          time_us,
                                   gint64          charger_id,
                                   AnxChainRecord *record)
{
  AnxFeedEvent *self;

  g_return_val_if_fail (record != NULL, NULL);

  self = event_new (ANX_FEED_EVENT_CHAIN_APPENDED, cursor, time_us, charger_id,
                    anx_chain_record_get_charger_id (record));
  self->record = anx_chain_record_ref (record);
  self->sequence = (gint64) anx_chain_record_get_sequence (record);
  memcpy (self->hash, anx_chain_record_get_hash (record), ANX_CHAIN_HASH_SIZE);
  return self;
}

/**
 * anx_feed_event_new_alarm_raised:
 * @cursor: the event's cursor
 * @time_us: when the alarm was raised
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @alarm_id: the server's alarm id
 * @code: a finding code (docs/feed-protocol.md) or `offline`
 * @severity: `critical`, `warning` or `notice`
 * @sequence: the chain record that gave rise to it, or -1
 * @message: English text for people
 * @details: (nullable): the numbers (e.g. `billed_wh`, `metered_wh`)
 *
 * Returns: (transfer full): an `alarm.raised` event
 */
AnxFeedEvent *
anx_feed_event_new_alarm_raised (guint64     cursor,
                                 gint64      time_us,
                                 gint64      charger_id,
                                 const char *charger_code,
                                 gint64      alarm_id,
                                 const char *code,
                                 const char *severity,
                                 gint64      sequence,
                                 const char *message,
                                 JsonObject *details)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_ALARM_RAISED, cursor, time_us, charger_id, charger_code);

  self->alarm_id = alarm_id;
  self->code = g_strdup (code);
  self->severity = g_strdup (severity);
  self->sequence = sequence;
  self->message = g_strdup (message != NULL ? message : "");
  self->details = details != NULL ? json_object_ref (details) : json_object_new ();
  return self;
}

/**
 * anx_feed_event_new_alarm_cleared:
 * @cursor: the event's cursor
 * @time_us: when the alarm was cleared
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @alarm_id: the alarm
 * @code: its code
 * @reason: `inspection` or `back-online`
 * @sequence: the chain record that cleared it (an inspection), or -1
 *
 * Returns: (transfer full): an `alarm.cleared` event
 */
AnxFeedEvent *
anx_feed_event_new_alarm_cleared (guint64     cursor,
                                  gint64      time_us,
                                  gint64      charger_id,
                                  const char *charger_code,
                                  gint64      alarm_id,
                                  const char *code,
                                  const char *reason,
                                  gint64      sequence)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_ALARM_CLEARED, cursor, time_us, charger_id, charger_code);

  self->alarm_id = alarm_id;
  self->code = g_strdup (code);
  self->reason = g_strdup (reason);
  self->sequence = sequence;
  return self;
}

/**
 * anx_feed_event_new_alarm_acknowledged:
 * @cursor: the event's cursor
 * @time_us: when it was acknowledged
 * @charger_id: the charger's id
 * @charger_code: the charger's code
 * @alarm_id: the alarm
 * @actor: the token name that acknowledged it
 * @note: (nullable): a note
 *
 * Returns: (transfer full): an `alarm.acknowledged` event
 */
AnxFeedEvent *
anx_feed_event_new_alarm_acknowledged (guint64     cursor,
                                       gint64      time_us,
                                       gint64      charger_id,
                                       const char *charger_code,
                                       gint64      alarm_id,
                                       const char *actor,
                                       const char *note)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_ALARM_ACKNOWLEDGED, cursor, time_us, charger_id, charger_code);

  self->alarm_id = alarm_id;
  self->actor = g_strdup (actor);
  self->note = g_strdup (note != NULL ? note : "");
  return self;
}

/**
 * anx_feed_event_new_registry_changed:
 * @cursor: the event's cursor
 * @time_us: when the change took effect
 * @charger_id: the charger whose meter changed
 * @charger_code: the charger's code
 * @meter_id: the meter's id in the registry
 * @meter_serial: the serial the key belongs to
 * @algorithm: the signature algorithm (OCMF name)
 * @public_key_hex: the DER SubjectPublicKeyInfo in lower-case hex
 * @from_sequence: the first chain record the key is valid for
 *
 * Returns: (transfer full): a `registry.changed` event
 */
AnxFeedEvent *
anx_feed_event_new_registry_changed (guint64     cursor,
                                     gint64      time_us,
                                     gint64      charger_id,
                                     const char *charger_code,
                                     gint64      meter_id,
                                     const char *meter_serial,
                                     const char *algorithm,
                                     const char *public_key_hex,
                                     gint64      from_sequence)
{
  AnxFeedEvent *self =
      event_new (ANX_FEED_EVENT_REGISTRY_CHANGED, cursor, time_us, charger_id, charger_code);

  self->meter_id = meter_id;
  self->meter_serial = g_strdup (meter_serial);
  self->algorithm = g_strdup (algorithm);
  self->public_key = g_strdup (public_key_hex);
  self->sequence = from_sequence;
  return self;
}

/**
 * anx_feed_event_new_hello:
 * @time_us: the server's time
 * @head: the newest cursor in the log (0 if none)
 * @oldest: the oldest cursor the server still keeps (head + 1 if none)
 *
 * Returns: (transfer full): the first message of a stream
 */
AnxFeedEvent *
anx_feed_event_new_hello (gint64  time_us,
                          guint64 head,
                          guint64 oldest)
{
  AnxFeedEvent *self = event_new (ANX_FEED_EVENT_HELLO, 0, time_us, 0, NULL);

  self->protocol_version = 1;
  self->head = (gint64) head;
  self->oldest = (gint64) oldest;
  return self;
}

/**
 * anx_feed_event_new_heartbeat:
 * @time_us: the server's time
 * @head: the newest cursor committed
 *
 * Returns: (transfer full): a heartbeat
 */
AnxFeedEvent *
anx_feed_event_new_heartbeat (gint64  time_us,
                              guint64 head)
{
  AnxFeedEvent *self = event_new (ANX_FEED_EVENT_HEARTBEAT, 0, time_us, 0, NULL);

  self->head = (gint64) head;
  return self;
}

/**
 * anx_feed_event_new_resync_required:
 * @time_us: the server's time
 * @head: the newest cursor
 * @oldest: the oldest cursor kept
 *
 * Returns: (transfer full): the message sent before closing a stream whose
 *   cursor is older than the server keeps
 */
AnxFeedEvent *
anx_feed_event_new_resync_required (gint64  time_us,
                                    guint64 head,
                                    guint64 oldest)
{
  AnxFeedEvent *self = event_new (ANX_FEED_EVENT_RESYNC_REQUIRED, 0, time_us, 0, NULL);

  self->head = (gint64) head;
  self->oldest = (gint64) oldest;
  return self;
}

/**
 * anx_feed_event_new_error:
 * @time_us: the server's time
 * @code: an error code of the protocol
 * @message: English text for people
 *
 * Returns: (transfer full): an error message
 */
AnxFeedEvent *
anx_feed_event_new_error (gint64      time_us,
                          const char *code,
                          const char *message)
{
  AnxFeedEvent *self = event_new (ANX_FEED_EVENT_ERROR_MESSAGE, 0, time_us, 0, NULL);

  self->code = g_strdup (code);
  self->message = g_strdup (message != NULL ? message : "");
  return self;
}

/* clang-format off */
AnxFeedEventType anx_feed_event_get_event_type (AnxFeedEvent *self) { return self->type; }
const char *anx_feed_event_get_type_name (AnxFeedEvent *self) { return self->type_name; }
guint64 anx_feed_event_get_cursor (AnxFeedEvent *self) { return self->cursor; }
gint64 anx_feed_event_get_time (AnxFeedEvent *self) { return self->time_us; }
gint64 anx_feed_event_get_charger_id (AnxFeedEvent *self) { return self->charger_id; }
const char *anx_feed_event_get_charger_code (AnxFeedEvent *self) { return self->charger_code; }
const char *anx_feed_event_get_status (AnxFeedEvent *self) { return self->status; }
const char *anx_feed_event_get_session_id (AnxFeedEvent *self) { return self->session_id; }
gint64 anx_feed_event_get_meter_start_wh (AnxFeedEvent *self) { return self->meter_start_wh; }
gint64 anx_feed_event_get_power_w (AnxFeedEvent *self) { return self->power_w; }
gint64 anx_feed_event_get_energy_wh (AnxFeedEvent *self) { return self->energy_wh; }
gint64 anx_feed_event_get_amount_fen (AnxFeedEvent *self) { return self->amount_fen; }
AnxChainRecord *anx_feed_event_get_record (AnxFeedEvent *self) { return self->record; }
gint64 anx_feed_event_get_sequence (AnxFeedEvent *self) { return self->sequence; }
gint64 anx_feed_event_get_alarm_id (AnxFeedEvent *self) { return self->alarm_id; }
const char *anx_feed_event_get_code (AnxFeedEvent *self) { return self->code; }
const char *anx_feed_event_get_severity (AnxFeedEvent *self) { return self->severity; }
const char *anx_feed_event_get_message (AnxFeedEvent *self) { return self->message; }
JsonObject *anx_feed_event_get_details (AnxFeedEvent *self) { return self->details; }
const char *anx_feed_event_get_reason (AnxFeedEvent *self) { return self->reason; }
const char *anx_feed_event_get_actor (AnxFeedEvent *self) { return self->actor; }
const char *anx_feed_event_get_note (AnxFeedEvent *self) { return self->note; }
gint64 anx_feed_event_get_meter_id (AnxFeedEvent *self) { return self->meter_id; }
const char *anx_feed_event_get_meter_serial (AnxFeedEvent *self) { return self->meter_serial; }
const char *anx_feed_event_get_algorithm (AnxFeedEvent *self) { return self->algorithm; }
const char *anx_feed_event_get_public_key (AnxFeedEvent *self) { return self->public_key; }
gint64 anx_feed_event_get_protocol_version (AnxFeedEvent *self) { return self->protocol_version; }
guint64 anx_feed_event_get_head (AnxFeedEvent *self) { return self->head < 0 ? 0 : (guint64) self->head; }
guint64 anx_feed_event_get_oldest (AnxFeedEvent *self) { return self->oldest < 0 ? 0 : (guint64) self->oldest; }
/* clang-format on */

/**
 * anx_feed_event_get_hash:
 * @self: a `chain.appended` event
 *
 * Returns: (nullable): the record's hash (32 bytes), or %NULL for other types
 */
const guint8 *
anx_feed_event_get_hash (AnxFeedEvent *self)
{
  return self->type == ANX_FEED_EVENT_CHAIN_APPENDED ? self->hash : NULL;
}

/**
 * anx_feed_format_time:
 * @time_us: µs since the Unix epoch
 *
 * Returns: (transfer full): the time in RFC 3339 at China Standard Time
 *   (`+08:00`), with a fraction only when it is not zero
 */
char *
anx_feed_format_time (gint64 time_us)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) exact = NULL;
  g_autoptr(GDateTime) local = NULL;
  gint64 seconds = time_us / G_USEC_PER_SEC;
  gint64 usec = time_us % G_USEC_PER_SEC;

  if (usec < 0)
    {
      seconds--;
      usec += G_USEC_PER_SEC;
    }

  utc = g_date_time_new_from_unix_utc (seconds);
  if (utc == NULL)
    return g_strdup ("1970-01-01T08:00:00+08:00");
  exact = g_date_time_add (utc, usec);
  local = g_date_time_to_timezone (exact, tz);
  return anx_chain_format_time (local);
}

static void
write_field (JsonObject   *object,
             AnxFeedEvent *self,
             const Field  *field)
{
  switch (field->kind)
    {
    case FIELD_STRING:
    case FIELD_STRING0:
      {
        const char *value = *FIELD_PTR (self, field, char *);

        json_object_set_string_member (object, field->name, value != NULL ? value : "");
      }
      break;
    case FIELD_INT:
      json_object_set_int_member (object, field->name, *FIELD_PTR (self, field, gint64));
      break;
    case FIELD_INT_NULL:
      if (*FIELD_PTR (self, field, gint64) < 0)
        json_object_set_null_member (object, field->name);
      else
        json_object_set_int_member (object, field->name, *FIELD_PTR (self, field, gint64));
      break;
    case FIELD_OBJECT:
      {
        JsonObject *value = *FIELD_PTR (self, field, JsonObject *);

        json_object_set_object_member (object, field->name,
                                       value != NULL ? json_object_ref (value) : json_object_new ());
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * anx_feed_event_to_json_node:
 * @self: an event (not of an unknown type)
 *
 * Returns: (transfer full): the JSON object of docs/feed-protocol.md
 */
JsonNode *
anx_feed_event_to_json_node (AnxFeedEvent *self)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *time = anx_feed_format_time (self->time_us);
  JsonObject *target = object;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  if (!anx_feed_event_type_is_control (self->type))
    json_object_set_int_member (object, "cursor", (gint64) self->cursor);
  json_object_set_string_member (object, "type", self->type_name);
  json_object_set_string_member (object, "time", time);

  if (!anx_feed_event_type_is_control (self->type))
    {
      JsonObject *charger = json_object_new ();
      JsonObject *data = json_object_new ();

      json_object_set_int_member (charger, "id", self->charger_id);
      json_object_set_string_member (charger, "code",
                                     self->charger_code != NULL ? self->charger_code : "");
      json_object_set_object_member (object, "charger", charger);
      json_object_set_object_member (object, "data", data);
      target = data;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].type == self->type)
      write_field (target, self, &fields[i]);

  if (self->type == ANX_FEED_EVENT_CHAIN_APPENDED)
    {
      g_autofree char *hash = anx_chain_hash_to_hex (self->hash);

      json_object_set_string_member (target, "hash", hash);
      json_object_set_member (target, "record", anx_chain_record_to_json_node (self->record));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/**
 * anx_feed_event_to_json:
 * @self: an event
 *
 * Returns: (transfer full): compact JSON text, one line
 */
char *
anx_feed_event_to_json (AnxFeedEvent *self)
{
  g_autoptr(JsonNode) node = anx_feed_event_to_json_node (self);

  return json_to_string (node, FALSE);
}

/* Errors name the member by its path, e.g. "data.power_w". */
static gboolean
fail (GError    **error,
      int         code,
      const char *path,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError    **error,
      int         code,
      const char *path,
      const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (path != NULL)
    g_set_error (error, ANX_FEED_EVENT_ERROR, code, "%s: %s", path, text);
  else
    g_set_error_literal (error, ANX_FEED_EVENT_ERROR, code, text);
  return FALSE;
}

static gboolean
read_string (JsonObject  *object,
             const char  *prefix,
             const char  *name,
             gboolean     allow_empty,
             gsize        max_length,
             char       **out,
             GError     **error)
{
  g_autofree char *path = g_strconcat (prefix, name, NULL);
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL)
    return fail (error, ANX_FEED_EVENT_ERROR_MISSING_MEMBER, path, _("the member is missing"));
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE, path, _("expected a string"));

  value = json_node_get_string (node);
  if (!allow_empty && *value == '\0')
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, path, _("must not be empty"));
  if (strlen (value) > max_length)
    return fail (error, ANX_FEED_EVENT_ERROR_TOO_LARGE, path, _("longer than %u bytes"),
                 (guint) max_length);

  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *prefix,
          const char  *name,
          gboolean     nullable,
          gint64      *out,
          GError     **error)
{
  g_autofree char *path = g_strconcat (prefix, name, NULL);
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL)
    return fail (error, ANX_FEED_EVENT_ERROR_MISSING_MEMBER, path, _("the member is missing"));
  if (nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = -1;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE, path, _("expected an integer"));

  value = json_node_get_int (node);
  if (value < 0 || value > ANX_CHAIN_MAX_INTEGER)
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, path,
                 _("must be an integer from 0 to 2^53 − 1"));

  *out = value;
  return TRUE;
}

static gboolean
read_field (JsonObject   *object,
            const char   *prefix,
            AnxFeedEvent *self,
            const Field  *field,
            GError      **error)
{
  switch (field->kind)
    {
    case FIELD_STRING:
    case FIELD_STRING0:
      return read_string (object, prefix, field->name, field->kind == FIELD_STRING0,
                          ANX_FEED_EVENT_MAX_STRING, FIELD_PTR (self, field, char *), error);
    case FIELD_INT:
    case FIELD_INT_NULL:
      return read_int (object, prefix, field->name, field->kind == FIELD_INT_NULL,
                       FIELD_PTR (self, field, gint64), error);
    case FIELD_OBJECT:
      {
        g_autofree char *path = g_strconcat (prefix, field->name, NULL);
        JsonNode *node = json_object_get_member (object, field->name);

        if (node == NULL)
          return fail (error, ANX_FEED_EVENT_ERROR_MISSING_MEMBER, path,
                       _("the member is missing"));
        if (!JSON_NODE_HOLDS_OBJECT (node))
          return fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE, path, _("expected an object"));
        *FIELD_PTR (self, field, JsonObject *) = json_object_ref (json_node_get_object (node));
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_time (JsonObject  *object,
           gint64      *time_us,
           GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!read_string (object, "", "time", FALSE, 64, &text, error))
    return FALSE;

  time = anx_chain_parse_time (text, &local_error);
  if (time == NULL)
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "time", "%s", local_error->message);

  *time_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static gboolean
read_record (JsonObject    *data,
             AnxFeedEvent  *self,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hash_text = NULL;
  JsonNode *node;
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  if (!read_string (data, "data.", "hash", FALSE, 64, &hash_text, error))
    return FALSE;
  if (strlen (hash_text) != 64 || !anx_chain_hash_from_hex (hash_text, hash))
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "data.hash",
                 _("expected 64 hexadecimal digits"));

  node = json_object_get_member (data, "record");
  if (node == NULL)
    return fail (error, ANX_FEED_EVENT_ERROR_MISSING_MEMBER, "data.record",
                 _("the member is missing"));
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE, "data.record", _("expected an object"));

  self->record = anx_chain_record_new_from_json_node (node, &local_error);
  if (self->record == NULL)
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "data.record", "%s",
                 local_error->message);

  /* The envelope repeats what identifies the record; it must agree. */
  if ((guint64) self->sequence != anx_chain_record_get_sequence (self->record))
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "data.sequence",
                 _("differs from the record’s sequence"));
  if (memcmp (hash, anx_chain_record_get_hash (self->record), ANX_CHAIN_HASH_SIZE) != 0)
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "data.hash",
                 _("differs from the record’s hash"));
  if (g_strcmp0 (self->charger_code, anx_chain_record_get_charger_id (self->record)) != 0)
    return fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "charger.code",
                 _("differs from the record’s charger"));

  memcpy (self->hash, hash, ANX_CHAIN_HASH_SIZE);
  return TRUE;
}

/**
 * anx_feed_event_new_from_json_node:
 * @node: a JSON object
 * @error: return location for an %ANX_FEED_EVENT_ERROR
 *
 * Reads an event or control message. Members this version does not know are
 * ignored; a type it does not know gives an event of type
 * %ANX_FEED_EVENT_UNKNOWN with its name and cursor, to be skipped.
 *
 * Returns: (transfer full): the event, or %NULL with @error set
 */
AnxFeedEvent *
anx_feed_event_new_from_json_node (JsonNode  *node,
                                   GError   **error)
{
  g_autoptr(AnxFeedEvent) self = NULL;
  g_autofree char *type_name = NULL;
  JsonObject *object;
  JsonObject *data = NULL;
  AnxFeedEventType type;
  gint64 cursor = 0;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE, NULL, _("An event must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!read_string (object, "", "type", FALSE, ANX_FEED_EVENT_MAX_CODE, &type_name, error))
    return NULL;
  type = anx_feed_event_type_from_string (type_name);

  /* Events carry a cursor; control messages do not (one there is ignored).
   * A type this version does not know may be either. */
  if (!anx_feed_event_type_is_control (type) &&
      (type != ANX_FEED_EVENT_UNKNOWN || json_object_has_member (object, "cursor")))
    {
      if (!read_int (object, "", "cursor", FALSE, &cursor, error))
        return NULL;
      if (cursor == 0)
        {
          fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "cursor", _("cursors start at 1"));
          return NULL;
        }
    }

  self = event_new (type, (guint64) cursor, 0, 0, NULL);
  g_free (self->type_name);
  self->type_name = g_steal_pointer (&type_name);

  if (!read_time (object, &self->time_us, error))
    return NULL;

  if (type == ANX_FEED_EVENT_UNKNOWN)
    return g_steal_pointer (&self);

  if (!anx_feed_event_type_is_control (type))
    {
      JsonNode *charger_node = json_object_get_member (object, "charger");
      JsonNode *data_node = json_object_get_member (object, "data");
      JsonObject *charger;

      if (charger_node == NULL || data_node == NULL)
        {
          fail (error, ANX_FEED_EVENT_ERROR_MISSING_MEMBER, charger_node == NULL ? "charger" : "data",
                _("the member is missing"));
          return NULL;
        }
      if (!JSON_NODE_HOLDS_OBJECT (charger_node) || !JSON_NODE_HOLDS_OBJECT (data_node))
        {
          fail (error, ANX_FEED_EVENT_ERROR_WRONG_TYPE,
                !JSON_NODE_HOLDS_OBJECT (charger_node) ? "charger" : "data",
                _("expected an object"));
          return NULL;
        }
      charger = json_node_get_object (charger_node);
      data = json_node_get_object (data_node);

      if (!read_int (charger, "charger.", "id", FALSE, &self->charger_id, error) ||
          !read_string (charger, "charger.", "code", FALSE, ANX_FEED_EVENT_MAX_CODE,
                        &self->charger_code, error))
        return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].type == type &&
        !read_field (data != NULL ? data : object, data != NULL ? "data." : "", self, &fields[i],
                     error))
      return NULL;

  if (type == ANX_FEED_EVENT_CHAIN_APPENDED && !read_record (data, self, error))
    return NULL;

  if (type == ANX_FEED_EVENT_HELLO && self->protocol_version != 1)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, self->protocol_version);

      fail (error, ANX_FEED_EVENT_ERROR_INVALID_VALUE, "protocol_version",
            _("protocol version %s is not supported"), version);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * anx_feed_event_new_from_json:
 * @text: JSON text
 * @length: its length, or -1 if nul-terminated
 * @error: return location for an %ANX_FEED_EVENT_ERROR
 *
 * Parses one event or control message (see
 * anx_feed_event_new_from_json_node()). Texts above
 * %ANX_FEED_EVENT_MAX_BYTES are refused before parsing, duplicate members
 * as malformed.
 *
 * Returns: (transfer full): the event, or %NULL with @error set
 */
AnxFeedEvent *
anx_feed_event_new_from_json (const char  *text,
                              gssize       length,
                              GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (len > ANX_FEED_EVENT_MAX_BYTES)
    {
      g_autofree char *length_text = g_strdup_printf ("%" G_GSIZE_FORMAT, len);

      fail (error, ANX_FEED_EVENT_ERROR_TOO_LARGE, NULL,
            _("The event is %s bytes long; the limit is %d"), length_text,
            ANX_FEED_EVENT_MAX_BYTES);
      return NULL;
    }

  root = anx_chain_json_parse_strict (text, (gssize) len, &local_error);
  if (root == NULL)
    {
      fail (error, ANX_FEED_EVENT_ERROR_INVALID_JSON, NULL, _("Malformed JSON: %s"),
            local_error->message);
      return NULL;
    }

  return anx_feed_event_new_from_json_node (root, error);
}

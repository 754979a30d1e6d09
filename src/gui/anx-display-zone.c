/* anx-display-zone.c: the time zone of displayed times, and its changes
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application owns one, following the time-zone setting; every page and
 * dialog that shows a time takes its zone from it and re-renders on
 * ::changed, so that a new zone in Preferences shows at once, no restart.
 */

#define G_LOG_DOMAIN "anx-display-zone"

#include "config.h"

#include "anx-application.h"
#include "anx-display-zone.h"

struct _AnxDisplayZone
{
  GObject    parent_instance;

  GSettings *settings;
  GTimeZone *zone;
};

G_DEFINE_FINAL_TYPE (AnxDisplayZone, anx_display_zone, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The setting's zone; Asia/Shanghai (the stations' own) by default or when
 * the setting names no zone, and a fixed +08:00 if even that is missing. */
static GTimeZone *
read_zone (GSettings *settings)
{
  g_autofree char *identifier = settings != NULL ? g_settings_get_string (settings, "time-zone") : NULL;
  GTimeZone *zone = NULL;

  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  if (zone == NULL)
    zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (zone == NULL)
    zone = g_time_zone_new_offset (8 * 3600);
  return zone;
}

static void
on_time_zone_changed (AnxDisplayZone *self)
{
  g_autoptr(GTimeZone) zone = read_zone (self->settings);

  if (g_strcmp0 (g_time_zone_get_identifier (zone), g_time_zone_get_identifier (self->zone)) == 0)
    return;
  g_time_zone_unref (self->zone);
  self->zone = g_steal_pointer (&zone);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
anx_display_zone_finalize (GObject *object)
{
  AnxDisplayZone *self = ANX_DISPLAY_ZONE (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (anx_display_zone_parent_class)->finalize (object);
}

static void
anx_display_zone_class_init (AnxDisplayZoneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = anx_display_zone_finalize;

  /**
   * AnxDisplayZone::changed:
   *
   * The zone changed: re-render the times on show.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
anx_display_zone_init (AnxDisplayZone *self)
{
}

/**
 * anx_display_zone_new:
 * @settings: (nullable): the application's settings (with a time-zone key)
 *
 * Returns: (transfer full): a zone following @settings, or Asia/Shanghai for
 *   good without them
 */
AnxDisplayZone *
anx_display_zone_new (GSettings *settings)
{
  AnxDisplayZone *self = g_object_new (ANX_TYPE_DISPLAY_ZONE, NULL);

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), self);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed::time-zone", G_CALLBACK (on_time_zone_changed),
                               self, G_CONNECT_SWAPPED);
    }
  self->zone = read_zone (settings);
  return self;
}

/**
 * anx_display_zone_dup_default:
 *
 * Returns: (transfer full): the running console's display zone, or a fixed
 *   Asia/Shanghai one where there is no console (a widget on its own)
 */
AnxDisplayZone *
anx_display_zone_dup_default (void)
{
  GApplication *app = g_application_get_default ();

  if (ANX_IS_APPLICATION (app))
    return g_object_ref (anx_application_get_display_zone (ANX_APPLICATION (app)));
  return anx_display_zone_new (NULL);
}

/**
 * anx_display_zone_get_zone:
 *
 * Returns: (transfer none): the zone in which to show times
 */
GTimeZone *
anx_display_zone_get_zone (AnxDisplayZone *self)
{
  g_return_val_if_fail (ANX_IS_DISPLAY_ZONE (self), NULL);

  return self->zone;
}

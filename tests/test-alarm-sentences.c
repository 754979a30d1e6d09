/* test-alarm-sentences.c: what an alarm says, in numbers
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sentences the alarm list, the wall display's ticker and the charger
 * page show, built from an alarm's evidence as the store keeps it.
 */

#include "config.h"

#include <locale.h>

#include "anx-alarm-rules.h"

static void
test_energy_mismatch (void)
{
  g_autofree char *sentence = anx_alarm_describe_json (
      ANX_ALARM_ENERGY_MISMATCH,
      "{\"records\":[{\"sequence\":7,\"billed_wh\":31200,\"metered_wh\":29410,"
      "\"deviation_percent\":6.086,\"accuracy_class\":\"1\",\"tolerance_percent\":1.0}]}");

  g_assert_cmpstr (sentence, ==, "Billed 31.20 kWh, meter 29.41 kWh, +6.1 %, class 1 allows ±1.0 %");
}

static void
test_seal_opened (void)
{
  g_autofree char *sentence = anx_alarm_describe_json (
      ANX_ALARM_SEAL_OPENED,
      "{\"records\":[{\"sequence\":3,\"seal_id\":\"ES5AED6369\","
      "\"event_time\":\"2026-11-21T02:02:44+08:00\"}]}");
  g_autofree char *garbled = anx_alarm_describe_json (
      ANX_ALARM_SEAL_OPENED,
      "{\"records\":[{\"sequence\":3,\"seal_id\":\"ES5AED6369\",\"event_time\":\"yesterday\"}]}");

  /* As people read a time, in the time the record states. */
  g_assert_cmpstr (sentence, ==, "Seal ES5AED6369 opened at 2026-11-21 02:02:44");
  /* A time that is not RFC 3339 is shown as it came, not dropped. */
  g_assert_cmpstr (garbled, ==, "Seal ES5AED6369 opened at yesterday");
}

int
main (int   argc,
      char *argv[])
{
  /* The untranslated sentences, whatever the machine's language. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/alarm-sentences/energy-mismatch", test_energy_mismatch);
  g_test_add_func ("/alarm-sentences/seal-opened", test_seal_opened);

  return g_test_run ();
}

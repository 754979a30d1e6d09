/* anx-verify-main.c: entry point of anxin-verify
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-verify"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "anx-verify-chain.h"
#include "anx-verify-ocmf.h"
#include "anx-verify-output.h"

static void
print_usage (FILE *out)
{
  fprintf (out,
           "%s\n  anxin-verify ocmf --key KEY [--json] [FILE|-]\n"
           "  anxin-verify chain [--json] BUNDLE\n\n",
           _("Usage:"));
  fprintf (out, "%s\n", _("Verifies signed meter records and charger chain evidence offline."));
  fprintf (out, "\n%s\n", _("Commands:"));
  fprintf (out, "  ocmf    %s\n", _("Verify OCMF records, one a line, with a meter's public key"));
  fprintf (out, "  chain   %s\n", _("Verify an evidence bundle end to end"));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  --json     %s\n", _("Print results as JSON"));
  fprintf (out, "  --help     %s\n", _("Show help (also after a command)"));
  fprintf (out, "  --version  %s\n", _("Show the version"));
  fprintf (out, "\n%s\n",
           _("Exit status: 0 all valid, 1 findings or invalid signatures, "
              "2 usage or input error."));
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("anxin-verify");

  if (argc < 2)
    {
      print_usage (stderr);
      return ANX_VERIFY_EXIT_USAGE;
    }

  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return ANX_VERIFY_EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      printf ("anxin-verify %s\n", PACKAGE_VERSION);
      return ANX_VERIFY_EXIT_OK;
    }

  /* the command's own arguments, with the command standing in for argv[0] */
  if (g_str_equal (command, "ocmf"))
    return anx_verify_ocmf_run (argc - 1, argv + 1);
  if (g_str_equal (command, "chain"))
    return anx_verify_chain_run (argc - 1, argv + 1);

  anx_verify_print_error (_("unknown command “%s” (try --help)"), command);
  return ANX_VERIFY_EXIT_USAGE;
}

/* anx-test-display.h: helpers for tests that open real windows under Xvfb
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void       anx_test_display_init            (int         *argc,
                                             char      ***argv);
gboolean   anx_test_language_is_chinese     (void);
void       anx_test_wait_for_draw           (GtkWidget   *widget);
void       anx_test_iterate                 (guint        milliseconds);
char      *anx_test_screenshot              (GtkWidget   *widget,
                                             const char  *name);
GtkWidget *anx_test_find_widget_of_type     (GtkWidget   *root,
                                             GType        type);

G_END_DECLS

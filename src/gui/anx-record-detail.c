/* anx-record-detail.c: one chain record, decoded and checked again
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The verdict of the core verifier on the record's raw data (run when the
 * window opens and again on "Verify Again"), the billing against the signed
 * metered energy in numbers with the meter class's tolerance, the decoded
 * OCMF (readings, clock and meter status, pagination), the raw signed
 * string and the fingerprint of the key it was checked against.
 */

#define G_LOG_DOMAIN "anx-record-detail"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-alarm-rules.h"
#include "anx-chain-row.h"
#include "anx-charger-info.h"
#include "anx-display-zone.h"
#include "anx-finding.h"
#include "anx-record-check.h"
#include "anx-record-detail.h"

struct _AnxRecordDetail
{
  AdwWindow parent_instance;

  AnxStore *store;
  char *charger;
  gint64 sequence;
  char *hash;
  AnxRecordCheck *check;
  AnxDisplayZone *display_zone;
  GTimeZone *zone;
  guint n_checks;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkLabel *verdict_label;
  GtkLabel *checked_label;
  GtkListBox *checks_list;
  GtkLabel *comparison_label;
  GtkListBox *billing_list;
  GtkListBox *ocmf_list;
  GtkLabel *raw_label;
};

G_DEFINE_FINAL_TYPE (AnxRecordDetail, anx_record_detail, ADW_TYPE_WINDOW)

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
add_field (GtkListBox *list,
           const char *title,
           const char *value,
           const char *css)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (label, TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (list, row);
  return row;
}

static char *
format_time (AnxRecordDetail *self,
             GDateTime       *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("—");
  local = g_date_time_to_timezone (time, self->zone);
  return g_date_time_format (local, "%x %X");
}

static const char *
clock_text (AnxOcmfClockStatus clock)
{
  switch (clock)
    {
    case ANX_OCMF_CLOCK_SYNCHRONIZED:
      return _("clock synchronised");
    case ANX_OCMF_CLOCK_INFORMATIVE:
      return _("clock informative only");
    case ANX_OCMF_CLOCK_RELATIVE:
      return _("clock relative");
    case ANX_OCMF_CLOCK_UNKNOWN:
      return _("clock unknown");
    case ANX_OCMF_CLOCK_NONE:
    default:
      return _("no clock status");
    }
}

static const char *
meter_status_text (const char *status)
{
  static const struct
  {
    const char *code;
    const char *text;
  } statuses[] = {
    { "G", N_("good") },          { "T", N_("timeout") },       { "D", N_("disconnected") },
    { "R", N_("not found") },     { "M", N_("manipulated") },   { "X", N_("meter exchanged") },
    { "I", N_("incompatible") },  { "O", N_("out of range") },  { "S", N_("substituted") },
    { "E", N_("system error") },  { "F", N_("read error") },
  };

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (status, statuses[i].code))
      return _(statuses[i].text);
  return status != NULL ? status : "—";
}

static void
render_checks (AnxRecordDetail *self)
{
  AnxRecordCheck *check = self->check;
  g_autoptr(GString) codes = g_string_new (NULL);
  static const char *const titles[ANX_CHAIN_N_BADGES] = {
    N_("Record hash"), N_("Link to the previous record"), N_("Meter signature"),
    N_("Meter status, counter and register"), N_("Billed energy and amount"),
  };
  g_autofree char *verdict = NULL;

  clear_list (self->checks_list);
  for (guint i = 0; i < check->findings->len; i++)
    g_string_append_printf (codes, "%s%s", i > 0 ? " " : "",
                            anx_finding_get_code (check->findings->pdata[i]));
  for (guint b = 0; b < ANX_CHAIN_N_BADGES; b++)
    {
      AnxChainBadgeState state = anx_chain_row_badge_state (check->performed, codes->str, b);

      add_field (self->checks_list, _(titles[b]),
                 state == ANX_CHAIN_BADGE_PASSED   ? _("Verified")
                 : state == ANX_CHAIN_BADGE_FAILED ? _("Failed")
                                                   : _("Not checked"),
                 state == ANX_CHAIN_BADGE_PASSED   ? "success"
                 : state == ANX_CHAIN_BADGE_FAILED ? "error"
                                                   : "dim-label");
    }
  for (guint i = 0; i < check->findings->len; i++)
    {
      AnxFinding *finding = check->findings->pdata[i];
      const char *kind = anx_alarm_kind_for_finding (anx_finding_get_code (finding));

      add_field (self->checks_list,
                 kind != NULL ? anx_alarm_kind_get_title (kind) : anx_finding_get_code (finding),
                 anx_finding_get_message (finding), "error");
    }

  if (check->findings->len == 0)
    verdict = g_strdup (_("Verified: the console finds nothing wrong with this record"));
  else
    verdict = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u finding: the record does not verify",
                                            "%u findings: the record does not verify",
                                            check->findings->len),
                               check->findings->len);
  gtk_label_set_text (self->verdict_label, verdict);
  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->verdict_label),
                            check->findings->len == 0 ? "success" : "error");
}

static void
render_billing (AnxRecordDetail *self)
{
  AnxRecordCheck *check = self->check;
  AnxChainRecord *record = check->record;
  g_autofree char *comparison = NULL;

  clear_list (self->billing_list);
  gtk_widget_set_visible (GTK_WIDGET (self->billing_list),
                          anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_CHARGE);
  if (anx_chain_record_get_kind (record) != ANX_CHAIN_RECORD_KIND_CHARGE)
    {
      gtk_label_set_text (self->comparison_label, _("Not a charge record: nothing was billed"));
      return;
    }

  {
    g_autofree char *billed = g_strdup_printf (_("%.3f kWh"), check->billed_wh / 1000.0);
    g_autofree char *amount =
        g_strdup_printf (_("¥%.2f"), anx_chain_record_get_amount_fen (record) / 100.0);
    gint64 expected;

    add_field (self->billing_list, _("Session"), anx_chain_record_get_session_id (record), NULL);
    add_field (self->billing_list, _("Billed energy"), billed, "numeric");
    add_field (self->billing_list, _("Amount"), amount, "numeric");
    if (anx_chain_record_expected_amount (record, &expected))
      {
        g_autofree char *text = g_strdup_printf (_("¥%.2f"), expected / 100.0);

        add_field (self->billing_list, _("Amount by the tariff"), text, "numeric");
      }
    for (guint i = 0; i < anx_chain_record_get_n_tariff_segments (record); i++)
      {
        const AnxTariffSegment *segment = anx_chain_record_get_tariff_segment (record, i);
        /* Translators: a tariff period: energy and price per kWh */
        g_autofree char *text = g_strdup_printf (_("%1$.3f kWh at ¥%2$.4f/kWh"),
                                                 segment->energy_wh / 1000.0,
                                                 segment->price_millifen_per_kwh / 100000.0);

        add_field (self->billing_list, segment->label, text, "numeric");
      }
  }

  if (check->has_energy && check->metered_wh > 0 && check->tolerance_bp > 0)
    {
      double deviation = anx_record_check_get_deviation (check);
      gboolean outside = anx_record_check_energy_outside (check);

      /* Translators: billed kWh, metered kWh, the deviation, the meter's
       * accuracy class and the tolerance it allows; then the verdict */
      comparison = g_strdup_printf (_("Billed %1$.2f kWh, meter %2$.2f kWh, %3$+.1f %%, class %4$s "
                                      "allows ±%5$.1f %% — %6$s"),
                                    check->billed_wh / 1000.0, check->metered_wh / 1000.0,
                                    deviation, check->accuracy_class, check->tolerance_bp / 100.0,
                                    outside ? _("outside the tolerance") : _("within the tolerance"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->comparison_label), "error");
      if (outside)
        gtk_widget_add_css_class (GTK_WIDGET (self->comparison_label), "error");
    }
  else if (check->has_energy)
    comparison = g_strdup_printf (_("Billed %1$.2f kWh, meter %2$.2f kWh; no registered accuracy "
                                    "class to compare with"),
                                  check->billed_wh / 1000.0, check->metered_wh / 1000.0);
  else
    comparison = g_strdup (_("The signed meter data has no start and stop reading to compare the "
                             "billed energy with"));
  gtk_label_set_text (self->comparison_label, comparison);
}

static void
render_ocmf (AnxRecordDetail *self)
{
  AnxRecordCheck *check = self->check;
  AnxOcmf *ocmf = check->ocmf;
  g_autofree char *fingerprint = anx_charger_info_group_fingerprint (check->key_fingerprint);
  const char *raw = anx_chain_record_get_ocmf (check->record);

  clear_list (self->ocmf_list);
  if (raw == NULL)
    raw = anx_chain_record_get_signed_signal (check->record);
  gtk_label_set_text (self->raw_label, raw != NULL && *raw != '\0' ? raw : check->json);

  if (ocmf == NULL)
    {
      add_field (self->ocmf_list, _("Signed meter data"),
                 check->ocmf_error != NULL ? check->ocmf_error->message : _("None in this record"),
                 check->ocmf_error != NULL ? "error" : "dim-label");
    }
  else
    {
      guint64 number = 0;
      AnxOcmfPaginationKind pagination = anx_ocmf_get_pagination (ocmf, &number);
      g_autofree char *page = pagination != ANX_OCMF_PAGINATION_NONE
                                ? g_strdup_printf ("%c%" G_GUINT64_FORMAT, (char) pagination, number)
                                : g_strdup ("—");

      add_field (self->ocmf_list, _("Meter serial"), anx_ocmf_get_string (ocmf, "MS"), NULL);
      add_field (self->ocmf_list, _("Pagination"), page, "numeric");
      add_field (self->ocmf_list, _("Signature algorithm"),
                 anx_ocmf_get_signature_algorithm_name (ocmf), NULL);
      for (guint i = 0; i < anx_ocmf_get_n_readings (ocmf); i++)
        {
          const AnxOcmfReading *reading = anx_ocmf_get_reading (ocmf, i);
          g_autofree char *time = format_time (self, reading->time);
          /* Translators: a meter reading: value and unit, time, clock status,
           * meter status */
          g_autofree char *value = g_strdup_printf (_("%1$s %2$s · %3$s · %4$s · meter %5$s"),
                                                    reading->value_text != NULL ? reading->value_text : "",
                                                    reading->unit != NULL ? reading->unit : "",
                                                    time, clock_text (reading->clock),
                                                    meter_status_text (reading->status));
          /* Translators: the title of the n-th reading, with its type (B, E…) */
          g_autofree char *title = g_strdup_printf (_("Reading %1$u (%2$s)"), i + 1,
                                                    reading->transaction != NULL ? reading->transaction : "—");

          add_field (self->ocmf_list, title, value,
                     g_strcmp0 (reading->status, "G") != 0 ||
                             reading->clock != ANX_OCMF_CLOCK_SYNCHRONIZED
                         ? "warning"
                         : NULL);
        }
    }
  add_field (self->ocmf_list, _("Checked against key"),
             check->key_fingerprint != NULL ? fingerprint : _("No registered key"),
             check->key_fingerprint != NULL ? "monospace" : "error");
}

static void
render (AnxRecordDetail *self)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, self->sequence);
  /* Translators: the title of a chain record's window; %s is its number */
  g_autofree char *title = g_strdup_printf (_("Record No. %s"), number);
  g_autofree char *subtitle = NULL;

  if (self->check != NULL)
    {
      g_autofree char *time = format_time (self, anx_chain_record_get_recorded_at (self->check->record));

      subtitle = g_strdup_printf ("%s · %s", self->charger, time);
    }
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : self->charger);
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (self->check == NULL)
    return;
  render_checks (self);
  render_billing (self);
  render_ocmf (self);
}

static void
on_zone_changed (AnxRecordDetail *self)
{
  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  render (self);
}

static void
verify_again_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  anx_record_detail_verify_again (ANX_RECORD_DETAIL (widget));
}

static void
anx_record_detail_dispose (GObject *object)
{
  AnxRecordDetail *self = ANX_RECORD_DETAIL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_RECORD_DETAIL);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (anx_record_detail_parent_class)->dispose (object);
}

static void
anx_record_detail_finalize (GObject *object)
{
  AnxRecordDetail *self = ANX_RECORD_DETAIL (object);

  g_clear_pointer (&self->check, anx_record_check_free);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->display_zone);
  g_free (self->charger);
  g_free (self->hash);

  G_OBJECT_CLASS (anx_record_detail_parent_class)->finalize (object);
}

static void
anx_record_detail_class_init (AnxRecordDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_record_detail_dispose;
  object_class->finalize = anx_record_detail_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-record-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, window_title);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, checked_label);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, checks_list);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, comparison_label);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, billing_list);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, ocmf_list);
  gtk_widget_class_bind_template_child (widget_class, AnxRecordDetail, raw_label);

  gtk_widget_class_install_action (widget_class, "detail.verify-again", NULL, verify_again_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
anx_record_detail_init (AnxRecordDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->display_zone = anx_display_zone_dup_default ();
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);
}

/**
 * anx_record_detail_new:
 * @parent: (nullable): the window it belongs to
 * @store: the store
 * @charger_code: the charger
 * @sequence: the record's sequence number
 * @hash_hex: the record's hash (a sequence may have forks)
 *
 * Returns: (transfer full): a new window showing the record, checked once
 */
AnxRecordDetail *
anx_record_detail_new (GtkWindow  *parent,
                       AnxStore   *store,
                       const char *charger_code,
                       gint64      sequence,
                       const char *hash_hex)
{
  AnxRecordDetail *self = g_object_new (ANX_TYPE_RECORD_DETAIL, "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  self->charger = g_strdup (charger_code);
  self->sequence = sequence;
  self->hash = g_strdup (hash_hex);
  anx_record_detail_verify_again (self);
  return self;
}

/**
 * anx_record_detail_verify_again:
 * @self: a detail window
 *
 * Reads the record from the store and runs the core verifier on its raw
 * data; shows what it finds and when.
 */
void
anx_record_detail_verify_again (AnxRecordDetail *self)
{
  g_autoptr(GError) error = NULL;
  AnxRecordCheck *check = anx_record_check_run (anx_store_get_read_db (self->store), self->charger,
                                                self->sequence, self->hash, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autofree char *time = g_date_time_format (now, "%X");
  g_autofree char *checked = NULL;

  self->n_checks++;
  if (check == NULL)
    {
      /* Translators: %s says why the record could not be read */
      checked = g_strdup_printf (_("The record could not be checked: %s"), error->message);
      gtk_label_set_text (self->checked_label, checked);
      return;
    }
  g_clear_pointer (&self->check, anx_record_check_free);
  self->check = check;
  render (self);
  /* Translators: %1$s is a time of day; %2$u how many times it was checked */
  checked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Checked by this console from the raw data at %1$s (%2$u time)",
                                          "Checked by this console from the raw data at %1$s (%2$u times)",
                                          self->n_checks),
                             time, self->n_checks);
  gtk_label_set_text (self->checked_label, checked);
}

/**
 * anx_record_detail_get_n_checks:
 * @self: a detail window
 *
 * Returns: how many times the record was checked
 */
guint
anx_record_detail_get_n_checks (AnxRecordDetail *self)
{
  return self->n_checks;
}

/**
 * anx_record_detail_get_verdict:
 * @self: a detail window
 *
 * Returns: the verdict shown
 */
const char *
anx_record_detail_get_verdict (AnxRecordDetail *self)
{
  return gtk_label_get_text (self->verdict_label);
}

/**
 * anx_record_detail_get_comparison:
 * @self: a detail window
 *
 * Returns: billed against metered energy, as shown
 */
const char *
anx_record_detail_get_comparison (AnxRecordDetail *self)
{
  return gtk_label_get_text (self->comparison_label);
}

/**
 * anx_record_detail_get_raw:
 * @self: a detail window
 *
 * Returns: the raw signed data shown
 */
const char *
anx_record_detail_get_raw (AnxRecordDetail *self)
{
  return gtk_label_get_text (self->raw_label);
}

/* cw-receipt-row.c: GObject wrapper around a CwReceipt.
 *
 * Column sorters and filters read the row through GObject properties
 * (GtkPropertyExpression), so every sortable column is a property here.
 * The wrapped receipt is a list result: no buffers, phases or trace. The
 * detail pane loads the full receipt on demand. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cw-format.h"
#include "cw-receipt-row.h"

struct _CwReceiptRow
{
  GObject    parent_instance;
  CwReceipt *receipt;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_LANE,
  PROP_PROFILE,
  PROP_GPU,
  PROP_STATUS,
  PROP_SQ,
  PROP_PREDICTED,
  PROP_MEASURED,
  PROP_ERROR_PERCENT,
  PROP_ABS_ERROR_PERCENT,
  PROP_TIME,
  PROP_LANE_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwReceiptRow, cw_receipt_row, G_TYPE_OBJECT)

CwReceiptRow *
cw_receipt_row_new_take (CwReceipt *receipt)
{
  CwReceiptRow *self;

  g_return_val_if_fail (receipt != NULL, NULL);

  self = g_object_new (CW_TYPE_RECEIPT_ROW, NULL);
  self->receipt = receipt;
  return self;
}

const CwReceipt *
cw_receipt_row_get_receipt (CwReceiptRow *self)
{
  g_return_val_if_fail (CW_IS_RECEIPT_ROW (self), NULL);
  return self->receipt;
}

double
cw_receipt_row_get_error_percent (CwReceiptRow *self)
{
  const CwReceipt *r = self->receipt;

  if (r->status != CW_RECEIPT_STATUS_OK || r->predicted_peak_bytes == 0 || r->measured_peak_bytes == 0)
    return NAN;

  {
    uint64_t cp, cm;

    cw_receipt_get_compared_peaks (r, &cp, &cm);
    return 100.0 * ((double) cm - (double) cp) / (double) MAX (cp, 1);
  }
}

const char *
cw_receipt_row_get_status_label (CwReceiptRow *self)
{
  switch (self->receipt->status)
    {
    case CW_RECEIPT_STATUS_OK: return _("ok");
    case CW_RECEIPT_STATUS_OOM: return _("out of memory");
    case CW_RECEIPT_STATUS_CAPTURE_FAILED: return _("capture failed");
    case CW_RECEIPT_STATUS_ERROR: return _("error");
    default: return _("unknown");
    }
}

/* Context lengths are quoted in binary K/M ("64K" = 65,536); exact otherwise,
 * digits grouped ("200,000"). */
static void
append_tokens (GString *s, const char *name, uint64_t v)
{
  if (v >= 1024 * 1024 && v % (1024 * 1024) == 0)
    g_string_append_printf (s, "%s=%" G_GUINT64_FORMAT "M", name, v / (1024 * 1024));
  else if (v >= 1024 && v % 1024 == 0)
    g_string_append_printf (s, "%s=%" G_GUINT64_FORMAT "K", name, v / 1024);
  else
    {
      g_autofree char *count = cw_format_count (v);

      g_string_append_printf (s, "%s=%s", name, count);
    }
}

char *
cw_receipt_row_dup_config_label (CwReceiptRow *self)
{
  const CwConfig *c = &self->receipt->config;
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "b=%" G_GUINT64_FORMAT " h=%" G_GUINT64_FORMAT " d=%" G_GUINT64_FORMAT " ",
                          c->b, c->h, c->d);
  append_tokens (s, "sq", c->sq);
  g_string_append_c (s, ' ');
  append_tokens (s, "sk", cw_config_get_sk (c));
  g_string_append_printf (s, " k=%" G_GUINT64_FORMAT, c->top_k);
  return g_string_free (s, FALSE);
}

static void
cw_receipt_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CwReceiptRow *self = CW_RECEIPT_ROW (object);
  const CwReceipt *r = self->receipt;

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, r->id); break;
    case PROP_LANE: g_value_set_string (value, r->lane); break;
    case PROP_PROFILE: g_value_set_string (value, r->profile); break;
    case PROP_GPU: g_value_set_string (value, r->provenance.gpu_name); break;
    case PROP_STATUS: g_value_set_string (value, cw_receipt_status_get_name (r->status)); break;
    case PROP_SQ: g_value_set_uint64 (value, r->config.sq); break;
    case PROP_PREDICTED: g_value_set_uint64 (value, r->predicted_peak_bytes); break;
    case PROP_MEASURED: g_value_set_uint64 (value, r->measured_peak_bytes); break;
    case PROP_ERROR_PERCENT:
      {
        double e = cw_receipt_row_get_error_percent (self);
        /* Unknown errors sort after every known one. */
        g_value_set_double (value, isnan (e) ? G_MAXDOUBLE : e);
      }
      break;
    case PROP_ABS_ERROR_PERCENT:
      {
        double e = cw_receipt_row_get_error_percent (self);
        g_value_set_double (value, isnan (e) ? G_MAXDOUBLE : fabs (e));
      }
      break;
    case PROP_TIME: g_value_set_int64 (value, r->provenance.time_unix_ns); break;
    case PROP_LANE_MS: g_value_set_double (value, (double) r->lane_ns / 1e6); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_receipt_row_finalize (GObject *object)
{
  CwReceiptRow *self = CW_RECEIPT_ROW (object);

  g_clear_pointer (&self->receipt, cw_receipt_free);
  G_OBJECT_CLASS (cw_receipt_row_parent_class)->finalize (object);
}

static void
cw_receipt_row_class_init (CwReceiptRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = cw_receipt_row_get_property;
  object_class->finalize = cw_receipt_row_finalize;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, G_MININT64, G_MAXINT64, 0, f);
  properties[PROP_LANE] = g_param_spec_string ("lane", NULL, NULL, NULL, f);
  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL, f);
  properties[PROP_GPU] = g_param_spec_string ("gpu", NULL, NULL, NULL, f);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, f);
  properties[PROP_SQ] = g_param_spec_uint64 ("sq", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_PREDICTED] = g_param_spec_uint64 ("predicted", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_MEASURED] = g_param_spec_uint64 ("measured", NULL, NULL, 0, G_MAXUINT64, 0, f);
  properties[PROP_ERROR_PERCENT] = g_param_spec_double ("error-percent", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, f);
  properties[PROP_ABS_ERROR_PERCENT] = g_param_spec_double ("abs-error-percent", NULL, NULL, 0, G_MAXDOUBLE, 0, f);
  properties[PROP_TIME] = g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0, f);
  properties[PROP_LANE_MS] = g_param_spec_double ("lane-ms", NULL, NULL, 0, G_MAXDOUBLE, 0, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cw_receipt_row_init (CwReceiptRow *self)
{
}

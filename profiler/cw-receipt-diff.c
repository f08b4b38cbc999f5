/* cw-receipt-diff.c: the comparison of cw-receipt-diff.h. */
#include "cw-receipt-diff.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks a label for the workbench's catalogue (xgettext's CW_N_ keyword);
 * the library itself keeps the English text. */
#define CW_N_(s) (s)

#define MAX_FIELDS 40

struct _CwReceiptDiff {
  int64_t            id_a, id_b;
  size_t             n_fields;
  size_t             n_differing;
  CwReceiptDiffField fields[MAX_FIELDS];
  CwReceiptDiffPeak  peaks[CW_RECEIPT_DIFF_N_PEAKS];
};

static CwReceiptDiffField *
add (CwReceiptDiff *d, const char *key, const char *label, CwReceiptDiffSection section, CwReceiptDiffKind kind)
{
  CwReceiptDiffField *f = &d->fields[d->n_fields++];

  f->key = key;
  f->label = label;
  f->section = section;
  f->kind = kind;
  return f;
}

static void
add_text (CwReceiptDiff *d, const char *key, const char *label, CwReceiptDiffSection section, const char *a,
          const char *b)
{
  CwReceiptDiffField *f = add (d, key, label, section, CW_RECEIPT_DIFF_TEXT);

  snprintf (f->a, sizeof f->a, "%s", a != NULL ? a : "");
  snprintf (f->b, sizeof f->b, "%s", b != NULL ? b : "");
  f->differs = strcmp (f->a, f->b) != 0;
}

static void
add_number (CwReceiptDiff *d, const char *key, const char *label, CwReceiptDiffSection section,
            CwReceiptDiffKind kind, uint64_t a, uint64_t b)
{
  CwReceiptDiffField *f = add (d, key, label, section, kind);

  f->a_value = a;
  f->b_value = b;
  f->differs = a != b;
}

/* CUDA's 1000 * major + 10 * minor as people quote it; "" when not recorded. */
static void
cuda_version (int32_t v, char *buf, size_t size)
{
  if (v <= 0)
    buf[0] = '\0';
  else
    snprintf (buf, size, "%d.%d", (int) (v / 1000), (int) (v % 1000 / 10));
}

static void
set_peak (CwReceiptDiffPeak *p, const char *key, const char *label, bool has_a, uint64_t a, bool has_b, uint64_t b)
{
  p->key = key;
  p->label = label;
  p->has_a = has_a;
  p->has_b = has_b;
  p->a = has_a ? a : 0;
  p->b = has_b ? b : 0;
  p->has_delta = has_a && has_b;
  p->percent = NAN;
  if (!p->has_delta)
    return;
  p->sign = b > a ? 1 : b < a ? -1 : 0;
  p->delta = b > a ? b - a : a - b;
  if (a > 0)
    p->percent = ((double) b - (double) a) / (double) a * 100.0;
}

static bool
has_measured (const CwReceipt *r)
{
  return r->status == CW_RECEIPT_STATUS_OK && r->measured_peak_bytes > 0;
}

CwReceiptDiff *
cw_receipt_diff_new (const CwReceipt *a, const CwReceipt *b, CwError *error)
{
  const CwReceiptDiffSection RUN = CW_RECEIPT_DIFF_RUN, CFG = CW_RECEIPT_DIFF_CONFIGURATION,
                             PROV = CW_RECEIPT_DIFF_PROVENANCE;
  const CwReceiptDiffKind COUNT = CW_RECEIPT_DIFF_COUNT, BYTES = CW_RECEIPT_DIFF_BYTES;
  const CwConfig *ca, *cb;
  CwReceiptDiff *d;
  char va[32], vb[32];

  if (a == NULL || b == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt diff: two receipts are needed");
      return NULL;
    }
  d = calloc (1, sizeof *d);
  if (d == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory comparing receipts");
      return NULL;
    }
  d->id_a = a->id;
  d->id_b = b->id;
  ca = &a->config;
  cb = &b->config;

  add_text (d, "lane", CW_N_ ("Lane"), RUN, a->lane, b->lane);
  add_text (d, "profile", CW_N_ ("Profile"), RUN, a->profile, b->profile);
  add_text (d, "status", CW_N_ ("Status"), RUN, cw_receipt_status_get_name (a->status),
            cw_receipt_status_get_name (b->status));
  if (cw_receipt_is_exec (a) || cw_receipt_is_exec (b))
    {
      add_text (d, "program", CW_N_ ("Program"), RUN, a->exec.program, b->exec.program);
      add_text (d, "range", CW_N_ ("NVTX range"), RUN, a->exec.range_name, b->exec.range_name);
      add_text (d, "allocator", CW_N_ ("Allocator level"), RUN, a->exec.allocator, b->exec.allocator);
    }
  if (a->gradcheck.status != CW_GRADCHECK_NONE || b->gradcheck.status != CW_GRADCHECK_NONE)
    {
      /* Training lanes: the gradient check's outcome ("" where it did not run). */
      add_text (d, "gradcheck", CW_N_ ("Gradient check"), RUN, cw_gradcheck_status_get_name (a->gradcheck.status),
                cw_gradcheck_status_get_name (b->gradcheck.status));
    }

  add_number (d, "b", CW_N_ ("Batch b"), CFG, COUNT, ca->b, cb->b);
  add_number (d, "h", CW_N_ ("Indexer heads h"), CFG, COUNT, ca->h, cb->h);
  add_number (d, "d", CW_N_ ("Head dim d"), CFG, COUNT, ca->d, cb->d);
  add_number (d, "sq", CW_N_ ("Query tokens sq"), CFG, COUNT, ca->sq, cb->sq);
  add_number (d, "sk", CW_N_ ("Key positions sk"), CFG, COUNT, cw_config_get_sk (ca), cw_config_get_sk (cb));
  add_number (d, "ratio", CW_N_ ("Compression ratio m"), CFG, COUNT, ca->ratio, cb->ratio);
  add_number (d, "top_k", CW_N_ ("Top-k"), CFG, COUNT, ca->top_k, cb->top_k);
  add_text (d, "causal", CW_N_ ("Causal rule"), CFG, cw_causal_get_name (ca->causal), cw_causal_get_name (cb->causal));
  add_text (d, "q_dtype", CW_N_ ("Query dtype"), CFG, cw_dtype_get_name (ca->q_dtype), cw_dtype_get_name (cb->q_dtype));
  add_text (d, "k_dtype", CW_N_ ("Key dtype"), CFG, cw_dtype_get_name (ca->k_dtype), cw_dtype_get_name (cb->k_dtype));
  add_text (d, "w_dtype", CW_N_ ("Weight dtype"), CFG, cw_dtype_get_name (ca->w_dtype),
            cw_dtype_get_name (cb->w_dtype));
  add_text (d, "score_dtype", CW_N_ ("Score dtype"), CFG, cw_dtype_get_name (ca->score_dtype),
            cw_dtype_get_name (cb->score_dtype));
  add_text (d, "index_dtype", CW_N_ ("Index dtype"), CFG, cw_dtype_get_name (ca->index_dtype),
            cw_dtype_get_name (cb->index_dtype));
  add_number (d, "chunk_budget_bytes", CW_N_ ("Streaming chunk budget"), CFG, BYTES, ca->chunk_budget_bytes,
              cb->chunk_budget_bytes);
  add_number (d, "granularity", CW_N_ ("Allocation granularity"), CFG, BYTES, ca->granularity, cb->granularity);

  add_text (d, "gpu_name", CW_N_ ("GPU"), PROV, a->provenance.gpu_name, b->provenance.gpu_name);
  add_number (d, "hbm_total_bytes", CW_N_ ("HBM total"), PROV, BYTES, a->provenance.hbm_total_bytes,
              b->provenance.hbm_total_bytes);
  add_text (d, "driver_version", CW_N_ ("Driver"), PROV, a->provenance.driver_version,
            b->provenance.driver_version);
  cuda_version (a->provenance.cuda_driver_version, va, sizeof va);
  cuda_version (b->provenance.cuda_driver_version, vb, sizeof vb);
  add_text (d, "cuda_driver_version", CW_N_ ("CUDA driver"), PROV, va, vb);
  cuda_version (a->provenance.cuda_runtime_version, va, sizeof va);
  cuda_version (b->provenance.cuda_runtime_version, vb, sizeof vb);
  add_text (d, "cuda_runtime_version", CW_N_ ("CUDA runtime"), PROV, va, vb);
  add_text (d, "host", CW_N_ ("Host"), PROV, a->provenance.host, b->provenance.host);
  add_text (d, "cliffwatch_version", CW_N_ ("Cliffwatch version"), PROV, a->provenance.cliffwatch_version,
            b->provenance.cliffwatch_version);
  add_text (d, "git_revision", CW_N_ ("Git revision"), PROV, a->provenance.git_revision,
            b->provenance.git_revision);

  for (size_t i = 0; i < d->n_fields; i++)
    d->n_differing += d->fields[i].differs;

  set_peak (&d->peaks[CW_RECEIPT_DIFF_PREDICTED], "predicted_peak", CW_N_ ("Predicted peak"),
            a->predicted_peak_bytes > 0, a->predicted_peak_bytes, b->predicted_peak_bytes > 0,
            b->predicted_peak_bytes);
  set_peak (&d->peaks[CW_RECEIPT_DIFF_MEASURED], "measured_peak", CW_N_ ("Measured peak"), has_measured (a),
            a->measured_peak_bytes, has_measured (b), b->measured_peak_bytes);
  return d;
}

void
cw_receipt_diff_free (CwReceiptDiff *diff)
{
  free (diff);
}

int64_t
cw_receipt_diff_get_id (const CwReceiptDiff *diff, bool second)
{
  return second ? diff->id_b : diff->id_a;
}

size_t
cw_receipt_diff_get_n_fields (const CwReceiptDiff *diff)
{
  return diff->n_fields;
}

const CwReceiptDiffField *
cw_receipt_diff_get_field (const CwReceiptDiff *diff, size_t index)
{
  return index < diff->n_fields ? &diff->fields[index] : NULL;
}

const CwReceiptDiffField *
cw_receipt_diff_find_field (const CwReceiptDiff *diff, const char *key)
{
  for (size_t i = 0; key != NULL && i < diff->n_fields; i++)
    if (strcmp (diff->fields[i].key, key) == 0)
      return &diff->fields[i];
  return NULL;
}

size_t
cw_receipt_diff_get_n_differing (const CwReceiptDiff *diff)
{
  return diff->n_differing;
}

const CwReceiptDiffPeak *
cw_receipt_diff_get_peak (const CwReceiptDiff *diff, CwReceiptDiffPeakKind kind)
{
  return (unsigned) kind < CW_RECEIPT_DIFF_N_PEAKS ? &diff->peaks[kind] : NULL;
}

const char *
cw_receipt_diff_field_text (const CwReceiptDiffField *f, bool second, char *buf, size_t size)
{
  if (f->kind == CW_RECEIPT_DIFF_TEXT)
    snprintf (buf, size, "%s", second ? f->b : f->a);
  else
    snprintf (buf, size, "%" PRIu64, second ? f->b_value : f->a_value);
  return buf;
}

/* cw-gpu.c: GPU capacity presets from data/gpus/NAME.gpu. */
#include "cw-gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-data.h"
#include "cw-kv-file-private.h"

CwGpu *
cw_gpu_lookup (const char *name, CwError *error)
{
  CwKvFile kv;
  CwGpu *gpu;
  const CwKvEntry *e;

  if (!cw_kv_file_find (&kv, "gpus", ".gpu", "GPU", name, error))
    return NULL;
  gpu = calloc (1, sizeof *gpu);
  if (gpu == NULL)
    {
      cw_kv_file_clear (&kv);
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  for (unsigned i = 0; i < kv.n_entries; i++)
    {
      e = &kv.entries[i];
      if (strcmp (e->key, "name") == 0)
        snprintf (gpu->name, sizeof gpu->name, "%.63s", e->value);
      else if (strcmp (e->key, "description") == 0)
        snprintf (gpu->description, sizeof gpu->description, "%.159s", e->value);
      else if (strcmp (e->key, "source") == 0)
        snprintf (gpu->source, sizeof gpu->source, "%.255s", e->value);
      else if (strcmp (e->key, "total_bytes") == 0)
        {
          if (!cw_kv_entry_u64 (&kv, e, &gpu->total_bytes, error))
            goto fail;
        }
      else if (strcmp (e->key, "reserve_bytes") == 0)
        {
          if (!cw_kv_entry_u64 (&kv, e, &gpu->reserve_bytes, error))
            goto fail;
        }
      else if (strcmp (e->key, "alias") != 0)
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: unknown GPU key '%s'", kv.file, e->line, e->key);
          goto fail;
        }
    }
  if (gpu->total_bytes == 0 || gpu->reserve_bytes > gpu->total_bytes)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s: needs total_bytes > 0 and reserve_bytes <= total_bytes", kv.file);
      goto fail;
    }
  cw_kv_file_clear (&kv);
  return gpu;
fail:
  cw_kv_file_clear (&kv);
  free (gpu);
  return NULL;
}

void
cw_gpu_free (CwGpu *gpu)
{
  free (gpu);
}

char **
cw_gpu_list (CwError *error)
{
  return cw_data_list_dir ("gpus", ".gpu", error);
}

bool
cw_gpu_usable_bytes (uint64_t total_bytes, uint64_t reserve_bytes, uint64_t *usable, CwError *error)
{
  if (reserve_bytes > total_bytes)
    {
      cw_error_set (error, CW_ERROR_INVALID, "reserve %llu B is larger than the GPU's %llu B",
                    (unsigned long long) reserve_bytes, (unsigned long long) total_bytes);
      return false;
    }
  *usable = total_bytes - reserve_bytes;
  return true;
}

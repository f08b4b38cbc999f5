/* test-live-bytes.c: the one live-bytes rule (profiler/cw-live-bytes.h) that
 * every measured peak and every timeline follows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-live-bytes.h"

#include "../../cw-test.h"

#define A(t, addr, b) { (t), (addr), (b), false }
#define F(t, addr, b) { (t), (addr), (b), true }

/* The running sum of the changes, checked against the replay's live bytes
 * after every event in time order; returns its maximum. */
static uint64_t
sum_of_changes (const CwLiveEvent *ev, size_t n)
{
  CwLiveChange *ch = NULL;
  size_t n_ch = 0;
  CwError e = CW_ERROR_INIT;
  uint64_t cur = 0, max = 0;

  CHECK (cw_live_bytes_changes (ev, n, &ch, &n_ch, &e), "%s", e.message);
  CHECK (n_ch <= 2 * n, "%zu changes for %zu events", n_ch, n);
  for (size_t i = 0; i < n_ch; i++)
    {
      CHECK (i == 0 || ch[i - 1].t_ns <= ch[i].t_ns, "changes out of time order");
      if (ch[i].is_free)
        {
          CHECK (ch[i].bytes <= cur, "a change frees %llu of %llu", (unsigned long long) ch[i].bytes,
                 (unsigned long long) cur);
          cur -= ch[i].bytes;
        }
      else
        cur += ch[i].bytes;
      if (cur > max)
        max = cur;
    }
  free (ch);
  return max;
}

int
main (void)
{
  CwError e = CW_ERROR_INIT;
  uint64_t live[16], peak, unmatched;

  /* Frees release what the allocation at that address holds; the size a
   * free record carries is not trusted (here it claims 999). */
  {
    const CwLiveEvent ev[] = { A (10, 0x1000, 100), A (20, 0x2000, 50), F (30, 0x1000, 999), A (40, 0x3000, 70) };

    CHECK (cw_live_bytes_replay (ev, 4, live, &peak, &unmatched, &e), "%s", e.message);
    CHECK (live[0] == 100 && live[1] == 150 && live[2] == 50 && live[3] == 120, "%llu %llu %llu %llu",
           (unsigned long long) live[0], (unsigned long long) live[1], (unsigned long long) live[2],
           (unsigned long long) live[3]);
    CHECK (peak == 150 && unmatched == 0, "peak %llu", (unsigned long long) peak);
    CHECK (sum_of_changes (ev, 4) == 150, "changes");
  }
  /* A free of an address never allocated (live before the trace) changes
   * nothing and is counted; so is a free of address 0. */
  {
    const CwLiveEvent ev[] = { F (5, 0x9000, 4096), A (10, 0x1000, 100), F (11, 0, 1), F (12, 0x1000, 100) };

    CHECK (cw_live_bytes_replay (ev, 4, live, &peak, &unmatched, &e), "%s", e.message);
    CHECK (live[0] == 0 && live[3] == 0 && peak == 100 && unmatched == 2, "unmatched %llu",
           (unsigned long long) unmatched);
    CHECK (sum_of_changes (ev, 4) == 100, "changes");
  }
  /* An allocation at a live address (its free was lost) replaces it. */
  {
    const CwLiveEvent ev[] = { A (10, 0x1000, 100), A (20, 0x1000, 30), A (30, 0x2000, 5) };

    CHECK (cw_live_bytes_replay (ev, 3, live, &peak, NULL, &e), "%s", e.message);
    CHECK (live[1] == 30 && live[2] == 35 && peak == 100, "replace: %llu %llu", (unsigned long long) live[1],
           (unsigned long long) live[2]);
    CHECK (sum_of_changes (ev, 3) == 100, "changes");
  }
  /* Unsorted input is taken in time order, ties in the given order: the
   * free at t = 20 comes after the allocation listed before it. */
  {
    const CwLiveEvent ev[] = { A (30, 0x3000, 7), A (20, 0x1000, 100), F (20, 0x1000, 0), A (10, 0x2000, 1) };

    CHECK (cw_live_bytes_replay (ev, 4, live, &peak, NULL, &e), "%s", e.message);
    CHECK (live[3] == 1 && live[1] == 101 && live[2] == 1 && live[0] == 8 && peak == 101, "order");
    CHECK (sum_of_changes (ev, 4) == 101, "changes");
  }
  /* Many addresses: the table grows, and frees in another order find them. */
  {
    enum { N = 5000 };
    CwLiveEvent *ev = calloc (2 * N, sizeof *ev);
    uint64_t want = 0;

    CHECK (ev != NULL, "calloc");
    if (ev)
      {
        for (uint64_t i = 0; i < N; i++)
          {
            ev[i] = (CwLiveEvent) { i, 0x10000 + 256 * i, i + 1, false };
            want += i + 1;
            ev[N + i] = (CwLiveEvent) { N + i, 0x10000 + 256 * ((i * 7919) % N), 0, true };
          }
        CHECK (cw_live_bytes_replay (ev, 2 * N, NULL, &peak, &unmatched, &e) && peak == want && unmatched == 0,
               "many: peak %llu want %llu", (unsigned long long) peak, (unsigned long long) want);
        free (ev);
      }
  }
  CHECK (cw_live_bytes_replay (NULL, 0, NULL, &peak, NULL, &e) && peak == 0, "empty");
  fprintf (stderr, "live-bytes: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}

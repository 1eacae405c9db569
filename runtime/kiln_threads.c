/* A persistent pthread pool behind kiln_parallel_for.
 *
 * One loop runs at a time: the caller takes g_dispatch, publishes the job and
 * works on it alongside num_threads - 1 workers; chunks are handed out under
 * the pool mutex. A call from inside a body, or while another thread holds the
 * pool, runs inline, so nesting never deadlocks.
 *
 * Waiting spins before it sleeps. A training step runs about 170 parallel
 * loops in 9 ms; with condition variables alone each loop paid a futex wake of
 * the worker and one of the caller, and on a 2-vCPU VM two threads ran the
 * ResNet-style step at 13.0 ms against 8.75 ms on one. Workers poll the job
 * generation, and the caller the finished-chunk count, for up to
 * KILN_SPIN_NS (about 200 µs, OpenMP runtimes spin similarly) before falling
 * back to the condition variables; both counters are read with atomic loads
 * and written under the mutex. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KILN_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define KILN_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define KILN_CPU_RELAX() ((void)0)
#endif

/* How long a waiting thread polls before it sleeps on a condition variable. */
#define KILN_SPIN_NS 200000L

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t start_cv; /* workers: a new generation was published, or stop */
  pthread_cond_t done_cv;  /* caller: the last chunk finished */
  pthread_t *workers;
  int num_workers;
  int stop;
  unsigned long generation;
  unsigned long spawn_generation; /* generation when the workers were started */
  /* The current job; read and updated under mu. */
  kiln_parallel_body body;
  void *ctx;
  int64_t n;
  int64_t num_chunks;
  int64_t next_chunk;
  int64_t chunks_done;
} kiln_pool;

static kiln_pool g_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                           PTHREAD_COND_INITIALIZER, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, 0};

/* Held by the thread running a parallel loop; also guards pool start and stop. */
static pthread_mutex_t g_dispatch = PTHREAD_MUTEX_INITIALIZER;

/* The configured thread count; 0 until first resolved. */
static pthread_mutex_t g_config = PTHREAD_MUTEX_INITIALIZER;
static int g_num_threads = 0;

/* Nonzero while this thread runs a body (workers always; the caller during a loop). */
static KILN_THREAD_LOCAL int t_in_parallel = 0;

static int kiln_hardware_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) return 1;
  if (n > KILN_MAX_THREADS) return KILN_MAX_THREADS;
  return (int)n;
}

static int kiln_default_threads(void) {
  const char *env = getenv("KILN_NUM_THREADS");
  if (env && *env) {
    char *end;
    long n = strtol(env, &end, 10);
    if (*end == '\0' && n > 0 && n <= KILN_MAX_THREADS) return (int)n;
  }
  return kiln_hardware_threads();
}

void kiln_set_num_threads(int n) {
  int resolved = n > 0 ? (n > KILN_MAX_THREADS ? KILN_MAX_THREADS : n) : kiln_hardware_threads();
  pthread_mutex_lock(&g_config);
  g_num_threads = resolved;
  pthread_mutex_unlock(&g_config);
}

int kiln_get_num_threads(void) {
  int n;
  pthread_mutex_lock(&g_config);
  if (g_num_threads == 0) g_num_threads = kiln_default_threads();
  n = g_num_threads;
  pthread_mutex_unlock(&g_config);
  return n;
}

static int64_t kiln_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Polls until done() holds or KILN_SPIN_NS pass; returns whether it held. */
static int kiln_spin_until(int (*done)(kiln_pool *, unsigned long), kiln_pool *p,
                           unsigned long arg) {
  int64_t deadline = 0;
  unsigned i;
  for (i = 0;; ++i) {
    if (done(p, arg)) return 1;
    KILN_CPU_RELAX();
    if ((i & 255) == 255) { /* the clock only every 256 polls */
      int64_t now = kiln_now_ns();
      if (!deadline)
        deadline = now + KILN_SPIN_NS;
      else if (now >= deadline)
        return 0;
    }
  }
}

static int kiln_job_published(kiln_pool *p, unsigned long seen) {
  return __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE) != seen ||
         __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

static int kiln_job_finished(kiln_pool *p, unsigned long unused) {
  (void)unused;
  return __atomic_load_n(&p->chunks_done, __ATOMIC_ACQUIRE) ==
         __atomic_load_n(&p->num_chunks, __ATOMIC_ACQUIRE);
}

/* Runs chunks of the current job until none is left; called and returns with mu held. */
static void kiln_pool_work_locked(kiln_pool *p) {
  while (p->next_chunk < p->num_chunks) {
    int64_t c = p->next_chunk++;
    int64_t begin = p->n * c / p->num_chunks; /* n < 2^63 / chunks: see kiln_parallel_for */
    int64_t end = p->n * (c + 1) / p->num_chunks;
    kiln_parallel_body body = p->body;
    void *ctx = p->ctx;
    pthread_mutex_unlock(&p->mu);
    body(begin, end, ctx);
    pthread_mutex_lock(&p->mu);
    if (__atomic_add_fetch(&p->chunks_done, 1, __ATOMIC_RELEASE) == p->num_chunks)
      pthread_cond_signal(&p->done_cv);
  }
}

static void *kiln_pool_worker(void *arg) {
  kiln_pool *p = (kiln_pool *)arg;
  unsigned long seen;
  t_in_parallel = 1;
  pthread_mutex_lock(&p->mu);
  /* Not p->generation: a job may already have been published before this thread ran. */
  seen = p->spawn_generation;
  for (;;) {
    if (!p->stop && p->generation == seen) {
      pthread_mutex_unlock(&p->mu);
      kiln_spin_until(kiln_job_published, p, seen);
      pthread_mutex_lock(&p->mu);
    }
    while (!p->stop && p->generation == seen) pthread_cond_wait(&p->start_cv, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    kiln_pool_work_locked(p);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Stops and joins every worker; g_dispatch held. */
static void kiln_pool_stop(kiln_pool *p) {
  int i;
  if (!p->num_workers) return;
  pthread_mutex_lock(&p->mu);
  __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->start_cv);
  pthread_mutex_unlock(&p->mu);
  for (i = 0; i < p->num_workers; ++i) pthread_join(p->workers[i], NULL);
  free(p->workers);
  p->workers = NULL;
  p->num_workers = 0;
  __atomic_store_n(&p->stop, 0, __ATOMIC_RELEASE);
}

/* Makes the pool have @p want workers, or as many as could be started; g_dispatch held. */
static void kiln_pool_resize(kiln_pool *p, int want) {
  int i;
  if (p->num_workers == want) return;
  kiln_pool_stop(p);
  if (want <= 0) return;
  p->workers = (pthread_t *)malloc((size_t)want * sizeof(pthread_t));
  if (!p->workers) return;
  pthread_mutex_lock(&p->mu);
  p->spawn_generation = p->generation;
  pthread_mutex_unlock(&p->mu);
  for (i = 0; i < want; ++i) {
    if (pthread_create(&p->workers[i], NULL, kiln_pool_worker, p) != 0) break;
    p->num_workers = i + 1;
  }
  if (!p->num_workers) {
    free(p->workers);
    p->workers = NULL;
  }
}

void kiln_parallel_for(int64_t n, kiln_parallel_body body, void *ctx) {
  int threads;
  kiln_pool *p = &g_pool;
  if (n <= 0 || !body) return;
  threads = kiln_get_num_threads();
  if (n < 2 || threads <= 1 || t_in_parallel || pthread_mutex_trylock(&g_dispatch) != 0) {
    body(0, n, ctx);
    return;
  }
  /* A range split needs n * chunks to fit in int64_t; such huge n runs serially. */
  if (n > INT64_MAX / 1024) {
    pthread_mutex_unlock(&g_dispatch);
    body(0, n, ctx);
    return;
  }
  kiln_pool_resize(p, threads - 1);
  t_in_parallel = 1;
  pthread_mutex_lock(&p->mu);
  p->body = body;
  p->ctx = ctx;
  p->n = n;
  __atomic_store_n(&p->num_chunks,
                   n < (int64_t)p->num_workers + 1 ? n : (int64_t)p->num_workers + 1,
                   __ATOMIC_RELAXED);
  p->next_chunk = 0;
  __atomic_store_n(&p->chunks_done, 0, __ATOMIC_RELAXED);
  __atomic_add_fetch(&p->generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->start_cv);
  kiln_pool_work_locked(p);
  if (p->chunks_done < p->num_chunks) {
    pthread_mutex_unlock(&p->mu);
    kiln_spin_until(kiln_job_finished, p, 0);
    pthread_mutex_lock(&p->mu);
  }
  while (p->chunks_done < p->num_chunks) pthread_cond_wait(&p->done_cv, &p->mu);
  p->body = NULL;
  p->ctx = NULL;
  pthread_mutex_unlock(&p->mu);
  t_in_parallel = 0;
  pthread_mutex_unlock(&g_dispatch);
}

// An inference worker with a fault plan, for tests of the supervisor: it runs
// the production worker code, but can stall or wedge for real (a thread stuck
// in a loop that only terminate() ends), which no mock could prove.
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../../services/embedder/src/backend/worker-main.js';

export interface FaultPlan {
  /** Block the first run of each worker (the warm-up) this long. */
  stallFirstRunMs?: number;
  /** Block runs with exactly this many rows for stallMs. */
  stallOnRows?: number;
  stallMs?: number;
  /** Spin forever on a run with exactly this many rows. */
  wedgeOnRows?: number;
}

const plan = (workerData ?? {}) as FaultPlan;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let runs = 0;

serveWorker({
  beforeRun(msg) {
    runs++;
    if (runs === 1 && plan.stallFirstRunMs) Atomics.wait(sleeper, 0, 0, plan.stallFirstRunMs);
    if (plan.stallOnRows === msg.rows && plan.stallMs) Atomics.wait(sleeper, 0, 0, plan.stallMs);
    if (plan.wedgeOnRows === msg.rows) {
      for (;;) {
        // wedged on purpose
      }
    }
  },
});

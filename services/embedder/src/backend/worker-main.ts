import { parentPort } from 'node:worker_threads';
import { OnnxRunner } from './onnx-runner.js';
import type { FromWorker, RunMessage, ToWorker } from './protocol.js';

/**
 * Worker-thread side of the backend. `hooks.beforeRun` exists so tests can
 * make a run wedge for real (a thread stuck in a loop) and prove that the
 * supervisor recovers; production passes no hooks.
 */
export function serveWorker(hooks: { beforeRun?: (msg: RunMessage) => void } = {}): void {
  const port = parentPort;
  if (!port) throw new Error('worker-main must run in a worker thread');
  let runner: OnnxRunner | undefined;
  const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'init') {
      OnnxRunner.load({ onnxPath: msg.onnxPath, intraOpThreads: msg.intraOpThreads, allowSpinning: msg.allowSpinning, numHeads: msg.numHeads }).then(
        (loaded) => {
          runner = loaded;
          send({ type: 'ready', inputNames: loaded.inputNames });
        },
        (err: unknown) => send({ type: 'init-error', message: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    if (!runner) {
      send({ type: 'run-error', id: msg.id, message: 'worker not initialised' });
      return;
    }
    hooks.beforeRun?.(msg);
    runner.run(msg).then(
      ({ vectors, dims }) => send({ type: 'result', id: msg.id, vectors, dims }, [vectors.buffer as ArrayBuffer]),
      (err: unknown) => send({ type: 'run-error', id: msg.id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
}

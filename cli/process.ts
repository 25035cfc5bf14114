// The process around main(): Ctrl-C handling and the exit code.
import { main } from './main.js';

const interrupt = new AbortController();
process.once('SIGINT', () => {
  // First Ctrl-C: finish the batch in flight and save the checkpoint; a second one quits at once.
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt: interrupt.signal });

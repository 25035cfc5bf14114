import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, FIXTURE_FILES, generateFixtureModel } from './generate.js';
import { isFixtureSize, modelSpec, SIZES } from './model-spec.js';

/**
 * npm run model:fixture -- --out DIR --size tiny|e5-small [--seed N]
 *
 * Writes a random-weight model directory that the embedder loads exactly
 * like a downloaded multilingual-e5 export.
 */
const USAGE = `usage: npm run model:fixture -- --out DIR --size ${SIZES.join('|')} [--seed N]

  --out DIR    directory to write (created; existing fixture files are overwritten)
  --size S     tiny: 64-dim, 2 layers, ~4k pieces, for unit tests
               e5-small: the multilingual-e5-small shape (~118 MB), for benchmarks
  --seed N     integer in [0, 2^32), default ${DEFAULT_SEED}; same seed => identical bytes`;

class UsageError extends Error {}

function parseCli(argv: string[]): { out: string; size: 'tiny' | 'e5-small'; seed: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  if (!values.size) throw new UsageError(`--size is required (${SIZES.join(' or ')})`);
  if (!isFixtureSize(values.size)) {
    throw new UsageError(`--size must be ${SIZES.join(' or ')}, got ${JSON.stringify(values.size)}`);
  }
  let seed = DEFAULT_SEED;
  if (values.seed !== undefined) {
    // Number('') is 0 and Number('1e3') is 1000: accept plain digits only.
    if (!/^\d+$/.test(values.seed) || Number(values.seed) > 0xffffffff) {
      throw new UsageError(`--seed must be an integer in [0, 4294967295], got ${JSON.stringify(values.seed)}`);
    }
    seed = Number(values.seed);
  }
  return { out: resolve(values.out), size: values.size, seed };
}

function formatBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  const started = Date.now();
  await generateFixtureModel(args);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  console.log(`wrote ${args.size} fixture model to ${args.out} in ${seconds} s (seed ${args.seed})`);
  for (const file of FIXTURE_FILES) {
    const { size } = await stat(join(args.out, file));
    console.log(`  ${file.padEnd(28)} ${formatBytes(size).padStart(10)}`);
  }
  console.log(`model_id: ${modelSpec(args.size).modelId}`);
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// Runs protoc with the ts-proto plugin over every file in proto/. One place
// holds the generator options, so `npm run generate` and the CI freshness
// check cannot drift apart. protoc comes from the OS (Debian:
// protobuf-compiler), which also provides google/protobuf/*.proto.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT_DIR, PROTO_DIR } from '../shared/paths.js';

export const TS_PROTO_OPTIONS = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'importSuffix=.js',
  'forceLong=number',
  'useOptionals=none',
  'env=node',
  'oneof=unions-value',
];

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return protoFiles(p);
    return name.endsWith('.proto') ? [relative(PROTO_DIR, p)] : [];
  });
}

export function generate(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const includes = ['/usr/include', '/usr/local/include'].filter((d) => existsSync(join(d, 'google', 'protobuf', 'timestamp.proto')));
  try {
    execFileSync(
      'protoc',
      [
        `--plugin=protoc-gen-ts_proto=${join(ROOT_DIR, 'node_modules', '.bin', 'protoc-gen-ts_proto')}`,
        `--ts_proto_out=${outDir}`,
        `--ts_proto_opt=${TS_PROTO_OPTIONS.join(',')}`,
        `--proto_path=${PROTO_DIR}`,
        ...includes.map((d) => `--proto_path=${d}`),
        ...protoFiles(PROTO_DIR).sort(),
      ],
      { stdio: 'inherit' },
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('protoc not found: install it (Debian/Ubuntu: apt-get install protobuf-compiler)', { cause: err });
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  generate(join(ROOT_DIR, 'shared', 'generated'));
  console.log('regenerated shared/generated from proto/');
}

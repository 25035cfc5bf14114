#!/usr/bin/env node
// The `polysearch` npm bin: runs the TypeScript CLI through tsx, as the services
// run in a checkout. Exit codes: cli/exit-codes.ts, or the README's CLI section.
import { register } from 'tsx/esm/api';

register();
await import('../process.ts');

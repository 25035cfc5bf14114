import { CATALOG } from '../../scripts/download-model.js';
import { checkEnv, effectivePorts, requiredVars, type ServiceContract } from './contracts.js';
import { isPinnedImage } from './files.js';

export interface Instruction {
  cmd: string;
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  /** Image or earlier stage name, with global ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Enough of the Dockerfile grammar for these checks: comments, continuations, FROM/ARG scoping. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') start = i + 1;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const [cmd, ...rest] = pending.split(/\s+/);
    instructions.push({ cmd: cmd.toUpperCase(), args: rest.join(' '), line: start });
    pending = '';
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--platform'));
      const from = words[0].replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from, name: asIndex > 0 ? words[asIndex + 1] : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.cmd === 'ARG') {
        const [name, value = ''] = ins.args.split('=');
        globalArgs[name] = value;
      }
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** ENV key=value pairs of one instruction (the legacy "ENV key value" form too). */
export function envPairs(args: string): Record<string, string> {
  if (!/^\S+=/.test(args)) {
    const [key, ...value] = args.split(/\s+/);
    return { [key]: value.join(' ') };
  }
  const pairs: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) pairs[m[1]] = m[2].replace(/^"|"$/g, '');
  return pairs;
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
const SECRET_FILE = /(^|[\s/])(\.env[^\s]*|[^\s]*\.pem|[^\s]*\.key|id_rsa[^\s]*|\.npmrc|\.netrc)(\s|$)/;
const CUDA_SKIP = 'ONNXRUNTIME_NODE_INSTALL_CUDA=skip';

function stageByName(df: Dockerfile, name: string): Stage | undefined {
  return df.stages.find((s) => s.name === name);
}

/** ENV in force at the end of a stage, following FROM <earlier stage> chains. */
function stageEnv(df: Dockerfile, stage: Stage): Record<string, string> {
  const parent = stageByName(df, stage.from);
  const env = parent ? stageEnv(df, parent) : {};
  for (const ins of stage.instructions) if (ins.cmd === 'ENV') Object.assign(env, envPairs(ins.args));
  return env;
}

export interface DockerfileExpectations {
  contract: ServiceContract;
  /** The embedder image bakes a model in; search does not. */
  bakesModel: boolean;
}

export function checkDockerfile(text: string, expect: DockerfileExpectations): string[] {
  const problems: string[] = [];
  const df = parseDockerfile(text);
  const final = df.stages.at(-1);
  if (!final) return ['no FROM instruction'];

  for (const stage of df.stages) {
    if (!stageByName(df, stage.from) && !isPinnedImage(stage.from)) {
      problems.push(`FROM ${stage.from || '(empty)'}: base image not pinned to an exact version or digest`);
    }
    const envSoFar: Record<string, string> = stageByName(df, stage.from) ? stageEnv(df, stageByName(df, stage.from)!) : {};
    for (const ins of stage.instructions) {
      if (ins.cmd === 'ENV') Object.assign(envSoFar, envPairs(ins.args));
      if ((ins.cmd === 'ENV' || ins.cmd === 'ARG') && ins.args) {
        const pairs = ins.cmd === 'ENV' ? envPairs(ins.args) : Object.fromEntries([ins.args.split('=')]);
        for (const [key, value] of Object.entries(pairs)) {
          if (SECRET_NAME.test(key) && value) problems.push(`line ${ins.line}: ${ins.cmd} ${key} bakes a secret into the image`);
        }
      }
      if ((ins.cmd === 'COPY' || ins.cmd === 'ADD') && SECRET_FILE.test(ins.args)) {
        problems.push(`line ${ins.line}: ${ins.cmd} ${ins.args} copies a secret-looking file`);
      }
      if (ins.cmd === 'ADD' && /https?:\/\//.test(ins.args)) {
        problems.push(`line ${ins.line}: ADD from a URL is not verified; download with a pinned digest instead`);
      }
      if (ins.cmd === 'RUN' && /\bnpm (ci|install|i)\b/.test(ins.args)) {
        if (envSoFar.ONNXRUNTIME_NODE_INSTALL_CUDA !== 'skip' && !ins.args.includes(CUDA_SKIP)) {
          problems.push(`line ${ins.line}: npm install without ${CUDA_SKIP} set before it`);
        }
      }
    }
  }

  // The runtime's node_modules must come from a production-only install.
  const copiesModules = final.instructions.filter((i) => i.cmd === 'COPY' && /node_modules/.test(i.args));
  const fromProd = copiesModules.some((i) => {
    const source = /--from=(\S+)/.exec(i.args)?.[1];
    const stage = source ? stageByName(df, source) : undefined;
    return stage?.instructions.some((s) => s.cmd === 'RUN' && /npm ci\b.*--omit=dev/.test(s.args));
  });
  if (!fromProd) problems.push('runtime node_modules do not come from a stage that ran `npm ci --omit=dev`');

  const users = final.instructions.filter((i) => i.cmd === 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  if (!user || !/^\d+$/.test(user) || user === '0') {
    problems.push(`final stage must switch to a numeric non-root USER (found ${user ?? 'none'})`);
  }

  const env = stageEnv(df, final);
  const schemaEnv = Object.entries(env).filter(([k]) => !['NODE_ENV', 'HOME', 'PATH', 'NODE_OPTIONS'].includes(k));
  problems.push(...checkEnv(expect.contract, schemaEnv.map(([name, value]) => ({ name, value })), 'runtime ENV'));

  const ports = effectivePorts(expect.contract, env);
  const exposed = final.instructions
    .filter((i) => i.cmd === 'EXPOSE')
    .flatMap((i) => i.args.split(/\s+/))
    .map((p) => Number(p.split('/')[0]));
  for (const [what, port] of Object.entries(ports)) {
    if (!exposed.includes(port)) problems.push(`EXPOSE lacks the ${what} port ${port} the service listens on`);
  }

  const health = final.instructions.find((i) => i.cmd === 'HEALTHCHECK');
  if (!health || !health.args.includes('/readyz')) problems.push('HEALTHCHECK must probe /readyz');
  else if (/\b(curl|wget)\b/.test(health.args)) problems.push('HEALTHCHECK uses a tool the slim image lacks (curl/wget)');

  const entry = final.instructions.filter((i) => i.cmd === 'ENTRYPOINT' || i.cmd === 'CMD').at(-1);
  if (!entry?.args.includes(expect.contract.entrypoint)) problems.push(`entrypoint must run ${expect.contract.entrypoint}`);
  if (!final.instructions.some((i) => i.cmd === 'COPY' && /^proto\s/.test(i.args))) {
    problems.push('runtime must contain proto/ (reflection loads it at run time)');
  }

  for (const name of requiredVars(expect.contract)) {
    if (!(name in env)) problems.push(`runtime ENV must set ${name}: ${expect.contract.service} refuses to start without it`);
  }
  if (expect.bakesModel) {
    if (env.EMBEDDER_ALLOW_FIXTURE !== 'false') problems.push('the embedder image must set EMBEDDER_ALLOW_FIXTURE=false');
    const modelDir = env.MODEL_DIR ?? '';
    const isDownload = (i: Instruction) => i.cmd === 'RUN' && i.args.includes('scripts/download-model.ts');
    const modelStage = df.stages.find((s) => s.instructions.some(isDownload));
    const download = modelStage?.instructions.find(isDownload);
    if (!modelStage || !download) problems.push('no stage runs scripts/download-model.ts (the pinned, verified download)');
    else {
      if (!modelDir || !download.args.includes(modelDir)) problems.push(`MODEL_DIR ${modelDir} is not where the model is downloaded`);
      // The default build must verify every byte: no trust-on-first-use, no model with unpinned files.
      if (/--trust-on-first-use/.test(download.args)) problems.push('the image build must not trust the model on first use');
      const arg = modelStage.instructions.find((i) => i.cmd === 'ARG' && i.args.startsWith('MODEL='));
      const model = arg?.args.slice('MODEL='.length) ?? '';
      const entry = CATALOG[model];
      if (!entry) problems.push(`the default MODEL ${model || '(none)'} is not in the download catalog`);
      else if (entry.files.some((f) => f.sha256 === null)) problems.push(`the default MODEL ${model} has files without a pinned sha256`);
    }
  }
  return problems;
}

/** ENV the runtime stage sets: what a container gets before any manifest adds its own. */
export function runtimeEnv(text: string): Record<string, string> {
  const df = parseDockerfile(text);
  const final = df.stages.at(-1);
  return final ? stageEnv(df, final) : {};
}

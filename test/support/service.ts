import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp } from './ports.js';

export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface RunningService {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the service printed on stdout (pino's NDJSON) and stderr so far. */
  output(): string;
  /** Sends SIGTERM and waits for the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `relay-metrics serve` from the built CLI on a free loopback port.
 * The tests run after `npm run build`, as the README's test command does.
 */
export async function startService(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', String(port), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = `http://127.0.0.1:${port}`;
  const exitedEarly = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before it was ready:\n${output}`)));
  });
  await Promise.race([waitForHttp(`${url}/healthz`), exitedEarly]);
  exitedEarly.catch(() => {});

  return {
    url,
    port,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
  };
}

/** Sums every sample of `family` in a Prometheus text exposition. */
export function sumFamily(exposition: string, family: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

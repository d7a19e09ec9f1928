import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from './ports.js';

export interface RunningPrometheus {
  url: string;
  dataDir: string;
  /** Runs an instant query and returns the result vector. */
  query(promql: string, timeSeconds?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** prometheus.yml text; rule file paths in it must be absolute. */
  configYaml: string;
  /** An existing TSDB directory (backfilled blocks); a new temporary one when absent. */
  tsdbDir?: string;
  extraArgs?: string[];
}

/** Starts a real Prometheus on a free loopback port with its own temporary config and data directory. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const workDir = await mkdtemp(join(tmpdir(), 'relay-prometheus-'));
  const configPath = join(workDir, 'prometheus.yml');
  await writeFile(configPath, options.configYaml);
  const dataDir = options.tsdbDir ?? join(workDir, 'data');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=3650d',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    await waitForHttp(`${url}/-/ready`, 30_000);
  } catch (error) {
    await stop();
    throw new Error(`Prometheus did not become ready: ${(error as Error).message}\n${stderr}`);
  }

  return {
    url,
    dataDir,
    async query(promql, timeSeconds) {
      const params = new URLSearchParams({ query: promql });
      if (timeSeconds !== undefined) params.set('time', String(timeSeconds));
      const response = await fetch(`${url}/api/v1/query?${params.toString()}`);
      const body = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: unknown } };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
      return body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    },
    stop,
  };
}

import { spawn } from 'node:child_process';

/** Raised when promtool is missing or fails; the message carries the end of its output. */
export class PromtoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromtoolError';
  }
}

// Enough of promtool's output to show its error without keeping a long log.
const MAX_OUTPUT_CHARS = 4_000;

/**
 * Runs `promtool tsdb create-blocks-from openmetrics` on one file. promtool
 * 2.42 accepts `--max-block-duration` although its help does not list it.
 * It rounds the value down to 2h times a power of 3 and aligns blocks to
 * multiples of that span since the epoch.
 */
export function createBlocksFromOpenMetrics(
  promtoolPath: string,
  inputPath: string,
  outDir: string,
  maxBlockDurationMs: number,
): Promise<void> {
  const args = [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--quiet',
    `--max-block-duration=${maxBlockDurationMs / 3_600_000}h`,
    inputPath,
    outDir,
  ];

  return new Promise((resolve, reject) => {
    const child = spawn(promtoolPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keepOutput = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
    };
    child.stdout.on('data', keepOutput);
    child.stderr.on('data', keepOutput);

    child.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? ': install promtool (Prometheus) or pass its path with --promtool' : '';
      reject(new PromtoolError(`cannot run promtool at ${promtoolPath} (${error.code ?? error.message})${hint}`));
    });
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const status = signal === null ? `exit status ${code}` : `signal ${signal}`;
      reject(new PromtoolError(`promtool failed on ${inputPath} with ${status}:\n${output.trim()}`));
    });
  });
}

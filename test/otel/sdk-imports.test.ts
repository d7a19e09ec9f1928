import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SDK_PACKAGES = ['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/resources'];

// Matches static imports and re-exports of the built ES modules, not import().
const STATIC_IMPORT = /^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)';?$|^import\s+'([^']+)';?$/gm;

/** Returns every package that `entry` loads through static imports, following our own modules. */
async function staticPackages(entry: string): Promise<Set<string>> {
  const packages = new Set<string>();
  const visited = new Set<string>();
  const pending = [resolve(DIST, entry)];

  while (pending.length > 0) {
    const file = pending.pop()!;
    if (visited.has(file)) continue;
    visited.add(file);

    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  }
  return packages;
}

describe('OpenTelemetry SDK imports in the build', () => {
  it('library loads the API only', async () => {
    const packages = await staticPackages('relay.js');

    expect(packages).toContain('@opentelemetry/api');
    for (const sdk of SDK_PACKAGES) expect(packages).not.toContain(sdk);
  });

  it('CLI loads the SDK only on demand', async () => {
    const packages = await staticPackages('cli/main.js');
    const onDemand = await staticPackages('cli/otlp-export.js');

    for (const sdk of SDK_PACKAGES) expect(packages).not.toContain(sdk);
    for (const sdk of SDK_PACKAGES) expect(onDemand).toContain(sdk);
  });
});

// Prints the functions with the most self time in a .cpuprofile written by
// `node --cpu-prof`. Usage: node bench/profile-summary.js FILE.cpuprofile [COUNT]
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Returns the `count` functions with the most self time, as rows of milliseconds and share of samples. */
export function summarizeProfile(profile, count = 15) {
  const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
  const samplesById = new Map();
  for (const id of profile.samples) samplesById.set(id, (samplesById.get(id) ?? 0) + 1);

  // timeDeltas are microseconds between consecutive samples; their mean is the sampling interval.
  const totalMicros = profile.endTime - profile.startTime;
  const microsPerSample = totalMicros / Math.max(1, profile.samples.length);

  const selfByFunction = new Map();
  for (const [id, samples] of samplesById) {
    const frame = nodesById.get(id).callFrame;
    const location = frame.url === '' ? '' : ` ${basename(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${location}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + samples);
  }

  return [...selfByFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, samples]) => ({
      name,
      selfMs: (samples * microsPerSample) / 1000,
      share: samples / profile.samples.length,
    }));
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) {
  const [path, countText] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: node bench/profile-summary.js FILE.cpuprofile [COUNT]\n');
    process.exit(2);
  }
  const profile = JSON.parse(await readFile(path, 'utf8'));
  for (const row of summarizeProfile(profile, Number(countText ?? 15))) {
    process.stdout.write(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.name}\n`);
  }
}

import { ByteChunks } from './byte-chunks.js';

/** One sample as prom-client's `Registry.getMetricsAsJSON()` returns it; `sharedLabels` comes from CollectedMetric. */
export interface RenderedValue {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
  sharedLabels?: object;
}

/** One family as prom-client's `Registry.getMetricsAsJSON()` returns it. */
export interface RenderedFamily {
  name: string;
  help: string;
  type: string;
  values: RenderedValue[];
}

/** One series of a family: the samples that share every label except `le`, in the order a scrape lists them. */
interface Series {
  slots: SampleSlot[];
  /** Timestamps of the buffered scrapes that contained this series. */
  timestampsMs: number[];
}

/** One sample line of a series (a bucket, the sum, a counter): its text up to the value, and its buffered values. */
interface SampleSlot {
  /** UTF-8 text of the sample name and labels, followed by a space. */
  prefix: Buffer;
  /** Values by position in the series' `timestampsMs`; a hole where a scrape lacked this sample. */
  values: number[];
  series: Series;
  // The identity of the sample in a scrape, compared when the slot is found by position.
  sharedLabels: object | undefined;
  metricName: string | undefined;
  labels: Partial<Record<string, string | number>>;
  labelCount: number;
}

interface FamilyState {
  /** The OpenMetrics family name: a counter's name without `_total`. */
  name: string;
  type: string;
  help: string;
  seriesByLabels: Map<string, Series>;
  slotsByKey: Map<string, SampleSlot>;
  /** The slot each position of the last scrape's values mapped to. */
  slotsByPosition: SampleSlot[];
}

/**
 * Collects many scrapes of a registry, each at its own timestamp, and writes
 * them as one OpenMetrics text. The format allows each family only once and
 * wants each series' points contiguous and in timestamp order, so the scrapes
 * are buffered per series rather than written one after another.
 *
 * Scrapes of one registry list their samples in the same order each time, so
 * a sample is matched to its slot by position and checked by identity, and
 * label text is formatted once per slot. Formatting labels for each of
 * millions of samples would dominate the run time.
 */
export class OpenMetricsBuffer {
  private readonly families = new Map<string, FamilyState>();
  private readonly targetLabelText: string;
  private sampleCount = 0;

  /** `targetLabels` (such as job and instance) are added to every sample, as a scrape adds them. */
  constructor(targetLabels: Readonly<Record<string, string>>) {
    this.targetLabelText = formatLabelPairs(Object.entries(targetLabels));
  }

  /** Number of samples buffered since the last `clear()`. */
  get samples(): number {
    return this.sampleCount;
  }

  /** Adds one scrape of `families` taken at `timestampMs`; timestamps must increase from call to call. */
  addScrape(families: readonly RenderedFamily[], timestampMs: number): void {
    for (const family of families) {
      const state = this.familyState(family);

      family.values.forEach((value, position) => {
        const slot = this.slotFor(state, family, value, position);
        const timestamps = slot.series.timestampsMs;
        if (timestamps.at(-1) !== timestampMs) timestamps.push(timestampMs);
        slot.values[timestamps.length - 1] = value.value;
      });
      this.sampleCount += family.values.length;
    }
  }

  /** Returns the buffered samples as OpenMetrics text, ending with `# EOF`, in UTF-8 chunks. */
  render(): Buffer[] {
    const output = new ByteChunks();
    const lineEnds = new Map<number, Buffer>();

    for (const family of this.families.values()) {
      const seriesWithSamples = [...family.seriesByLabels.values()].filter((series) => series.timestampsMs.length > 0);
      if (seriesWithSamples.length === 0) continue;

      output.appendText(`# TYPE ${family.name} ${family.type}\n# HELP ${family.name} ${escapeHelp(family.help)}\n`);
      for (const series of seriesWithSamples) renderSeries(series, output, lineEnds);
    }

    output.appendAscii('# EOF\n');
    return output.toBuffers();
  }

  /** Forgets the buffered samples but keeps the formatted label text. */
  clear(): void {
    for (const family of this.families.values()) {
      for (const series of family.seriesByLabels.values()) {
        series.timestampsMs = [];
        for (const slot of series.slots) slot.values = [];
      }
    }
    this.sampleCount = 0;
  }

  private familyState(family: RenderedFamily): FamilyState {
    let state = this.families.get(family.name);
    if (state === undefined) {
      const name = family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
      state = { name, type: family.type, help: family.help, seriesByLabels: new Map(), slotsByKey: new Map(), slotsByPosition: [] };
      this.families.set(family.name, state);
    }
    return state;
  }

  private slotFor(state: FamilyState, family: RenderedFamily, value: RenderedValue, position: number): SampleSlot {
    const cached = state.slotsByPosition[position];
    if (cached !== undefined && isSameSample(cached, value)) return cached;

    const seriesLabels = joinLabelText([
      this.targetLabelText,
      formatLabelPairs(Object.entries((value.sharedLabels ?? {}) as Record<string, string | number>)),
      formatLabelPairs(Object.entries(value.labels).filter(([name]) => name !== 'le')),
    ]);
    const bound = value.labels.le;
    const sampleLabels = bound === undefined ? seriesLabels : joinLabelText([seriesLabels, `le="${formatBound(bound)}"`]);
    const sampleName = family.type === 'counter' ? `${state.name}_total` : (value.metricName ?? family.name);
    const slotKey = sampleLabels === '' ? sampleName : `${sampleName}{${sampleLabels}}`;

    let slot = state.slotsByKey.get(slotKey);
    if (slot === undefined) {
      const series = seriesFor(state, seriesLabels);
      slot = {
        prefix: Buffer.from(`${slotKey} `, 'utf8'),
        values: [],
        series,
        sharedLabels: value.sharedLabels,
        metricName: value.metricName,
        labels: { ...value.labels },
        labelCount: Object.keys(value.labels).length,
      };
      series.slots.push(slot);
      state.slotsByKey.set(slotKey, slot);
    }

    state.slotsByPosition[position] = slot;
    return slot;
  }
}

function seriesFor(state: FamilyState, seriesLabels: string): Series {
  let series = state.seriesByLabels.get(seriesLabels);
  if (series === undefined) {
    series = { slots: [], timestampsMs: [] };
    state.seriesByLabels.set(seriesLabels, series);
  }
  return series;
}

// A slot found by position is reused only for the very same sample: the same
// shared label object, sample name and own labels.
function isSameSample(slot: SampleSlot, value: RenderedValue): boolean {
  if (slot.sharedLabels !== value.sharedLabels || slot.metricName !== value.metricName) return false;

  let count = 0;
  for (const name in value.labels) {
    if (slot.labels[name] !== value.labels[name]) return false;
    count += 1;
  }
  return count === slot.labelCount;
}

// Writes the series point by point: at each timestamp every sample of the
// series (all buckets, the sum and the count of a histogram) together.
function renderSeries(series: Series, output: ByteChunks, lineEnds: Map<number, Buffer>): void {
  // Most samples repeat the previous value (a bucket no call fell into), so
  // each slot keeps its last formatted value.
  const lastValues = series.slots.map(() => Number.NaN);
  const lastTexts = series.slots.map(() => '');

  series.timestampsMs.forEach((timestampMs, index) => {
    const lineEnd = lineEndFor(timestampMs, lineEnds);

    series.slots.forEach((slot, slotIndex) => {
      const value = slot.values[index];
      if (value === undefined) return;

      if (!Object.is(value, lastValues[slotIndex])) {
        lastValues[slotIndex] = value;
        lastTexts[slotIndex] = formatNumber(value);
      }
      output.appendBytes(slot.prefix);
      output.appendAscii(lastTexts[slotIndex]!);
      output.appendBytes(lineEnd);
    });
  });
}

function lineEndFor(timestampMs: number, lineEnds: Map<number, Buffer>): Buffer {
  let lineEnd = lineEnds.get(timestampMs);
  if (lineEnd === undefined) {
    lineEnd = Buffer.from(` ${formatTimestamp(timestampMs)}\n`, 'latin1');
    lineEnds.set(timestampMs, lineEnd);
  }
  return lineEnd;
}

function joinLabelText(parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join(',');
}

function formatLabelPairs(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}="${escapeLabelValue(String(value))}"`)
    .join(',');
}

/** Escapes a label value as OpenMetrics requires: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === '\n' ? '\\n' : `\\${character}`));
}

// The same three escapes apply to HELP text in OpenMetrics (the Prometheus
// text format 0.0.4 leaves the double quote alone there).
function escapeHelp(help: string): string {
  return escapeLabelValue(help);
}

/** Formats a sample value; OpenMetrics spells the special values `NaN`, `+Inf` and `-Inf`. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatBound(bound: string | number): string {
  return typeof bound === 'number' ? formatNumber(bound) : bound;
}

/** OpenMetrics timestamps are seconds since the epoch, with a fraction when needed. */
function formatTimestamp(timestampMs: number): string {
  return String(timestampMs / 1000);
}

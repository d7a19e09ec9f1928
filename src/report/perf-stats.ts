import { errorSignature } from '../record/error-signature.js';
import { compareNames } from './call-totals.js';
import type { ReportInput } from './report-input.js';
import type { PerfRow, SignatureCount } from './report-types.js';
import { ratioOr, roundMs, roundRate } from './rounding.js';

const TOP_ERROR_SIGNATURES = 3;

/**
 * Speed and reliability of one (pipeline, model). Speed figures come from
 * successful calls only, because a call that timed out or was cut short
 * would count its wasted time against the audio it never finished.
 */
export class PerfStats {
  calls = 0;
  success = 0;
  errors = 0;
  refused = 0;
  partials = 0;
  private audioSecondsTotal = 0;
  private hasAudio = false;
  private speedAudioMs = 0;
  private speedAudioSeconds = 0;
  private speedTokensMs = 0;
  private speedInputTokens = 0;
  private readonly signatureCounts = new Map<string, number>();

  constructor(readonly pipeline: string, readonly model: string) {}

  add(input: ReportInput): void {
    this.calls += 1;
    this.countStatus(input.status);

    if (input.audioSeconds !== undefined) {
      this.hasAudio = true;
      this.audioSecondsTotal += input.audioSeconds;
    }
    if (input.status === 'success' && input.durationMs !== undefined) this.addSpeed(input, input.durationMs);
    if (input.errorText !== undefined) {
      const signature = errorSignature(input.errorText);
      this.signatureCounts.set(signature, (this.signatureCounts.get(signature) ?? 0) + 1);
    }
  }

  toRow(): PerfRow {
    const successRate = ratioOr(this.success, this.success + this.errors, null);
    const msPerAudioMinute = ratioOr(this.speedAudioMs, this.speedAudioSeconds / 60, null);
    const msPer1kTokens = ratioOr(this.speedTokensMs, this.speedInputTokens / 1000, null);

    return {
      pipeline: this.pipeline,
      model: this.model,
      calls: this.calls,
      success: this.success,
      errors: this.errors,
      refused: this.refused,
      partials: this.partials,
      failures: this.errors + this.partials,
      success_rate: successRate === null ? null : roundRate(successRate),
      ms_per_audio_minute: msPerAudioMinute === null ? null : roundMs(msPerAudioMinute),
      ms_per_1k_input_tokens: msPer1kTokens === null ? null : roundMs(msPer1kTokens),
      total_audio_minutes: this.hasAudio ? roundMs(this.audioSecondsTotal / 60) : null,
      top_errors: this.topErrors(),
    };
  }

  private countStatus(status: string): void {
    if (status === 'success') this.success += 1;
    else if (status === 'error') this.errors += 1;
    else if (status === 'refused') this.refused += 1;
    else if (status === 'partial') this.partials += 1;
  }

  private addSpeed(input: ReportInput, durationMs: number): void {
    if (input.audioSeconds !== undefined && input.audioSeconds > 0) {
      this.speedAudioMs += durationMs;
      this.speedAudioSeconds += input.audioSeconds;
    }
    if (input.inputTokens !== undefined && input.inputTokens > 0) {
      this.speedTokensMs += durationMs;
      this.speedInputTokens += input.inputTokens;
    }
  }

  private topErrors(): SignatureCount[] {
    return [...this.signatureCounts]
      .map(([signature, count]) => ({ signature, count }))
      .sort((a, b) => b.count - a.count || compareNames(a.signature, b.signature))
      .slice(0, TOP_ERROR_SIGNATURES);
  }
}

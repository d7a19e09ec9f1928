import { ABSENT_LABEL, OTHER_LABEL } from './call-record.js';

export const DEFAULT_MAX_MODELS = 50;

// A longer name is almost surely not a model identifier but input gone wrong.
const MAX_MODEL_NAME_LENGTH = 128;

/**
 * Keeps the `model` label bounded: names from the allow-list and the first
 * `maxModels` other names seen are admitted; later ones become `other`.
 */
export class ModelAdmission {
  private readonly admitted = new Set<string>();

  constructor(
    private readonly maxModels: number,
    private readonly allowList: readonly string[] = [],
    private readonly onOverflow: () => void = () => {},
  ) {
    if (!Number.isInteger(maxModels) || maxModels < 0) {
      throw new RangeError(`maxModels must be a whole number >= 0, got ${maxModels}`);
    }
    for (const model of allowList) this.admitted.add(model);
  }

  /** Returns the label value for `model`, admitting it when there is room. */
  labelFor(model: string | undefined): string {
    if (model === undefined || model === '') return ABSENT_LABEL;
    if (this.admitted.has(model)) return model;

    const admittedByCount = this.admitted.size - this.allowList.length;
    if (admittedByCount < this.maxModels && model.length <= MAX_MODEL_NAME_LENGTH) {
      this.admitted.add(model);
      return model;
    }

    this.onOverflow();
    return OTHER_LABEL;
  }
}

import { describe, expect, it } from 'vitest';
import { loadDashboard, queryPanels, variableQuery, DASHBOARD_PATH } from './dashboard.js';
import { readFileSync } from 'node:fs';

const dashboard = loadDashboard();
const panels = queryPanels(dashboard);
const DATASOURCE_REFERENCE = '${datasource}';
const FILTER_VARIABLES = ['instance', 'tier', 'pipeline', 'backend', 'model'];

// Which filter variables each family's selectors must use: the labels the family has.
const CALL_FAMILY_FILTERS = ['instance', 'tier', 'pipeline', 'backend', 'model'];
const FILTERS_BY_FAMILY: Array<[RegExp, string[]]> = [
  [/^relay_(calls|cost_usd|tokens|credits_charged|audio_seconds)_total$/, CALL_FAMILY_FILTERS],
  [/^relay_call_(duration_seconds|cost_usd|tokens)_(bucket|sum|count)$/, CALL_FAMILY_FILTERS],
  [/^relay_errors_total$/, ['instance', 'pipeline', 'backend', 'model']],
  [/^relay_(active_users|tier_price_usd)$/, ['instance', 'tier']],
  [/^relay_/, ['instance']],
];

// The margin subtracts the whole cost of the selected tiers from their revenue,
// so its cost selector filters by instance and tier only, like the revenue.
const TIER_LEVEL_PANELS = new Set(['Estimated monthly margin']);

const everyTarget = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

describe('relay-overview dashboard', () => {
  it('has a fixed uid of at most 40 characters', () => {
    expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
  });

  it('pins the schema version', () => {
    expect(Number.isInteger(dashboard.schemaVersion)).toBe(true);
    expect(dashboard.schemaVersion).toBe(39);
  });

  it('has no import-time inputs', () => {
    const text = readFileSync(DASHBOARD_PATH, 'utf8');
    expect(dashboard.__inputs).toBeUndefined();
    expect(text).not.toMatch(/\$\{DS_[A-Z_]+\}/);
  });

  it('has a Prometheus datasource variable', () => {
    const variable = dashboard.templating.list.find((candidate) => candidate.name === 'datasource');
    expect(variable?.type).toBe('datasource');
    expect(variable?.query).toBe('prometheus');
  });

  it.each(FILTER_VARIABLES)('has variable %s from label_values', (name) => {
    const variable = dashboard.templating.list.find((candidate) => candidate.name === name);
    expect(variable, `variable ${name}`).toBeDefined();
    expect(variable!.type).toBe('query');
    expect(variableQuery(variable!)).toMatch(new RegExp(`^label_values\\(relay_calls_total(\\{[^}]*\\})?, ${name}\\)$`));
    expect(variable!.datasource?.uid).toBe(DATASOURCE_REFERENCE);
    expect(variable!.includeAll).toBe(true);
  });

  it('has query panels with unique ids and a position', () => {
    expect(panels.length).toBeGreaterThan(20);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) expect(panel.gridPos, panel.title).toBeDefined();
  });

  it.each(panels.map((panel) => [panel.title, panel] as const))('panel %s uses the datasource variable', (_title, panel) => {
    expect(panel.datasource?.uid).toBe(DATASOURCE_REFERENCE);
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? DATASOURCE_REFERENCE).toBe(DATASOURCE_REFERENCE);
  });

  it.each(panels.map((panel) => [panel.title, panel] as const))('panel %s has a unit', (_title, panel) => {
    const unit = panel.fieldConfig?.defaults?.unit;
    expect(typeof unit).toBe('string');
    expect(unit).not.toBe('');
  });

  it.each(everyTarget.map(({ panel, target }) => [`${panel.title} ${target.refId}`, target.expr] as const))(
    'query %s uses $__rate_interval in every rate',
    (_name, expr) => {
      for (const match of expr.matchAll(/\b(?:i?rate)\(/g)) {
        const rangeStart = expr.indexOf('[', match.index);
        expect(expr.slice(rangeStart, rangeStart + '[$__rate_interval]'.length), `rate at ${match.index}`).toBe('[$__rate_interval]');
      }
      for (const range of expr.matchAll(/\[([^\]]*)\]/g)) {
        expect(range[1], 'range selector').toMatch(/^\$__rate_interval$|^\$__range(:\d+[smh])?$/);
      }
    },
  );

  it.each(everyTarget.map(({ panel, target }) => [`${panel.title} ${target.refId}`, panel.title, target.expr] as const))(
    'query %s filters by the variables of its labels',
    (_name, title, expr) => {
      for (const selector of expr.matchAll(/\b(relay_[a-z_]+)(\{[^}]*\})?/g)) {
        const [, family, matchers = ''] = selector;
        const filters = TIER_LEVEL_PANELS.has(title)
          ? ['instance', 'tier']
          : FILTERS_BY_FAMILY.find(([pattern]) => pattern.test(family!))![1];
        for (const name of filters) expect(matchers, `${family} selector`).toContain(`${name}=~"$${name}"`);
      }
    },
  );
});

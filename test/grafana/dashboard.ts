import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = fileURLToPath(new URL('../../grafana/dashboards/relay-overview.json', import.meta.url));

export interface DashboardTarget {
  expr: string;
  refId: string;
  instant?: boolean;
  format?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  fieldConfig?: { defaults?: { unit?: string } };
  gridPos?: { h: number; w: number; x: number; y: number };
  panels?: DashboardPanel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  datasource?: { type?: string; uid?: string };
  allValue?: string;
  includeAll?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  __inputs?: unknown;
  templating: { list: DashboardVariable[] };
  panels: DashboardPanel[];
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Returns every panel that runs queries, including those nested in collapsed rows. */
export function queryPanels(dashboard: Dashboard): DashboardPanel[] {
  const panels: DashboardPanel[] = [];
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') panels.push(...(panel.panels ?? []));
    else panels.push(panel);
  }
  return panels;
}

export interface QueryTime {
  /** Query step in seconds; Grafana's $__interval. */
  stepSeconds: number;
  /** Length of the dashboard's time range in seconds; Grafana's $__range. */
  rangeSeconds: number;
  /** The data source's timeInterval (scrape interval) in seconds. */
  scrapeIntervalSeconds: number;
}

/**
 * Replaces Grafana's built-in and dashboard variables the way Grafana does
 * before it sends a query. Every template variable takes its "All" value.
 * $__rate_interval is max($__interval + scrape interval, 4 × scrape interval).
 */
export function substituteVariables(expr: string, dashboard: Dashboard, time: QueryTime): string {
  const rateIntervalSeconds = Math.max(time.stepSeconds + time.scrapeIntervalSeconds, 4 * time.scrapeIntervalSeconds);
  const builtIns: Array<[string, string]> = [
    ['$__rate_interval', `${rateIntervalSeconds}s`],
    ['$__range_s', String(time.rangeSeconds)],
    ['$__range_ms', String(time.rangeSeconds * 1000)],
    ['$__range', `${time.rangeSeconds}s`],
    ['$__interval_ms', String(time.stepSeconds * 1000)],
    ['$__interval', `${time.stepSeconds}s`],
  ];

  let result = expr;
  for (const [name, value] of builtIns) result = result.split(name).join(value);

  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const allValue = variable.allValue ?? '.*';
    result = result.split(`\${${variable.name}}`).join(allValue).split(`$${variable.name}`).join(allValue);
  }
  return result;
}

/** Returns the PromQL text of a variable's query. */
export function variableQuery(variable: DashboardVariable): string {
  if (typeof variable.query === 'string') return variable.query;
  return variable.query?.query ?? variable.definition ?? '';
}

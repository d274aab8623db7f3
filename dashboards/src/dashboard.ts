// A dashboard: rows of panels and its template variables, generated with grafana-dash-gen.
import { Dashboard, Row } from 'grafana-dash-gen';
import { DS, type EsSource } from './datasources';
import { renderPanel, type PanelSpec } from './panels';

export interface Variable {
  name: string;
  label: string;
  /** values come from a terms aggregation over this field */
  source: EsSource;
  field: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: Array<{ title: string; panels: PanelSpec[] }>;
  variables?: Variable[];
}

export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  const dashboard = new Dashboard({ title: spec.title, tags: ['callsentry'], refresh: '30s', time: { from: 'now-6h', to: 'now' } });
  let id = 0;
  const rows = spec.rows.map((r) => {
    const row = new Row({ title: r.title });
    dashboard.addRow(row);
    return { row, panels: r.panels.map((p) => renderPanel(p, ++id)) };
  });
  const state = dashboard.generate() as unknown as Record<string, unknown>;
  return {
    ...state,
    uid: spec.uid,
    description: spec.description,
    rows: rows.map(({ row, panels }) => ({ ...(row.generate() as unknown as object), panels })),
    templating: {
      list: (spec.variables ?? []).map((v) => ({
        name: v.name,
        label: v.label,
        type: 'query',
        datasource: { type: 'elasticsearch', uid: v.source.uid },
        query: JSON.stringify({ find: 'terms', field: v.field }),
        includeAll: true,
        allValue: '*',
        multi: true,
        refresh: 2,
        current: { text: 'All', value: '$__all' },
      })),
    },
  };
}

export { DS };
